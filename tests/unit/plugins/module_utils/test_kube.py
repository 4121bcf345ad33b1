# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of module_utils/kube.py: building the ApiClient, EKS tokens, retries and error messages."""
import base64
import copy
import gc
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import kubernetes
import pytest
from botocore.stub import Stubber
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import MaxRetryError

from ansible_collections.lifecycle.eks.plugins.module_utils import kube
from tests.unit.plugins.module_utils.aws_module import aws_clients
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from tests.conftest import COLLECTIONS, ROOT

CA_PEM = b"-----BEGIN CERTIFICATE-----\nMIIBfakeCA\n-----END CERTIFICATE-----\n"
ENDPOINT = "https://0123456789ABCDEF.gr7.us-east-1.eks.amazonaws.com"
CLUSTER = {"name": "prod", "status": "ACTIVE", "endpoint": ENDPOINT,
           "certificateAuthority": {"data": base64.b64encode(CA_PEM).decode("ascii")}}
KUBECONFIG = """
apiVersion: v1
kind: Config
current-context: test
clusters:
  - name: test
    cluster: {server: "http://127.0.0.1:1"}
  - name: other
    cluster: {server: "http://127.0.0.1:2"}
users:
  - name: test
    user: {token: static-token}
contexts:
  - name: test
    context: {cluster: test, user: test}
  - name: other
    context: {cluster: other, user: test}
"""


class FakeClock:
    """The clock and sleep of the retries (OutageRetry): sleeping moves the clock, nothing waits."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Every client kube_client builds retries on the fake clock."""
    fake = FakeClock()
    real = kube.kube_retry
    monkeypatch.setattr(kube, "kube_retry", lambda connection, **given: real(
        connection, **{"clock": fake.monotonic, "sleep": fake.sleep, **given}))
    return fake


@pytest.fixture(autouse=True)
def no_k8s_auth_variables(monkeypatch):
    """The K8S_AUTH_* variables of whoever runs the tests would choose the client's source."""
    for name in list(os.environ):
        if name.startswith("K8S_AUTH_"):
            monkeypatch.delenv(name)


@pytest.fixture
def kubeconfig(tmp_path):
    path = tmp_path / "kubeconfig"
    path.write_text(KUBECONFIG)
    return str(path)


