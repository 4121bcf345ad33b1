"""gpu.py: which node is a GPU node, which taint a toleration covers, which nodes a selector picks, the verdicts of
check gpu-device-plugin-scheduling; gpu_kube.wait_for_gpu_allocatable on a fake clock."""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import gpu, gpu_kube

BOTOCORE_EKS = Path(__import__("botocore").__file__).parent / "data" / "eks"


@pytest.mark.parametrize("instance_type, nvidia", [
    ("p3.2xlarge", True), ("p4d.24xlarge", True), ("p5en.48xlarge", True), ("p6-b200.48xlarge", True),
    ("g4dn.xlarge", True), ("g5.xlarge", True), ("g5g.2xlarge", True), ("g6e.xlarge", True), ("gr6.4xlarge", True),
    ("G5.XLARGE", True),
    ("g4ad.xlarge", False),  # AMD Radeon
    ("m5.large", False), ("inf2.xlarge", False), ("trn1.2xlarge", False), ("c7g.large", False), ("", False),
    (None, False),
])
def test_nvidia_instance_types(instance_type, nvidia):
    assert gpu.nvidia_instance_type(instance_type) is nvidia


@pytest.mark.parametrize("labels, capacity, expected", [
    ({"nvidia.com/gpu.present": "true"}, 0, True),
    ({"nvidia.com/gpu.present": "false"}, 0, False),
    ({"eks.amazonaws.com/instance-gpu-manufacturer": "nvidia"}, 0, True),
    ({"eks.amazonaws.com/instance-gpu-manufacturer": "amd"}, 0, False),
    ({"karpenter.k8s.aws/instance-gpu-manufacturer": "nvidia"}, 0, True),
    ({"feature.node.kubernetes.io/pci-10de.present": "true"}, 0, True),
    ({"k8s.amazonaws.com/accelerator": "nvidia-tesla-v100"}, 0, True),
    ({"node.kubernetes.io/instance-type": "g5.xlarge"}, 0, True),
    ({"beta.kubernetes.io/instance-type": "p3.2xlarge"}, 0, True),
    ({"node.kubernetes.io/instance-type": "g4ad.xlarge"}, 0, False),
    ({"node.kubernetes.io/instance-type": "m5.large"}, 0, False),
    ({"node.kubernetes.io/instance-type": "m5.large"}, 1, True),  # a GPU the device plugin advertises
    ({}, 0, False),
])
def test_which_node_is_a_gpu_node(labels, capacity, expected):
    assert gpu.is_gpu_node(labels, capacity) is expected


@pytest.mark.parametrize("group, expected", [
    ({"instance_types": ["g5.xlarge"], "ami_type": "AL2023_x86_64_NVIDIA"}, True),
    ({"instance_types": ["p3.2xlarge"], "ami_type": "CUSTOM"}, True),  # a custom AMI on GPU instances
    ({"instance_types": ["m5.large", "g5.xlarge"], "ami_type": "AL2023_x86_64_STANDARD"}, True),
    ({"instance_types": ["inf2.xlarge"], "ami_type": "AL2_x86_64_GPU"}, False),  # the accelerated AL2 AMI, Inferentia
    ({"instance_types": ["m5.large"], "ami_type": "AL2023_x86_64_STANDARD"}, False),
    # instance types in a launch template: the AMI type tells
    ({"instance_types": [], "ami_type": "AL2023_x86_64_NVIDIA"}, True),
    ({"instance_types": [], "ami_type": "BOTTLEROCKET_x86_64_NVIDIA"}, True),
    ({"instance_types": [], "ami_type": "AL2_x86_64_GPU"}, True),
    ({"instance_types": [], "ami_type": "CUSTOM", "labels": {"nvidia.com/gpu.present": "true"}}, True),
    ({"instance_types": [], "ami_type": "CUSTOM"}, False),
    ({"instance_types": [], "ami_type": "AL2023_x86_64_NEURON"}, False),
])
def test_which_node_group_is_a_gpu_node_group(group, expected):
    assert gpu.is_gpu_nodegroup(group) is expected


