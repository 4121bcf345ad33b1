"""GPU parts of a scenario: node group taints and labels, and the NVIDIA device plugin DaemonSet's scheduling.

    nodegroups: [{name: gpu, gpu: true, ami_type: AL2023_x86_64_NVIDIA, instance_type: g5.xlarge,
                  labels: {workload: ml}, taints: [{key: nvidia.com/gpu, value: "true", effect: NO_SCHEDULE}],
                  gpus_advertised: true}]       # false: no device plugin ran on the nodes (no nvidia.com/gpu)
    workloads: {nvidia_device_plugin: v0.17.1}  # upstream's static manifest (its v0.12.0 to v0.17.3 layout):
                                                # kube-system/nvidia-device-plugin-daemonset, tolerating
                                                # nvidia.com/gpu:NoSchedule
    workloads: {nvidia_device_plugin: {version: v0.17.1, tolerations: [], node_selector: {...},
                                       affinity: {nodeAffinity: ...},   # the pod template's, as Kubernetes has them
                                       name: gpu-plugin, namespace: nvidia,   # installed under another name
                                       container: {args: [...], env: null},   # container fields set (null: removed)
                                       pod_spec: {...}, annotations: {...},   # pod spec fields, template annotations
                                       helm: nvdp}}   # installed by Helm release nvdp (NVIDIA's chart, the
                                                      # version's): <release>-nvidia-device-plugin, Helm's labels
"""
from __future__ import annotations

from typing import Any

from eksworld.scenario_fields import known_keys

TAINT_EFFECTS = {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute", "PREFER_NO_SCHEDULE": "PreferNoSchedule"}
DEVICE_PLUGIN_KEYS = ("version", "tolerations", "node_selector", "affinity", "name", "namespace", "container",
                      "pod_spec", "annotations", "helm")
# deployments/static/nvidia-device-plugin.yml of NVIDIA/k8s-device-plugin, v0.12.0 to v0.17.3.
UPSTREAM_TOLERATIONS = [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
UPSTREAM_LABELS = {"name": "nvidia-device-plugin-ds"}
DEVICE_PLUGINS_DIR = "/var/lib/kubelet/device-plugins"
UPSTREAM_CONTAINER = {"name": "nvidia-device-plugin-ctr", "env": [{"name": "FAIL_ON_INIT_ERROR", "value": "false"}],
                      "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
                      "volumeMounts": [{"name": "device-plugin", "mountPath": DEVICE_PLUGINS_DIR}]}
UPSTREAM_POD_SPEC = {"priorityClassName": "system-node-critical",
                     "volumes": [{"name": "device-plugin", "hostPath": {"path": DEVICE_PLUGINS_DIR}}]}
HELM_CHART = "nvidia-device-plugin"
GPU_RESOURCE = "nvidia.com/gpu"


def nodegroup_taints(ng: dict[str, Any]) -> list[dict[str, str]]:
    """A node group's `taints` as EKS takes them ({key, value, effect: NO_SCHEDULE ...}), checked."""
    taints = ng.get("taints") or []
    what = f"node group {ng.get('name')}: taints"
    if not isinstance(taints, list):
        raise ValueError(f"{what} must be a list of {{key, value, effect}}")
    for taint in taints:
        known_keys(taint, ("key", "value", "effect"), f"{what} entry")
        if not taint.get("key") or taint.get("effect") not in TAINT_EFFECTS:
            raise ValueError(f"{what}: each needs a key and an effect of {', '.join(TAINT_EFFECTS)}, got {taint!r}")
    return [{key: str(value) for key, value in taint.items()} for taint in taints]


def kube_taints(taints: list[dict[str, str]]) -> list[dict[str, str]]:
    """EKS taints as the node's spec.taints carries them."""
    return [{"key": t["key"], **({"value": t["value"]} if t.get("value") else {}), "effect": TAINT_EFFECTS[t["effect"]]}
            for t in taints]


def device_plugin_settings(setting: Any) -> tuple[str, dict[str, Any]]:
    """(image tag, pod template spec fields) of the `nvidia_device_plugin` workload: a version, or a mapping."""
    if isinstance(setting, str):
        return setting, {"tolerations": UPSTREAM_TOLERATIONS}
    data = known_keys(setting, DEVICE_PLUGIN_KEYS, "workloads: nvidia_device_plugin")
    if not data.get("version"):
        raise ValueError("workloads: nvidia_device_plugin needs a version")
    fields = {"tolerations": data.get("tolerations", UPSTREAM_TOLERATIONS)}
    if data.get("node_selector"):
        fields["nodeSelector"] = data["node_selector"]
    if data.get("affinity"):
        fields["affinity"] = data["affinity"]
    return str(data["version"]), fields


def _set_fields(target: dict[str, Any], fields: Any, what: str) -> None:
    if not isinstance(fields, dict):
        raise ValueError(f"workloads: nvidia_device_plugin: {what} must be a mapping of fields, got {fields!r}")
    for key, value in fields.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value


def device_plugin_daemon_set(setting: Any) -> dict[str, Any]:
    """The NVIDIA device plugin DaemonSet of the `nvidia_device_plugin` workload, as installed: upstream's static
    manifest, or NVIDIA's Helm chart (`helm`), with the scenario's changes."""
    tag, scheduling = device_plugin_settings(setting)
    data = setting if isinstance(setting, dict) else {}
    release = data.get("helm")
    name = data.get("name") or (f"{release}-{HELM_CHART}" if release else "nvidia-device-plugin-daemonset")
    namespace = data.get("namespace") or "kube-system"
    labels = dict(UPSTREAM_LABELS)
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    if release:
        labels = {"app.kubernetes.io/name": HELM_CHART, "app.kubernetes.io/instance": str(release)}
        metadata["labels"] = {**labels, "helm.sh/chart": f"{HELM_CHART}-{tag.lstrip('v')}",
                              "app.kubernetes.io/version": tag.lstrip("v"), "app.kubernetes.io/managed-by": "Helm"}
        metadata["annotations"] = {"meta.helm.sh/release-name": str(release),
                                   "meta.helm.sh/release-namespace": namespace}
    container = {**UPSTREAM_CONTAINER, "image": f"nvcr.io/nvidia/k8s-device-plugin:{tag}"}
    _set_fields(container, data.get("container") or {}, "container")
    pod_spec: dict[str, Any] = {**UPSTREAM_POD_SPEC, **scheduling, "containers": [container]}
    _set_fields(pod_spec, data.get("pod_spec") or {}, "pod_spec")
    template_metadata: dict[str, Any] = {"labels": dict(labels)}
    if data.get("annotations"):
        template_metadata["annotations"] = dict(data["annotations"])
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": metadata,
            "spec": {"selector": {"matchLabels": dict(labels)}, "updateStrategy": {"type": "RollingUpdate"},
                     "template": {"metadata": template_metadata, "spec": pod_spec}}}


def without_gpus(node: dict[str, Any]) -> None:
    """A new GPU node before a device plugin registered its GPUs: no nvidia.com/gpu capacity or allocatable."""
    for key in ("capacity", "allocatable"):
        node["status"][key] = {k: v for k, v in node["status"].get(key, {}).items() if k != GPU_RESOURCE}


def with_gpus(node: dict[str, Any], count: int = 1) -> None:
    for key in ("capacity", "allocatable"):
        node["status"][key] = {**node["status"].get(key, {}), GPU_RESOURCE: str(count)}
