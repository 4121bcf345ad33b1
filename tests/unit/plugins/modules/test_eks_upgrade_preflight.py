"""eks_upgrade_preflight against the emulated world: each blocking scenario fails its own check."""
from __future__ import annotations

import json
import re

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils.checks import CHECK_STEPS
from ansible_collections.lifecycle.eks.plugins.modules import eks_upgrade_preflight as module
from eksworld import scenario
from tests.conftest import SCENARIOS, mutating_calls
from tests.unit.plugins.modules.helpers import HOUR, log_position, records, warning_texts

# scenario -> the check that must fail on its cluster (at the scenario's target version)
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
    "gpu-taint-untolerated": "gpu-device-plugin-scheduling",
}


def by_id(result):
    return {c["id"]: c for c in result["checks"]}


def test_each_blocking_scenario_fails_its_check(make_world, run_module, args):
    """One world holding every blocking scenario's cluster (cheaper than a world each)."""
    clusters, targets, addon_catalog = [], {}, {}
    for stem in [*BLOCKING, "healthy"]:
        data = scenario.load(SCENARIOS / f"{stem}.yml")
        addon_catalog.update(data.get("addon_catalog") or {})
        for cluster in data["clusters"]:
            clusters.append(cluster)
            targets[cluster["name"]] = (stem, str(cluster.get("target_version", data["target_version"])))
    world = make_world({"name": "blocking", "clusters": clusters, "addon_catalog": addon_catalog})
    before = log_position(world)
    for name, (stem, target) in targets.items():
        result = run_module(module, args(name, target_version=target))
        assert not result.failed, (stem, result.get("msg"))
        assert result["changed"] is False
        summary = result["summary"]
        if stem == "healthy":
            assert summary["blocked"] is False, summary
            assert summary["failed_checks"] == []
            continue
        check = by_id(result)[BLOCKING[stem]]
        assert check["status"] == "fail", (stem, check)
        assert check["remediation"] and check["step"]
        assert summary["blocked"] is True
        assert BLOCKING[stem] in summary["failed_checks"], (stem, summary)
    assert mutating_calls(world, before) == []


def test_healthy_result_shape(make_world, run_module, args):
    world = make_world("healthy")
    result = run_module(module, args("healthy-129", target_version="1.30"))
    assert not result.failed, result.get("msg")
    checks = by_id(result)
    assert len(checks) == len(result["checks"]) == len(CHECK_STEPS)
    assert {c["status"] for c in result["checks"]} <= {"pass", "warn"}
    assert result["summary"]["counts"]["fail"] == 0
    assert result["plan"]["feasible"] is True
    assert result["plan"]["hops"][0]["to_version"] == "1.30"
    assert result["cluster"]["version"] == "1.29"
    assert isinstance(result["insights"], list)
    assert result["ansible_facts"]["eks_version_skew"]["can_upgrade_next_minor"] is True
    assert checks["target-version"]["status"] == "pass"
    assert mutating_calls(world) == []


def test_round_trips_on_a_healthy_cluster(make_world, run_module, args):
    world = make_world("healthy")
    before = log_position(world)
    result = run_module(module, args("healthy-129", target_version="1.30", skip_checks=["kubectl-client"]))
    assert not result.failed, result.get("msg")
    calls = [r for r in world.state.log.as_dicts(before) if r["cluster"] == "healthy-129" or r["service"] == "ec2"]
    # 12, and 2 for the Cluster Autoscaler it runs: its ClusterRoleBindings and the ClusterRole bound to it
    assert len(calls) <= 14, [r["operation"] for r in calls]
    # Without Karpenter's controller or EKS Auto Mode, the Deployments read say so: no discovery request.
    assert [r["operation"] for r in calls if "karpenter" in r["operation"] or r["operation"].startswith("get /")] == []
    assert mutating_calls(world, before) == []


def test_skip_checks_are_recorded_as_skipped(make_world, run_module, args):
    make_world("subnet-3-ips")
    # EKS also reports the subnet as a cluster health issue in the upgrade insights.
    skip = ["subnet-free-ips", "upgrade-insights", "kubectl-client"]
    result = run_module(module, args("tight-subnet-129", target_version="1.30", skip_checks=skip))
    assert not result.failed, result.get("msg")
    checks = by_id(result)
    assert [checks[i]["status"] for i in skip] == ["skipped"] * 3
    assert result["summary"]["counts"]["skipped"] == 3
    assert result["summary"]["blocked"] is False


