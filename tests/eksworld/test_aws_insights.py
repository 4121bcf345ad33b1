"""Upgrade insights and DescribeClusterVersions through a plain boto3 client."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore.exceptions import ClientError
from stopped_clock import StoppedClock

from eksworld import catalog, scenario
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


def test_configuration_and_unknown_insights_are_served_as_botocore_models_them(aws: AwsEmulator, aws_eks: Any,
                                                                              aws_cluster: str) -> None:
    """MISCONFIGURATION insights carry the cluster's own version; every category and status passes the shape check."""
    config_id = aws.add_insight(aws_cluster, "Hybrid nodes: remote pod network", category="MISCONFIGURATION",
                                status="WARNING", recommendation="Add the pod CIDR to remotePodNetworks.")
    unknown_id = aws.add_insight(aws_cluster, "Kubelet version skew", status="UNKNOWN")
    listed = {i["id"]: i for i in aws_eks.list_insights(clusterName=aws_cluster)["insights"]}
    assert (listed[config_id]["category"], listed[config_id]["kubernetesVersion"],
            listed[config_id]["insightStatus"]["status"]) == ("MISCONFIGURATION", "1.29", "WARNING")
    assert listed[config_id]["description"] == (
        "Checks the EKS Hybrid Nodes configuration of the cluster: Hybrid nodes: remote pod network.")
    assert (listed[unknown_id]["category"], listed[unknown_id]["kubernetesVersion"]) == ("UPGRADE_READINESS", "1.30")
    assert len(listed) == len(DEFAULT_INSIGHTS) + 1  # the UNKNOWN one replaced the default kubelet insight
    configuration = aws_eks.list_insights(clusterName=aws_cluster, filter={"categories": ["MISCONFIGURATION"]})
    assert [i["id"] for i in configuration["insights"]] == [config_id]
    unknown = aws_eks.list_insights(clusterName=aws_cluster, filter={"statuses": ["UNKNOWN"]})["insights"]
    assert [i["id"] for i in unknown] == [unknown_id]
    detail = aws_eks.describe_insight(clusterName=aws_cluster, id=config_id)["insight"]
    assert detail["recommendation"] == "Add the pod CIDR to remotePodNetworks."
    assert aws_eks.describe_insight(clusterName=aws_cluster, id=unknown_id)["insight"]["recommendation"] == (
        "Resolve the issues reported before upgrading to Kubernetes v1.30.")


@pytest.mark.parametrize("category, status", [("COST", "ERROR"), ("MISCONFIGURATION", "FAILING")])
def test_an_insight_outside_botocores_enums_is_refused(aws: AwsEmulator, aws_cluster: str, category: str,
                                                       status: str) -> None:
    with pytest.raises(ValueError, match="category must be one of UPGRADE_READINESS, MISCONFIGURATION, "
                                         "ROLLBACK_READINESS and status one of PASSING, WARNING, ERROR, UNKNOWN"):
        aws.add_insight(aws_cluster, "X", category=category, status=status)


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
    """IN_PROGRESS for the emulated duration, then COMPLETED with lastRefreshTime moved to its end."""
    aws.state.insights_refresh_s = 30.0
    before = aws_eks.describe_insights_refresh(clusterName=aws_cluster)  # no on-demand refresh yet
    assert before["status"] == "COMPLETED" and before["endedAt"] == before["startedAt"]
    first_seen = aws_eks.list_insights(clusterName=aws_cluster)["insights"][0]["lastRefreshTime"]
    assert first_seen == before["endedAt"]
    aws.state.clock.advance(3600)

    started = aws_eks.start_insights_refresh(clusterName=aws_cluster)
    assert (started["status"], started["message"]) == ("IN_PROGRESS", "Insights refresh started.")
    running = aws_eks.describe_insights_refresh(clusterName=aws_cluster)
    assert running["status"] == "IN_PROGRESS" and "endedAt" not in running
    assert aws_eks.list_insights(clusterName=aws_cluster)["insights"][0]["lastRefreshTime"] == first_seen
    again = aws_eks.start_insights_refresh(clusterName=aws_cluster)  # one refresh at a time
    assert (again["status"], again["message"]) == ("IN_PROGRESS", "An insights refresh is already in progress.")
    assert aws_eks.describe_insights_refresh(clusterName=aws_cluster)["startedAt"] == running["startedAt"]

    aws.state.clock.advance(30)
    done = aws_eks.describe_insights_refresh(clusterName=aws_cluster)
    assert done["status"] == "COMPLETED"
    assert (done["endedAt"] - done["startedAt"]).total_seconds() == pytest.approx(30, abs=0.01)
    insights = aws_eks.list_insights(clusterName=aws_cluster)["insights"]
    assert {i["lastRefreshTime"] for i in insights} == {done["endedAt"]}
    detail = aws_eks.describe_insight(clusterName=aws_cluster, id=insights[0]["id"])["insight"]
    assert detail["lastRefreshTime"] == done["endedAt"]
    assert [r["operation"] for r in aws.state.log.as_dicts() if r["mutating"]] == ["StartInsightsRefresh"] * 2


