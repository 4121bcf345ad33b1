"""The pure logic of self-managed node groups: AMI families from names and SSM parameters, parameter paths per
family and minor, what to do with each Auto Scaling group, PodDisruptionBudgets and drains."""
from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import self_managed as logic
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import parse_target_version

TARGET = parse_target_version("1.30")
EKS = "/aws/service/eks/optimized-ami/1.30/"
AL2023 = EKS + "amazon-linux-2023/"


@pytest.mark.parametrize("family, path", [
    ("AL2023_x86_64_STANDARD", AL2023 + "x86_64/standard/recommended/image_id"),
    ("AL2023_ARM_64_STANDARD", AL2023 + "arm64/standard/recommended/image_id"),
    ("AL2023_x86_64_NVIDIA", AL2023 + "x86_64/nvidia/recommended/image_id"),
    ("AL2023_ARM_64_NVIDIA", AL2023 + "arm64/nvidia/recommended/image_id"),
    ("AL2023_x86_64_NEURON", AL2023 + "x86_64/neuron/recommended/image_id"),
    ("AL2_x86_64", EKS + "amazon-linux-2/recommended/image_id"),
    ("AL2_ARM_64", EKS + "amazon-linux-2-arm64/recommended/image_id"),
    ("AL2_x86_64_GPU", EKS + "amazon-linux-2-gpu/recommended/image_id"),
    ("BOTTLEROCKET_x86_64", "/aws/service/bottlerocket/aws-k8s-1.30/x86_64/latest/image_id"),
    ("BOTTLEROCKET_ARM_64", "/aws/service/bottlerocket/aws-k8s-1.30/arm64/latest/image_id"),
    ("BOTTLEROCKET_x86_64_NVIDIA", "/aws/service/bottlerocket/aws-k8s-1.30-nvidia/x86_64/latest/image_id"),
    ("BOTTLEROCKET_ARM_64_NVIDIA", "/aws/service/bottlerocket/aws-k8s-1.30-nvidia/arm64/latest/image_id"),
    ("WINDOWS_CORE_2019_x86_64",
     "/aws/service/ami-windows-latest/Windows_Server-2019-English-Core-EKS_Optimized-1.30/image_id"),
    ("WINDOWS_FULL_2019_x86_64",
     "/aws/service/ami-windows-latest/Windows_Server-2019-English-Full-EKS_Optimized-1.30/image_id"),
    ("WINDOWS_CORE_2022_x86_64",
     "/aws/service/ami-windows-latest/Windows_Server-2022-English-Core-EKS_Optimized-1.30/image_id"),
    ("WINDOWS_FULL_2022_x86_64",
     "/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-EKS_Optimized-1.30/image_id"),
])
def test_ssm_parameter_of_each_family(family, path):
    assert logic.ssm_parameter(family, "1.30") == path


def test_every_family_has_a_parameter_and_an_unknown_one_is_refused():
    assert set(logic.FAMILIES) == set(logic.SSM_PARAMETERS)
    with pytest.raises(ValueError, match="unknown AMI family 'CUSTOM'"):
        logic.ssm_parameter("CUSTOM", "1.30")


@pytest.mark.parametrize("name, expected", [
    ("amazon-eks-node-al2023-x86_64-standard-1.29-v20240807", ("AL2023_x86_64_STANDARD", "1.29")),
    ("amazon-eks-node-al2023-arm64-standard-1.31-v20250101", ("AL2023_ARM_64_STANDARD", "1.31")),
    ("amazon-eks-node-al2023-x86_64-nvidia-1.30-v20250101", ("AL2023_x86_64_NVIDIA", "1.30")),
    ("amazon-eks-node-al2023-arm64-nvidia-1.32-v20250101", ("AL2023_ARM_64_NVIDIA", "1.32")),
    ("amazon-eks-node-al2023-x86_64-neuron-1.30-v20250101", ("AL2023_x86_64_NEURON", "1.30")),
    ("amazon-eks-node-1.28-v20240213", ("AL2_x86_64", "1.28")),
    ("amazon-eks-arm64-node-1.28-v20240213", ("AL2_ARM_64", "1.28")),
    ("amazon-eks-gpu-node-1.28-v20240213", ("AL2_x86_64_GPU", "1.28")),
    ("bottlerocket-aws-k8s-1.29-x86_64-v1.20.5-a3e8bda1", ("BOTTLEROCKET_x86_64", "1.29")),
    ("bottlerocket-aws-k8s-1.29-aarch64-v1.20.5-a3e8bda1", ("BOTTLEROCKET_ARM_64", "1.29")),
    ("bottlerocket-aws-k8s-1.29-nvidia-x86_64-v1.20.5-a3e8bda1", ("BOTTLEROCKET_x86_64_NVIDIA", "1.29")),
    ("bottlerocket-aws-k8s-1.29-nvidia-aarch64-v1.20.5-a3e8bda1", ("BOTTLEROCKET_ARM_64_NVIDIA", "1.29")),
    ("Windows_Server-2022-English-Core-EKS_Optimized-1.30-2025.01.15", ("WINDOWS_CORE_2022_x86_64", "1.30")),
    ("Windows_Server-2019-English-Full-EKS_Optimized-1.30", ("WINDOWS_FULL_2019_x86_64", "1.30")),
    ("my-golden-al2023-1.29", (None, None)),
    ("amazon-eks-node-al2023-x86_64-standard-1.29", (None, None)),  # no release: not AWS's naming
    ("", (None, None)),
    (None, (None, None)),
])
def test_family_and_minor_from_the_ami_name(name, expected):
    assert logic.family_from_name(name) == expected


