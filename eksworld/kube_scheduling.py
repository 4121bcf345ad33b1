"""Where a DaemonSet's pods run: the scheduler's node selection and taint checks, for the emulated workloads.

A daemon pod runs on a node when the node matches the pod's `nodeSelector` and required node affinity
(`nodeSelectorTerms` ORed, their `matchExpressions` ANDed), and the pod tolerates every NoSchedule and NoExecute
taint of the node; the DaemonSet controller adds tolerations of the node condition taints to every daemon pod.
Fargate nodes run no DaemonSet. Written for the emulator, independently of the collection's own judgement.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FARGATE = ("eks.amazonaws.com/compute-type", "fargate")
DAEMON_POD_TOLERATIONS = [
    {"key": f"node.kubernetes.io/{key}", "operator": "Exists", "effect": effect}
    for key, effect in (("not-ready", "NoExecute"), ("unreachable", "NoExecute"), ("disk-pressure", "NoSchedule"),
                        ("memory-pressure", "NoSchedule"), ("pid-pressure", "NoSchedule"),
                        ("unschedulable", "NoSchedule"))]


def _tolerated(toleration: Mapping[str, Any], taint: Mapping[str, Any]) -> bool:
    if toleration.get("effect") and toleration["effect"] != taint.get("effect"):
        return False
    if toleration.get("key") and toleration["key"] != taint.get("key"):
        return False
    if toleration.get("operator", "Equal") == "Exists":
        return True
    return (toleration.get("value") or "") == (taint.get("value") or "")


def _requirement(requirement: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    key, operator, values = requirement["key"], requirement["operator"], requirement.get("values") or []
    if operator == "In":
        return labels.get(key) in values
    if operator == "NotIn":
        return labels.get(key) not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    if operator in ("Gt", "Lt") and key in labels:
        number, bound = int(labels[key]), int(values[0])
        return number > bound if operator == "Gt" else number < bound
    return False


def _term(term: Mapping[str, Any], node: Mapping[str, Any]) -> bool:
    expressions, fields = term.get("matchExpressions") or [], term.get("matchFields") or []
    names = {"metadata.name": node["metadata"]["name"]}
    labels = node["metadata"].get("labels") or {}
    return bool(expressions or fields) and all(_requirement(r, labels) for r in expressions) \
        and all(_requirement(r, names) for r in fields)


def daemon_pod_fits(pod_spec: Mapping[str, Any], node: Mapping[str, Any]) -> bool:
    """Whether the DaemonSet controller would run a pod of this template on the node."""
    labels = node["metadata"].get("labels") or {}
    if labels.get(FARGATE[0]) == FARGATE[1]:
        return False
    if any(labels.get(key) != value for key, value in (pod_spec.get("nodeSelector") or {}).items()):
        return False
    required = (((pod_spec.get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution"))
    if required is not None and not any(_term(t, node) for t in required.get("nodeSelectorTerms") or []):
        return False
    tolerations = list(pod_spec.get("tolerations") or []) + DAEMON_POD_TOLERATIONS
    return all(any(_tolerated(toleration, taint) for toleration in tolerations)
               for taint in (node.get("spec") or {}).get("taints") or []
               if taint.get("effect") in ("NoSchedule", "NoExecute"))
