"""EKS add-ons through a plain boto3 client."""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from eksworld import catalog, scenario
from eksworld.aws import AwsEmulator


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def test_seeded_addon_is_described(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    arn = aws.create_addon(aws_cluster, "vpc-cni", "v1.7.5-eksbuild.1", configuration_values='{"env":{}}',
                           service_account_role_arn="arn:aws:iam::123456789012:role/cni")
    assert aws_eks.list_addons(clusterName=aws_cluster)["addons"] == ["vpc-cni"]
    addon = aws_eks.describe_addon(clusterName=aws_cluster, addonName="vpc-cni")["addon"]
    assert addon["addonArn"] == arn and arn.startswith("arn:aws:eks:us-east-1:123456789012:addon/demo/vpc-cni/")
    assert (addon["status"], addon["addonVersion"]) == ("ACTIVE", "v1.7.5-eksbuild.1")
    assert addon["configurationValues"] == '{"env":{}}'
    assert addon["owner"] == "aws" and addon["publisher"] == "eks"


def test_self_managed_addon_is_not_found(aws_eks: Any, aws_cluster: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        aws_eks.describe_addon(clusterName=aws_cluster, addonName="kube-proxy")
    assert error_of(excinfo) == ("ResourceNotFoundException", "No addon: kube-proxy found in cluster: demo")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_create_addon_through_the_api(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    created = aws_eks.create_addon(clusterName=aws_cluster, addonName="coredns")["addon"]
    assert created["status"] == "CREATING"
    assert created["addonVersion"] == catalog.default_addon_version("coredns", "1.29")
    aws.state.clock.advance(aws.state.addon_update_s)
    assert aws_eks.describe_addon(clusterName=aws_cluster, addonName="coredns")["addon"]["status"] == "ACTIVE"
    with pytest.raises(ClientError) as excinfo:
        aws_eks.create_addon(clusterName=aws_cluster, addonName="coredns")
    assert error_of(excinfo) == ("ResourceInUseException", "Addon already exists.")
    with pytest.raises(ClientError) as excinfo:
        aws_eks.create_addon(clusterName=aws_cluster, addonName="kube-proxy", addonVersion="v1.33.5-eksbuild.2")
    assert error_of(excinfo) == ("InvalidParameterException", "Addon version specified is not supported")


def test_update_addon_lifecycle(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    events: list[dict[str, Any]] = []
    aws.state.events.subscribe("addon_version_changed", lambda **payload: events.append(payload))
    aws.create_addon(aws_cluster, "coredns", "v1.11.1-eksbuild.4", configuration_values='{"replicaCount":3}',
                     service_account_role_arn="arn:aws:iam::123456789012:role/dns")
    update = aws_eks.update_addon(
        clusterName=aws_cluster, addonName="coredns", addonVersion="v1.11.4-eksbuild.22", resolveConflicts="PRESERVE"
    )["update"]
    assert update["type"] == "AddonUpdate" and update["status"] == "InProgress"
    assert update["params"] == [
        {"type": "AddonVersion", "value": "v1.11.4-eksbuild.22"}, {"type": "ResolveConflicts", "value": "PRESERVE"}
    ]
    assert aws_eks.describe_addon(clusterName=aws_cluster, addonName="coredns")["addon"]["status"] == "UPDATING"
    with pytest.raises(ClientError) as excinfo:
        aws_eks.describe_update(name=aws_cluster, updateId=update["id"])
    assert error_of(excinfo)[0] == "ResourceNotFoundException"

    aws.state.clock.advance(aws.state.addon_update_s)
    done = aws_eks.describe_update(name=aws_cluster, updateId=update["id"], addonName="coredns")["update"]
    assert done["status"] == "Successful"
    addon = aws_eks.describe_addon(clusterName=aws_cluster, addonName="coredns")["addon"]
    assert (addon["status"], addon["addonVersion"]) == ("ACTIVE", "v1.11.4-eksbuild.22")
    assert addon["configurationValues"] == '{"replicaCount":3}'
    assert addon["serviceAccountRoleArn"] == "arn:aws:iam::123456789012:role/dns"
    assert events == [{"cluster": aws_cluster, "addon": "coredns", "version": "v1.11.4-eksbuild.22"}]
    assert aws_eks.list_updates(name=aws_cluster, addonName="coredns")["updateIds"] == [update["id"]]


def test_injected_addon_update_failure_leaves_the_addon_as_it_was(aws: AwsEmulator, aws_eks: Any,
                                                                   aws_cluster: str) -> None:
    aws.create_addon(aws_cluster, "coredns", "v1.11.1-eksbuild.4")
    aws.state.faults.set(aws_cluster, fail_addon_updates="ConfigurationConflict")
    update = aws_eks.update_addon(clusterName=aws_cluster, addonName="coredns",
                                  addonVersion="v1.11.4-eksbuild.22")["update"]
    aws.state.clock.advance(aws.state.addon_update_s)
    failed = aws_eks.describe_update(name=aws_cluster, updateId=update["id"], addonName="coredns")["update"]
    assert failed["status"] == "Failed"
    assert failed["errors"] == [{"errorCode": "ConfigurationConflict", "errorMessage": (
        "Conflicts found when trying to apply. Will not continue due to resolve conflicts mode."),
        "resourceIds": ["coredns"]}]
    addon = aws_eks.describe_addon(clusterName=aws_cluster, addonName="coredns")["addon"]
    assert (addon["status"], addon["addonVersion"]) == ("ACTIVE", "v1.11.1-eksbuild.4")

    aws.state.faults.clear()  # once cleared, the same update goes through
    retry = aws_eks.update_addon(clusterName=aws_cluster, addonName="coredns",
                                 addonVersion="v1.11.4-eksbuild.22")["update"]
    aws.state.clock.advance(aws.state.addon_update_s)
    assert aws_eks.describe_update(name=aws_cluster, updateId=retry["id"], addonName="coredns")["update"][
        "status"] == "Successful"


def test_update_addon_refusals(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    aws.create_addon(aws_cluster, "kube-proxy", "v1.29.0-eksbuild.1")
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_addon(clusterName=aws_cluster, addonName="kube-proxy", addonVersion="v1.30.14-eksbuild.8")
    assert error_of(excinfo) == ("InvalidParameterException", "Addon version specified is not supported")
    with pytest.raises(ClientError) as excinfo:
        aws_eks.update_addon(clusterName=aws_cluster, addonName="aws-ebs-csi-driver", addonVersion="v1.36.0-eksbuild.1")
    assert error_of(excinfo) == ("ResourceNotFoundException", "No addon: aws-ebs-csi-driver found in cluster: demo")


def test_update_addon_keeps_settings_unless_given(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    aws.create_addon(aws_cluster, "vpc-cni", "v1.18.1-eksbuild.3", configuration_values='{"a":1}')
    aws_eks.update_addon(clusterName=aws_cluster, addonName="vpc-cni", configurationValues='{"a":2}',
                         serviceAccountRoleArn="arn:aws:iam::123456789012:role/cni")
    aws.state.clock.advance(1)
    addon = aws_eks.describe_addon(clusterName=aws_cluster, addonName="vpc-cni")["addon"]
    assert addon["addonVersion"] == "v1.18.1-eksbuild.3" and addon["configurationValues"] == '{"a":2}'
    assert addon["serviceAccountRoleArn"] == "arn:aws:iam::123456789012:role/cni"


def test_update_addon_stores_what_it_is_sent(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    """Settings sent with UpdateAddon are in the update's params and, once it ends, in DescribeAddon."""
    aws.state.addon_update_s = 30.0
    aws.create_addon(aws_cluster, "coredns", "v1.11.1-eksbuild.4", configuration_values='{"replicaCount":2}')
    update = aws_eks.update_addon(
        clusterName=aws_cluster, addonName="coredns", addonVersion="v1.11.4-eksbuild.22",
        configurationValues='{"replicaCount":3}', serviceAccountRoleArn="arn:aws:iam::123456789012:role/dns",
        resolveConflicts="OVERWRITE")["update"]
    assert {p["type"]: p["value"] for p in update["params"]} == {
        "AddonVersion": "v1.11.4-eksbuild.22", "ServiceAccountRoleArn": "arn:aws:iam::123456789012:role/dns",
        "ResolveConflicts": "OVERWRITE", "ConfigurationValues": '{"replicaCount":3}'}
    running = aws_eks.describe_addon(clusterName=aws_cluster, addonName="coredns")["addon"]
    assert running["configurationValues"] == '{"replicaCount":2}' and "serviceAccountRoleArn" not in running
    aws.state.clock.advance(30)
    addon = aws_eks.describe_addon(clusterName=aws_cluster, addonName="coredns")["addon"]
    assert (addon["addonVersion"], addon["configurationValues"], addon["serviceAccountRoleArn"]) == (
        "v1.11.4-eksbuild.22", '{"replicaCount":3}', "arn:aws:iam::123456789012:role/dns")


def test_scenario_addon_settings() -> None:
    assert scenario.addon_settings("coredns", "v1.11.1-eksbuild.4") == ("v1.11.1-eksbuild.4", None, None)
    assert scenario.addon_settings("coredns", None) == (None, None, None)
    assert scenario.addon_settings("coredns", {
        "configuration_values": {"replicaCount": 3, "affinity": None},
        "service_account_role_arn": "arn:aws:iam::123456789012:role/dns"}) == (
        None, '{"affinity": null, "replicaCount": 3}', "arn:aws:iam::123456789012:role/dns")
    assert scenario.addon_settings("vpc-cni", {"version": "default", "configuration_values": "env: {}"}) == (
        "default", "env: {}", None)
    bad = {"clusters": [{"name": "c1", "version": "1.29", "addons": {"coredns": {"replicas": 3}}}]}
    with pytest.raises(ValueError, match=r"^bad.yml: cluster c1: add-on coredns: give a version or a mapping of "
                                         r"version, configuration_values, service_account_role_arn"):
        scenario.normalize(bad, "bad.yml")


def test_describe_addon_versions_filters(aws_eks: Any) -> None:
    everything = aws_eks.describe_addon_versions()["addons"]
    assert {a["addonName"] for a in everything} == set(catalog.addon_names())
    proxy = aws_eks.describe_addon_versions(addonName="kube-proxy", kubernetesVersion="1.30")["addons"]
    assert len(proxy) == 1
    versions = proxy[0]["addonVersions"]
    assert [v["addonVersion"] for v in versions] == ["v1.30.14-eksbuild.8", "v1.30.0-eksbuild.2"]
    assert [c["defaultVersion"] for v in versions for c in v["compatibilities"]] == [False, True]
    assert all(c["clusterVersion"] == "1.30" for v in versions for c in v["compatibilities"])
    cni = aws_eks.describe_addon_versions(addonName="vpc-cni", kubernetesVersion="1.23")["addons"][0]
    assert "v1.7.5-eksbuild.1" in [v["addonVersion"] for v in cni["addonVersions"]]
    storage = aws_eks.describe_addon_versions(types=["storage"], kubernetesVersion="1.31")["addons"]
    assert [a["addonName"] for a in storage] == ["aws-ebs-csi-driver"]
    assert storage[0]["addonVersions"][0]["addonVersion"] == "v1.42.0-eksbuild.1"
    page = aws_eks.describe_addon_versions(maxResults=2)
    assert len(page["addons"]) == 2 and page["nextToken"]