def test_the_nvidia_ami_types_are_botocores():
    model = json.loads(__import__("gzip").open(next(BOTOCORE_EKS.glob("*/service-2.json.gz"))).read())
    ami_types = set(model["shapes"]["AMITypes"]["enum"])
    with_nvidia_driver = {t for t in ami_types if "NVIDIA" in t or t == "AL2_x86_64_GPU"}
    assert with_nvidia_driver == gpu.NVIDIA_AMI_TYPES
    assert set(model["shapes"]["NodegroupUpdateStrategies"]["enum"]) == set(gpu.UPDATE_STRATEGIES)
    assert set(model["shapes"]["TaintEffect"]["enum"]) == set(gpu.EFFECTS)


GPU_TAINT = {"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}


@pytest.mark.parametrize("toleration, taint, expected", [
    ({"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}, GPU_TAINT, True),
    ({"key": "nvidia.com/gpu", "operator": "Exists"}, GPU_TAINT, True),  # any effect
    ({"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoExecute"}, GPU_TAINT, False),
    ({"key": "nvidia.com/gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule"}, GPU_TAINT, True),
    ({"key": "nvidia.com/gpu", "value": "true"}, GPU_TAINT, True),  # Equal is the default operator
    ({"key": "nvidia.com/gpu", "operator": "Equal", "value": "present"}, GPU_TAINT, False),
    ({"key": "nvidia.com/gpu", "operator": "Equal"}, GPU_TAINT, False),  # value "" against "true"
    ({"key": "nvidia.com/gpu", "operator": "Equal"}, {"key": "nvidia.com/gpu", "effect": "NoSchedule"}, True),
    ({"operator": "Exists"}, GPU_TAINT, True),  # tolerates everything
    ({"operator": "Exists", "effect": "NoExecute"}, GPU_TAINT, False),
    ({"key": "dedicated", "operator": "Exists"}, GPU_TAINT, False),
    ({"key": "CriticalAddonsOnly", "operator": "Exists"}, GPU_TAINT, False),
])
def test_tolerations(toleration, taint, expected):
    assert gpu.tolerates(toleration, taint) is expected


def test_only_noschedule_and_noexecute_taints_keep_a_daemon_pod_away():
    taints = [GPU_TAINT, {"key": "soft", "value": "", "effect": "PreferNoSchedule"},
              {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"},  # a cordoned node
              {"key": "node.kubernetes.io/not-ready", "effect": "NoExecute"},
              {"key": "dedicated", "value": "ml", "effect": "NoExecute"}]
    assert gpu.untolerated_taints([], taints) == [GPU_TAINT, taints[-1]]
    assert gpu.untolerated_taints([{"operator": "Exists"}], taints) == []
    assert gpu.untolerated_taints(None, None) == []


@pytest.mark.parametrize("operator, values, labels, expected", [
    ("In", ["g5.xlarge", "p3.2xlarge"], {"t": "g5.xlarge"}, True),
    ("In", ["g5.xlarge"], {"t": "m5.large"}, False),
    ("In", ["g5.xlarge"], {}, False),
    ("NotIn", ["m5.large"], {"t": "g5.xlarge"}, True),
    ("NotIn", ["m5.large"], {"t": "m5.large"}, False),
    ("NotIn", ["m5.large"], {}, True),  # no label: not in
    ("Exists", [], {"t": ""}, True),
    ("Exists", [], {}, False),
    ("DoesNotExist", [], {}, True),
    ("DoesNotExist", [], {"t": "x"}, False),
    ("Gt", ["3"], {"t": "4"}, True),
    ("Gt", ["3"], {"t": "3"}, False),
    ("Lt", ["3"], {"t": "2"}, True),
    ("Lt", ["3"], {"t": "3"}, False),
    ("Gt", ["3"], {"t": "many"}, False),
    ("Gt", ["3"], {}, False),
    ("Unknown", ["x"], {"t": "x"}, False),
])
def test_node_selector_requirements(operator, values, labels, expected):
    assert gpu.requirement_matches({"key": "t", "operator": operator, "values": values}, labels) is expected


def node(name, labels=None, taints=None, allocatable=0, capacity=None, fargate=False):
    return {"name": name, "labels": labels or {}, "taints": taints or [], "allocatable": allocatable,
            "capacity": allocatable if capacity is None else capacity, "fargate": fargate}


def affinity(*terms):
    return [{"match_expressions": list(term), "match_fields": []} for term in terms]


def test_node_selection_misses():
    gpu_node = node("a", {"node.kubernetes.io/instance-type": "g5.xlarge", "pool": "ml"})
    assert gpu.selection_misses({}, gpu_node) == []
    assert gpu.selection_misses({"node_selector": {"pool": "ml"}}, gpu_node) == []
    assert gpu.selection_misses({"node_selector": {"pool": "web", "zone": "a"}}, gpu_node) == [
        "nodeSelector pool=web (the node has ml)", "nodeSelector zone=a (the node has no such label)"]
    in_g5 = {"key": "node.kubernetes.io/instance-type", "operator": "In", "values": ["g5.xlarge"]}
    present = {"key": "nvidia.com/gpu.present", "operator": "In", "values": ["true"]}
    assert gpu.selection_misses({"node_affinity": affinity([in_g5])}, gpu_node) == []
    # Terms are ORed, expressions ANDed; an empty term (and no term) matches nothing.
    assert gpu.selection_misses({"node_affinity": affinity([present], [in_g5])}, gpu_node) == []
    assert gpu.selection_misses({"node_affinity": affinity([present, in_g5])}, gpu_node) == [
        "required node affinity (nvidia.com/gpu.present In [true] and node.kubernetes.io/instance-type In "
        "[g5.xlarge])"]
    assert gpu.selection_misses({"node_affinity": affinity([])}, gpu_node) == [
        "required node affinity (an empty term)"]
    assert gpu.selection_misses({"node_affinity": []}, gpu_node) == ["required node affinity with no term"]
    by_name = [{"match_expressions": [], "match_fields": [
        {"key": "metadata.name", "operator": "In", "values": ["a"]}]}]
    assert gpu.selection_misses({"node_affinity": by_name}, gpu_node) == []
    assert gpu.selection_misses({"node_affinity": by_name}, node("b")) != []


def test_why_a_daemon_pod_would_not_run():
    tainted = node("a", {"pool": "ml"}, [GPU_TAINT])
    assert gpu.why_not_scheduled({"tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists"}]}, tainted) == []
    assert gpu.why_not_scheduled({"node_selector": {"pool": "web"}, "tolerations": []}, tainted) == [
        "its nodeSelector pool=web (the node has ml) does not select the node",
        "it does not tolerate the node's taint nvidia.com/gpu=true:NoSchedule"]


@pytest.mark.parametrize("images, expected", [
    (["nvcr.io/nvidia/k8s-device-plugin:v0.17.1"], True),
    (["nvidia/k8s-device-plugin:1.0.0-beta4"], True),
    (["123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror/k8s-device-plugin@sha256:abc"], True),
    (["public.ecr.aws/eks/aws-efa-k8s-device-plugin:v0.5.7"], False),  # AWS's EFA and Neuron device plugins
    (["public.ecr.aws/neuron/neuron-device-plugin:2.22.4.0"], False),
    (["registry.local:5000/nvidia/k8s-device-plugin:v0.17.1"], True),  # a registry with a port
    (["registry.k8s.io/autoscaling/cluster-autoscaler:v1.30.4"], False),
    (["k8s-device-plugin-config/sidecar:1", "nginx:1.27"], False),
])
def test_device_plugin_images(images, expected):
    assert gpu.is_device_plugin(images) is expected


def test_the_nodes_a_node_group_launches_next():
    group = {"name": "gpu", "instance_types": ["g5.xlarge", "g5.2xlarge"], "labels": {"pool": "ml"},
             "taints": [{"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}]}
    nodes = [node("a", {"kubernetes.io/hostname": "a", "nvidia.com/gpu.present": "true", "zone": "1a",
                        "node.kubernetes.io/instance-type": "g5.xlarge"}),
             node("b", {"kubernetes.io/hostname": "b", "nvidia.com/gpu.present": "true", "zone": "1b",
                        "node.kubernetes.io/instance-type": "g5.2xlarge"})]
    first, second = gpu.nodegroup_templates(group, nodes)
    assert first == {"name": "new nodes of node group gpu (g5.xlarge)", "template": True, "taints": [GPU_TAINT],
                     "labels": {"nvidia.com/gpu.present": "true", "pool": "ml", "eks.amazonaws.com/nodegroup": "gpu",
                                "node.kubernetes.io/instance-type": "g5.xlarge"}}
    assert second["labels"]["node.kubernetes.io/instance-type"] == "g5.2xlarge"
    # One node: its own hostname is not the next node's.
    [only] = gpu.nodegroup_templates(dict(group, instance_types=[]), nodes[:1])
    assert only["name"] == "new nodes of node group gpu" and "kubernetes.io/hostname" not in only["labels"]
    assert only["labels"]["node.kubernetes.io/instance-type"] == "g5.xlarge"
    [empty] = gpu.nodegroup_templates({"name": "empty", "instance_types": [], "taints": []}, [])
    assert empty["labels"] == {"eks.amazonaws.com/nodegroup": "empty"} and empty["taints"] == []


TOLERATES_GPU = [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
G5 = {"key": "node.kubernetes.io/instance-type", "operator": "In", "values": ["g5.xlarge"]}


def cluster_facts(scheduling, gpu_taints=(GPU_TAINT,), plugins=True, allocatable=1):
    """A general node group (m5) and a GPU one (g5, tainted like its nodes), with a device plugin scheduled so."""
    ng_taints = [{"key": t["key"], "value": t["value"], "effect": "NO_SCHEDULE"} for t in gpu_taints]
    groups = [{"name": "general", "instance_types": ["m5.large"], "ami_type": "AL2023_x86_64_STANDARD"},
              {"name": "gpu", "instance_types": ["g5.xlarge"], "ami_type": "AL2023_x86_64_NVIDIA", "taints": ng_taints}]
    nodes = [node("cpu-1", {"eks.amazonaws.com/nodegroup": "general", "node.kubernetes.io/instance-type": "m5.large"}),
             node("gpu-1", {"eks.amazonaws.com/nodegroup": "gpu", "node.kubernetes.io/instance-type": "g5.xlarge"},
                  list(gpu_taints), allocatable=allocatable),
             node("fargate-web", {"eks.amazonaws.com/compute-type": "fargate"}, fargate=True)]
    plugin = [{"name": "kube-system/nvidia-device-plugin-daemonset", "scheduling": scheduling}] if plugins else []
    return gpu.scheduling_facts(nodes, groups, plugin)


def test_a_device_plugin_on_gpu_nodes_only_passes():
    facts = cluster_facts({"tolerations": TOLERATES_GPU, "node_affinity": affinity([G5])})
    assert (facts["misses"], facts["extra"], facts["gpu_nodegroups"]) == ([], [], ["gpu"])
    assert facts["gpu_nodes"] == [{"name": "gpu-1", "nodegroup": "gpu", "allocatable": 1}]
    status, message, remediation = gpu.device_plugin_verdict(facts, strict=True)
    assert (status, remediation) == ("pass", "")
    assert message == ("The NVIDIA device plugin (DaemonSet kube-system/nvidia-device-plugin-daemonset) runs on every "
                       "GPU node, and on the new nodes of GPU node groups gpu, and on no other node.")


@pytest.mark.parametrize("strict, status", [(True, "fail"), (False, "warn")])
def test_a_device_plugin_missing_the_gpu_taint_fails_while_the_nodes_are_replaced(strict, status):
    facts = cluster_facts({"tolerations": [], "node_affinity": affinity([G5])})
    assert [m["node"] for m in facts["misses"]] == ["gpu-1", "new nodes of node group gpu"]
    verdict, message, remediation = gpu.device_plugin_verdict(facts, strict=strict)
    assert verdict == status
    assert ("would not run on gpu-1 (kube-system/nvidia-device-plugin-daemonset: it does not tolerate the node's "
            "taint nvidia.com/gpu=true:NoSchedule); new nodes of node group gpu (") in message
    assert message.endswith(": the node group update replaces the nodes.") is strict
    assert remediation == ("Add to the DaemonSet's pod template tolerations: {key: nvidia.com/gpu, operator: Exists, "
                           "effect: NoSchedule}.")


def test_a_taint_only_the_node_group_gives_its_next_nodes_is_caught():
    """The current nodes were tainted after the plugin was there: only the new nodes carry it (DescribeNodegroup)."""
    facts = cluster_facts({"tolerations": [], "node_affinity": affinity([G5])}, gpu_taints=())
    assert facts["misses"] == []
    groups = [{"name": "gpu", "instance_types": ["g5.xlarge"], "taints": [
        {"key": "dedicated", "value": "ml", "effect": "NO_EXECUTE"}]}]
    facts = gpu.scheduling_facts([], groups, [{"name": "dp", "scheduling": {"tolerations": TOLERATES_GPU}}])
    assert [(m["node"], m["taints"]) for m in facts["misses"]] == [
        ("new nodes of node group gpu", [{"key": "dedicated", "value": "ml", "effect": "NoExecute"}])]
    assert "{key: dedicated, operator: Exists, effect: NoExecute}" in gpu.device_plugin_verdict(facts, True)[2]


def test_a_device_plugin_on_every_node_warns_naming_the_others():
    facts = cluster_facts({"tolerations": TOLERATES_GPU})
    assert [e["node"] for e in facts["extra"]] == ["cpu-1", "new nodes of node group general"]  # never Fargate
    status, message, remediation = gpu.device_plugin_verdict(facts, strict=True)
    assert status == "warn"
    assert message == ("The NVIDIA device plugin (DaemonSet kube-system/nvidia-device-plugin-daemonset) also runs on "
                       "nodes without an NVIDIA GPU: cpu-1, new nodes of node group general (there it idles or "
                       "crash-loops, eksctl#8858).")
    assert remediation == ("Restrict it to GPU nodes with a required node affinity on node.kubernetes.io/instance-type "
                           "In [g5.xlarge].")


def test_a_selector_missing_the_gpu_nodes_says_which_label_to_select():
    facts = cluster_facts({"tolerations": TOLERATES_GPU,
                           "node_affinity": affinity([{"key": "feature.node.kubernetes.io/pci-10de.present",
                                                       "operator": "In", "values": ["true"]}])})
    status, message, remediation = gpu.device_plugin_verdict(facts, strict=True)
    assert status == "fail" and "does not select the node" in message
    assert remediation == ("Make its nodeSelector and required node affinity select the GPU nodes, for example "
                           "node.kubernetes.io/instance-type In [g5.xlarge].")


def test_without_a_device_plugin():
    advertised = cluster_facts({}, plugins=False)
    assert gpu.device_plugin_verdict(advertised, True)[0] == "pass"  # something else advertises them: not judged
    silent = cluster_facts({}, plugins=False, allocatable=0)
    status, message, _remediation = gpu.device_plugin_verdict(silent, True)
    assert status == "warn" and message.startswith("GPU node groups gpu and GPU nodes gpu-1, but no NVIDIA device "
                                                   "plugin DaemonSet (image k8s-device-plugin)")
    nothing = gpu.scheduling_facts([node("cpu-1", {"node.kubernetes.io/instance-type": "m5.large"})], [], [])
    assert gpu.device_plugin_verdict(nothing, True) == ("pass", "No GPU node and no GPU node group.", "")


def test_a_gpu_label_is_preferred_in_the_suggestion():
    facts = {"gpu_labels": ["nvidia.com/gpu.present=true"], "gpu_instance_types": ["g5.xlarge"]}
    assert gpu.selector_suggestion(facts) == "nvidia.com/gpu.present In [true]"
    assert gpu.selector_suggestion({"gpu_labels": [], "gpu_instance_types": []}).startswith("nvidia.com/gpu.present")


def test_why_a_gpu_node_advertises_nothing():
    tainted = node("gpu-1", {}, [GPU_TAINT])
    plugin = {"name": "kube-system/dp", "scheduling": {"tolerations": []}}
    assert gpu.not_advertised_reasons([], tainted) == [
        "no NVIDIA device plugin DaemonSet (image k8s-device-plugin) in the cluster"]
    assert gpu.not_advertised_reasons([plugin], tainted) == [
        "kube-system/dp: it does not tolerate the node's taint nvidia.com/gpu=true:NoSchedule"]
    tolerant = {"name": "kube-system/dp", "scheduling": {"tolerations": TOLERATES_GPU}}
    assert gpu.not_advertised_reasons([tolerant], tainted) == [
        "kube-system/dp schedules there, but no GPU is registered yet: see its pod's log on the node"]


@pytest.mark.parametrize("config, sent", [
    ({"maxUnavailable": 1}, {"maxUnavailable": 1, "updateStrategy": "MINIMAL"}),
    ({"maxUnavailablePercentage": 33, "updateStrategy": "DEFAULT"},
     {"maxUnavailablePercentage": 33, "updateStrategy": "MINIMAL"}),
    ({}, {"maxUnavailable": 1, "updateStrategy": "MINIMAL"}),  # EKS's default
])
def test_the_update_config_sent_keeps_the_node_groups_limit(config, sent):
    assert gpu.update_config_with(config, "MINIMAL") == sent


@pytest.mark.parametrize("quantity, count", [("1", 1), ("8", 8), ("0", 0), (None, 0), ("1k", 0), ("-1", 0), (4, 4)])
def test_resource_counts(quantity, count):
    assert gpu.resource_count(quantity) == count


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def fake_apis(reads):
    """A CoreV1Api whose list_node answers the node lists in ``reads`` one after the other (the last one after)."""
    def typed(name, allocatable):
        return SimpleNamespace(metadata=SimpleNamespace(name=name, labels={
            "node.kubernetes.io/instance-type": "g5.xlarge", "eks.amazonaws.com/nodegroup": "gpu"}),
            spec=SimpleNamespace(taints=None),
            status=SimpleNamespace(capacity={"nvidia.com/gpu": allocatable} if allocatable else {},
                                   allocatable={"nvidia.com/gpu": allocatable} if allocatable else {}))
    answers = iter(reads)
    last = []

    def list_node(label_selector, _request_timeout):
        assert label_selector == "eks.amazonaws.com/nodegroup=gpu"
        last[:] = [next(answers, last[0] if last else [])]
        return SimpleNamespace(items=[typed(name, value) for name, value in last[0]])
    return SimpleNamespace(core=SimpleNamespace(list_node=list_node))


def test_the_wait_polls_until_every_gpu_node_advertises():
    clock = FakeClock()
    apis = fake_apis([[("a", None), ("b", None)], [("a", "1"), ("b", None)], [("a", "1"), ("b", "1")]])
    nodes, missing = gpu_kube.wait_for_gpu_allocatable(apis, "gpu", 60, clock=clock, sleep=clock.sleep)
    assert missing == [] and [n["allocatable"] for n in nodes] == [1, 1]
    assert clock.sleeps == [0.2, 0.4]


def test_the_wait_ends_at_its_timeout_with_the_nodes_still_missing():
    clock = FakeClock()
    apis = fake_apis([[("a", "1"), ("b", None)]])
    _nodes, missing = gpu_kube.wait_for_gpu_allocatable(apis, "gpu", 30, clock=clock, sleep=clock.sleep)
    assert [n["name"] for n in missing] == ["b"]
    assert clock.now == 30 and max(clock.sleeps) == gpu_kube.MAX_DELAY
    # 0: looked at once
    once = FakeClock()
    _nodes, missing = gpu_kube.wait_for_gpu_allocatable(apis, "gpu", 0, clock=once, sleep=once.sleep)
    assert [n["name"] for n in missing] == ["b"] and once.sleeps == []


@pytest.mark.parametrize("control_plane, gpu_group, target, status", [
    ("1.29", "1.29", "1.30", "fail"),  # a hop pending: the node groups follow
    ("1.30", "1.29", "1.30", "fail"),  # no hop, but the GPU node group is updated to the target
    ("1.30", "1.30", "1.30", "warn"),  # nothing replaces the GPU nodes in this run
])
def test_the_check_fails_only_while_gpu_nodes_are_about_to_be_replaced(control_plane, gpu_group, target, status):
    from ansible_collections.lifecycle.eks.plugins.module_utils.versions import parse_kube_version

    facts = {"cluster": {"version": control_plane},
             "nodegroups": [{"name": "general", "version": "1.28"}, {"name": "gpu", "version": gpu_group}],
             "gpu": cluster_facts({"tolerations": [], "node_affinity": affinity([G5])})}
    assert gpu.device_plugin_check(facts, parse_kube_version(target))[0] == status
    # Facts without GPU facts (gathered without the part): nothing to judge.
    assert gpu.device_plugin_check(dict(facts, gpu=None), parse_kube_version(target))[0] == "pass"
