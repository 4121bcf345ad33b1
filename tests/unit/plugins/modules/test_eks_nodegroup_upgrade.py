"""eks_nodegroup_upgrade against the emulated world: node groups follow the control plane, PDBs, check mode."""
from __future__ import annotations

import sys

import pytest

from ansible_collections.lifecycle.eks.plugins.modules import eks_nodegroup_upgrade as module
from tests.conftest import mutating_calls
from tests.unit.plugins.modules.helpers import FAST_WAIT, HOUR, log_position, warning_texts


@pytest.fixture
def args(args):
    """Without GPU node groups the module never reaches the Kubernetes API: no kubeconfig given."""
    return lambda name, **extra: args(name, **dict({"kubeconfig": None}, **extra))


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
    assert [e["errorCode"] for e in result["aws_errors"]] == ["PodEvictionFailure"]  # what the rescue records
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


# The control plane moved to 1.30; a custom-AMI node group whose launch template has a version with a 1.30 AMI (2),
# and a node group with an EKS-managed AMI and a launch template of its own (user data, two versions).
LAUNCH_TEMPLATES = {"clusters": [{
    "name": "lt-130", "version": "1.30",
    "nodegroups": [{"name": "custom", "version": "1.29", "ami_type": "CUSTOM", "desired_size": 1,
                    "launch_template": {"name": "custom-nodes", "versions": ["1.29", "1.30"]}},
                   {"name": "tuned", "version": "1.29", "desired_size": 1,
                    "launch_template": {"name": "tuned-nodes", "versions": [None, None]}},
                   {"name": "general", "version": "1.30", "desired_size": 1}],
}]}


def describe(world, name, cluster="lt-130"):
    return world.client("eks").describe_nodegroup(clusterName=cluster, nodegroupName=name)["nodegroup"]


def update_fields(world, since=0):
    return [r["fields"] for r in mutating_calls(world, since) if r["operation"] == "UpdateNodegroupVersion"]


def test_custom_ami_without_a_launch_template_version_is_reported_not_called(make_world, run_module, args):
    world = make_world(LAUNCH_TEMPLATES)
    template_id = describe(world, "custom")["launchTemplate"]["id"]
    result = run_module(module, ng_args(args, "lt-130", nodegroups=["custom"]))
    assert not result.failed, result.get("msg")
    assert result["changed"] is False
    [needs] = result["needs_launch_template"]
    assert needs["name"] == "custom" and needs["version"] == "1.29" and needs["kubernetes_version"] == "1.30"
    assert needs["launch_template"] == {"id": template_id, "name": "custom-nodes", "version": "1"}
    assert needs["ami"] == describe(world, "custom")["releaseVersion"] and needs["ami"].startswith("ami-")
    assert "no launch template version is given for it" in needs["reason"]
    remediation = needs["remediation"]
    assert remediation.startswith("Create a version of launch template custom-nodes (%s) whose AMI is built for "
                                  "Kubernetes 1.30" % template_id)
    assert "/aws/service/eks/optimized-ami/1.30/amazon-linux-2023/" in remediation
    assert "launch_templates: {custom: {version: 'NEW_VERSION'}}" in remediation
    assert "eks_" not in remediation.replace("/aws/service/eks/", "")  # module options only, no playbook variable
    assert entries(result)["custom"]["action"] == "needs_launch_template"
    assert result["needs_action"] == [{"name": "custom", "reason": needs["reason"]}]
    # Nothing is asked of AWS for it: no update, and no launch template lookup either.
    assert mutating_calls(world) == []
    assert [r for r in world.state.log.as_dicts() if r["service"] == "ec2"] == []


