"""eks_cluster_upgrade leaves deletionProtection and controlPlaneScalingConfig alone: every UpdateClusterVersion it
sends carries the name (in the path), the version, a clientRequestToken and, only on request, force."""
from __future__ import annotations

from ansible_collections.lifecycle.eks.plugins.modules import eks_cluster_upgrade as module
from tests.unit.plugins.modules.helpers import FAST_WAIT, log_position, records, warning_texts

GUARDED = {"clusters": [{"name": "guarded-128", "version": "1.28", "deletion_protection": True,
                         "control_plane_scaling_tier": "tier-xl",
                         "nodegroups": [{"name": "general", "version": "1.28", "desired_size": 1}]}]}
SETTINGS = {"deletion_protection": True, "control_plane_scaling_tier": "tier-xl"}


def upgrade(run_module, args, **extra):
    result = run_module(module, args("guarded-128", target_version="1.30", upgrade_nodegroups=True,
                                     **dict(FAST_WAIT, **extra)))
    assert not result.failed, result.get("msg")
    return result


def test_two_hops_send_only_the_version_and_leave_the_settings_as_they_were(make_world, run_module, args):
    world = make_world(GUARDED)
    before = log_position(world)
    result = upgrade(run_module, args)
    assert result["version_after"] == "1.30"
    sent = [r for r in records(world, before, service="eks") if r["operation"] == "UpdateClusterVersion"]
    assert [(r["cluster"], r["fields"]) for r in sent] == [("guarded-128", ["clientRequestToken", "version"])] * 2
    # Nothing else that could touch the cluster's configuration: node group updates between the hops only.
    assert {r["operation"] for r in records(world, before) if r["mutating"]} == {
        "UpdateClusterVersion", "UpdateNodegroupVersion"}
    assert result["settings_left_alone"] == {"before": SETTINGS, "after": SETTINGS}
    assert warning_texts(result) == []
    state = world.summary()["guarded-128"]
    assert (state["version"], state["deletion_protection"], state["control_plane_scaling_tier"]) == (
        "1.30", True, "tier-xl")


def test_force_is_sent_only_when_asked_for(make_world, run_module, args):
    world = make_world(GUARDED)
    before = log_position(world)
    upgrade(run_module, args, force=True)
    sent = [r["fields"] for r in records(world, before, operation="UpdateClusterVersion")]
    assert sent == [["clientRequestToken", "force", "version"]] * 2


def test_check_mode_and_a_cluster_on_target_read_the_settings_once(make_world, run_module, args):
    world = make_world(GUARDED)
    planned = run_module(module, args("guarded-128", target_version="1.30", upgrade_nodegroups=True),
                         check_mode=True)
    assert planned["settings_left_alone"] == {"before": SETTINGS, "after": SETTINGS}
    on_target = run_module(module, args("guarded-128", target_version="1.28"))
    assert on_target["changed"] is False and on_target["settings_left_alone"]["after"] == SETTINGS
    assert records(world, operation="UpdateClusterVersion") == []


def test_a_setting_changed_by_someone_else_during_the_upgrade_is_reported(make_world, run_module, args):
    world = make_world(GUARDED)

    def another_operator(**_payload):  # turns deletion protection off while the first hop finishes
        world.aws.eks.cluster("guarded-128").deletion_protection = False

    world.state.events.subscribe("cluster_version_changed", another_operator)
    result = upgrade(run_module, args)
    assert result["settings_left_alone"]["after"] == dict(SETTINGS, deletion_protection=False)
    assert warning_texts(result) == [
        "deletionProtection of cluster guarded-128 changed during the upgrade (True -> False), not by this collection: "
        "its UpdateClusterVersion requests carry only the version. Check who changed it."]
