"""An emulated Kubernetes API server: many virtual EKS clusters on one port (http.server).

Each cluster lives under `/k8s/<name>` (the official client and kubectl accept a server URL
with a path). No kube-apiserver can run here and the PyPI emulators answer too slowly or too
loosely (see /work/shared/reference/test-world-notes.md), so this server implements what the
upgrade tooling, kubectl and kubernetes.core need: discovery, CRUD with resourceVersion
checks, the three patch types, selectors, watches, Status errors, EKS-style token
authentication, and the shared request log and fault injection.
"""
from __future__ import annotations

import base64
import contextlib
import hmac
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

from eksworld.kube_crashloop import CrashLoops
from eksworld.kube_fargate import FargateRollouts
from eksworld.kube_routes import Route, discovery, not_found_path, route_request
from eksworld.kube_status import KubeError, success
from eksworld.kube_store import ClusterStore
from eksworld.kube_types import JsonObject, ResourceType
from eksworld.kube_table import table, wants_table
from eksworld.kube_tls import ServerTls
from eksworld.state import WorldState

__all__ = ["DEFAULT_TOKEN", "ClusterStore", "KubeEmulator", "KubeError", "ResourceType",
           "write_kubeconfig"]

DEFAULT_TOKEN = "eksworld-kube-token-5f1c2a9d7e3b4c8a"
# `aws eks get-token` output: a presigned STS GetCallerIdentity URL, base64url encoded.
EKS_TOKEN_PREFIX = "k8s-aws-v1."
# Without timeoutSeconds, kube-apiserver keeps a watch open 30-60 minutes; shorter here so
# idle clients reconnect (and see a restarted world) sooner.
DEFAULT_WATCH_S = 60.0
MUTATING_VERBS = frozenset({"create", "update", "patch", "delete", "deletecollection"})
PATCH_CONTENT_TYPES = {
    "application/merge-patch+json": "merge",
    "application/json-patch+json": "json",
    "application/strategic-merge-patch+json": "strategic",
}
# Kinds whose DELETE answers with the object rather than a Status, as in kube-apiserver.
RETURNS_DELETED_OBJECT = frozenset({("", "pods"), ("", "namespaces")})

BeforeRequest = Callable[[], None]
# Given a cluster name: how its API fails this request while its API server instances are replaced
# ("drop" the connection or answer "503"), or None when it answers normally.
Outage = Callable[[str], "str | None"]


def write_kubeconfig(path: str | Path, cluster_name: str, server_url: str, token: str,
                     context_name: str | None = None, ca_pem: str | None = None) -> Path:
    """A one-cluster kubeconfig with bearer-token auth, readable by kubectl and the client.

    Pass `ca_pem` (KubeEmulator.ca_pem) for an https server: it becomes
    certificate-authority-data, as in the kubeconfig `aws eks update-kubeconfig` writes.
    """
    context = context_name or cluster_name
    cluster: dict[str, str] = {"server": server_url}
    if ca_pem:
        cluster["certificate-authority-data"] = base64.b64encode(ca_pem.encode()).decode()
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": [{"name": cluster_name, "cluster": cluster}],
        "users": [{"name": cluster_name, "user": {"token": token}}],
        "contexts": [{"name": context, "context": {"cluster": cluster_name, "user": cluster_name}}],
        "current-context": context,
    }
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(config, sort_keys=False))
    target.chmod(0o600)  # it holds a credential
    return target


class _Response:
    def __init__(self, status: int, body: Any = None, content_type: str = "application/json",
                 stream: Iterator[JsonObject] | None = None) -> None:
        self.status = status
        self.body = body
        self.content_type = content_type
        self.stream = stream


