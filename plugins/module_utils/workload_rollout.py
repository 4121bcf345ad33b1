# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""When a Deployment's or DaemonSet's rollout is finished, and the wait for it (eks_workload_image,
eks_nvidia_device_plugin)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import time

from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.kube import k8s_call


def _counts(kind, obj):
    """(desired, total, updated, available, unavailable) pods of the workload's rollout."""
    status = obj.status
    if kind == "Deployment":
        desired = 1 if obj.spec.replicas is None else obj.spec.replicas
        return (desired, status.replicas or 0, status.updated_replicas or 0, status.available_replicas or 0,
                status.unavailable_replicas or 0)
    desired = status.desired_number_scheduled or 0
    return (desired, status.current_number_scheduled or 0, status.updated_number_scheduled or 0,
            status.number_available or 0, status.number_unavailable or 0)


def _observed(obj):
    """Whether the controller has seen the workload's latest spec."""
    status = obj.status
    return status is not None and status.observed_generation is not None \
        and status.observed_generation >= (obj.metadata.generation or 0)


def rollout_done(kind, obj):
    """kubernetes.core's k8s wait (its deployment_ready / daemonset_ready), and every pod updated and available.

    Its predicates leave out the updated count (a Deployment whose old pods are still all available passes mid
    rollout) and count ready rather than available DaemonSet pods; the extra terms close both gaps.
    """
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.waiter import daemonset_ready, deployment_ready
    from kubernetes.dynamic.resource import ResourceInstance

    ready = {"Deployment": deployment_ready, "DaemonSet": daemonset_ready}[kind]
    # Its predicates read a dynamic-client ResourceInstance (camelCase fields); the typed API returns a model.
    if not ready(ResourceInstance(None, dict(_serializer().sanitize_for_serialization(obj), kind=kind))):
        return False
    desired, _total, updated, available, unavailable = _counts(kind, obj)
    return updated == desired and available == desired and not unavailable


@functools.lru_cache(maxsize=None)
def _serializer():
    """An ApiClient for its sanitize_for_serialization() (a typed model as the API's JSON); it never connects."""
    from kubernetes.client import ApiClient

    return ApiClient()


def rollout_progress(kind, obj):
    if not _observed(obj):
        return "the controller has not yet seen the change"
    desired, total, updated, available, unavailable = _counts(kind, obj)
    return "%d of %d updated, %d available, %d unavailable, %d pods in all" % (
        updated, desired, available, unavailable, total)


def pods_not_ready(apis, obj, namespace):
    """The workload's pods (by its selector) that are not ready, each with its unready containers and why."""
    labels = (obj.spec.selector.match_labels or {}) if obj.spec.selector else {}
    selector = ",".join("%s=%s" % item for item in sorted(labels.items()))
    pods = k8s_call("list pods of " + obj.metadata.name, apis.core.list_namespaced_pod, namespace,
                    label_selector=selector).items
    not_ready = []
    for pod in pods:
        statuses = (pod.status.container_statuses if pod.status else None) or []
        containers = []
        for container in statuses:
            if container.ready:
                continue
            state = container.state
            detail = (state.waiting if state and state.waiting else state.terminated if state else None)
            containers.append({"name": container.name, "reason": (detail.reason if detail else None) or "NotReady",
                               "restarts": container.restart_count or 0})
        if containers or not statuses:
            not_ready.append({"name": pod.metadata.name, "phase": pod.status.phase if pod.status else None,
                              "containers": containers})
    return not_ready


def _describe(pod):
    if not pod["containers"]:
        return "%s (%s, no container started)" % (pod["name"], pod["phase"] or "Pending")
    return "%s (%s)" % (pod["name"], "; ".join(
        "%s: %s, %d restarts" % (c["name"], c["reason"], c["restarts"]) for c in pod["containers"]))


def wait_for_rollout(apis, kind, label, read, workload, namespace, after, timeout):
    """Poll until rollout_done(); past ``timeout`` seconds (monotonic clock) fail naming the pods not ready."""
    deadline = time.monotonic() + timeout
    delay = 0.2
    while True:
        obj = k8s_call("read " + label, read, workload, namespace)
        if rollout_done(kind, obj):
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        time.sleep(min(delay, remaining))
        delay = min(delay * 2, 10)
    pods = pods_not_ready(apis, obj, namespace)
    message = "Rollout of %s to %s did not finish in %d s: %s." % (label, after, timeout, rollout_progress(kind, obj))
    if pods:
        message += " Pods not ready: %s." % ", ".join(_describe(pod) for pod in pods)
    raise ModuleError(message, {"pods_not_ready": pods})
