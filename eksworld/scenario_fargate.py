"""Deployments and StatefulSets whose pods run on Fargate: the workload (a Deployment's ReplicaSet too), and each
pod on its own Fargate node.

    fargate_workloads: [{name: web, namespace: web, replicas: 2, kubelet: "1.28", profile: fp-default},
                        {name: db, kind: StatefulSet, namespace: web, replicas: 1}]

``kubelet`` (default the cluster's version) is the version of the Fargate nodes its pods started on. A restart
(kubectl rollout restart, lifecycle.eks.eks_fargate_redeploy) moves the pods to new Fargate nodes at the control
plane's version (kube_fargate.py). A bare Fargate pod (no owner) is a `fargate_nodes` entry (scenario.py).
"""
from __future__ import annotations

from typing import Any

from eksworld import catalog
from eksworld.kube_fargate import (
    fargate_node,
    fargate_pod,
    pod_template_hash,
    replica_set,
    replica_set_pod_name,
    stateful_set_pod_labels,
)
from eksworld.scenario_fields import known_keys, minor_text

WORKLOAD_KEYS = ("name", "kind", "namespace", "replicas", "kubelet", "profile")
KINDS = ("Deployment", "StatefulSet")
SEEDED_AT = "2026-11-01T00:00:00Z"


def fargate_workload_settings(cluster: dict[str, Any]) -> list[dict[str, Any]]:
    """The cluster's `fargate_workloads`, validated and with defaults."""
    entries = cluster.get("fargate_workloads") or []
    if not isinstance(entries, list):
        raise ValueError(f"fargate_workloads must be a list, got {entries!r}")
    settings = []
    for entry in entries:
        data = known_keys(entry, WORKLOAD_KEYS, "fargate_workloads: an entry")
        if not data.get("name"):
            raise ValueError("fargate_workloads: every entry needs a name")
        replicas = data.get("replicas", 2)
        if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 1:
            raise ValueError(f"fargate_workloads: {data['name']}: replicas must be a positive integer, "
                             f"got {replicas!r}")
        kind = data.get("kind", "Deployment")
        if kind not in KINDS:
            raise ValueError(f"fargate_workloads: {data['name']}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
        settings.append({"name": str(data["name"]), "kind": kind, "namespace": str(data.get("namespace", "default")),
                         "replicas": replicas, "profile": str(data.get("profile", "fp-default")),
                         "kubelet": minor_text(data.get("kubelet", cluster["version"]),
                                               f"fargate_workloads: {data['name']}: kubelet")})
    return settings


def fargate_workload_objects(cluster: dict[str, Any], node: Any) -> list[dict[str, Any]]:
    """Each workload's Deployment, ReplicaSet, Fargate nodes and pods (in the order a store accepts them);
    ``node(name, kubelet, labels)`` makes a node as kubelet registers it (scenario._node)."""
    objects: list[dict[str, Any]] = []
    node_number = 0
    for workload in fargate_workload_settings(cluster):
        labels = {"app": workload["name"]}
        workload_object = {
            "apiVersion": "apps/v1", "kind": workload["kind"],
            "metadata": {"name": workload["name"], "namespace": workload["namespace"], "labels": labels},
            "spec": {"replicas": workload["replicas"], "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}}}
        objects.append(workload_object)
        if workload["kind"] == "Deployment":
            template_hash = pod_template_hash(workload_object)
            owner = replica_set(workload_object, template_hash, workload["replicas"])
            objects.append(owner)
        else:
            workload_object["spec"]["serviceName"] = workload["name"]
            owner = workload_object
        for index in range(workload["replicas"]):
            node_number += 1
            # Numbered apart from the nodes later rollouts create (fargate-ip-10-0-96-<n>).
            node_name = f"fargate-ip-10-0-95-{node_number}.ec2.internal"
            objects.append(fargate_node(node_name, catalog.git_version(workload["kubelet"]), workload["profile"],
                                        node(node_name, workload["kubelet"], {})))
            if workload["kind"] == "Deployment":
                objects.append(fargate_pod(owner, replica_set_pod_name(owner["metadata"]["name"], index), node_name,
                                           SEEDED_AT, {"pod-template-hash": template_hash}))
            else:
                pod_name = f"{workload['name']}-{index}"
                objects.append(fargate_pod(owner, pod_name, node_name, SEEDED_AT,
                                           stateful_set_pod_labels(owner, pod_name)))
    return objects