def test_options_turn_failures_into_warnings(make_world, run_module, args):
    make_world("coredns-upstream")
    result = run_module(module, args("origin-117", target_version="1.24", fix_coredns_upstream=True))
    assert by_id(result)["coredns-upstream"]["status"] == "warn"


def test_nodes_behind_fail_unless_the_upgrade_updates_them(make_world, run_module, args):
    make_world("nodes-behind")
    strict = run_module(module, args("nodes-behind-129", target_version="1.30"))
    assert by_id(strict)["control-plane-node-minor"]["status"] == "fail"
    lenient = run_module(module, args("nodes-behind-129", target_version="1.30", upgrade_nodegroups=True))
    assert by_id(lenient)["control-plane-node-minor"]["status"] == "warn"


def test_al2_node_group_blocks_the_hop_to_1_33_and_is_named(make_world, run_module, args):
    """amiType from DescribeNodegroup and osImage from the node list: no call beyond the usual reads."""
    world = make_world("al2-nodegroup-133")
    before = log_position(world)
    blocked = run_module(module, args("al2-nodes-132", target_version="1.33", upgrade_nodegroups=True))
    assert not blocked.failed, blocked.get("msg")
    check = by_id(blocked)["al2-node-groups"]
    assert check["status"] == "fail"
    assert ("managed node group(s) legacy-al2 (AL2_x86_64: move to AL2023_x86_64_STANDARD, or BOTTLEROCKET_x86_64); "
            "self-managed node(s) legacy-self-1 (osImage Amazon Linux 2)") in check["message"]
    assert "general" not in check["message"]  # its node group runs AL2023
    assert check["remediation"].startswith("Node group legacy-al2: create a node group with amiType "
                                           "AL2023_x86_64_STANDARD (or BOTTLEROCKET_x86_64) next to legacy-al2")
    assert blocked["summary"]["failed_checks"] == ["al2-node-groups"], blocked["summary"]
    # The last minor with AL2 AMIs: support ended, a warning only.
    stays = run_module(module, args("al2-nodes-132", target_version="1.32"))
    assert by_id(stays)["al2-node-groups"]["status"] == "warn"
    assert stays["summary"]["blocked"] is False
    assert mutating_calls(world, before) == []


def fake_kubectl(tmp_path, name, script):
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return str(path)


@pytest.mark.parametrize("script, status", [
    ("echo '%s'\n" % json.dumps({"clientVersion": {"gitVersion": "v1.30.4"}}), "pass"),
    ("echo '%s'\n" % json.dumps({"clientVersion": {"gitVersion": "v1.25.0"}}), "warn"),
    ("echo 'not json'\n", "warn"),
    ("exit 3\n", "warn"),
])
def test_kubectl_client_version(make_world, run_module, args, tmp_path, script, status):
    make_world("healthy")
    kubectl = fake_kubectl(tmp_path, "kubectl", script)
    result = run_module(module, args("healthy-129", target_version="1.30", kubectl_path=kubectl))
    assert by_id(result)["kubectl-client"]["status"] == status


def test_missing_kubectl_only_warns(make_world, run_module, args, monkeypatch, tmp_path):
    make_world("healthy")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = run_module(module, args("healthy-129", target_version="1.30"))
    assert not result.failed, result.get("msg")
    check = by_id(result)["kubectl-client"]
    assert check["status"] == "warn"
    assert "not found" in check["message"]


@pytest.mark.parametrize("target", ["1.3", "1.29.1", ""])
def test_malformed_target_fails(make_world, run_module, args, target):
    world = make_world("healthy")
    result = run_module(module, args("healthy-129", target_version=target))
    assert result.failed
    assert "target version" in result["msg"]
    assert records(world) == []


def test_no_kubeconfig_uses_an_eks_token(make_world, run_module, args):
    world = make_world("healthy")
    result = run_module(module, args("healthy-129", target_version="1.30", kubeconfig=None))
    assert not result.failed, result.get("msg")
    assert result["summary"]["blocked"] is False
    assert all(r["status"] == 200 for r in records(world, service="k8s"))


