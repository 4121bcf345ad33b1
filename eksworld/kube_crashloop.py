"""Crash-looping rollouts: what the workload controllers and kubelets report when a new image never starts.

The store finishes every rollout at once (kube_store `_reconcile`). With the `crash_loop_image` fault, a
Deployment or DaemonSet whose template runs that image instead stops where a default RollingUpdate stops
on a real cluster: the new pods exist but crash-loop (CrashLoopBackOff), the old ones keep serving.

- Deployment (maxSurge 25% rounded up, maxUnavailable 25% rounded down, or the spec's): the new ReplicaSet
  has surge + maxUnavailable pods, none available; the old one keeps replicas - maxUnavailable. With one
  replica: replicas 2, updatedReplicas 1, availableReplicas 1, unavailableReplicas 1, so a check of
  `updatedReplicas >= spec.replicas` alone calls it done.
- DaemonSet (maxUnavailable 1, or the spec's): that many nodes run the new, crashing pod.
"""
from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from eksworld.kube_store import ClusterStore
    from eksworld.kube_types import JsonObject, ResourceType

WORKLOAD_KINDS = {("apps", "deployments"): "Deployment", ("apps", "daemonsets"): "DaemonSet"}
RESTARTS = 5


def image_matches(image: str, pattern: str) -> bool:
    """`pattern` names the image whole or by its ending at a path boundary ("cluster-autoscaler:v1.30.2")."""
    return image == pattern or image.endswith("/" + pattern)


def _scaled(value: Any, total: int, default: str, round_up: bool) -> int:
    """An IntOrString of a rolling update (2 or "25%") against `total`, rounded as the controllers do."""
    value = default if value is None else value
    if isinstance(value, str) and value.endswith("%"):
        share = total * int(value[:-1]) / 100
        return math.ceil(share) if round_up else math.floor(share)
    return int(value)