@pytest.fixture
def clients(monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_EKS"):
        monkeypatch.delenv(name, raising=False)
    return aws_clients(region="us-east-1", access_key="AKIDEXAMPLE", secret_key="secret")


def _bearer(api_client):
    return api_client.configuration.auth_settings()["BearerToken"]["value"]


# From a kubeconfig


def test_kube_client_from_kubeconfig(kubeconfig):
    api_client = kube.kube_client({"kubeconfig": kubeconfig, "context": None, "cluster_name": "prod"})
    assert api_client.configuration.host == "http://127.0.0.1:1"
    assert _bearer(api_client) == "Bearer static-token"


def test_kube_client_selects_the_context(kubeconfig):
    api_client = kube.kube_client({"kubeconfig": kubeconfig, "context": "other"})
    assert api_client.configuration.host == "http://127.0.0.1:2"


def test_context_alone_reads_the_default_kubeconfig(monkeypatch, kubeconfig):
    monkeypatch.setattr("kubernetes.config.kube_config.KUBE_CONFIG_DEFAULT_LOCATION", kubeconfig)
    assert kube.kube_client({"context": "other"}).configuration.host == "http://127.0.0.1:2"


def test_missing_kubeconfig(tmp_path):
    path = str(tmp_path / "nope")
    with pytest.raises(ModuleError, match=f"^kubeconfig {path} not found$"):
        kube.kube_client({"kubeconfig": path})


def test_unreadable_kubeconfig(tmp_path):
    path = tmp_path / "broken"
    path.write_text("clusters: [unclosed\n")
    with pytest.raises(ModuleError, match="^Could not configure the Kubernetes client from kubeconfig: "):
        kube.kube_client({"kubeconfig": str(path)})


def test_unknown_context(kubeconfig):
    with pytest.raises(ModuleError, match=r"^Could not configure the Kubernetes client from kubeconfig, context "
                                          r"nope: .*Expected object with name nope in .*contexts list"):
        kube.kube_client({"kubeconfig": kubeconfig, "context": "nope"})


def test_k8s_auth_variables_alone_select_the_kubeconfig(monkeypatch, kubeconfig):
    """kubernetes.core's environment variables, read as its modules read them: no option needed."""
    monkeypatch.setenv("K8S_AUTH_KUBECONFIG", kubeconfig)
    monkeypatch.setenv("K8S_AUTH_CONTEXT", "other")
    assert kube.kube_client({"cluster_name": "prod"}).configuration.host == "http://127.0.0.1:2"


def test_options_win_over_k8s_auth_variables(monkeypatch, kubeconfig):
    monkeypatch.setenv("K8S_AUTH_CONTEXT", "other")
    assert kube.kube_client({"kubeconfig": kubeconfig, "context": "test"}).configuration.host == "http://127.0.0.1:1"


def test_host_and_api_key_need_no_kubeconfig(monkeypatch, tmp_path):
    monkeypatch.setattr("kubernetes.config.kube_config.KUBE_CONFIG_DEFAULT_LOCATION", str(tmp_path / "none"))
    ca_cert = tmp_path / "ca.crt"
    ca_cert.write_bytes(CA_PEM)
    api_client = kube.kube_client({"host": "https://api.example.com/", "api_key": "secret-token",
                                   "ca_cert": str(ca_cert), "kube_validate_certs": False,
                                   "impersonate_user": "upgrader", "impersonate_groups": ["a", "b"]})
    configuration = api_client.configuration
    assert configuration.host == "https://api.example.com"
    assert _bearer(api_client) == "Bearer secret-token"
    assert configuration.ssl_ca_cert == str(ca_cert) and configuration.verify_ssl is False
    headers = [(str(name), value) for name, value in api_client.default_headers.items()]  # one per group
    assert sorted(item for item in headers if item[0].startswith("Impersonate-")) == [
        ("Impersonate-Group", "a"), ("Impersonate-Group", "b"), ("Impersonate-User", "upgrader")]


def test_no_client_inherits_the_kubeconfig_another_loaded(kubeconfig):
    """kubernetes.core loads a kubeconfig into the package's global default Configuration: the next client, built
    from options alone, must not carry its token or server."""
    kube.kube_client({"kubeconfig": kubeconfig})
    api_client = kube.kube_client({"host": "http://127.0.0.1:3", "api_key": "other-token"})
    assert _bearer(api_client) == "Bearer other-token"
    default = kubernetes.client.Configuration.get_default_copy()
    assert "127.0.0.1" not in default.host and not default.api_key


def test_kubeconfig_file_is_never_rewritten(kubeconfig):
    before = os.stat(kubeconfig).st_mtime_ns
    kube.kube_client({"kubeconfig": kubeconfig})
    assert os.stat(kubeconfig).st_mtime_ns == before


# Straight from EKS


def test_kube_client_from_the_eks_cluster(clients):
    api_client = kube.kube_client({"cluster_name": "prod"}, clients=clients, cluster=CLUSTER)
    configuration = api_client.configuration
    assert configuration.host == ENDPOINT
    assert _bearer(api_client).startswith("Bearer k8s-aws-v1.")
    assert configuration.ca_cert_data == CA_PEM.decode("ascii")
    assert configuration.ssl_ca_cert is None and configuration.verify_ssl


def test_ca_goes_to_a_temporary_file_for_older_kubernetes_clients(monkeypatch, clients):
    monkeypatch.setattr(kube, "_supports_ca_cert_data", lambda configuration: False)
    api_client = kube.kube_client({"cluster_name": "prod"}, clients=clients, cluster=CLUSTER)
    path = api_client.configuration.ssl_ca_cert
    with open(path, "rb") as ca_file:
        assert ca_file.read() == CA_PEM
    del api_client
    gc.collect()
    assert not os.path.exists(path)


def test_transport_options_apply_to_the_eks_client(monkeypatch, clients):
    monkeypatch.setenv("K8S_AUTH_PROXY", "http://proxy.example.com:3128")
    api_client = kube.kube_client({"cluster_name": "prod", "kube_validate_certs": False, "no_proxy": "10.0.0.0/8",
                                   "impersonate_user": "upgrader"}, clients=clients, cluster=CLUSTER)
    configuration = api_client.configuration
    assert (configuration.host, configuration.proxy, configuration.no_proxy, configuration.verify_ssl) == (
        ENDPOINT, "http://proxy.example.com:3128", "10.0.0.0/8", False)
    assert _bearer(api_client).startswith("Bearer k8s-aws-v1.")
    assert api_client.default_headers["Impersonate-User"] == "upgrader"


def test_http_endpoint_needs_no_ca(clients):
    cluster = dict(CLUSTER, endpoint="http://127.0.0.1:8080")
    configuration = kube.kube_client({"cluster_name": "prod"}, clients=clients, cluster=cluster).configuration
    assert configuration.host == "http://127.0.0.1:8080"
    assert configuration.ca_cert_data is None and configuration.ssl_ca_cert is None


def test_cluster_is_described_when_not_given(clients):
    with Stubber(clients.eks.client) as stubber:
        stubber.add_response("describe_cluster", {"cluster": CLUSTER}, {"name": "prod"})
        api_client = kube.kube_client({"cluster_name": "prod"}, clients=clients)
    assert api_client.configuration.host == ENDPOINT


def test_eks_needs_aws_clients_and_an_endpoint(clients):
    with pytest.raises(ModuleError, match="set kubeconfig, context or host, or AWS credentials"):
        kube.kube_client({"cluster_name": "prod"}, cluster=CLUSTER)
    with pytest.raises(ModuleError, match=r"Cluster prod has no Kubernetes API endpoint yet \(status CREATING\)"):
        kube.kube_client({"cluster_name": "prod"}, clients=clients, cluster={"status": "CREATING"})


def test_eks_token_is_signed_again_as_it_ages(monkeypatch, clients):
    signed = []
    monkeypatch.setattr(kube, "presigned_eks_token", lambda c, name: signed.append(name) or f"k8s-aws-v1.{len(signed)}")
    now = [0.0]
    token = kube._EksToken(clients, "prod", clock=lambda: now[0])
    configuration = kubernetes.client.Configuration()
    token.refresh(configuration)
    now[0] = kube.TOKEN_REFRESH_AFTER - 1
    token.refresh(configuration)
    assert configuration.api_key["authorization"] == "k8s-aws-v1.1"
    now[0] = kube.TOKEN_REFRESH_AFTER + 1
    token.refresh(configuration)
    assert (signed, configuration.api_key["authorization"]) == (["prod", "prod"], "k8s-aws-v1.2")


def test_eks_configuration_can_be_deep_copied(clients):
    configuration = kube.kube_client({"cluster_name": "prod"}, clients=clients, cluster=CLUSTER).configuration
    duplicate = copy.deepcopy(configuration)
    assert duplicate.refresh_api_key_hook.__self__ is configuration.refresh_api_key_hook.__self__


# Calls


def _status_error(status, reason, message):
    error = ApiException(status=status, reason=reason)
    error.body = json.dumps({"kind": "Status", "status": "Failure", "message": message, "code": status})
    return error


class Scripted:
    """A stand-in API method answering from a script; exceptions in it are raised."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = []

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_k8s_call_reports_the_status_message():
    method = Scripted(_status_error(404, "Not Found", 'nodes "n1" not found'))
    with pytest.raises(ModuleError) as raised:
        kube.k8s_call("read node n1", method, "n1")
    assert raised.value.message == 'Failed to read node n1 (the cluster): 404 Not Found: nodes "n1" not found'
    assert raised.value.details == {"http_status": 404}
    assert method.calls == [(("n1",), {"_request_timeout": kube.REQUEST_TIMEOUT})]


def test_not_found_is_none():
    assert kube.not_found_is_none("read node n1", Scripted(_status_error(404, "Not Found", "gone")), "n1") is None
    with pytest.raises(ModuleError, match="403 Forbidden: nodes is forbidden"):
        kube.not_found_is_none("read node n1", Scripted(_status_error(403, "Forbidden", "nodes is forbidden")), "n1")


NODE_LIST = {"kind": "NodeList", "apiVersion": "v1", "metadata": {}, "items": []}


def status(code, reason, message, headers=None):
    """A scripted answer: a Kubernetes Status body."""
    return code, reason, {"kind": "Status", "status": "Failure", "message": message, "code": code}, headers or {}


OK = (200, "OK", NODE_LIST, {})
DROP = "drop"  # the connection closes without an answer: a read error for the client


class ScriptedApi:
    """A Kubernetes API on 127.0.0.1 answering each request from a script (then 200 and an empty NodeList):
    the calls go through the kubernetes client and urllib3, retries included."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []
        self._lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                with api._lock:
                    api.requests.append((self.command, self.path))
                    answer = api.answers.pop(0) if api.answers else OK
                if answer == DROP:
                    self.close_connection = True
                    return
                code, reason, body, headers = answer
                data = json.dumps(body).encode()
                self.send_response(code, reason)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = do_PATCH = do_PUT = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def script(self, *answers):
        with self._lock:
            self.answers.extend(answers)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def api_server():
    servers = []

    def start(*answers):
        servers.append(ScriptedApi(*answers))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def apis_of(monkeypatch, tmp_path, clients):
    """KubeApis for a server, built by kube_client from the host option (no kubeconfig read)."""
    monkeypatch.setattr("kubernetes.config.kube_config.KUBE_CONFIG_DEFAULT_LOCATION", str(tmp_path / "none"))

    def build(url, **params):
        return kube.KubeApis(kube.kube_client({"host": url, "api_key": "token", "cluster_name": "prod", **params},
                                              clients=clients))

    return build


def _kube_retries(clients):
    return clients.stats.as_dict()["kube_retries"]


def test_the_client_retries_through_urllib3(clients):
    """The retries are urllib3's, configured on the client: kubernetes hands them to its PoolManager."""
    api_client = kube.kube_client({"host": "http://127.0.0.1:1", "api_key": "t", "kube_retry_timeout": 7},
                                  clients=clients)
    retries = api_client.configuration.retries
    assert retries.connection.retry_timeout == 7 and retries.connection.stats is clients.stats
    assert api_client.rest_client.pool_manager.connection_pool_kw["retries"] is retries
    assert retries.allowed_methods is None and set(retries.status_forcelist) == {429, 500, 502, 503, 504}
    assert retries.raise_on_status is False and retries.respect_retry_after_header


def test_server_errors_are_retried_with_backoff(api_server, apis_of, clients, clock):
    server = api_server(status(503, "Service Unavailable", "busy"), status(429, "Too Many Requests", "slow"))
    apis = apis_of(server.url)
    assert kube.k8s_call("list nodes", apis.core.list_node, _request_timeout=5).items == []
    assert server.requests == [("GET", "/api/v1/nodes")] * 3
    assert clock.sleeps == [0.5, 1.0]
    assert _kube_retries(clients) == 2


def test_every_method_is_retried_and_dropped_connections_too(api_server, apis_of, clients, clock):
    """A POST is retried like a GET (the API server replacement fails them all alike), and so is a connection
    that closes without an answer (a read error)."""
    server = api_server(DROP, status(502, "Bad Gateway", "no upstream"),
                        (201, "Created", {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "x"}}, {}))
    apis = apis_of(server.url)
    created = kube.k8s_call("create Namespace x", apis.core.create_namespace, {"metadata": {"name": "x"}})
    assert created.metadata.name == "x"
    assert server.requests == [("POST", "/api/v1/namespaces")] * 3
    assert clock.sleeps == [0.5, 1.0] and _kube_retries(clients) == 2