def test_failing_kubernetes_api(make_world, run_module, args, fast_k8s_retries):
    world = make_world("healthy")
    world.state.faults.set("healthy-129", k8s_error_rate=1.0)
    result = run_module(module, args("healthy-129", target_version="1.30"))
    assert result.failed
    assert ": 500 " in result["msg"] and result["msg"].startswith("Failed to ")
    assert mutating_calls(world) == []


def test_deleted_subnet_and_security_group(make_world, run_module, args):

    world = make_world({"clusters": [{"name": "broken-net", "version": "1.29", "security_group": False,
                                      "subnets": [{"cidr": "10.0.1.0/24"}, {"cidr": "10.0.2.0/24"},
                                                  {"cidr": "10.0.3.0/24"}],
                                      "nodegroups": [{"name": "general", "version": "1.29", "desired_size": 1}]}]})
    vpc = world.client("eks").describe_cluster(name="broken-net")["cluster"]["resourcesVpcConfig"]
    gone = vpc["subnetIds"][1]
    world.aws.eks.ec2.delete_subnet(gone)
    result = run_module(module, args("broken-net", target_version="1.30"))
    assert not result.failed, result.get("msg")
    checks = by_id(result)
    assert checks["subnet-free-ips"]["status"] == "fail"
    assert checks["subnet-free-ips"]["message"] == "Cluster subnets no longer exist: %s." % gone
    assert checks["cluster-security-group"]["status"] == "fail"
    assert vpc["clusterSecurityGroupId"] in checks["cluster-security-group"]["message"]
    assert mutating_calls(world) == []


def test_security_group_without_its_self_rule_is_blocked_with_the_rule_named(make_world, run_module, args):

    world = make_world("sg-missing-rule")
    vpc = world.client("eks").describe_cluster(name="sg-no-self-rule-129")["cluster"]["resourcesVpcConfig"]
    group = vpc["clusterSecurityGroupId"]
    result = run_module(module, args("sg-no-self-rule-129", target_version="1.30"))
    assert not result.failed, result.get("msg")
    check = by_id(result)["security-group-rules"]
    assert check["status"] == "fail"
    assert "inbound all traffic from %s itself" % group in check["message"]
    assert ("aws ec2 authorize-security-group-ingress --group-id %s --ip-permissions "
            "'IpProtocol=-1,UserIdGroupPairs=[{GroupId=%s}]'" % (group, group)) in check["remediation"]
    # The additional group was judged with it (its SSH rule from the VPC is no API server access).
    additional = [i for i in vpc["securityGroupIds"] if i != group]
    assert len(additional) == 1 and additional[0] in check["message"]
    assert result["summary"]["failed_checks"] == ["security-group-rules"]


def test_security_group_rules_warn_and_pass_where_the_traffic_is_allowed(make_world, run_module, args):
    """Restricted rules that still allow what EKS needs: warn when only the default inbound rule is gone (EKS
    recreates it on update), pass when an additional group lacks the rules the cluster group has; fail when the
    kubelet port is closed outbound."""
    world = make_world({"clusters": [
        {"name": "sg-restricted", "version": "1.29",
         "cluster_security_group_rules": {"inbound": [{"protocol": "tcp", "port": 443}],
                                          "outbound": [{"protocol": protocol, "port": port} for protocol, port in
                                                       (("tcp", 443), ("tcp", 10250), ("tcp", 53), ("udp", 53))]}},
        {"name": "sg-extra-without-443", "version": "1.29",
         "additional_security_groups": [{"name": "empty", "outbound": []}]},
        {"name": "sg-no-kubelet-out", "version": "1.29",
         "cluster_security_group_rules": {"outbound": [{"protocol": "tcp", "port": 443},
                                                       {"protocol": "all", "peer": "10.0.9.0/24"}]}},
    ]})
    before = log_position(world)
    statuses = {}
    for name in ("sg-restricted", "sg-extra-without-443", "sg-no-kubelet-out"):
        result = run_module(module, args(name, target_version="1.30"))
        assert not result.failed, result.get("msg")
        statuses[name] = by_id(result)["security-group-rules"]
    assert statuses["sg-restricted"]["status"] == "warn", statuses["sg-restricted"]
    assert "recreates" in statuses["sg-restricted"]["message"]
    assert statuses["sg-extra-without-443"]["status"] == "pass", statuses["sg-extra-without-443"]
    missing = statuses["sg-no-kubelet-out"]
    assert missing["status"] == "fail", missing
    named = [part for part in ("TCP 443", "TCP 10250", "TCP 53", "UDP 53") if "outbound " + part in missing["message"]]
    assert named == ["TCP 10250", "TCP 53", "UDP 53"]
    assert "FromPort=10250,ToPort=10250" in missing["remediation"]
    assert mutating_calls(world, before) == []


