"""Server-side printing: the meta.k8s.io Table kubectl asks for when it prints `get` output.

Without it kubectl falls back to NAME/AGE only, so `kubectl get nodes` (the command AWS's
upgrade procedure uses to compare node and control-plane versions) would not show VERSION.
"""
from __future__ import annotations

import calendar
import time
from collections.abc import Callable
from typing import Any

from eksworld.kube_types import JsonObject, ResourceType

Cell = Callable[[JsonObject], Any]


def _age(created: str | None, now: float) -> str:
    """kubectl's short duration ("45s", "12m", "3h", "9d")."""
    if not created:
        return "<unknown>"
    seconds = max(0, int(now - calendar.timegm(time.strptime(created, "%Y-%m-%dT%H:%M:%SZ"))))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size * (2 if unit != "d" else 1):
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _path(obj: JsonObject, *keys: str, default: Any = None) -> Any:
    value: Any = obj
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return default if value is None else value


def _node_status(node: JsonObject) -> str:
    ready = next((c for c in _path(node, "status", "conditions", default=[]) if c.get("type") == "Ready"), None)
    status = "Ready" if ready and ready.get("status") == "True" else "NotReady"
    return status + (",SchedulingDisabled" if _path(node, "spec", "unschedulable") else "")


def _node_roles(node: JsonObject) -> str:
    prefix = "node-role.kubernetes.io/"
    roles = sorted(key[len(prefix):] for key in _path(node, "metadata", "labels", default={})
                   if key.startswith(prefix))
    return ",".join(roles) or "<none>"


def _node_address(kind: str) -> Cell:
    """The node's first address of `kind` (InternalIP, ExternalIP), "<none>" without one, as kubectl prints it."""
    return lambda node: next((a.get("address") for a in _path(node, "status", "addresses", default=[])
                              if a.get("type") == kind), "<none>")


def _node_info(key: str) -> Cell:
    return lambda node: _path(node, "status", "nodeInfo", key, default="")


def _psp_rule(key: str) -> Cell:
    return lambda psp: _path(psp, "spec", key, "rule", default="")


def _psp_list(key: str) -> Cell:
    return lambda psp: ",".join(_path(psp, "spec", key, default=[]))


def _pod_readiness_gates(pod: JsonObject) -> str:
    """"ready/total" of spec.readinessGates, "<none>" without any."""
    gates = [g.get("conditionType") for g in _path(pod, "spec", "readinessGates", default=[])]
    if not gates:
        return "<none>"
    true = {c.get("type") for c in _path(pod, "status", "conditions", default=[]) if c.get("status") == "True"}
    return f"{sum(1 for gate in gates if gate in true)}/{len(gates)}"


def _pod_ready(pod: JsonObject) -> str:
    statuses = _path(pod, "status", "containerStatuses", default=[])
    containers = len(_path(pod, "spec", "containers", default=[]))
    return f"{sum(1 for s in statuses if s.get('ready'))}/{containers}"


def _images(obj: JsonObject) -> str:
    return ",".join(c.get("image", "") for c in _path(obj, "spec", "template", "spec", "containers", default=[]))


def _containers(obj: JsonObject) -> str:
    return ",".join(c.get("name", "") for c in _path(obj, "spec", "template", "spec", "containers", default=[]))


def _labels(labels: dict[str, str]) -> str:
    """k8s.io/apimachinery labels.FormatLabels: sorted k=v pairs, "<none>" when empty."""
    return ",".join(f"{key}={labels[key]}" for key in sorted(labels)) or "<none>"


def _selector(obj: JsonObject) -> str:
    """metav1.FormatLabelSelector of spec.selector."""
    selector = _path(obj, "spec", "selector", default={})
    parts = [f"{key}={value}" for key, value in sorted((selector.get("matchLabels") or {}).items())]
    for requirement in selector.get("matchExpressions") or []:
        key, operator, values = requirement.get("key"), requirement.get("operator"), requirement.get("values") or []
        parts.append({"In": f"{key} in ({','.join(values)})", "NotIn": f"{key} notin ({','.join(values)})",
                      "Exists": key, "DoesNotExist": f"!{key}"}.get(operator, f"{key} {operator}"))
    return ",".join(parts) or "<none>"


def _node_selector(obj: JsonObject) -> str:
    return _labels(_path(obj, "spec", "template", "spec", "nodeSelector", default={}))


def _deployment_ready(deployment: JsonObject) -> str:
    ready = _path(deployment, "status", "readyReplicas", default=0)
    return f"{ready}/{_path(deployment, 'spec', 'replicas', default=1)}"


