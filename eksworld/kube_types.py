"""The resource types an emulated cluster serves (group, version, kind, plural and their behaviour), as
discovery advertises them, and the built-in ones."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
SUBRESOURCE_VERBS = ("get", "patch", "update")

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class ResourceType:
    """One served resource (a group/version/plural), as discovery advertises it."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    status_subresource: bool = False
    # metadata.generation counts spec changes (workloads, PDBs and custom resources; not
    # Nodes, Services or ConfigMaps, which have none on a real server).
    tracks_generation: bool = False
    # autoscaling/v1 Scale at <plural>/scale (kubectl scale, HPAs): Deployments, StatefulSets.
    scale_subresource: bool = False
    # Served only for cluster minor versions in [min_minor, max_minor] (PSP ends at 1.24).
    min_minor: int | None = None
    max_minor: int | None = None
    # Registered at run time like a CRD: lists keep each item's kind, DELETE returns the object,
    # strategic merge patch is refused (415), all as kube-apiserver does for custom resources.
    custom: bool = False

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def storage_key(self) -> tuple[str, str]:
        """Versions of one group/plural share their objects, as on a real server."""
        return self.group, self.plural

    def subresources(self) -> tuple[str, ...]:
        return (("status",) if self.status_subresource else ()) + (("scale",) if self.scale_subresource else ())

    def served_at(self, minor: int) -> bool:
        return ((self.min_minor is None or minor >= self.min_minor)
                and (self.max_minor is None or minor <= self.max_minor))

    def discovery(self) -> list[JsonObject]:
        """APIResource entries (the resource and its subresources) for an APIResourceList."""
        entry: JsonObject = {
            "name": self.plural, "singularName": self.kind.lower(), "namespaced": self.namespaced,
            "kind": self.kind, "verbs": list(VERBS),
            "storageVersionHash": hashlib.sha256(
                f"{self.api_version}/{self.kind}".encode()).hexdigest()[:12],
        }
        if self.short_names:
            entry["shortNames"] = list(self.short_names)
        entries = [entry]
        if self.status_subresource:
            entries.append({"name": f"{self.plural}/status", "singularName": "",
                            "namespaced": self.namespaced, "kind": self.kind,
                            "verbs": list(SUBRESOURCE_VERBS)})
        if self.scale_subresource:
            entries.append({"name": f"{self.plural}/scale", "singularName": "", "namespaced": self.namespaced,
                            "group": "autoscaling", "version": "v1", "kind": "Scale",
                            "verbs": list(SUBRESOURCE_VERBS)})
        return entries


BUILTIN_RESOURCES = (
    ResourceType("", "v1", "Namespace", "namespaces", False, ("ns",), True),
    ResourceType("", "v1", "Node", "nodes", False, ("no",), True),
    ResourceType("", "v1", "Pod", "pods", True, ("po",), True),
    ResourceType("", "v1", "ConfigMap", "configmaps", True, ("cm",)),
    ResourceType("", "v1", "Secret", "secrets", True),
    ResourceType("", "v1", "Service", "services", True, ("svc",), True),
    ResourceType("", "v1", "ServiceAccount", "serviceaccounts", True, ("sa",)),
    ResourceType("", "v1", "PersistentVolume", "persistentvolumes", False, ("pv",), True),
    ResourceType("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", True, ("pvc",), True),
    ResourceType("", "v1", "Event", "events", True, ("ev",)),
    ResourceType("apps", "v1", "Deployment", "deployments", True, ("deploy",), True, True, scale_subresource=True),
    ResourceType("apps", "v1", "DaemonSet", "daemonsets", True, ("ds",), True, True),
    ResourceType("apps", "v1", "StatefulSet", "statefulsets", True, ("sts",), True, True, scale_subresource=True),
    ResourceType("apps", "v1", "ReplicaSet", "replicasets", True, ("rs",), True, True, scale_subresource=True),
    ResourceType("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", True, ("pdb",), True, True),
    ResourceType("policy", "v1beta1", "PodSecurityPolicy", "podsecuritypolicies", False, ("psp",),
                 max_minor=24),
    ResourceType("storage.k8s.io", "v1", "StorageClass", "storageclasses", False, ("sc",)),
    ResourceType("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False),
    ResourceType("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", False),
)
