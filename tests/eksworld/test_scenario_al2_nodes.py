"""Scenario keys for Amazon Linux 2 nodes: a managed node group's `ami_type`, a self-managed node's (its osImage)."""
from __future__ import annotations

from pathlib import Path

from eksworld import catalog, scenario

SCENARIO = scenario.load(Path(__file__).resolve().parents[1] / "scenarios" / "al2-nodegroup-133.yml")


def os_images(cluster: dict) -> dict[str, str]:
    return {o["metadata"]["name"]: o["status"]["nodeInfo"]["osImage"] for o in scenario.kube_objects(cluster)
            if o["kind"] == "Node"}


def test_self_managed_node_runs_the_ami_type_it_is_given() -> None:
    images = os_images({"name": "c", "version": "1.32", "self_managed_nodes": [
        {"name": "al2", "kubelet": "1.32", "ami_type": "AL2_x86_64"}, {"name": "default", "kubelet": "1.32"}]})
    assert images == {"al2": "Amazon Linux 2", "default": "Amazon Linux 2023"}
    # Below 1.23 there is no AL2023 EKS AMI: a node of such a minor runs Amazon Linux 2 by default.
    assert os_images({"name": "old", "version": "1.22", "self_managed_nodes": [
        {"name": "legacy", "kubelet": "1.22"}]}) == {"legacy": "Amazon Linux 2"}


def test_al2_scenario_nodes_report_their_os_image() -> None:
    [cluster] = SCENARIO["clusters"]
    images = os_images(cluster)
    by_group = {o["metadata"]["labels"].get("eks.amazonaws.com/nodegroup"): images[o["metadata"]["name"]]
                for o in scenario.kube_objects(cluster) if o["kind"] == "Node"}
    assert by_group == {"legacy-al2": "Amazon Linux 2", "general": "Amazon Linux 2023", None: "Amazon Linux 2"}
    assert images["legacy-self-1"] == "Amazon Linux 2"


def test_default_ami_type_is_one_eks_publishes_for_the_minor() -> None:
    """AL2 below 1.23 (no AL2023 EKS AMI there), no AL2 from 1.33 (no AL2 EKS AMI there); GPUs likewise."""
    assert [catalog.default_ami_type(minor) for minor in ("1.22", "1.23", "1.33")] == [
        "AL2_x86_64", "AL2023_x86_64_STANDARD", "AL2023_x86_64_STANDARD"]
    assert [catalog.default_ami_type(minor, gpu=True) for minor in ("1.22", "1.32", "1.33", "1.34")] == [
        "AL2_x86_64_GPU", "AL2_x86_64_GPU", "AL2023_x86_64_NVIDIA", "AL2023_x86_64_NVIDIA"]
    assert os_images({"name": "ml", "version": "1.33", "nodegroups": [
        {"name": "gpu", "version": "1.33", "gpu": True, "desired_size": 1}]}) == {
        "ip-10-0-1-1.ec2.internal": "Amazon Linux 2023"}
