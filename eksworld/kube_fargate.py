"""Fargate rollouts: what EKS Fargate does when a Deployment or StatefulSet whose pods run on Fargate gets a new
pod template.

On Fargate every pod is its own node (``fargate-ip-...``, label eks.amazonaws.com/compute-type=fargate) whose
kubelet is the control plane's version when the pod starts, and keeps it (step 5 of the upgrade procedure:
"existing Fargate pods aren't changed"). A rollout (``kubectl rollout restart`` included: it only changes the
template's annotations) therefore replaces each Fargate pod by a new pod on a new Fargate node at the control
plane's version; the old pods, their nodes and the old ReplicaSet's replicas go. The store finishes the rollout at
once (kube_store `_reconcile`); this hook only moves the pods, nodes and ReplicaSets along.

The objects follow the controllers' shapes: a ReplicaSet ``<deployment>-<template hash>`` owned by the
Deployment, its pods ``<replicaset>-<suffix>`` owned by it, labelled ``pod-template-hash``; a StatefulSet's pods
``<statefulset>-<ordinal>`` owned by it, labelled ``controller-revision-hash``, keep their names.
"""
from __future__ import annotations

import copy
import hashlib
import json
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from eksworld.kube_store import ClusterStore
    from eksworld.kube_types import JsonObject, ResourceType

COMPUTE_TYPE = "eks.amazonaws.com/compute-type"
FARGATE_PROFILE = "eks.amazonaws.com/fargate-profile"
# New Fargate nodes are numbered in this subnet: fargate-ip-10-0-96-<n>.ec2.internal.
_NODE_NAME = re.compile(r"^fargate-ip-10-0-96-(\d+)\.ec2\.internal$")


def pod_template_hash(deployment: JsonObject) -> str:
    """The pod-template-hash of the Deployment's current template (a stable digest, as the controller's is)."""
    template = json.dumps(deployment.get("spec", {}).get("template", {}), sort_keys=True)
    return hashlib.sha256(template.encode()).hexdigest()[:10]


def _owner(obj: JsonObject) -> JsonObject:
    metadata = obj["metadata"]
    return {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "name": metadata["name"],
            "uid": metadata.get("uid", ""), "controller": True, "blockOwnerDeletion": True}


def _owned_by(obj: JsonObject, kind: str, name: str) -> bool:
    return any(o.get("kind") == kind and o.get("name") == name for o in obj["metadata"].get("ownerReferences") or [])


def replica_set(deployment: JsonObject, template_hash: str, replicas: int) -> JsonObject:
    """The Deployment's ReplicaSet for its template with ``template_hash``, all its replicas ready."""
    metadata = deployment["metadata"]
    template = copy.deepcopy(deployment.get("spec", {}).get("template", {}))
    labels = {**((template.get("metadata") or {}).get("labels") or {}), "pod-template-hash": template_hash}
    template.setdefault("metadata", {})["labels"] = labels
    selector = {**(deployment.get("spec", {}).get("selector", {}).get("matchLabels") or {}),
                "pod-template-hash": template_hash}
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": f"{metadata['name']}-{template_hash}", "namespace": metadata.get("namespace"),
                         "labels": labels, "ownerReferences": [_owner(deployment)]},
            "spec": {"replicas": replicas, "selector": {"matchLabels": selector}, "template": template},
            "status": {"replicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas,
                       "fullyLabeledReplicas": replicas, "observedGeneration": 1}}


def fargate_node(name: str, git_version: str, profile: str, template: JsonObject | None = None) -> JsonObject:
    """A Fargate node running kubelet ``git_version``, shaped after ``template`` (another node) when given."""
    empty: JsonObject = {"apiVersion": "v1", "kind": "Node", "metadata": {}, "spec": {}, "status": {}}
    node: JsonObject = copy.deepcopy(template) if template else empty
    address = _address(name)
    labels = {**(node["metadata"].get("labels") or {}), "kubernetes.io/hostname": name,
              COMPUTE_TYPE: "fargate", FARGATE_PROFILE: profile}
    node["metadata"] = {"name": name, "labels": labels}
    node["spec"] = {**node.get("spec", {}), "providerID": f"aws:///us-east-1a/{name}",
                    "taints": [{"key": COMPUTE_TYPE, "value": "fargate", "effect": "NoSchedule"}]}
    status: JsonObject = node.setdefault("status", {})
    status["nodeInfo"] = {**(status.get("nodeInfo") or {}), "kubeletVersion": git_version,
                          "kubeProxyVersion": git_version}
    status["addresses"] = [{"type": "InternalIP", "address": address}, {"type": "Hostname", "address": name}]
    status.setdefault("conditions", [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                      "message": "kubelet is posting ready status"}])
    return node


def _address(name: str) -> str:
    spelled = re.match(r"fargate-ip-(\d+)-(\d+)-(\d+)-(\d+)\b", name)
    if spelled:
        return ".".join(spelled.groups())
    digest = hashlib.sha1(name.encode()).digest()
    return f"10.0.97.{1 + digest[0] % 254}"


def fargate_pod(owner: JsonObject, name: str, node_name: str, now: str,
                extra_labels: dict[str, str] | None = None) -> JsonObject:
    """A running, ready pod ``name`` of ``owner`` (a ReplicaSet or a StatefulSet) on Fargate node ``node_name``."""
    template = owner["spec"]["template"]
    template_metadata = template.get("metadata") or {}
    containers = template.get("spec", {}).get("containers") or []
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": owner["metadata"].get("namespace"),
                     "labels": {**(template_metadata.get("labels") or {}), **(extra_labels or {})},
                     "annotations": dict(template_metadata.get("annotations") or {}),
                     "ownerReferences": [_owner(owner)]},
        "spec": {**copy.deepcopy(template.get("spec", {})), "nodeName": node_name,
                 "schedulerName": "fargate-scheduler"},
        "status": {"phase": "Running", "startTime": now,
                   "conditions": [{"type": kind, "status": "True", "lastTransitionTime": now}
                                  for kind in ("Initialized", "Ready", "ContainersReady", "PodScheduled")],
                   "containerStatuses": [{"name": c["name"], "image": c.get("image", ""), "imageID": "",
                                          "ready": True, "restartCount": 0, "started": True,
                                          "state": {"running": {"startedAt": now}}} for c in containers]},
    }


