"""GPU parts of a scenario: node group taints and labels, and the NVIDIA device plugin DaemonSet's scheduling.

    nodegroups: [{name: gpu, gpu: true, ami_type: AL2023_x86_64_NVIDIA, instance_type: g5.xlarge,
                  labels: {workload: ml}, taints: [{key: nvidia.com/gpu, value: "true", effect: NO_SCHEDULE}],
                  gpus_advertised: true}]       # false: no device plugin ran on the nodes (no nvidia.com/gpu)
    workloads: {nvidia_device_plugin: v0.17.1}  # upstream's static manifest: tolerates nvidia.com/gpu:NoSchedule
    workloads: {nvidia_device_plugin: {version: v0.17.1, tolerations: [], node_selector: {...},
                                       affinity: {nodeAffinity: ...}}}   # the pod template's, as Kubernetes has them
"""
from __future__ import annotations

from typing import Any

from eksworld.scenario_fields import known_keys

TAINT_EFFECTS = {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute", "PREFER_NO_SCHEDULE": "PreferNoSchedule"}
DEVICE_PLUGIN_KEYS = ("version", "tolerations", "node_selector", "affinity")
# deployments/static/nvidia-device-plugin.yml of NVIDIA/k8s-device-plugin.
UPSTREAM_TOLERATIONS = [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
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


def without_gpus(node: dict[str, Any]) -> None:
    """A new GPU node before a device plugin registered its GPUs: no nvidia.com/gpu capacity or allocatable."""
    for key in ("capacity", "allocatable"):
        node["status"][key] = {k: v for k, v in node["status"].get(key, {}).items() if k != GPU_RESOURCE}


def with_gpus(node: dict[str, Any], count: int = 1) -> None:
    for key in ("capacity", "allocatable"):
        node["status"][key] = {**node["status"].get(key, {}), GPU_RESOURCE: str(count)}
