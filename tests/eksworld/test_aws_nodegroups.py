"""Managed node groups and Fargate profiles through a plain boto3 client."""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from eksworld import catalog
from eksworld.aws import AwsEmulator


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def upgrade_control_plane(aws: AwsEmulator, cluster: str, version: str) -> None:
    aws.begin_cluster_update(cluster, version)
    aws.state.clock.advance(aws.state.cluster_update_s)
    aws.advance()


def test_describe_and_list_nodegroups(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    aws.create_nodegroup(aws_cluster, "gpu", ami_type="AL2_x86_64_GPU", instance_types=["p3.2xlarge"],
                         desired_size=1, labels={"gpu": "true"})
    assert aws_eks.list_nodegroups(clusterName=aws_cluster)["nodegroups"] == ["general", "gpu"]
    group = aws_eks.describe_nodegroup(clusterName=aws_cluster, nodegroupName="gpu")["nodegroup"]
    assert (group["version"], group["releaseVersion"]) == ("1.29", catalog.ami_release_version("1.29"))
    assert group["amiType"] == "AL2_x86_64_GPU" and group["instanceTypes"] == ["p3.2xlarge"]
    assert group["scalingConfig"]["desiredSize"] == 1 and group["labels"] == {"gpu": "true"}
    assert group["status"] == "ACTIVE" and "remoteAccess" not in group
    assert aws.nodegroup_versions(aws_cluster) == {"general": "1.29", "gpu": "1.29"}
    with pytest.raises(ClientError) as excinfo:
        aws_eks.describe_nodegroup(clusterName=aws_cluster, nodegroupName="nope")
    assert error_of(excinfo) == ("ResourceNotFoundException", "No node group found for name: nope.")
    with pytest.raises(ClientError) as excinfo:
        aws_eks.list_nodegroups(clusterName="ghost")
    assert error_of(excinfo) == ("ResourceNotFoundException", "No cluster found for name: ghost.")


def test_update_nodegroup_version_lifecycle(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    events: list[dict[str, Any]] = []
    aws.state.events.subscribe("nodegroup_version_changed", lambda **payload: events.append(payload))
    upgrade_control_plane(aws, aws_cluster, "1.30")
    update = aws_eks.update_nodegroup_version(clusterName=aws_cluster, nodegroupName="general")["update"]
    release = catalog.ami_release_version("1.30")
    assert update["status"] == "InProgress" and update["type"] == "VersionUpdate"
    assert update["params"] == [{"type": "Version", "value": "1.30"}, {"type": "ReleaseVersion", "value": release}]
    group = aws_eks.describe_nodegroup(clusterName=aws_cluster, nodegroupName="general")["nodegroup"]
    assert group["status"] == "UPDATING"
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_nodegroup_version(clusterName=aws_cluster, nodegroupName="general")
    assert error_of(excinfo) == (
        "ResourceInUseException", "Nodegroup cannot be updated as it is currently not in Active State"
    )

    aws.state.clock.advance(aws.state.nodegroup_update_s)
    done = aws_eks.describe_update(name=aws_cluster, updateId=update["id"], nodegroupName="general")["update"]
    assert done["status"] == "Successful"
    group = aws_eks.describe_nodegroup(clusterName=aws_cluster, nodegroupName="general")["nodegroup"]
    assert (group["status"], group["version"], group["releaseVersion"]) == ("ACTIVE", "1.30", release)
    assert events == [{"cluster": aws_cluster, "nodegroup": "general", "version": "1.30", "release_version": release,
                       "kubelet_version": "1.30", "labels": {}, "taints": []}]
    assert aws_eks.list_updates(name=aws_cluster, nodegroupName="general")["updateIds"] == [update["id"]]


def test_describe_update_needs_the_nodegroup_name(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    aws.create_nodegroup(aws_cluster, "old", version="1.28")
    update = aws_eks.update_nodegroup_version(clusterName=aws_cluster, nodegroupName="old")["update"]
    with pytest.raises(ClientError) as excinfo:
        aws_eks.describe_update(name=aws_cluster, updateId=update["id"])
    assert error_of(excinfo) == ("ResourceNotFoundException", f"No update found for ID: {update['id']}")
    assert aws_eks.list_updates(name=aws_cluster)["updateIds"] == []


def test_nodegroup_cannot_pass_the_control_plane(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    expected = (
        "InvalidParameterException",
        "Nodegroup Kubernetes version should be equal to Cluster kubernetes version 1.29 or NodeGroup kubernetes"
        " version 1.29",
    )
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_nodegroup_version(clusterName=aws_cluster, nodegroupName="general", version="1.30")
    assert error_of(excinfo) == expected
    aws.begin_cluster_update(aws_cluster, "1.30")
    with pytest.raises(ClientError) as excinfo:  # the control plane is still UPDATING
        aws_eks.update_nodegroup_version(clusterName=aws_cluster, nodegroupName="general")
    assert error_of(excinfo) == expected


def test_release_version_must_match_the_target(aws_eks: Any, aws_cluster: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_nodegroup_version(
            clusterName=aws_cluster, nodegroupName="general", releaseVersion="1.31.3-20250103"
        )
    assert error_of(excinfo) == (
        "InvalidParameterException",
        "Requested release version 1.31.3-20250103 is not valid for kubernetes version 1.29.",
    )


def test_custom_ami_with_launch_template(aws: AwsEmulator, aws_eks: Any, aws_ec2: Any, aws_cluster: str) -> None:
    events: list[dict[str, Any]] = []
    aws.state.events.subscribe("nodegroup_version_changed", lambda **payload: events.append(payload))
    aws.create_nodegroup(aws_cluster, "custom", ami_type="CUSTOM",
                         launch_template={"name": "custom-lt", "version": "3", "versions": ["1.28", "1.29", "1.29"]})
    group = aws_eks.describe_nodegroup(clusterName=aws_cluster, nodegroupName="custom")["nodegroup"]
    template = aws_ec2.describe_launch_templates(LaunchTemplateNames=["custom-lt"])["LaunchTemplates"][0]
    assert group["launchTemplate"] == {"name": "custom-lt", "version": "3", "id": template["LaunchTemplateId"]}
    assert template["LatestVersionNumber"] == 3
    [seeded] = aws_ec2.describe_launch_template_versions(LaunchTemplateName="custom-lt", Versions=["3"])[
        "LaunchTemplateVersions"]
    assert group["releaseVersion"] == seeded["LaunchTemplateData"]["ImageId"]  # a custom AMI's id, as EKS reports it
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_nodegroup_version(clusterName=aws_cluster, nodegroupName="custom", version="1.29")
    assert error_of(excinfo) == (
        "InvalidParameterException", "You cannot specify the field kubernetesVersion when using custom AMIs."
    )
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_nodegroup_version(clusterName=aws_cluster, nodegroupName="custom",
                                         releaseVersion="1.29.15-20251103")
    assert error_of(excinfo) == (
        "InvalidParameterException", "You cannot specify the field releaseVersion when using custom AMIs."
    )
    upgrade_control_plane(aws, aws_cluster, "1.30")
    aws.add_launch_template_version("custom-lt", "1.30")  # version 4: an AMI built for 1.30
    update = aws_eks.update_nodegroup_version(
        clusterName=aws_cluster, nodegroupName="custom", launchTemplate={"name": "custom-lt", "version": "4"}
    )["update"]
    assert {"type": "LaunchTemplateVersion", "value": "4"} in update["params"]
    assert {"type": "LaunchTemplateName", "value": "custom-lt"} in update["params"]
    aws.state.clock.advance(1)
    group = aws_eks.describe_nodegroup(clusterName=aws_cluster, nodegroupName="custom")["nodegroup"]
    assert group["launchTemplate"]["version"] == "4" and group["version"] == "1.30"
    [new] = aws_ec2.describe_launch_template_versions(LaunchTemplateName="custom-lt", Versions=["4"])[
        "LaunchTemplateVersions"]
    assert group["releaseVersion"] == new["LaunchTemplateData"]["ImageId"]
    assert events[-1]["kubelet_version"] == "1.30"  # the nodes run the new AMI's kubelet


def test_custom_ami_keeps_the_kubelet_of_its_ami(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    """A launch template version whose AMI is built for an older minor: EKS takes it, the nodes stay old."""
    events: list[dict[str, Any]] = []
    aws.state.events.subscribe("nodegroup_version_changed", lambda **payload: events.append(payload))
    aws.create_nodegroup(aws_cluster, "custom", ami_type="CUSTOM",
                         launch_template={"name": "old-ami", "versions": ["1.29", "1.29"]})
    upgrade_control_plane(aws, aws_cluster, "1.30")
    aws_eks.update_nodegroup_version(clusterName=aws_cluster, nodegroupName="custom",
                                     launchTemplate={"id": aws_eks.describe_nodegroup(
                                         clusterName=aws_cluster, nodegroupName="custom")["nodegroup"][
                                         "launchTemplate"]["id"], "version": "2"})
    aws.state.clock.advance(1)
    aws.advance()
    assert events[-1]["version"] == "1.30" and events[-1]["kubelet_version"] == "1.29"


@pytest.mark.parametrize("launch_template, message", [
    ({"name": "custom-lt", "version": "9"},
     "Could not find the specified version 9 for the launch template with ID {id}."),
    ({"name": "custom-lt", "version": "0"},
     "Could not find the specified version 0 for the launch template with ID {id}."),
    ({"name": "custom-lt", "version": "$Latest"},
     "Could not find the specified version $Latest for the launch template with ID {id}."),
    ({"name": "custom-lt", "id": "{id}", "version": "1"},
     "Either provide launch template ID or launch template name in the request."),
    ({"version": "1"}, "Either provide launch template ID or launch template name in the request."),
    ({"name": "someone-elses", "version": "1"},
     "Nodegroup custom uses launch template custom-lt: a node group keeps the launch template it was created with."),
])
def test_launch_template_versions_are_checked(aws: AwsEmulator, aws_eks: Any, aws_cluster: str,
                                              launch_template: dict[str, str], message: str) -> None:
    aws.create_nodegroup(aws_cluster, "custom", ami_type="CUSTOM",
                         launch_template={"name": "custom-lt", "versions": ["1.29", "1.29"]})
    template_id = aws_eks.describe_nodegroup(clusterName=aws_cluster, nodegroupName="custom")["nodegroup"][
        "launchTemplate"]["id"]
    spec = {key: value.format(id=template_id) for key, value in launch_template.items()}
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_nodegroup_version(clusterName=aws_cluster, nodegroupName="custom", launchTemplate=spec)
    assert error_of(excinfo) == ("InvalidParameterException", message.format(id=template_id))
    assert aws.cluster_summary(aws_cluster)["updates"] == []


def test_a_launch_template_needs_a_node_group_created_with_one(aws: AwsEmulator, aws_eks: Any,
                                                               aws_cluster: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_nodegroup_version(clusterName=aws_cluster, nodegroupName="general",
                                         launchTemplate={"name": "custom-lt", "version": "1"})
    assert error_of(excinfo) == (
        "InvalidParameterException",
        "Nodegroup general was not created with a launch template; a launch template can't be added to it.")


def test_managed_ami_with_a_launch_template_takes_version_and_template(aws: AwsEmulator, aws_eks: Any,
                                                                       aws_cluster: str) -> None:
    aws.create_nodegroup(aws_cluster, "tuned", launch_template={"name": "tuned-lt", "versions": [None, None]})
    upgrade_control_plane(aws, aws_cluster, "1.30")
    update = aws_eks.update_nodegroup_version(clusterName=aws_cluster, nodegroupName="tuned", version="1.30",
                                              launchTemplate={"name": "tuned-lt", "version": "2"})["update"]
    assert {p["type"]: p["value"] for p in update["params"]} == {
        "Version": "1.30", "ReleaseVersion": catalog.ami_release_version("1.30"),
        "LaunchTemplateName": "tuned-lt", "LaunchTemplateVersion": "2"}
    aws.state.clock.advance(1)
    group = aws_eks.describe_nodegroup(clusterName=aws_cluster, nodegroupName="tuned")["nodegroup"]
    assert (group["version"], group["launchTemplate"]["version"]) == ("1.30", "2")
    assert group["releaseVersion"] == catalog.ami_release_version("1.30")


def test_request_log_names_the_fields_sent_never_their_values(aws: AwsEmulator, aws_eks: Any,
                                                             aws_cluster: str) -> None:
    aws.create_nodegroup(aws_cluster, "custom", ami_type="CUSTOM",
                         launch_template={"name": "custom-lt", "versions": ["1.29", "1.29"]})
    aws_eks.update_nodegroup_version(clusterName=aws_cluster, nodegroupName="custom",
                                     launchTemplate={"name": "custom-lt", "version": "2"})
    [record] = [r for r in aws.state.log.as_dicts() if r["operation"] == "UpdateNodegroupVersion"]
    assert record["fields"] == ["clientRequestToken", "launchTemplate", "launchTemplate.name",
                                "launchTemplate.version"]
    assert "custom-lt" not in str(record)
    reads = [r for r in aws.state.log.as_dicts() if r["operation"] == "DescribeNodegroup"]
    assert all(r["fields"] is None for r in reads)


def test_pdb_blocks_drain_unless_forced(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    aws.create_nodegroup(aws_cluster, "payments", version="1.28", pdb_blocks_drain=True)
    blocked = aws_eks.update_nodegroup_version(clusterName=aws_cluster, nodegroupName="payments")["update"]
    aws.state.clock.advance(1)
    failed = aws_eks.describe_update(name=aws_cluster, updateId=blocked["id"], nodegroupName="payments")["update"]
    assert failed["status"] == "Failed"
    error = failed["errors"][0]
    assert error["errorCode"] == "PodEvictionFailure"
    assert error["errorMessage"] == "Reached max retries while trying to evict pods from nodes in node group payments"
    assert error["resourceIds"] == ["ip-10-0-1-3.ec2.internal"]  # after general's two nodes
    assert aws.nodegroup_versions(aws_cluster)["payments"] == "1.28"

    forced = aws_eks.update_nodegroup_version(clusterName=aws_cluster, nodegroupName="payments", force=True)["update"]
    aws.state.clock.advance(1)
    done = aws_eks.describe_update(name=aws_cluster, updateId=forced["id"], nodegroupName="payments")["update"]
    assert done["status"] == "Successful"
    assert aws.nodegroup_versions(aws_cluster)["payments"] == "1.29"


def test_fargate_profiles(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    aws.create_fargate_profile(aws_cluster, "web", selectors=[{"namespace": "web"}])
    assert aws_eks.list_fargate_profiles(clusterName=aws_cluster)["fargateProfileNames"] == ["web"]
    profile = aws_eks.describe_fargate_profile(clusterName=aws_cluster, fargateProfileName="web")["fargateProfile"]
    assert profile["status"] == "ACTIVE" and profile["selectors"] == [{"namespace": "web"}]
    assert profile["health"] == {"issues": []} and "version" not in profile
    with pytest.raises(ClientError) as excinfo:
        aws_eks.list_fargate_profiles(clusterName="ghost")
    assert error_of(excinfo) == ("ResourceNotFoundException", "No cluster found for name: ghost.")
