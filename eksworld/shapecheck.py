"""Strict response-shape checking for boto3 clients pointed at the emulated world.

botocore's parsers silently drop unknown keys and never check enums, required members or types, so
an emulator can drift from AWS without any test noticing (e.g. DescribeClusterVersions `status` is
lowercase `standard-support` while `versionStatus` is `STANDARD_SUPPORT`). `attach_shape_checker`
hooks the client's `after-call` event and walks the raw body of every successful response against
the operation's output shape, and of every JSON-protocol error against the error shapes the operation
declares (its code, HTTP status and members), raising ResponseShapeError on the first bad response.
"""
from __future__ import annotations

import datetime as _dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from botocore.model import OperationModel, Shape
from botocore.retries.standard import ThrottledRetryableChecker

_NOT_IN_BODY = {"header", "headers", "statusCode"}
# Envelope elements of XML protocols that are not part of any output shape.
_XML_ENVELOPE = {"requestId", "RequestId", "ResponseMetadata"}
# Errors any operation may answer though no model declares them: throttling (the codes botocore retries as
# such) and the service-wide failures of the JSON protocols.
_UNDECLARED_ERRORS = frozenset(ThrottledRetryableChecker._THROTTLED_ERROR_CODES) | {
    "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException",
    "IncompleteSignature", "MissingAuthenticationToken", "InternalFailure", "ServiceUnavailable",
}


class ResponseShapeError(AssertionError):
    """A response that a real AWS endpoint would not send."""


def check_response(operation_model: OperationModel, body: bytes) -> list[str]:
    """Problems found in a raw successful response body (empty list when it conforms)."""
    shape = operation_model.output_shape
    if shape is None:
        return []
    protocol = operation_model.metadata["protocol"]
    if protocol in ("json", "rest-json"):
        if not body.strip():
            return []
        return _check_json(shape, json.loads(body), operation_model.name, top_level=True)
    root = ET.fromstring(body)
    if protocol == "query":
        wrapper = shape.serialization.get("resultWrapper")
        result = next((child for child in root if _local(child.tag) == wrapper), None)
        if result is None:
            return [f"{operation_model.name}: missing <{wrapper}>"]
        return _check_xml_structure(shape, result, operation_model.name)
    return _check_xml_structure(shape, root, operation_model.name, envelope=True)


def check_error_response(operation_model: OperationModel, status: int, headers: Mapping[str, str],
                         body: bytes) -> list[str]:
    """Problems found in an error response of a JSON-protocol operation (empty list when it conforms).

    The error code must be one the operation declares (or a throttling / service-wide failure), answered with
    the HTTP status its shape gives, and the body may carry only that shape's members. XML protocols are not
    checked: EC2's model declares no error shapes.
    """
    if operation_model.metadata["protocol"] not in ("json", "rest-json"):
        return []
    name = operation_model.name
    try:
        document = json.loads(body) if body.strip() else {}
    except ValueError:
        return [f"{name}: error body is not JSON: {body[:80]!r}"]
    if not isinstance(document, dict):
        return [f"{name}: error body is not a JSON object"]
    lowered = {key.lower(): value for key, value in headers.items()}
    code = (lowered.get("x-amzn-errortype") or str(document.get("__type") or document.get("code") or ""))
    code = code.split(":")[0].rsplit("#", 1)[-1]
    if not code:
        return [f"{name}: HTTP {status} error without a code (x-amzn-ErrorType header or __type)"]
    if code in _UNDECLARED_ERRORS:
        return []
    declared = {shape.error_code: shape for shape in operation_model.error_shapes}
    shape = declared.get(code)
    if shape is None:
        return [f"{name}: {code} is not an error {name} declares ({', '.join(sorted(declared)) or 'none'})"]
    problems = []
    expected_status = shape.metadata.get("error", {}).get("httpStatusCode")
    if expected_status is not None and status != expected_status:
        problems.append(f"{name}.{code}: HTTP {status}, the model says {expected_status}")
    members = {key: value for key, value in document.items() if key != "__type"}
    return problems + _check_json(shape, members, f"{name}.{code}")


def attach_shape_checker(client: Any) -> None:
    """Make every call of `client` raise ResponseShapeError if its answer breaks the model (see the module doc)."""

    def after_call(http_response: Any, model: OperationModel, **_: Any) -> None:
        if 200 <= http_response.status_code < 300:
            problems = check_response(model, http_response.content)
        else:
            problems = check_error_response(model, http_response.status_code, http_response.headers,
                                            http_response.content)
        if problems:
            raise ResponseShapeError("; ".join(problems))

    client.meta.events.register("after-call", after_call)


# --- JSON ----------------------------------------------------------------------------------------


