"""playbooks/upgrade.yml on the NVIDIA device plugin as teams installed it (procedure step 7): under another name and
namespace from an old static manifest, and by Helm. Check mode, the upgrade, then a rerun."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import mutating_calls
from tests.integration.permissions import rbac_rules, role_rules

pytestmark = pytest.mark.integration

RENAMED, HELM = "gpu-renamed-129", "gpu-helm-129"
GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
TEAM_TOLERATION = {"key": "team.example.com/ml", "operator": "Exists", "effect": "NoSchedule"}
CONTAINER = "spec.containers[nvidia-device-plugin-ctr]"


def daemon_set(world: Any, cluster: str, namespace: str, name: str) -> dict[str, Any]:
    return world.kube.cluster(cluster).get("apps/v1", "DaemonSet", namespace, name)


def device_plugins(run: Any, cluster: str) -> list[dict[str, Any]]:
    return run.cluster_report(cluster)["post_upgrade"]["nvidia_device_plugin"]["device_plugins"]


def test_device_plugin_under_another_name_updated_with_its_manifest_and_helm_left_to_helm(make_world, run_playbook):
    world = make_world("gpu-device-plugin-installs")
    helm_before = daemon_set(world, HELM, "nvidia-device-plugin", "nvdp-nvidia-device-plugin")

    # Check mode: planned, nothing sent.
    checked = run_playbook(world, {"eks_waves": ["100%"]}, check=True, diff=True)
    assert checked.rc == 0, checked.output[-3000:]
    assert mutating_calls(world) == []
    [planned] = device_plugins(checked, RENAMED)
    assert (planned["namespace"], planned["name"], planned["action"]) == ("gpu-system", "gpu-plugin", "update")

    # The upgrade: the renamed device plugin gets v0.17.1's manifest, the team's toleration and nodeSelector kept.
    run = run_playbook(world, {"eks_waves": ["100%"]})
    assert run.rc == 0, run.output[-3000:]
    assert run.statuses() == {RENAMED: "upgraded", HELM: "upgraded"}, run.output[-3000:]
    template = daemon_set(world, RENAMED, "gpu-system", "gpu-plugin")["spec"]["template"]
    [container] = template["spec"]["containers"]
    assert container["image"] == "nvcr.io/nvidia/k8s-device-plugin:v0.17.1"
    assert "args" not in container and container["env"] == [{"name": "FAIL_ON_INIT_ERROR", "value": "false"}]
    assert template["spec"]["tolerations"] == [GPU_TOLERATION, TEAM_TOLERATION]
    assert template["spec"]["nodeSelector"] == {"node.kubernetes.io/instance-type": "g5.xlarge"}
    assert "annotations" not in template["metadata"]
    [renamed] = device_plugins(run, RENAMED)
    assert renamed == {**renamed, "action": "update", "helm": None, "release_before": "v0.11.0",
                       "release": "v0.17.1", "manifest": True}
    assert {c["field"] for c in renamed["changes"]} == {
        "metadata.annotations", "spec.tolerations", f"{CONTAINER}.args", f"{CONTAINER}.env", f"{CONTAINER}.image"}
    assert renamed == {**renamed, "changes": planned["changes"]}  # what check mode planned

    # Helm's: reported with the command to run, not touched.
    assert daemon_set(world, HELM, "nvidia-device-plugin", "nvdp-nvidia-device-plugin") == helm_before
    [helm] = device_plugins(run, HELM)
    assert helm["action"] == "helm" and helm["helm"]["release"] == "nvdp" and helm["changes"] == []
    assert "helm upgrade nvdp nvdp/nvidia-device-plugin --namespace nvidia-device-plugin --version 0.17.1 " \
           "--reuse-values" in helm["message"]
    assert "nvidia-device-plugin/nvdp-nvidia-device-plugin: Helm release nvdp" in run.output
    assert rbac_rules(world.state.log.as_dicts()) <= role_rules()

    # A rerun changes nothing.
    position = len(world.state.log.records())
    again = run_playbook(world, {"eks_waves": ["100%"]})
    assert again.rc == 0, again.output[-3000:]
    assert mutating_calls(world, position) == []
