# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""eks_workload_image's body: one workload's container image set to a tag and its rollout waited for, run by the
module alone or by lifecycle.eks.eks_wave for a wave of clusters (module_utils/wave.py)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.kube import (
    KubeApis,
    k8s_call,
    kube_client,
    not_found_is_none,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.rollout import wait_for_rollout
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import with_tag


def argument_spec():
    """eks_workload_image's own options (runner.module_argument_spec adds the cluster and Kubernetes ones)."""
    return dict(
        kind=dict(type="str", choices=["Deployment", "DaemonSet"], required=True),
        namespace=dict(type="str", default="kube-system"),
        workload=dict(type="str", required=True),
        container=dict(type="str"),
        tag=dict(type="str", required=True),
        required=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=600),
    )


def container_of(obj, name, label):
    """The workload's container ``name``, or its first when no name is given."""
    containers = obj.spec.template.spec.containers
    container = next((c for c in containers if c.name == name), None) if name else containers[0]
    if container is None:
        raise ModuleError("%s has no container %s (containers: %s)." % (label, name,
                                                                        ", ".join(c.name for c in containers)))
    return container


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
    container = container_of(obj, params["container"], label)
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
