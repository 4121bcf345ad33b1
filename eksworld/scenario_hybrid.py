"""EKS Hybrid Nodes of a scenario's cluster: `hybrid_nodes` (on-premises machines joined with nodeadm) and
`hybrid_cni` (the Cilium or Calico DaemonSet they run), validated, as Kubernetes objects.

    hybrid_nodes: [{name: mi-0a1b2c3d4e5f60001, kubelet: "1.31", os_image: "Ubuntu 22.04.5 LTS"}]
    hybrid_cni: {name: cilium, version: "1.17.9-0"}      # or {name: calico, version: v3.29.2, namespace: calico-system}

A hybrid node is labelled eks.amazonaws.com/compute-type: hybrid, has no EC2 provider ID and reports its own OS image;
SSM-registered ones are named after their managed instance (mi-...). Cilium runs in kube-system (AWS's Helm
instructions); Calico in kube-system (manifests) or calico-system (its Tigera operator). Both select hybrid nodes.
"""
from __future__ import annotations

from typing import Any

from eksworld.scenario_fields import known_keys, minor_text

HYBRID_NODE_KEYS = ("name", "kubelet", "os_image")
HYBRID_CNI_KEYS = ("name", "version", "namespace")
HYBRID_LABEL = ("eks.amazonaws.com/compute-type", "hybrid")
DEFAULT_OS_IMAGE = "Ubuntu 22.04.5 LTS"
# name -> (image repository, DaemonSet, container, namespaces it may run in, the first the default)
CNI_AGENTS = {
    "cilium": ("public.ecr.aws/eks/cilium/cilium", "cilium", "cilium-agent", ("kube-system",)),
    "calico": ("quay.io/calico/node", "calico-node", "calico-node", ("calico-system", "kube-system")),
}


def hybrid_node_settings(cluster: dict[str, Any]) -> list[dict[str, str]]:
    """The cluster's `hybrid_nodes`, validated: name, kubelet (a minor, default the cluster's) and os_image."""
    nodes = cluster.get("hybrid_nodes") or []
    if not isinstance(nodes, list):
        raise ValueError(f"hybrid_nodes must be a list of nodes, got {nodes!r}")
    settled = []
    for node in nodes:
        node = known_keys(node, HYBRID_NODE_KEYS, "a hybrid_nodes entry")
        if not node.get("name"):
            raise ValueError("every hybrid_nodes entry needs a 'name'")
        kubelet = node.get("kubelet", cluster["version"])
        settled.append({"name": str(node["name"]),
                        "kubelet": minor_text(kubelet, f"hybrid node {node['name']}: kubelet"),
                        "os_image": str(node.get("os_image") or DEFAULT_OS_IMAGE)})
    return settled


def hybrid_cni_settings(cluster: dict[str, Any]) -> dict[str, str] | None:
    """The cluster's `hybrid_cni`, validated: name (cilium or calico), version (its image tag), namespace."""
    data = cluster.get("hybrid_cni")
    if data is None:
        return None
    data = known_keys(data, HYBRID_CNI_KEYS, "hybrid_cni")
    name = data.get("name")
    if name not in CNI_AGENTS:
        raise ValueError(f"hybrid_cni: name must be one of {', '.join(CNI_AGENTS)}, got {name!r}")
    if not data.get("version"):
        raise ValueError("hybrid_cni needs a 'version' (the agent image's tag, such as 1.17.9-0 or v3.29.2)")
    namespaces = CNI_AGENTS[name][3]
    namespace = data.get("namespace", namespaces[0])
    if namespace not in namespaces:
        raise ValueError(f"hybrid_cni: {name} runs in {' or '.join(namespaces)}, not {namespace!r}")
    return {"name": name, "version": str(data["version"]), "namespace": namespace}


def hybrid_node(base: dict[str, Any], os_image: str) -> dict[str, Any]:
    """A Node as nodeadm registers an on-premises machine: `base` (an EC2-shaped node) relabelled, no provider ID."""
    labels = {key: value for key, value in base["metadata"]["labels"].items()
              if not key.startswith(("topology.kubernetes.io/", "node.kubernetes.io/instance-type"))}
    labels[HYBRID_LABEL[0]] = HYBRID_LABEL[1]
    info = dict(base["status"]["nodeInfo"], osImage=os_image, kernelVersion="5.15.0-126-generic")
    # An address of the remote node network (on premises), not of the VPC
    addresses = [dict(a, address="10.200." + a["address"].split(".", 2)[2]) if a["type"] == "InternalIP" else a
                 for a in base["status"]["addresses"] if a["type"] in ("InternalIP", "Hostname")]
    return {**base, "metadata": {**base["metadata"], "labels": labels}, "spec": {},
            "status": {**base["status"], "nodeInfo": info, "addresses": addresses}}


def cni_daemonset(cni: dict[str, str]) -> dict[str, Any]:
    """The CNI's agent DaemonSet, scheduled on hybrid nodes only."""
    repository, name, container, _namespaces = CNI_AGENTS[cni["name"]]
    labels = {"k8s-app": name}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": name, "namespace": cni["namespace"], "labels": labels},
            "spec": {"selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {
                         "nodeSelector": {HYBRID_LABEL[0]: HYBRID_LABEL[1]},
                         "containers": [{"name": container, "image": f"{repository}:{cni['version']}"}]}}}}
