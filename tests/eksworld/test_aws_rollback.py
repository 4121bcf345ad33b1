"""Control-plane version rollback (UpdateClusterVersion to N-1) and ROLLBACK_READINESS insights."""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from eksworld import catalog
from eksworld.aws import AwsEmulator
from eksworld.aws_cluster_updates import MSG_ROLLBACK_BLOCK, MSG_ROLLBACK_TIMEOUT
from eksworld.aws_records import ROLLBACK_WINDOW_S

DOWNGRADE = ("InvalidParameterException", "Unsupported Kubernetes minor version update from 1.30 to 1.29")
DAY = 24 * 3600.0


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def finish(aws: AwsEmulator, eks: Any, cluster: str, update: dict[str, Any]) -> dict[str, Any]:
    aws.state.clock.advance(aws.state.cluster_update_s)
    return eks.describe_update(name=cluster, updateId=update["id"])["update"]


def upgrade(aws: AwsEmulator, eks: Any, cluster: str, version: str = "1.30") -> dict[str, Any]:
    update = eks.update_cluster_version(name=cluster, version=version)["update"]
    assert finish(aws, eks, cluster, update)["status"] == "Successful"
    return update


def rollback_insights(eks: Any, cluster: str) -> dict[str, tuple[str, str]]:
    found = eks.list_insights(clusterName=cluster, filter={"categories": ["ROLLBACK_READINESS"]})["insights"]
    return {i["name"]: (i["kubernetesVersion"], i["insightStatus"]["status"]) for i in found}