def _status(*keys: str) -> Cell:
    return lambda obj: _path(obj, "status", *keys, default=0)


def _name(obj: JsonObject) -> Any:
    return _path(obj, "metadata", "name")


_AGE = None  # the Age cell, computed from the cluster clock
# kind -> [(column, cell or _AGE, priority)], as kube-apiserver's printers give them (pkg/printers/internalversion):
# priority 1 columns show with `-o wide` only.
_DEFAULT_COLUMNS: list[tuple[str, Cell | None, int]] = [("Name", _name, 0), ("Age", _AGE, 0)]
_COLUMNS: dict[str, list[tuple[str, Cell | None, int]]] = {
    "Node": [("Name", _name, 0), ("Status", _node_status, 0), ("Roles", _node_roles, 0), ("Age", _AGE, 0),
             ("Version", _node_info("kubeletVersion"), 0), ("Internal-IP", _node_address("InternalIP"), 1),
             ("External-IP", _node_address("ExternalIP"), 1), ("OS-Image", _node_info("osImage"), 1),
             ("Kernel-Version", _node_info("kernelVersion"), 1),
             ("Container-Runtime", _node_info("containerRuntimeVersion"), 1)],
    "PodSecurityPolicy": [("Name", _name, 0), ("Priv", lambda p: _path(p, "spec", "privileged", default=False), 0),
                          ("Caps", _psp_list("allowedCapabilities"), 0), ("SELinux", _psp_rule("seLinux"), 0),
                          ("RunAsUser", _psp_rule("runAsUser"), 0), ("FsGroup", _psp_rule("fsGroup"), 0),
                          ("SupGroup", _psp_rule("supplementalGroups"), 0),
                          ("ReadOnlyRootFs", lambda p: _path(p, "spec", "readOnlyRootFilesystem", default=False), 0),
                          ("Volumes", _psp_list("volumes"), 0)],
    "Deployment": [("Name", _name, 0), ("Ready", _deployment_ready, 0),
                   ("Up-to-date", _status("updatedReplicas"), 0),
                   ("Available", _status("availableReplicas"), 0), ("Age", _AGE, 0),
                   ("Containers", _containers, 1), ("Images", _images, 1), ("Selector", _selector, 1)],
    "DaemonSet": [("Name", _name, 0), ("Desired", _status("desiredNumberScheduled"), 0),
                  ("Current", _status("currentNumberScheduled"), 0), ("Ready", _status("numberReady"), 0),
                  ("Up-to-date", _status("updatedNumberScheduled"), 0),
                  ("Available", _status("numberAvailable"), 0), ("Node Selector", _node_selector, 0),
                  ("Age", _AGE, 0), ("Containers", _containers, 1), ("Images", _images, 1),
                  ("Selector", _selector, 1)],
    "Pod": [("Name", _name, 0), ("Ready", _pod_ready, 0),
            ("Status", lambda p: _path(p, "status", "phase", default="Unknown"), 0),
            ("Restarts", lambda p: sum(s.get("restartCount", 0)
                                       for s in _path(p, "status", "containerStatuses", default=[])), 0),
            ("Age", _AGE, 0), ("IP", lambda p: _path(p, "status", "podIP", default="<none>"), 1),
            ("Node", lambda p: _path(p, "spec", "nodeName", default="<none>"), 1),
            ("Nominated Node", lambda p: _path(p, "status", "nominatedNodeName", default="<none>"), 1),
            ("Readiness Gates", _pod_readiness_gates, 1)],
}


def wants_table(accept: str) -> bool:
    return "as=Table" in accept


def table(resource_type: ResourceType, objects: list[JsonObject], resource_version: str,
          now: float) -> JsonObject:
    """A meta.k8s.io/v1 Table of `objects`, each row carrying its PartialObjectMetadata."""
    columns = _COLUMNS.get(resource_type.kind, _DEFAULT_COLUMNS)
    rows = []
    for obj in objects:
        metadata = obj.get("metadata", {})
        cells = [_age(metadata.get("creationTimestamp"), now) if cell is None else cell(obj)
                 for _, cell, _ in columns]
        rows.append({"cells": cells, "object": {"kind": "PartialObjectMetadata",
                                                "apiVersion": "meta.k8s.io/v1", "metadata": metadata}})
    return {
        "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": [{"name": name, "type": "string", "format": "name" if name == "Name" else "",
                               "description": name, "priority": priority} for name, _, priority in columns],
        "rows": rows,
    }
