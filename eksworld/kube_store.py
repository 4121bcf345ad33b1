"""The object store of one emulated Kubernetes cluster: CRUD, versions, minimal controllers.

Everything the HTTP layer (kube.py) serves comes from here, and tests and the world seed or
inspect clusters through the same methods, so what a test sets up is exactly what a client
reads. Stored objects are never mutated in place (every write stores a new dict): readers can
serialise a reference without holding the lock.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from eksworld.kube_patch import json_patch, merge_patch, strategic_merge_patch
from eksworld.kube_scheduling import daemon_pod_fits
from eksworld.kube_select import FieldSelector, LabelSelector
from eksworld.kube_status import KubeError, already_exists, conflict, invalid, not_found
from eksworld.kube_types import BUILTIN_RESOURCES, JsonObject, ResourceType

# Watches can resume from any of this many most recent changes; older ones get 410 Expired.
WATCH_HISTORY = 1000
_GIT_VERSION = re.compile(r"^v(?P<major>\d+)\.(?P<minor>\d+)\.\d+")
# Not part of what a client may change with a plain update or patch.
_SYSTEM_METADATA = ("uid", "creationTimestamp", "generation", "name", "namespace")


@dataclass(frozen=True)
class _Change:
    """One entry of the watch history."""

    resource_version: int
    event_type: str  # ADDED, MODIFIED, DELETED
    storage_key: tuple[str, str]
    obj: JsonObject


def _clone(obj: Any) -> Any:
    """A deep copy that also proves the value is plain JSON, as an HTTP body would be."""
    return json.loads(json.dumps(obj))


def _spec_of(obj: Mapping[str, Any]) -> JsonObject:
    """What `metadata.generation` tracks: everything but metadata and status."""
    return {key: value for key, value in obj.items() if key not in ("metadata", "status")}


def _meta(obj: Mapping[str, Any]) -> JsonObject:
    metadata = obj.get("metadata")
    return metadata if isinstance(metadata, dict) else {}


class ClusterStore:
    """The state of one virtual cluster: its version, resource types and objects (thread-safe)."""

    def __init__(self, name: str, git_version: str, token: str,
                 clock: Callable[[], float] = time.time) -> None:
        self.name = name
        self.token = token
        self.clock = clock
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._types: dict[tuple[str, str, str], ResourceType] = {}
        self._objects: dict[tuple[str, str], dict[tuple[str, str], JsonObject]] = {}
        self._resource_version = 0
        self._history: deque[_Change] = deque(maxlen=WATCH_HISTORY)
        self._compacted_version = 0  # newest resourceVersion no longer in the history
        self._watch_epoch = 0  # end_watches() bumps it; watches of an older epoch end
        # Fault injection (kube_crashloop): sees each workload before it is stored, may stop its rollout.
        self.workload_hook: Callable[[ResourceType, JsonObject], None] | None = None
        self._git_version = ""
        self._minor = 0
        self.set_version(git_version)
        for resource_type in BUILTIN_RESOURCES:
            self._add_type(resource_type)

    # ------------------------------------------------------------------ version

    def set_version(self, git_version: str) -> None:
        """Switch the control plane version, as an EKS update does ("v1.25.16-eks-abc1234")."""
        match = _GIT_VERSION.match(git_version)
        if not match:
            raise ValueError(f"not a Kubernetes git version: {git_version!r}")
        with self._lock:
            self._git_version = git_version
            self._minor = int(match["minor"])

    @property
    def git_version(self) -> str:
        return self._git_version

    @property
    def minor(self) -> int:
        return self._minor

    def version_info(self) -> JsonObject:
        """The /version body; every field is present because the client's model requires them."""
        with self._lock:
            git_version, minor = self._git_version, self._minor
        return {
            "major": "1",
            "minor": str(minor),
            "gitVersion": git_version,
            "gitCommit": hashlib.sha1(git_version.encode()).hexdigest(),
            "gitTreeState": "clean",
            # Plausible for the release: Kubernetes ships about two minors a year.
            "buildDate": f"{2010 + minor // 2}-06-15T10:00:00Z",
            "goVersion": f"go1.{8 + minor // 2}.6",
            "compiler": "gc",
            "platform": "linux/amd64",
        }

    # ------------------------------------------------------------------ resource types

    def register_resource(self, group: str, version: str, kind: str, plural: str,
                          namespaced: bool = True, *, short_names: tuple[str, ...] = (),
                          status_subresource: bool = True) -> ResourceType:
        """Serve a custom resource (as if its CRD were installed), e.g. karpenter.sh/v1 NodePool."""
        resource_type = ResourceType(group, version, kind, plural, namespaced, tuple(short_names),
                                     status_subresource, tracks_generation=True, custom=True)
        self._add_type(resource_type)
        return resource_type

    def _add_type(self, resource_type: ResourceType) -> None:
        with self._lock:
            self._types[(resource_type.group, resource_type.version, resource_type.plural)] = resource_type
            self._objects.setdefault(resource_type.storage_key, {})

    def resource_types(self) -> list[ResourceType]:
        """The types served at the current version, in registration order."""
        with self._lock:
            return [t for t in self._types.values() if t.served_at(self._minor)]

    def find_type(self, group: str, version: str, plural: str) -> ResourceType | None:
        with self._lock:
            resource_type = self._types.get((group, version, plural))
            return resource_type if resource_type and resource_type.served_at(self._minor) else None

    def type_for(self, api_version: str, kind: str) -> ResourceType:
        group, _, version = api_version.rpartition("/")
        with self._lock:
            for resource_type in self._types.values():
                if (resource_type.group, resource_type.version, resource_type.kind) == (group, version, kind) \
                        and resource_type.served_at(self._minor):
                    return resource_type
        raise KubeError(404, f'no matches for kind "{kind}" in version "{api_version}"')

    # ------------------------------------------------------------------ API verbs (HTTP layer)
    # These return the stored dicts themselves: callers must not modify them.

    def api_get(self, resource_type: ResourceType, namespace: str | None, name: str) -> JsonObject:
        obj = self._find(resource_type, namespace, name)
        if obj is None:
            raise not_found(resource_type.plural, resource_type.group, name)
        return obj

    def api_list(self, resource_type: ResourceType, namespace: str | None = None,
                 label_selector: str | Mapping[str, str] | None = None,
                 field_selector: str | None = None) -> tuple[list[JsonObject], str]:
        """Matching objects in etcd key order (namespace, name), and the list resourceVersion."""
        labels = LabelSelector.parse(label_selector)
        fields = FieldSelector.parse(field_selector)
        with self._lock:
            objects = self._objects[resource_type.storage_key]
            keys = sorted(key for key in objects if namespace is None or key[0] == namespace)
            candidates = [objects[key] for key in keys]
            resource_version = str(self._resource_version)
        items = [obj for obj in candidates
                 if labels.matches(_meta(obj).get("labels")) and fields.matches(obj)]
        return items, resource_version

    def api_create(self, resource_type: ResourceType, obj: JsonObject,
                   dry_run: bool = False) -> JsonObject:
        """Store a new object (taking ownership of `obj`); 409 AlreadyExists if the name is taken."""
        metadata = obj.get("metadata")
        if not isinstance(metadata, dict):
            metadata = obj["metadata"] = {}
        obj["apiVersion"], obj["kind"] = resource_type.api_version, resource_type.kind
        if not metadata.get("name") and metadata.get("generateName"):
            metadata["name"] = metadata["generateName"] + secrets.token_hex(3)[:5]
        name = metadata.get("name")
        if not name or not isinstance(name, str):
            raise invalid(resource_type.kind, "", "metadata.name",
                          "Required value: name or generateName is required")
        namespace = metadata.get("namespace") if resource_type.namespaced else None
        if resource_type.namespaced and not namespace:
            metadata["namespace"] = namespace = "default"
        if not resource_type.namespaced:
            metadata.pop("namespace", None)
        with self._lock:
            if namespace is not None and ("", namespace) not in self._objects[("", "namespaces")]:
                raise not_found("namespaces", "", namespace)
            key = (namespace or "", name)
            if key in self._objects[resource_type.storage_key]:
                raise already_exists(resource_type.plural, resource_type.group, name)
            metadata["uid"] = str(uuid.uuid4())
            metadata["creationTimestamp"] = self._timestamp()
            for transient in ("resourceVersion", "deletionTimestamp", "managedFields"):
                metadata.pop(transient, None)
            if resource_type.tracks_generation:
                metadata["generation"] = 1
            self._apply_defaults(resource_type, obj)
            self._reconcile(resource_type, obj, spec_changed=True)
            if dry_run:
                return obj
            self._commit(resource_type, key, obj, "ADDED")
            return obj

    def api_update(self, resource_type: ResourceType, obj: JsonObject,
                   subresource: str | None = None, dry_run: bool = False) -> JsonObject:
        """PUT: replace the object, its status or its Scale, with resourceVersion preconditions.

        Returns the new object, or its Scale for subresource "scale".
        """
        metadata = _meta(obj)
        namespace = metadata.get("namespace") if resource_type.namespaced else None
        name = metadata.get("name", "")
        with self._lock:
            current = self.api_get(resource_type, namespace, name)
            expected = metadata.get("resourceVersion")
            if expected and expected != _meta(current).get("resourceVersion"):
                raise conflict(resource_type.plural, resource_type.group, name)
            return self._update(resource_type, current, obj, subresource, dry_run)

    def scale(self, resource_type: ResourceType, obj: JsonObject) -> JsonObject:
        """The autoscaling/v1 Scale view of a Deployment or StatefulSet."""
        metadata = _meta(obj)
        match_labels = obj.get("spec", {}).get("selector", {}).get("matchLabels") or {}
        return {"kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": {key: metadata[key] for key in
                             ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                             if key in metadata},
                "spec": {"replicas": obj.get("spec", {}).get("replicas", 1)},
                "status": {"replicas": obj.get("status", {}).get("replicas", 0),
                           "selector": ",".join(f"{k}={v}" for k, v in sorted(match_labels.items()))}}

    def api_patch(self, resource_type: ResourceType, namespace: str | None, name: str,
                  patch_type: str, patch: Any, subresource: str | None = None,
                  dry_run: bool = False) -> JsonObject:
        """PATCH with `patch_type` one of "merge", "json", "strategic"."""
        if patch_type == "strategic" and resource_type.custom:
            raise KubeError(415, "strategic merge patch is not supported for custom resources")
        apply = {"merge": merge_patch, "json": json_patch, "strategic": strategic_merge_patch}.get(patch_type)
        if apply is None:
            raise KubeError(415, f"patch type {patch_type!r} is not supported")
        if patch_type != "json" and not isinstance(patch, dict):
            raise KubeError(400, "the patch must be a JSON object")
        with self._lock:
            current = self.api_get(resource_type, namespace, name)
            target = self.scale(resource_type, current) if subresource == "scale" else _clone(current)
            patched = apply(target, patch)
            if not isinstance(patched, dict):
                raise KubeError(422, "the patch did not produce an object")
            current_version = _meta(current).get("resourceVersion")
            if _meta(patched).get("resourceVersion", current_version) != current_version:
                raise conflict(resource_type.plural, resource_type.group, name)
            return self._update(resource_type, current, patched, subresource, dry_run)

    def api_delete(self, resource_type: ResourceType, namespace: str | None, name: str,
                   dry_run: bool = False) -> JsonObject:
        """Delete at once (no finalizers or grace periods); returns the object as it was deleted."""
        with self._lock:
            current = self.api_get(resource_type, namespace, name)
            deleted = dict(current, metadata=dict(_meta(current), deletionTimestamp=self._timestamp()))
            if dry_run:
                return deleted
            if resource_type.storage_key == ("", "namespaces"):
                self._delete_namespace_contents(name)
            key = self._key(resource_type, namespace, name)
            del self._objects[resource_type.storage_key][key]
            self._resource_version += 1
            deleted["metadata"]["resourceVersion"] = str(self._resource_version)
            self._record(resource_type.storage_key, deleted, "DELETED")
            self._after_change(resource_type)
            return deleted

    def api_watch(self, resource_type: ResourceType, namespace: str | None,
                  label_selector: str | None, field_selector: str | None,
                  resource_version: str | None, timeout_s: float,
                  send_initial_events: bool = False) -> Iterator[JsonObject]:
        """Watch events ({"type", "object"}) until `timeout_s` passes or end_watches() is called.

        Without a resourceVersion (or "0") the current objects come first as ADDED, as
        kube-apiserver does; with one, changes after it are replayed from the history, or a
        410 Expired ERROR event says it is too old. `send_initial_events` is the streaming list
        kubectl's informers ask for: the current objects, then a BOOKMARK marking their end.
        """
        labels = LabelSelector.parse(label_selector)
        fields = FieldSelector.parse(field_selector)
        since: int | None = None
        if resource_version not in (None, "", "0"):
            try:
                since = int(str(resource_version))
            except ValueError:
                raise KubeError(400, f"invalid resource version {resource_version!r}") from None
        # Validated above, before the caller commits to a 200 streaming answer.
        with self._lock:
            epoch = self._watch_epoch
        return self._watch_events(resource_type, namespace, labels, fields,
                                  None if send_initial_events else since,
                                  time.monotonic() + timeout_s, send_initial_events, epoch)

    def _watch_events(self, resource_type: ResourceType, namespace: str | None,
                      labels: LabelSelector, fields: FieldSelector, since: int | None,
                      deadline: float, bookmark_initial: bool, epoch: int) -> Iterator[JsonObject]:
        def wanted(obj: JsonObject) -> bool:
            return ((namespace is None or _meta(obj).get("namespace") == namespace)
                    and labels.matches(_meta(obj).get("labels")) and fields.matches(obj))

        if since is None:
            with self._lock:
                objects = self._objects[resource_type.storage_key]
                current = [objects[key] for key in sorted(objects)]
                seen = self._resource_version
            yield from ({"type": "ADDED", "object": obj} for obj in current if wanted(obj))
            if bookmark_initial:
                yield {"type": "BOOKMARK", "object": {
                    "kind": resource_type.kind, "apiVersion": resource_type.api_version,
                    "metadata": {"resourceVersion": str(seen),
                                 "annotations": {"k8s.io/initial-events-end": "true"}}}}
        else:
            seen = since
            with self._lock:
                compacted = self._compacted_version
            if seen < compacted:
                yield {"type": "ERROR", "object": KubeError(
                    410, f"too old resource version: {seen} ({compacted})", reason="Expired").status()}
                return
        while True:
            with self._changed:
                changes = [change for change in self._history if change.resource_version > seen
                           and change.storage_key == resource_type.storage_key and wanted(change.obj)]
                seen = self._resource_version
                remaining = deadline - time.monotonic()
                if not changes:
                    if self._watch_epoch != epoch or remaining <= 0:
                        return
                    self._changed.wait(remaining)
            yield from ({"type": change.event_type, "object": change.obj} for change in changes)

    def end_watches(self) -> None:
        """End the watches open now (the server stops or the cluster goes); later ones work."""
        with self._changed:
            self._watch_epoch += 1
            self._changed.notify_all()

    # ------------------------------------------------------------------ Python convenience API
    # By apiVersion and kind, returning copies the caller may keep and modify.

    def create(self, obj: Mapping[str, Any]) -> JsonObject:
        """Create a complete object (apiVersion, kind, metadata.name[, namespace]) and return it."""
        resource_type = self.type_for(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
        return _clone(self.api_create(resource_type, _clone(obj)))

    def get(self, api_version: str, kind: str, namespace: str | None, name: str) -> JsonObject | None:
        """The object, or None when there is none (a missing object is no error for seeding code)."""
        obj = self._find(self.type_for(api_version, kind), namespace, name)
        return None if obj is None else _clone(obj)

    def list(self, api_version: str, kind: str, namespace: str | None = None,
             label_selector: str | Mapping[str, str] | None = None,
             field_selector: str | None = None) -> list[JsonObject]:
        items, _ = self.api_list(self.type_for(api_version, kind), namespace, label_selector,
                                 field_selector)
        return _clone(items)

    def replace(self, obj: Mapping[str, Any], subresource: str | None = None) -> JsonObject:
        resource_type = self.type_for(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
        return _clone(self.api_update(resource_type, _clone(obj), subresource))

    def patch(self, api_version: str, kind: str, namespace: str | None, name: str, patch: Any,
              patch_type: str = "strategic", subresource: str | None = None) -> JsonObject:
        """Patch like `kubectl patch --type`; subresource="status" changes only the status,
        "scale" only spec.replicas (and returns the Scale)."""
        return _clone(self.api_patch(self.type_for(api_version, kind), namespace, name, patch_type,
                                     _clone(patch), subresource))

    def delete(self, api_version: str, kind: str, namespace: str | None, name: str) -> JsonObject:
        return _clone(self.api_delete(self.type_for(api_version, kind), namespace, name))

    def set_kubelet_versions(self, label_selector: Mapping[str, str] | str,
                             kubelet_version: str) -> int:
        """Report a new kubelet/kube-proxy version on matching nodes (a node group was upgraded).

        Returns how many nodes changed.
        """
        def new_kubelet(node: JsonObject) -> None:
            node_info = node.setdefault("status", {}).setdefault("nodeInfo", {})
            node_info["kubeletVersion"] = kubelet_version
            node_info["kubeProxyVersion"] = kubelet_version

        return len(self.update_nodes(label_selector, new_kubelet))

    def update_nodes(self, label_selector: Mapping[str, str] | str,
                     change: Callable[[JsonObject], None]) -> tuple[JsonObject, ...]:
        """Apply `change` to a copy of each matching node (spec, labels and status alike) and store it, as the
        kubelet and node controllers would; returns the nodes as stored."""
        nodes_type = self.type_for("v1", "Node")
        stored = []
        with self._lock:
            nodes, _ = self.api_list(nodes_type, None, label_selector)
            for node in nodes:
                updated = _clone(node)
                change(updated)
                current = self._update(nodes_type, node, updated, None, dry_run=False)
                stored.append(self._update(nodes_type, current, dict(_clone(current), status=updated["status"]),
                                           "status", dry_run=False))
            return tuple(stored)

    # ------------------------------------------------------------------ internals

    def _find(self, resource_type: ResourceType, namespace: str | None, name: str) -> JsonObject | None:
        with self._lock:
            return self._objects[resource_type.storage_key].get(self._key(resource_type, namespace, name))

    @staticmethod
    def _key(resource_type: ResourceType, namespace: str | None, name: str) -> tuple[str, str]:
        return (namespace or "") if resource_type.namespaced else "", name

    def _timestamp(self) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.clock()))

    def _update(self, resource_type: ResourceType, current: JsonObject, new: JsonObject,
                subresource: str | None, dry_run: bool) -> JsonObject:
        """Build the next version from `new`, keeping what the request may not change."""
        if subresource is not None and subresource not in resource_type.subresources():
            raise KubeError(404, "the server could not find the requested resource")
        if subresource == "scale":
            replicas = new.get("spec", {}).get("replicas")
            if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
                raise invalid("Scale", _meta(current)["name"], "spec.replicas",
                              f"Invalid value: {replicas!r}: must be greater than or equal to 0")
            scaled = dict(current, spec=dict(current.get("spec", {}), replicas=replicas))
            return self.scale(resource_type, self._update(resource_type, current, scaled, None, dry_run))
        if subresource == "status":
            candidate = dict(current, status=new.get("status"), metadata=dict(_meta(current)))
        else:
            candidate = dict(new, apiVersion=current["apiVersion"], kind=current["kind"])
            if resource_type.status_subresource:
                candidate["status"] = current.get("status")
            candidate["metadata"] = dict(_meta(new))
            for field in _SYSTEM_METADATA:
                if field in _meta(current):
                    candidate["metadata"][field] = _meta(current)[field]
        if candidate.get("status") is None:
            candidate.pop("status", None)
        candidate["metadata"]["resourceVersion"] = _meta(current).get("resourceVersion")
        candidate["metadata"].pop("managedFields", None)
        if candidate == current:
            return current  # a no-op write keeps its resourceVersion, as on a real server
        spec_changed = _spec_of(candidate) != _spec_of(current)
        if spec_changed and "generation" in candidate["metadata"]:
            candidate["metadata"] = dict(candidate["metadata"],
                                         generation=candidate["metadata"]["generation"] + 1)
        self._reconcile(resource_type, candidate, spec_changed)
        if dry_run:
            return candidate
        key = self._key(resource_type, _meta(current).get("namespace"), _meta(current)["name"])
        self._commit(resource_type, key, candidate, "MODIFIED")
        return candidate

    def _commit(self, resource_type: ResourceType, key: tuple[str, str], obj: JsonObject,
                event_type: str) -> None:
        if self.workload_hook is not None:
            self.workload_hook(resource_type, obj)
        self._resource_version += 1
        obj["metadata"] = dict(obj["metadata"], resourceVersion=str(self._resource_version))
        self._objects[resource_type.storage_key][key] = obj
        self._record(resource_type.storage_key, obj, event_type)
        self._after_change(resource_type)

    def _record(self, storage_key: tuple[str, str], obj: JsonObject, event_type: str) -> None:
        if len(self._history) == self._history.maxlen:
            self._compacted_version = self._history[0].resource_version
        self._history.append(_Change(self._resource_version, event_type, storage_key, obj))
        self._changed.notify_all()

    def _delete_namespace_contents(self, namespace: str) -> None:
        for resource_type in list(self._types.values()):
            if not resource_type.namespaced:
                continue
            objects = self._objects[resource_type.storage_key]
            for key in [key for key in objects if key[0] == namespace]:
                self.api_delete(resource_type, namespace, key[1])

    @staticmethod
    def _apply_defaults(resource_type: ResourceType, obj: JsonObject) -> None:
        """The few defaults kube-apiserver fills that upgrade tooling reads back."""
        if resource_type.storage_key == ("", "namespaces"):
            obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = obj["metadata"]["name"]
            obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
            obj.setdefault("status", {}).setdefault("phase", "Active")
        elif resource_type.storage_key in (("apps", "deployments"), ("apps", "statefulsets")):
            obj.setdefault("spec", {}).setdefault("replicas", 1)
        if resource_type.storage_key == ("apps", "statefulsets"):
            obj["spec"].setdefault("updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})

    # -------------------------------------------------- controllers: rollouts finish at once

    def _reconcile(self, resource_type: ResourceType, obj: JsonObject, spec_changed: bool) -> None:
        """Set the status the workload controllers would reach once a rollout completes.

        Only after a spec change (or a node change for DaemonSets), so a test can still set a
        stuck status through the status subresource.
        """
        if not spec_changed:
            return
        if resource_type.storage_key in (("apps", "deployments"), ("apps", "statefulsets")):
            obj["status"] = self._replicated_status(resource_type, obj)
        elif resource_type.storage_key == ("apps", "daemonsets"):
            obj["status"] = self._daemonset_status(obj)

    def _replicated_status(self, resource_type: ResourceType, obj: JsonObject) -> JsonObject:
        replicas = obj.get("spec", {}).get("replicas", 1)
        status: JsonObject = {
            "observedGeneration": _meta(obj).get("generation", 1),
            "replicas": replicas, "updatedReplicas": replicas,
            "readyReplicas": replicas, "availableReplicas": replicas,
        }
        if resource_type.kind == "Deployment":
            now = self._timestamp()
            status["conditions"] = [
                {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                 "message": "Deployment has minimum availability.",
                 "lastUpdateTime": now, "lastTransitionTime": now},
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                 "message": f'ReplicaSet "{_meta(obj).get("name")}" has successfully progressed.',
                 "lastUpdateTime": now, "lastTransitionTime": now},
            ]
        else:
            revision = f"{_meta(obj).get('name')}-{_meta(obj).get('generation', 1)}"
            status.update(currentReplicas=replicas, currentRevision=revision, updateRevision=revision)
        return status

    def _daemonset_status(self, obj: JsonObject) -> JsonObject:
        pod_spec = obj.get("spec", {}).get("template", {}).get("spec", {})
        count = sum(1 for node in self._objects[("", "nodes")].values() if daemon_pod_fits(pod_spec, node))
        return {
            "observedGeneration": _meta(obj).get("generation", 1),
            "desiredNumberScheduled": count, "currentNumberScheduled": count,
            "updatedNumberScheduled": count, "numberReady": count, "numberAvailable": count,
            "numberMisscheduled": 0,
        }

    def _after_change(self, resource_type: ResourceType) -> None:
        """Nodes coming and going change how many pods every DaemonSet should run."""
        if resource_type.storage_key != ("", "nodes"):
            return
        daemonsets_type = self._types[("apps", "v1", "daemonsets")]
        for key, daemonset in list(self._objects[daemonsets_type.storage_key].items()):
            status = self._daemonset_status(daemonset)
            if status != daemonset.get("status"):
                self._commit(daemonsets_type, key, dict(daemonset, status=status), "MODIFIED")
