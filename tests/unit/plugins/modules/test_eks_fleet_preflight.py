"""eks_fleet_preflight: many clusters in one call give what eks_upgrade_preflight gives each, with fewer calls."""
from __future__ import annotations

from collections import Counter

from ansible_collections.lifecycle.eks.plugins.modules import eks_fleet_preflight as fleet
from ansible_collections.lifecycle.eks.plugins.modules import eks_upgrade_preflight as single
from eksworld import scenario
from tests.conftest import SCENARIOS, mutating_calls
from tests.unit.plugins.modules.helpers import log_position, records

# sg-missing-rule: a cluster with an additional security group, read in the shared batched call too;
# insights-misconfig-unknown: configuration insights and insights in UNKNOWN
STEMS = ("healthy", "subnet-3-ips", "coredns-upstream", "psp-missing", "sg-missing-rule", "insights-misconfig-unknown")
SAME_KEYS = ("checks", "summary", "plan", "cluster", "insights", "configuration_insights", "rollback_insights",
             "deprecated_apis", "node_provisioners", "controllers", "ansible_facts")


def seeded(make_world):
    clusters, targets = [], {}
    for stem in STEMS:
        data = scenario.load(SCENARIOS / f"{stem}.yml")
        for cluster in data["clusters"]:
            clusters.append(cluster)
            targets[cluster["name"]] = str(cluster.get("target_version", data["target_version"]))
    return make_world({"name": "fleet", "clusters": clusters}), targets


def entries(targets, kubeconfig, **extra):
    return [dict({"name": name, "target_version": target, "kubeconfig": kubeconfig(name),
                  "skip_checks": ["kubectl-client"]}, **extra) for name, target in targets.items()]


def test_each_cluster_gets_what_the_single_cluster_module_returns(make_world, run_module, args, kubeconfig):
    world, targets = seeded(make_world)
    before = log_position(world)
    result = run_module(fleet, {"clusters": entries(targets, kubeconfig)}, check_mode=True)
    assert not result.failed, result.get("msg")
    assert result["changed"] is False
    assert sorted(result["clusters"]) == sorted(targets)
    assert result["summary"]["clusters"] == len(targets)
    assert result["summary"]["failed"] == []
    assert mutating_calls(world, before) == []
    for name, target in targets.items():
        one = run_module(single, args(name, target_version=target, skip_checks=["kubectl-client"]), check_mode=True)
        assert not one.failed, one.get("msg")
        mine = result["clusters"][name]
        assert {key: mine[key] for key in SAME_KEYS} == {key: one[key] for key in SAME_KEYS}, name
        assert (name in result["summary"]["blocked"]) is one["summary"]["blocked"]
    blocked = {name: result["clusters"][name]["summary"]["failed_checks"] for name in result["summary"]["blocked"]}
    assert any("subnet-free-ips" in failed for failed in blocked.values()), blocked
    assert any("coredns-upstream" in failed for failed in blocked.values()), blocked
    assert blocked["sg-no-self-rule-129"] == ["security-group-rules"], blocked
    assert blocked["hybrid-misconfig-129"] == ["configuration-insights"], blocked
    unknown = {c["id"]: c["status"] for c in result["clusters"]["insight-unknown-129"]["checks"]}
    assert "insight-unknown-129" not in blocked
    assert (unknown["upgrade-insights"], unknown["configuration-insights"]) == ("warn", "warn")


def test_reads_the_clusters_share_are_made_once(make_world, run_module, kubeconfig):
    world, targets = seeded(make_world)
    before = log_position(world)
    result = run_module(fleet, {"clusters": entries(targets, kubeconfig)})
    assert not result.failed, result.get("msg")
    aws = [r for r in records(world, before) if r["service"] in ("eks", "ec2")]
    operations = Counter(r["operation"] for r in aws)
    assert operations["DescribeClusterVersions"] == 1
    assert operations["DescribeSubnets"] == 1
    assert operations["DescribeSecurityGroups"] == 1
    assert operations["DescribeCluster"] == len(targets)
    # every AWS request is counted once: by the cluster that made it, or as shared
    per_cluster = sum(r["api_calls"] for r in result["clusters"].values())
    assert result["shared_api_calls"] == 3
    assert result["api_calls"] == per_cluster + 3 == len(aws)
    for name, entry in result["clusters"].items():
        assert entry["api_calls"] == len([r for r in aws if r["cluster"] == name]), name


