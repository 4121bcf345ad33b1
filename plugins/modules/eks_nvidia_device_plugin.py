#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_nvidia_device_plugin
short_description: Bring the NVIDIA device plugin DaemonSets of an EKS cluster to a release, with its manifest
version_added: 0.1.0
description:
  - Step 7 of AWS's I(Updating an Amazon EKS cluster Kubernetes version) procedure, which applies the release's
    C(nvidia-device-plugin.yml) on clusters with GPU nodes.
  - Finds every DaemonSet running NVIDIA's device plugin (an image named C(k8s-device-plugin), in any registry),
    in any namespace and under any name, as check C(gpu-device-plugin-scheduling) of
    M(lifecycle.eks.eks_upgrade_preflight) does.
  - A DaemonSet installed by Helm (label C(app.kubernetes.io/managed-by=Helm) or annotation
    C(meta.helm.sh/release-name)) is left to Helm and reported with the C(helm upgrade) to run (the chart's
    version is the release's). So is one running a later release than O(version), which is never downgraded.
  - Otherwise its pod template is brought to the release's, as shipped with the collection for releases V(v0.10.0)
    to V(v0.19.3) (read from C(deployments/static/nvidia-device-plugin.yml) of NVIDIA/k8s-device-plugin at each
    tag; nothing is downloaded). Where the release's manifest changed more than the image (args, env, volumes,
    tolerations, annotations...), those fields are applied too, merged three ways with the manifest of the
    release the DaemonSet runs, as C(kubectl apply) would. The merge rule is in docs/nvidia-device-plugin.md.
    Fields the release sets are the release's; fields the earlier release set and the release dropped are
    removed; anything else the DaemonSet has (added tolerations, nodeSelector, affinity, resources, env, other
    containers) is kept. The name, namespace, selector, labels, and the image's registry and repository are
    kept.
  - For a release not shipped, only the image tag is set, with a warning.
  - The template is replaced with one JSON patch that first tests the DaemonSet's C(resourceVersion). A
    DaemonSet changed meanwhile fails the module, changed nothing, and a rerun starts over.
  - Then waits for the rollout, judged as M(lifecycle.eks.eks_workload_image) judges it.
  - Idempotent; check and diff mode supported (check mode sends no write).
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  version:
    description: The device plugin release to run, for example V(v0.17.1).
    type: str
    required: true
  wait_timeout:
    description:
      - Seconds to wait for each DaemonSet's rollout. With V(0), the rollout is checked once after the change.
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
- name: NVIDIA device plugin v0.17.1 after the upgrade, however it was installed
  lifecycle.eks.eks_nvidia_device_plugin:
    cluster_name: prod-ml
    version: v0.17.1
  register: device_plugin

- name: Tell what Helm must do
  ansible.builtin.debug:
    msg: "{{ device_plugin.device_plugins | selectattr('action', 'equalto', 'helm') | map(attribute='message') }}"
"""

RETURN = r"""
found:
  description: Whether the cluster runs an NVIDIA device plugin DaemonSet.
  returned: always
  type: bool
