"""playbooks/upgrade.yml on nodes beyond managed node groups (docs/nodes.md).

A custom-AMI node group moved by its launch template version only, Karpenter with pinned AMIs, EKS Auto Mode.
Two runs: the upgrade, then a rerun.
"""
from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.integration

CUSTOM, KARPENTER, AUTO = "custom-ami-129", "karpenter-129", "auto-129"
LAUNCH_TEMPLATE_ONLY = ["clientRequestToken", "launchTemplate", "launchTemplate.id", "launchTemplate.version"]


def calls(world: Any, cluster: str, since: int = 0) -> list[dict[str, Any]]:
    return [r for r in world.state.log.as_dicts(since) if r["cluster"] == cluster]


def check(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(c for c in report["preflight"]["checks"] if c["id"] == check_id)


def test_custom_ami_karpenter_and_auto_mode_clusters(make_world, run_playbook):
    world = make_world("node-provisioners")
    run = run_playbook(world, {"eks_waves": ["100%"]})
    assert run.rc == 0, run.output[-3000:]
    assert run.statuses() == {CUSTOM: "upgraded", KARPENTER: "upgraded", AUTO: "upgraded"}, run.output[-3000:]
    state = world.summary()

    # Custom AMI: "custom" got launch template version 2 (its AMI built for 1.30) and nothing else, "tuned" (an
    # EKS-managed AMI) the Kubernetes version and its launch template version, "legacy-custom" nothing at all.
    custom = run.cluster_report(CUSTOM)
    updates = {u["nodegroup"]: u["params"] for u in state[CUSTOM]["updates"] if u["nodegroup"]}
    assert set(updates) == {"custom", "tuned"}
    for nodegroup, template in (("custom", "custom-nodes"), ("tuned", "tuned-nodes")):
        params = updates[nodegroup]
        assert (params["LaunchTemplateName"], params["LaunchTemplateVersion"]) == (template, "2")
    sent = sorted(r["fields"] for r in calls(world, CUSTOM) if r["operation"] == "UpdateNodegroupVersion")
    assert sent == [LAUNCH_TEMPLATE_ONLY, LAUNCH_TEMPLATE_ONLY + ["version"]]  # no version for the custom AMI
    assert [r["operation"] for r in world.state.log.as_dicts() if r["service"] == "ec2"].count(
        "DescribeLaunchTemplateVersions") == 2
    assert {ng: v["version"] for ng, v in state[CUSTOM]["nodegroups"].items()} == {
        "custom": "1.30", "tuned": "1.30", "legacy-custom": "1.29"}
    kubelets = sorted(v[:6] for v in state[CUSTOM]["kubelets"].values())
    assert kubelets == ["v1.29.", "v1.30.", "v1.30."]  # legacy-custom's node stays on its 1.29 AMI
    by_name = {ng["name"]: ng for ng in custom["post_upgrade"]["nodegroups"]}
    assert by_name["custom"]["launch_template_version"] == "2" and by_name["tuned"]["launch_template_version"] == "2"
    assert by_name["legacy-custom"]["action"] == "needs_launch_template"
    [needs] = custom["post_upgrade"]["nodegroups_needing_launch_template"]
    assert (needs["name"], needs["version"], needs["kubernetes_version"]) == ("legacy-custom", "1.29", "1.30")
    assert (needs["launch_template"]["name"], needs["launch_template"]["version"]) == ("legacy-nodes", "1")
    assert needs["launch_template"]["id"].startswith("lt-") and needs["ami"].startswith("ami-")
    assert "whose AMI is built for Kubernetes 1.30" in needs["remediation"]
    assert "/aws/service/eks/optimized-ami/1.30/" in needs["remediation"]
    assert "{legacy-custom: {version: 'NEW_VERSION'}}" in needs["remediation"]
    # Preflight saw it coming: a single hop, so a warning (step 5), not a blocker.
    assert check(custom, "control-plane-node-minor")["status"] == "pass"
    assert "legacy-custom" in check(custom, "kubelet-skew-path")["message"]
    assert custom["preflight"]["plan"]["nodegroups_after"] == ["custom", "tuned"]

    # Karpenter: two EC2NodeClasses don't follow 1.30; drift replaces the web pool's nodes after the upgrade.
    karpenter = run.cluster_report(KARPENTER)
    pinned = check(karpenter, "karpenter-ami-pinned")
    assert pinned["status"] == "warn"
    assert "pinned (NodePools default): alias al2023@v20240315: AMI release v20240315, older than Kubernetes 1.30 " \
           "(EKS release 2024-05-23), has no AMI for 1.30" in pinned["message"]
    assert "fixed (NodePools batch): AMI ami-0f1e2d3c4b5a69788, built for Kubernetes 1.29" in pinned["message"]
    assert check(karpenter, "karpenter-drift")["status"] == "warn"
    section = karpenter["node_provisioners"]
    assert section["target"] == "1.30" and section["node_kinds"] == {"managed": 1, "karpenter": 4}
    assert section["karpenter"]["pinned_node_classes"] == ["fixed", "pinned"]  # as listed: by name
    assert section["karpenter"]["drift"] == {"replaced": ["ip-10-0-2-3.ec2.internal", "ip-10-0-2-4.ec2.internal"],
                                             "blocked": [], "stay": ["ip-10-0-2-1.ec2.internal",
                                                                     "ip-10-0-2-2.ec2.internal"]}
    web = next(p for p in section["karpenter"]["node_pools"] if p["name"] == "web")
    assert web["budget"] == "20%"
    assert any(line.startswith("NodePool web: Karpenter replaces 2 node(s) below 1.30 through drift (budget 20%)")
               for line in section["messages"])
    assert state[KARPENTER]["nodegroups"]["system"]["version"] == "1.30"
    operations = {r["operation"] for r in calls(world, KARPENTER)}
    assert {"get /apis", "list nodepools", "list ec2nodeclasses"} <= operations

    # Auto Mode: EKS updated the nodes; no node group call beyond finding there is none.
    auto = run.cluster_report(AUTO)
    assert check(auto, "auto-mode")["status"] == "pass"
    assert auto["node_provisioners"]["auto_mode"]["enabled"] is True
    assert auto["node_provisioners"]["auto_mode"]["behind"] == []
    assert auto["node_provisioners"]["auto_mode"]["message"].startswith(
        "EKS Auto Mode is enabled (NodePools general-purpose, system): EKS replaces its 2 node(s)")
    assert auto["post_upgrade"]["nodegroups"] == [] and auto["post_upgrade"]["nodegroup_updates"] == []
    auto_operations = [r["operation"] for r in calls(world, AUTO)]
    assert not {"UpdateNodegroupVersion", "DescribeNodegroup"} & set(auto_operations)
    assert "list ec2nodeclasses" not in auto_operations   # Auto Mode's NodePools are its own, not Karpenter's
    assert set(state[AUTO]["kubelets"].values()) == {state[AUTO]["kube_version"]}

    # The rerun changes no node group: the launch template versions are in place, legacy-custom still needs one.
    start = len(world.state.log.records())
    rerun = run_playbook(world, {"eks_waves": ["100%"]})
    assert rerun.rc == 0, rerun.output[-3000:]
    assert set(rerun.statuses().values()) == {"finished"}
    assert [r for r in world.state.log.as_dicts(start) if r["operation"] == "UpdateNodegroupVersion"] == []
    again = rerun.cluster_report(CUSTOM)
    # A node group step that left a node group needing action is not recorded as finished: it runs again.
    assert [n["name"] for n in again["post_upgrade"]["nodegroups_needing_launch_template"]] == ["legacy-custom"]
    assert rerun.cluster_report(KARPENTER)["node_provisioners"]["karpenter"]["drift"]["replaced"] == [
        "ip-10-0-2-3.ec2.internal", "ip-10-0-2-4.ec2.internal"]   # no Karpenter runs here: still to be drifted
