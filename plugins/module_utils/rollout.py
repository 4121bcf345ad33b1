# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's module_utils boilerplate (coding, __future__, __metaclass__)
"""When a workload's rollout is finished, and the wait for it: Deployments, StatefulSets and DaemonSets
(eks_workload_image, eks_nvidia_device_plugin, eks_fargate_redeploy).

The judgement is eks_workload_image's: kubernetes.core's k8s wait (its deployment_ready, statefulset_ready and
daemonset_ready predicates), and every pod updated and available, so that a new pod that crash-loops is never
taken for a finished rollout, nor a workload whose old pods are still available.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import time

from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.kube import k8s_call

KINDS = ("Deployment", "StatefulSet", "DaemonSet")


def counts(kind, obj):
    """(desired, total, updated, available, unavailable) pods of the workload's rollout."""
    status = obj.status
    if kind in ("Deployment", "StatefulSet"):
        desired = 1 if obj.spec.replicas is None else obj.spec.replicas
        unavailable = (status.unavailable_replicas or 0) if kind == "Deployment" else \
            max(desired - (status.available_replicas or 0), 0)
        return (desired, status.replicas or 0, status.updated_replicas or 0, status.available_replicas or 0,
                unavailable)
    desired = status.desired_number_scheduled or 0
    return (desired, status.current_number_scheduled or 0, status.updated_number_scheduled or 0,
            status.number_available or 0, status.number_unavailable or 0)


def observed(obj):
    """Whether the controller has seen the workload's latest spec."""
    status = obj.status
    return status is not None and status.observed_generation is not None \
        and status.observed_generation >= (obj.metadata.generation or 0)


def rollout_done(kind, obj):
    """kubernetes.core's k8s wait for ``kind``, and every pod updated and available."""
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.waiter import RESOURCE_PREDICATES
    from kubernetes.dynamic.resource import ResourceInstance

    if obj.status is None:
        return False
    # Its predicates read a dynamic-client ResourceInstance (camelCase fields); the typed API returns a model.
    if not RESOURCE_PREDICATES[kind](ResourceInstance(None, dict(serializer().sanitize_for_serialization(obj),
                                                                 kind=kind))):
        return False
    desired, _total, updated, available, unavailable = counts(kind, obj)
    return updated == desired and available == desired and not unavailable


@functools.lru_cache(maxsize=None)
def serializer():
    """An ApiClient for its sanitize_for_serialization() (a typed model as the API's JSON); it never connects."""
    from kubernetes.client import ApiClient

    return ApiClient()


def rollout_progress(kind, obj):
    if not observed(obj):
        return "the controller has not yet seen the change"
    desired, total, updated, available, unavailable = counts(kind, obj)
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


def describe_pod(pod):
    if not pod["containers"]:
        return "%s (%s, no container started)" % (pod["name"], pod["phase"] or "Pending")
    return "%s (%s)" % (pod["name"], "; ".join(
        "%s: %s, %d restarts" % (c["name"], c["reason"], c["restarts"]) for c in pod["containers"]))


def readers(apis, kind):
    """(read, patch) methods of the typed API for ``kind``."""
    return {"Deployment": (apis.apps.read_namespaced_deployment, apis.apps.patch_namespaced_deployment),
            "StatefulSet": (apis.apps.read_namespaced_stateful_set, apis.apps.patch_namespaced_stateful_set),
            "DaemonSet": (apis.apps.read_namespaced_daemon_set, apis.apps.patch_namespaced_daemon_set)}[kind]


def wait_for_rollouts(apis, workloads, what, timeout, done=rollout_done):
    """Poll every workload ((kind, namespace, name)) until ``done``; past ``timeout`` seconds (monotonic clock)
    fail naming the workloads not finished and their pods not ready (``pods_not_ready`` in the details)."""
    deadline = time.monotonic() + timeout
    delay = 0.2
    pending = list(workloads)
    while True:
        late = []
        for kind, namespace, name in pending:
            obj = k8s_call("read %s %s/%s" % (kind, namespace, name), readers(apis, kind)[0], name, namespace)
            if not done(kind, obj):
                late.append((kind, namespace, name, obj))
        pending = [entry[:3] for entry in late]
        if not pending:
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        time.sleep(min(delay, remaining))
        delay = min(delay * 2, 10)
    messages, pods = [], []
    for kind, namespace, name, obj in late:
        unready = pods_not_ready(apis, obj, namespace)
        pods += [dict(pod, namespace=namespace, owner="%s %s/%s" % (kind, namespace, name)) for pod in unready]
        text = "%s %s/%s: %s" % (kind, namespace, name, rollout_progress(kind, obj))
        if unready:
            text += "; pods not ready: %s" % ", ".join(describe_pod(pod) for pod in unready)
        messages.append(text)
    raise ModuleError("%s did not finish in %d s: %s." % (what, timeout, ". ".join(messages)),
                      {"pods_not_ready": pods})


def wait_for_rollout(apis, kind, label, read, workload, namespace, after, timeout):
    """Poll one workload until rollout_done(); past ``timeout`` seconds (monotonic clock) fail naming the pods not
    ready (``label`` names it in messages, ``after`` what it was changed to)."""
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
        message += " Pods not ready: %s." % ", ".join(describe_pod(pod) for pod in pods)
    raise ModuleError(message, {"pods_not_ready": pods})
