"""Scenario entries for Karpenter and EKS Auto Mode: their settings, validated, and the custom resources they serve."""
from __future__ import annotations

from typing import Any

from eksworld.scenario_fields import known_keys, minor_text

KARPENTER_KEYS = ("version", "api_version", "namespace", "ec2nodeclasses", "nodepools")
KARPENTER_API_VERSIONS = ("v1", "v1beta1")
NODECLASS_KEYS = ("name", "ami_family", "ami_selector_terms", "amis")
NODEPOOL_KEYS = ("name", "node_class", "nodes", "kubelet", "budgets", "do_not_disrupt")
AUTO_MODE_KEYS = ("nodes", "node_pools", "kubelet")
AUTO_MODE_NODE_POOLS = ["general-purpose", "system"]


def karpenter_settings(cluster: dict[str, Any]) -> dict[str, Any] | None:
    """The cluster's `karpenter` entry, validated and with defaults, or None."""
    data = cluster.get("karpenter")
    if data is None or data is False:
        return None
    data = {} if data is True else known_keys(data, KARPENTER_KEYS, "karpenter")
    api_version = data.get("api_version", "v1")
    if api_version not in KARPENTER_API_VERSIONS:
        raise ValueError(f"karpenter: api_version must be one of {', '.join(KARPENTER_API_VERSIONS)}, "
                         f"got {api_version!r}")
    classes = [known_keys(c, NODECLASS_KEYS, "karpenter: an ec2nodeclasses entry")
               for c in data.get("ec2nodeclasses") or []]
    pools = [known_keys(p, NODEPOOL_KEYS, "karpenter: a nodepools entry") for p in data.get("nodepools") or []]
    class_names = [c.get("name") for c in classes]
    if any(not n for n in class_names) or any(not p.get("name") for p in pools):
        raise ValueError("karpenter: every ec2nodeclasses and nodepools entry needs a 'name'")
    for pool in pools:
        if pool.get("node_class", "default") not in class_names:
            raise ValueError(f"karpenter: node pool {pool['name']} names EC2NodeClass "
                             f"{pool.get('node_class', 'default')!r}, which ec2nodeclasses does not define "
                             f"(defined: {', '.join(str(n) for n in class_names) or 'none'})")
        if pool.get("kubelet") is not None:
            minor_text(pool["kubelet"], f"karpenter: node pool {pool['name']}: kubelet")
    return {"version": str(data.get("version", "1.1.1")), "api_version": api_version, "ec2nodeclasses": classes,
            "nodepools": pools, "namespace": str(data.get("namespace", "kube-system"))}


def auto_mode_settings(cluster: dict[str, Any]) -> dict[str, Any] | None:
    """The cluster's `auto_mode` entry (true or a mapping), validated and with defaults, or None."""
    data = cluster.get("auto_mode")
    if data is None or data is False:
        return None
    data = {} if data is True else known_keys(data, AUTO_MODE_KEYS, "auto_mode")
    pools = data.get("node_pools", AUTO_MODE_NODE_POOLS)
    if not isinstance(pools, list) or not all(isinstance(p, str) and p for p in pools):
        raise ValueError(f"auto_mode: node_pools must be a list of NodePool names, got {pools!r}")
    nodes = data.get("nodes", 2)
    if isinstance(nodes, bool) or not isinstance(nodes, int) or nodes < 0:
        raise ValueError(f"auto_mode: nodes must be a number of nodes (0 or more), got {nodes!r}")
    kubelet = data.get("kubelet")
    return {"node_pools": list(pools), "nodes": nodes,
            "kubelet": minor_text(kubelet, "auto_mode: kubelet") if kubelet is not None else cluster["version"]}


def custom_resource_types(cluster: dict[str, Any]) -> list[dict[str, Any]]:
    """The custom resources the cluster serves (as if their CRDs were installed), for register_resource."""
    karpenter, auto = karpenter_settings(cluster), auto_mode_settings(cluster)
    types = []
    if karpenter or auto:
        version = karpenter["api_version"] if karpenter else "v1"
        types.append({"group": "karpenter.sh", "version": version, "kind": "NodePool", "plural": "nodepools",
                      "namespaced": False})
        types.append({"group": "karpenter.sh", "version": version, "kind": "NodeClaim", "plural": "nodeclaims",
                      "namespaced": False})
    if karpenter:
        types.append({"group": "karpenter.k8s.aws", "version": karpenter["api_version"], "kind": "EC2NodeClass",
                      "plural": "ec2nodeclasses", "namespaced": False})
    if auto:
        types.append({"group": "eks.amazonaws.com", "version": "v1", "kind": "NodeClass", "plural": "nodeclasses",
                      "namespaced": False})
    return types
