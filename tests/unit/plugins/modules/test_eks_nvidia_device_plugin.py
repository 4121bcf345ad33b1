"""eks_nvidia_device_plugin against the emulated world: the device plugin found under any name, its release's
manifest applied with the team's additions kept, Helm left alone, check mode, diff, idempotence, rollouts."""
from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import rollout
from ansible_collections.lifecycle.eks.plugins.modules import eks_nvidia_device_plugin as module
from tests.conftest import mutating_calls
from tests.unit.plugins.modules.helpers import log_position, records, warning_texts

RENAMED, HELM = "gpu-renamed-129", "gpu-helm-129"
TEAM_TOLERATION = {"key": "team.example.com/ml", "operator": "Exists", "effect": "NoSchedule"}
GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}


def daemon_set(world: Any, cluster: str, namespace: str, name: str) -> dict[str, Any]:
    return world.kube.cluster(cluster).get("apps/v1", "DaemonSet", namespace, name)


def plugin_args(args, cluster, **extra):
    return args(cluster, **dict({"version": "v0.17.1", "wait_timeout": 30}, **extra))


def test_applies_the_release_manifest_to_a_renamed_device_plugin_keeping_the_teams_additions(
        make_world, run_module, args):
    world = make_world("gpu-device-plugin-installs")
    before = daemon_set(world, RENAMED, "gpu-system", "gpu-plugin")
    result = run_module(module, plugin_args(args, RENAMED), diff=True)
    assert not result.failed, result.get("msg")
    assert result["changed"] is True and result["found"] is True
    [entry] = result["device_plugins"]
    assert (entry["namespace"], entry["name"], entry["action"], entry["helm"]) == (
        "gpu-system", "gpu-plugin", "update", None)
    assert (entry["release_before"], entry["release"], entry["manifest"]) == ("v0.11.0", "v0.17.1", True)
    changed = {c["field"]: (c["before"], c["after"]) for c in entry["changes"]}
    assert sorted(changed) == ["metadata.annotations", "spec.containers[nvidia-device-plugin-ctr].args",
                               "spec.containers[nvidia-device-plugin-ctr].env",
                               "spec.containers[nvidia-device-plugin-ctr].image", "spec.tolerations"]
    assert changed["spec.containers[nvidia-device-plugin-ctr].args"] == (["--fail-on-init-error=false"], None)
    assert changed["spec.containers[nvidia-device-plugin-ctr].env"] == (
        None, [{"name": "FAIL_ON_INIT_ERROR", "value": "false"}])
    assert result["diff"]["after"]["gpu-system/gpu-plugin"]["spec.tolerations"] == [GPU_TOLERATION, TEAM_TOLERATION]

    after = daemon_set(world, RENAMED, "gpu-system", "gpu-plugin")
    template = after["spec"]["template"]
    [container] = template["spec"]["containers"]
    assert container["image"] == "nvcr.io/nvidia/k8s-device-plugin:v0.17.1"
    assert "args" not in container and container["env"] == [{"name": "FAIL_ON_INIT_ERROR", "value": "false"}]
    # The CriticalAddonsOnly toleration and the annotation came from v0.11.0's manifest: gone. The team's stay.
    assert template["spec"]["tolerations"] == [GPU_TOLERATION, TEAM_TOLERATION]
    assert template["spec"]["nodeSelector"] == {"node.kubernetes.io/instance-type": "g5.xlarge"}
    assert "annotations" not in template["metadata"]
    assert template["metadata"]["labels"] == before["spec"]["template"]["metadata"]["labels"]
    assert after["spec"]["selector"] == before["spec"]["selector"]
    operations = [r["operation"] for r in records(world, cluster=RENAMED, service="k8s")]
    assert operations.count("patch daemonsets") == 1
    assert operations.index("patch daemonsets") < len(operations) - 1  # then read until the rollout is done

    position = log_position(world)
    again = run_module(module, plugin_args(args, RENAMED), diff=True)
    assert not again.failed, again.get("msg")
    assert again["changed"] is False and again["device_plugins"][0]["action"] == "up_to_date"
    assert again["diff"] == {"before": {}, "after": {}}
    assert mutating_calls(world, position) == []


def test_check_mode_plans_the_same_and_sends_no_write(make_world, run_module, args):
    world = make_world("gpu-device-plugin-installs")
    before = daemon_set(world, RENAMED, "gpu-system", "gpu-plugin")
    planned = run_module(module, plugin_args(args, RENAMED), check_mode=True, diff=True)
    assert not planned.failed, planned.get("msg")
    assert planned["changed"] is True and planned["device_plugins"][0]["action"] == "update"
    assert mutating_calls(world) == []
    assert daemon_set(world, RENAMED, "gpu-system", "gpu-plugin") == before
    real = run_module(module, plugin_args(args, RENAMED), diff=True)
    assert real["device_plugins"] == planned["device_plugins"] and real["diff"] == planned["diff"]


