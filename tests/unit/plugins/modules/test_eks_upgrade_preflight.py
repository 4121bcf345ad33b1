"""eks_upgrade_preflight against the emulated world: each blocking scenario fails its own check."""
from __future__ import annotations

import json

import pytest

from ansible_collections.lifecycle.eks.plugins.modules import eks_upgrade_preflight as module
from eksworld import scenario
from tests.conftest import SCENARIOS, mutating_calls
from tests.unit.plugins.modules.helpers import log_position, records

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
}


def by_id(result):
    return {c["id"]: c for c in result["checks"]}


def test_each_blocking_scenario_fails_its_check(make_world, run_module, args):
    """One world holding every blocking scenario's cluster (cheaper than a world each)."""
    clusters, targets = [], {}
    for stem in [*BLOCKING, "healthy"]:
        data = scenario.load(SCENARIOS / f"{stem}.yml")
        for cluster in data["clusters"]:
            clusters.append(cluster)
            targets[cluster["name"]] = (stem, str(cluster.get("target_version", data["target_version"])))
    world = make_world({"name": "blocking", "clusters": clusters})
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
    assert len(checks) == len(result["checks"]) == 16
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
    assert len(calls) <= 12, [r["operation"] for r in calls]
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
    import boto3

    world = make_world({"clusters": [{"name": "broken-net", "version": "1.29", "security_group": False,
                                      "subnets": [{"cidr": "10.0.1.0/24"}, {"cidr": "10.0.2.0/24"},
                                                  {"cidr": "10.0.3.0/24"}],
                                      "nodegroups": [{"name": "general", "version": "1.29", "desired_size": 1}]}]})
    vpc = boto3.client("eks").describe_cluster(name="broken-net")["cluster"]["resourcesVpcConfig"]
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
