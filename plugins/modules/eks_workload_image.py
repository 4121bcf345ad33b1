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
    description: Seconds to wait for the rollout.
    type: int
    default: 600
extends_documentation_fragment:
  - lifecycle.eks.cluster
  - lifecycle.eks.aws
  - lifecycle.eks.kube
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
"""

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


def rollout_done(kind, obj):
    status = obj.status
    if status is None or (status.observed_generation or 0) < (obj.metadata.generation or 0):
        return False
    if kind == "Deployment":
        return (status.updated_replicas or 0) >= (obj.spec.replicas or 0)
    return (status.updated_number_scheduled or 0) >= (status.desired_number_scheduled or 0)


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
    deadline = time.time() + params["wait_timeout"]
    delay = 0.2
    while not rollout_done(kind, k8s_call("read " + label, read, workload, namespace)):
        if time.time() > deadline:
            raise ModuleError("Rollout of %s to %s did not finish in %d s." % (label, after, params["wait_timeout"]),
                              {"result": result})
        time.sleep(delay)
        delay = min(delay * 2, 10)
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
