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

import kubernetes
import pytest
from botocore.stub import Stubber
from kubernetes.client.exceptions import ApiException

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
    """time.monotonic and time.sleep for k8s_call: sleeping moves the clock, nothing waits."""

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
    fake = FakeClock()
    monkeypatch.setattr(kube.time, "monotonic", fake.monotonic)
    monkeypatch.setattr(kube.time, "sleep", fake.sleep)
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


def test_k8s_call_retries_server_errors_with_backoff(clock):
    method = Scripted(_status_error(503, "Service Unavailable", "busy"), _status_error(429, "Too Many", "slow"), "ok")
    assert kube.k8s_call("list nodes", method, _request_timeout=5) == "ok"
    assert len(method.calls) == 3 and method.calls[0][1] == {"_request_timeout": 5}
    assert clock.sleeps == [0.5, 1.0]


def test_k8s_call_gives_up_when_the_retry_time_is_spent(clock):
    """The default budget (no kube_client behind the method): backoff doubles to 10 s, the last pause ends
    exactly at the deadline, then one more attempt."""
    method = Scripted(*[_status_error(500, "Internal Server Error", "oops")] * 100)
    with pytest.raises(ModuleError) as raised:
        kube.k8s_call("list nodes", method)
    assert clock.sleeps[:6] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0] and set(clock.sleeps[6:-1]) == {10.0}
    assert sum(clock.sleeps) == kube.DEFAULT_RETRY_TIMEOUT
    retries = len(clock.sleeps)
    assert len(method.calls) == retries + 1
    assert raised.value.message == ("Failed to list nodes (the cluster): 500 Internal Server Error: oops "
                                    f"(retried {retries} times within kube_retry_timeout=300 s)")


def test_retry_time_and_count_come_from_the_module(kubeconfig, clients, clock):
    """kube_retry_timeout bounds the retries of a client's calls; each retry counts in kube_retries."""
    apis = kube.KubeApis(kube.kube_client({"kubeconfig": kubeconfig, "cluster_name": "prod",
                                           "kube_retry_timeout": 3}, clients=clients))
    assert clients.stats.as_dict()["kube_retries"] == 0  # reached for: the result says so even without retries
    with pytest.raises(ModuleError, match=r"^Kubernetes API of cluster prod unreachable: .*Connection refused.* "
                                          r"\(retried 3 times within kube_retry_timeout=3 s\)$"):
        kube.k8s_call("list nodes", apis.core.list_node)
    assert clock.sleeps == [0.5, 1.0, 1.5]
    assert clients.stats.as_dict()["kube_retries"] == 3


def test_one_outage_budget_per_client_not_per_call(kubeconfig, clients, clock):
    """The calls of one client share the budget of an outage: once it is spent, the next call that fails gives up
    at once (a cluster whose API is down fails in kube_retry_timeout, not in that times the calls it makes); a
    call that succeeds ends the outage, and the next one has the whole budget again."""
    apis = kube.KubeApis(kube.kube_client({"kubeconfig": kubeconfig, "cluster_name": "prod",
                                           "kube_retry_timeout": 3}, clients=clients))
    for action in ("list nodes", "list nodes again"):
        with pytest.raises(ModuleError, match="unreachable"):
            kube.k8s_call(action, apis.core.list_node)
    assert clock.sleeps == [0.5, 1.0, 1.5]  # the second call did not wait again
    healthy = Scripted(_status_error(503, "Service Unavailable", "busy"), "ok", _status_error(503, "busy", "b"), "ok")
    healthy.__self__ = apis.core  # as a bound method of the same client
    with pytest.raises(ModuleError, match="503"):
        kube.k8s_call("list nodes", healthy)  # still within the spent outage
    assert kube.k8s_call("list nodes", healthy) == "ok"  # the API answers: the outage is over
    assert kube.k8s_call("list nodes", healthy) == "ok"  # a new failure has the whole budget again
    assert clock.sleeps[3:] == [0.5]


def test_no_retries_with_a_zero_retry_time(kubeconfig, clients, clock):
    apis = kube.KubeApis(kube.kube_client({"kubeconfig": kubeconfig, "cluster_name": "prod",
                                           "kube_retry_timeout": 0}, clients=clients))
    with pytest.raises(ModuleError, match=r"^Kubernetes API of cluster prod unreachable: .*Connection refused$"):
        kube.k8s_call("list nodes", apis.core.list_node)
    assert clock.sleeps == [] and clients.stats.as_dict()["kube_retries"] == 0


def test_a_module_that_never_reaches_kubernetes_reports_no_kube_retries(clients):
    assert "kube_retries" not in clients.stats.as_dict()


def test_an_eks_client_follows_the_endpoint_eks_reports_after_a_connection_error(clients, clock):
    """The API server instances replaced: the address and CA DescribeCluster reports now are used."""
    dead = dict(CLUSTER, endpoint="https://127.0.0.1:1")
    moved_ca = b"-----BEGIN CERTIFICATE-----\nMIIBnewCA\n-----END CERTIFICATE-----\n"
    moved = dict(CLUSTER, endpoint="http://127.0.0.1:2",
                 certificateAuthority={"data": base64.b64encode(moved_ca).decode("ascii")})
    api_client = kube.kube_client({"cluster_name": "prod", "kube_retry_timeout": 1}, clients=clients, cluster=dead)
    apis = kube.KubeApis(api_client)
    old_pool = api_client.rest_client
    with Stubber(clients.eks.client) as stubber:
        stubber.add_response("describe_cluster", {"cluster": moved}, {"name": "prod"})
        stubber.add_response("describe_cluster", {"cluster": moved}, {"name": "prod"})
        with pytest.raises(ModuleError, match="unreachable"):
            kube.k8s_call("list nodes", apis.core.list_node)
        stubber.assert_no_pending_responses()
    assert api_client.configuration.host == "http://127.0.0.1:2"
    assert api_client.rest_client is not old_pool  # a new pool: no connection to the old address is reused


def test_non_json_error_body_is_shown_shortened():
    error = ApiException(status=502, reason="Bad Gateway")
    error.body = b"<html>" + b"x" * 500
    with pytest.raises(ModuleError) as raised:
        kube.k8s_call("list nodes", Scripted(*[error] * 100))
    assert raised.value.message.startswith("Failed to list nodes (the cluster): 502 Bad Gateway: <html>xxx")
    assert len(raised.value.message) < 320  # the body cut at 200 characters, then how often it was retried


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
