# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's module_utils boilerplate (coding, __future__, __metaclass__)
"""All Kubernetes API access of lifecycle.eks: one ApiClient per cluster, retried calls, clear errors.

The client is configured by kubernetes.core from its auth options and K8S_AUTH_* variables (a kubeconfig, a
context, a host and its credentials) when the user gives any, else straight from EKS: the DescribeCluster endpoint
and CA plus the bearer token ``aws eks get-token`` would print (what kubernetes.core cannot do, and what AWX needs).

During and right after a control-plane update EKS replaces the API server instances (new addresses, new
certificates from the cluster CA): calls retry connection errors, 429 and 5xx with backoff for up to
``kube_retry_timeout`` seconds, reconnecting each time; a client built from EKS also re-reads the endpoint
and CA from DescribeCluster before it reconnects.

The kubernetes package is imported only when a client is built or a call is made (``_kubernetes()``), so
importing this file, or runner.py, costs a module that never reaches the cluster nothing.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import contextlib
import functools
import importlib.util
import json
import os
import tempfile
import threading
import time
import traceback
import weakref

from ansible.module_utils.basic import missing_required_lib
from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_MAP
from ansible_collections.lifecycle.eks.plugins.module_utils.aws import presigned_eks_token
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError

# Backoff between attempts of one call: doubling from the first delay up to the cap, within kube_retry_timeout.
RETRY_FIRST_DELAY = 0.5
RETRY_MAX_DELAY = 10.0
# For API clients not built by kube_client() (the option's default is in common.kube_argument_spec()).
DEFAULT_RETRY_TIMEOUT = 300
RETRYABLE_STATUSES = frozenset((429, 500, 502, 503, 504))
REQUEST_TIMEOUT = (10, 60)
# Set (as option or K8S_AUTH_* variable, kubernetes.core's names after _create_auth_spec), any of these selects the
# cluster and its credentials kubernetes.core's way; with none, the module authenticates to EKS itself.
CLUSTER_AUTH = ("kubeconfig", "context", "host", "api_key", "username", "password", "ssl_ca_cert", "cert_file",
                "key_file")
IMPERSONATION = ("impersonate_user", "impersonate_groups")
# kubernetes.core configures through the kubernetes package's global default Configuration.
_CONFIG_LOCK = threading.Lock()
# EKS accepts a token for 15 minutes; sign a fresh one well before that.
TOKEN_REFRESH_AFTER = 600

# What k8s_call needs to know of each ApiClient kube_client built: the cluster's name (for "Kubernetes API of
# cluster NAME unreachable"), the retry budget, where retries are counted and how to re-read the endpoint.
_CONNECTIONS = weakref.WeakKeyDictionary()  # type: weakref.WeakKeyDictionary[object, _Connection]


class _Connection:
    def __init__(self, name, retry_timeout=DEFAULT_RETRY_TIMEOUT, stats=None, refresh_endpoint=None):
        self.name = name
        self.retry_timeout = retry_timeout
        self.stats = stats
        self.refresh_endpoint = refresh_endpoint
        # When the current outage began (monotonic), or None while the API answers: the calls of one client share
        # one retry budget per outage, so a cluster whose API is down fails in kube_retry_timeout, not that many
        # times the calls it makes.
        self.failing_since = None

    def count_retry(self):
        if self.stats is not None:
            self.stats.add(kube_retries=1)


def require_kubernetes(module):
    """Fail the module the standard way when the kubernetes client is not installed.

    Only looks for the package: importing it costs 0.3 to 1.5 CPU s, paid by ``_kubernetes()`` when the
    module builds a client.
    """
    if importlib.util.find_spec("kubernetes") is None:
        module.fail_json(msg=missing_required_lib("kubernetes"))


@functools.lru_cache(maxsize=None)
def _kubernetes():
    """The kubernetes package, imported on first use: by kube_client(), KubeApis and k8s_call() only.

    A package that is installed but fails to import (a broken dependency) fails the module cleanly.
    """
    try:
        import kubernetes
        import kubernetes.client.exceptions
        import kubernetes.config  # kubernetes.core loads kubeconfigs through it
    except ImportError as exc:
        raise ModuleError(f"The Python library kubernetes is installed but could not be imported: {exc}",
                          {"exception": traceback.format_exc()}) from exc
    return kubernetes


@functools.lru_cache(maxsize=None)
def _call_errors():
    """(ApiException, urllib3's HTTPError): the errors k8s_call() handles, resolved when it is first called."""
    import urllib3

    return _kubernetes().client.exceptions.ApiException, urllib3.exceptions.HTTPError


def kube_client(params, clients=None, cluster=None):
    """An ApiClient for the cluster: kubernetes.core's when an option that names the cluster or its credentials is
    set (or its K8S_AUTH_* variable), else straight from EKS.

    The options are kubernetes.core's (common.kube_argument_spec()), read as its modules read them. For EKS,
    ``cluster`` is the DescribeCluster result the module already has (described through ``clients`` when
    omitted); ``clients`` also signs the bearer token, refreshed as it ages. The transport options (certificate
    validation, proxy, impersonation) apply to both.
    """
    core = _core_client()
    options = {name: params.get(name) for name in AUTH_ARG_MAP.values()}
    options["validate_certs"] = params.get("kube_validate_certs")  # validate_certs is the AWS option here
    auth = core._create_auth_spec(**options)
    refresh_endpoint = None
    if any(auth.get(name) for name in CLUSTER_AUTH):
        configuration = _core_configuration(core, auth)
        api_client = _kubernetes().client.ApiClient(configuration)
        name = params.get("cluster_name") or auth.get("context") or configuration.host
    else:
        name = params.get("cluster_name") or (cluster or {}).get("name")
        api_client, refresh_endpoint = _from_eks(name, clients, cluster, auth)
    for header, value in core._create_headers(**{key: params.get(key) for key in IMPERSONATION}).items():
        core._set_header(api_client, header, value)
    stats = getattr(clients, "stats", None)
    if stats is not None:
        stats.add(kube_retries=0)  # the module reached (or tried) the Kubernetes API: its result says how often
    retry_timeout = params.get("kube_retry_timeout")
    _CONNECTIONS[api_client] = _Connection(name, DEFAULT_RETRY_TIMEOUT if retry_timeout is None else retry_timeout,
                                           stats, refresh_endpoint)
    return api_client


def _core_client():
    """kubernetes.core's client builder (module_utils/k8s/client.py), imported with the kubernetes package.

    Only its configuration and header functions are used: its get_api_client() would also run API discovery
    (requests outside k8s_call's retries, a cache file in the temporary directory) for a dynamic client these
    modules do not use.
    """
    _kubernetes()
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s import client as core_client

    return core_client


def _core_configuration(core, auth):
    """kubernetes.core's Configuration for ``auth``. It loads kubeconfigs through the kubernetes package's global
    default Configuration: one at a time (eks_fleet_preflight builds clients in threads), from a clean default so
    that no cluster inherits another's settings."""
    kubeconfig = auth.get("kubeconfig")
    if isinstance(kubeconfig, str) and not any(os.path.isfile(os.path.expanduser(path))
                                               for path in kubeconfig.split(os.pathsep) if path):
        # The client's own words would be "Invalid kube-config file. No configuration found."
        raise ModuleError(f"kubeconfig {kubeconfig} not found")
    default = _kubernetes().client.Configuration
    # The kubeconfig by option name only: kubernetes.core's spec makes it no_log (it may be a dict of credentials).
    source = ", ".join(key if key == "kubeconfig" else f"{key} {auth[key]}" for key in ("kubeconfig", "context", "host")
                       if auth.get(key)) or "the default kubeconfig"
    with _CONFIG_LOCK:
        default.set_default(None)
        try:
            return core._create_configuration(auth)
        except Exception as exc:  # ConfigException, YAML and I/O errors, whatever a credential plugin raised
            raise ModuleError(f"Could not configure the Kubernetes client from {source}: {exc}") from exc
        finally:
            default.set_default(None)


def _from_eks(name, clients, cluster, auth):
    """The ApiClient for EKS's endpoint, and the _EndpointRefresher that follows that endpoint."""
    if clients is None:
        raise ModuleError(f"Cannot reach the Kubernetes API of cluster {name}: set kubeconfig, context or host, "
                          "or AWS credentials to authenticate to EKS")
    if cluster is None:
        cluster = clients.describe_cluster(name)
    endpoint = cluster.get("endpoint")
    if not endpoint:
        raise ModuleError(f"Cluster {name} has no Kubernetes API endpoint yet (status {cluster.get('status')})")
    client = _kubernetes().client
    configuration = client.Configuration()
    configuration.host = endpoint
    configuration.api_key_prefix = {"authorization": "Bearer"}
    token = _EksToken(clients, name)
    # Sign now: credential errors surface here, and auth_settings() only asks the hook when a key exists.
    token.refresh(configuration)
    configuration.refresh_api_key_hook = token.refresh
    ca_file = _trust_cluster_ca(configuration, cluster)
    _apply_transport(configuration, auth)
    api_client = client.ApiClient(configuration)
    if ca_file:
        weakref.finalize(api_client, _remove_file, ca_file)
    return api_client, _EndpointRefresher(api_client, clients, name, cluster)


def _trust_cluster_ca(configuration, cluster):
    """Trust the CA DescribeCluster reports (https endpoints); returns the temporary file made for it, if any."""
    ca_data = (cluster.get("certificateAuthority") or {}).get("data")
    if ca_data and configuration.host.startswith("https://"):
        return _trust_ca(configuration, base64.b64decode(ca_data))
    return None


def _apply_transport(configuration, auth):
    """The transport options (validate_certs, proxy, no_proxy, proxy_headers) as kubernetes.core applies them."""
    for key in ("verify_ssl", "proxy", "no_proxy"):
        if auth.get(key) is not None:
            setattr(configuration, key, auth[key])
    if auth.get("proxy_headers"):
        import urllib3

        configuration.proxy_headers = urllib3.util.make_headers(**auth["proxy_headers"])


class _EndpointRefresher:
    """Before a reconnect: follow the endpoint and CA that DescribeCluster reports now, when they changed."""

    def __init__(self, api_client, clients, name, cluster):
        self._api_client = weakref.ref(api_client)  # no cycle: _CONNECTIONS is keyed weakly by the client
        self._clients = clients
        self._name = name
        self._serving = self._endpoint_of(cluster)

    @staticmethod
    def _endpoint_of(cluster):
        return cluster.get("endpoint"), (cluster.get("certificateAuthority") or {}).get("data")

    def __call__(self):
        api_client = self._api_client()
        if api_client is None:
            return
        cluster = self._clients.describe_cluster(self._name)
        endpoint = self._endpoint_of(cluster)
        if not endpoint[0] or endpoint == self._serving:
            return
        self._serving = endpoint
        configuration = api_client.configuration
        configuration.host = endpoint[0]
        ca_file = _trust_cluster_ca(configuration, cluster)
        # A new connection pool: the old one keeps connections to the old address and the old CA's TLS settings.
        api_client.rest_client = _kubernetes().client.rest.RESTClientObject(configuration)
        if ca_file:
            weakref.finalize(api_client, _remove_file, ca_file)


def _supports_ca_cert_data(configuration):
    """Recent kubernetes clients take the CA as data; older ones (requirements.txt allows 29) need a file."""
    return hasattr(configuration, "ca_cert_data")


def _trust_ca(configuration, ca_pem):
    """Trust the cluster CA, via a temporary file only when the client cannot take the data; returns it."""
    if _supports_ca_cert_data(configuration):
        configuration.ca_cert_data = ca_pem.decode("ascii")
        return None
    handle, path = tempfile.mkstemp(prefix="lifecycle-eks-ca-", suffix=".crt")
    with os.fdopen(handle, "wb") as ca_file:
        ca_file.write(ca_pem)
    configuration.ssl_ca_cert = path
    return path


def _remove_file(path):
    with contextlib.suppress(OSError):
        os.unlink(path)


class _EksToken:
    """Bearer-token source for kubernetes' refresh_api_key_hook: re-signs the token as it ages."""

    def __init__(self, clients, cluster_name, clock=time.monotonic):
        self._clients = clients
        self._cluster_name = cluster_name
        self._clock = clock
        self._signed_at = None
        self._lock = threading.Lock()

    def refresh(self, configuration):
        with self._lock:
            if self._signed_at is None or self._clock() - self._signed_at > TOKEN_REFRESH_AFTER:
                configuration.api_key["authorization"] = presigned_eks_token(self._clients, self._cluster_name)
                self._signed_at = self._clock()

    def __deepcopy__(self, memo):
        # Configuration copies share the token source: it holds AWS clients and a lock.
        return self


class KubeApis:
    """The typed Kubernetes APIs the modules use, sharing one ApiClient (one pool, one token)."""

    def __init__(self, api_client):
        client = _kubernetes().client
        self.api_client = api_client
        self.core = client.CoreV1Api(api_client)
        self.apps = client.AppsV1Api(api_client)
        self.policy = client.PolicyV1Api(api_client)
        self.version = client.VersionApi(api_client)
        self.storage = client.StorageV1Api(api_client)
        self.rbac = client.RbacAuthorizationV1Api(api_client)
        self.custom = client.CustomObjectsApi(api_client)
        self.apis = client.ApisApi(api_client)


def k8s_call(action, fn, *args, **kwargs):
    """Call a typed-API method, retrying 429/5xx and connection errors with backoff; errors become ModuleError.

    Retries go on for up to the client's ``kube_retry_timeout`` seconds after the outage began (the first failure
    of any call of the client since one last succeeded; monotonic clock), each counted in the module's
    ``kube_retries``. Before retrying a connection error (or, on a client
    built from EKS, a TLS error) the endpoint is re-read from EKS. Messages read "Failed to <action>: <status>
    <reason>: <message of the Status body>". Calls get a (10 s connect, 60 s read) timeout unless
    ``_request_timeout`` is given.
    """
    kwargs.setdefault("_request_timeout", REQUEST_TIMEOUT)
    api_exception, http_error = _call_errors()
    connection = _connection(fn)
    delay = RETRY_FIRST_DELAY
    retries = 0
    while True:
        try:
            answer = fn(*args, **kwargs)
            connection.failing_since = None
            return answer
        except api_exception as exc:
            # Status 0: the client's own failure, e.g. TLS; worth a retry only when the endpoint can be re-read.
            reconnect = exc.status == 0 and connection.refresh_endpoint is not None
            if not (reconnect or exc.status in RETRYABLE_STATUSES):
                connection.failing_since = None  # an answer (404, 403...): the API is up
                raise _api_error("%s (%s)" % (action, _cluster_label(fn)), exc) from exc
            failure = exc
        except http_error as exc:
            reconnect = True
            failure = exc
        now = time.monotonic()
        if connection.failing_since is None:
            connection.failing_since = now
        deadline = connection.failing_since + connection.retry_timeout
        if now >= deadline:
            raise _final_error(action, fn, failure, retries, connection.retry_timeout) from failure
        time.sleep(min(delay, deadline - now))
        delay = min(delay * 2, RETRY_MAX_DELAY)
        if reconnect and connection.refresh_endpoint is not None:
            connection.refresh_endpoint()
        retries += 1
        connection.count_retry()


def _final_error(action, fn, failure, retries, retry_timeout):
    suffix = f" (retried {retries} times within kube_retry_timeout={retry_timeout} s)" if retries else ""
    if isinstance(failure, _call_errors()[0]):
        return _api_error("%s (%s)" % (action, _cluster_label(fn)), failure, suffix)
    reason = getattr(failure, "reason", None) or failure
    return ModuleError(f"Kubernetes API of {_cluster_label(fn)} unreachable: {reason}{suffix}")


def not_found_is_none(action, fn, *args, **kwargs):
    """``k8s_call`` returning None when the object does not exist (HTTP 404)."""
    try:
        return k8s_call(action, fn, *args, **kwargs)
    except ModuleError as exc:
        if exc.details.get("http_status") == 404:
            return None
        raise


def _api_error(action, exc, suffix=""):
    # Status 0 is the client's own failure (e.g. a TLS error) with the details in reason.
    text = f"{exc.status} {exc.reason}" if exc.status else str(exc.reason)
    message = _status_message(exc.body)
    if message:
        text += f": {message}"
    return ModuleError(f"Failed to {action}: {text}{suffix}", {"http_status": exc.status})


def _status_message(body):
    """The message of a Kubernetes Status body, or the start of a body that is not one."""
    if not body:
        return None
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    try:
        status = json.loads(body)
    except ValueError:
        return body.strip()[:200]
    return status.get("message") if isinstance(status, dict) else None


def _connection(fn):
    """The _Connection of a typed-API method's ApiClient; defaults for a client kube_client did not build."""
    api_client = getattr(getattr(fn, "__self__", None), "api_client", None)
    connection = _CONNECTIONS.get(api_client) if api_client is not None else None
    return connection or _Connection(None)


def _cluster_label(fn):
    name = _connection(fn).name
    return f"cluster {name}" if name else "the cluster"
