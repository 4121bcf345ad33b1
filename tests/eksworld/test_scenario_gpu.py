"""GPU node groups in the world: taints and labels on nodes and in DescribeNodegroup, where daemon pods run, GPUs
advertised only where an NVIDIA device plugin runs after a node group update, and UpdateNodegroupConfig."""
from __future__ import annotations

from typing import Any, Callable

import boto3
import pytest
from botocore.exceptions import ClientError

from eksworld import scenario, scenario_gpu
from eksworld.aws import AwsEmulator
from eksworld.kube_scheduling import daemon_pod_fits
from eksworld.shapecheck import attach_shape_checker

GPU_TAINT = {"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}


def kube_node(labels: dict[str, str] | None = None, taints: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"metadata": {"name": "n1", "labels": labels or {}}, "spec": {"taints": taints or []}}


@pytest.mark.parametrize("pod_spec, node, fits", [
    ({}, kube_node(), True),
    ({}, kube_node(taints=[GPU_TAINT]), False),
    ({"tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]},
     kube_node(taints=[GPU_TAINT]), True),
    ({"tolerations": [{"key": "nvidia.com/gpu", "value": "true"}]}, kube_node(taints=[GPU_TAINT]), True),
    ({"tolerations": [{"key": "nvidia.com/gpu", "value": "false"}]}, kube_node(taints=[GPU_TAINT]), False),
    ({"tolerations": [{"operator": "Exists"}]}, kube_node(taints=[GPU_TAINT]), True),
    ({}, kube_node(taints=[{"key": "x", "effect": "PreferNoSchedule"}]), True),
    ({}, kube_node(taints=[{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}]), True),
    ({"nodeSelector": {"pool": "ml"}}, kube_node({"pool": "ml"}), True),
    ({"nodeSelector": {"pool": "ml"}}, kube_node({"pool": "web"}), False),
    ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "gpu", "operator": "Exists"}]},
        {"matchExpressions": [{"key": "count", "operator": "Gt", "values": ["3"]}]}]}}}},
     kube_node({"count": "4"}), True),
    ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "gpu", "operator": "Exists"}]}]}}}}, kube_node({"count": "4"}), False),
    ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]}]}}}}, kube_node(), True),
    ({}, kube_node({"eks.amazonaws.com/compute-type": "fargate"}), False),
])
def test_where_a_daemon_pod_runs(pod_spec: dict[str, Any], node: dict[str, Any], fits: bool) -> None:
    assert daemon_pod_fits(pod_spec, node) is fits


