"""The emulated AWS side of the test world: moto's server plus the EKS operations moto lacks.

boto3 (or any AWS SDK, via AWS_ENDPOINT_URL) talks to `AwsEmulator.url`, in any region: each region has its own
clusters (`ControlPlanes`, as moto's backends are per region). A WSGI middleware in front of moto names every
request (service, botocore operation, cluster: aws_requests.py), injects the faults configured in
`WorldState.faults`, completes due updates first (`advance`) and records the request in `WorldState.log`. The EKS
operations moto does not serve are added in aws_responses.py; their behaviour lives in `EksControlPlane`
(aws_control_plane.py and the concern it is made of: aws_cluster_updates.py, aws_nodegroups.py, aws_addons.py,
aws_insights.py, aws_network.py), which keeps its extra state on moto's own Cluster objects (aws_records.py) so that
a moto reset clears it too. Seeding: aws_seeding.py. What eksworld needs of moto beyond its documented surface is in
moto_hooks.py.

moto's backends are process-global: run one emulator per process at a time.
"""
from __future__ import annotations

import os
import threading
import time
from http import HTTPStatus
from typing import Any, Callable, Iterable

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.test import EnvironBuilder

from eksworld import aws_autoscaling
from eksworld.aws_control_plane import ControlPlanes
from eksworld.aws_requests import RestJsonRouter, fault_response, identify
from eksworld.aws_responses import serve_with
from eksworld.aws_seeding import RegionSeeding, WorldSeeding
from eksworld.moto_hooks import MotoRequestHandler, WsgiApp, moto_wsgi_app
from eksworld.state import WorldState


class _QuietHandler(MotoRequestHandler):
    """moto's request handler without per-request logging, with Nagle off (else ~40 ms per response)."""

    disable_nagle_algorithm = True

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class AwsEmulator(WorldSeeding):
    """The emulated AWS endpoint: moto server + EKS extensions + fault/log middleware + seeding API."""

    def __init__(self, state: WorldState, region: str = "us-east-1", admin_app: WsgiApp | None = None) -> None:
        # moto loads ~1300 stock public AMIs each time an EC2 backend starts (0.2 s, again after every
        # reset); EKS node groups never look them up.
        os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        self.state = state
        self.region = region
        self.admin_app = admin_app
        aws_autoscaling.bind(state)
        # One control plane per region, as moto keeps backends per region: a request is served by its region's.
        self.planes = ControlPlanes(state, region)
        self.eks = self.planes.default
        self._moto_app = moto_wsgi_app()
        self._eks_router = RestJsonRouter("eks")
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # Serving -------------------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a background thread (one thread per request); returns the base URL."""
        self._server = make_server(host, port, self, threaded=True, request_handler=_QuietHandler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="eksworld-aws", daemon=True
        )
        self._thread.start()
        return self.url

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("AwsEmulator is not started")
        return f"http://{self._server.host}:{self._server.port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def reset(self) -> None:
        """Forget every AWS resource (moto's and the EKS extensions stored on them) and settings."""
        aws_autoscaling.bind(self.state)  # the emulator reset last serves instance refreshes
        with self.state.lock:
            # moto's documented reset endpoint, called in process (no HTTP hop, same lock as every request).
            environ = EnvironBuilder(method="POST", path="/moto-api/reset").get_environ()
            b"".join(self._moto_app(environ, lambda status, headers, exc_info=None: None))
            self.planes.set_insight_enforcement(False)

    def advance(self) -> None:
        """Complete updates whose emulated duration has passed (also done before every request)."""
        with self.state.lock:
            self.planes.advance()

    def set_insight_enforcement(self, enabled: bool) -> None:
        """Refuse UpdateClusterVersion on ERROR upgrade insights unless force (AWS's March 2025 behaviour)."""
        self.planes.set_insight_enforcement(enabled)

    def in_region(self, region: str) -> WorldSeeding:
        """The seeding API and accessors in `region` (this emulator's own region: itself)."""
        return self if region == self.region else RegionSeeding(self.state, self.planes(region))

    # Middleware ----------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith("/_world/") and self.admin_app is not None:
            return self.admin_app(environ, start_response)
        request = identify(environ, self._eks_router)
        if request is None:  # moto's own API (/moto-api/...) and anything unsigned: pass through, unlogged
            return [self._call_moto(environ, start_response)[1]]
        spec = self.state.faults.spec_for(request.cluster)
        injected = None
        if spec.latency_s > 0:
            time.sleep(spec.latency_s)
            injected = "latency"
        fault = "throttle" if self.state.faults.roll(spec.throttle_rate) else (
            "5xx" if self.state.faults.roll(spec.error_rate) else None
        )
        if fault:
            status, headers, body = fault_response(request.service, fault)
            headers.append(("Content-Length", str(len(body))))
            start_response(f"{status} {HTTPStatus(status).phrase}", headers)
            injected = fault
        else:
            status, body = self._call_moto(environ, start_response)
        self.state.log.add(
            service=request.service, operation=request.operation, cluster=request.cluster,
            mutating=request.mutating, status=status, injected=injected, fields=request.fields,
        )
        return [body]

    def _call_moto(self, environ: dict[str, Any], start_response: Callable) -> tuple[int, bytes]:
        """Let moto answer, serialized with the world's lock and after completing due updates."""
        sent: list[str] = []

        def capture(status_line: str, headers: list, exc_info: Any = None) -> Any:
            sent.append(status_line)
            return start_response(status_line, headers, exc_info)

        with self.state.lock:
            self.planes.advance()
            serve_with(self.planes)
            body = b"".join(self._moto_app(environ, capture))
        return int(sent[0].split()[0]), body

