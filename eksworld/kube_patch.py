"""The three PATCH flavours kube-apiserver accepts, as pure functions on JSON data.

`kubectl set image` and the Python client send strategic-merge patches, kubernetes.core can
send JSON merge and JSON patches: each must merge as the real server does (containers by
name, other lists replaced), or a patched Deployment would silently lose containers.
"""
from __future__ import annotations

import copy
from typing import Any

from eksworld.kube_status import KubeError

# Strategic-merge keys of the lists the emulated kinds have (patchMergeKey in k8s.io/api);
# lists not named here are replaced as a whole, like atomic lists on a real server.
_MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "volumes": "name",
    "env": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "imagePullSecrets": "name",
    "conditions": "type",
    "addresses": "type",
    "ownerReferences": "uid",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
}
# Primitive lists with patchStrategy "merge": patch values are added, not substituted.
_MERGED_PRIMITIVE_LISTS = {"finalizers"}

_DIRECTIVE = "$patch"
_ORDER_PREFIX = "$setElementOrder/"
_DELETE_PRIMITIVE_PREFIX = "$deleteFromPrimitiveList/"
_RETAIN_KEYS = "$retainKeys"


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: maps merge recursively, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


# ---------------------------------------------------------------- RFC 6902 JSON patch

def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise KubeError(422, f"invalid JSON pointer {path!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _list_index(container: list[Any], token: str, allow_end: bool) -> int:
    if token == "-" and allow_end:
        return len(container)
    if not token.isdigit():
        raise KubeError(422, f"invalid list index {token!r}")
    index = int(token)
    if index > len(container) or (index == len(container) and not allow_end):
        raise KubeError(422, f"list index {index} out of range")
    return index


def _parent(document: Any, tokens: list[str]) -> Any:
    node = document
    for token in tokens[:-1]:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list):
            node = node[_list_index(node, token, allow_end=False)]
        else:
            raise KubeError(422, f"the path {'/' + '/'.join(tokens)!r} does not exist")
    return node


def _get(document: Any, path: str) -> Any:
    tokens = _pointer(path)
    if not tokens:
        return document
    parent = _parent(document, tokens)
    if isinstance(parent, list):
        return parent[_list_index(parent, tokens[-1], allow_end=False)]
    if isinstance(parent, dict) and tokens[-1] in parent:
        return parent[tokens[-1]]
    raise KubeError(422, f"the path {path!r} does not exist")


def _add(document: Any, path: str, value: Any) -> Any:
    tokens = _pointer(path)
    if not tokens:
        return value
    parent = _parent(document, tokens)
    if isinstance(parent, list):
        parent.insert(_list_index(parent, tokens[-1], allow_end=True), value)
    elif isinstance(parent, dict):
        parent[tokens[-1]] = value
    else:
        raise KubeError(422, f"the path {path!r} does not exist")
    return document


def _remove(document: Any, path: str) -> Any:
    """Remove the value at `path`; removing the root leaves None, which `replace` refills."""
    tokens = _pointer(path)
    if not tokens:
        return None
    parent = _parent(document, tokens)
    if isinstance(parent, list):
        del parent[_list_index(parent, tokens[-1], allow_end=False)]
    elif isinstance(parent, dict) and tokens[-1] in parent:
        del parent[tokens[-1]]
    else:
        raise KubeError(422, f"the path {path!r} does not exist")
    return document