def replica_set_pod_name(replica_set_name: str, index: int) -> str:
    return f"{replica_set_name}-{hashlib.sha256(f'{replica_set_name}/{index}'.encode()).hexdigest()[:5]}"


def stateful_set_pod_labels(stateful_set: JsonObject, pod_name: str) -> dict[str, str]:
    """What the StatefulSet controller adds to its pods: the revision they run and their own name."""
    return {"controller-revision-hash": f"{stateful_set['metadata']['name']}-{pod_template_hash(stateful_set)}",
            "statefulset.kubernetes.io/pod-name": pod_name}


class FargateRollouts:
    """The store's workload hook for Deployments and StatefulSets whose pods run on Fargate (module docstring)."""

    def __init__(self, store: ClusterStore) -> None:
        self._store = store

    def __call__(self, resource_type: ResourceType, obj: JsonObject) -> None:
        if resource_type.storage_key == ("apps", "deployments"):
            self._roll_deployment(obj)
        elif resource_type.storage_key == ("apps", "statefulsets"):
            self._roll_stateful_set(obj)

    def _fargate_nodes(self) -> dict[str, JsonObject]:
        return {n["metadata"]["name"]: n for n in self._store.list("v1", "Node", None, {COMPUTE_TYPE: "fargate"})}

    def _roll_deployment(self, obj: JsonObject) -> None:
        store = self._store
        namespace, name = obj["metadata"].get("namespace"), obj["metadata"]["name"]
        template_hash = pod_template_hash(obj)
        old_sets = [rs for rs in store.list("apps/v1", "ReplicaSet", namespace)
                    if _owned_by(rs, "Deployment", name) and rs["metadata"]["name"] != f"{name}-{template_hash}"]
        nodes = self._fargate_nodes()
        moving = [pod for pod in store.list("v1", "Pod", namespace)
                  if pod.get("spec", {}).get("nodeName") in nodes
                  and any(_owned_by(pod, "ReplicaSet", rs["metadata"]["name"]) for rs in old_sets)]
        if not moving:
            return
        current = store.get("apps/v1", "ReplicaSet", namespace, f"{name}-{template_hash}")
        owner = current or store.create(replica_set(obj, template_hash, len(moving)))
        for rs in old_sets:
            store.patch("apps/v1", "ReplicaSet", namespace, rs["metadata"]["name"], {"spec": {"replicas": 0}}, "merge")
            store.patch("apps/v1", "ReplicaSet", namespace, rs["metadata"]["name"],
                        {"status": {"replicas": 0, "readyReplicas": 0, "availableReplicas": 0,
                                    "fullyLabeledReplicas": 0}}, "merge", subresource="status")
        first = _pods_made(store, namespace, owner)
        for index, pod in enumerate(moving):
            new_name = replica_set_pod_name(owner["metadata"]["name"], first + index)
            node_name = self._move(pod, nodes)
            store.create(fargate_pod(owner, new_name, node_name, store._timestamp(),
                                     {"pod-template-hash": template_hash}))

    def _roll_stateful_set(self, obj: JsonObject) -> None:
        """A StatefulSet's pods keep their names (<name>-<ordinal>); each comes back on a new Fargate node."""
        store = self._store
        namespace, name = obj["metadata"].get("namespace"), obj["metadata"]["name"]
        revision = stateful_set_pod_labels(obj, "")["controller-revision-hash"]
        nodes = self._fargate_nodes()
        moving = [pod for pod in store.list("v1", "Pod", namespace)
                  if pod.get("spec", {}).get("nodeName") in nodes and _owned_by(pod, "StatefulSet", name)
                  and (pod["metadata"].get("labels") or {}).get("controller-revision-hash") != revision]
        for pod in moving:
            pod_name = pod["metadata"]["name"]
            node_name = self._move(pod, nodes)
            store.create(fargate_pod(obj, pod_name, node_name, store._timestamp(),
                                     stateful_set_pod_labels(obj, pod_name)))

    def _move(self, pod: JsonObject, nodes: dict[str, JsonObject]) -> str:
        """Delete ``pod`` and its Fargate node; returns the new Fargate node, at the control plane's version, that
        the pod's replacement runs on."""
        store = self._store
        old_node = nodes[pod["spec"]["nodeName"]]
        numbers = [int(m[1]) for m in map(_NODE_NAME.match, self._fargate_nodes()) if m]
        node_name = f"fargate-ip-10-0-96-{max(numbers, default=0) + 1}.ec2.internal"
        profile = (old_node["metadata"].get("labels") or {}).get(FARGATE_PROFILE, "fp-default")
        store.delete("v1", "Pod", pod["metadata"].get("namespace"), pod["metadata"]["name"])
        store.delete("v1", "Node", None, old_node["metadata"]["name"])
        store.create(fargate_node(node_name, store.git_version, profile, old_node))
        return node_name


def _pods_made(store: ClusterStore, namespace: str | None, owner: JsonObject) -> int:
    """How many pods ``owner`` has now: new pod names continue after them (back to an earlier template)."""
    name = owner["metadata"]["name"]
    return sum(1 for pod in store.list("v1", "Pod", namespace) if _owned_by(pod, "ReplicaSet", name))