def test_retry_after_is_honoured(api_server, apis_of, clock):
    server = api_server(status(429, "Too Many Requests", "slow down", {"Retry-After": "7"}))
    kube.k8s_call("list nodes", apis_of(server.url).core.list_node)
    assert clock.sleeps == [7.0] and len(server.requests) == 2


def test_a_404_is_not_retried(api_server, apis_of, clients, clock):
    server = api_server(status(404, "Not Found", 'nodes "n1" not found'))
    with pytest.raises(ModuleError) as raised:
        kube.k8s_call("read node n1", apis_of(server.url).core.read_node, "n1")
    assert raised.value.message == 'Failed to read node n1 (cluster prod): 404 Not Found: nodes "n1" not found'
    assert raised.value.details == {"http_status": 404}
    assert len(server.requests) == 1 and clock.sleeps == [] and _kube_retries(clients) == 0


def test_the_last_503_surfaces_with_its_message_once_the_retry_time_is_spent(api_server, apis_of, clients, clock):
    """Retries until kube_retry_timeout after the first failure, the last pause ending at the deadline; the answer
    after it is the kubernetes ApiException, its Status message in the error."""
    server = api_server(*[status(503, "Service Unavailable", "busy")] * 10)
    apis = apis_of(server.url, kube_retry_timeout=3)
    with pytest.raises(ModuleError) as raised:
        kube.k8s_call("list nodes", apis.core.list_node)
    assert raised.value.message == ("Failed to list nodes (cluster prod): 503 Service Unavailable: busy "
                                    "(retried 3 times within kube_retry_timeout=3 s)")
    assert raised.value.details == {"http_status": 503}
    assert isinstance(raised.value.__cause__, ApiException) and raised.value.__cause__.status == 503
    assert clock.sleeps == [0.5, 1.0, 1.5] and len(server.requests) == 4
    assert _kube_retries(clients) == 3