@pytest.mark.parametrize("os_image, family", [
    ("Amazon Linux 2023", "AL2023_x86_64_STANDARD"), ("Amazon Linux 2", "AL2_x86_64"),
    ("Bottlerocket OS 1.20.5 (aws-k8s-1.29)", "BOTTLEROCKET_x86_64"),
    ("Windows Server 2022 Datacenter", "WINDOWS_CORE_2022_x86_64"), ("Ubuntu 22.04.5 LTS", None), (None, None)])
def test_family_hint_from_the_os_image(os_image, family):
    assert logic.family_from_os_image(os_image) == family


EKS_NAME = "amazon-eks-node-al2023-x86_64-standard-1.29-v20240807"


def test_an_amazon_owned_ami_with_an_eks_name_is_eks():
    found = logic.identify_ami("ami-1", {"Name": EKS_NAME, "ImageOwnerAlias": "amazon"}, {}, "1.29")
    assert (found["family"], found["minor"], found["published"]) == ("AL2023_x86_64_STANDARD", "1.29", True)


def test_a_copy_with_an_eks_name_is_custom_but_hints_its_family():
    found = logic.identify_ami("ami-1", {"Name": EKS_NAME, "OwnerId": "123456789012"}, {}, "1.29")
    assert (found["family"], found["published"]) == ("AL2023_x86_64_STANDARD", False)


def test_an_ami_ec2_no_longer_lists_is_eks_when_an_ssm_parameter_holds_it():
    published = {"BOTTLEROCKET_x86_64": "ami-9", "AL2023_x86_64_STANDARD": "ami-8"}
    found = logic.identify_ami("ami-9", None, published, "1.29")
    assert (found["family"], found["minor"], found["published"]) == ("BOTTLEROCKET_x86_64", "1.29", True)
    assert "/aws/service/bottlerocket/aws-k8s-1.29/x86_64/latest/image_id" in found["how"]
    assert logic.identify_ami("ami-7", None, published, "1.29")["published"] is False


@pytest.mark.parametrize("named, number", [("$Latest", 5), ("$Default", 2), (None, 2), ("3", 3)])
def test_the_version_a_group_names(named, number):
    assert logic.resolve_version(named, default_number=2, latest_number=5) == number


def test_a_group_without_launch_template_has_none():
    assert logic.group_launch_template({"LaunchConfigurationName": "old"}) is None
    assert logic.group_launch_template({"LaunchTemplate": {"LaunchTemplateId": "lt-1"}}) == {
        "id": "lt-1", "name": None, "version": "$Default"}


def test_outdated_instances_are_those_of_another_version():
    group = {"Instances": [{"InstanceId": "i-b", "LaunchTemplate": {"Version": "1"}},
                           {"InstanceId": "i-a", "LaunchTemplate": {"Version": "2"}},
                           {"InstanceId": "i-c"}]}
    assert logic.outdated_instances(group, 2) == ["i-b", "i-c"]
    assert logic.outdated_instances(group, "1") == ["i-a", "i-c"]


def facts(**changes: Any) -> dict[str, Any]:
    base = {"launch_template": {"id": "lt-1", "name": "workers", "version": "1"}, "version_number": 1,
            "ami": {"image_id": "ami-old", "family": "AL2023_x86_64_STANDARD", "minor": "1.29", "published": True,
                    "how": "name"},
            "target_ami": "ami-new", "outdated": [], "refresh": None, "blockers": []}
    base.update(changes)
    return base


@pytest.mark.parametrize("status", logic.REFRESH_RUNNING)
def test_a_running_refresh_is_resumed_whatever_else(status):
    running = {"InstanceRefreshId": "r-1", "Status": status}
    assert logic.decide(facts(refresh=running, launch_template=None), TARGET)[0] == "resume"


@pytest.mark.parametrize("status", ["Successful", "Failed", "Cancelled", "RollbackSuccessful", "RollbackFailed"])
def test_an_ended_refresh_is_not_resumed(status):
    assert logic.decide(facts(refresh={"Status": status}), TARGET)[0] == "update"


