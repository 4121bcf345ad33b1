"""Upgrade insights and DescribeClusterVersions through a plain boto3 client."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.exceptions import ClientError

from eksworld import catalog
from eksworld.aws import AwsEmulator

DEFAULT_INSIGHTS = [
    "Deprecated APIs removed in Kubernetes v1.30",
    "Kubelet version skew",
    "kube-proxy version skew",
    "EKS add-on version compatibility",
    "Cluster health issues",
]


def test_default_insights_pass_for_the_next_minor(aws_eks: Any, aws_cluster: str) -> None:
    insights = aws_eks.list_insights(clusterName=aws_cluster)["insights"]
    assert [i["name"] for i in insights] == DEFAULT_INSIGHTS
    assert {(i["kubernetesVersion"], i["category"], i["insightStatus"]["status"]) for i in insights} == {
        ("1.30", "UPGRADE_READINESS", "PASSING")
    }


def test_seeded_insight_replaces_the_default_and_is_described(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    details = [{"usage": "/apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas", "replacedWith":
                "/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas", "stopServingVersion": "1.29",
                "startServingReplacementVersion": "1.26", "clientStats": []}]
    insight_id = aws.add_insight(
        aws_cluster, "Deprecated APIs removed in Kubernetes v1.30", status="ERROR",
        reason="Deprecated API usage detected within last 30 days.", deprecation_details=details,
    )
    errors = aws_eks.list_insights(clusterName=aws_cluster, filter={"statuses": ["ERROR"]})["insights"]
    assert [(i["id"], i["insightStatus"]["reason"]) for i in errors] == [
        (insight_id, "Deprecated API usage detected within last 30 days.")
    ]
    assert len(aws_eks.list_insights(clusterName=aws_cluster)["insights"]) == len(DEFAULT_INSIGHTS)
    insight = aws_eks.describe_insight(clusterName=aws_cluster, id=insight_id)["insight"]
    assert insight["categorySpecificSummary"]["deprecationDetails"] == details
    assert insight["recommendation"]
    with pytest.raises(ClientError) as excinfo:
        aws_eks.describe_insight(clusterName=aws_cluster, id="missing")
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_list_insights_filters(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    aws.add_insight(aws_cluster, "Amazon Linux 2 compatibility", kubernetes_version="1.33", status="WARNING",
                    category="MISCONFIGURATION")
    assert len(aws_eks.list_insights(clusterName=aws_cluster, filter={"kubernetesVersions": ["1.33"]})["insights"]) == 1
    misconfigured = aws_eks.list_insights(clusterName=aws_cluster, filter={"categories": ["MISCONFIGURATION"]})
    assert [i["insightStatus"]["status"] for i in misconfigured["insights"]] == ["WARNING"]
    page = aws_eks.list_insights(clusterName=aws_cluster, maxResults=4)
    assert len(page["insights"]) == 4
    rest = aws_eks.list_insights(clusterName=aws_cluster, maxResults=4, nextToken=page["nextToken"])
    assert len(rest["insights"]) == 2 and "nextToken" not in rest


def test_insights_reflect_addons_and_health(aws: AwsEmulator, aws_eks: Any) -> None:
    network = aws.create_network("old", subnets=[{"cidr": "10.0.1.0/24", "free_ips": 2}])
    aws.create_cluster("old", version="1.23", subnet_ids=network["subnet_ids"])
    aws.create_addon("old", "vpc-cni", "v1.7.5-eksbuild.1")
    by_name = {i["name"]: i for i in aws_eks.list_insights(clusterName="old")["insights"]}
    assert by_name["Cluster health issues"]["insightStatus"]["status"] == "ERROR"
    compat = by_name["EKS add-on version compatibility"]
    assert compat["insightStatus"]["status"] == "ERROR"
    detail = aws_eks.describe_insight(clusterName="old", id=compat["id"])["insight"]
    assert detail["categorySpecificSummary"]["addonCompatibilityDetails"] == [
        {"name": "vpc-cni", "compatibleVersions": catalog.compatible_addon_versions("vpc-cni", "1.24")}
    ]


def test_insights_refresh(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    assert aws_eks.describe_insights_refresh(clusterName=aws_cluster)["status"] == "COMPLETED"
    aws.state.clock.advance(3600)
    assert aws_eks.start_insights_refresh(clusterName=aws_cluster)["status"] == "IN_PROGRESS"
    refresh = aws_eks.describe_insights_refresh(clusterName=aws_cluster)
    assert refresh["status"] == "COMPLETED" and refresh["endedAt"] >= refresh["startedAt"]
    insight = aws_eks.list_insights(clusterName=aws_cluster)["insights"][0]
    assert insight["lastRefreshTime"] == refresh["endedAt"]


def test_describe_cluster_versions(aws: AwsEmulator, aws_eks: Any) -> None:
    # Pin the emulated date to 2025-06-01: 1.29 in extended support, 1.25 gone, 1.33 standard.
    target = dt.datetime(2025, 6, 1, tzinfo=dt.timezone.utc).timestamp()
    aws.state.clock.advance(target - aws.state.clock.now())
    versions = aws_eks.describe_cluster_versions()["clusterVersions"]
    listed = [v["clusterVersion"] for v in versions]
    assert listed[0] == "1.33"  # 1.34 is not released yet
    assert "1.25" not in listed and "1.26" in listed
    by_minor = {v["clusterVersion"]: v for v in versions}
    assert by_minor["1.29"]["versionStatus"] == "EXTENDED_SUPPORT" and by_minor["1.29"]["status"] == "extended-support"
    assert by_minor["1.33"]["versionStatus"] == "STANDARD_SUPPORT"
    assert by_minor["1.29"]["kubernetesPatchVersion"] == "1.29.15"
    assert by_minor["1.29"]["endOfStandardSupportDate"].date() == dt.date(2025, 3, 23)

    everything = aws_eks.describe_cluster_versions(includeAll=True)["clusterVersions"]
    assert {v["clusterVersion"] for v in everything} == set(catalog.minors()) - {"1.34"}
    default = aws_eks.describe_cluster_versions(defaultOnly=True)["clusterVersions"]
    assert [(v["clusterVersion"], v["defaultVersion"]) for v in default] == [(catalog.DEFAULT_MINOR, True)]
    chosen = aws_eks.describe_cluster_versions(clusterVersions=["1.29", "1.30"])["clusterVersions"]
    assert [v["clusterVersion"] for v in chosen] == ["1.30", "1.29"]
    extended = aws_eks.describe_cluster_versions(versionStatus="EXTENDED_SUPPORT")["clusterVersions"]
    assert {v["clusterVersion"] for v in extended} == {"1.26", "1.27", "1.28", "1.29"}
