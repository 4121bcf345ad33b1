"""The plan preflight hands to eks_cluster_upgrade (module_utils/handover.py): each check, both ways (pure)."""
from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import launch_templates
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.handover import accept, plan_of, with_basis
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import parse_target_version

TARGET = parse_target_version("1.30")
KNOWN = ["1.28", "1.29", "1.30", "1.31"]
GROUP = {"name": "general", "version": "1.28", "status": "ACTIVE", "custom_ami": False, "launch_template": None,
         "ami_type": "AL2023_x86_64_STANDARD", "health_issues": []}


def facts(version: str = "1.28", status: str = "ACTIVE") -> dict[str, Any]:
    return {"cluster": {"name": "prod-eu", "version": version, "status": status},
            "known_versions": KNOWN, "nodegroups": [dict(GROUP)],
            "skew_input": {"control_plane": version, "nodegroups": [
                {"name": "general", "version": "1.28", "status": "ACTIVE", "custom_ami": False}]}}


def handed(version: str = "1.28", status: str = "ACTIVE", entries: Any = None) -> dict[str, Any]:
    gathered = facts(version, status)
    plan = plan_of(gathered["skew_input"], TARGET, True, KNOWN).to_dict()
    return with_basis(plan, gathered, TARGET, True, entries or {})


def cluster(version: str = "1.28", name: str = "prod-eu") -> dict[str, Any]:
    return {"name": name, "version": version, "status": "ACTIVE"}


def refusal(plan: Any, **call: Any) -> str:
    arguments = dict(cluster=cluster(), target=TARGET, upgrade_nodegroups=True, entries={})
    arguments.update(call)
    with pytest.raises(ModuleError) as raised:
        accept(plan, **arguments)
    return str(raised.value)


def test_a_matching_plan_is_followed_with_the_node_groups_it_was_computed_from():
    plan, groups = accept(handed(), cluster(), TARGET, True, {})
    assert [(str(h.from_version), str(h.to_version), h.nodegroups_before) for h in plan.hops] == [
        ("1.28", "1.29", ()), ("1.29", "1.30", ("general",))]
    assert groups == [{k: GROUP[k] for k in ("name", "version", "status", "custom_ami", "launch_template")}]
    assert handed()["computed_from"]["known_versions"] == KNOWN


def test_another_cluster_is_refused():
    assert "computed for cluster prod-eu, not prod-us" in refusal(handed(), cluster=cluster(name="prod-us"))


def test_another_target_is_refused():
    assert "goes to 1.30, not to target_version 1.31" in refusal(handed(), target=parse_target_version("1.31"))


def test_other_node_group_options_are_refused():
    assert "upgrade_nodegroups=True, this call has False" in refusal(handed(), upgrade_nodegroups=False)
    entries = launch_templates.parse({"general": {"version": "7"}}, "nodegroup_launch_templates")
    assert "other nodegroup_launch_templates" in refusal(handed(), entries=entries)
    plan, _groups = accept(handed(entries=entries), cluster(), TARGET, True, entries)
    assert plan.feasible


def test_a_stale_current_version_is_refused_unless_provisional_or_done():
    assert "starts from 1.28, but cluster prod-eu is at 1.29 now" in refusal(handed(), cluster=cluster("1.29"))
    # Computed while an update was in progress: provisional, the caller plans again.
    assert accept(handed(status="UPDATING"), cluster("1.29"), TARGET, True, {}) is None
    # Already at the target (a rerun after the plan was carried out): nothing to follow.
    assert accept(handed(), cluster("1.30"), TARGET, True, {}) is None


def test_hops_that_do_not_follow_from_the_inputs_are_refused():
    edited = dict(handed(), hops=[{"from_version": "1.28", "to_version": "1.30", "nodegroups_before": []}])
    assert "do not follow from what it was computed from" in refusal(edited)


def test_something_that_is_not_a_preflight_plan_is_refused():
    assert "computed_from lacks cluster" in refusal({"hops": []})
    assert "computed_from lacks" in refusal("1.30")
    broken = handed()
    broken["computed_from"]["skew_input"] = {"nodegroups": []}  # no control_plane
    assert "computed_from is malformed" in refusal(broken)
