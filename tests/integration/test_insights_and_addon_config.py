"""playbooks/upgrade.yml on stale insights, a deprecated API in use and configured add-ons (issue 8).

One cluster (scenario deprecated-apis): insights last refreshed 30 h ago, FlowSchemas served by an API that
1.29 removes, CoreDNS and the VPC CNI with configuration values and the CNI with a service account role. A
check-mode run, then the upgrade to 1.29 (two hops).
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import mutating_calls

pytestmark = pytest.mark.integration

CLUSTER = "flowcontrol-127"
INSIGHT_CALLS = ("ListInsights", "StartInsightsRefresh", "DescribeInsightsRefresh", "DescribeInsight")
COREDNS_CONFIG = {"replicaCount": 3, "resources": {"limits": {"memory": "256Mi"}}}
CNI_ROLE = "arn:aws:iam::123456789012:role/AmazonEKSVPCCNIRole"
FLOWSCHEMA = "/apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas/batch-jobs"


def insight_calls(world: Any, since: int = 0) -> list[dict[str, Any]]:
    return [r for r in world.state.log.as_dicts(since) if r["cluster"] == CLUSTER and r["operation"] in INSIGHT_CALLS]


def addon(world: Any, name: str) -> dict[str, Any]:
    return world.client("eks").describe_addon(clusterName=CLUSTER, addonName=name)["addon"]


def test_stale_insights_refreshed_deprecated_apis_reported_addon_settings_kept(make_world, run_playbook):
    world = make_world("deprecated-apis")
    cni_before = addon(world, "vpc-cni")

    # Check mode: the insights are reported as stale, no refresh is started, the deprecated APIs are listed.
    checked = run_playbook(world, {"eks_waves": ["100%"]}, check=True)
    assert checked.statuses() == {CLUSTER: "planned"}, checked.output[-3000:]
    assert mutating_calls(world) == []
    assert [r["operation"] for r in insight_calls(world)] == ["ListInsights", "DescribeInsight"]
    plan = checked.cluster_report(CLUSTER)
    assert plan["insights_freshness"]["refresh"] == "not_started_check_mode"
    assert (plan["insights_freshness"]["stale"], plan["insights_freshness"]["age_hours"]) == (True, 30.0)
    warning = next(w for w in plan["warnings"] if w["id"] == "upgrade-insights")
    assert "were last refreshed 30.0 h ago" in warning["message"]
    assert "check mode starts no refresh" in warning["message"]
    assert "check mode starts no refresh" in checked.output  # the module's warning, shown by Ansible
    assert plan["deprecated_apis"][0]["objects"][0] == FLOWSCHEMA

    # The upgrade: the preflight refreshes the insights before it reads the ones it trusts.
    start = len(world.state.log.records())
    run = run_playbook(world, {"eks_waves": ["100%"]}, diff=True)
    assert run.rc == 0, run.output[-3000:]
    assert run.statuses() == {CLUSTER: "upgraded"}
    calls = insight_calls(world, start)
    operations = [r["operation"] for r in calls]
    assert operations[:2] == ["ListInsights", "StartInsightsRefresh"], operations
    assert operations[-2:] == ["ListInsights", "DescribeInsight"], operations
    assert set(operations[2:-2]) == {"DescribeInsightsRefresh"}, operations
    refresh_started = next(r["seq"] for r in calls if r["operation"] == "StartInsightsRefresh")
    used = calls[-2]  # the ListInsights whose answer the checks used
    assert used["seq"] > refresh_started and used["status"] == 200

    report = run.cluster_report(CLUSTER)
    freshness = report["insights_freshness"]
    assert (freshness["refresh"], freshness["stale"]) == ("completed", False)
    assert freshness["last_refresh_time"] > plan["insights_freshness"]["last_refresh_time"]
    assert {i["last_refresh_time"] for i in report["preflight"]["insights"]} == {freshness["last_refresh_time"]}
    checks = {c["id"]: c for c in report["preflight"]["checks"]}
    assert "last refreshed" not in checks["upgrade-insights"]["message"]

    # Deprecated APIs in the cluster's JSON report: the objects and their replacement APIs.
    [deprecated] = report["deprecated_apis"]
    assert (deprecated["name"], deprecated["status"]) == ("Deprecated APIs removed in Kubernetes v1.29", "WARNING")
    by_usage = {d["usage"]: d for d in deprecated["deprecations"]}
    flowschemas = by_usage["/apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas"]
    assert flowschemas["replaced_with"] == "/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas"
    assert flowschemas["objects"] == [FLOWSCHEMA]
    assert flowschemas["clients"][0]["user_agent"] == "flux/v2.1.0"
    assert report["preflight"]["deprecated_apis"] == report["deprecated_apis"]
    assert FLOWSCHEMA in run.output  # shown to the operator too

    # Add-on settings survived: sent again with the update, still there afterwards.
    state = world.summary()[CLUSTER]
    assert state["version"] == "1.29"
    [coredns_update] = [u for u in state["updates"] if u["addon"] == "coredns"]
    assert coredns_update["params"]["ResolveConflicts"] == "PRESERVE"
    assert json.loads(coredns_update["params"]["ConfigurationValues"]) == COREDNS_CONFIG
    coredns = addon(world, "coredns")
    assert coredns["addonVersion"] == coredns_update["params"]["AddonVersion"] != "v1.10.1-eksbuild.4"
    assert json.loads(coredns["configurationValues"]) == COREDNS_CONFIG
    cni = addon(world, "vpc-cni")
    assert (cni["configurationValues"], cni["serviceAccountRoleArn"]) == (cni_before["configurationValues"], CNI_ROLE)
    changes = {a["name"]: a.get("changes") for a in report["post_upgrade"]["addons"]}
    assert set(changes["coredns"]) == {"version"}  # only the version changed
    assert '"replicaCount": 3' in run.output  # --diff shows the add-on settings before and after
