"""The Cluster Autoscaler of a scenario cluster: its Deployment, service account, ClusterRole and binding.

    workloads: {cluster_autoscaler: v1.32.1}
    # optional: the ClusterRole's name (a Helm release names it after itself) and rules beyond the manifest's;
    # false: no ClusterRole nor binding at all
    cluster_autoscaler_rbac: {cluster_role: my-release-aws-cluster-autoscaler,
                              extra_rules: [{apiGroups: [storage.k8s.io], resources: [volumeattachments],
                                             verbs: [watch, list, get]}]}
"""
from __future__ import annotations

from typing import Any

from eksworld.scenario_fields import known_keys

RBAC_KEYS = ("cluster_role", "extra_rules")
_READ = ["watch", "list", "get"]
# The ClusterRole of the AWS example manifest (cloudprovider/aws/examples/cluster-autoscaler-autodiscover.yaml) of
# Cluster Autoscaler 1.23 to 1.32, as an install from it leaves it in a cluster.
MANIFEST_RULES: list[dict[str, Any]] = [
    {"apiGroups": [""], "resources": ["events", "endpoints"], "verbs": ["create", "patch"]},
    {"apiGroups": [""], "resources": ["pods/eviction"], "verbs": ["create"]},
    {"apiGroups": [""], "resources": ["pods/status"], "verbs": ["update"]},
    {"apiGroups": [""], "resources": ["endpoints"], "resourceNames": ["cluster-autoscaler"],
     "verbs": ["get", "update"]},
    {"apiGroups": [""], "resources": ["nodes"], "verbs": ["watch", "list", "get", "update"]},
    {"apiGroups": [""], "resources": ["namespaces", "pods", "services", "replicationcontrollers",
                                      "persistentvolumeclaims", "persistentvolumes"], "verbs": _READ},
    {"apiGroups": ["extensions"], "resources": ["replicasets", "daemonsets"], "verbs": _READ},
    {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"], "verbs": ["watch", "list"]},
    {"apiGroups": ["apps"], "resources": ["statefulsets", "replicasets", "daemonsets"], "verbs": _READ},
    {"apiGroups": ["storage.k8s.io"], "resources": ["storageclasses", "csinodes", "csidrivers", "csistoragecapacities"],
     "verbs": _READ},
    {"apiGroups": ["batch", "extensions"], "resources": ["jobs"], "verbs": ["get", "list", "watch", "patch"]},
    {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["create"]},
    {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "resourceNames": ["cluster-autoscaler"],
     "verbs": ["get", "update"]},
]


def autoscaler_rbac_settings(cluster: dict[str, Any]) -> dict[str, Any] | None:
    """The cluster's `cluster_autoscaler_rbac`, validated and with defaults; None when it is false."""
    data = cluster.get("cluster_autoscaler_rbac", {})
    if data is False:
        return None
    data = known_keys(data or {}, RBAC_KEYS, "cluster_autoscaler_rbac")
    extra = data.get("extra_rules") or []
    if not isinstance(extra, list) or not all(isinstance(r, dict) and r.get("verbs") for r in extra):
        raise ValueError("cluster_autoscaler_rbac: extra_rules must be a list of ClusterRole rules, each with verbs")
    return {"cluster_role": str(data.get("cluster_role", "cluster-autoscaler")), "extra_rules": extra}


def autoscaler_objects(cluster: dict[str, Any], workload: Any) -> list[dict[str, Any]]:
    """The Cluster Autoscaler's objects, ``workload(...)`` making its Deployment (scenario._workload)."""
    version = (cluster.get("workloads") or {}).get("cluster_autoscaler")
    if not version:
        return []
    deployment = workload("Deployment", "cluster-autoscaler", "kube-system", "cluster-autoscaler",
                          f"registry.k8s.io/autoscaling/cluster-autoscaler:{version}", {"app": "cluster-autoscaler"},
                          replicas=1)
    deployment["spec"]["template"]["spec"]["serviceAccountName"] = "cluster-autoscaler"
    objects = [{"apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": {"name": "cluster-autoscaler", "namespace": "kube-system"}}, deployment]
    rbac = autoscaler_rbac_settings(cluster)
    if rbac is None:
        return objects
    role = rbac["cluster_role"]
    return objects + [
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": role},
         "rules": MANIFEST_RULES + rbac["extra_rules"]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": role},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
         "subjects": [{"kind": "ServiceAccount", "name": "cluster-autoscaler", "namespace": "kube-system"}]},
    ]