def json_patch(target: Any, operations: Any) -> Any:
    """RFC 6902: add, remove, replace, move, copy, test, applied in order to a copy."""
    if not isinstance(operations, list):
        raise KubeError(400, "json patch must be a list of operations")
    document = copy.deepcopy(target)
    for operation in operations:
        if not isinstance(operation, dict) or "op" not in operation or "path" not in operation:
            raise KubeError(400, f"invalid json patch operation {operation!r}")
        op, path = operation["op"], operation["path"]
        if op == "add":
            document = _add(document, path, copy.deepcopy(operation.get("value")))
        elif op == "remove":
            document = _remove(document, path)
        elif op == "replace":
            document = _add(_remove(document, path), path, copy.deepcopy(operation.get("value")))
        elif op in ("move", "copy"):
            value = copy.deepcopy(_get(document, operation["from"]))
            if op == "move":
                document = _remove(document, operation["from"])
            document = _add(document, path, value)
        elif op == "test":
            if _get(document, path) != operation.get("value"):
                raise KubeError(422, f"testing value {path} failed")
        else:
            raise KubeError(400, f"unknown json patch operation {op!r}")
    return document


# ---------------------------------------------------------------- strategic merge patch

def _merge_key(field: str, items: list[Any]) -> str | None:
    if field == "ports":
        # Container ports merge on containerPort, Service ports on port.
        has_container_port = any(isinstance(item, dict) and "containerPort" in item for item in items)
        return "containerPort" if has_container_port else "port"
    return _MERGE_KEYS.get(field)


def _merge_keyed_list(original: list[Any], patch: list[Any], key: str,
                      order: list[Any] | None) -> list[Any]:
    result = [copy.deepcopy(item) for item in original]
    positions = {item.get(key): index for index, item in enumerate(result) if isinstance(item, dict)}
    deleted = set()
    for item in patch:
        if not isinstance(item, dict) or key not in item:
            raise KubeError(422, f"map in list is missing the merge key {key!r}")
        directive = item.get(_DIRECTIVE)
        if directive == "delete":
            deleted.add(item[key])
            continue
        if item[key] in positions:
            index = positions[item[key]]
            result[index] = strategic_merge_patch(result[index], item)
        else:
            positions[item[key]] = len(result)
            result.append(strategic_merge_patch({}, item))
    result = [item for item in result if not (isinstance(item, dict) and item.get(key) in deleted)]
    if order is not None:
        rank = {entry.get(key): index for index, entry in enumerate(order) if isinstance(entry, dict)}
        result.sort(key=lambda item: rank.get(item.get(key), len(rank)))
    return result


def strategic_merge_patch(original: Any, patch: Any) -> Any:
    """kubectl's strategic merge: like a merge patch, but keyed lists merge element-wise.

    Honours the directives kubectl emits: `$patch: replace|delete`, `$retainKeys`,
    `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`.
    """
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    directive = patch.get(_DIRECTIVE)
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != _DIRECTIVE}
    if directive == "delete":
        return None
    result = copy.deepcopy(original) if isinstance(original, dict) else {}
    orders = {k[len(_ORDER_PREFIX):]: v for k, v in patch.items() if k.startswith(_ORDER_PREFIX)}
    for key, value in patch.items():
        if key.startswith(_ORDER_PREFIX) or key in (_DIRECTIVE, _RETAIN_KEYS):
            continue
        if key.startswith(_DELETE_PRIMITIVE_PREFIX):
            field = key[len(_DELETE_PRIMITIVE_PREFIX):]
            result[field] = [item for item in result.get(field, []) if item not in value]
            continue
        if value is None:
            result.pop(key, None)
            continue
        current = result.get(key)
        if isinstance(value, list):
            merge_key = _merge_key(key, value + (current if isinstance(current, list) else []))
            if merge_key and isinstance(current, list):
                result[key] = _merge_keyed_list(current, value, merge_key, orders.get(key))
            elif key in _MERGED_PRIMITIVE_LISTS and isinstance(current, list):
                result[key] = current + [item for item in value if item not in current]
            elif merge_key:
                result[key] = _merge_keyed_list([], value, merge_key, orders.get(key))
            else:
                result[key] = copy.deepcopy(value)
        elif isinstance(value, dict):
            merged = strategic_merge_patch(current, value)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        else:
            result[key] = value
    if _RETAIN_KEYS in patch:
        keep = set(patch[_RETAIN_KEYS])
        result = {k: v for k, v in result.items() if k in keep}
    return result