class CrashLoops:
    """The store's workload hook: makes rollouts to a crash-looping image stop, with their pods."""

    def __init__(self, store: ClusterStore, crashing_image: Callable[[], str | None]) -> None:
        self._store = store
        self._crashing_image = crashing_image

    def __call__(self, resource_type: ResourceType, obj: JsonObject) -> None:
        kind = WORKLOAD_KINDS.get(resource_type.storage_key)
        if kind is None:
            return
        pattern = self._crashing_image()
        containers = obj.get("spec", {}).get("template", {}).get("spec", {}).get("containers") or []
        crashing = {c["name"] for c in containers if pattern and image_matches(c.get("image", ""), pattern)}
        self._delete_pods(kind, obj)
        if not crashing:
            return
        if kind == "Deployment":
            status, count = self._deployment_status(obj)
        else:
            status, count = self._daemonset_status(obj)
        obj["status"] = status
        for index in range(count):
            self._store.create(self._pod(kind, obj, index, crashing))

    # ------------------------------------------------------------------ status

    def _deployment_status(self, obj: JsonObject) -> tuple[JsonObject, int]:
        spec = obj.get("spec", {})
        replicas = int(spec.get("replicas", 1))
        rolling = (spec.get("strategy") or {}).get("rollingUpdate") or {}
        surge = _scaled(rolling.get("maxSurge"), replicas, "25%", round_up=True)
        unavailable = _scaled(rolling.get("maxUnavailable"), replicas, "25%", round_up=False)
        new = min(replicas, max(surge + unavailable, 1))
        old = replicas - unavailable
        generation = obj["metadata"].get("generation", 1)
        name = f"{obj['metadata']['name']}-{self._template_hash(obj)}"
        now = self._store._timestamp()
        return {
            "observedGeneration": generation, "replicas": old + new, "updatedReplicas": new,
            "readyReplicas": old, "availableReplicas": old, "unavailableReplicas": new,
            "conditions": [
                {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                 "message": "Deployment has minimum availability.", "lastUpdateTime": now,
                 "lastTransitionTime": now},
                {"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated",
                 "message": f'ReplicaSet "{name}" is progressing.', "lastUpdateTime": now,
                 "lastTransitionTime": now},
            ],
        }, new

    def _daemonset_status(self, obj: JsonObject) -> tuple[JsonObject, int]:
        done = obj.get("status") or {}
        desired = int(done.get("desiredNumberScheduled", 0))
        rolling = ((obj.get("spec", {}).get("updateStrategy") or {}).get("rollingUpdate") or {})
        updated = min(desired, max(_scaled(rolling.get("maxUnavailable"), desired, "1", round_up=True), 1))
        return {
            "observedGeneration": obj["metadata"].get("generation", 1),
            "desiredNumberScheduled": desired, "currentNumberScheduled": desired,
            "updatedNumberScheduled": updated, "numberReady": desired - updated,
            "numberAvailable": desired - updated, "numberUnavailable": updated, "numberMisscheduled": 0,
        }, updated

    # ------------------------------------------------------------------ pods

    @staticmethod
    def _template_hash(obj: JsonObject) -> str:
        template = json.dumps(obj.get("spec", {}).get("template", {}), sort_keys=True)
        return hashlib.sha256(template.encode()).hexdigest()[:10]

    @staticmethod
    def _owner(kind: str, obj: JsonObject, template_hash: str) -> JsonObject:
        name = obj["metadata"]["name"]
        if kind == "Deployment":
            return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": f"{name}-{template_hash}",
                    "uid": hashlib.sha256(f"{obj['metadata'].get('uid')}/{template_hash}".encode()).hexdigest()[:32],
                    "controller": True, "blockOwnerDeletion": True}
        return {"apiVersion": "apps/v1", "kind": "DaemonSet", "name": name, "uid": obj["metadata"].get("uid", ""),
                "controller": True, "blockOwnerDeletion": True}

    def _pod(self, kind: str, obj: JsonObject, index: int, crashing: set[str]) -> JsonObject:
        metadata = obj["metadata"]
        template = obj.get("spec", {}).get("template", {})
        template_hash = self._template_hash(obj)
        suffix = hashlib.sha256(f"{template_hash}/{index}".encode()).hexdigest()[:5]
        name = (f"{metadata['name']}-{template_hash}-{suffix}" if kind == "Deployment"
                else f"{metadata['name']}-{suffix}")
        labels = dict((template.get("metadata") or {}).get("labels") or {})
        labels["pod-template-hash" if kind == "Deployment" else "controller-revision-hash"] = template_hash
        containers = template.get("spec", {}).get("containers") or []
        now = self._store._timestamp()
        statuses = []
        for container in containers:
            status: JsonObject = {"name": container["name"], "image": container.get("image", ""), "imageID": "",
                                  "ready": container["name"] not in crashing}
            if container["name"] in crashing:
                status.update(restartCount=RESTARTS, started=False, state={"waiting": {
                    "reason": "CrashLoopBackOff",
                    "message": f"back-off 5m0s restarting failed container={container['name']} pod={name}_"
                               f"{metadata.get('namespace')}({suffix})"}},
                    lastState={"terminated": {"exitCode": 1, "reason": "Error", "startedAt": now,
                                              "finishedAt": now}})
            else:
                status.update(restartCount=0, started=True, state={"running": {"startedAt": now}})
            statuses.append(status)
        unready = ",".join(sorted(crashing))
        return {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": metadata.get("namespace", "default"), "labels": labels,
                         "ownerReferences": [self._owner(kind, obj, template_hash)]},
            "spec": dict(template.get("spec", {})),
            "status": {"phase": "Running", "startTime": now, "containerStatuses": statuses, "conditions": [
                {"type": "Initialized", "status": "True", "lastTransitionTime": now},
                {"type": "Ready", "status": "False", "reason": "ContainersNotReady",
                 "message": f"containers with unready status: [{unready}]", "lastTransitionTime": now},
                {"type": "ContainersReady", "status": "False", "reason": "ContainersNotReady",
                 "message": f"containers with unready status: [{unready}]", "lastTransitionTime": now},
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": now},
            ]},
        }

    def _delete_pods(self, kind: str, obj: JsonObject) -> None:
        """The crashing pods of an earlier template go when the workload changes (or the image is fixed)."""
        metadata = obj["metadata"]
        owner_name = metadata["name"]
        for pod in self._store.list("v1", "Pod", metadata.get("namespace")):
            if pod.get("spec", {}).get("nodeName"):
                continue  # bound to a node: a seeded pod or a Fargate rollout's (kube_fargate), not this fault's
            owners = pod["metadata"].get("ownerReferences") or []
            # A Deployment's pods belong to its ReplicaSets, named <deployment>-<template hash>.
            if any(o.get("kind") == ("ReplicaSet" if kind == "Deployment" else "DaemonSet")
                   and (o.get("name", "").rpartition("-")[0] if kind == "Deployment" else o.get("name")) == owner_name
                   for o in owners):
                self._store.delete("v1", "Pod", pod["metadata"]["namespace"], pod["metadata"]["name"])
