# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One step of a wave's clusters in one module process (lifecycle.eks.eks_wave).

Each cluster's run is the module's own body, ``body(module, clients)`` as runner.run calls it, given a
ClusterModule: that cluster's options, validated with the module's own argument spec, its own warnings, and
clients of the wave's AWS connection in its region, shared by the region's clusters (boto3 clients are
thread-safe) but counting its calls and its DescribeUpdate poll budget apart. The runs are concurrent threads:
a wave's waits overlap in one process instead of holding a module process per cluster (docs/performance.md).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import concurrent.futures
import threading
import traceback

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.lifecycle.eks.plugins.module_utils import (
    addon_update,
    autoscaler_lookup,
    cluster_upgrade,
    nodegroup_upgrade,
    version_skew,
    workload_image,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.aws import CallStats, Clients, poll_window
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.runner import counted, failed_result, module_argument_spec
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import VersionError

# The modules a wave runs: name -> (their argument spec, their body, whether they need the kubernetes library
# whatever their options). Only bodies that read their options from module.params and report through module.warn
# and their result (no exit_json of their own) belong here.
STEPS = {
    "eks_cluster_upgrade": (lambda: module_argument_spec(cluster_upgrade.argument_spec()), cluster_upgrade.upgrade,
                            True),
    # The kubernetes library only to verify GPU node groups (nodegroup_upgrade.GpuVerification).
    "eks_nodegroup_upgrade": (lambda: module_argument_spec(nodegroup_upgrade.argument_spec()),
                              nodegroup_upgrade.upgrade_nodegroups, False),
    "eks_version_skew_facts": (lambda: module_argument_spec(version_skew.argument_spec()), version_skew.read_skew,
                               True),
    "eks_cluster_autoscaler_release": (lambda: module_argument_spec(autoscaler_lookup.argument_spec()),
                                       autoscaler_lookup.find_release, True),
    "eks_workload_image": (lambda: module_argument_spec(workload_image.argument_spec()), workload_image.set_image,
                           True),
    # No Kubernetes option at all, as the module alone.
    "eks_addon_update": (lambda: module_argument_spec(addon_update.argument_spec(), uses_kubernetes=False),
                         addon_update.update_addons, False),
}
# An entry's own keys; every other key is an option of the module.
ENTRY_KEYS = ("name", "region")


class ClusterModule:
    """What a module's body sees of one cluster's run in a wave: the cluster's options, the wave's check and diff
    mode, warnings of its own, and AWS clients made by the wave's module (its connection options) in its region."""

    def __init__(self, module, params, region):
        self._module = module
        self.params = params
        self.region = region
        self.check_mode = module.check_mode
        self._diff = module._diff
        self.warnings = []

    def warn(self, warning):
        self.warnings.append(warning)

    def fail_json(self, msg, **kwargs):
        """A body's own failure (kube.require_kubernetes) fails its cluster alone."""
        raise ModuleError(msg)

    def client(self, service, **kwargs):
        return self._module.client(service, **kwargs)


def cluster_options(step, entry):
    """(validated options, error messages, values to hide) of one entry, checked as the module checks its own: types,
    choices, required options, defaults and environment fallbacks (kubernetes.core's K8S_AUTH_* among them)."""
    spec = STEPS[step][0]()
    options = {key: value for key, value in entry.items() if key not in ENTRY_KEYS}
    result = ArgumentSpecValidator(spec).validate(options)
    return result.validated_parameters, result.error_messages, result._no_log_values


def run_wave(module, step, entries, max_concurrent):
    """{entry name: result} of ``step`` for each entry. An entry whose options are wrong, whose region is unknown or
    whose run fails gets ``failed`` and ``msg`` (and what it had started) alone; the others run all the same.

    ``module`` is the wave's module: its connection options, check and diff mode. The values of no_log options
    found in the entries join its no_log_values, so that its result never shows them.
    """
    body = STEPS[step][1]
    results, runs, regions = {}, [], {}
    for entry in entries:
        name = entry["name"]
        params, errors, secrets = cluster_options(step, entry)
        module.no_log_values.update(secrets)
        region = entry.get("region") or module.region
        if errors:
            results[name] = failure("Options of cluster %s for %s: %s" % (name, step, "; ".join(errors)))
            continue
        try:
            if region not in regions:
                regions[region] = Clients(module, region=region)
        except ModuleError as exc:
            results[name] = failure(exc)
            continue
        runs.append((name, ClusterModule(module, params, region)))

    lock = threading.Lock()

    def run_one(name, view):
        clients = None
        try:
            clients = regions[view.region].counting_apart(CallStats(poll_window=poll_window(view.params)))
            clients.stats.remember_polls(view.params.get("wait_poll_history") or [])
            result = counted(body(view, clients), view.params, clients)
        except (ModuleError, VersionError) as exc:
            result = failure(exc, clients)
        except Exception as exc:  # pylint: disable=broad-except  # one cluster's crash must not lose the others' results
            result = failure("%s crashed on cluster %s: %s: %s" % (step, name, type(exc).__name__, exc), clients)
            result["exception"] = traceback.format_exc()
        if view.warnings:
            result["warnings"] = view.warnings
        with lock:
            results[name] = result

    if runs:
        with concurrent.futures.ThreadPoolExecutor(max_workers=min(max_concurrent, len(runs))) as pool:
            for future in [pool.submit(run_one, name, view) for name, view in runs]:
                future.result()
    for result in results.values():
        result["wave_module"] = step
    return results


def failure(error, clients=None):
    """The entry of a cluster that failed: what the module alone would have failed with."""
    if isinstance(error, str):
        error = ModuleError(error)
    return dict(failed_result(error, clients), failed=True)