def test_custom_ami_is_updated_with_the_launch_template_only(make_world, run_module, args):
    world = make_world(LAUNCH_TEMPLATES)
    template_id = describe(world, "custom")["launchTemplate"]["id"]
    result = run_module(module, ng_args(args, "lt-130", nodegroups=["custom"],
                                        launch_templates={"custom": {"version": "2"}}), diff=True)
    assert not result.failed, result.get("msg")
    assert result["changed"] is True and result["needs_launch_template"] == []
    found = entries(result)["custom"]
    assert (found["action"], found["after"], found["launch_template_version"]) == ("update", "1.30", "2")
    [update] = result["updates"]
    assert update["status"] == "Successful"
    # No version and no releaseVersion: EKS refuses both for custom AMIs.
    assert update_fields(world) == [["clientRequestToken", "launchTemplate", "launchTemplate.id",
                                     "launchTemplate.version"]]
    assert [r["operation"] for r in world.state.log.as_dicts() if r["service"] == "ec2"] == [
        "DescribeLaunchTemplateVersions"]
    group = describe(world, "custom")
    assert group["launchTemplate"] == {"name": "custom-nodes", "id": template_id, "version": "2"}
    assert group["version"] == "1.30"
    kubelets = world.summary()["lt-130"]["kubelets"]
    assert kubelets["ip-10-0-1-1.ec2.internal"].startswith("v1.30.")  # the nodes run the new AMI

    before = log_position(world)
    again = run_module(module, ng_args(args, "lt-130", nodegroups=["custom"],
                                       launch_templates={"custom": {"version": "2"}}))
    assert again["changed"] is False
    assert entries(again)["custom"]["reason"] == "already on 1.30 with launch template version 2"
    assert mutating_calls(world, before) == []


@pytest.mark.parametrize("check_mode", [True, False])
def test_managed_ami_with_a_launch_template_sends_version_and_template(make_world, run_module, args, check_mode):
    world = make_world(LAUNCH_TEMPLATES)
    result = run_module(module, ng_args(args, "lt-130", nodegroups=["tuned", "general"],
                                        launch_templates={"tuned": "2"}), check_mode=check_mode)
    assert not result.failed, result.get("msg")
    assert result["changed"] is True
    found = entries(result)
    assert (found["tuned"]["action"], found["tuned"]["launch_template_version"]) == ("update", "2")
    assert found["general"]["action"] == "skip"
    # The version is checked in check mode too; only the update itself is left out.
    assert [r["operation"] for r in world.state.log.as_dicts() if r["service"] == "ec2"] == [
        "DescribeLaunchTemplateVersions"]
    if check_mode:
        assert mutating_calls(world) == []
        assert describe(world, "tuned")["launchTemplate"]["version"] == "1"
        return
    assert update_fields(world) == [["clientRequestToken", "launchTemplate", "launchTemplate.id",
                                     "launchTemplate.version", "version"]]
    group = describe(world, "tuned")
    assert (group["version"], group["launchTemplate"]["version"]) == ("1.30", "2")


def test_a_launch_template_version_for_another_minor_is_not_sent(make_world, run_module, args):
    world = make_world(LAUNCH_TEMPLATES)
    result = run_module(module, ng_args(args, "lt-130", launch_templates={
        "custom": {"version": "2", "kubernetes_version": "1.31"},
        "tuned": {"version": "2", "kubernetes_version": "1.31"}}))
    assert not result.failed, result.get("msg")
    [needs] = result["needs_launch_template"]
    assert "launch template version 2, given for it, is for Kubernetes 1.31" in needs["reason"]
    # The EKS-managed AMI group is still updated to 1.30, without the launch template version meant for 1.31.
    assert update_fields(world) == [["clientRequestToken", "version"]]


def test_the_launch_template_version_in_use_is_no_new_version(make_world, run_module, args):
    world = make_world(LAUNCH_TEMPLATES)
    result = run_module(module, ng_args(args, "lt-130", nodegroups=["custom"], launch_templates={"custom": 1}))
    assert not result.failed, result.get("msg")
    [needs] = result["needs_launch_template"]
    assert "launch template version 1, given for it, is the one it already uses" in needs["reason"]
    assert mutating_calls(world) == []


def test_a_launch_template_version_that_does_not_exist_fails_before_any_update(make_world, run_module, args):
    world = make_world(LAUNCH_TEMPLATES)
    template_id = describe(world, "custom")["launchTemplate"]["id"]
    result = run_module(module, ng_args(args, "lt-130", launch_templates={"tuned": "2", "custom": "9"}))
    assert result.failed
    assert result["msg"].startswith("Launch template version 9 of custom-nodes (%s), given in launch_templates for "
                                    "node group custom of cluster lt-130, does not exist" % template_id)
    assert "InvalidLaunchTemplateId.VersionNotFound" in result["msg"]
    assert mutating_calls(world) == []  # not even the valid "tuned" one


