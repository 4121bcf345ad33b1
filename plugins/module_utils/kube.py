# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's module_utils boilerplate (coding, __future__, __metaclass__)
"""All Kubernetes API access of lifecycle.eks: one ApiClient per cluster, retried calls, clear errors.

The client is configured by kubernetes.core from its auth options and K8S_AUTH_* variables (a kubeconfig, a
context, a host and its credentials) when the user gives any, else straight from EKS: the DescribeCluster endpoint
and CA plus the bearer token ``aws eks get-token`` would print (what kubernetes.core cannot do, and what AWX needs).

During and right after a control-plane update EKS replaces the API server instances behind the endpoint's DNS
name (the name and the cluster CA stay; the instances and their certificates change): urllib3 retries connection
and read errors, 429 and 5xx with backoff (``OutageRetry``, the client's ``Configuration.retries``) until
``kube_retry_timeout`` seconds after the outage began; a connection that failed is replaced by a new one, which
resolves the name again. k8s_call() only turns what is left into clear errors.

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

# Backoff between attempts of one call: doubling from the first delay up to the cap, within kube_retry_timeout
# (read when a retry waits, so tests may lower them).
RETRY_FIRST_DELAY = 0.5
RETRY_MAX_DELAY = 10.0
# For a _Connection made without kube_client()'s options (the option's default is in common.kube_argument_spec()).
DEFAULT_RETRY_TIMEOUT = 300
RETRYABLE_STATUSES = frozenset((429, 500, 502, 503, 504))
# Redirects are no retries: as many as urllib3 follows by default (Retry.DEFAULT), none counted in kube_retries.
MAX_REDIRECTS = 3
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


class _Connection:
    """What the retries of one ApiClient share, and what k8s_call needs to know of it: the cluster's name (for
    "Kubernetes API of cluster NAME unreachable"), the retry budget and where retries are counted."""

    def __init__(self, name, retry_timeout=DEFAULT_RETRY_TIMEOUT, stats=None):
        self.name = name
        self.retry_timeout = retry_timeout
        self.stats = stats
        # When the current outage began (monotonic), or None while the API answers: the calls of one client share
        # one retry budget per outage, so a cluster whose API is down fails in kube_retry_timeout, not that many
        # times the calls it makes.
        self.failing_since = None
        # The retries of the call in progress, per thread (threads may share a client): for k8s_call's message.
        self._call = threading.local()

    def begin_call(self):
        self._call.retries = 0

    @property
    def call_retries(self):
        return getattr(self._call, "retries", 0)

    def count_retry(self):
        self._call.retries = self.call_retries + 1
        if self.stats is not None:
            self.stats.add(kube_retries=1)

    def failing(self, now):
        """A request failed at ``now``: the outage begins, unless one is going on."""
        if self.failing_since is None:
            self.failing_since = now

    def answered(self):
        """The API answered (a success, or an error that is not worth a retry): the outage, if any, is over."""
        self.failing_since = None

    def remaining(self, now):
        """Seconds left of the current outage's budget (the whole budget when the API answers)."""
        if self.failing_since is None:
            return self.retry_timeout
        return self.failing_since + self.retry_timeout - now


def kube_retry(connection, clock=None, sleep=None):
    """The urllib3 Retry for a client's ``Configuration.retries``: an OutageRetry sharing ``connection``'s budget.

    ``clock`` (monotonic seconds) and ``sleep`` default to the time module's, looked up when used.
    """
    retry_class = _outage_retry_class()
    import urllib3

    # other=0: a TLS failure (a CA or certificate that does not match) is no outage, and fails at once instead of
    # after kube_retry_timeout; connection and read errors, and 429/5xx answers, are retried.
    # allowed_methods=None: every method is retried, as the API server replacement fails them all alike
    # (method_whitelist before urllib3 1.26, which kubernetes' floor of 1.24.2 still allows).
    if hasattr(urllib3.util.retry.Retry, "DEFAULT_ALLOWED_METHODS"):
        methods = {"allowed_methods": None}
    else:
        methods = {"method_whitelist": None}
    return retry_class(connection=connection, clock=clock, sleep=sleep, total=None, connect=None, read=None,
                       status=None, other=0, redirect=MAX_REDIRECTS, status_forcelist=RETRYABLE_STATUSES,
                       raise_on_status=False, respect_retry_after_header=True, **methods)


