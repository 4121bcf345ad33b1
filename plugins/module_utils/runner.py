# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The frame every lifecycle.eks module runs in: an amazon.aws AnsibleAWSModule, its clients, one error path."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lifecycle.eks.plugins.module_utils.aws import Clients, EksAWSModule
from ansible_collections.lifecycle.eks.plugins.module_utils.common import (
    ModuleError,
    cluster_argument_spec,
    kube_argument_spec,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.kube import require_kubernetes
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import VersionError


def with_wave_result(argument_spec):
    """``argument_spec`` and wave_result, the entry of a wave of this step that the step's action reports instead of
    running the module (plugin_utils/wave_action.py): never used by the module itself."""
    return dict(argument_spec, wave_result=dict(type="dict", default={}))


def eks_module(argument_spec, uses_kubernetes=True, kubernetes_required=True, **kwargs):
    """An AnsibleAWSModule with the cluster and Kubernetes options every module of the collection takes.

    AnsibleAWSModule adds amazon.aws's connection options (region, profile, access_key, endpoint_url, ...) with
    their aliases and environment fallbacks, and fails the standard way when boto3/botocore are missing. A module
    that never reaches the Kubernetes API passes ``uses_kubernetes=False``: it takes no Kubernetes option and needs
    no kubernetes library (it is in the action group ``lifecycle.eks.aws``, not ``k8s``). One that reaches it only
    in some cases passes ``kubernetes_required=False`` and calls kube.require_kubernetes() when it does.
    """
    kwargs.setdefault("supports_check_mode", True)
    module = EksAWSModule(argument_spec=module_argument_spec(argument_spec, uses_kubernetes), **kwargs)
    if uses_kubernetes and kubernetes_required:
        require_kubernetes(module)
    return module


def module_argument_spec(argument_spec, uses_kubernetes=True):
    """A module's options with the cluster's and, when it reaches the Kubernetes API, the Kubernetes connection's
    (not amazon.aws's, which AnsibleAWSModule adds)."""
    spec = dict(cluster_argument_spec())
    if uses_kubernetes:
        spec.update(kube_argument_spec())
    spec.update(argument_spec)
    return spec


def failed_result(exc, clients=None):
    """What a ModuleError or VersionError fails with: its message, the partial result and details it carries,
    and the API counters so far (``clients``, once connected).

    An update the error carries (``update``, from a wait that failed or timed out) joins the result's
    ``updates``, and a result listing updates is ``changed``: a failure after a mutating call reports what it
    started the way a success does, so the playbooks' rescue and the report record it.
    """
    details = dict(getattr(exc, "details", {}) or {})
    result = dict(details.pop("result", {}))
    update = details.pop("update", None)
    if update is not None:
        updates = list(result.get("updates") or [])
        if all(entry.get("id") != update.get("id") for entry in updates):
            updates.append(update)
        result["updates"] = updates
    if result.get("updates"):
        result["changed"] = True
    if clients is not None:
        result.update(clients.stats.as_dict())
    result.update(details)
    result["msg"] = str(exc)
    return result


def run(module, body):
    """Run ``body(module, clients) -> result`` on the module's amazon.aws clients and exit; any ModuleError fails
    cleanly, with the partial result it carries.

    The API call and retry counters go into every result, failed or not, so reports can show them.
    """
    clients = None
    try:
        clients = Clients(module)
        clients.stats.remember_polls(module.params.get("wait_poll_history") or [])
        result = body(module, clients)
    except (ModuleError, VersionError) as exc:
        module.fail_json(**failed_result(exc, clients))
    module.exit_json(**counted(result, module.params, clients))


def counted(result, params, clients):
    """A body's result with its API counters and, for a module with the wait options, the send times of its polls."""
    result.update(clients.stats.as_dict())
    if "wait_poll_history" in params:
        # The next step on this cluster takes them as its wait_poll_history: the budget is the cluster's.
        result["poll_times"] = clients.stats.poll_times()
    return result
