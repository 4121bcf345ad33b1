"""An emulated container image registry: the OCI distribution API's tags list, behind an anonymous token, over https.

Serves what the collection reads of a registry such as registry.k8s.io (whose backend asks for a token):

- ``GET /v2/<name>/tags/list`` without a token answers 401 with ``WWW-Authenticate: Bearer realm=...,service=...,
  scope="repository:<name>:pull"``; ``GET /token?service=...&scope=...`` gives an anonymous token for that scope.
- Pages of at most ``page_size`` tags (fewer with ``n``), the next one named by a ``Link: <...>; rel="next"`` header
  carrying ``n`` and ``last``, as the distribution spec says.
- Unreachable on demand (``reachable: false``): nothing listens on its address, connections are refused.

A scenario configures it at the top level (all optional)::

    registry:
      reachable: true          # false: nothing answers at its address
      named: true              # the inventory names it (eks_cluster_autoscaler_registry) for every cluster
      page_size: 50
      tags: {autoscaling/cluster-autoscaler: [v1.30.4, ...]}   # replaces that repository's default tags

and a cluster's Cluster Autoscaler pulls from it, as from a mirror, with ``cluster_autoscaler_mirror: true``.
"""
from __future__ import annotations

import contextlib
import json
import secrets
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from eksworld.kube_tls import ServerTls

AUTOSCALER_REPOSITORY = "autoscaling/cluster-autoscaler"
SERVICE = "eksworld-registry"
SETTINGS = ("reachable", "named", "page_size", "tags")
# The latest patch of each Cluster Autoscaler minor the emulated registry serves (1.22 too, which the collection's
# table leaves out), each minor with all its patches, a release candidate and per-architecture tags beside them.
_LATEST_PATCH = {22: 3, 23: 1, 24: 3, 25: 3, 26: 8, 27: 8, 28: 7, 29: 5, 30: 4, 31: 5, 32: 4, 33: 6, 34: 5, 35: 2,
                 36: 1}


def default_autoscaler_tags() -> list[str]:
    tags = []
    for minor, latest in _LATEST_PATCH.items():
        tags.append(f"v1.{minor}.0-rc.1")
        for patch in range(latest + 1):
            tags += [f"v1.{minor}.{patch}", f"v1.{minor}.{patch}-amd64", f"v1.{minor}.{patch}-arm64"]
    # Only a pre-release of the next minor, a signature tag and a moving tag: none is a release.
    return tags + ["v1.37.0-rc.0", "sha256-" + "a" * 64 + ".sig", "latest"]


def settings(data: Any) -> dict[str, Any]:
    """The scenario's `registry`, validated, with defaults."""
    data = {} if data is None else data
    if not isinstance(data, dict) or set(data) - set(SETTINGS):
        raise ValueError(f"registry: a mapping of {', '.join(SETTINGS)}, got {data!r}")
    tags = data.get("tags") or {}
    if not isinstance(tags, dict) or not all(isinstance(v, list) for v in tags.values()):
        raise ValueError("registry: tags must map repositories to lists of tags")
    page_size = int(data.get("page_size", 50))
    if page_size < 1:
        raise ValueError("registry: page_size must be at least 1")
    return {"reachable": bool(data.get("reachable", True)), "named": bool(data.get("named", True)),
            "page_size": page_size,
            "tags": {AUTOSCALER_REPOSITORY: default_autoscaler_tags(),
                     **{k: [str(t) for t in v] for k, v in tags.items()}}}


