"""GPU node groups against the emulated world: nvidia.com/gpu allocatable verified after each update, the device
plugin's scheduling judged by preflight (gpu-device-plugin-scheduling), and the MINIMAL update strategy."""
from __future__ import annotations

import pytest

from ansible_collections.lifecycle.eks.plugins.modules import eks_nodegroup_upgrade as module
from ansible_collections.lifecycle.eks.plugins.modules import eks_upgrade_preflight
from tests.conftest import mutating_calls
from tests.unit.plugins.modules.helpers import FAST_WAIT, log_position, records

GPU_NODES = ["ip-10-0-1-3.ec2.internal", "ip-10-0-1-4.ec2.internal"]
MISSING_REASON = ("kube-system/nvidia-device-plugin-daemonset: it does not tolerate the node's taint "
                  "nvidia.com/gpu=true:NoSchedule")


def ng_args(args, name, **extra):
    return args(name, **dict(FAST_WAIT, **extra))


def entries(result):
    return {e["name"]: e for e in result["nodegroups"]}


def gpus_allocatable(world, cluster):
    nodes = world.kube.cluster(cluster).list("v1", "Node", label_selector="eks.amazonaws.com/nodegroup=gpu-a10")
    return {n["metadata"]["name"]: n["status"]["allocatable"].get("nvidia.com/gpu") for n in nodes}


def check(result, check_id="gpu-device-plugin-scheduling"):
    return {c["id"]: c for c in result["checks"]}[check_id]


def test_gpu_nodes_advertise_their_gpus_again_after_the_update(make_world, run_module, args):
    """The device plugin tolerates the AL2023 GPU node group's taint: the new nodes advertise nvidia.com/gpu once it
    runs there (gpu_register_s after they joined, so the module waits for it)."""
    world = make_world("gpu-taint-tolerated")
    result = run_module(module, ng_args(args, "gpu-tolerated-130"))
    assert not result.failed, result.get("msg")
    gpu_group, general = entries(result)["gpu-a10"], entries(result)["general"]
    assert (gpu_group["gpu"], gpu_group["action"], general["gpu"]) == (True, "update", False)
    assert gpu_group["gpu_allocatable"] == {"status": "advertised", "nodes": {node: 1 for node in GPU_NODES}}
    assert "gpu_allocatable" not in general
    assert result["gpu_nodes_missing"] == []
    assert gpus_allocatable(world, "gpu-tolerated-130") == {node: "1" for node in GPU_NODES}
    # The Kubernetes API was read for the GPU node group only, by label.
    node_reads = [r["operation"] for r in records(world, service="k8s") if "nodes" in r["operation"]]
    assert node_reads and set(node_reads) == {"list nodes"}


def test_gpu_nodes_the_device_plugin_does_not_reach_are_named(make_world, run_module, args):
    """The device plugin does not tolerate the node group's taint: the new nodes never advertise a GPU, and the task
    fails naming them and why, with the update it made reported."""
    world = make_world("gpu-taint-untolerated")
    before = gpus_allocatable(world, "gpu-untolerated-130")
    assert before == {node: "1" for node in GPU_NODES}  # its pods ran there before the taint: GPUs advertised
    result = run_module(module, ng_args(args, "gpu-untolerated-130", gpu_allocatable_timeout=1))
    assert result.failed
    assert result["msg"].startswith("Node group update failed: GPU nodes of node group(s) gpu-a10 do not advertise "
                                    "nvidia.com/gpu allocatable 1 s after the update: ")
    for node in GPU_NODES:
        assert "%s (%s)" % (node, MISSING_REASON) in result["msg"]
    assert result["gpu_nodes_missing"] == [{"node": node, "nodegroup": "gpu-a10", "reasons": [MISSING_REASON]}
                                           for node in GPU_NODES]
    assert entries(result)["gpu-a10"]["gpu_allocatable"]["status"] == "missing"
    assert result["changed"] is True and [u["status"] for u in result["updates"]] == ["Successful"]
    assert gpus_allocatable(world, "gpu-untolerated-130") == {node: None for node in GPU_NODES}


def test_gpu_node_groups_that_advertised_nothing_are_not_verified(make_world, run_module, args):
    """GPUs no device plugin advertised before the update (none installed, or a DRA driver) are not waited for."""
    make_world({"clusters": [{"name": "dra-130", "version": "1.30", "nodegroups": [
        {"name": "gpu-a10", "version": "1.29", "desired_size": 1, "gpu": True, "instance_type": "g5.xlarge",
         "gpus_advertised": False}]}]})
    result = run_module(module, ng_args(args, "dra-130"))
    assert not result.failed, result.get("msg")
    assert entries(result)["gpu-a10"]["gpu_allocatable"] == {
        "status": "not verified", "reason": "no GPU node of the node group advertised nvidia.com/gpu allocatable "
                                            "before the update (no device plugin, or GPUs handed out by a DRA driver)"}


def test_verification_can_be_turned_off(make_world, run_module, args):
    world = make_world("gpu-taint-untolerated")
    start = log_position(world)
    result = run_module(module, ng_args(args, "gpu-untolerated-130", verify_gpu_allocatable=False))
    assert not result.failed, result.get("msg")
    assert entries(result)["gpu-a10"]["gpu_allocatable"] == {"status": "not verified",
                                                             "reason": "verify_gpu_allocatable is false"}
    assert records(world, start, service="k8s") == []