# --- fresh upgrade insights and deprecated APIs (scenario deprecated-apis: insights refreshed 30 h ago) -----

STALE_CLUSTER = "flowcontrol-127"
INSIGHT_CALLS = ("ListInsights", "StartInsightsRefresh", "DescribeInsightsRefresh", "DescribeInsight")
FAST_POLL = {"wait_delay": 0.05, "wait_max_delay": 0.2}


def insight_calls(world, since=0):
    return [r["operation"] for r in records(world, since, cluster=STALE_CLUSTER) if r["operation"] in INSIGHT_CALLS]


def preflight_args(args, **extra):
    return args(STALE_CLUSTER, **dict(dict(FAST_POLL, target_version="1.29", skip_checks=["kubectl-client"]), **extra))


def test_stale_insights_are_refreshed_before_the_checks_use_them(make_world, run_module, args):
    world = make_world("deprecated-apis")
    world.state.insights_refresh_s = 0.5
    result = run_module(module, preflight_args(args))
    assert not result.failed, result.get("msg")
    calls = insight_calls(world)
    # Read, found stale, refresh started and waited for, read again: the second ListInsights is the one used.
    assert calls[:2] == ["ListInsights", "StartInsightsRefresh"]
    assert calls[-2:] == ["ListInsights", "DescribeInsight"]
    assert set(calls[2:-2]) == {"DescribeInsightsRefresh"} and len(calls) >= 5
    freshness = result["insights_freshness"]
    assert (freshness["refresh"], freshness["stale"], freshness["max_age_hours"]) == ("completed", False, 24.0)
    check = by_id(result)["upgrade-insights"]
    assert check["status"] == "warn"  # the deprecated APIs warn; the age no longer does
    assert "last refreshed" not in check["message"]
    assert "Deprecated APIs in use" in check["message"]
    assert warning_texts(result) == []
    assert {i["last_refresh_time"] for i in result["insights"]} == {freshness["last_refresh_time"]}
    assert result["changed"] is False
    assert [r["operation"] for r in mutating_calls(world)] == ["StartInsightsRefresh"]


def test_deprecated_apis_are_listed_with_objects_and_replacements(make_world, run_module, args):
    world = make_world("deprecated-apis")
    world.aws.age_insights(STALE_CLUSTER, 1)  # fresh: no refresh needed
    result = run_module(module, preflight_args(args))
    assert not result.failed, result.get("msg")
    assert result["insights_freshness"]["refresh"] == "not_needed"
    [entry] = result["deprecated_apis"]
    assert (entry["name"], entry["kubernetes_version"], entry["status"]) == (
        "Deprecated APIs removed in Kubernetes v1.29", "1.29", "WARNING")
    assert entry["objects"] == ["/apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas/batch-jobs",
                                "/apis/flowcontrol.apiserver.k8s.io/v1beta2/prioritylevelconfigurations/batch"]
    flowschemas, levels = entry["deprecations"]
    assert (flowschemas["usage"], flowschemas["replaced_with"], flowschemas["stop_serving_version"]) == (
        "/apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas",
        "/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas", "1.29")
    assert flowschemas["objects"] == ["/apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas/batch-jobs"]
    assert levels["objects"] == ["/apis/flowcontrol.apiserver.k8s.io/v1beta2/prioritylevelconfigurations/batch"]
    assert [(c["user_agent"], c["requests_last_30_days"]) for c in flowschemas["clients"]] == [("flux/v2.1.0", 1240)]
    assert flowschemas["clients"][0]["last_request_time"].endswith("+00:00")
    # Passing deprecated-API insights (1.28) are not described: one DescribeInsight, for the 1.29 one.
    assert insight_calls(world) == ["ListInsights", "DescribeInsight"]
    assert mutating_calls(world) == []


