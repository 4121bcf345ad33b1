"""Every read the collection makes, on seeded scenarios, answered as botocore's model says AWS answers.

The shape checker (eksworld.shapecheck) raises on the first response whose body breaks the operation's output
shape or whose error is not one the operation declares; this sweeps scenarios so that what they seed (running
updates, custom AMIs, Fargate, insights, add-on settings, security groups) is checked, not only what the
emulator's unit tests create.
"""
from __future__ import annotations

from typing import Any, Callable

import boto3
import pytest

from eksworld.shapecheck import attach_shape_checker

# The scenarios that seed distinct AWS-side state (the others vary the Kubernetes side or one number): a running
# update, Fargate, custom AMIs and launch templates, Karpenter and Auto Mode, stale insights and add-on settings,
# security groups, GPU node groups, and the demo fleet.
HOUR = 3600.0
SCENARIOS = ["demo", "update-in-progress", "fargate-old", "node-provisioners", "deprecated-apis", "sg-missing-rule",
             "gpu"]


def checked(world: Any, service: str) -> Any:
    client = boto3.client(service, endpoint_url=world.aws_url, region_name=world.region)
    attach_shape_checker(client)
    return client


def sweep_eks(eks: Any, cluster: str) -> int:
    """Read everything the emulator serves about one cluster; returns how many calls were checked."""
    calls = 0

    def call(operation: str, **params: Any) -> Any:
        nonlocal calls
        calls += 1
        return getattr(eks, operation)(**params)

    version = call("describe_cluster", name=cluster)["cluster"]["version"]
    for group in call("list_nodegroups", clusterName=cluster)["nodegroups"]:
        call("describe_nodegroup", clusterName=cluster, nodegroupName=group)
        for update_id in call("list_updates", name=cluster, nodegroupName=group)["updateIds"]:
            call("describe_update", name=cluster, updateId=update_id, nodegroupName=group)
    for profile in call("list_fargate_profiles", clusterName=cluster)["fargateProfileNames"]:
        call("describe_fargate_profile", clusterName=cluster, fargateProfileName=profile)
    for addon in call("list_addons", clusterName=cluster)["addons"]:
        call("describe_addon", clusterName=cluster, addonName=addon)
        for update_id in call("list_updates", name=cluster, addonName=addon)["updateIds"]:
            call("describe_update", name=cluster, updateId=update_id, addonName=addon)
    for update_id in call("list_updates", name=cluster)["updateIds"]:
        call("describe_update", name=cluster, updateId=update_id)
    for insight in call("list_insights", clusterName=cluster)["insights"]:
        call("describe_insight", clusterName=cluster, id=insight["id"])
    call("describe_insights_refresh", clusterName=cluster)
    call("describe_addon_versions", kubernetesVersion=version)
    return calls


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_read_of_a_scenario_fits_the_model(name: str, make_world: Callable[..., Any]) -> None:
    # Nothing finishes during the sweep: a running update ending between ListInsights and DescribeInsight would
    # change the insights (they are per target version) under the test's feet.
    world = make_world(name, cluster_update_s=HOUR, nodegroup_update_s=HOUR, addon_update_s=HOUR)
    eks, ec2 = checked(world, "eks"), checked(world, "ec2")
    clusters = eks.list_clusters()["clusters"]
    assert clusters and sum(sweep_eks(eks, cluster) for cluster in clusters) >= 8 * len(clusters)
    eks.describe_cluster_versions(includeAll=True)
    ec2.describe_subnets()
    ec2.describe_security_groups()
    ec2.describe_launch_templates()
    checked(world, "autoscaling").describe_auto_scaling_groups()
    checked(world, "sts").get_caller_identity()