def test_insights_refresh_fault_ends_failed(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    aws.state.insights_refresh_s = 30.0
    aws.state.faults.set(aws_cluster, fail_insights_refresh=True)
    last = aws_eks.list_insights(clusterName=aws_cluster)["insights"][0]["lastRefreshTime"]
    aws_eks.start_insights_refresh(clusterName=aws_cluster)
    assert aws_eks.describe_insights_refresh(clusterName=aws_cluster)["status"] == "IN_PROGRESS"
    aws.state.clock.advance(30)
    failed = aws_eks.describe_insights_refresh(clusterName=aws_cluster)
    assert failed["status"] == "FAILED" and failed["message"] == "Insights refresh failed. Try again later."
    assert failed["endedAt"] > failed["startedAt"]
    assert aws_eks.list_insights(clusterName=aws_cluster)["insights"][0]["lastRefreshTime"] == last

    aws.state.faults.clear()  # a new refresh may succeed
    aws_eks.start_insights_refresh(clusterName=aws_cluster)
    aws.state.clock.advance(30)
    assert aws_eks.describe_insights_refresh(clusterName=aws_cluster)["status"] == "COMPLETED"
    assert aws_eks.list_insights(clusterName=aws_cluster)["insights"][0]["lastRefreshTime"] > last


def test_aged_insights_report_an_old_refresh_time(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    aws.age_insights(aws_cluster, 30)
    expected = dt.datetime.fromtimestamp(aws.state.clock.now() - 30 * 3600, tz=dt.timezone.utc)
    times = {i["lastRefreshTime"] for i in aws_eks.list_insights(clusterName=aws_cluster)["insights"]}
    assert len(times) == 1
    assert abs((times.pop() - expected).total_seconds()) < 5


def test_seeded_deprecated_api_insight_names_objects_and_clients(aws: AwsEmulator, aws_eks: Any,
                                                                 aws_cluster: str) -> None:
    details = [{"usage": "/apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas",
                "replacedWith": "/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas",
                "stopServingVersion": "1.29", "startServingReplacementVersion": "1.26",
                "clientStats": [{"userAgent": "flux/v2.1.0", "numberOfRequestsLast30Days": 1240,
                                 "lastRequestTime": "2026-03-01T22:00:00Z"},
                                {"userAgent": "kubectl/v1.27.4", "numberOfRequestsLast30Days": 3}]}]
    insight_id = aws.add_insight(
        aws_cluster, "Deprecated APIs removed in Kubernetes v1.30", status="WARNING", deprecation_details=details,
        resources=["/apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas/batch-jobs"])
    insight = aws_eks.describe_insight(clusterName=aws_cluster, id=insight_id)["insight"]
    assert [r["kubernetesResourceUri"] for r in insight["resources"]] == [
        "/apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas/batch-jobs"]
    assert insight["resources"][0]["insightStatus"]["status"] == "WARNING"
    [detail] = insight["categorySpecificSummary"]["deprecationDetails"]
    assert detail["replacedWith"] == "/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas"
    flux, kubectl = detail["clientStats"]
    assert flux["lastRequestTime"] == dt.datetime(2026, 3, 1, 22, tzinfo=dt.timezone.utc)
    assert flux["numberOfRequestsLast30Days"] == 1240
    assert kubectl["lastRequestTime"] < dt.datetime.now(dt.timezone.utc)  # defaults to an hour ago


def test_seeded_client_stats_need_an_iso_time(aws: AwsEmulator, aws_cluster: str) -> None:
    details = [{"usage": "/apis/batch/v1beta1/cronjobs", "clientStats": [{"lastRequestTime": "yesterday"}]}]
    with pytest.raises(ValueError, match=r"clientStats lastRequestTime must be ISO 8601 .*got 'yesterday'"):
        aws.add_insight(aws_cluster, "Deprecated APIs removed in Kubernetes v1.30", deprecation_details=details)


@pytest.mark.parametrize("age, message", [
    ("a day", "insights_refreshed_hours_ago must be a number of hours"),
    (-1, "insights_refreshed_hours_ago must be a number of hours"),
])
def test_scenario_refuses_a_bad_insight_age(age: Any, message: str) -> None:
    data = {"clusters": [{"name": "c1", "version": "1.29", "insights_refreshed_hours_ago": age}]}
    with pytest.raises(ValueError, match=message) as excinfo:
        scenario.normalize(data, "stale.yml")
    assert str(excinfo.value).startswith("stale.yml: cluster c1: ")


def test_describe_cluster_versions(aws_clock: StoppedClock, aws_eks: Any) -> None:
    aws_clock.set_date("2025-06-01T00:00:00+00:00")  # 1.29 in extended support, 1.25 gone, 1.33 standard
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
