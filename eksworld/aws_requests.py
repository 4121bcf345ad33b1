"""Naming AWS requests (service, botocore operation, cluster) for the request log and fault injection, and the
error responses AWS sends when throttling or failing."""
from __future__ import annotations

import io
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote

import botocore.session


@dataclass(frozen=True)
class AwsRequest:
    service: str
    operation: str
    cluster: str | None
    fields: list[str] | None = None  # member names of an EKS JSON body (see RequestRecord.fields)

    @property
    def mutating(self) -> bool:
        return not self.operation.startswith(("Describe", "List", "Get", "Head", "Query", "Scan", "BatchGet"))


class RestJsonRouter:
    """Maps method + path to a botocore operation name using the service model's requestUri templates."""

    def __init__(self, service: str) -> None:
        model = botocore.session.get_session().get_service_model(service)
        routes = []
        for name in model.operation_names:
            http = model.operation_model(name).http
            template = http["requestUri"].split("?")[0]
            literal = len(re.sub(r"\{[^}]+\}", "", template))
            pattern = re.sub(r"\{([^}+]+)\+?\}", r"(?P<\1>[^/]+)", template)
            routes.append((literal, http["method"], re.compile(f"^{pattern}$"), name))
        # Most literal text first, so /clusters/{name}/updates wins over /clusters/{name}.
        self._routes = sorted(routes, key=lambda route: -route[0])

    def operation(self, method: str, path: str) -> str:
        for _, route_method, regex, name in self._routes:
            if route_method == method and regex.match(path):
                return name
        return "Unknown"


_CLUSTER_PATH = re.compile(r"^/clusters/([^/]+)")
# S3 REST requests (path-style, as boto3 sends them to a custom endpoint) by method: (on an object, on a bucket).
_S3_OPERATIONS = {
    "GET": ("GetObject", "ListObjects"),
    "HEAD": ("HeadObject", "HeadBucket"),
    "PUT": ("PutObject", "CreateBucket"),
    "DELETE": ("DeleteObject", "DeleteBucket"),
}


def s3_operation(method: str, path: str, query: str) -> str:
    """The S3 operation of a request, for those the collection and its tests send; others are "Unknown"."""
    bucket, _, key = path.lstrip("/").partition("/")
    params = parse_qs(query, keep_blank_values=True)
    if params.get("x-id"):  # botocore names some operations itself (?x-id=GetObject)
        return params["x-id"][0]
    if not bucket:
        return "ListBuckets" if method == "GET" else "Unknown"
    if method == "POST" and "delete" in params:
        return "DeleteObjects"
    if set(params) - {"list-type", "prefix", "delimiter", "max-keys", "continuation-token", "encoding-type",
                      "start-after", "marker", "versionId", "x-id"}:
        return "Unknown"  # a sub-resource (acl, tagging, uploads, ...) nobody here uses
    on_object, on_bucket = _S3_OPERATIONS.get(method, ("Unknown", "Unknown"))
    if not key and on_bucket == "ListObjects" and params.get("list-type") == ["2"]:
        return "ListObjectsV2"
    return on_object if key else on_bucket
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")


def _member_names(body: dict[str, Any], prefix: str = "") -> list[str]:
    """Every member name of a JSON body, nested objects' members dotted ("launchTemplate.version"); no values."""
    names = []
    for key, value in body.items():
        names.append(prefix + key)
        if isinstance(value, dict):
            names += _member_names(value, f"{prefix}{key}.")
    return sorted(names)


def _read_body(environ: dict[str, Any]) -> bytes:
    """Read the request body and put it back so moto can read it again."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


# --- Injected fault responses --------------------------------------------------------------------


def fault_response(service: str, kind: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """What AWS answers when throttling ("throttle") or failing ("5xx"), per protocol family."""
    request_id = str(uuid.uuid4())
    if service == "ec2":
        code, status, message = (
            ("RequestLimitExceeded", 503, "Request limit exceeded.") if kind == "throttle"
            else ("InternalError", 500, "An internal error has occurred.")
        )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
            f"<Code>{code}</Code><Message>{message}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>"
        )
        return status, [("Content-Type", "text/xml;charset=UTF-8")], body.encode()
    if service == "eks":
        code, status, message = (
            ("ThrottlingException", 429, "Rate exceeded") if kind == "throttle"
            else ("ServerException", 500, "An internal error occurred. Try again later.")
        )
        headers = [("Content-Type", "application/json"), ("x-amzn-errortype", code), ("x-amzn-RequestId", request_id)]
        return status, headers, json.dumps({"message": message}).encode()
    code, status, fault_type, message = (
        ("Throttling", 400, "Sender", "Rate exceeded") if kind == "throttle"
        else ("InternalFailure", 500, "Receiver", "An internal error occurred.")
    )
    body = (
        f"<ErrorResponse><Error><Type>{fault_type}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return status, [("Content-Type", "text/xml")], body.encode()


def identify(environ: dict[str, Any], eks_router: RestJsonRouter) -> AwsRequest | None:
    """Service, botocore operation and cluster of a signed AWS request (None for anything else)."""
    match = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if not match:
        return None
    service = match.group(1)
    path = environ.get("PATH_INFO", "")
    if service == "eks":
        cluster = _CLUSTER_PATH.match(path)
        operation = eks_router.operation(environ["REQUEST_METHOD"], path)
        fields = None
        if environ["REQUEST_METHOD"] in ("POST", "PUT"):
            try:
                body = json.loads(_read_body(environ) or b"null")
            except ValueError:
                body = None
            fields = _member_names(body) if isinstance(body, dict) else None
        return AwsRequest(service, operation, unquote(cluster.group(1)) if cluster else None, fields)
    if service in ("dynamodb", "ssm"):  # JSON protocol: the operation is in the X-Amz-Target header
        operation = environ.get("HTTP_X_AMZ_TARGET", "").rpartition(".")[2]
        return AwsRequest(service, operation or "Unknown", None)
    if service == "s3":
        return AwsRequest(service, s3_operation(environ["REQUEST_METHOD"], path,
                                                 environ.get("QUERY_STRING", "")), None)
    params = parse_qs(environ.get("QUERY_STRING", ""))
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        params.update(parse_qs(_read_body(environ).decode()))
    return AwsRequest(service, params.get("Action", ["Unknown"])[0], None)

