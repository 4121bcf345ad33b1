"""What a request below /k8s/<cluster> addresses (endpoint, Kubernetes verb, resource), and the discovery
documents (/api, /apis, ...) kube-apiserver serves for the resource types a cluster knows."""
from __future__ import annotations

import re

from eksworld.kube_status import KubeError
from eksworld.kube_store import ClusterStore
from eksworld.kube_types import JsonObject, ResourceType

# Paths kube-apiserver lets anyone read (system:public-info-viewer).
PUBLIC_ENDPOINTS = frozenset({"version", "healthz", "livez", "readyz"})
_VERSION_ORDER = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def _version_priority(version: str) -> tuple[int, int, int]:
    """Discovery lists a group's versions GA first, then beta, then alpha, newest first."""
    match = _VERSION_ORDER.match(version)
    if not match:
        return (-1, 0, 0)
    stability = {"alpha": 0, "beta": 1, None: 2}[match[2]]
    return (stability, int(match[1]), int(match[3] or 0))


class Route:
    """What a request addresses, worked out before faults and auth so the log can name it."""

    def __init__(self, verb: str, target: str, endpoint: str,
                 resource_type: ResourceType | None = None, namespace: str | None = None,
                 name: str | None = None, subresource: str | None = None,
                 group_path: tuple[str, ...] = ()) -> None:
        self.verb = verb
        self.target = target          # "nodes", "deployments/status", "version", "/apis" (discovery)
        self.endpoint = endpoint      # "resource", "version", "health", "discovery", "unknown"
        self.resource_type = resource_type
        self.namespace = namespace
        self.name = name
        self.subresource = subresource
        self.group_path = group_path  # discovery: (), ("v1",), (group,), (group, version)


def not_found_path() -> KubeError:
    return KubeError(404, "the server could not find the requested resource", details={})


def route_request(store: ClusterStore, method: str, parts: list[str], query: dict[str, str]) -> Route:
    """Map a path below /k8s/<cluster> to an endpoint and a Kubernetes verb."""
    if len(parts) == 1 and parts[0] == "version":
        return Route("get", "version", "version")
    if len(parts) == 1 and parts[0] in PUBLIC_ENDPOINTS:
        return Route("get", parts[0], "health")
    # Discovery is named by its path ("get /apis"): RBAC grants it as a nonResourceURL.
    if parts[:1] == ["api"] and len(parts) <= 2:
        return Route("get", "/" + "/".join(parts), "discovery", group_path=tuple(parts[1:]))
    if parts[:1] == ["apis"] and len(parts) <= 3:
        return Route("get", "/" + "/".join(parts), "discovery", group_path=("apis", *parts[1:]))
    if parts[:2] == ["api", "v1"]:
        group, version, rest = "", "v1", parts[2:]
    elif parts[:1] == ["apis"]:
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return Route(method.lower(), "/" + "/".join(parts), "unknown")
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        candidate = store.find_type(group, version, rest[2])
        if candidate is not None and candidate.namespaced:
            namespace, rest = rest[1], rest[2:]
    resource_type = store.find_type(group, version, rest[0]) if rest else None
    if resource_type is None or len(rest) > 3:
        return Route(method.lower(), "/" + "/".join(parts), "unknown")
    name = rest[1] if len(rest) > 1 else None
    subresource = rest[2] if len(rest) > 2 else None
    watching = query.get("watch", "").lower() in ("true", "1")
    verb = {
        "GET": "watch" if watching else ("get" if name else "list"),
        "POST": "create", "PUT": "update", "PATCH": "patch",
        "DELETE": "delete" if name else "deletecollection",
    }.get(method, method.lower())
    target = f"{resource_type.plural}/{subresource}" if subresource else resource_type.plural
    return Route(verb, target, "resource", resource_type, namespace, name, subresource)


def discovery(store: ClusterStore, group_path: tuple[str, ...], server_address: str) -> JsonObject:
    types = store.resource_types()
    if group_path == ():
        return {"kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                                "serverAddress": server_address}]}
    if group_path == ("v1",):
        return _resource_list("v1", [t for t in types if t.group == ""])
    if group_path[0] != "apis":
        raise not_found_path()
    groups: dict[str, list[str]] = {}
    for resource_type in types:
        if resource_type.group and resource_type.version not in groups.setdefault(resource_type.group, []):
            groups[resource_type.group].append(resource_type.version)

    def api_group(group: str) -> JsonObject:
        versions = sorted(groups[group], key=_version_priority, reverse=True)
        entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
        return {"name": group, "versions": entries, "preferredVersion": entries[0]}

    if len(group_path) == 1:
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [api_group(g) for g in groups]}
    group = group_path[1]
    if group not in groups:
        raise not_found_path()
    if len(group_path) == 2:
        return {"kind": "APIGroup", "apiVersion": "v1", **api_group(group)}
    version = group_path[2]
    if version not in groups[group]:
        raise not_found_path()
    return _resource_list(f"{group}/{version}",
                          [t for t in types if (t.group, t.version) == (group, version)])


def _resource_list(group_version: str, types: list[ResourceType]) -> JsonObject:
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version,
            "resources": [entry for t in types for entry in t.discovery()]}

