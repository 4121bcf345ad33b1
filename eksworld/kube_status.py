"""Kubernetes API errors as the real apiserver reports them (metav1.Status).

Clients branch on `reason` and `code` (kubernetes.core retries on some, treats NotFound as
"absent"), so the emulator must answer with the same shapes and wording as kube-apiserver.
"""
from __future__ import annotations

from typing import Any

REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Conflict",
    410: "Expired",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
}


class KubeError(Exception):
    """An API failure; `status()` is the body kube-apiserver would send for it."""

    def __init__(self, code: int, message: str, reason: str | None = None,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or REASONS.get(code, "Unknown")
        self.details = details

    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details is not None:
            body["details"] = self.details
        return body


def not_found(resource: str, group: str, name: str) -> KubeError:
    """`deployments.apps "x" not found`: the wording clients and humans grep for."""
    qualified = f"{resource}.{group}" if group else resource
    return KubeError(404, f'{qualified} "{name}" not found',
                     details={"name": name, "group": group, "kind": resource} if group
                     else {"name": name, "kind": resource})


def already_exists(resource: str, group: str, name: str) -> KubeError:
    qualified = f"{resource}.{group}" if group else resource
    return KubeError(409, f'{qualified} "{name}" already exists', reason="AlreadyExists",
                     details={"name": name, "group": group, "kind": resource})


def conflict(resource: str, group: str, name: str) -> KubeError:
    """The optimistic-concurrency failure a stale resourceVersion gets on update."""
    qualified = f"{resource}.{group}" if group else resource
    return KubeError(409, f'Operation cannot be fulfilled on {qualified} "{name}": the object '
                          "has been modified; please apply your changes to the latest version "
                          "and try again",
                     details={"name": name, "group": group, "kind": resource})


def invalid(kind: str, name: str, field: str, message: str) -> KubeError:
    return KubeError(422, f'{kind} "{name}" is invalid: {field}: {message}',
                     details={"name": name, "kind": kind,
                              "causes": [{"reason": "FieldValueInvalid", "message": message,
                                          "field": field}]})


def success(resource: str, group: str, name: str, uid: str) -> dict[str, Any]:
    """What DELETE answers for built-in kinds deleted at once (no finalizers pending)."""
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "details": {"name": name, "group": group, "kind": resource, "uid": uid}}
