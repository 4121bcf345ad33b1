"""playbooks/upgrade.yml with the opt-in self-managed node step (issue 13), on scenarios self-managed-al2023 and
self-managed-bottlerocket in one world: check mode sends nothing, the real run moves each Auto Scaling group to the
EKS AMI of 1.30 by an instance refresh (the custom-AMI group is reported with what to build), the report and the
checkpoint say so, the calls stay within the documented permissions, and a rerun changes nothing.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from eksworld import scenario
from tests.conftest import SCENARIOS, mutating_calls
from tests.integration.permissions import policy_actions, rbac_rules, role_rules

pytestmark = pytest.mark.integration

AL2023, BOTTLEROCKET = "self-managed-129", "bottlerocket-129"
SERVICES = ("eks", "ec2", "sts", "autoscaling", "ssm")


def both_scenarios() -> dict[str, Any]:
    first, second = (scenario.load(SCENARIOS / f"{name}.yml")
                     for name in ("self-managed-al2023", "self-managed-bottlerocket"))
    return {"name": "self-managed", "target_version": "1.30", "clusters": first["clusters"] + second["clusters"]}


def groups(world: Any) -> dict[str, dict[str, Any]]:
    autoscaling, ec2 = world.client("autoscaling"), world.client("ec2")
    found = {}
    for group in autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"]:
        template = group["LaunchTemplate"]
        [version] = ec2.describe_launch_template_versions(
            LaunchTemplateId=template["LaunchTemplateId"], Versions=[template["Version"]])["LaunchTemplateVersions"]
        found[group["AutoScalingGroupName"]] = {
            "ami": version["LaunchTemplateData"]["ImageId"], "number": version["VersionNumber"],
            "instances": sorted(i["InstanceId"] for i in group["Instances"])}
    return found


def parameter(world: Any, name: str) -> str:
    return world.client("ssm").get_parameter(Name=name)["Parameter"]["Value"]


def test_self_managed_groups_follow_the_control_plane_within_their_permissions(make_world, run_playbook, tmp_path):
    world = make_world(both_scenarios())
    before = groups(world)
    settings = {"eks_waves": ["100%"], "eks_preflight_skip": ["kubectl-client"]}

    checked = run_playbook(world, settings, check=True, diff=True)
    assert checked.rc == 0, checked.output[-3000:]
    assert mutating_calls(world) == []
    planned = checked.cluster_report(AL2023)["post_upgrade"]["self_managed_nodes"]
    actions = {g["name"]: g["action"] for g in planned["groups"]}
    assert actions == {"al2023-workers": "update", "custom-workers": "custom_ami"}
    assert groups(world) == before

    start = len(world.state.log.records())
    run = run_playbook(world, settings)
    calls = world.state.log.as_dicts(start)  # the run's, before this test's own reads
    assert run.rc == 0, run.output[-3000:]
    assert run.statuses() == {AL2023: "upgraded", BOTTLEROCKET: "upgraded"}
    after = groups(world)
    al2023_ami = parameter(world, "/aws/service/eks/optimized-ami/1.30/amazon-linux-2023/x86_64/standard/"
                                  "recommended/image_id")
    bottlerocket_ami = parameter(world, "/aws/service/bottlerocket/aws-k8s-1.30/x86_64/latest/image_id")
    assert (after["al2023-workers"]["ami"], after["al2023-workers"]["number"]) == (al2023_ami, 2)
    assert (after["br-workers"]["ami"], after["br-workers"]["number"]) == (bottlerocket_ami, 2)
    for name in ("al2023-workers", "br-workers"):
        assert set(after[name]["instances"]).isdisjoint(before[name]["instances"])
    assert after["custom-workers"] == before["custom-workers"]  # a custom AMI is never replaced
    state = world.summary()
    # The nodes of the refreshed groups run 1.30; the custom group's node stays on 1.29.
    assert {v.rsplit(".", 1)[0] for v in state[BOTTLEROCKET]["kubelets"].values()} == {"v1.30"}
    minors = sorted(v.rsplit(".", 1)[0] for v in state[AL2023]["kubelets"].values())
    assert minors == ["v1.29", "v1.30", "v1.30", "v1.30"]

    report = run.cluster_report(AL2023)["post_upgrade"]["self_managed_nodes"]
    refreshed = {g["name"]: g for g in report["groups"]}["al2023-workers"]
    assert refreshed["instance_refresh"]["status"] == "Successful"
    assert refreshed["instance_refresh"]["failed_instances"] == []
    assert refreshed["drain"]["drained"] is True
    [custom] = report["custom_amis"]
    assert (custom["name"], custom["kubernetes_version"]) == ("custom-workers", "1.30")
    bottlerocket = run.cluster_report(BOTTLEROCKET)["post_upgrade"]["self_managed_nodes"]
    assert bottlerocket["groups"][0]["drain"]["drained"] is False
    assert "terminates nodes without draining" in run.output
    # The step is finished where no group was left behind.
    checkpoints = tmp_path / "checkpoints"
    steps = {name: json.loads((checkpoints / f"{name}.json").read_text())["steps"] for name in (AL2023, BOTTLEROCKET)}
    assert "self_managed_nodes" not in steps[AL2023]
    assert steps[BOTTLEROCKET]["self_managed_nodes"]["status"] == "finished"

    # Permissions: every call within the upgrade policy and the self-managed node step's policy and role.
    allowed = policy_actions("iam-policy.json") | policy_actions("iam-policy-self-managed-nodes.json")
    assert {f"{r['service']}:{r['operation']}" for r in calls if r["service"] in SERVICES} <= allowed
    assert {f"{r['service']}:{r['operation']}" for r in calls if r["mutating"]
            and (r["service"] in ("autoscaling", "ssm") or r["operation"] == "CreateLaunchTemplateVersion")} == {
        "ec2:CreateLaunchTemplateVersion", "autoscaling:UpdateAutoScalingGroup", "autoscaling:StartInstanceRefresh"}
    assert rbac_rules(calls) <= role_rules() | {("", "pods", "list")}

    again_at = len(world.state.log.records())
    again = run_playbook(world, settings)
    assert again.rc == 0, again.output[-3000:]
    assert mutating_calls(world, again_at) == []
    assert groups(world) == after
