"""playbooks/upgrade.yml on what EKS changed since the procedure (issue 15 items 4 and 5), one run each.

Item 4: configuration insights (MISCONFIGURATION) in ERROR block their cluster, insights EKS could not evaluate
(UNKNOWN) warn and never pass, each named with EKS's recommendation in the report. Item 5: a GPU node group updated
with the MINIMAL strategy the inventory asks for, its GPUs verified advertised again after the update, the report
saying so; a rerun changes nothing. The checks' wording on every branch is tested in the unit tests.
"""
from __future__ import annotations

import pytest

from tests.conftest import mutating_calls

pytestmark = pytest.mark.integration


def test_configuration_insights_block_and_unknown_insights_warn(make_world, run_playbook):
    world = make_world("insights-misconfig-unknown")
    run = run_playbook(world, {"eks_waves": ["100%"], "eks_max_fail_percentage": 100,
                               "eks_preflight_skip": ["kubectl-client"]})
    assert run.statuses() == {"hybrid-misconfig-129": "blocked", "insight-unknown-129": "upgraded"}, \
        run.output[-3000:]

    blocked = run.cluster_report("hybrid-misconfig-129")
    [blocker] = [b for b in blocked["blockers"] if b["id"] == "configuration-insights"]
    assert "Hybrid nodes: remote pod network" in blocker["message"]
    assert "aws eks describe-insight --cluster-name hybrid-misconfig-129" in blocker["remediation"]
    assert [r for r in mutating_calls(world) if r["cluster"] == "hybrid-misconfig-129"] == []

    upgraded = run.cluster_report("insight-unknown-129")
    warnings = {w["id"]: w for w in upgraded["warnings"]}
    # UNKNOWN is not a pass: both categories warn, naming the insight; nothing blocks on it.
    assert "EKS could not evaluate (UNKNOWN)" in warnings["upgrade-insights"]["message"]
    assert "Kubelet version skew" in warnings["upgrade-insights"]["message"]
    assert "Hybrid nodes: node IAM role" in warnings["configuration-insights"]["message"]
    assert "An UNKNOWN insight is not a pass" in warnings["configuration-insights"]["remediation"]
    assert world.summary()["insight-unknown-129"]["version"] == "1.30"


def test_gpu_node_group_updated_minimal_first_and_its_gpus_verified(make_world, run_playbook):
    world = make_world("gpu-taint-tolerated")
    run = run_playbook(world, {"eks_waves": ["100%"], "eks_preflight_skip": ["kubectl-client"],
                               "eks_gpu_update_strategy": "minimal"})
    assert run.rc == 0, run.output[-3000:]
    report = run.cluster_report("gpu-tolerated-130")
    groups = {g["name"]: g for g in report["post_upgrade"]["nodegroups"]}
    gpu = groups["gpu-a10"]
    assert (gpu["gpu"], gpu["before"], gpu["after"], gpu["update_strategy"]["after"]) == (True, "1.29", "1.30",
                                                                                          "MINIMAL")
    assert gpu["gpu_allocatable"]["status"] == "advertised", gpu
    assert len(gpu["gpu_allocatable"]["nodes"]) == 2  # desired_size 2: every new GPU node advertises its GPUs
    assert groups["general"]["gpu"] is False and "update_strategy" not in groups["general"]
    described = world.client("eks").describe_nodegroup(
        clusterName="gpu-tolerated-130", nodegroupName="gpu-a10")["nodegroup"]
    assert described["version"] == "1.30" and described["updateConfig"]["updateStrategy"] == "MINIMAL"
    assert "UpdateNodegroupConfig" in {r["operation"] for r in mutating_calls(world)}

    before = len(world.state.log.records())
    again = run_playbook(world, {"eks_waves": ["100%"], "eks_preflight_skip": ["kubectl-client"],
                                 "eks_gpu_update_strategy": "minimal"})
    assert again.rc == 0, again.output[-3000:]
    assert mutating_calls(world, before) == [], "a rerun after success must change nothing"