@pytest.mark.parametrize("launch_templates, message", [
    ({"custom": "$Latest"}, "launch_templates.custom.version must be a launch template version number such as '7'"),
    ({"custom": {"version": "0"}}, "launch_templates.custom.version must be a launch template version number"),
    ({"custom": {"version": 2.0}}, "launch_templates.custom.version must be a launch template version number"),
    ({"custom": {"versions": "2"}}, "launch_templates.custom: unknown key(s) versions"),
    ({"custom": {"kubernetes_version": "1.30"}}, "launch_templates.custom needs a version"),
    ({"custom": {"version": "2", "kubernetes_version": "1.3"}},
     "launch_templates.custom.kubernetes_version: target version 1.3 does not exist on EKS"),
    ({"general": "2"}, "launch_templates gives launch template versions for node group(s) general of cluster lt-130, "
                       "created without a launch template"),
])
def test_bad_launch_templates_are_refused_before_any_change(make_world, run_module, args, launch_templates, message):
    world = make_world(LAUNCH_TEMPLATES)
    result = run_module(module, ng_args(args, "lt-130", launch_templates=launch_templates))
    assert result.failed
    assert message in result["msg"]
    assert mutating_calls(world) == []


def test_a_node_group_the_cluster_lacks_is_warned_about(make_world, run_module, args):
    world = make_world(LAUNCH_TEMPLATES)
    result = run_module(module, ng_args(args, "lt-130", launch_templates={"custon": "2"}), check_mode=True)
    assert not result.failed, result.get("msg")
    assert any("names node group(s) custon that cluster lt-130 does not have (its node groups: custom, general, tuned)"
               in warning for warning in warning_texts(result))
    assert mutating_calls(world) == []


def test_auto_mode_cluster_without_node_groups(make_world, run_module, args):
    world = make_world({"clusters": [{"name": "auto-130", "version": "1.30", "auto_mode": True}]})
    result = run_module(module, ng_args(args, "auto-130"))
    assert not result.failed, result.get("msg")
    assert (result["auto_mode"], result["changed"], result["nodegroups"]) == (True, False, [])
    assert mutating_calls(world) == []
    assert [r["operation"] for r in world.state.log.as_dicts()] == ["DescribeCluster", "ListNodegroups"]


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


def test_needs_no_kubernetes_library_without_gpu_node_groups(make_world, run_module, args, monkeypatch):
    make_world(AFTER_CONTROL_PLANE)
    monkeypatch.setitem(sys.modules, "kubernetes", None)  # as if not installed
    result = run_module(module, ng_args(args, "moved-130"), check_mode=True)
    assert not result.failed, result.get("msg")
    assert entries(result)["general"]["action"] == "update"


TWO_BEHIND = {"clusters": [{
    "name": "two-behind-130", "version": "1.30",
    "nodegroups": [{"name": "general", "version": "1.29", "desired_size": 1},
                   {"name": "batch", "version": "1.29", "desired_size": 1}],
}]}


def test_a_later_update_call_failing_reports_the_updates_already_started(make_world, run_module, args,
                                                                         monkeypatch, no_aws_retries):
    """EKS answers 500 to the second UpdateNodegroupVersion: the first node group is updating, and the failure
    says so (changed, its update in ``updates`` as a success reports it) so the playbook's rescue records it."""
    from ansible_collections.lifecycle.eks.plugins.module_utils.aws import Clients

    world = make_world(TWO_BEHIND, nodegroup_update_s=HOUR)
    real_update = Clients.update_nodegroup_version

    def then_break(self, *a, **kw):
        started = real_update(self, *a, **kw)
        world.state.faults.set("two-behind-130", error_rate=1.0)
        return started

    monkeypatch.setattr(Clients, "update_nodegroup_version", then_break)
    result = run_module(module, ng_args(args, "two-behind-130"))
    assert result.failed
    assert result.get("changed") is True
    [started] = result.get("updates", [])
    # list_nodegroups order decides which group goes first: the other one is the one refused.
    first, second = sorted(entries(result), key=lambda g: "update_id" not in entries(result)[g])
    assert "update node group %s of cluster two-behind-130" % second in result["msg"]
    assert set(started) == {"id", "type", "subject", "from", "to", "status", "errors", "resumed"}
    assert (started["subject"], started["status"], started["from"], started["to"]) == \
        ("node group %s" % first, "InProgress", "1.29", "1.30")
    assert entries(result)[first]["update_id"] == started["id"]
    assert [r["operation"] for r in mutating_calls(world)] == ["UpdateNodegroupVersion"] * 2
    world.state.faults.clear()
    assert world.summary()["two-behind-130"]["nodegroups"][first]["status"] == "UPDATING"