device_plugins:
  description: Each device plugin DaemonSet and what was done with it.
  returned: always
  type: list
  elements: dict
  contains:
    namespace:
      description: Its namespace.
      type: str
      sample: nvidia
    name:
      description: Its name.
      type: str
      sample: nvdp-nvidia-device-plugin
    image_before:
      description: The device plugin container's image before.
      type: str
      sample: nvcr.io/nvidia/k8s-device-plugin:v0.14.5
    release_before:
      description: The release (image tag) it ran.
      type: str
      sample: v0.14.5
    release:
      description: The release asked for (O(version)).
      type: str
      sample: v0.17.1
    manifest:
      description: Whether the release's manifest is shipped (else only the image tag is set).
      type: bool
    action:
      description:
        - V(update) (its pod template brought to the release's; planned in check mode), V(up_to_date),
          V(newer) (a later release runs, left as is), V(helm) (a Helm release owns it, see RV(device_plugins.message)).
      type: str
      sample: update
    helm:
      description: The Helm release that owns it, or null.
      type: dict
      sample: {"release": "nvdp", "namespace": "nvidia", "chart": "nvidia-device-plugin", "chart_version": "0.14.5"}
    changes:
      description: The pod template fields changed, each with its value before and after (null when absent).
      type: list
      elements: dict
      sample: [{"field": "spec.volumes", "before": [{"name": "device-plugin"}],
                "after": [{"name": "kubelet-device-plugins-dir"}]}]
    message:
      description: What to do (Helm), or why it was left or only partly updated.
      type: str
pods_not_ready:
  description: When a rollout did not finish, the DaemonSet's pods that are not ready and why.
  returned: when a rollout did not finish in time (the module fails)
  type: list
  elements: dict
kube_retries:
  description: Kubernetes API requests retried (see O(kube_retry_timeout)).
  returned: always
  type: int
  sample: 0
"""

from ansible_collections.lifecycle.eks.plugins.module_utils import nvidia_device_plugin as plugin
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.gpu_kube import device_plugin_daemon_sets
from ansible_collections.lifecycle.eks.plugins.module_utils.kube import KubeApis, k8s_call, kube_client
from ansible_collections.lifecycle.eks.plugins.module_utils.runner import eks_module, run
from ansible_collections.lifecycle.eks.plugins.module_utils.rollout import serializer, wait_for_rollout


def _write(apis, entry, resource_version):
    """Replace the pod template, if the DaemonSet is still the one read (a test of its resourceVersion)."""
    label = "DaemonSet %s/%s" % (entry["namespace"], entry["name"])
    body = [{"op": "test", "path": "/metadata/resourceVersion", "value": resource_version},
            {"op": "replace", "path": "/spec/template", "value": entry["template"]}]
    try:
        k8s_call("update the pod template of " + label, apis.apps.patch_namespaced_daemon_set, entry["name"],
                 entry["namespace"], body)
    except ModuleError as exc:
        if exc.details.get("http_status") in (409, 422):
            raise ModuleError("%s changed while it was being updated; nothing was written: run again. (%s)" % (
                label, exc), exc.details) from exc
        raise


def update_device_plugins(module, clients):
    params = module.params
    if not plugin.parse_release(params["version"]):
        raise ModuleError("version must be a device plugin release such as v0.17.1, got %r." % params["version"])
    apis = KubeApis(kube_client(params, clients=clients))
    entries, versions = [], {}
    for daemon_set in device_plugin_daemon_sets(apis):
        obj = serializer().sanitize_for_serialization(daemon_set)
        entry = plugin.plan(obj, params["version"])
        versions[(entry["namespace"], entry["name"])] = obj["metadata"].get("resourceVersion")
        entries.append(entry)
    result = {"found": bool(entries), "changed": any(e["action"] == "update" for e in entries),
              "device_plugins": [{k: v for k, v in e.items() if k != "template"} for e in entries]}
    for entry in entries:
        if entry["message"] and entry["action"] in ("update", "up_to_date") and not entry["manifest"]:
            module.warn("DaemonSet %s/%s: %s" % (entry["namespace"], entry["name"], entry["message"]))
    if module._diff:
        changed = [e for e in entries if e["changes"]]
        result["diff"] = {side: {"%s/%s" % (e["namespace"], e["name"]): {c["field"]: c[side] for c in e["changes"]}
                                 for e in changed} for side in ("before", "after")}
    if module.check_mode:
        return result
    written = False
    for entry in entries:
        if entry["action"] != "update":
            continue
        label = "DaemonSet %s/%s" % (entry["namespace"], entry["name"])
        try:
            result["changed"] = written  # what a failure reports: the writes done so far
            _write(apis, entry, versions[(entry["namespace"], entry["name"])])
            written = result["changed"] = True
            wait_for_rollout(apis, "DaemonSet", label, apis.apps.read_namespaced_daemon_set, entry["name"],
                             entry["namespace"], entry["template"]["spec"]["containers"][
                                 plugin.plugin_container_index(entry["template"]["spec"])]["image"],
                             params["wait_timeout"])
        except ModuleError as exc:
            # What was written stays written: the failure reports the result as a success would.
            exc.details["result"] = result
            raise
    return result


def main():
    module = eks_module(dict(
        version=dict(type="str", required=True),
        wait_timeout=dict(type="int", default=600),
    ))
    run(module, update_device_plugins)


if __name__ == "__main__":
    main()
