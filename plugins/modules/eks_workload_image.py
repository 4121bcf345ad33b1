#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_workload_image
short_description: Set the image tag of a Deployment or DaemonSet container on an EKS cluster and wait for the rollout
version_added: 0.1.0
description:
  - Steps 6 and 7 of AWS's I(Updating an Amazon EKS cluster Kubernetes version) procedure. After an upgrade, the
    Cluster Autoscaler image is set to the release matching the new minor. On GPU clusters, the NVIDIA device plugin
    DaemonSet is updated.
  - Changes only the image tag of one container (the repository stays), as C(kubectl set image) does, then waits for
    the rollout to finish.
  - Finished means what the C(wait) of M(kubernetes.core.k8s) means (its readiness checks are used), and every
    pod updated and available. For a Deployment, the controller observed the change (C(status.observedGeneration)),
    and C(status.replicas), C(updatedReplicas) and C(availableReplicas) all equal C(spec.replicas), with no
    unavailable replica. For a DaemonSet, C(updatedNumberScheduled), C(numberReady) and C(numberAvailable) equal
    C(desiredNumberScheduled), with none unavailable. A new pod that crash-loops is therefore never taken for a
    finished rollout, nor is a Deployment whose old pods are still available.
  - A rollout that does not finish in O(wait_timeout) fails the module, naming the workload's pods that are not
    ready and why (for example C(CrashLoopBackOff)).
  - A workload that does not exist is reported (C(found=false)), not an error, unless O(required=true).
  - Idempotent; check and diff mode supported.
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  kind:
    description: Workload kind.
    type: str
    choices: [Deployment, DaemonSet]
    required: true
  namespace:
    description: Namespace of the workload.
    type: str
    default: kube-system
  workload:
    description: Name of the Deployment or DaemonSet.
    type: str
    required: true
  container:
    description: Container name. The first container when unset.
    type: str
  tag:
    description: The image tag to run, for example V(v1.30.2).
    type: str
    required: true
  required:
    description: Fail when the workload does not exist.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait for the rollout. With V(0), the rollout is checked once after the change.
    type: int
    default: 600
extends_documentation_fragment:
  - lifecycle.eks.cluster
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - lifecycle.eks.kube
  - kubernetes.core.k8s_auth_options
  - lifecycle.eks.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
"""

EXAMPLES = r"""
- name: Cluster Autoscaler matching Kubernetes 1.30
  lifecycle.eks.eks_workload_image:
    cluster_name: prod-eu
    kind: Deployment
    workload: cluster-autoscaler
    tag: v1.30.2
"""

RETURN = r"""
found:
  description: Whether the workload exists.
  returned: always
  type: bool
before:
  description: Image before.
  returned: when found
  type: str
  sample: registry.k8s.io/autoscaling/cluster-autoscaler:v1.29.4
after:
  description: Image after (the planned one in check mode).
  returned: when found
  type: str
  sample: registry.k8s.io/autoscaling/cluster-autoscaler:v1.30.2
container:
  description: Name of the container whose image is set.
  returned: when found
  type: str
  sample: cluster-autoscaler
pods_not_ready:
  description:
    - When the rollout did not finish, the workload's pods that are not ready, with each unready container and
      why (the reason it is waiting or terminated, such as C(CrashLoopBackOff)) and its restart count.
  returned: when the rollout did not finish in time (the module fails)
  type: list
  elements: dict
  sample: [{"name": "cluster-autoscaler-6b9f7c5d8-x2k4p", "phase": "Running",
            "containers": [{"name": "cluster-autoscaler", "reason": "CrashLoopBackOff", "restarts": 5}]}]
kube_retries:
  description:
    - Kubernetes API requests retried after a connection error, an endpoint change, HTTP 429 or 5xx
      (see O(kube_retry_timeout)).
  returned: always
  type: int
  sample: 0
"""

import functools
import time

from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.kube import KubeApis, k8s_call, kube_client, not_found_is_none
from ansible_collections.lifecycle.eks.plugins.module_utils.runner import eks_module, run
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import image_tag


def with_tag(image, tag):
    """``image`` with its tag (and any digest) replaced by ``tag``; registry ports survive."""
    repository = image.split("@", 1)[0]
    current = image_tag(repository)
    if current is not None:
        repository = repository[: -(len(current) + 1)]
    return "%s:%s" % (repository, tag)


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


def set_image(module, clients):
    params = module.params
    kind, namespace, workload = params["kind"], params["namespace"], params["workload"]
    apis = KubeApis(kube_client(params, clients=clients))
    read, patch = {"Deployment": (apis.apps.read_namespaced_deployment, apis.apps.patch_namespaced_deployment),
                   "DaemonSet": (apis.apps.read_namespaced_daemon_set, apis.apps.patch_namespaced_daemon_set)}[kind]
    label = "%s %s/%s" % (kind, namespace, workload)
    obj = not_found_is_none("read " + label, read, workload, namespace)
    if obj is None:
        if params["required"]:
            raise ModuleError("%s not found." % label)
        return {"changed": False, "found": False}
    containers = obj.spec.template.spec.containers
    container = next((c for c in containers if c.name == params["container"]), None) if params["container"] \
        else containers[0]
    if container is None:
        raise ModuleError("%s has no container %s (containers: %s)." % (label, params["container"],
                                                                        ", ".join(c.name for c in containers)))
    after = with_tag(container.image, params["tag"])
    changed = after != container.image
    result = {"changed": changed, "found": True, "before": container.image, "after": after,
              "container": container.name}
    if module._diff:
        result["diff"] = {"before": {"image": container.image}, "after": {"image": after}}
    if not changed or module.check_mode:
        return result
    body = {"spec": {"template": {"spec": {"containers": [{"name": container.name, "image": after}]}}}}
    k8s_call("set image of " + label, patch, workload, namespace, body)
    try:
        wait_for_rollout(apis, kind, label, read, workload, namespace, after, params["wait_timeout"])
    except ModuleError as exc:
        # The image is set: whatever stops the wait, the failure reports the change as a success would.
        exc.details["result"] = result
        raise
    return result


def main():
    module = eks_module(dict(
        kind=dict(type="str", choices=["Deployment", "DaemonSet"], required=True),
        namespace=dict(type="str", default="kube-system"),
        workload=dict(type="str", required=True),
        container=dict(type="str"),
        tag=dict(type="str", required=True),
        required=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=600),
    ))
    run(module, set_image)


if __name__ == "__main__":
    main()