@pytest.mark.parametrize("name, status", [("gpu-untolerated-130", "fail"), ("gpu-tolerated-130", "pass")])
def test_preflight_judges_where_the_device_plugin_runs(make_world, run_module, args, name, status):
    make_world("gpu-taint-untolerated" if status == "fail" else "gpu-taint-tolerated")
    result = run_module(eks_upgrade_preflight, args(name, target_version="1.30", skip_checks=["kubectl-client"]))
    found = check(result)
    assert found["status"] == status, found
    if status == "pass":
        assert found["message"] == ("The NVIDIA device plugin (DaemonSet kube-system/nvidia-device-plugin-daemonset) "
                                    "runs on every GPU node, and on the new nodes of GPU node groups gpu-a10, and on "
                                    "no other node.")
        return
    assert result["summary"]["failed_checks"] == ["gpu-device-plugin-scheduling"]
    for where in ["new nodes of node group gpu-a10"] + GPU_NODES:
        assert "%s (kube-system/nvidia-device-plugin-daemonset: it does not tolerate the node's taint " \
               "nvidia.com/gpu=true:NoSchedule)" % where in found["message"]
    assert "also runs on nodes without an NVIDIA GPU: ip-10-0-1-1.ec2.internal, ip-10-0-1-2.ec2.internal, new " \
           "nodes of node group general" in found["message"]
    assert found["remediation"] == (
        "Add to the DaemonSet's pod template tolerations: {key: nvidia.com/gpu, operator: Exists, effect: "
        "NoSchedule}. Restrict it to GPU nodes with a required node affinity on k8s.amazonaws.com/accelerator In "
        "[nvidia-a10g].")


def nodegroup(world, name, cluster):
    return world.client("eks").describe_nodegroup(clusterName=cluster, nodegroupName=name)["nodegroup"]


def test_minimal_update_strategy_for_gpu_node_groups(make_world, run_module, args):
    """Opt-in: check mode says what changes and sends nothing; the real run sets MINIMAL (maxUnavailable kept) before
    the version update of the GPU node group only; the rerun changes nothing."""
    world = make_world("gpu-taint-tolerated")
    planned = run_module(module, ng_args(args, "gpu-tolerated-130", gpu_update_strategy="minimal"), check_mode=True,
                         diff=True)
    assert not planned.failed, planned.get("msg")
    assert planned["changed"] is True and mutating_calls(world) == []
    assert entries(planned)["gpu-a10"]["update_strategy"] == {"before": "DEFAULT", "after": "MINIMAL"}
    assert "update_strategy" not in entries(planned)["general"]
    versions, strategies = planned["diff"]
    assert versions == {"before": {"general": "1.30", "gpu-a10": "1.29"},
                        "after": {"general": "1.30", "gpu-a10": "1.30"}}
    assert (strategies["before"], strategies["after"]) == ({"gpu-a10": "DEFAULT"}, {"gpu-a10": "MINIMAL"})

    result = run_module(module, ng_args(args, "gpu-tolerated-130", gpu_update_strategy="minimal"))
    assert not result.failed, result.get("msg")
    assert [(r["operation"], r["fields"]) for r in mutating_calls(world)] == [
        ("UpdateNodegroupConfig", ["clientRequestToken", "updateConfig", "updateConfig.maxUnavailable",
                                   "updateConfig.updateStrategy"]),
        ("UpdateNodegroupVersion", ["clientRequestToken", "version"])]
    assert [e["update_id"] for e in result["nodegroups"] if "update_id" in e] == [result["updates"][1]["id"]]
    config_update, version_update = result["updates"]
    assert (config_update["type"], config_update["subject"], config_update["status"]) == (
        "ConfigUpdate", "node group gpu-a10 update strategy", "Successful")
    assert (config_update["from"], version_update["to"]) == ("DEFAULT", "1.30")
    config = nodegroup(world, "gpu-a10", "gpu-tolerated-130")["updateConfig"]
    assert config == {"maxUnavailable": 1, "updateStrategy": "MINIMAL"}
    assert entries(result)["gpu-a10"]["gpu_allocatable"]["status"] == "advertised"

    start = log_position(world)
    again = run_module(module, ng_args(args, "gpu-tolerated-130", gpu_update_strategy="minimal"))
    assert again["changed"] is False and mutating_calls(world, start) == []


def test_a_node_group_already_minimal_gets_no_configuration_update(make_world, run_module, args):
    world = make_world("gpu-taint-tolerated")
    world.client("eks").update_nodegroup_config(clusterName="gpu-tolerated-130", nodegroupName="gpu-a10",
                                                updateConfig={"maxUnavailablePercentage": 50,
                                                              "updateStrategy": "MINIMAL"})
    world.state.clock.advance(world.state.nodegroup_update_s)
    start = log_position(world)
    result = run_module(module, ng_args(args, "gpu-tolerated-130", gpu_update_strategy="minimal"))
    assert not result.failed, result.get("msg")
    assert entries(result)["gpu-a10"]["update_strategy"] == {"before": "MINIMAL", "after": "MINIMAL"}
    assert [r["operation"] for r in mutating_calls(world, start)] == ["UpdateNodegroupVersion"]
