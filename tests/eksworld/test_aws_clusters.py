"""Clusters and control-plane version updates through a plain boto3 client."""
from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from eksworld import catalog
from eksworld.aws import AwsEmulator


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def test_describe_cluster_is_complete(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    cluster = aws_eks.describe_cluster(name=aws_cluster)["cluster"]
    assert cluster["version"] == "1.29"
    assert cluster["status"] == "ACTIVE"
    assert cluster["platformVersion"] == catalog.newest_platform_version("1.29")
    vpc = cluster["resourcesVpcConfig"]
    assert len(vpc["subnetIds"]) == 2 and vpc["vpcId"].startswith("vpc-")
    assert vpc["clusterSecurityGroupId"].startswith("sg-") and vpc["endpointPublicAccess"] is True
    assert cluster["upgradePolicy"] == {"supportType": "EXTENDED"}
    assert cluster["health"] == {"issues": []}
    assert cluster["arn"] == "arn:aws:eks:us-east-1:123456789012:cluster/demo"


def test_seeded_network_and_endpoint_are_used(aws: AwsEmulator, aws_eks: Any) -> None:
    network = aws.create_network("net", subnets=[{"cidr": "10.1.1.0/24", "az": "us-east-1c"}])
    aws.create_cluster(
        "net", version="1.30", subnet_ids=network["subnet_ids"], security_group_ids=["sg-extra"],
        cluster_security_group_id=network["security_group_id"], endpoint="http://127.0.0.1:9/net",
        certificate_authority_data="Q0E=", tags={"team": "web"}, upgrade_policy="STANDARD",
    )
    cluster = aws_eks.describe_cluster(name="net")["cluster"]
    assert cluster["resourcesVpcConfig"]["subnetIds"] == network["subnet_ids"]
    assert cluster["resourcesVpcConfig"]["vpcId"] == network["vpc_id"]
    assert cluster["endpoint"] == "http://127.0.0.1:9/net"
    assert cluster["certificateAuthority"]["data"] == "Q0E="
    assert cluster["tags"] == {"team": "web"}
    assert cluster["upgradePolicy"] == {"supportType": "STANDARD"}
    # sg-extra does not exist in EC2: the cluster reports it, as AWS does.
    assert cluster["health"]["issues"][0]["code"] == "Ec2SecurityGroupNotFound"


def test_list_clusters_and_unknown_cluster(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    aws.create_cluster("other", version="1.30")
    assert aws_eks.list_clusters()["clusters"] == ["demo", "other"]
    assert aws.cluster_names() == ["demo", "other"]
    with pytest.raises(ClientError) as excinfo:
        aws_eks.describe_cluster(name="nope")
    assert error_of(excinfo) == ("ResourceNotFoundException", "No cluster found for name: nope.")


def test_create_cluster_through_the_api_is_completed(aws: AwsEmulator, aws_eks: Any) -> None:
    network = aws.create_network("api")
    aws_eks.create_cluster(
        name="api", roleArn="arn:aws:iam::123456789012:role/eks",
        resourcesVpcConfig={"subnetIds": network["subnet_ids"]},
    )
    cluster = aws_eks.describe_cluster(name="api")["cluster"]
    assert cluster["version"] == catalog.DEFAULT_MINOR
    assert cluster["resourcesVpcConfig"]["vpcId"] == network["vpc_id"]


def test_update_cluster_version_lifecycle(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    events: list[dict[str, Any]] = []
    aws.state.events.subscribe("cluster_version_changed", lambda **payload: events.append(payload))
    update = aws_eks.update_cluster_version(name=aws_cluster, version="1.30")["update"]
    assert re.fullmatch(r"[0-9a-f-]{36}", update["id"])
    assert update["status"] == "InProgress" and update["type"] == "VersionUpdate" and update["errors"] == []
    platform = catalog.newest_platform_version("1.30")
    assert update["params"] == [{"type": "Version", "value": "1.30"}, {"type": "PlatformVersion", "value": platform}]
    assert aws_eks.describe_cluster(name=aws_cluster)["cluster"]["status"] == "UPDATING"
    assert aws_eks.describe_update(name=aws_cluster, updateId=update["id"])["update"]["status"] == "InProgress"
    assert events == []

    aws.state.clock.advance(aws.state.cluster_update_s)
    described = aws_eks.describe_update(name=aws_cluster, updateId=update["id"])["update"]
    assert described["status"] == "Successful" and described["createdAt"] == update["createdAt"]
    cluster = aws_eks.describe_cluster(name=aws_cluster)["cluster"]
    assert (cluster["status"], cluster["version"], cluster["platformVersion"]) == ("ACTIVE", "1.30", platform)
    assert events == [{"cluster": aws_cluster, "version": "1.30", "platform_version": platform}]
    assert aws.cluster_version(aws_cluster) == "1.30"


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("1.31", "Unsupported Kubernetes minor version update from 1.29 to 1.31"),
        ("1.29", "Unsupported Kubernetes minor version update from 1.29 to 1.29"),
        ("1.28", "Unsupported Kubernetes minor version update from 1.29 to 1.28"),
        ("1.99", "unsupported Kubernetes version"),
    ],
)
def test_update_cluster_version_refusals(aws_eks: Any, aws_cluster: str, target: str, message: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_cluster_version(name=aws_cluster, version=target)
    assert error_of(excinfo) == ("InvalidParameterException", message)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_update_cluster_version_unknown_cluster(aws_eks: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_cluster_version(name="ghost", version="1.30")
    assert error_of(excinfo) == ("ResourceNotFoundException", "No cluster found for name: ghost.")


def test_update_already_in_progress(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    running = aws.begin_cluster_update(aws_cluster, "1.30")
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_cluster_version(name=aws_cluster, version="1.30")
    assert error_of(excinfo) == (
        "ResourceInUseException",
        f"Cannot VersionUpdate because cluster demo currently has update {running} in progress",
    )
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert aws_eks.list_updates(name=aws_cluster)["updateIds"] == [running]


def test_another_operator_s_update_is_found_running_however_late_it_is_looked_at(
        aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    """The concurrent_update fault: the update that got in first runs until a DescribeUpdate has shown it running,
    so a slow client still finds it in progress (it finished unseen on a loaded machine before)."""
    aws.state.faults.set(aws_cluster, concurrent_update=True)
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_cluster_version(name=aws_cluster, version="1.30")
    assert error_of(excinfo)[0] == "ResourceInUseException"
    [running] = aws_eks.list_updates(name=aws_cluster)["updateIds"]
    aws.state.clock.advance(10 * aws.state.cluster_update_s)  # long past due
    assert aws_eks.describe_cluster(name=aws_cluster)["cluster"]["status"] == "UPDATING"
    assert aws_eks.describe_update(name=aws_cluster, updateId=running)["update"]["status"] == "InProgress"
    # Shown running once: it finishes as any update does.
    assert aws_eks.describe_update(name=aws_cluster, updateId=running)["update"]["status"] == "Successful"
    assert aws.cluster_version(aws_cluster) == "1.30"


def test_nodegroups_behind_block_the_update(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    aws.create_nodegroup(aws_cluster, "batch", version="1.28")
    aws.create_nodegroup(aws_cluster, "apps", version="1.28")
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_cluster_version(name=aws_cluster, version="1.30")
    assert error_of(excinfo) == (
        "InvalidParameterException",
        "Nodegroups apps, batch must be updated to match cluster version 1.29 before updating cluster version",
    )


def test_client_request_token_is_idempotent(aws_eks: Any, aws_cluster: str) -> None:
    first = aws_eks.update_cluster_version(name=aws_cluster, version="1.30", clientRequestToken="tok-1")["update"]
    again = aws_eks.update_cluster_version(name=aws_cluster, version="1.30", clientRequestToken="tok-1")["update"]
    assert again["id"] == first["id"]
    assert aws_eks.list_updates(name=aws_cluster)["updateIds"] == [first["id"]]
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_cluster_version(name=aws_cluster, version="1.31", clientRequestToken="tok-1")
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_subnet_with_three_free_ips_fails_the_update(aws: AwsEmulator, aws_eks: Any, aws_ec2: Any) -> None:
    network = aws.create_network("tight", subnets=[{"cidr": "10.0.1.0/24"}, {"cidr": "10.0.2.0/24", "free_ips": 3}])
    aws.create_cluster("tight", version="1.29", subnet_ids=network["subnet_ids"],
                       cluster_security_group_id=network["security_group_id"])
    subnets = aws_ec2.describe_subnets(SubnetIds=network["subnet_ids"])["Subnets"]
    assert sorted(s["AvailableIpAddressCount"] for s in subnets) == [3, 251]
    tight_subnet = network["subnet_ids"][1]
    issues = aws_eks.describe_cluster(name="tight")["cluster"]["health"]["issues"]
    assert [(i["code"], i["resourceIds"]) for i in issues] == [("InsufficientFreeAddresses", [tight_subnet])]

    update = aws_eks.update_cluster_version(name="tight", version="1.30")["update"]
    aws.state.clock.advance(1)
    failed = aws_eks.describe_update(name="tight", updateId=update["id"])["update"]
    assert failed["status"] == "Failed"
    assert failed["errors"][0]["errorCode"] == "InsufficientFreeAddresses"
    assert failed["errors"][0]["resourceIds"] == [tight_subnet]
    cluster = aws_eks.describe_cluster(name="tight")["cluster"]
    assert (cluster["status"], cluster["version"]) == ("ACTIVE", "1.29")


def test_deleted_security_group_fails_the_update(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    group = aws_eks.describe_cluster(name=aws_cluster)["cluster"]["resourcesVpcConfig"]["clusterSecurityGroupId"]
    aws.delete_security_group(group)
    update = aws_eks.update_cluster_version(name=aws_cluster, version="1.30")["update"]
    aws.state.clock.advance(1)
    error = aws_eks.describe_update(name=aws_cluster, updateId=update["id"])["update"]["errors"][0]
    assert (error["errorCode"], error["resourceIds"]) == ("SecurityGroupNotFound", [group])


def test_injected_update_failure_is_per_cluster(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    aws.create_cluster("healthy", version="1.29")
    aws.state.faults.set(cluster=aws_cluster, fail_updates="ClusterUnreachable")
    failing = aws_eks.update_cluster_version(name=aws_cluster, version="1.30")["update"]
    fine = aws_eks.update_cluster_version(name="healthy", version="1.30")["update"]
    aws.state.clock.advance(1)
    failed = aws_eks.describe_update(name=aws_cluster, updateId=failing["id"])["update"]
    assert failed["status"] == "Failed"
    assert failed["errors"][0]["errorCode"] == "ClusterUnreachable"
    assert aws_eks.describe_update(name="healthy", updateId=fine["id"])["update"]["status"] == "Successful"
    assert aws.cluster_version(aws_cluster) == "1.29" and aws.cluster_version("healthy") == "1.30"


def test_insight_enforcement(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    aws.add_insight(aws_cluster, "Deprecated APIs removed in Kubernetes v1.30", status="ERROR")
    update = aws_eks.update_cluster_version(name=aws_cluster, version="1.30")["update"]  # enforcement is off
    aws.state.clock.advance(1)
    assert aws_eks.describe_update(name=aws_cluster, updateId=update["id"])["update"]["status"] == "Successful"

    aws_eks.update_nodegroup_version(clusterName=aws_cluster, nodegroupName="general")
    aws.state.clock.advance(1)
    aws.set_insight_enforcement(True)
    aws.add_insight(aws_cluster, "Deprecated APIs removed in Kubernetes v1.31", status="ERROR")
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_cluster_version(name=aws_cluster, version="1.31")
    code, message = error_of(excinfo)
    assert code == "InvalidStateException"
    assert message.startswith("Upgrade readiness issues detected. Call the EKS ListInsights API")
    forced = aws_eks.update_cluster_version(name=aws_cluster, version="1.31", force=True)["update"]
    assert forced["status"] == "InProgress"


def test_describe_update_and_list_updates_pagination(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    ids = []
    for target in ("1.30", "1.31", "1.32"):
        ids.append(aws.begin_cluster_update(aws_cluster, target))
        aws.state.clock.advance(1)
        aws.advance()
    aws_eks.update_nodegroup_version(clusterName=aws_cluster, nodegroupName="general")  # not listed below
    first = aws_eks.list_updates(name=aws_cluster, maxResults=2)
    assert first["updateIds"] == ids[:2] and first["nextToken"]
    rest = aws_eks.list_updates(name=aws_cluster, maxResults=2, nextToken=first["nextToken"])
    assert rest["updateIds"] == ids[2:] and "nextToken" not in rest
    pages = aws_eks.get_paginator("list_updates").paginate(name=aws_cluster, PaginationConfig={"PageSize": 1})
    assert [i for page in pages for i in page["updateIds"]] == ids
    with pytest.raises(ClientError) as excinfo:
        aws_eks.describe_update(name=aws_cluster, updateId="00000000-0000-0000-0000-000000000000")
    assert error_of(excinfo) == (
        "ResourceNotFoundException", "No update found for ID: 00000000-0000-0000-0000-000000000000"
    )


def test_seeding_rejects_a_minor_eks_never_offered(aws: AwsEmulator) -> None:
    with pytest.raises(KeyError):
        aws.create_cluster("ancient", version="1.10")


def test_cluster_summary(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    aws.create_addon(aws_cluster, "kube-proxy", "v1.29.0-eksbuild.1")
    aws.state.faults.set(cluster=aws_cluster, fail_updates="Unknown")
    update_id = aws.begin_cluster_update(aws_cluster, "1.30")
    aws.state.clock.advance(1)
    summary = aws.cluster_summary(aws_cluster)
    assert summary["version"] == "1.29" and summary["status"] == "ACTIVE"
    assert summary["nodegroups"] == {
        "general": {"version": "1.29", "release_version": catalog.ami_release_version("1.29"), "status": "ACTIVE"}
    }
    assert summary["addons"] == {"kube-proxy": "v1.29.0-eksbuild.1"}
    assert summary["updates"] == [{
        "id": update_id, "type": "VersionUpdate", "status": "Failed", "nodegroup": None, "addon": None,
        "params": {"Version": "1.30", "PlatformVersion": catalog.newest_platform_version("1.30")},
        "errors": ["Unknown"],
    }]


def test_advance_looks_only_at_due_work_not_at_every_cluster(aws: AwsEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every request runs advance(): its cost must not grow with the clusters and updates the world holds."""
    from eksworld import aws_control_plane

    for index in range(40):
        aws.create_cluster(f"idle-{index}", version="1.29")
    update_id = aws.begin_cluster_update("idle-7", "1.30")
    looked_at: list[str] = []
    real_extras = aws_control_plane.extras
    monkeypatch.setattr(aws_control_plane, "extras", lambda cluster: looked_at.append(cluster.name)
                        or real_extras(cluster))
    aws.advance()  # nothing due yet
    assert looked_at == []
    aws.state.clock.advance(aws.state.cluster_update_s)
    aws.advance()
    assert looked_at == ["idle-7"]  # the one cluster with due work, not 40
    aws.advance()
    assert looked_at == ["idle-7"]  # finished work is not looked at again
    monkeypatch.undo()
    summary = aws.cluster_summary("idle-7")
    assert summary["version"] == "1.30"
    assert [(u["id"], u["status"]) for u in summary["updates"]] == [(update_id, "Successful")]