def test_check_mode_reports_stale_insights_and_starts_no_refresh(make_world, run_module, args):
    world = make_world("deprecated-apis")
    result = run_module(module, preflight_args(args), check_mode=True)
    assert not result.failed, result.get("msg")
    assert insight_calls(world) == ["ListInsights", "DescribeInsight"]
    assert mutating_calls(world) == []
    freshness = result["insights_freshness"]
    assert (freshness["refresh"], freshness["stale"], freshness["age_hours"]) == ("not_started_check_mode", True, 30.0)
    [warning] = warning_texts(result)
    assert warning.startswith("Upgrade insights of cluster flowcontrol-127 were last refreshed 30.0 h ago")
    assert "check mode starts no refresh" in warning
    check = by_id(result)["upgrade-insights"]
    assert check["status"] == "warn" and "check mode starts no refresh" in check["message"]
    assert "without --check" in check["remediation"]
    assert result["deprecated_apis"][0]["objects"]  # still listed, from the stale insights


def test_a_failed_refresh_leaves_the_insights_stale_and_warns(make_world, run_module, args):
    world = make_world("deprecated-apis")
    world.state.insights_refresh_s = 0.2
    world.state.faults.set(STALE_CLUSTER, fail_insights_refresh=True)
    result = run_module(module, preflight_args(args))
    assert not result.failed, result.get("msg")
    assert (result["insights_freshness"]["refresh"], result["insights_freshness"]["stale"]) == ("failed", True)
    assert result["insights_freshness"]["message"] == "Insights refresh failed. Try again later."
    assert "the refresh failed: Insights refresh failed. Try again later." in warning_texts(result)[0]
    assert by_id(result)["upgrade-insights"]["status"] == "warn"
    # Not re-read after a failed refresh: the insights used are the first (stale) ones.
    assert insight_calls(world)[-2:] == ["DescribeInsightsRefresh", "DescribeInsight"]


def test_a_refresh_longer_than_the_timeout_warns(make_world, run_module, args):
    world = make_world("deprecated-apis")
    world.state.insights_refresh_s = HOUR
    result = run_module(module, preflight_args(args, insights_refresh_timeout=0))
    assert not result.failed, result.get("msg")
    freshness = result["insights_freshness"]
    assert (freshness["refresh"], freshness["stale"]) == ("timed_out", True)
    # The seconds it names are the time it took, which a busy machine stretches: not asserted.
    assert re.match(r"Timed out after \d+ s waiting for the upgrade insights refresh of cluster flowcontrol-127",
                    freshness["message"]), freshness["message"]
    assert "the refresh did not finish in time" in by_id(result)["upgrade-insights"]["message"]


def test_max_age_decides_what_is_stale(make_world, run_module, args):
    world = make_world("deprecated-apis")
    world.state.insights_refresh_s = 0.1
    relaxed = run_module(module, preflight_args(args, insights_max_age="2d"))
    assert relaxed["insights_freshness"]["refresh"] == "not_needed"
    assert relaxed["insights_freshness"]["max_age_hours"] == 48.0
    assert mutating_calls(world) == []
    before = log_position(world)
    skipped = run_module(module, preflight_args(args, skip_checks=["upgrade-insights"]))
    assert skipped["insights_freshness"] is None  # the check is skipped: the age does not matter
    assert mutating_calls(world, before) == []
    always = run_module(module, preflight_args(args, insights_max_age="0s"))
    assert always["insights_freshness"]["refresh"] == "completed"
    assert [r["operation"] for r in mutating_calls(world, before)] == ["StartInsightsRefresh"]


@pytest.mark.parametrize("extra, message", [
    ({"insights_max_age": "one day"}, "insights_max_age must be a duration such as 24h, 90m, 2d or 3600s"),
    ({"insights_max_age": "24"}, "(a number and a unit s, m, h or d); got '24'"),
    ({"insights_refresh_timeout": -1}, "insights_refresh_timeout must be 0 or more seconds; got -1."),
    ({"wait_delay": 0}, "wait_delay and wait_max_delay must be more than 0 seconds."),
])
def test_bad_insight_options_fail_before_any_call(make_world, run_module, args, extra, message):
    world = make_world("deprecated-apis")
    result = run_module(module, preflight_args(args, **extra))
    assert result.failed
    assert message in result["msg"]
    assert records(world) == []