def test_gpu_node_groups_carry_their_taints_and_labels(make_world: Callable[..., Any]) -> None:
    world = make_world("gpu-taint-untolerated")
    client = boto3.client("eks", endpoint_url=world.aws_url, region_name=world.region)
    attach_shape_checker(client)
    group = client.describe_nodegroup(clusterName="gpu-untolerated-130", nodegroupName="gpu-a10")["nodegroup"]
    assert (group["amiType"], group["instanceTypes"]) == ("AL2023_x86_64_NVIDIA", ["g5.xlarge"])
    assert group["taints"] == [{"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}]
    store = world.kube.cluster("gpu-untolerated-130")
    nodes = {n["metadata"]["name"]: n for n in store.list("v1", "Node")}
    gpu_node = nodes["ip-10-0-1-3.ec2.internal"]
    assert gpu_node["spec"]["taints"] == [GPU_TAINT]
    assert gpu_node["metadata"]["labels"]["k8s.amazonaws.com/accelerator"] == "nvidia-a10g"
    assert gpu_node["status"]["allocatable"]["nvidia.com/gpu"] == "1"
    # Its device plugin tolerates no taint: it runs on the two general nodes only; EKS's node agents everywhere.
    scheduled = {d["metadata"]["name"]: d["status"]["desiredNumberScheduled"]
                 for d in store.list("apps/v1", "DaemonSet")}
    assert scheduled == {"aws-node": 4, "kube-proxy": 4, "nvidia-device-plugin-daemonset": 2}


@pytest.mark.parametrize("stem, cluster, gpus", [("gpu-taint-tolerated", "gpu-tolerated-130", "1"),
                                                 ("gpu-taint-untolerated", "gpu-untolerated-130", None)])
def test_gpus_come_back_after_a_node_group_update_only_where_a_device_plugin_runs(
        make_world: Callable[..., Any], stem: str, cluster: str, gpus: str | None) -> None:
    world = make_world(stem)
    client = boto3.client("eks", endpoint_url=world.aws_url, region_name=world.region)
    client.update_nodegroup_version(clusterName=cluster, nodegroupName="gpu-a10")
    store = world.kube.cluster(cluster)

    def allocatable() -> set[str | None]:
        world.advance()
        return {n["status"]["allocatable"].get("nvidia.com/gpu") for n in store.list(
            "v1", "Node", label_selector="eks.amazonaws.com/nodegroup=gpu-a10")}

    world.state.clock.advance(world.state.nodegroup_update_s)
    assert allocatable() == {None}  # new nodes: no GPU until a device plugin pod registers it
    world.state.clock.advance(world.state.gpu_register_s)
    assert allocatable() == {gpus}
    nodes = store.list("v1", "Node", label_selector="eks.amazonaws.com/nodegroup=gpu-a10")
    assert {n["status"]["nodeInfo"]["kubeletVersion"].split(".")[1] for n in nodes} == {"30"}
    assert all(n["spec"]["taints"] == [GPU_TAINT] for n in nodes)
    if gpus is None:  # the DaemonSet made to tolerate the taint: its pods start, the GPUs appear
        plugin = store.get("apps/v1", "DaemonSet", "kube-system", "nvidia-device-plugin-daemonset")
        plugin["spec"]["template"]["spec"]["tolerations"] = [{"key": "nvidia.com/gpu", "operator": "Exists"}]
        store.replace(plugin)
        assert allocatable() == {"1"}


def test_update_nodegroup_config(aws: AwsEmulator, aws_eks: Any, aws_cluster: str) -> None:
    """updateConfig (and labels, taints) change when the update completes; the params are botocore's types."""
    names = {"clusterName": aws_cluster, "nodegroupName": "general"}
    update = aws_eks.update_nodegroup_config(**names, updateConfig={"maxUnavailable": 2, "updateStrategy": "MINIMAL"},
                                             labels={"addOrUpdateLabels": {"pool": "ml"}},
                                             taints={"addOrUpdateTaints": [{"key": "gpu", "effect": "NO_SCHEDULE"}]})
    update = update["update"]
    assert (update["type"], update["status"]) == ("ConfigUpdate", "InProgress")
    assert update["params"] == [{"type": "MaxUnavailable", "value": "2"},
                                {"type": "UpdateStrategy", "value": "MINIMAL"},
                                {"type": "LabelsToAdd", "value": '{"pool": "ml"}'},
                                {"type": "TaintsToAdd", "value": '[{"effect": "NO_SCHEDULE", "key": "gpu"}]'}]
    assert aws_eks.describe_nodegroup(**names)["nodegroup"]["status"] == "UPDATING"
    with pytest.raises(ClientError) as busy:
        aws_eks.update_nodegroup_config(**names, updateConfig={"maxUnavailable": 1})
    assert busy.value.response["Error"]["Code"] == "ResourceInUseException"
    aws.state.clock.advance(aws.state.nodegroup_update_s)
    done = aws_eks.describe_update(name=aws_cluster, updateId=update["id"], nodegroupName="general")["update"]
    assert done["status"] == "Successful"
    group = aws_eks.describe_nodegroup(**names)["nodegroup"]
    assert group["updateConfig"] == {"maxUnavailable": 2, "updateStrategy": "MINIMAL"}
    assert (group["labels"], group["taints"], group["status"]) == (
        {"pool": "ml"}, [{"key": "gpu", "effect": "NO_SCHEDULE"}], "ACTIVE")
    assert update["id"] in aws_eks.list_updates(name=aws_cluster, nodegroupName="general")["updateIds"]


@pytest.mark.parametrize("request_fields, message", [
    ({"updateConfig": {"updateStrategy": "MINIMAL"}},
     "updateConfig needs exactly one of maxUnavailable and maxUnavailablePercentage"),
    ({"updateConfig": {"maxUnavailable": 1, "maxUnavailablePercentage": 10}},
     "updateConfig needs exactly one of maxUnavailable and maxUnavailablePercentage"),
    ({"updateConfig": {"maxUnavailablePercentage": 101}}, "maxUnavailablePercentage must be between 1 and 100"),
    ({"updateConfig": {"maxUnavailable": 1, "updateStrategy": "FASTEST"}},
     "updateStrategy must be one of DEFAULT, MINIMAL"),
    ({}, "No changes needed"),
    ({"nodeRepairConfig": {"enabled": True}},
     "eksworld emulates labels, taints, scalingConfig and updateConfig of UpdateNodegroupConfig"),
])
def test_update_nodegroup_config_refusals(aws: AwsEmulator, aws_eks: Any, aws_cluster: str,
                                          request_fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ClientError) as refused:
        aws_eks.update_nodegroup_config(clusterName=aws_cluster, nodegroupName="general", **request_fields)
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert refused.value.response["Error"]["Message"] == message
    assert aws_eks.describe_nodegroup(clusterName=aws_cluster, nodegroupName="general")["nodegroup"]["status"] == \
        "ACTIVE"


def test_config_updates_relabel_and_retaint_the_nodes(make_world: Callable[..., Any]) -> None:
    world = make_world("gpu-taint-tolerated")
    client = boto3.client("eks", endpoint_url=world.aws_url, region_name=world.region)
    client.update_nodegroup_config(clusterName="gpu-tolerated-130", nodegroupName="gpu-a10",
                                   labels={"addOrUpdateLabels": {"nvidia.com/gpu.present": "true"}},
                                   taints={"removeTaints": [{"key": "nvidia.com/gpu", "value": "true",
                                                             "effect": "NO_SCHEDULE"}]})
    world.state.clock.advance(world.state.nodegroup_update_s)
    world.advance()
    for node in world.kube.cluster("gpu-tolerated-130").list(
            "v1", "Node", label_selector="eks.amazonaws.com/nodegroup=gpu-a10"):
        assert node["metadata"]["labels"]["nvidia.com/gpu.present"] == "true"
        assert "taints" not in node["spec"]
        assert node["status"]["allocatable"]["nvidia.com/gpu"] == "1"  # nodes kept: their GPUs stay advertised


@pytest.mark.parametrize("cluster, message", [
    ({"nodegroups": [{"name": "g", "taints": [{"key": "k", "effect": "NoSchedule"}]}]},
     "node group g: taints: each needs a key and an effect of NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE"),
    ({"nodegroups": [{"name": "g", "taints": [{"key": "k", "effect": "NO_SCHEDULE", "operator": "Exists"}]}]},
     "node group g: taints entry: unknown key(s) operator"),
    ({"workloads": {"nvidia_device_plugin": {"tolerations": []}}}, "nvidia_device_plugin needs a version"),
    ({"workloads": {"nvidia_device_plugin": {"version": "v0.17.1", "node_affinity": {}}}},
     "nvidia_device_plugin: unknown key(s) node_affinity"),
    ({"workloads": {"nvidia_device_plugin": {"version": "v0.17.1", "container": ["args"]}}},
     "nvidia_device_plugin: container must be a mapping of fields, got ['args']"),
])
def test_bad_gpu_settings_are_refused(cluster: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as error:
        scenario.normalize({"clusters": [{"name": "odd", **cluster}]}, "fleet.yml")
    assert message in str(error.value)


def test_device_plugin_as_installed_from_the_static_manifest_or_by_helm() -> None:
    """Upstream's static manifest (v0.12.0 to v0.17.3 layout) under its own name, or under another name with the
    scenario's changes; NVIDIA's Helm chart: <release>-nvidia-device-plugin with Helm's labels and annotations."""
    static = scenario_gpu.device_plugin_daemon_set("v0.14.5")
    assert (static["metadata"], static["spec"]["selector"]) == (
        {"name": "nvidia-device-plugin-daemonset", "namespace": "kube-system"},
        {"matchLabels": {"name": "nvidia-device-plugin-ds"}})
    [container] = static["spec"]["template"]["spec"]["containers"]
    assert container["image"] == "nvcr.io/nvidia/k8s-device-plugin:v0.14.5"
    assert container["env"] == [{"name": "FAIL_ON_INIT_ERROR", "value": "false"}]
    assert static["spec"]["template"]["spec"]["volumes"] == [
        {"name": "device-plugin", "hostPath": {"path": "/var/lib/kubelet/device-plugins"}}]

    changed = scenario_gpu.device_plugin_daemon_set({
        "version": "v0.11.0", "name": "gpu-plugin", "namespace": "gpu-system",
        "container": {"args": ["-x"], "env": None}, "pod_spec": {"priorityClassName": None},
        "annotations": {"a": "b"}, "node_selector": {"gpu": "yes"}})
    template = changed["spec"]["template"]
    assert (changed["metadata"]["name"], changed["metadata"]["namespace"]) == ("gpu-plugin", "gpu-system")
    assert template["metadata"]["annotations"] == {"a": "b"} and template["spec"]["nodeSelector"] == {"gpu": "yes"}
    assert template["spec"]["containers"][0]["args"] == ["-x"] and "env" not in template["spec"]["containers"][0]
    assert "priorityClassName" not in template["spec"]

    helm = scenario_gpu.device_plugin_daemon_set({"version": "v0.14.5", "helm": "nvdp", "namespace": "nvidia"})
    assert (helm["metadata"]["name"], helm["metadata"]["namespace"]) == ("nvdp-nvidia-device-plugin", "nvidia")
    assert helm["metadata"]["labels"] == {
        "app.kubernetes.io/name": "nvidia-device-plugin", "app.kubernetes.io/instance": "nvdp",
        "helm.sh/chart": "nvidia-device-plugin-0.14.5", "app.kubernetes.io/version": "0.14.5",
        "app.kubernetes.io/managed-by": "Helm"}
    assert helm["metadata"]["annotations"] == {"meta.helm.sh/release-name": "nvdp",
                                               "meta.helm.sh/release-namespace": "nvidia"}
    assert helm["spec"]["selector"]["matchLabels"] == helm["spec"]["template"]["metadata"]["labels"] == {
        "app.kubernetes.io/name": "nvidia-device-plugin", "app.kubernetes.io/instance": "nvdp"}