def test_the_default_retry_time_backs_off_to_the_cap(api_server, apis_of, clock):
    """The default budget (300 s): backoff doubles to 10 s, the last pause ends exactly at the deadline, then one
    more attempt."""
    server = api_server(*[status(500, "Internal Server Error", "oops")] * 100)
    with pytest.raises(ModuleError) as raised:
        kube.k8s_call("list nodes", apis_of(server.url).core.list_node)
    assert clock.sleeps[:6] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0] and set(clock.sleeps[6:-1]) == {10.0}
    assert sum(clock.sleeps) == kube.DEFAULT_RETRY_TIMEOUT
    retries = len(clock.sleeps)
    assert len(server.requests) == retries + 1
    assert raised.value.message == ("Failed to list nodes (cluster prod): 500 Internal Server Error: oops "
                                    f"(retried {retries} times within kube_retry_timeout=300 s)")


def test_retry_time_and_count_come_from_the_module(kubeconfig, clients, clock):
    """kube_retry_timeout bounds the retries of a client's calls; each retry counts in kube_retries."""
    apis = kube.KubeApis(kube.kube_client({"kubeconfig": kubeconfig, "cluster_name": "prod",
                                           "kube_retry_timeout": 3}, clients=clients))
    assert _kube_retries(clients) == 0  # reached for: the result says so even without retries
    with pytest.raises(ModuleError, match=r"^Kubernetes API of cluster prod unreachable: .*Connection refused.* "
                                          r"\(retried 3 times within kube_retry_timeout=3 s\)$"):
        kube.k8s_call("list nodes", apis.core.list_node)
    assert clock.sleeps == [0.5, 1.0, 1.5]
    assert _kube_retries(clients) == 3