def test_every_refresh_status_is_running_or_ended():
    import botocore.session

    statuses = botocore.session.get_session().get_service_model("autoscaling").shape_for("InstanceRefreshStatus").enum
    assert set(logic.REFRESH_RUNNING) <= set(statuses)
    assert logic.REFRESH_SUCCESSFUL in statuses


def test_decisions():
    assert logic.decide(facts(launch_template=None), TARGET)[0] == "needs_action"
    custom = logic.decide(facts(ami={"image_id": "ami-c", "published": False, "how": "x"}), TARGET)
    assert custom == ("custom_ami", "custom AMI ami-c (x)")
    missing = logic.decide(facts(target_ami=None, ami=dict(facts()["ami"], family="AL2_x86_64")),
                           parse_target_version("1.33"))
    assert missing[0] == "needs_action" and "/aws/service/eks/optimized-ami/1.33/amazon-linux-2/" in missing[1]
    assert logic.decide(facts(), TARGET) == ("update", None)
    on_it = facts(ami=dict(facts()["ami"], image_id="ami-new"))
    assert logic.decide(on_it, TARGET)[0] == "skip"
    # On the AMI, one instance left on the older version: refreshed again, nothing else.
    left = dict(on_it, outdated=["i-1"])
    assert logic.decide(left, TARGET) == ("refresh", "on ami-new, but instance(s) i-1 run an older launch template "
                                                     "version")


def test_pod_disruption_budgets_block_unless_forced():
    blocked = facts(blockers=["default/web"])
    action, reason = logic.decide(blocked, TARGET)
    assert action == "blocked" and "default/web" in reason and "force" in reason
    assert logic.decide(blocked, TARGET, force=True)[0] == "update"
    # Nothing to replace: a blocker changes nothing.
    assert logic.decide(dict(blocked, ami=dict(facts()["ami"], image_id="ami-new")), TARGET)[0] == "skip"


def test_a_group_on_latest_is_not_repinned():
    assert logic.new_group_version("$Latest", 4) is None
    assert logic.new_group_version("$Default", 4) == "4"
    assert logic.new_group_version("3", 4) == "4"


@pytest.mark.parametrize("allowed, blocking", [(0, ["default/web"]), (1, []), (None, [])])
def test_pdb_blockers_both_sides_of_zero(allowed, blocking):
    pdbs = [{"namespace": "default", "name": "web", "selector": {"app": "web"}, "disruptions_allowed": allowed}]
    pods = [{"namespace": "default", "labels": {"app": "web"}, "node": "n1"}]
    assert logic.pdb_blockers(pdbs, pods, ["n1"]) == blocking


def test_pdb_blockers_only_for_pods_on_the_groups_nodes_in_their_namespace():
    pdbs = [{"namespace": "default", "name": "web", "selector": {"app": "web"}, "disruptions_allowed": 0},
            {"namespace": "default", "name": "empty", "selector": {}, "disruptions_allowed": 0}]
    pods = [{"namespace": "default", "labels": {"app": "web"}, "node": "other"},
            {"namespace": "payments", "labels": {"app": "web"}, "node": "n1"},
            {"namespace": "default", "labels": {"app": "api"}, "node": "n1"}]
    assert logic.pdb_blockers(pdbs, pods, ["n1"]) == []


def test_drain_note_says_whether_a_termination_hook_drains():
    hooks = [{"LifecycleHookName": "launch", "LifecycleTransition": "autoscaling:EC2_INSTANCE_LAUNCHING"},
             {"LifecycleHookName": "nth", "LifecycleTransition": logic.TERMINATING_TRANSITION}]
    assert logic.drain_note(hooks)["hooks"] == ["nth"] and logic.drain_note(hooks)["drained"] is True
    undrained = logic.drain_note(hooks[:1])
    assert undrained["drained"] is False and "without draining" in undrained["note"]


def test_build_hint_names_minor_family_and_parameter():
    hint = logic.build_hint(facts(ami={"image_id": "ami-c", "family": None, "published": False},
                                  os_image="Bottlerocket OS 1.20.5"), TARGET)
    assert (hint["kubernetes_version"], hint["family"]) == ("1.30", "BOTTLEROCKET_x86_64")
    assert "/aws/service/bottlerocket/aws-k8s-1.30/x86_64/latest/image_id" in hint["remediation"]
    unknown = logic.build_hint(facts(ami={"image_id": "ami-c", "family": None, "published": False}), TARGET)
    assert unknown["family"] is None and "Build an AMI for Kubernetes 1.30, create" in unknown["remediation"]


def test_cluster_tag():
    assert logic.cluster_tag("prod-eu") == "kubernetes.io/cluster/prod-eu"
