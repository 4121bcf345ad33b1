"""eks_cluster_upgrade's fix_coredns_upstream (procedure step 3): the upstream line goes before the first hop, in
check mode only planned, never without the option or when the upgrade is refused."""
from __future__ import annotations

from ansible_collections.lifecycle.eks.plugins.modules import eks_cluster_upgrade as module
from tests.conftest import mutating_calls
from tests.unit.plugins.modules.helpers import FAST_WAIT, log_position

NAME = "origin-117"


def corefile(world):
    return world.summary()[NAME]["corefile"]


def upgrade_args(args, target="1.24", **extra):
    return args(NAME, target_version=target, **dict(FAST_WAIT, **extra))


def test_the_upstream_line_goes_before_the_first_hop_and_a_rerun_changes_nothing(make_world, run_module, args):
    world = make_world("coredns-upstream")
    before = corefile(world)
    result = run_module(module, upgrade_args(args, fix_coredns_upstream=True), diff=True)
    assert not result.failed, result.get("msg")
    assert result["changed"] is True and result["coredns_upstream_removed"] is True
    after = corefile(world)
    assert "upstream" in before and "upstream" not in after
    assert [line for line in before.splitlines() if line.strip() != "upstream"] == after.splitlines()
    versions, corefile_diff = result["diff"]
    assert (versions["before"]["version"], versions["after"]["version"]) == ("1.23", "1.24")
    assert (corefile_diff["before"], corefile_diff["after"]) == (before, after)
    operations = [record["operation"] for record in mutating_calls(world)]
    assert operations[0] == "patch configmaps" and "UpdateClusterVersion" in operations
    assert world.summary()[NAME]["version"] == "1.24"

    position = log_position(world)
    again = run_module(module, upgrade_args(args, fix_coredns_upstream=True))
    assert not again.failed, again.get("msg")
    assert again["changed"] is False and again["coredns_upstream_removed"] is False
    assert mutating_calls(world, position) == []


def test_check_mode_plans_the_removal_and_changes_nothing(make_world, run_module, args):
    world = make_world("coredns-upstream")
    before = corefile(world)
    planned = run_module(module, upgrade_args(args, fix_coredns_upstream=True), check_mode=True, diff=True)
    assert not planned.failed, planned.get("msg")
    assert planned["coredns_upstream_removed"] is True and planned["changed"] is True
    assert "upstream" not in planned["diff"][1]["after"]
    assert corefile(world) == before
    assert mutating_calls(world) == []


def test_without_the_option_or_when_the_upgrade_is_refused_the_corefile_stays(make_world, run_module, args):
    world = make_world("coredns-upstream")
    before = corefile(world)
    refused = run_module(module, upgrade_args(args, target="1.22", fix_coredns_upstream=True))
    assert refused.failed and "cannot be downgraded" in refused["msg"]
    assert corefile(world) == before and mutating_calls(world) == []

    upgraded = run_module(module, upgrade_args(args))
    assert not upgraded.failed, upgraded.get("msg")
    assert upgraded["coredns_upstream_removed"] is False
    assert corefile(world) == before
    assert "patch configmaps" not in [record["operation"] for record in mutating_calls(world)]
