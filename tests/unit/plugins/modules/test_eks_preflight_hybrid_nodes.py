"""eks_upgrade_preflight and eks_fleet_preflight on clusters with EKS Hybrid Nodes (scenario hybrid-nodes): the skew
rule on them, their CNI against the dated table, the nodeadm upgrade each needs, read from what preflight reads
anyway and never acted on."""
from __future__ import annotations

from collections import Counter

from ansible_collections.lifecycle.eks.plugins.module_utils.hybrid_nodes import CNI_TABLE, NOT_RUN
from ansible_collections.lifecycle.eks.plugins.modules import eks_fleet_preflight as fleet
from ansible_collections.lifecycle.eks.plugins.modules import eks_upgrade_preflight as module
from tests.conftest import mutating_calls
from tests.unit.plugins.modules.helpers import log_position, records

OLD = "mi-0a1b2c3d4e5f60002"  # kubelet 1.29 under a 1.31 control plane: allows 1.32 at most
FRESH = {"compatibility_table_max_age": "100000d"}  # the table's age is not what these tests look at


def command(version):
    return "nodeadm upgrade %s --config-source file://nodeConfig.yaml" % version


def by_id(result):
    return {c["id"]: c for c in result["checks"]}


def test_a_hop_past_the_skew_of_a_hybrid_node_and_its_cni_is_blocked_and_each_node_told_its_upgrade(
        make_world, run_module, args):
    world = make_world("hybrid-nodes")
    before = log_position(world)
    result = run_module(module, args("hybrid-cilium-131", target_version="1.33", upgrade_nodegroups=True, **FRESH))
    assert not result.failed, result.get("msg")
    checks = by_id(result)
    assert result["summary"]["failed_checks"] == ["hybrid-nodes", "hybrid-nodes-cni"], result["summary"]
    skew = checks["hybrid-nodes"]
    assert skew["message"].startswith("Hybrid nodes: mi-0a1b2c3d4e5f60001 (kubelet 1.31, Ubuntu 22.04.5 LTS); "
                                      "%s (kubelet 1.29, Red Hat Enterprise Linux 9.4 (Plow))." % OLD)
    assert "Hybrid node %s runs kubelet 1.29, which may be at most 3 minors older than the control plane" % OLD \
        in skew["message"] and "it allows 1.32 at most, not 1.33" in skew["message"]
    assert skew["remediation"] == (
        "Upgrade hybrid node %s to 1.31 first, on the machine: drain it, then run `%s`. Or set the target to 1.32. %s"
        % (OLD, command("1.31"), NOT_RUN))
    cni = checks["hybrid-nodes-cni"]
    assert cni["message"].startswith("Cilium 1.16.7-0 (DaemonSet kube-system/cilium) supports Kubernetes up to 1.32 "
                                     "on hybrid nodes, so the hop to 1.33 needs a newer Cilium first")
    assert cni["remediation"].startswith("Upgrade Cilium to 1.17.x or later before the hop to 1.33")
    # The kubelet skew check of the procedure leaves hybrid nodes to their own check.
    assert checks["kubelet-skew-path"]["status"] == "pass"
    plan = result["plan"]
    assert plan["feasible"] is False and plan["reachable"] == "1.32"
    assert [b["id"] for b in plan["blockers"]] == ["hybrid-kubelet-skew"] and plan["hybrid_nodes_after"] == []
    assert result["hybrid_nodes"] == [
        {"name": "mi-0a1b2c3d4e5f60001", "kubelet": "v1.31.13-eks-b82e66d", "os_image": "Ubuntu 22.04.5 LTS",
         "allows_control_plane_up_to": "1.34", "blocks_target": False, "before_upgrade": None,
         "after_upgrade": command("1.33")},
        {"name": OLD, "kubelet": "v1.29.15-eks-beb9d06", "os_image": "Red Hat Enterprise Linux 9.4 (Plow)",
         "allows_control_plane_up_to": "1.32", "blocks_target": True, "before_upgrade": command("1.31"),
         "after_upgrade": command("1.33")}]
    kinds = Counter(node["kind"] for node in result["ansible_facts"]["eks_version_skew"]["nodes"])
    assert kinds == {"managed": 1, "hybrid": 2}
    # Read from the node list and the workloads preflight reads anyway: one list of nodes, no request of its own.
    kube = [r["operation"] for r in records(world, before, cluster="hybrid-cilium-131", service="k8s")]
    assert kube.count("list nodes") == 1 and not any("cilium" in op or "calico" in op for op in kube), kube
    assert mutating_calls(world, before) == []


