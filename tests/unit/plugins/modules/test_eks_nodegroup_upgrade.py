"""eks_nodegroup_upgrade against the emulated world: node groups follow the control plane, PDBs, check mode."""
from __future__ import annotations

import boto3

from ansible_collections.lifecycle.eks.plugins.modules import eks_nodegroup_upgrade as module
from tests.conftest import mutating_calls
from tests.unit.plugins.modules.helpers import FAST_WAIT, HOUR, log_position

# The control plane already moved to 1.30; "general" is still on 1.29, "batch" is done.
AFTER_CONTROL_PLANE = {"clusters": [{
    "name": "moved-130", "version": "1.30",
    "nodegroups": [{"name": "general", "version": "1.29", "desired_size": 2},
                   {"name": "batch", "version": "1.30", "desired_size": 1}],
}]}


def ng_args(args, name, **extra):
    return args(name, **dict(FAST_WAIT, **extra))


def entries(result):
    return {e["name"]: e for e in result["nodegroups"]}


def test_node_groups_follow_the_control_plane(make_world, run_module, args):
    world = make_world(AFTER_CONTROL_PLANE)
    result = run_module(module, ng_args(args, "moved-130"), diff=True)
    assert not result.failed, result.get("msg")
    assert result["changed"] is True
    found = entries(result)
    assert (found["general"]["action"], found["general"]["before"], found["general"]["after"]) == \
        ("update", "1.29", "1.30")
    assert found["general"]["update_id"] == result["updates"][0]["id"]
    assert (found["batch"]["action"], found["batch"]["changed"]) == ("skip", False)
    [update] = result["updates"]
    assert (update["subject"], update["status"], update["to"]) == ("node group general", "Successful", "1.30")
    assert result["needs_action"] == []
    assert result["diff"] == {"before": {"general": "1.29", "batch": "1.30"},
                              "after": {"general": "1.30", "batch": "1.30"}}
    summary = world.summary()["moved-130"]
    assert {ng: v["version"] for ng, v in summary["nodegroups"].items()} == {"general": "1.30", "batch": "1.30"}
    assert set(summary["kubelets"].values()) == {summary["kube_version"]}
    assert [r["operation"] for r in mutating_calls(world)] == ["UpdateNodegroupVersion"]

    before = log_position(world)
    again = run_module(module, ng_args(args, "moved-130"))
    assert again["changed"] is False
    assert mutating_calls(world, before) == []


def test_after_a_cluster_upgrade(make_world, run_module, args):
    from ansible_collections.lifecycle.eks.plugins.modules import eks_cluster_upgrade

    world = make_world("healthy")
    upgraded = run_module(eks_cluster_upgrade, ng_args(args, "healthy-129", target_version="1.30"))
    assert not upgraded.failed, upgraded.get("msg")
    assert set(world.summary()["healthy-129"]["kubelets"].values()) == {"v1.29.15-eks-beb9d06"}
    result = run_module(module, ng_args(args, "healthy-129", kubeconfig=None, nodegroups=["general"]))
    assert not result.failed, result.get("msg")
    summary = world.summary()["healthy-129"]
    assert summary["nodegroups"]["general"]["version"] == "1.30"
    assert all(v.startswith("v1.30.") for v in summary["kubelets"].values())


def test_already_on_version_is_unchanged(make_world, run_module, args):
    world = make_world("healthy")
    result = run_module(module, ng_args(args, "healthy-129", version="1.29"))
    assert not result.failed, result.get("msg")
    assert result["changed"] is False
    assert entries(result)["general"]["reason"] == "already on 1.29"
    assert result["updates"] == []
    assert mutating_calls(world) == []


def test_version_ahead_of_the_control_plane_is_refused(make_world, run_module, args):
    world = make_world("healthy")
    result = run_module(module, ng_args(args, "healthy-129", version="1.30"))
    assert result.failed
    assert "cannot go ahead of the control plane" in result["msg"]
    assert "1.30" in result["msg"] and "1.29" in result["msg"]
    assert mutating_calls(world) == []


def test_malformed_version_is_refused(make_world, run_module, args):
    world = make_world("healthy")
    result = run_module(module, ng_args(args, "healthy-129", version="v1.29"))
    assert result.failed
    assert "without the 'v'" in result["msg"]
    assert mutating_calls(world) == []