def test_one_outage_budget_per_client_not_per_call(api_server, apis_of, clients, clock):
    """The calls of one client share the budget of an outage: once it is spent, the next call that fails gives up
    at once (a cluster whose API is down fails in kube_retry_timeout, not in that times the calls it makes); a
    call that succeeds ends the outage, and the next one has the whole budget again."""
    server = api_server(*[status(503, "Service Unavailable", "busy")] * 5)
    apis = apis_of(server.url, kube_retry_timeout=3)
    with pytest.raises(ModuleError, match=r"busy \(retried 3 times"):
        kube.k8s_call("list nodes", apis.core.list_node)
    with pytest.raises(ModuleError, match=r"^Failed to list nodes again \(cluster prod\): 503 Service Unavailable: "
                                          r"busy$"):
        kube.k8s_call("list nodes again", apis.core.list_node)  # still within the spent outage: no retry
    assert clock.sleeps == [0.5, 1.0, 1.5] and len(server.requests) == 5
    assert kube.k8s_call("list nodes", apis.core.list_node).items == []  # the API answers: the outage is over
    server.script(status(503, "Service Unavailable", "busy"))
    assert kube.k8s_call("list nodes", apis.core.list_node).items == []  # a new failure has the whole budget
    assert clock.sleeps[3:] == [0.5] and _kube_retries(clients) == 4


