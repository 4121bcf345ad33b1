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
    assert events == [{"cluster": aws_cluster, "nodegroup": "general", "version": "1.30", "release_version": release}]
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


def test_custom_ami_with_launch_template(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    aws.create_nodegroup(aws_cluster, "custom", ami_type="CUSTOM",
                         launch_template={"name": "custom-lt", "version": "3"})
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_nodegroup_version(clusterName=aws_cluster, nodegroupName="custom", version="1.29")
    assert error_of(excinfo) == (
        "InvalidParameterException", "You cannot specify the field kubernetesVersion when using custom AMIs."
    )
    upgrade_control_plane(aws, aws_cluster, "1.30")
    update = aws_eks.update_nodegroup_version(
        clusterName=aws_cluster, nodegroupName="custom", launchTemplate={"name": "custom-lt", "version": "4"}
    )["update"]
    assert {"type": "LaunchTemplateVersion", "value": "4"} in update["params"]
    aws.state.clock.advance(1)
    group = aws_eks.describe_nodegroup(clusterName=aws_cluster, nodegroupName="custom")["nodegroup"]
    assert group["launchTemplate"]["version"] == "4" and group["version"] == "1.30"
    assert group["releaseVersion"].startswith("ami-")


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
