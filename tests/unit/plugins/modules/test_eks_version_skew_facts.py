"""eks_version_skew_facts against the emulated world: verdicts, plans, no mutation, few round trips."""
from __future__ import annotations

import pytest

from ansible_collections.lifecycle.eks.plugins.modules import eks_version_skew_facts as module
from tests.conftest import mutating_calls
from tests.unit.plugins.modules.helpers import log_position, records


def facts_of(result):
    assert not result.failed, result.get("msg")
    assert result["changed"] is False
    return result["ansible_facts"]["eks_version_skew"]


def test_healthy_cluster_may_move_one_minor(make_world, run_module, args):
    world = make_world("healthy")
    fact = facts_of(run_module(module, args("healthy-129")))
    assert fact["control_plane"]["version"] == "1.29"
    assert fact["control_plane"]["status"] == "ACTIVE"
    assert fact["can_upgrade_next_minor"] is True
    assert fact["next_minor"] == "1.30"
    assert fact["highest_reachable_without_node_changes"] == "1.30"
    assert fact["blockers"] == []
    assert fact["kubelet_versions"] == {"1.29": 2}
    assert [ng["name"] for ng in fact["nodegroups"]] == ["general"]
    assert {n["kind"] for n in fact["nodes"]} == {"managed"}
    assert {a["name"] for a in fact["addons"]} == {"vpc-cni", "coredns", "kube-proxy"}
    assert "plan" not in fact
    assert mutating_calls(world) == []


def test_plan_to_a_target(make_world, run_module, args):
    make_world("healthy")
    fact = facts_of(run_module(module, args("healthy-129", target_version="1.31", upgrade_nodegroups=True)))
    plan = fact["plan"]
    assert plan["feasible"] is True
    assert plan["target"] == "1.31"
    assert [(h["from_version"], h["to_version"]) for h in plan["hops"]] == [("1.29", "1.30"), ("1.30", "1.31")]
    assert plan["hops"][1]["nodegroups_before"] == ["general"]


def test_plan_without_node_group_updates_is_blocked_after_one_hop(make_world, run_module, args):
    make_world("healthy")
    plan = facts_of(run_module(module, args("healthy-129", target_version="1.31")))["plan"]
    assert plan["feasible"] is False
    assert plan["reachable"] == "1.30"
    assert "managed-nodegroup-behind" in [b["id"] for b in plan["blockers"]]


def test_nodes_behind_block_the_next_minor(make_world, run_module, args):
    make_world("nodes-behind")
    fact = facts_of(run_module(module, args("nodes-behind-129", target_version="1.30")))
    assert fact["can_upgrade_next_minor"] is False
    assert fact["highest_reachable_without_node_changes"] == "1.29"
    assert [(b["id"], b["subject"]) for b in fact["blockers"]] == [("managed-nodegroup-behind", "general")]
    assert fact["kubelet_versions"] == {"1.28": 2, "1.29": 1}
    assert fact["plan"]["feasible"] is False


def test_kubelet_skew_of_self_managed_nodes(make_world, run_module, args):
    make_world("kubelet-skew-124")
    fact = facts_of(run_module(module, args("skew-126", target_version="1.27")))
    assert fact["can_upgrade_next_minor"] is False
    assert {b["id"] for b in fact["blockers"]} == {"self-managed-kubelet-skew"}
    assert fact["highest_reachable_without_node_changes"] == "1.26"
    assert fact["kubelet_versions"] == {"1.24": 2, "1.26": 2}
    assert sorted(n["kind"] for n in fact["nodes"]) == ["managed", "managed", "self_managed", "self_managed"]
    self_managed = [s for s in fact["skew"] if s["name"].startswith("ip-10-0-3-")]
    assert self_managed and all(s["skew"] == 2 for s in self_managed)
    assert fact["plan"]["feasible"] is False


def test_fargate_nodes_behind(make_world, run_module, args):
    make_world("fargate-old")
    fact = facts_of(run_module(module, args("fargate-129")))
    assert fact["can_upgrade_next_minor"] is False
    assert [b["id"] for b in fact["blockers"]] == ["fargate-kubelet-behind"]
    assert fact["kubelet_versions"] == {"1.28": 1, "1.29": 2}
    assert sorted(n["kind"] for n in fact["nodes"]) == ["fargate", "fargate", "managed"]


def test_check_mode_reads_the_same_and_changes_nothing(make_world, run_module, args):
    world = make_world("nodes-behind")
    normal = facts_of(run_module(module, args("nodes-behind-129", target_version="1.30")))
    checked = facts_of(run_module(module, args("nodes-behind-129", target_version="1.30"), check_mode=True))
    assert checked == normal
    assert mutating_calls(world) == []