def test_an_answer_that_is_no_failure_ends_the_outage(api_server, apis_of, clock):
    server = api_server(*[status(503, "Service Unavailable", "busy")] * 4, status(404, "Not Found", "gone"),
                        status(503, "Service Unavailable", "busy"))
    apis = apis_of(server.url, kube_retry_timeout=3)
    with pytest.raises(ModuleError, match="503"):
        kube.k8s_call("list nodes", apis.core.list_node)
    assert kube.not_found_is_none("read node n1", apis.core.read_node, "n1") is None
    assert kube.k8s_call("list nodes", apis.core.list_node).items == []
    assert clock.sleeps == [0.5, 1.0, 1.5, 0.5]


def test_no_retries_with_a_zero_retry_time(kubeconfig, clients, clock):
    apis = kube.KubeApis(kube.kube_client({"kubeconfig": kubeconfig, "cluster_name": "prod",
                                           "kube_retry_timeout": 0}, clients=clients))
    with pytest.raises(ModuleError, match=r"^Kubernetes API of cluster prod unreachable: .*Connection refused"
                                          r"[^(]*$"):
        kube.k8s_call("list nodes", apis.core.list_node)
    assert clock.sleeps == [] and _kube_retries(clients) == 0


def test_a_module_that_never_reaches_kubernetes_reports_no_kube_retries(clients):
    assert "kube_retries" not in clients.stats.as_dict()


# OutageRetry on its own: the deadline, copies, sleeping


def _retry(retry_timeout, clock, stats=None):
    return kube.kube_retry(kube._Connection("prod", retry_timeout, stats), clock=clock.monotonic, sleep=clock.sleep)


def _503():
    import urllib3

    return urllib3.HTTPResponse(status=503, headers={}, preload_content=False)


def test_retries_before_the_deadline_and_gives_up_after(clock):
    retry = _retry(10, clock)
    first = retry.increment("GET", "/api", response=_503())  # the outage begins now
    clock.now += 9.9
    second = first.increment("GET", "/api", response=_503())
    assert len(second.history) == 2
    clock.now += 0.1  # 10 s since the first failure
    with pytest.raises(MaxRetryError):
        second.increment("GET", "/api", response=_503())
    assert retry.connection.call_retries == 2


def test_a_tls_failure_is_not_retried(clock):
    """A CA or certificate that does not match fails the call at once, not after kube_retry_timeout."""
    from urllib3.exceptions import SSLError

    retry = _retry(10, clock)
    with pytest.raises(MaxRetryError):
        retry.increment("GET", "/api", error=SSLError("certificate verify failed"))
    assert retry.connection.call_retries == 0


def test_connection_errors_are_retried(clock):
    from urllib3.exceptions import NewConnectionError

    retry = _retry(10, clock)
    again = retry.increment("GET", "/api", error=NewConnectionError(None, "connection refused"))
    assert len(again.history) == 1 and not again.is_exhausted()


