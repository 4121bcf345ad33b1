# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The NVIDIA device plugin DaemonSet's pod template of each release, shipped so nothing is downloaded at run time.

Read from NVIDIA/k8s-device-plugin at each release tag: ``deployments/static/nvidia-device-plugin.yml`` (from
v0.15.0; before it, the file ``nvidia-device-plugin.yml`` at the repository's root, which that path linked to).
Every release's file is one DaemonSet ``kube-system/nvidia-device-plugin-daemonset`` (selector
``name: nvidia-device-plugin-ds``, updateStrategy RollingUpdate); its pod template is one of the layouts below,
with the image ``nvcr.io/nvidia/k8s-device-plugin:<tag>``. What changed between them:

- v0.12.0: ``--fail-on-init-error=false`` moved from ``args`` to ``env`` FAIL_ON_INIT_ERROR; the toleration
  CriticalAddonsOnly and the annotation ``scheduler.alpha.kubernetes.io/critical-pod`` were dropped.
- v0.17.4: the hostPath volume renamed ``kubelet-device-plugins-dir``, with ``type: Directory``.
- v0.18.0: FAIL_ON_INIT_ERROR dropped (``env: []``).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

IMAGE_REPOSITORY = "nvcr.io/nvidia/k8s-device-plugin"
DAEMON_SET_NAME = "nvidia-device-plugin-daemonset"
DAEMON_SET_NAMESPACE = "kube-system"
CONTAINER_NAME = "nvidia-device-plugin-ctr"
DEVICE_PLUGINS_DIR = "/var/lib/kubelet/device-plugins"
_LABELS = {"name": "nvidia-device-plugin-ds"}
_GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
_SECURITY_CONTEXT = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
_FAIL_ON_INIT_ERROR = [{"name": "FAIL_ON_INIT_ERROR", "value": "false"}]


def _layout(container, volume, tolerations=(_GPU_TOLERATION,), annotations=None):
    metadata = {"labels": dict(_LABELS)}
    if annotations:
        metadata["annotations"] = annotations
    return {"metadata": metadata,
            "spec": {"tolerations": [dict(t) for t in tolerations],
                     "priorityClassName": "system-node-critical",
                     "containers": [dict(container, name=CONTAINER_NAME, securityContext=_SECURITY_CONTEXT,
                                         volumeMounts=[{"name": volume["name"], "mountPath": DEVICE_PLUGINS_DIR}])],
                     "volumes": [volume]}}


_ARGS_LAYOUT = _layout({"args": ["--fail-on-init-error=false"]}, {"name": "device-plugin",
                                                                  "hostPath": {"path": DEVICE_PLUGINS_DIR}},
                       tolerations=({"key": "CriticalAddonsOnly", "operator": "Exists"}, _GPU_TOLERATION),
                       annotations={"scheduler.alpha.kubernetes.io/critical-pod": ""})
_ENV_LAYOUT = _layout({"env": _FAIL_ON_INIT_ERROR}, {"name": "device-plugin",
                                                     "hostPath": {"path": DEVICE_PLUGINS_DIR}})
_DIRECTORY_LAYOUT = _layout({"env": _FAIL_ON_INIT_ERROR}, {"name": "kubelet-device-plugins-dir",
                                                           "hostPath": {"path": DEVICE_PLUGINS_DIR,
                                                                        "type": "Directory"}})
_NO_ENV_LAYOUT = _layout({"env": []}, {"name": "kubelet-device-plugins-dir",
                                       "hostPath": {"path": DEVICE_PLUGINS_DIR, "type": "Directory"}})

# Release tag -> its pod template (the image left out). Every release from v0.10.0 to v0.19.3, release
# candidates left out.
_RELEASES = {}
for _tags, _template in (
        (("v0.10.0", "v0.11.0"), _ARGS_LAYOUT),
        (("v0.12.0", "v0.12.1", "v0.12.2", "v0.12.3", "v0.13.0", "v0.14.0", "v0.14.1", "v0.14.2", "v0.14.3",
          "v0.14.4", "v0.14.5", "v0.15.0", "v0.15.1", "v0.16.0", "v0.16.1", "v0.16.2", "v0.17.0", "v0.17.1",
          "v0.17.2", "v0.17.3"), _ENV_LAYOUT),
        (("v0.17.4",), _DIRECTORY_LAYOUT),
        (("v0.18.0", "v0.18.1", "v0.18.2", "v0.19.0", "v0.19.1", "v0.19.2", "v0.19.3"), _NO_ENV_LAYOUT)):
    for _tag in _tags:
        _RELEASES[_tag] = _template


def releases():
    """The shipped releases, oldest first."""
    return sorted(_RELEASES, key=lambda tag: tuple(int(part) for part in tag[1:].split(".")))


def pod_template(release):
    """The release's pod template as its static manifest has it (image included), or None for a release not
    shipped. A copy: callers may change it."""
    template = _RELEASES.get(release)
    if template is None:
        return None
    template = copy.deepcopy(template)
    template["spec"]["containers"][0]["image"] = "%s:%s" % (IMAGE_REPOSITORY, release)
    return template