def test_within_the_skew_each_hybrid_node_is_told_its_upgrade_after_the_hop(make_world, run_module, args):
    make_world("hybrid-nodes")
    result = run_module(module, args("hybrid-cilium-131", target_version="1.32", upgrade_nodegroups=True, **FRESH))
    checks = by_id(result)
    assert result["summary"]["blocked"] is False, result["summary"]
    assert checks["hybrid-nodes"]["status"] == "warn"
    assert "After the upgrade, upgrade hybrid node %s to 1.32 on the machine, one node at a time: drain it, then " \
           "run `%s`." % (OLD, command("1.32")) in checks["hybrid-nodes"]["remediation"]
    assert checks["hybrid-nodes-cni"]["status"] == "pass"
    assert "supports Kubernetes up to 1.32 on hybrid nodes: the path to 1.32 is covered" in \
        checks["hybrid-nodes-cni"]["message"]
    assert result["plan"]["hybrid_nodes_after"] == [
        {"name": "mi-0a1b2c3d4e5f60001", "kubelet": "1.31", "command": command("1.32")},
        {"name": OLD, "kubelet": "1.29", "command": command("1.32")}]
    assert [entry["before_upgrade"] for entry in result["hybrid_nodes"]] == [None, None]


def test_an_old_table_warns_and_a_bad_max_age_is_refused_before_any_call(make_world, run_module, args):
    world = make_world("hybrid-nodes")
    stale = by_id(run_module(module, args("hybrid-cilium-131", target_version="1.32", upgrade_nodegroups=True,
                                          compatibility_table_max_age="1d")))["hybrid-nodes-cni"]
    assert stale["status"] == "warn"
    assert "The table of CNI releases for hybrid nodes was recorded on %s" % CNI_TABLE["recorded"] in stale["message"]
    assert "more than compatibility_table_max_age, 1 days" in stale["message"]
    before = log_position(world)
    bad = run_module(module, args("hybrid-cilium-131", target_version="1.32", compatibility_table_max_age="soon"))
    assert bad.failed and "compatibility_table_max_age must be a duration such as" in bad["msg"], bad.get("msg")
    assert records(world, before) == []


def test_the_fleet_gives_each_cluster_what_the_single_cluster_module_gives(make_world, run_module, args, kubeconfig):
    world = make_world("hybrid-nodes")
    before = log_position(world)
    names = ("hybrid-cilium-131", "hybrid-calico-132")
    entries = [dict({"name": name, "target_version": "1.33", "upgrade_nodegroups": True, "kubeconfig": kubeconfig(name),
                     "skip_checks": ["kubectl-client"]}, **FRESH) for name in names]
    result = run_module(fleet, {"region": world.region, "clusters": entries}, check_mode=True)
    assert not result.failed, result.get("msg")
    for name in names:
        one = run_module(module, args(name, target_version="1.33", upgrade_nodegroups=True,
                                      skip_checks=["kubectl-client"], **FRESH), check_mode=True)
        for key in ("checks", "summary", "plan", "hybrid_nodes"):
            assert result["clusters"][name][key] == one[key], (name, key)
    calico = by_id(result["clusters"]["hybrid-calico-132"])
    assert calico["hybrid-nodes-cni"]["status"] == "warn"
    assert calico["hybrid-nodes-cni"]["message"].startswith(
        "Calico v3.29.2 (DaemonSet calico-system/calico-node) supports Kubernetes up to 1.32 on hybrid nodes; no "
        "Calico release in the table (recorded %s) supports 1.33" % CNI_TABLE["recorded"])
    assert calico["hybrid-nodes"]["status"] == "warn"
    assert result["clusters"]["hybrid-calico-132"]["plan"]["hybrid_nodes_after"] == [
        {"name": "mi-0c1d2e3f4a5b60003", "kubelet": "1.32", "command": command("1.33")}]
    assert result["summary"]["blocked"] == ["hybrid-cilium-131"]  # the Calico cluster only warns
    assert mutating_calls(world, before) == []
