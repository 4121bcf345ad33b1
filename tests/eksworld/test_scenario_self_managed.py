"""Scenario key `self_managed_groups`: Auto Scaling groups whose instances are the cluster's nodes, and nodes that
follow an instance refresh (the new instances join with the kubelet of their AMI, pods move with them)."""
from __future__ import annotations

from typing import Any, Iterator

import pytest

from eksworld import catalog, scenario
from eksworld.world import World

SCENARIO = {"clusters": [{"name": "demo", "version": "1.30", "pdbs": [{"name": "web", "max_unavailable": 0}],
                          "self_managed_groups": [
                              {"name": "br", "ami_family": "BOTTLEROCKET_x86_64", "kubelet": "1.29", "size": 2,
                               "pods": ["web"]},
                              {"name": "custom", "ami_family": "CUSTOM", "kubelet": "1.29", "size": 1}]}]}


@pytest.fixture
def world() -> Iterator[World]:
    with World(instance_refresh_s=0.1) as started:
        started.seed(scenario.normalize(SCENARIO))
        yield started


def nodes(world: World) -> dict[str, dict[str, Any]]:
    return {n["spec"]["providerID"].rpartition("/")[2]: n for n in world.kube.cluster("demo").list("v1", "Node")}


def test_each_instance_is_a_node_with_the_kubelet_and_os_of_its_ami(world):
    autoscaling = world.client("autoscaling")
    found = nodes(world)
    for group in autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"]:
        for instance in group["Instances"]:
            node = found[instance["InstanceId"]]
            assert node["status"]["nodeInfo"]["kubeletVersion"] == catalog.git_version("1.29")
            assert node["metadata"]["labels"]["eksworld/self-managed-group"] == group["AutoScalingGroupName"]
    os_images = {n["metadata"]["labels"]["eksworld/self-managed-group"]: n["status"]["nodeInfo"]["osImage"]
                 for n in found.values()}
    assert os_images["br"].startswith("Bottlerocket OS")
    pods = world.kube.cluster("demo").list("v1", "Pod")
    assert sorted(p["spec"]["nodeName"] for p in pods) == sorted(
        n["metadata"]["name"] for n in found.values() if n["metadata"]["labels"]["eksworld/self-managed-group"] == "br")


def test_after_a_refresh_the_new_instances_join_on_their_amis_minor(world):
    autoscaling, ec2, ssm = world.client("autoscaling"), world.client("ec2"), world.client("ssm")
    image = ssm.get_parameter(Name="/aws/service/bottlerocket/aws-k8s-1.30/x86_64/latest/image_id")["Parameter"][
        "Value"]
    [group] = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=["br"])["AutoScalingGroups"]
    template = group["LaunchTemplate"]
    number = ec2.create_launch_template_version(LaunchTemplateId=template["LaunchTemplateId"], SourceVersion="1",
                                                LaunchTemplateData={"ImageId": image})[
        "LaunchTemplateVersion"]["VersionNumber"]
    autoscaling.update_auto_scaling_group(AutoScalingGroupName="br", LaunchTemplate={
        "LaunchTemplateId": template["LaunchTemplateId"], "Version": str(number)})
    old = {i["InstanceId"] for i in group["Instances"]}
    autoscaling.start_instance_refresh(AutoScalingGroupName="br")
    world.state.clock.advance(1)
    world.advance()
    found = nodes(world)
    assert old.isdisjoint(found)
    refreshed = [n for n in found.values() if n["metadata"]["labels"]["eksworld/self-managed-group"] == "br"]
    assert len(refreshed) == 2
    assert {n["status"]["nodeInfo"]["kubeletVersion"] for n in refreshed} == {catalog.git_version("1.30")}
    assert {n["status"]["nodeInfo"]["osImage"][:13] for n in refreshed} == {"Bottlerocket "}
    pods = world.kube.cluster("demo").list("v1", "Pod")
    assert sorted(p["spec"]["nodeName"] for p in pods) == sorted(n["metadata"]["name"] for n in refreshed)
    custom = [n for n in found.values() if n["metadata"]["labels"]["eksworld/self-managed-group"] == "custom"]
    assert [n["status"]["nodeInfo"]["kubeletVersion"] for n in custom] == [catalog.git_version("1.29")]
