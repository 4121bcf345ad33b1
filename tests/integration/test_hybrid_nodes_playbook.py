"""playbooks/upgrade.yml on clusters with EKS Hybrid Nodes (scenario hybrid-nodes, issue 15 item 6), one run.

What the in-process module tests can't show: the inventory variable eks_compatibility_table_max_age reaching the
batched preflight (preflight_request filter), the blocked cluster left alone while the other one is upgraded, the
`hybrid_nodes` of the cluster's JSON report, and post_upgrade telling which hybrid nodes to upgrade with nodeadm
(which nothing runs: the hybrid node keeps its kubelet).
"""
from __future__ import annotations

import pytest

from tests.conftest import mutating_calls

pytestmark = pytest.mark.integration

BLOCKED, UPGRADED = "hybrid-cilium-131", "hybrid-calico-132"
NODEADM = "nodeadm upgrade %s --config-source file://nodeConfig.yaml"


def test_hybrid_nodes_block_their_cluster_or_are_told_their_nodeadm_upgrade(make_world, run_playbook):
    world = make_world("hybrid-nodes")
    run = run_playbook(world, {"eks_waves": ["100%"], "eks_max_fail_percentage": 100,
                               "eks_preflight_skip": ["kubectl-client"], "eks_compatibility_table_max_age": "100000d"})
    assert run.statuses() == {BLOCKED: "blocked", UPGRADED: "upgraded"}, run.output[-3000:]
    assert run.rc != 0  # a blocked cluster fails the play

    blocked = run.cluster_report(BLOCKED)
    assert sorted(b["id"] for b in blocked["blockers"]) == ["hybrid-nodes", "hybrid-nodes-cni"]
    skew = next(b for b in blocked["blockers"] if b["id"] == "hybrid-nodes")
    assert "it allows 1.32 at most, not 1.33" in skew["message"] and NODEADM % "1.31" in skew["remediation"]
    assert [(n["name"], n["before_upgrade"]) for n in blocked["hybrid_nodes"] if n["blocks_target"]] == [
        ("mi-0a1b2c3d4e5f60002", NODEADM % "1.31")]
    assert [r for r in mutating_calls(world) if r["cluster"] == BLOCKED] == []
    assert world.summary()[BLOCKED]["version"] == "1.31"

    upgraded = run.cluster_report(UPGRADED)
    warnings = {w["id"]: w for w in upgraded["warnings"]}
    # The table's age is not judged stale: the inventory's eks_compatibility_table_max_age reached the module.
    assert "no Calico release in the table" in warnings["hybrid-nodes-cni"]["message"]
    assert "days ago" not in warnings["hybrid-nodes-cni"]["message"]
    assert upgraded["hybrid_nodes"][0]["after_upgrade"] == NODEADM % "1.33"
    assert upgraded["preflight"]["plan"]["hybrid_nodes_after"] == [
        {"name": "mi-0c1d2e3f4a5b60003", "kubelet": "1.32", "command": NODEADM % "1.33"}]
    assert upgraded["post_upgrade"]["hybrid_nodes_to_upgrade"] == ["mi-0c1d2e3f4a5b60003"]
    assert "Hybrid nodes below 1.33: mi-0c1d2e3f4a5b60003" in run.output
    state = world.summary()[UPGRADED]
    assert state["version"] == "1.33"
    assert state["kubelets"]["mi-0c1d2e3f4a5b60003"].startswith("v1.32.")  # nothing ran nodeadm
