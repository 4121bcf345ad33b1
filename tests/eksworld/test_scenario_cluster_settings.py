"""Cluster settings DescribeCluster reports since 2025 (deletionProtection, controlPlaneScalingConfig): scenario keys,
CreateCluster parameters, and an update that leaves them as they were."""
from __future__ import annotations

from typing import Any, Callable

import boto3
import pytest

from eksworld import scenario
from eksworld.aws import AwsEmulator


def test_defaults_are_what_create_cluster_gives_without_them() -> None:
    data = scenario.normalize({"clusters": [{"name": "a"}, {"name": "b", "deletion_protection": True,
                                                             "control_plane_scaling_tier": "tier-4xl"}]})
    assert [(c["deletion_protection"], c["control_plane_scaling_tier"]) for c in data["clusters"]] == [
        (False, "standard"), (True, "tier-4xl")]


@pytest.mark.parametrize("field, value, message", [
    ("deletion_protection", "yes", "deletion_protection must be true or false, got 'yes'"),
    ("deletion_protection", 1, "deletion_protection must be true or false, got 1"),
    ("control_plane_scaling_tier", "xl", "control_plane_scaling_tier must be one of standard, tier-xl, tier-2xl, "
                                         "tier-4xl, tier-8xl, got 'xl'"),
    ("control_plane_scaling_tier", None, "control_plane_scaling_tier must be one of"),
])
def test_bad_settings_are_refused_naming_the_cluster(field: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=r"^fleet\.yml: cluster odd: ") as excinfo:
        scenario.normalize({"clusters": [{"name": "odd", field: value}]}, "fleet.yml")
    assert message in str(excinfo.value)


def test_seeded_clusters_report_their_settings(make_world: Callable[..., Any]) -> None:
    world = make_world({"clusters": [{"name": "kept", "version": "1.33", "deletion_protection": True,
                                      "control_plane_scaling_tier": "tier-xl"},
                                     {"name": "plain", "version": "1.33"}]})
    eks = boto3.client("eks", endpoint_url=world.aws_url, region_name=world.region)
    described = {name: eks.describe_cluster(name=name)["cluster"] for name in ("kept", "plain")}
    assert {name: (c["deletionProtection"], c["controlPlaneScalingConfig"]) for name, c in described.items()} == {
        "kept": (True, {"tier": "tier-xl"}), "plain": (False, {"tier": "standard"})}
    summary = world.summary()
    assert (summary["kept"]["deletion_protection"], summary["kept"]["control_plane_scaling_tier"]) == (True, "tier-xl")


def test_create_cluster_takes_them_and_an_update_keeps_them(aws: AwsEmulator, aws_eks: Any) -> None:
    network = aws.create_network("api")
    aws_eks.create_cluster(name="api", version="1.29", roleArn="arn:aws:iam::123456789012:role/eks",
                           resourcesVpcConfig={"subnetIds": network["subnet_ids"]}, deletionProtection=True,
                           controlPlaneScalingConfig={"tier": "tier-2xl"})
    aws_eks.update_cluster_version(name="api", version="1.30")
    aws.state.clock.advance(aws.state.cluster_update_s)
    cluster = aws_eks.describe_cluster(name="api")["cluster"]
    assert (cluster["version"], cluster["deletionProtection"], cluster["controlPlaneScalingConfig"]) == (
        "1.30", True, {"tier": "tier-2xl"})
