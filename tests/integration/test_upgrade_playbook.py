"""playbooks/upgrade.yml end to end on the shipped scenarios: emulated state, reports, check mode, idempotence."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import mutating_calls
from tests.integration.conftest import JSON_RESULTS
from tests.integration.permissions import (
    FARGATE_REDEPLOY_RULES,
    aws_actions,
    policy_actions,
    rbac_rules,
    role_rules,
)
from tests.integration.test_reliability import finish_updates_once_polled

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
pytestmark = pytest.mark.integration

# Each blocking scenario and the preflight check that must block it.
BLOCKING = {
    "subnet-3-ips": "subnet-free-ips",
    "coredns-upstream": "coredns-upstream",
    "psp-missing": "psp-eks-privileged",
    "ebs-in-tree-123": "ebs-csi-driver",
    "fluentd-124": "fluentd-container-insights",
    "vpc-cni-17": "vpc-cni-version",
    "lb-controller-241": "aws-load-balancer-controller",
    "kubelet-skew-124": "kubelet-skew-path",
    "fargate-old": "fargate-pods-behind",
    "sg-missing-rule": "security-group-rules",
    "al2-nodegroup-133": "al2-node-groups",
    "addon-no-version-131": "addon-compatibility",
    "controllers-karpenter-132": "controller-compatibility",
    "gpu-taint-untolerated": "gpu-device-plugin-scheduling",
}


def merged_scenario(names: list[str], first_only: bool = False) -> dict[str, Any]:
    """Several scenario files as one fleet, each cluster keeping its own target version (and the add-on versions its
    scenario adds to the region's catalog; ``first_only``: the first cluster of each file)."""
    clusters, addon_catalog = [], {}
    for name in names:
        data = yaml.safe_load((SCENARIOS / f"{name}.yml").read_text())
        addon_catalog.update(data.get("addon_catalog") or {})
        for cluster in data["clusters"][:1] if first_only else data["clusters"]:
            clusters.append({"target_version": data["target_version"], **cluster})
    return {"name": "+".join(names), "clusters": clusters, "addon_catalog": addon_catalog}


# The fleet that exercises every code path: the demo (multi-hop with node groups, GPU, a self-managed add-on, a blocked
# cluster), an update in progress, a pre-1.25 cluster (PodSecurityPolicy), the CoreDNS fix, in-tree EBS volumes,
# stale upgrade insights (refreshed in the real run only), a deprecated API in use (DescribeInsight), launch template
# versions (DescribeLaunchTemplateVersions), Karpenter (its custom resources) and EKS Auto Mode. One fleet for the
# check run, the real run in waves and the rerun: each playbook run costs minutes of CPU here.
EVERY_PATH = ["demo", "update-in-progress", "coredns-upstream", "ebs-in-tree-123", "deprecated-apis",
              "node-provisioners"]
DEMO = ("dev-use1", "staging-use1", "prod-ml", "prod-web", "legacy-batch")
# staging-use1's settings in the demo scenario, which no upgrade changes.
GUARDED_SETTINGS = {"deletion_protection": True, "control_plane_scaling_tier": "tier-xl"}


@pytest.mark.longest(1)
def test_every_path_fleet_planned_upgraded_in_waves_within_its_permissions_then_left_alone(make_world, run_playbook):
    world = make_world(merged_scenario(EVERY_PATH), cluster_update_s=3600.0)
    world.state.cluster_update_s = 0.5  # the seeded update in progress keeps its hour; ours are quick

    # Check mode: every cluster planned, nothing sent, only the read-only policy's actions used.
    checked = run_playbook(world, {"eks_waves": ["100%"], "eks_max_fail_percentage": 100}, check=True, diff=True,
                           env=JSON_RESULTS)
    assert mutating_calls(world) == []
    checked.assert_stats_match_summary()  # in check mode
    statuses = {name: checked.statuses()[name] for name in DEMO}
    assert statuses.pop("legacy-batch") == "blocked"
    assert set(statuses.values()) == {"planned"}, checked.output[-3000:]
    staging = checked.cluster_report("staging-use1")
    hops = staging["control_plane"]["plan"]["hops"]
    assert [(h["from_version"], h["to_version"], h["nodegroups_before"]) for h in hops] == [
        ("1.28", "1.29", ["general"]), ("1.29", "1.30", ["general", "spot"])]
    planned_addons = {a["name"]: a["after"] for a in staging["post_upgrade"]["addons"]}
    assert planned_addons["kube-proxy"].startswith("v1.30.")
    assert world.summary()["staging-use1"]["version"] == "1.28"
    assert "hops: 1.28->1.29, 1.29->1.30" in (checked.report_dir / "fleet-summary.md").read_text()
    assert staging["settings_left_alone"] == {"before": GUARDED_SETTINGS, "after": GUARDED_SETTINGS}
    # The control-plane step followed the plan preflight computed: one DescribeCluster (the re-check of version and
    # status), no second gathering of node groups, nodes or EKS versions.
    for name in statuses:
        control_plane = checked.cluster_report(name)["control_plane"]
        assert (name, control_plane["planned_by"], control_plane["api_calls"]) == (name, "preflight", 1)
    read_only = aws_actions(world.state.log.as_dicts())
    assert read_only == policy_actions("iam-policy-readonly.json")
    # The add-on step chose from the catalog the wave's preflight read for the region (one wave here): one
    # DescribeAddonVersions per add-on name, none per cluster.
    addon_names = {"vpc-cni", "coredns", "kube-proxy"}.union(*(c["addons"] for c in world.summary().values()))
    catalog_reads = [r for r in world.state.log.as_dicts() if r["operation"] == "DescribeAddonVersions"]
    assert len(catalog_reads) == len(addon_names), (len(catalog_reads), addon_names)

    # The real run, in the default waves (1, 25%, the rest).
    start = len(world.state.log.records())
    finish_updates_once_polled(world, "updating-129", start)
    first = run_playbook(world, {"eks_max_fail_percentage": 100, "eks_fix_coredns_upstream": True}, env=JSON_RESULTS)
    # legacy-batch is blocked, so the play reports a failure; the others finished.
    assert first.rc != 0, first.output
    assert {name: first.statuses()[name] for name in DEMO} == {
        "dev-use1": "upgraded", "staging-use1": "upgraded", "prod-ml": "upgraded", "prod-web": "upgraded",
        "legacy-batch": "blocked"}, first.output[-3000:]
    first.assert_stats_match_summary()  # three waves
    # Once per wave and add-on name (each wave's preflight), not once per cluster and add-on (the add-on step).
    catalog_reads = [r for r in world.state.log.as_dicts(start) if r["operation"] == "DescribeAddonVersions"]
    assert len(catalog_reads) <= 3 * len(addon_names), (len(catalog_reads), addon_names)
    state = world.summary()
    for name in DEMO[:4]:
        cluster = state[name]
        assert cluster["version"] == "1.30" and cluster["kube_version"].startswith("v1.30.")
        assert {ng["version"] for ng in cluster["nodegroups"].values()} == {"1.30"}
        managed = {n: v for n, v in cluster["kubelets"].items() if not n.startswith("fargate-")}
        assert all(v.startswith("v1.30.") for v in managed.values()), managed
    # Multi-hop: staging went 1.28 -> 1.29 -> 1.30; before each hop its node groups caught up with the
    # control plane's minor (the 1.27 group first, then both), so no node was ever outside the skew policy.
    staging_updates = first.cluster_report("staging-use1")["control_plane"]["updates"]
    assert [(u["subject"], u["to"]) for u in staging_updates] == [
        ("node group general", "1.28"), ("cluster staging-use1", "1.29"),
        ("node group general", "1.29"), ("node group spot", "1.29"), ("cluster staging-use1", "1.30")]
    # Post-upgrade steps: autoscaler image, device plugin on the GPU cluster, add-ons.
    assert state["dev-use1"]["images"]["kube-system/cluster-autoscaler"] == [
        "registry.k8s.io/autoscaling/cluster-autoscaler:v1.30.4"]
    assert state["prod-ml"]["images"]["kube-system/nvidia-device-plugin-daemonset"] == [
        "nvcr.io/nvidia/k8s-device-plugin:v0.17.1"]
    assert state["dev-use1"]["addons"]["kube-proxy"].startswith("v1.30.")
    prod_web = first.cluster_report("prod-web")["post_upgrade"]
    assert {a["name"]: a["managed"] for a in prod_web["addons"]}["kube-proxy"] is False
    # The blocked cluster was not touched and says why.
    assert state["legacy-batch"]["version"] == "1.29"
    assert "subnet-free-ips" in [b["id"] for b in first.cluster_report("legacy-batch")["blockers"]]
    # Reports for people: Markdown and HTML summaries.
    assert "| legacy-batch | blocked |" in (first.report_dir / "fleet-summary.md").read_text()
    assert "<table>" in (first.report_dir / "fleet-summary.html").read_text()
    assert_support_cost_is_summarized(first)
    # deletionProtection and the control plane tier: read, reported, left alone. Every UpdateClusterVersion of the
    # run (two clusters' two hops included) carried the version and a token only (no force was asked for).
    assert first.cluster_report("staging-use1")["settings_left_alone"] == {"before": GUARDED_SETTINGS,
                                                                           "after": GUARDED_SETTINGS}
    assert first.cluster_report("staging-use1")["preflight"]["cluster"]["deletion_protection"] is True
    assert (state["staging-use1"]["deletion_protection"], state["staging-use1"]["control_plane_scaling_tier"]) == (
        True, "tier-xl")
    version_updates = [r for r in world.state.log.as_dicts(start) if r["operation"] == "UpdateClusterVersion"]
    assert len(version_updates) >= 6
    assert {tuple(r["fields"]) for r in version_updates} == {("clientRequestToken", "version")}
    # The policies and the RBAC role in docs/ are exactly what the collection called: no more, no less.
    everything = world.state.log.as_dicts()
    assert aws_actions(everything) == policy_actions("iam-policy.json")
    assert aws_actions(world.state.log.as_dicts(start)) - read_only == {
        "eks:UpdateAddon", "eks:UpdateClusterVersion", "eks:UpdateNodegroupVersion", "eks:StartInsightsRefresh",
        "eks:DescribeInsightsRefresh", "ec2:DescribeLaunchTemplateVersions"}
    assert rbac_rules(everything) == role_rules() - FARGATE_REDEPLOY_RULES

    # A rerun after success changes nothing.
    before = len(world.state.log.records())
    second = run_playbook(world, {"eks_hosts": "eks_clusters", "eks_waves": ["100%"], "eks_max_fail_percentage": 100,
                                  "eks_fix_coredns_upstream": True})
    assert mutating_calls(world, before) == [], "a rerun after success must change nothing"
    assert {name: second.statuses()[name] for name in DEMO[:4]} == {
        "dev-use1": "finished", "staging-use1": "finished", "prod-ml": "finished", "prod-web": "finished"}


def assert_support_cost_is_summarized(run: Any) -> None:
    """Each row of the fleet summary says the policy, the support and the extra cost its report's preflight found;
    the figures themselves depend on the day (AWS's calendar) and are tested in the unit tests."""
    fleet = run.fleet()
    for row in fleet["clusters"]:
        support = run.cluster_report(row["cluster"])["support"]
        assert support is not None, row["cluster"]
        assert (row["upgrade_policy"], row["support"], row["extra_hourly_cost"]) == (
            support["upgrade_policy"], support["status"], support["cost"]["extra_hourly_cost"]), row
        assert row["support_text"].startswith(f"{support['upgrade_policy']}: {support['status']} +$"), row
    assert fleet["cost"]["extra_hourly_cost"] == round(sum(r["extra_hourly_cost"] for r in fleet["clusters"]), 4)
    markdown = (run.report_dir / "fleet-summary.md").read_text()
    assert "| support (extra per hour) |" in markdown and "Control plane over standard support" in markdown


def test_each_blocking_scenario_is_blocked_with_its_check_id(make_world, run_playbook):
    world = make_world(merged_scenario(list(BLOCKING), first_only=True))
    before = len(world.state.log.records())
    run = run_playbook(world, {"eks_waves": ["100%"], "eks_max_fail_percentage": 100,
                               "eks_preflight_skip": ["kubectl-client"], "eks_compatibility_table_max_age": "365d"})
    assert mutating_calls(world, before) == []
    for scenario_name, check_id in BLOCKING.items():
        cluster = yaml.safe_load((SCENARIOS / f"{scenario_name}.yml").read_text())["clusters"][0]["name"]
        report = run.cluster_report(cluster)
        assert report["status"] == "blocked", (scenario_name, report["status"], report.get("failure"))
        assert check_id in [b["id"] for b in report["blockers"]], (scenario_name, report["blockers"])
        checks = {c["id"]: c["status"] for c in report["preflight"]["checks"]}
        assert checks["kubectl-client"] == "skipped"  # each skip is recorded in the report
        assert report["preflight"]["skipped_checks"] == ["kubectl-client"]
    # The report says which node group to move and to what (checks.py words it; tested there).
    [al2] = [b for b in run.cluster_report("al2-nodes-132")["blockers"] if b["id"] == "al2-node-groups"]
    assert "legacy-al2 (AL2_x86_64: move to AL2023_x86_64_STANDARD, or BOTTLEROCKET_x86_64)" in al2["message"]
    assert "| al2-nodes-132 | blocked |" in (run.report_dir / "fleet-summary.md").read_text()
    # An add-on with no version for the next minor: the verdict, the message and the report entry say which and why.
    telemetry = run.cluster_report("telemetry-130")
    [addon] = [b for b in telemetry["blockers"] if b["id"] == "addon-compatibility"]
    assert addon["message"] == ("EKS add-on acme_telemetry-agent (v2.4.0-eksbuild.1) has no version compatible with "
                                "Kubernetes 1.31 (hop 1.30 -> 1.31): Amazon EKS lists none (DescribeAddonVersions).")
    assert addon["remediation"].startswith("Stay at 1.30 (target_version 1.30)")
    assert [(p["addon"], p["verdict"], p["to_version"]) for p in telemetry["preflight"]["addon_compatibility"]] == [
        ("acme_telemetry-agent", "no-version", "1.31")]
    # (The scenario's second cluster, an add-on that must move before the hop, is not in this first-only fleet: its
    # "move-first" verdict is asserted in tests/unit/plugins/modules/test_eks_fleet_preflight.py.)
    # Karpenter 1.1.1 can't go to 1.32: the report names it, where it runs and the release to install first.
    karpenter = run.cluster_report("karpenter-111-131")
    [blocker] = [b for b in karpenter["blockers"] if b["id"] == "controller-compatibility"]
    assert blocker["message"] == ("Karpenter 1.1.1 (karpenter/karpenter) does not support Kubernetes 1.32: it must "
                                  "move before the control plane, to 1.2.0 or later before the hop to 1.32.")
    assert [(c["controller"], c["version"], c["install"]) for c in karpenter["preflight"]["controllers"]] == [
        ("karpenter", "1.1.1", [{"before_hop": "1.32", "version": "1.2.0"}])]
    # eks_compatibility_table_max_age reached the check (the wave's eks_fleet_preflight, through preflight_request)
    [age] = [c for c in karpenter["preflight"]["checks"] if c["id"] == "controller-table-age"]
    assert "365 day(s) on " in age["message"], age  # "within 365 day(s) on DAY", or "Older than" a year from now
    # The device plugin that would miss the GPU node group's next nodes: named, with the toleration to add.
    [gpu] = [b for b in run.cluster_report("gpu-untolerated-130")["blockers"]
             if b["id"] == "gpu-device-plugin-scheduling"]
    assert "new nodes of node group gpu-a10 (kube-system/nvidia-device-plugin-daemonset: it does not tolerate the " \
           "node's taint nvidia.com/gpu=true:NoSchedule)" in gpu["message"]
    assert "{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}" in gpu["remediation"]
    # The checks name module options; the preflight role names the inventory variable that sets each.
    assert "(in the inventory: fix_coredns_upstream is set by eks_fix_coredns_upstream)" in run.output


def test_coredns_upstream_fix_is_opt_in_and_changes_only_that_line(make_world, run_playbook):
    world = make_world("coredns-upstream")
    corefile_before = world.summary()["origin-117"]["corefile"]
    run = run_playbook(world, {"eks_fix_coredns_upstream": True, "eks_waves": ["100%"]}, diff=True)
    assert run.rc == 0, run.output[-3000:]
    after = world.summary()["origin-117"]
    assert after["version"] == "1.24"
    assert after["corefile"] == corefile_before.replace("      upstream\n", "")
    assert "-      upstream" in run.output  # diff mode shows the removed line