def test_round_trips_do_not_grow_with_nodes(make_world, run_module, args):
    world = make_world({"clusters": [{"name": "big", "version": "1.29",
                                      "nodegroups": [{"name": "a", "version": "1.29", "desired_size": 12},
                                                     {"name": "b", "version": "1.29", "desired_size": 12}]}]})
    before = log_position(world)
    result = run_module(module, args("big", target_version="1.30"))
    assert facts_of(result)["kubelet_versions"] == {"1.29": 24}
    calls = records(world, before, cluster="big")
    # DescribeCluster, ListNodegroups + 2 DescribeNodegroup, list nodes, GET /apis, ListAddons + 3 DescribeAddon
    assert len(calls) <= 11, [c["operation"] for c in calls]
    assert [r["operation"] for r in records(world, before, service="k8s")] in (
        ["list nodes", "get /apis"], ["get /apis", "list nodes"])
    assert result["api_calls"] == len(records(world, before, service="eks"))
    assert result["api_retries"] == 0


def test_without_kubeconfig_signs_an_eks_token(make_world, run_module, args):
    world = make_world("healthy")
    before = log_position(world)
    fact = facts_of(run_module(module, args("healthy-129", kubeconfig=None)))
    assert fact["kubelet_versions"] == {"1.29": 2}
    k8s = records(world, before, service="k8s")
    assert k8s and all(r["status"] == 200 for r in k8s)


@pytest.mark.parametrize("target, message", [
    ("1.3", "quote the version"),
    ("v1.30", "without the 'v'"),
    ("latest", "not a Kubernetes version"),
])
def test_malformed_target_fails_before_any_call(make_world, run_module, args, target, message):
    world = make_world("healthy")
    result = run_module(module, args("healthy-129", target_version=target))
    assert result.failed
    assert message in result["msg"]
    assert result["api_calls"] == 0
    assert records(world) == []


def test_unknown_cluster(make_world, run_module, args):
    make_world("healthy")
    result = run_module(module, args("nope", kubeconfig=None))
    assert result.failed
    assert "ResourceNotFoundException" in result["msg"]
    assert "nope" in result["msg"]


def test_unreachable_kubernetes_api_fails_cleanly(make_world, run_module, args, fast_k8s_retries):
    world = make_world("healthy")
    world.state.faults.set("healthy-129", k8s_unreachable=True)
    result = run_module(module, args("healthy-129"))
    assert result.failed
    assert "Kubernetes API of cluster healthy-129 unreachable" in result["msg"]
    assert "Traceback" not in result["msg"]
    assert "exception" not in result


def test_kubernetes_api_errors_fail_cleanly(make_world, run_module, args, fast_k8s_retries):
    world = make_world("healthy")
    world.state.faults.set("healthy-129", k8s_error_rate=1.0)
    result = run_module(module, args("healthy-129"))
    assert result.failed
    assert result["msg"].startswith("Failed to list nodes (cluster healthy-129): 500")
    assert "injected fault" in result["msg"]


def test_node_provisioners_after_an_upgrade(make_world, run_module, args):
    """Post-upgrade view: Karpenter nodes judged against the control plane's (new) version."""
    world = make_world({"clusters": [{"name": "moved-130", "version": "1.30", "karpenter": {
        "ec2nodeclasses": [{"name": "default", "ami_selector_terms": [{"alias": "al2023@latest"}]},
                           {"name": "old", "ami_selector_terms": [{"alias": "al2023@v20240315"}]}],
        "nodepools": [{"name": "default", "nodes": 2, "kubelet": "1.29",
                       "budgets": [{"nodes": "0", "reasons": ["Drifted"]}]}]}}]})
    fact = facts_of(run_module(module, args("moved-130")))
    # A dated AMI release is judged by 1.30's EKS release date: read for that (only), as preflight reads it.
    assert [r["operation"] for r in records(world, service="eks")].count("DescribeClusterVersions") == 1
    assert fact["node_provisioners"]["karpenter"]["pinned_node_classes"] == ["old"]
    provisioners = fact["node_provisioners"]
    assert provisioners["target"] == "1.30"
    assert provisioners["karpenter"]["drift"]["blocked"] == ["ip-10-0-2-1.ec2.internal", "ip-10-0-2-2.ec2.internal"]
    assert sorted(n["kind"] for n in fact["nodes"]) == ["karpenter", "karpenter"]
    assert [row["kind"] for row in fact["skew"]] == ["karpenter", "karpenter"]
    assert any("blocks it" in line for line in provisioners["messages"])