def test_helm_installed_device_plugin_is_reported_not_changed(make_world, run_module, args):
    world = make_world("gpu-device-plugin-installs")
    result = run_module(module, plugin_args(args, HELM))
    assert not result.failed, result.get("msg")
    assert result["changed"] is False
    [entry] = result["device_plugins"]
    assert (entry["namespace"], entry["name"], entry["action"]) == (
        "nvidia-device-plugin", "nvdp-nvidia-device-plugin", "helm")
    assert entry["helm"] == {"release": "nvdp", "namespace": "nvidia-device-plugin", "chart": "nvidia-device-plugin",
                             "chart_version": "0.14.5"}
    assert entry["message"] == (
        "Helm release nvdp (namespace nvidia-device-plugin) owns it: helm repo add nvdp "
        "https://nvidia.github.io/k8s-device-plugin && helm repo update && helm upgrade nvdp nvdp/nvidia-device-plugin "
        "--namespace nvidia-device-plugin --version 0.17.1 --reuse-values")
    assert entry["changes"] == []
    assert mutating_calls(world) == []


def test_a_later_release_is_never_downgraded(make_world, run_module, args):
    world = make_world("gpu-device-plugin-installs")
    result = run_module(module, plugin_args(args, RENAMED, version="v0.10.0"))
    assert not result.failed, result.get("msg")
    assert result["changed"] is False
    assert result["device_plugins"][0]["action"] == "newer"
    assert result["device_plugins"][0]["message"] == "It runs v0.11.0, later than v0.10.0: left as is."
    assert mutating_calls(world) == []


def test_a_release_not_shipped_sets_the_image_only_with_a_warning(make_world, run_module, args):
    world = make_world("gpu-device-plugin-installs")
    result = run_module(module, plugin_args(args, RENAMED, version="v0.99.0"))
    assert not result.failed, result.get("msg")
    [entry] = result["device_plugins"]
    assert entry["manifest"] is False
    assert [c["field"] for c in entry["changes"]] == ["spec.containers[nvidia-device-plugin-ctr].image"]
    [container] = daemon_set(world, RENAMED, "gpu-system", "gpu-plugin")["spec"]["template"]["spec"]["containers"]
    assert container["image"] == "nvcr.io/nvidia/k8s-device-plugin:v0.99.0"
    assert container["args"] == ["--fail-on-init-error=false"]
    assert any("No manifest of v0.99.0 is shipped (releases v0.10.0 to v0.19.3 are)" in w
               for w in warning_texts(result))


@pytest.mark.parametrize("version", ["0.17", "latest", "v0.17.1-rc.1"])
def test_a_version_that_is_not_a_release_fails_and_changes_nothing(make_world, run_module, args, version):
    world = make_world("gpu-device-plugin-installs")
    result = run_module(module, plugin_args(args, RENAMED, version=version))
    assert result.failed
    assert result["msg"] == "version must be a device plugin release such as v0.17.1, got %r." % version
    assert records(world, service="k8s") == [] and mutating_calls(world) == []


def test_no_device_plugin(make_world, run_module, args):
    world = make_world("healthy")
    result = run_module(module, args("healthy-129", version="v0.17.1"))
    assert not result.failed, result.get("msg")
    assert result == {**result, "changed": False, "found": False, "device_plugins": []}
    assert mutating_calls(world) == []


def test_a_daemon_set_changed_meanwhile_is_not_overwritten(make_world, run_module, args, monkeypatch):
    world = make_world("gpu-device-plugin-installs")
    real_write = module._write

    def someone_edits_first(apis, entry, resource_version):
        store = world.kube.cluster(RENAMED)
        store.patch("apps/v1", "DaemonSet", "gpu-system", "gpu-plugin",
                    {"spec": {"template": {"spec": {"priorityClassName": "team-critical"}}}})
        return real_write(apis, entry, resource_version)

    monkeypatch.setattr(module, "_write", someone_edits_first)
    result = run_module(module, plugin_args(args, RENAMED))
    assert result.failed
    assert result["msg"].startswith("DaemonSet gpu-system/gpu-plugin changed while it was being updated; nothing "
                                    "was written: run again."), result["msg"]
    assert result["changed"] is False
    template = daemon_set(world, RENAMED, "gpu-system", "gpu-plugin")["spec"]["template"]
    assert template["spec"]["priorityClassName"] == "team-critical"
    assert template["spec"]["containers"][0]["image"].endswith(":v0.11.0")


def test_a_rollout_that_does_not_finish_fails_reporting_the_change(make_world, run_module, args, monkeypatch):
    make_world("gpu-device-plugin-installs")
    monkeypatch.setattr(rollout, "rollout_done", lambda kind, obj: False)
    result = run_module(module, plugin_args(args, RENAMED, wait_timeout=0))
    assert result.failed
    assert result["msg"].startswith("Rollout of DaemonSet gpu-system/gpu-plugin to "
                                    "nvcr.io/nvidia/k8s-device-plugin:v0.17.1 did not finish in 0 s"), result["msg"]
    assert result["changed"] is True and result["device_plugins"][0]["action"] == "update"
