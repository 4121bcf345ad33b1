"""eks_self_managed_nodes_upgrade against the emulated world: Auto Scaling groups move to the EKS AMI of the control
plane's minor through a new launch template version and an instance refresh; custom AMIs, PDBs, check mode, resume."""
from __future__ import annotations

from typing import Any

from ansible_collections.lifecycle.eks.plugins.modules import eks_self_managed_nodes_upgrade as module
from tests.conftest import mutating_calls
from tests.unit.plugins.modules.helpers import FAST_WAIT, HOUR, log_position, records, warning_texts

AL2023_PARAMETER = "/aws/service/eks/optimized-ami/1.30/amazon-linux-2023/x86_64/standard/recommended/image_id"
BOTTLEROCKET_PARAMETER = "/aws/service/bottlerocket/aws-k8s-1.30/x86_64/latest/image_id"


def moved(groups: list[dict[str, Any]], pdbs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A cluster whose control plane already moved to 1.30, with self-managed groups on 1.29."""
    return {"clusters": [{"name": "moved-130", "version": "1.30", "self_managed_groups": groups,
                          "pdbs": pdbs or []}]}


def by_name(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {g["name"]: g for g in result["groups"]}


def parameter(world: Any, name: str) -> str:
    return world.client("ssm").get_parameter(Name=name)["Parameter"]["Value"]


def group_state(world: Any, name: str) -> dict[str, Any]:
    [group] = world.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[name])[
        "AutoScalingGroups"]
    template = group["LaunchTemplate"]
    versions = world.client("ec2").describe_launch_template_versions(
        LaunchTemplateId=template["LaunchTemplateId"], Versions=[template.get("Version") or "$Default"])
    [version] = versions["LaunchTemplateVersions"]
    return {"version": template.get("Version"), "number": version["VersionNumber"],
            "data": version["LaunchTemplateData"],
            "instance_versions": sorted({i["LaunchTemplate"]["Version"] for i in group["Instances"]}),
            "instances": sorted(i["InstanceId"] for i in group["Instances"])}


def kubelets(world: Any, cluster: str) -> set[str]:
    return {v.rsplit(".", 1)[0] for v in world.summary()[cluster]["kubelets"].values()}


def test_al2023_group_moves_to_the_new_minor_ami(make_world, run_module, args):
    world = make_world(moved([{"name": "workers", "ami_family": "AL2023_x86_64_STANDARD", "kubelet": "1.29",
                               "size": 2}]))
    before = group_state(world, "workers")
    result = run_module(module, args("moved-130", **FAST_WAIT), diff=True)
    assert not result.failed, result.get("msg")
    assert result["changed"] is True
    entry = by_name(result)["workers"]
    target = parameter(world, AL2023_PARAMETER)
    assert (entry["action"], entry["family"]) == ("update", "AL2023_x86_64_STANDARD")
    assert entry["after"] == {"ami": target, "launch_template_version": 2, "kubernetes_version": "1.30"}
    assert entry["instance_refresh"]["status"] == "Successful"
    assert entry["instance_refresh"]["percentage_complete"] == 100
    assert entry["instance_refresh"]["failed_instances"] == []
    assert entry["drain"]["drained"] is True and entry["drain"]["hooks"] == ["drain-on-terminate"]
    assert result["diff"]["before"]["workers"]["kubernetes_version"] == "1.29"
    assert result["diff"]["after"]["workers"]["ami"] == target
    [refresh] = result["updates"]
    assert (refresh["id"], refresh["resumed"]) == (entry["instance_refresh"]["id"], False)

    after = group_state(world, "workers")
    # Only the AMI changed in the new version (SourceVersion), the group names it, every instance was replaced.
    assert after["version"] == "2" and after["data"]["ImageId"] == target
    assert {k: v for k, v in after["data"].items() if k != "ImageId"} == \
        {k: v for k, v in before["data"].items() if k != "ImageId"}
    assert after["instance_versions"] == ["2"]
    assert set(after["instances"]).isdisjoint(before["instances"])
    assert kubelets(world, "moved-130") == {"v1.30"}
    assert [r["operation"] for r in mutating_calls(world)] == [
        "CreateLaunchTemplateVersion", "UpdateAutoScalingGroup", "StartInstanceRefresh"]

    position = log_position(world)
    again = run_module(module, args("moved-130", **FAST_WAIT))
    assert not again.failed, again.get("msg")
    assert again["changed"] is False
    assert by_name(again)["workers"]["action"] == "skip"
    assert mutating_calls(world, position) == []


def test_bottlerocket_on_latest_is_not_repinned_and_warns_of_no_drain(make_world, run_module, args):
    world = make_world(moved([{"name": "br", "ami_family": "BOTTLEROCKET_x86_64", "kubelet": "1.29", "size": 1,
                               "template_version": "$Latest", "termination_hook": False}]))
    result = run_module(module, args("moved-130", **FAST_WAIT))
    assert not result.failed, result.get("msg")
    entry = by_name(result)["br"]
    assert entry["family"] == "BOTTLEROCKET_x86_64"
    assert entry["after"]["ami"] == parameter(world, BOTTLEROCKET_PARAMETER)
    assert entry["drain"]["drained"] is False
    assert any("terminates nodes without draining" in w for w in warning_texts(result))
    assert group_state(world, "br")["version"] == "$Latest"
    assert [r["operation"] for r in mutating_calls(world)] == ["CreateLaunchTemplateVersion", "StartInstanceRefresh"]
    assert kubelets(world, "moved-130") == {"v1.30"}


def test_custom_ami_is_reported_with_what_to_build_never_replaced(make_world, run_module, args):
    world = make_world(moved([{"name": "custom", "ami_family": "CUSTOM", "kubelet": "1.29", "size": 1}]))
    result = run_module(module, args("moved-130", **FAST_WAIT))
    assert not result.failed, result.get("msg")
    assert result["changed"] is False
    assert by_name(result)["custom"]["action"] == "custom_ami"
    [custom] = result["custom_amis"]
    assert (custom["name"], custom["kubernetes_version"], custom["family"]) == \
        ("custom", "1.30", "AL2023_x86_64_STANDARD")  # the nodes' osImage: Amazon Linux 2023
    assert AL2023_PARAMETER in custom["remediation"]
    assert mutating_calls(world) == []


def test_family_from_the_ssm_parameters_when_the_name_says_nothing(make_world, run_module, args):
    """An EKS AMI EC2 no longer lists under its name (here: not Amazon-owned in DescribeImages) is still EKS's
    when it is the value of the family's SSM parameter for the nodes' minor."""
    world = make_world(moved([{"name": "workers", "ami_family": "AL2023_x86_64_STANDARD", "kubelet": "1.29",
                               "size": 1}]))
    ec2 = world.aws.eks.ec2
    with world.state.lock:
        for image in ec2.amis.values():
            image.owner_alias = None
    result = run_module(module, args("moved-130", **FAST_WAIT), check_mode=True)
    assert not result.failed, result.get("msg")
    entry = by_name(result)["workers"]
    assert (entry["action"], entry["family"]) == ("update", "AL2023_x86_64_STANDARD")
    assert mutating_calls(world) == []


def test_check_mode_sends_nothing_and_plans_ahead_of_the_control_plane(make_world, run_module, args):
    world = make_world({"clusters": [{"name": "still-129", "version": "1.29", "self_managed_groups": [
        {"name": "workers", "kubelet": "1.29", "size": 1}]}]})
    result = run_module(module, args("still-129", version="1.30", **FAST_WAIT), check_mode=True, diff=True)
    assert not result.failed, result.get("msg")
    assert result["changed"] is True
    assert by_name(result)["workers"]["after"]["kubernetes_version"] == "1.30"
    assert result["updates"] == []
    assert mutating_calls(world) == []
    refused = run_module(module, args("still-129", version="1.30", **FAST_WAIT))
    assert refused.failed and "ahead of the control plane" in refused["msg"]
    assert mutating_calls(world) == []


def test_pod_disruption_budget_blocks_unless_forced(make_world, run_module, args):
    world = make_world(moved([{"name": "workers", "kubelet": "1.29", "size": 1, "pods": ["payments"]}],
                             pdbs=[{"name": "payments", "max_unavailable": 0}]))
    result = run_module(module, args("moved-130", **FAST_WAIT))
    assert not result.failed, result.get("msg")
    assert [b["pdbs"] for b in result["blocked"]] == [["default/payments"]]
    assert by_name(result)["workers"]["action"] == "blocked"
    assert mutating_calls(world) == []
    forced = run_module(module, args("moved-130", force=True, **FAST_WAIT))
    assert by_name(forced)["workers"]["instance_refresh"]["status"] == "Successful"
    assert kubelets(world, "moved-130") == {"v1.30"}


def test_a_running_refresh_is_waited_on_not_started_again(make_world, run_module, args, monkeypatch):
    """An interrupted run left a refresh InProgress: the rerun waits for it and starts nothing."""
    world = make_world(moved([{"name": "workers", "kubelet": "1.29", "size": 2, "refresh_in_progress": True}]),
                       instance_refresh_s=HOUR)
    refreshes = world.client("autoscaling").describe_instance_refreshes(AutoScalingGroupName="workers")
    [running] = refreshes["InstanceRefreshes"]
    assert running["Status"] == "InProgress"
    position = log_position(world)
    # The refresh ends once the module waits for it (the emulated clock jumps past its end).
    monkeypatch.setattr(module, "wait_for_refresh",
                        _advancing(module.wait_for_refresh, lambda: world.state.clock.advance(HOUR)))
    result = run_module(module, args("moved-130", **FAST_WAIT))
    assert not result.failed, result.get("msg")
    entry = by_name(result)["workers"]
    assert entry["action"] == "resume"
    [refresh] = result["updates"]
    assert (refresh["id"], refresh["resumed"], refresh["status"]) == (running["InstanceRefreshId"], True, "Successful")
    assert mutating_calls(world, position) == []
    assert kubelets(world, "moved-130") == {"v1.30"}


def _advancing(wait: Any, before: Any) -> Any:
    def waited(*args: Any, **kwargs: Any) -> Any:
        before()
        return wait(*args, **kwargs)

    return waited


def test_failed_refresh_reports_the_instances_left(make_world, run_module, args):
    make_world(moved([{"name": "workers", "kubelet": "1.29", "size": 2, "refresh_fails": True}]))
    result = run_module(module, args("moved-130", **FAST_WAIT))
    assert result.failed
    assert "ended Failed" in result["msg"]
    [refresh] = result["updates"]
    assert refresh["status"] == "Failed" and len(refresh["failed_instances"]) == 1
    assert result["changed"] is True


def test_bad_min_healthy_percentage_is_refused_before_any_call(make_world, run_module, args):
    world = make_world(moved([{"name": "workers", "kubelet": "1.29", "size": 1}]))
    result = run_module(module, args("moved-130", min_healthy_percentage=120))
    assert result.failed and "min_healthy_percentage" in result["msg"]
    assert records(world) == []


def test_a_group_without_the_cluster_tag_is_found_by_its_nodes(make_world, run_module, args):
    world = make_world(moved([{"name": "untagged", "kubelet": "1.29", "size": 1, "tagged": False}]))
    result = run_module(module, args("moved-130", **FAST_WAIT))
    assert not result.failed, result.get("msg")
    assert by_name(result)["untagged"]["instance_refresh"]["status"] == "Successful"
    assert [r["operation"] for r in records(world, service="autoscaling")][:2] == [
        "DescribeAutoScalingGroups", "DescribeAutoScalingInstances"]
    assert kubelets(world, "moved-130") == {"v1.30"}


def test_a_run_that_stops_waiting_is_resumed_by_the_next(make_world, run_module, args, monkeypatch):
    """The first run times out waiting (the refresh goes on in AWS); the rerun waits for that refresh, starts none."""
    world = make_world(moved([{"name": "workers", "kubelet": "1.29", "size": 1}]), instance_refresh_s=HOUR)
    stopped = run_module(module, args("moved-130", wait_timeout=0, **FAST_WAIT))
    assert stopped.failed and "Rerun the same task to resume waiting" in stopped["msg"]
    [running] = stopped["updates"]
    assert running["status"] == "InProgress" and stopped["changed"] is True
    position = log_position(world)
    # The refresh ends while the rerun waits for it.
    monkeypatch.setattr(module, "wait_for_refresh",
                        _advancing(module.wait_for_refresh, lambda: world.state.clock.advance(HOUR)))
    resumed = run_module(module, args("moved-130", **FAST_WAIT))
    assert by_name(resumed)["workers"]["action"] == "resume"
    assert not resumed.failed, resumed.get("msg")
    [done] = resumed["updates"]
    assert (done["id"], done["resumed"], done["status"]) == (running["id"], True, "Successful")
    assert mutating_calls(world, position) == []
    assert kubelets(world, "moved-130") == {"v1.30"}