@functools.lru_cache(maxsize=None)
def _outage_retry_class():
    """OutageRetry, defined on first use: urllib3 comes with the kubernetes package (not imported before)."""
    from itertools import takewhile

    from urllib3.util.retry import Retry

    class OutageRetry(Retry):
        """urllib3's Retry bounded by time, not by count: retries go on until the client's ``kube_retry_timeout``
        after the current outage began (its _Connection, shared by the copies urllib3 makes with ``new()``),
        each counted; the pause doubles from RETRY_FIRST_DELAY up to RETRY_MAX_DELAY, or is the answer's
        Retry-After, and never runs past the deadline. With raise_on_status=False the last 429/5xx answer is
        returned, so that kubernetes raises its ApiException with the Status body."""

        def __init__(self, connection=None, clock=None, sleep=None, **kwargs):
            super().__init__(**kwargs)
            self.connection = connection if connection is not None else _Connection(None)
            self._clock = clock
            self._sleep = sleep

        def new(self, **kwargs):
            retry = super().new(**kwargs)
            retry.connection, retry._clock, retry._sleep = self.connection, self._clock, self._sleep
            return retry

        def __deepcopy__(self, memo):
            # Configuration copies share it: the budget is the client's, and a Retry is never changed in place.
            return self

        def now(self):
            return (self._clock or time.monotonic)()

        def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
            redirect = error is None and response is not None and bool(response.get_redirect_location())
            if not redirect:
                self.connection.failing(self.now())
            # Raises MaxRetryError (or the error itself) when exhausted: urllib3 then returns a last answer (not
            # raise_on_status) or raises; either way no retry to count.
            retry = super().increment(method, url, response, error, _pool, _stacktrace)
            if not redirect:
                self.connection.count_retry()
            return retry

        def is_exhausted(self):
            return super().is_exhausted() or self.connection.remaining(self.now()) <= 0

        def get_backoff_time(self):
            failures = len(list(takewhile(lambda entry: entry.redirect_location is None, reversed(self.history))))
            if failures == 0:
                return 0.0
            return min(RETRY_FIRST_DELAY * 2 ** (failures - 1), RETRY_MAX_DELAY)

        def sleep(self, response=None):
            pause = None
            if self.respect_retry_after_header and response is not None:
                pause = self.get_retry_after(response)
            if pause is None:
                pause = self.get_backoff_time()
            pause = min(pause, self.connection.remaining(self.now()))
            if pause > 0:
                (self._sleep or time.sleep)(pause)

    return OutageRetry


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
    stats = getattr(clients, "stats", None)
    retry_timeout = params.get("kube_retry_timeout")
    retry_timeout = DEFAULT_RETRY_TIMEOUT if retry_timeout is None else retry_timeout
    if any(auth.get(name) for name in CLUSTER_AUTH):
        configuration = _core_configuration(core, auth)
        name = params.get("cluster_name") or auth.get("context") or configuration.host
        # Before the ApiClient: its RESTClientObject hands the retries to urllib3's PoolManager when it is built.
        configuration.retries = kube_retry(_Connection(name, retry_timeout, stats))
        api_client = _kubernetes().client.ApiClient(configuration)
    else:
        name = params.get("cluster_name") or (cluster or {}).get("name")
        api_client = _from_eks(name, clients, cluster, auth, _Connection(name, retry_timeout, stats))
    for header, value in core._create_headers(**{key: params.get(key) for key in IMPERSONATION}).items():
        core._set_header(api_client, header, value)
    if stats is not None:
        stats.add(kube_retries=0)  # the module reached (or tried) the Kubernetes API: its result says how often
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


def _from_eks(name, clients, cluster, auth, connection):
    """The ApiClient for EKS's endpoint and CA, retrying as ``connection`` says."""
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
    configuration.retries = kube_retry(connection)
    api_client = client.ApiClient(configuration)
    if ca_file:
        weakref.finalize(api_client, _remove_file, ca_file)
    return api_client


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


# The typed APIs by attribute. kubernetes >= 33 imports an API's module and its models on first use (CoreV1Api alone
# costs 1.7 CPU s on the tests' 2-core machine): each is made when a module first uses it, and the module host
# imports them all once, before it forks the runs (plugin_utils/module_host_server.py).
TYPED_APIS = {
    "core": "CoreV1Api",
    "apps": "AppsV1Api",
    "policy": "PolicyV1Api",
    "version": "VersionApi",
    "storage": "StorageV1Api",
    "rbac": "RbacAuthorizationV1Api",
    "custom": "CustomObjectsApi",
    "apis": "ApisApi",
}


class KubeApis:
    """The typed Kubernetes APIs the modules use (TYPED_APIS), sharing one ApiClient (one pool, one token)."""

    def __init__(self, api_client):
        self.api_client = api_client

    def __getattr__(self, name):
        class_name = TYPED_APIS.get(name)
        if class_name is None:
            raise AttributeError(name)
        # Two threads may make one at once: both share the ApiClient, and either is kept.
        api = getattr(_kubernetes().client, class_name)(self.api_client)
        setattr(self, name, api)
        return api


def k8s_call(action, fn, *args, **kwargs):
    """Call a typed-API method; its errors become ModuleError.

    The retries happen below, in urllib3 (``OutageRetry``, on clients kube_client() built): 429, 5xx, read and
    connection errors, for up to the client's ``kube_retry_timeout`` seconds after the outage began (the first
    failure of any call of the client since one last succeeded; monotonic clock), each counted in the module's
    ``kube_retries``. Messages read "Failed to <action>: <status> <reason>: <message of the Status body>", then how
    often the call was retried. Calls get a (10 s connect, 60 s read) timeout unless ``_request_timeout`` is given.
    """
    kwargs.setdefault("_request_timeout", REQUEST_TIMEOUT)
    api_exception, http_error = _call_errors()
    connection = _connection(fn)
    connection.begin_call()
    try:
        answer = fn(*args, **kwargs)
    except api_exception as exc:
        if exc.status not in RETRYABLE_STATUSES:
            if exc.status:  # an answer (404, 403...): the API is up; status 0 is the client's own failure
                connection.answered()
            raise _api_error("%s (%s)" % (action, _cluster_label(fn)), exc) from exc
        raise _final_error(action, fn, exc, connection) from exc
    except http_error as exc:
        raise _final_error(action, fn, exc, connection) from exc
    connection.answered()
    return answer


def _final_error(action, fn, failure, connection):
    """The error of a call that failed after the retries the outage's budget allowed."""
    retries = connection.call_retries
    suffix = f" (retried {retries} times within kube_retry_timeout={connection.retry_timeout} s)" if retries else ""
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
    """The _Connection of a typed-API method's ApiClient (its OutageRetry's); a stand-in for other clients."""
    api_client = getattr(getattr(fn, "__self__", None), "api_client", None)
    retries = getattr(getattr(api_client, "configuration", None), "retries", None)
    connection = getattr(retries, "connection", None)
    return connection if isinstance(connection, _Connection) else _Connection(None)


def _cluster_label(fn):
    name = _connection(fn).name
    return f"cluster {name}" if name else "the cluster"