def test_copies_share_the_budget_counter_clock_and_sleep(clients, clock):
    retry = _retry(10, clock, clients.stats)
    retry.connection.begin_call()
    copy_ = retry.increment("GET", "/api", response=_503())
    assert copy_ is not retry and type(copy_) is type(retry)
    assert copy_.connection is retry.connection and copy_.now() == clock.now
    assert copy_.status_forcelist == retry.status_forcelist
    copy_.sleep()  # the first retry's pause
    assert clock.sleeps == [0.5]
    assert _kube_retries(clients) == 1 and retry.connection.call_retries == 1
    assert copy.deepcopy(retry) is retry  # Configuration copies keep the client's budget


def test_a_pause_never_runs_past_the_deadline(clock):
    retry = _retry(2, clock)
    import urllib3

    slow = urllib3.HTTPResponse(status=429, headers={"Retry-After": "120"}, preload_content=False)
    retry.increment("GET", "/api", response=slow).sleep(slow)
    assert clock.sleeps == [2.0]


def test_non_json_error_body_is_shown_shortened():
    error = ApiException(status=502, reason="Bad Gateway")
    error.body = b"<html>" + b"x" * 500
    with pytest.raises(ModuleError) as raised:
        kube.k8s_call("list nodes", Scripted(error))
    assert raised.value.message.startswith("Failed to list nodes (the cluster): 502 Bad Gateway: <html>xxx")
    assert len(raised.value.message) < 260  # the body cut at 200 characters


def test_unreachable_api_names_the_cluster(kubeconfig):
    apis = kube.KubeApis(kube.kube_client({"kubeconfig": kubeconfig, "cluster_name": "prod"}))
    with pytest.raises(ModuleError, match="^Kubernetes API of cluster prod unreachable: .*Connection refused"):
        kube.k8s_call("list nodes", apis.core.list_node)


def test_typed_apis_share_one_client(kubeconfig):
    api_client = kube.kube_client({"kubeconfig": kubeconfig})
    apis = kube.KubeApis(api_client)
    typed = (apis.core, apis.apps, apis.policy, apis.version, apis.storage, apis.custom)
    assert all(api.api_client is api_client for api in typed)


# Importing the kubernetes client only when a module reaches the cluster


def test_importing_the_modules_does_not_import_kubernetes():
    """kubernetes costs 0.3 to 1.5 CPU s to import: only building a client or making a call may pay it.

    In a new interpreter, so that what other tests imported does not count.
    """
    code = """if True:
        import importlib, pathlib, sys
        importlib.import_module("ansible_collections.lifecycle.eks.plugins.module_utils.runner")
        importlib.import_module("ansible_collections.lifecycle.eks.plugins.module_utils.kube")
        for path in sorted(pathlib.Path("plugins/modules").glob("eks_*.py")):
            importlib.import_module("ansible_collections.lifecycle.eks.plugins.modules." + path.stem)
        print(sorted(name for name in sys.modules if name.split(".")[0] == "kubernetes"))
    """
    env = dict(os.environ, PYTHONPATH=os.pathsep.join((str(COLLECTIONS), str(ROOT))))
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


class FailingModule:
    def fail_json(self, **kwargs):
        raise AssertionError(kwargs)


def test_require_kubernetes_only_looks_for_the_package(monkeypatch):
    kube.require_kubernetes(FailingModule())
    monkeypatch.setitem(sys.modules, "kubernetes", None)  # as if not installed: find_spec() finds nothing
    with pytest.raises(AssertionError) as raised:
        kube.require_kubernetes(FailingModule())
    assert "Failed to import the required Python library (kubernetes)" in raised.value.args[0]["msg"]


def test_kubernetes_that_fails_to_import_fails_the_module_cleanly(monkeypatch, kubeconfig):
    monkeypatch.setitem(sys.modules, "kubernetes", None)
    kube._kubernetes.cache_clear()
    try:
        with pytest.raises(ModuleError, match="kubernetes is installed but could not be imported") as raised:
            kube.kube_client({"kubeconfig": kubeconfig})
    finally:
        kube._kubernetes.cache_clear()
    assert "import of kubernetes halted" in raised.value.details["exception"]