def test_healthy_cluster_needs_no_refresh_nor_insight_details(make_world, run_module, args):
    world = make_world("healthy")
    result = run_module(module, args("healthy-129", target_version="1.30"))
    assert not result.failed, result.get("msg")
    assert result["insights_freshness"]["refresh"] == "not_needed"
    assert result["insights_freshness"]["stale"] is False
    assert result["deprecated_apis"] == []
    assert [r["operation"] for r in records(world, cluster="healthy-129") if "Insight" in r["operation"]] == [
        "ListInsights"]


# --- every insight category and status (scenario insights-misconfig-unknown) ---------------------------------

def test_configuration_insights_in_error_block_and_in_warning_warn_with_their_recommendation(make_world, run_module,
                                                                                             args):
    world = make_world("insights-misconfig-unknown")
    result = run_module(module, args("hybrid-misconfig-129", target_version="1.30", skip_checks=["kubectl-client"]))
    assert not result.failed, result.get("msg")
    check = by_id(result)["configuration-insights"]
    assert check["status"] == "fail"
    assert check["message"] == (
        "EKS configuration insights report errors: Hybrid nodes: remote pod network (ERROR: Pods on hybrid nodes use "
        "10.80.0.0/16, which is not in the cluster's remote pod networks; recommendation: Add 10.80.0.0/16 to the "
        "cluster's remoteNetworkConfig.remotePodNetworks). They warn: Hybrid nodes: webhooks (WARNING: A webhook runs "
        "on hybrid nodes while the remote pod network is not routable; recommendation: Run webhooks on cloud nodes, "
        "or make the remote pod network routable).")
    assert "aws eks describe-insight --cluster-name hybrid-misconfig-129" in check["remediation"]
    assert result["summary"]["failed_checks"] == ["configuration-insights"]
    assert by_id(result)["upgrade-insights"]["status"] == "pass"  # the upgrade insights themselves pass
    assert [(i["name"], i["category"], i["status"], i["kubernetes_version"]) for i in result["configuration_insights"]
            ] == [("Hybrid nodes: remote pod network", "MISCONFIGURATION", "ERROR", "1.29"),
                  ("Hybrid nodes: webhooks", "MISCONFIGURATION", "WARNING", "1.29")]
    assert all(i["recommendation"] for i in result["configuration_insights"])
    assert {i["category"] for i in result["insights"]} == {"UPGRADE_READINESS"}
    assert result["rollback_insights"] == []
    # One unfiltered ListInsights reads every category; only the two insights not passing are described.
    calls = [r for r in records(world, cluster="hybrid-misconfig-129") if "Insight" in r["operation"]]
    assert [r["operation"] for r in calls] == ["ListInsights", "DescribeInsight", "DescribeInsight"]
    assert not any(field.startswith("filter") for field in calls[0]["fields"] or [])
    assert mutating_calls(world) == []


def test_insights_eks_could_not_evaluate_warn_and_are_named_with_their_recommendation(make_world, run_module, args):
    world = make_world("insights-misconfig-unknown")
    result = run_module(module, args("insight-unknown-129", target_version="1.30", skip_checks=["kubectl-client"]))
    assert not result.failed, result.get("msg")
    checks = by_id(result)
    assert (checks["upgrade-insights"]["status"], checks["configuration-insights"]["status"]) == ("warn", "warn")
    assert checks["upgrade-insights"]["message"] == (
        "EKS could not evaluate (UNKNOWN): Kubelet version skew (UNKNOWN: Kubelet versions could not be evaluated; "
        "recommendation: Upgrade your worker nodes to match the Kubernetes version of your cluster control plane).")
    assert checks["configuration-insights"]["message"] == (
        "EKS could not evaluate (UNKNOWN): Hybrid nodes: node IAM role (UNKNOWN: The hybrid nodes' IAM role could not "
        "be evaluated; recommendation: Check that the hybrid nodes' IAM role has an access entry of type "
        "HYBRID_LINUX).")
    for check in (checks["upgrade-insights"], checks["configuration-insights"]):
        assert check["remediation"].startswith("An UNKNOWN insight is not a pass")
        assert "aws eks start-insights-refresh --cluster-name insight-unknown-129" in check["remediation"]
    assert result["summary"]["blocked"] is False
    [kubelet] = [i for i in result["insights"] if i["name"] == "Kubelet version skew"]
    assert (kubelet["status"], kubelet["recommendation"]) == (
        "UNKNOWN", "Upgrade your worker nodes to match the Kubernetes version of your cluster control plane.")
    # Passing upgrade insights are not described: no recommendation, no call.
    assert {i["recommendation"] for i in result["insights"] if i["status"] == "PASSING"} == {None}
    assert [r["operation"] for r in records(world, cluster="insight-unknown-129") if "Insight" in r["operation"]] == [
        "ListInsights", "DescribeInsight", "DescribeInsight"]