def _check_json(shape: Shape, value: Any, path: str, top_level: bool = False) -> list[str]:
    if value is None:
        return [f"{path}: null (AWS omits absent members)"]
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected object, got {type(value).__name__}"]
        members = {
            name: member for name, member in shape.members.items()
            if not (top_level and member.serialization.get("location") in _NOT_IN_BODY)
        }
        by_wire_name = {member.serialization.get("name", name): member for name, member in members.items()}
        problems = [f"{path}.{key}: unknown member" for key in value if key not in by_wire_name]
        problems += [
            f"{path}.{name}: required member missing"
            for name in shape.required_members
            if name in members and members[name].serialization.get("name", name) not in value
        ]
        for key, item in value.items():
            if key in by_wire_name:
                problems += _check_json(by_wire_name[key], item, f"{path}.{key}")
        return problems
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected list, got {type(value).__name__}"]
        return [p for i, item in enumerate(value) for p in _check_json(shape.member, item, f"{path}[{i}]")]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected map, got {type(value).__name__}"]
        return [p for key, item in value.items() for p in _check_json(shape.value, item, f"{path}[{key!r}]")]
    return _check_json_scalar(shape, value, path)


def _check_json_scalar(shape: Shape, value: Any, path: str) -> list[str]:
    kind = shape.type_name
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected string, got {value!r}"]
        return _check_enum(shape, value, path)
    if kind in ("integer", "long"):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind in ("float", "double"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif kind == "boolean":
        ok = isinstance(value, bool)
    elif kind == "timestamp":
        if shape.serialization.get("timestampFormat") == "iso8601":
            return _check_iso_timestamp(value, path)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:  # blob, document
        ok = kind != "blob" or isinstance(value, str)
    return [] if ok else [f"{path}: expected {kind}, got {value!r}"]


# --- XML (ec2 and query protocols) ---------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _wire_name(name: str, shape: Shape) -> str:
    return shape.serialization.get("name", name)


def _check_xml_structure(shape: Shape, element: ET.Element, path: str, envelope: bool = False) -> list[str]:
    by_wire_name = {_wire_name(name, member): member for name, member in shape.members.items()}
    problems: list[str] = []
    seen: set[str] = set()
    flattened_items: dict[str, list[ET.Element]] = {}
    for child in element:
        tag = _local(child.tag)
        member = by_wire_name.get(tag)
        if member is None:
            if not (envelope and tag in _XML_ENVELOPE):
                problems.append(f"{path}.{tag}: unknown member")
            continue
        seen.add(tag)
        if member.type_name == "list" and member.serialization.get("flattened"):
            flattened_items.setdefault(tag, []).append(child)
        else:
            problems += _check_xml(member, child, f"{path}.{tag}")
    for tag, items in flattened_items.items():
        list_shape = by_wire_name[tag]
        for i, item in enumerate(items):
            problems += _check_xml(list_shape.member, item, f"{path}.{tag}[{i}]")
    problems += [
        f"{path}.{name}: required member missing"
        for name in shape.required_members
        if _wire_name(name, shape.members[name]) not in seen
    ]
    return problems


def _check_xml(shape: Shape, element: ET.Element, path: str) -> list[str]:
    kind = shape.type_name
    if kind == "structure":
        return _check_xml_structure(shape, element, path)
    if kind == "list":
        item_tag = shape.member.serialization.get("name", "member")
        problems = []
        for i, child in enumerate(element):
            if _local(child.tag) != item_tag:
                problems.append(f"{path}: unexpected <{_local(child.tag)}> (items are <{item_tag}>)")
            else:
                problems += _check_xml(shape.member, child, f"{path}[{i}]")
        return problems
    if kind == "map":
        problems = []
        key_tag = shape.key.serialization.get("name", "key")
        value_tag = shape.value.serialization.get("name", "value")
        for entry in element:
            parts = {_local(part.tag): part for part in entry}
            if key_tag not in parts or value_tag not in parts:
                problems.append(f"{path}: map entry without <{key_tag}>/<{value_tag}>")
            else:
                problems += _check_xml(shape.value, parts[value_tag], f"{path}[{parts[key_tag].text!r}]")
        return problems
    return _check_xml_scalar(shape, element.text or "", path)


def _check_xml_scalar(shape: Shape, text: str, path: str) -> list[str]:
    kind = shape.type_name
    if kind == "string":
        return _check_enum(shape, text, path)
    if kind == "timestamp":
        return _check_iso_timestamp(text, path)
    if kind == "boolean":
        ok = text in ("true", "false")
    else:
        converter = {"integer": int, "long": int, "float": float, "double": float}.get(kind)
        try:
            ok = converter is None or converter(text) is not None
        except ValueError:
            ok = False
    return [] if ok else [f"{path}: expected {kind}, got {text!r}"]


# --- shared --------------------------------------------------------------------------------------


def _check_enum(shape: Shape, value: str, path: str) -> list[str]:
    allowed = getattr(shape, "enum", None)
    if allowed and value not in allowed:
        return [f"{path}: {value!r} is not one of {sorted(allowed)}"]
    return []


def _check_iso_timestamp(value: Any, path: str) -> list[str]:
    try:
        _dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return [f"{path}: expected ISO 8601 timestamp, got {value!r}"]
    return []