def test_rollback_after_an_upgrade(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    events: list[dict[str, Any]] = []
    upgrade(aws, aws_eks, aws_cluster)
    aws.state.events.subscribe("cluster_version_changed", lambda **payload: events.append(payload))
    update = aws_eks.update_cluster_version(name=aws_cluster, version="1.29")["update"]
    platform = catalog.newest_platform_version("1.29")
    assert (update["type"], update["status"]) == ("VersionRollback", "InProgress")
    assert update["params"] == [{"type": "Version", "value": "1.29"}, {"type": "PlatformVersion", "value": platform}]
    assert aws_eks.describe_cluster(name=aws_cluster)["cluster"]["status"] == "UPDATING"

    assert finish(aws, aws_eks, aws_cluster, update)["status"] == "Successful"
    cluster = aws_eks.describe_cluster(name=aws_cluster)["cluster"]
    assert (cluster["status"], cluster["version"], cluster["platformVersion"]) == ("ACTIVE", "1.29", platform)
    assert events == [{"cluster": aws_cluster, "version": "1.29", "platform_version": platform}]
    # Once only, one minor: a second rollback is a plain downgrade; upgrading again opens a new window.
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_cluster_version(name=aws_cluster, version="1.28")
    assert error_of(excinfo) == ("InvalidParameterException",
                                 "Unsupported Kubernetes minor version update from 1.29 to 1.28")
    assert rollback_insights(aws_eks, aws_cluster) == {}
    upgrade(aws, aws_eks, aws_cluster)
    assert aws.eks.rollback_target(aws.eks.cluster(aws_cluster)) == "1.29"


def test_rollback_window_closes_after_seven_days(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    upgrade(aws, aws_eks, aws_cluster)
    aws.state.clock.advance(ROLLBACK_WINDOW_S - DAY)
    assert aws.eks.rollback_target(aws.eks.cluster(aws_cluster)) == "1.29"
    aws.state.clock.advance(2 * DAY)
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_cluster_version(name=aws_cluster, version="1.29")
    assert error_of(excinfo) == DOWNGRADE
    assert rollback_insights(aws_eks, aws_cluster) == {}


def test_cluster_created_at_its_version_cannot_roll_back(aws: AwsEmulator, aws_eks: Any) -> None:
    aws.create_cluster("fresh", version="1.30")
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_cluster_version(name="fresh", version="1.29")
    assert error_of(excinfo) == DOWNGRADE
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_rollback_refused_while_another_update_runs(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    upgrade(aws, aws_eks, aws_cluster)
    running = aws.begin_cluster_update(aws_cluster, "1.30")  # a concurrent change: the cluster is UPDATING
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_cluster_version(name=aws_cluster, version="1.29")
    assert error_of(excinfo) == (
        "ResourceInUseException",
        f"Cannot VersionUpdate because cluster demo currently has update {running} in progress",
    )


def test_rollback_readiness_insights_exist_only_in_the_window(aws: AwsEmulator, aws_eks: Any,
                                                              aws_cluster: str) -> None:
    assert rollback_insights(aws_eks, aws_cluster) == {}
    upgrade(aws, aws_eks, aws_cluster)
    insights = rollback_insights(aws_eks, aws_cluster)
    assert sorted(insights) == ["API compatibility", "Cluster health issues", "EKS add-on version compatibility",
                                "Kubelet version skew", "kube-proxy version skew"]
    assert set(insights.values()) == {("1.29", "PASSING")}
    [insight_id] = [i["id"] for i in aws_eks.list_insights(
        clusterName=aws_cluster, filter={"categories": ["ROLLBACK_READINESS"]})["insights"]
        if i["name"] == "Kubelet version skew"]
    detail = aws_eks.describe_insight(clusterName=aws_cluster, id=insight_id)["insight"]
    assert detail["category"] == "ROLLBACK_READINESS" and "v1.29" in detail["recommendation"]
    # Upgrade insights still look ahead, to the next minor.
    upgrade_versions = {i["kubernetesVersion"] for i in aws_eks.list_insights(
        clusterName=aws_cluster, filter={"categories": ["UPGRADE_READINESS"]})["insights"]}
    assert upgrade_versions == {"1.31"}


def test_node_groups_ahead_block_the_rollback_unless_forced(aws: AwsEmulator, aws_eks: Any,
                                                            aws_cluster: str) -> None:
    upgrade(aws, aws_eks, aws_cluster)
    aws_eks.update_nodegroup_version(clusterName=aws_cluster, nodegroupName="general")
    aws.state.clock.advance(aws.state.nodegroup_update_s)
    assert rollback_insights(aws_eks, aws_cluster)["Kubelet version skew"] == ("1.29", "ERROR")
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_cluster_version(name=aws_cluster, version="1.29")
    assert error_of(excinfo) == ("InvalidStateException", MSG_ROLLBACK_BLOCK)
    forced = aws_eks.update_cluster_version(name=aws_cluster, version="1.29", force=True)["update"]
    assert forced["type"] == "VersionRollback"
    # EKS does not roll node groups back.
    assert finish(aws, aws_eks, aws_cluster, forced)["status"] == "Successful"
    assert aws.nodegroup_versions(aws_cluster) == {"general": "1.30"}


def test_seeded_rollback_readiness_error_blocks_unless_forced(aws: AwsEmulator, aws_eks: Any,
                                                              aws_cluster: str) -> None:
    aws.add_insight(aws_cluster, "API compatibility", category="ROLLBACK_READINESS", kubernetes_version="1.29",
                    status="ERROR", reason="CustomResourceDefinition field removed in v1.29 is in use.")
    # An upgrade is not a rollback: ROLLBACK_READINESS errors do not stop it.
    upgrade(aws, aws_eks, aws_cluster)
    assert rollback_insights(aws_eks, aws_cluster)["API compatibility"] == ("1.29", "ERROR")
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_cluster_version(name=aws_cluster, version="1.29")
    assert error_of(excinfo) == ("InvalidStateException", MSG_ROLLBACK_BLOCK)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    forced = aws_eks.update_cluster_version(name=aws_cluster, version="1.29", force=True)["update"]
    assert (forced["type"], forced["status"]) == ("VersionRollback", "InProgress")


@pytest.mark.parametrize("minutes", [60, 20000])
def test_rollback_config_timeout_out_of_range(aws: AwsEmulator, aws_eks: Any, aws_cluster: str,
                                              minutes: int) -> None:
    upgrade(aws, aws_eks, aws_cluster)
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_cluster_version(name=aws_cluster, version="1.29", rollbackConfig={"timeoutMinutes": minutes})
    assert error_of(excinfo) == ("InvalidParameterException", MSG_ROLLBACK_TIMEOUT)


def test_rollback_config_and_idempotency_token(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    upgrade(aws, aws_eks, aws_cluster)
    first = aws_eks.update_cluster_version(name=aws_cluster, version="1.29", clientRequestToken="rb-1",
                                           rollbackConfig={"timeoutMinutes": 720})["update"]
    again = aws_eks.update_cluster_version(name=aws_cluster, version="1.29", clientRequestToken="rb-1",
                                           rollbackConfig={"timeoutMinutes": 720})["update"]
    assert again["id"] == first["id"] and first["type"] == "VersionRollback"


def test_failed_rollback_keeps_the_version_and_the_window(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    upgrade(aws, aws_eks, aws_cluster)
    aws.state.faults.set(cluster=aws_cluster, fail_updates="ClusterUnreachable")
    failed = aws_eks.update_cluster_version(name=aws_cluster, version="1.29")["update"]
    described = finish(aws, aws_eks, aws_cluster, failed)
    assert (described["type"], described["status"]) == ("VersionRollback", "Failed")
    assert described["errors"][0]["errorCode"] == "ClusterUnreachable"
    assert aws.cluster_version(aws_cluster) == "1.30"
    aws.state.faults.clear()
    retried = aws_eks.update_cluster_version(name=aws_cluster, version="1.29")["update"]
    assert finish(aws, aws_eks, aws_cluster, retried)["status"] == "Successful"
    assert aws.cluster_summary(aws_cluster)["updates"][-1]["type"] == "VersionRollback"