def test_rollback_readiness_insights_are_reported_not_judged(make_world, run_module, args):
    """After an in-place upgrade (rollback window open) they concern a rollback to 1.29, which an upgrade to 1.31
    does not take: returned in rollback_insights; no check reads them."""
    world = make_world("healthy")
    world.aws.begin_cluster_update("healthy-129", "1.30")
    world.state.clock.advance(world.state.cluster_update_s)
    world.aws.advance()
    world.aws.add_insight("healthy-129", "Cluster health issues", category="ROLLBACK_READINESS",
                          kubernetes_version="1.29", status="ERROR")
    result = run_module(module, args("healthy-129", target_version="1.31", upgrade_nodegroups=True,
                                     skip_checks=["kubectl-client"]))
    assert not result.failed, result.get("msg")
    rollback = {i["name"]: (i["kubernetes_version"], i["status"]) for i in result["rollback_insights"]}
    assert rollback["Cluster health issues"] == ("1.29", "ERROR")
    assert {version for version, unused_status in rollback.values()} == {"1.29"}
    assert {i["category"] for i in result["insights"]} == {"UPGRADE_READINESS"}
    assert {i["kubernetes_version"] for i in result["insights"]} == {"1.31"}
    upgrade_check = by_id(result)["upgrade-insights"]["message"]
    assert upgrade_check.startswith("EKS upgrade insights report errors: EKS add-on version compatibility")
    assert "Cluster health issues" not in upgrade_check  # the rollback insight in ERROR does not count


# Three node kinds beyond managed node groups: a custom-AMI node group (two hops need a launch template version),
# Karpenter with one pinned and one following EC2NodeClass, and EKS Auto Mode.
NODE_KINDS = {"clusters": [
    {"name": "custom-ami", "version": "1.29", "nodegroups": [
        {"name": "custom", "ami_type": "CUSTOM", "desired_size": 1,
         "launch_template": {"name": "custom-nodes", "versions": ["1.29", "1.30"]}}]},
    {"name": "karpenter", "version": "1.29", "nodegroups": [{"name": "system", "desired_size": 1}], "karpenter": {
        "ec2nodeclasses": [{"name": "pinned", "ami_selector_terms": [{"alias": "al2023@v20240315"}]},
                           {"name": "latest", "ami_selector_terms": [{"alias": "al2023@latest"}]}],
        "nodepools": [{"name": "default", "node_class": "pinned", "nodes": 1},
                      {"name": "web", "node_class": "latest", "nodes": 2}]}},
    {"name": "auto", "version": "1.29", "auto_mode": True},
]}