def _as_served(resource_type: ResourceType, obj: JsonObject, in_list: bool) -> JsonObject:
    """Shape a stored object for the response.

    Built-in kinds come without apiVersion/kind inside lists (kube-apiserver leaves list items'
    TypeMeta empty); custom resources keep theirs; objects stored through another version of a
    custom resource are relabelled with the version asked for.
    """
    if in_list and not resource_type.custom:
        return {key: value for key, value in obj.items() if key not in ("apiVersion", "kind")}
    if obj.get("apiVersion") != resource_type.api_version:
        return dict(obj, apiVersion=resource_type.api_version)
    return obj


class KubeEmulator:
    """The HTTP front: routing, auth, faults and logging in front of one ClusterStore per cluster."""

    def __init__(self, state: WorldState, before_request: BeforeRequest | None = None,
                 outage: Outage | None = None) -> None:
        self.state = state
        self.before_request = before_request
        self.outage = outage
        self._lock = threading.Lock()
        self._clusters: dict[str, ClusterStore] = {}
        self._custom_types: list[dict[str, Any]] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._base_url = ""
        self._tls: ServerTls | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self, host: str = "127.0.0.1", port: int = 0, tls: bool = False) -> str:
        """Serve in a background daemon thread; returns the base URL (http[s]://host:port).

        With `tls`, answer https with a certificate from a fresh CA (`ca_pem`), like an EKS
        endpoint: needed for kubectl to send its token, which client-go never does over http.
        """
        if self._server is not None:
            raise RuntimeError("the Kubernetes emulator is already running")
        self._tls = ServerTls(host) if tls else None
        server = _Server((host, port), _Handler, self, self._tls.context if self._tls else None)
        self._server = server
        self._base_url = f"{'https' if tls else 'http'}://{host}:{server.server_address[1]}"
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="eksworld-kube", daemon=True)
        self._thread.start()
        return self._base_url

    def stop(self) -> None:
        """Stop serving, end open watches and drop kept-alive connections."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        server.close_connections()
        with self._lock:
            stores = list(self._clusters.values())
        for store in stores:
            store.end_watches()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def url(self) -> str:
        """Base URL (http[s]://host:port), empty until started."""
        return self._base_url

    @property
    def ca_pem(self) -> str | None:
        """The CA of the https endpoints (None over http)."""
        return self._tls.ca_pem if self._tls else None

    def rotate_certificate(self) -> None:
        """Present a new server certificate from the same CA on new connections (new API server instances)."""
        if self._tls is not None:
            self._tls.rotate()

    # ------------------------------------------------------------------ clusters

    def add_cluster(self, name: str, git_version: str = "v1.29.15-eks-abc1234",
                    token: str = DEFAULT_TOKEN) -> ClusterStore:
        """Create an empty virtual cluster (no namespaces yet: the caller seeds what it needs)."""
        store = ClusterStore(name, git_version, token, clock=self.state.clock.now)
        crash_loops = CrashLoops(store, lambda: self.state.faults.spec_for(name).crash_loop_image)
        fargate_rollouts = FargateRollouts(store)

        def workload_hook(resource_type: ResourceType, obj: JsonObject) -> None:
            fargate_rollouts(resource_type, obj)  # first: it moves the Fargate pods of the old template
            crash_loops(resource_type, obj)

        store.workload_hook = workload_hook
        with self._lock:
            if name in self._clusters:
                raise ValueError(f"cluster {name!r} already exists")
            for registration in self._custom_types:
                store.register_resource(**registration)
            self._clusters[name] = store
        return store

    def cluster(self, name: str) -> ClusterStore:
        with self._lock:
            return self._clusters[name]

    def find_cluster(self, name: str) -> ClusterStore | None:
        with self._lock:
            return self._clusters.get(name)

    def remove_cluster(self, name: str) -> None:
        with self._lock:
            store = self._clusters.pop(name, None)
        if store is not None:
            store.end_watches()

    def url_for(self, name: str) -> str:
        return f"{self._base_url}/k8s/{name}"

    def register_resource(self, group: str, version: str, kind: str, plural: str,
                          namespaced: bool = True, *, short_names: tuple[str, ...] = (),
                          status_subresource: bool = True) -> None:
        """Serve a custom resource on every cluster, present and future (a CRD everywhere)."""
        registration: dict[str, Any] = {
            "group": group, "version": version, "kind": kind, "plural": plural, "namespaced": namespaced,
            "short_names": tuple(short_names), "status_subresource": status_subresource}
        with self._lock:
            self._custom_types.append(registration)
            stores = list(self._clusters.values())
        for store in stores:
            store.register_resource(**registration)

    def reset(self) -> None:
        """Forget every cluster and custom resource registration (the server keeps running)."""
        with self._lock:
            stores = list(self._clusters.values())
            self._clusters.clear()
            self._custom_types.clear()
        for store in stores:
            store.end_watches()

    # ------------------------------------------------------------------ request handling

    def authenticate(self, store: ClusterStore, route: Route, authorization: str | None) -> None:
        """Bearer token of the cluster, or any EKS IAM token (`k8s-aws-v1.`, not verified).

        A request without credentials is anonymous over https (public endpoints only, as on
        EKS) but allowed over http, like kube-apiserver's old insecure port: kubectl never sends
        a token over http, and tests still drive kubectl that way.
        """
        if authorization is None:
            if route.endpoint in ("version", "health") or self.ca_pem is None:
                return
            what = (f'{route.verb} resource "{route.target}"' if route.endpoint == "resource"
                    else f'{route.verb} path "{route.target}"')
            raise KubeError(403, f'forbidden: User "system:anonymous" cannot {what}')
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() == "bearer" and (token.startswith(EKS_TOKEN_PREFIX)
                                           or hmac.compare_digest(token.encode(), store.token.encode())):
            return
        raise KubeError(401, "Unauthorized")

    def dispatch(self, store: ClusterStore, route: Route, query: dict[str, str],
                 body: bytes, headers: Message) -> _Response:
        """Answer an authenticated request (faults were already applied)."""
        if route.endpoint == "version":
            return _Response(200, store.version_info())
        if route.endpoint == "health":
            return _Response(200, b"ok", "text/plain; charset=utf-8")
        if route.endpoint == "discovery":
            return _Response(200, discovery(store, route.group_path, headers.get("Host", "")))
        if route.endpoint != "resource" or route.resource_type is None:
            raise not_found_path()
        return self._resource_request(store, route, route.resource_type, query, body, headers)

    def _resource_request(self, store: ClusterStore, route: Route, resource_type: ResourceType,
                          query: dict[str, str], body: bytes, headers: Message) -> _Response:
        dry_run = query.get("dryRun") == "All"
        as_table = wants_table(headers.get("Accept", ""))
        if route.subresource is not None and route.subresource not in resource_type.subresources():
            raise not_found_path()
        if route.verb == "get":
            obj = store.api_get(resource_type, route.namespace, route.name or "")
            if route.subresource == "scale":
                return _Response(200, store.scale(resource_type, obj))
            if as_table:
                return _Response(200, table(resource_type, [obj], obj["metadata"]["resourceVersion"],
                                            store.clock()))
            return _Response(200, _as_served(resource_type, obj, in_list=False))
        if route.verb == "list":
            items, resource_version = store.api_list(resource_type, route.namespace,
                                                     query.get("labelSelector"), query.get("fieldSelector"))
            if as_table:
                return _Response(200, table(resource_type, items, resource_version, store.clock()))
            return _Response(200, {
                "kind": f"{resource_type.kind}List", "apiVersion": resource_type.api_version,
                "metadata": {"resourceVersion": resource_version},
                "items": [_as_served(resource_type, item, in_list=True) for item in items]})
        if route.verb == "watch":
            timeout = float(query.get("timeoutSeconds") or DEFAULT_WATCH_S)
            events = store.api_watch(resource_type, route.namespace, query.get("labelSelector"),
                                     query.get("fieldSelector"), query.get("resourceVersion"), timeout,
                                     send_initial_events=query.get("sendInitialEvents") == "true")
            return _Response(200, stream=(
                event if event["type"] in ("ERROR", "BOOKMARK")
                else dict(event, object=_as_served(resource_type, event["object"], in_list=False))
                for event in events))
        if route.verb == "create":
            obj = self._body_object(resource_type, route, body)
            return _Response(201, _as_served(resource_type, store.api_create(resource_type, obj, dry_run),
                                             in_list=False))
        if route.verb == "update":
            obj = self._body_object(resource_type, route, body)
            updated = store.api_update(resource_type, obj, route.subresource, dry_run)
            return _Response(200, updated if route.subresource == "scale"
                             else _as_served(resource_type, updated, in_list=False))
        if route.verb == "patch":
            media_type = headers.get("Content-Type", "").split(";")[0].strip().lower()
            patch_type = PATCH_CONTENT_TYPES.get(media_type)
            if patch_type is None:
                raise KubeError(415, f'the body of the request was in an unknown format - accepted '
                                     f'media types include: {", ".join(PATCH_CONTENT_TYPES)}')
            patched = store.api_patch(resource_type, route.namespace, route.name or "", patch_type,
                                      _parse_json(body), route.subresource, dry_run)
            return _Response(200, patched if route.subresource == "scale"
                             else _as_served(resource_type, patched, in_list=False))
        if route.verb == "delete":
            deleted = store.api_delete(resource_type, route.namespace, route.name or "", dry_run)
            if resource_type.custom or resource_type.storage_key in RETURNS_DELETED_OBJECT:
                return _Response(200, _as_served(resource_type, deleted, in_list=False))
            return _Response(200, success(resource_type.plural, resource_type.group,
                                          route.name or "", deleted["metadata"]["uid"]))
        if route.verb == "deletecollection":
            items, resource_version = store.api_list(resource_type, route.namespace,
                                                     query.get("labelSelector"), query.get("fieldSelector"))
            deleted_items = [store.api_delete(resource_type, item["metadata"].get("namespace"),
                                              item["metadata"]["name"], dry_run) for item in items]
            return _Response(200, {
                "kind": f"{resource_type.kind}List", "apiVersion": resource_type.api_version,
                "metadata": {"resourceVersion": resource_version},
                "items": [_as_served(resource_type, item, in_list=True) for item in deleted_items]})
        raise KubeError(405, f"{route.verb} is not supported on {route.target}")

    @staticmethod
    def _body_object(resource_type: ResourceType, route: Route, body: bytes) -> JsonObject:
        """The object in a POST/PUT body, checked against the URL as kube-apiserver does."""
        obj = _parse_json(body)
        if not isinstance(obj, dict):
            raise KubeError(400, "the body of the request must be a JSON object")
        api_version, kind = (("autoscaling/v1", "Scale") if route.subresource == "scale"
                             else (resource_type.api_version, resource_type.kind))
        for field, expected in (("apiVersion", api_version), ("kind", kind)):
            if obj.get(field) not in (None, "", expected):
                raise KubeError(400, f"the API version in the data ({obj.get('apiVersion')}) or kind "
                                     f"({obj.get('kind')}) does not match the expected {api_version} {kind}")
        metadata = obj.get("metadata")
        if not isinstance(metadata, dict):
            metadata = obj["metadata"] = {}
        if resource_type.namespaced:
            if metadata.get("namespace") not in (None, "", route.namespace):
                raise KubeError(400, "the namespace of the provided object does not match the "
                                     "namespace sent on the request")
            metadata["namespace"] = route.namespace or "default"
        if route.name is not None:
            if metadata.get("name") not in (None, "", route.name):
                raise KubeError(400, f"the name of the object ({metadata.get('name')}) does not "
                                     f"match the name on the URL ({route.name})")
            metadata["name"] = route.name
        return obj


def _parse_json(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError as error:
        raise KubeError(400, f"error decoding the request body: {error}") from None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default backlog of 5 refuses bursts from parallel Ansible forks

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler],
                 emulator: KubeEmulator, ssl_context: ssl.SSLContext | None) -> None:
        self.emulator = emulator
        self.ssl_context = ssl_context
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Runs in the connection's own thread: do the TLS handshake here, not in accept()."""
        if self.ssl_context is None:
            super().finish_request(request, client_address)
            return
        try:
            secure = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return  # a client that gave up or does not trust the CA
        try:
            super().finish_request(secure, client_address)
        finally:
            secure.close()

    def track(self, connection: socket.socket, open_: bool) -> None:
        with self._connections_lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self) -> None:
        """Kept-alive connections outlive shutdown(); end them so clients see the stop."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"      # keep-alive: every answer carries a Content-Length
    disable_nagle_algorithm = True     # otherwise each small response waits ~40 ms for an ACK
    server_version = "eksworld-kube"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        self.server.track(self.connection, False)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the shared request log records requests (without their tokens)."""

    # http.server dispatches on do_<METHOD>.
    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        """Answer one request and record it in the shared log (before sending, so a test that
        has its answer also sees the record)."""
        state = self.server.emulator.state
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        record: dict[str, Any] = {"service": "k8s", "operation": f"{method.lower()} unknown",
                                  "cluster": None, "mutating": method != "GET", "injected": None}
        try:
            response = self._respond(method, body, record)
        except Exception as error:  # a server answers 500, it does not crash
            response = _Response(500, KubeError(500, f"Internal error occurred: {error!r}").status())
        if response is None:
            self.close_connection = True  # answer nothing: the client sees the connection drop
            state.log.add(status=0, **record)
            return
        state.log.add(status=response.status, **record)
        self._send(response)

    def _respond(self, method: str, body: bytes, record: dict[str, Any]) -> _Response | None:
        """The answer, or None to drop the connection; fills `record` as facts become known."""
        emulator = self.server.emulator
        if emulator.before_request is not None:
            emulator.before_request()
        url = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        parts = [unquote(part) for part in url.path.split("/") if part]
        cluster_name = parts[1] if len(parts) >= 2 and parts[0] == "k8s" else ""
        store = emulator.find_cluster(cluster_name) if cluster_name else None
        record["cluster"] = cluster_name or None
        if store is None:
            return _Response(404, KubeError(404, f'no emulated cluster is served at "{url.path}"').status())
        route = route_request(store, method, parts[2:], query)
        record["operation"] = f"{route.verb} {route.target}"
        record["mutating"] = route.verb in MUTATING_VERBS
        faults = emulator.state.faults
        spec = faults.spec_for(cluster_name)
        if spec.latency_s > 0:
            time.sleep(spec.latency_s)
            record["injected"] = "latency"
        if spec.k8s_unreachable:
            record["injected"] = "unreachable"
            return None
        outage = emulator.outage(cluster_name) if emulator.outage is not None else None
        if outage is not None:
            record["injected"] = "outage"
            if outage == "drop":
                return None
            return _Response(503, KubeError(503, "the server is currently unable to handle the request",
                                            reason="ServiceUnavailable").status())
        if faults.roll(spec.k8s_error_rate):
            record["injected"] = "5xx"
            return _Response(500, KubeError(500, "Internal error occurred: injected fault").status())
        try:
            emulator.authenticate(store, route, self.headers.get("Authorization"))
            return emulator.dispatch(store, route, query, body, self.headers)
        except KubeError as error:
            return _Response(error.code, error.status())

    def _send(self, response: _Response) -> None:
        if response.stream is not None:
            self._send_stream(response.stream)
            return
        if isinstance(response.body, bytes):
            payload = response.body
        else:
            payload = json.dumps(response.body, separators=(",", ":")).encode()
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        self.wfile.write(payload)

    def _send_stream(self, events: Iterator[JsonObject]) -> None:
        """A watch: one JSON event per chunk until the watch times out or the server stops."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for event in events:
                chunk = json.dumps(event, separators=(",", ":")).encode() + b"\n"
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True  # the client went away mid-watch