def test_pod_disruption_budget_blocks_the_drain(make_world, run_module, args):
    world = make_world("pdb-blocking")
    result = run_module(module, ng_args(args, "pdb-129"))
    assert result.failed
    assert "PodEvictionFailure" in result["msg"]
    assert "ip-10-0-1-1.ec2.internal" in result["msg"]
    assert result["changed"] is True
    [update] = result["updates"]
    assert update["status"] == "Failed"
    assert [e["errorCode"] for e in update["errors"]] == ["PodEvictionFailure"]
    assert world.summary()["pdb-129"]["nodegroups"]["general"]["version"] == "1.28"

    forced = run_module(module, ng_args(args, "pdb-129", force=True))
    assert not forced.failed, forced.get("msg")
    assert forced["updates"][0]["status"] == "Successful"
    assert world.summary()["pdb-129"]["nodegroups"]["general"]["version"] == "1.29"


def test_check_mode_sends_nothing(make_world, run_module, args):
    world = make_world("nodes-behind")
    result = run_module(module, ng_args(args, "nodes-behind-129"), check_mode=True)
    assert not result.failed, result.get("msg")
    assert result["changed"] is True
    assert entries(result)["general"]["after"] == "1.29"
    assert result["updates"] == []
    assert mutating_calls(world) == []


def test_wait_false_then_rerun_resumes(make_world, run_module, args, finish_when_waited):
    world = make_world("nodes-behind", nodegroup_update_s=HOUR)
    started = run_module(module, ng_args(args, "nodes-behind-129", wait=False))
    assert not started.failed, started.get("msg")
    [update] = started["updates"]
    assert update["status"] == "InProgress" and update["resumed"] is False

    before = log_position(world)
    finish_when_waited(world)
    resumed = run_module(module, ng_args(args, "nodes-behind-129"))
    assert not resumed.failed, resumed.get("msg")
    assert entries(resumed)["general"]["action"] == "resume"
    [done] = resumed["updates"]
    assert (done["id"], done["resumed"], done["status"]) == (update["id"], True, "Successful")
    assert mutating_calls(world, before) == []
    assert world.summary()["nodes-behind-129"]["nodegroups"]["general"]["version"] == "1.29"


def test_custom_ami_needs_a_launch_template_version(make_world, run_module, args):
    world = make_world(AFTER_CONTROL_PLANE)
    world.aws.create_nodegroup("moved-130", "custom", version="1.29", ami_type="CUSTOM", desired_size=1,
                               launch_template={"name": "custom-ami"})
    result = run_module(module, ng_args(args, "moved-130", nodegroups=["custom"]))
    assert not result.failed, result.get("msg")
    assert result["changed"] is False
    [needs] = result["needs_action"]
    assert needs["name"] == "custom" and "launch_template_version" in needs["reason"]
    assert mutating_calls(world) == []

    updated = run_module(module, ng_args(args, "moved-130", nodegroups=["custom"], launch_template_version="7"))
    assert not updated.failed, updated.get("msg")
    [update] = updated["updates"]
    assert update["status"] == "Successful"
    assert [r["operation"] for r in mutating_calls(world)] == ["UpdateNodegroupVersion"]
    group = boto3.client("eks").describe_nodegroup(clusterName="moved-130", nodegroupName="custom")["nodegroup"]
    assert group["launchTemplate"]["version"] == "7"
    assert group["launchTemplate"]["name"] == "custom-ami"


def test_unknown_node_group(make_world, run_module, args):
    world = make_world("healthy")
    result = run_module(module, ng_args(args, "healthy-129", nodegroups=["nope"]))
    assert result.failed
    assert "node group nope" in result["msg"]
    assert "ResourceNotFoundException" in result["msg"]
    assert mutating_calls(world) == []


def test_wait_timeout_reports_the_update_still_running(make_world, run_module, args):
    world = make_world("nodes-behind", nodegroup_update_s=HOUR)
    result = run_module(module, ng_args(args, "nodes-behind-129", wait_timeout=0))
    assert result.failed
    assert "Rerun" in result["msg"]
    [update] = result["updates"]
    assert update["status"] == "InProgress" and update["id"] in result["msg"]
    assert entries(result)["general"]["update_id"] == update["id"]
    assert [r["operation"] for r in mutating_calls(world)] == ["UpdateNodegroupVersion"]