def test_a_cluster_that_cannot_be_checked_fails_alone(make_world, run_module, kubeconfig):
    world, targets = seeded(make_world)
    clusters = entries(targets, kubeconfig)
    clusters.append({"name": "ghost", "target_version": "1.30"})
    clusters.append({"name": "typo", "cluster_name": "healthy-129", "target_version": "1.3o"})
    before = log_position(world)
    result = run_module(fleet, {"clusters": clusters})
    assert not result.failed, result.get("msg")
    assert result["summary"]["failed"] == ["ghost", "typo"]
    assert result["clusters"]["ghost"]["failed"] is True
    assert result["clusters"]["ghost"]["msg"].startswith("Failed to describe cluster ghost: ResourceNotFoundException")
    assert "1.3o" in result["clusters"]["typo"]["msg"]
    assert result["clusters"]["typo"].get("api_calls", 0) == 0
    assert all(not result["clusters"][name].get("failed") for name in targets)
    assert mutating_calls(world, before) == []


def test_deleted_subnet_and_security_group_in_a_batch(make_world, run_module, kubeconfig):
    import boto3

    world = make_world({"clusters": [
        {"name": "broken-net", "version": "1.29", "security_group": False,
         "subnets": [{"cidr": "10.0.1.0/24"}, {"cidr": "10.0.2.0/24"}, {"cidr": "10.0.3.0/24"}]},
        {"name": "fine-net", "version": "1.29"}]})
    vpc = boto3.client("eks").describe_cluster(name="broken-net")["cluster"]["resourcesVpcConfig"]
    gone = vpc["subnetIds"][1]
    world.aws.eks.ec2.delete_subnet(gone)
    result = run_module(fleet, {"clusters": [{"name": n, "target_version": "1.30", "kubeconfig": kubeconfig(n)}
                                             for n in ("broken-net", "fine-net")]})
    assert not result.failed, result.get("msg")
    broken = {c["id"]: c for c in result["clusters"]["broken-net"]["checks"]}
    fine = {c["id"]: c for c in result["clusters"]["fine-net"]["checks"]}
    assert broken["subnet-free-ips"]["message"] == "Cluster subnets no longer exist: %s." % gone
    assert broken["cluster-security-group"]["status"] == "fail"
    assert fine["subnet-free-ips"]["status"] == fine["cluster-security-group"]["status"] == "pass"
    assert result["summary"]["blocked"] == ["broken-net"]


def test_bad_module_options_change_nothing_and_call_nothing(make_world, run_module, kubeconfig):
    world = make_world("healthy")
    before = log_position(world)
    one = {"name": "healthy-129", "target_version": "1.30", "kubeconfig": kubeconfig("healthy-129")}
    result = run_module(fleet, {"clusters": [one, dict(one)]})
    assert result.failed
    assert result["msg"] == "clusters[].name must be unique; repeated: healthy-129."
    result = run_module(fleet, {"clusters": [one], "max_concurrent_clusters": 0})
    assert result.failed and "max_concurrent_clusters must be 1 or more" in result["msg"]
    result = run_module(fleet, {"clusters": [one], "wait_delay": 0})
    assert result.failed and "wait_delay" in result["msg"]
    assert records(world, before) == []


def test_a_cluster_in_another_region_is_read_there(make_world, run_module, kubeconfig):
    world = make_world("healthy")
    before = log_position(world)
    result = run_module(fleet, {"region": "us-east-1", "clusters": [
        {"name": "healthy-129", "target_version": "1.30", "kubeconfig": kubeconfig("healthy-129")},
        {"name": "elsewhere", "cluster_name": "healthy-129", "target_version": "1.30", "region": "ap-south-1",
         "kubeconfig": kubeconfig("healthy-129")}]})
    assert not result.failed, result.get("msg")
    assert not result["clusters"]["healthy-129"].get("failed")
    # The world holds its clusters in one region only: the other region does not know the cluster.
    assert result["clusters"]["elsewhere"]["failed"] is True
    assert "ResourceNotFoundException" in result["clusters"]["elsewhere"]["msg"]
    assert mutating_calls(world, before) == []