class RegistryEmulator:
    def __init__(self) -> None:
        self.settings = settings(None)
        self.requests: list[dict[str, Any]] = []
        self._tokens: dict[str, str] = {}  # token -> scope it grants
        self._lock = threading.Lock()
        self._tls: ServerTls | None = None
        self._server: _Server | None = None
        self._address: tuple[str, int] | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> RegistryEmulator:
        self._tls = self._tls or ServerTls(host)
        self._server = _Server((host, port), _Handler, self)
        self._address = (host, self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, name="eksworld-registry", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def configure(self, data: Any) -> None:
        """Apply a scenario's `registry` settings (reachable or not, page size, tags)."""
        self.settings = settings(data)
        self.set_reachable(self.settings["reachable"])

    def set_reachable(self, reachable: bool) -> None:
        """Listen at the same address again, or stop listening there (connections refused)."""
        self.settings["reachable"] = reachable
        if reachable and self._server is None and self._address is not None:
            self.start(*self._address)
        elif not reachable:
            self.stop()

    @property
    def host(self) -> str:
        """host:port, as an image reference names a registry."""
        if self._address is None:
            raise RuntimeError("start the registry first")
        return "%s:%d" % self._address

    @property
    def ca_pem(self) -> str:
        if self._tls is None:
            raise RuntimeError("start the registry first")
        return self._tls.ca_pem

    @property
    def context(self) -> ssl.SSLContext:
        assert self._tls is not None
        return self._tls.context

    def image(self, repository: str, tag: str) -> str:
        return f"{self.host}/{repository}:{tag}"

    # -- the API ---------------------------------------------------------------------------------
    def answer(self, path: str, query: dict[str, str], authorization: str | None) -> tuple[int, dict[str, str], Any]:
        """(status, headers, JSON body) of a GET."""
        with self._lock:
            self.requests.append({"path": path, "query": dict(query), "token": authorization is not None})
        if path == "/token":
            return self._token(query)
        if path == "/v2/" or path == "/v2":
            return 200, {}, {}
        if not (path.startswith("/v2/") and path.endswith("/tags/list")):
            return 404, {}, _errors("NAME_UNKNOWN", f"no route {path}")
        repository = path[len("/v2/"):-len("/tags/list")]
        scope = f"repository:{repository}:pull"
        token = (authorization or "").removeprefix("Bearer ").strip()
        if self._tokens.get(token) != scope:
            challenge = f'Bearer realm="https://{self.host}/token",service="{SERVICE}",scope="{scope}"'
            return 401, {"WWW-Authenticate": challenge}, _errors("UNAUTHORIZED", "authentication required")
        if repository not in self.settings["tags"]:
            return 404, {}, _errors("NAME_UNKNOWN", f"repository {repository} not known to registry")
        return self._page(repository, query)

    def _token(self, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        if query.get("service") != SERVICE or not query.get("scope", "").endswith(":pull"):
            return 400, {}, _errors("UNSUPPORTED", "service and a pull scope are required")
        token = secrets.token_hex(16)
        with self._lock:
            self._tokens[token] = query["scope"]
        return 200, {}, {"token": token, "access_token": token, "expires_in": 300}

    def _page(self, repository: str, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        tags = sorted(self.settings["tags"][repository])  # lexical order, as the spec requires
        size = self.settings["page_size"]
        if query.get("n"):
            size = max(1, min(size, int(query["n"])))
        last = query.get("last")
        remaining = [t for t in tags if last is None or t > last]
        page = remaining[:size]
        headers = {}
        if len(remaining) > size:
            headers["Link"] = '</v2/%s/tags/list?%s>; rel="next"' % (repository, urlencode({"n": size,
                                                                                          "last": page[-1]}))
        return 200, headers, {"name": repository, "tags": page}


def _errors(code: str, message: str) -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message}]}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler],
                 registry: RegistryEmulator) -> None:
        self.registry = registry
        super().__init__(address, handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        """The TLS handshake in the connection's own thread."""
        try:
            secure = self.registry.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return  # a client that does not trust the CA
        try:
            super().finish_request(secure, client_address)
        finally:
            with contextlib.suppress(OSError):
                secure.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "eksworld-registry"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the registry's request list records requests."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        status, headers, body = self.server.registry.answer(url.path, query, self.headers.get("Authorization"))
        data = json.dumps(body).encode()
        self.send_response(status)
        for key, value in {"Content-Type": "application/json", "Content-Length": str(len(data)),
                           "Docker-Distribution-API-Version": "registry/2.0", **headers}.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


def mirror_autoscaler(store: Any, cluster: dict[str, Any], registry: RegistryEmulator) -> None:
    """With `cluster_autoscaler_mirror: true`, the cluster's Cluster Autoscaler pulls from this registry."""
    if not cluster.get("cluster_autoscaler_mirror"):
        return
    obj = store.get("apps/v1", "Deployment", "kube-system", "cluster-autoscaler")
    if obj is None:
        raise ValueError(f"cluster {cluster['name']}: cluster_autoscaler_mirror needs workloads.cluster_autoscaler")
    for container in obj["spec"]["template"]["spec"]["containers"]:
        tag = container["image"].rpartition(":")[2]
        container["image"] = registry.image(AUTOSCALER_REPOSITORY, tag)
    store.replace(obj)


def inventory_vars(registry: RegistryEmulator, out_dir: Any) -> dict[str, Any]:
    """What the inventory says of the registry: its CA (as a user names a mirror's) and, when `named`, its address."""
    ca_path = out_dir / "registry-ca.pem"
    ca_path.write_text(registry.ca_pem)
    variables: dict[str, Any] = {"eks_cluster_autoscaler_registry_ca_path": str(ca_path)}
    if registry.settings["named"]:
        variables["eks_cluster_autoscaler_registry"] = f"{registry.host}/{AUTOSCALER_REPOSITORY}"
    return variables
