"""Scenario keys for EKS Hybrid Nodes: `hybrid_nodes` (label, kubelet, osImage) and `hybrid_cni` (Cilium or Calico)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from eksworld import catalog, scenario
from eksworld.kube_store import ClusterStore

SCENARIO = scenario.load(Path(__file__).resolve().parents[1] / "scenarios" / "hybrid-nodes.yml")


def objects(cluster: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in scenario.kube_objects(cluster) if o["kind"] == kind}


def test_hybrid_nodes_are_labelled_on_premises_machines_with_their_own_os() -> None:
    cluster = SCENARIO["clusters"][0]
    nodes = objects(cluster, "Node")
    hybrid = nodes["mi-0a1b2c3d4e5f60002"]
    assert hybrid["metadata"]["labels"]["eks.amazonaws.com/compute-type"] == "hybrid"
    assert not any(key.startswith("topology.kubernetes.io/") for key in hybrid["metadata"]["labels"])
    assert "providerID" not in hybrid["spec"]  # not an EC2 instance
    info = hybrid["status"]["nodeInfo"]
    assert info["osImage"] == "Red Hat Enterprise Linux 9.4 (Plow)"
    assert info["kubeletVersion"] == catalog.git_version("1.29")
    assert [a["type"] for a in hybrid["status"]["addresses"]] == ["InternalIP", "Hostname"]
    assert hybrid["status"]["addresses"][0]["address"].startswith("10.200.")  # the remote node network
    cloud = nodes["ip-10-0-1-1.ec2.internal"]
    assert "eks.amazonaws.com/compute-type" not in cloud["metadata"]["labels"]


def test_a_hybrid_node_defaults_to_the_cluster_minor_and_an_ubuntu_image() -> None:
    node = objects({"name": "c", "version": "1.31", "hybrid_nodes": [{"name": "mi-1"}]}, "Node")["mi-1"]
    assert node["status"]["nodeInfo"]["kubeletVersion"] == catalog.git_version("1.31")
    assert node["status"]["nodeInfo"]["osImage"] == "Ubuntu 22.04.5 LTS"


@pytest.mark.parametrize("index, key, image", [
    (0, ("kube-system", "cilium"), "public.ecr.aws/eks/cilium/cilium:1.16.7-0"),
    (1, ("calico-system", "calico-node"), "quay.io/calico/node:v3.29.2"),
])
def test_the_cni_daemonset_runs_on_hybrid_nodes(index: int, key: tuple[str, str], image: str) -> None:
    cluster = SCENARIO["clusters"][index]
    found = objects(cluster, "DaemonSet")[key[1]]
    assert found["metadata"]["namespace"] == key[0]
    spec = found["spec"]["template"]["spec"]
    assert spec["containers"][0]["image"] == image
    assert spec["nodeSelector"] == {"eks.amazonaws.com/compute-type": "hybrid"}
    # Seeded into a cluster, its status counts the hybrid nodes only.
    store = ClusterStore(cluster["name"], catalog.git_version(cluster["version"]), "token")
    for obj in scenario.kube_objects(cluster):
        store.create(obj)
    status = store.get("apps/v1", "DaemonSet", key[0], key[1])["status"]
    assert status["desiredNumberScheduled"] == len(cluster["hybrid_nodes"])


@pytest.mark.parametrize("changes, message", [
    ({"hybrid_nodes": [{"name": "mi-1", "kubelet": "1.3"}]}, "hybrid node mi-1: kubelet must be a Kubernetes minor"),
    ({"hybrid_nodes": [{"kubelet": "1.30"}]}, "every hybrid_nodes entry needs a 'name'"),
    ({"hybrid_nodes": [{"name": "mi-1", "os": "Ubuntu"}]}, "unknown key(s) os"),
    ({"hybrid_nodes": {"name": "mi-1"}}, "hybrid_nodes must be a list"),
    ({"hybrid_cni": {"name": "flannel", "version": "v0.26"}}, "name must be one of cilium, calico"),
    ({"hybrid_cni": {"name": "cilium"}}, "hybrid_cni needs a 'version'"),
    ({"hybrid_cni": {"name": "cilium", "version": "1.17.9-0", "namespace": "calico-system"}},
     "cilium runs in kube-system, not 'calico-system'"),
])
def test_bad_hybrid_keys_are_refused_naming_the_cluster_and_the_field(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as error:
        scenario.normalize({"clusters": [{"name": "c", "version": "1.30", **changes}]}, "s.yml")
    assert str(error.value).startswith("s.yml: cluster c: ") and message in str(error.value), str(error.value)