def test_karpenter_is_read_and_judged(make_world, run_module, args):
    world = make_world(NODE_KINDS)
    before = log_position(world)
    result = run_module(module, args("karpenter", target_version="1.30", skip_checks=["kubectl-client"]))
    assert not result.failed, result.get("msg")
    checks = by_id(result)
    assert checks["karpenter-ami-pinned"]["status"] == "warn"
    assert "pinned (NodePools default): alias al2023@v20240315: AMI release v20240315, older than Kubernetes 1.30 " \
           "(EKS release 2024-05-23), has no AMI for 1.30" in checks["karpenter-ami-pinned"]["message"]
    assert "Point amiSelectorTerms of EC2NodeClass pinned" in checks["karpenter-ami-pinned"]["remediation"]
    assert checks["karpenter-drift"]["status"] == "warn"
    assert "Karpenter replaces 2 node(s) through drift (NodePool web: 2, budget 10%)" in \
        checks["karpenter-drift"]["message"]
    assert checks["auto-mode"]["message"] == "EKS Auto Mode is not enabled."
    assert checks["kubelet-skew-path"]["status"] == "warn"  # Karpenter's nodes are left behind until drift
    assert result["summary"]["blocked"] is False
    provisioners = result["node_provisioners"]
    assert provisioners["node_kinds"] == {"managed": 1, "karpenter": 3}
    assert provisioners["karpenter"]["api_version"] == "v1"
    assert provisioners["karpenter"]["controller"]["version"] == "1.1.1"
    assert provisioners["karpenter"]["pinned_node_classes"] == ["pinned"]
    assert provisioners["karpenter"]["drift"] == {"replaced": ["ip-10-0-2-2.ec2.internal", "ip-10-0-2-3.ec2.internal"],
                                                  "blocked": [], "stay": ["ip-10-0-2-1.ec2.internal"]}
    assert result["ansible_facts"]["eks_version_skew"]["node_provisioners"] == provisioners
    # DescribeClusterVersions is read once, for the target-version check and the pinned release alike.
    assert [r["operation"] for r in records(world, before, service="eks")].count("DescribeClusterVersions") == 1
    k8s = sorted(r["operation"] for r in records(world, before, cluster="karpenter", service="k8s"))
    assert [op for op in k8s if op.endswith(("nodepools", "ec2nodeclasses")) or op.startswith("get /")] == [
        "get /apis", "list ec2nodeclasses", "list nodepools"]
    assert mutating_calls(world, before) == []


def test_auto_mode_is_detected_and_its_node_pools_are_not_karpenter(make_world, run_module, args):
    world = make_world(NODE_KINDS)
    result = run_module(module, args("auto", target_version="1.30", skip_checks=["kubectl-client"]))
    assert not result.failed, result.get("msg")
    checks = by_id(result)
    assert checks["auto-mode"]["status"] == "pass"
    assert checks["auto-mode"]["message"].startswith("EKS Auto Mode is enabled (NodePools general-purpose, system): "
                                                     "EKS replaces its 2 node(s) with nodes on 1.30 itself")
    assert checks["karpenter-ami-pinned"]["message"].startswith("Karpenter not found")
    assert result["node_provisioners"]["auto_mode"]["enabled"] is True
    assert result["node_provisioners"]["karpenter"]["detected"] is False
    assert result["plan"]["feasible"] is True and result["plan"]["nodegroups_after"] == []
    assert mutating_calls(world) == []


def test_a_launch_template_version_lifts_the_custom_ami_blocker(make_world, run_module, args):
    world = make_world(NODE_KINDS)
    blocked = run_module(module, args("custom-ami", target_version="1.31", upgrade_nodegroups=True,
                                      skip_checks=["kubectl-client"]))
    assert by_id(blocked)["control-plane-node-minor"]["status"] == "fail"
    assert "uses a custom AMI" in by_id(blocked)["control-plane-node-minor"]["message"]
    assert [b["id"] for b in blocked["plan"]["blockers"]] == ["custom-ami-nodegroup"]
    given = run_module(module, args("custom-ami", target_version="1.31", upgrade_nodegroups=True,
                                    skip_checks=["kubectl-client"], nodegroup_launch_templates={
                                        "custom": {"version": "2", "kubernetes_version": "1.30"}, "gone": "1"}))
    assert not given.failed, given.get("msg")
    assert by_id(given)["control-plane-node-minor"]["status"] == "pass"
    assert given["plan"]["feasible"] is True
    assert [hop["nodegroups_before"] for hop in given["plan"]["hops"]] == [[], ["custom"]]
    assert any("names node group(s) gone that cluster custom-ami does not have" in w for w in warning_texts(given))
    assert mutating_calls(world) == []


def test_bad_launch_templates_fail_before_any_call(make_world, run_module, args):
    world = make_world(NODE_KINDS)
    result = run_module(module, args("custom-ami", target_version="1.30", nodegroup_launch_templates={"custom": "x"}))
    assert result.failed
    assert "nodegroup_launch_templates.custom.version must be a launch template version number" in result["msg"]
    assert records(world) == []
    mixed = run_module(module, args("karpenter", target_version="1.30", nodegroup_launch_templates={"system": "2"}))
    assert mixed.failed
    assert "node group(s) system of cluster karpenter, created without a launch template" in mixed["msg"]
