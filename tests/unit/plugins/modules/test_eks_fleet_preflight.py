"""eks_fleet_preflight: many clusters in one call give what eks_upgrade_preflight gives each, with fewer calls."""
from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

from ansible_collections.lifecycle.eks.plugins.module_utils import kube
from ansible_collections.lifecycle.eks.plugins.module_utils.addons import answer_entry
from ansible_collections.lifecycle.eks.plugins.modules import eks_fleet_preflight as fleet
from ansible_collections.lifecycle.eks.plugins.modules import eks_upgrade_preflight as single
from eksworld import scenario
from tests.conftest import SCENARIOS, mutating_calls
from tests.unit.plugins.modules.helpers import log_position, records

# sg-missing-rule: a cluster with an additional security group, read in the shared batched call too;
# insights-misconfig-unknown: configuration insights and insights in UNKNOWN;
# addon-no-version-131: an add-on with no version for 1.31 (the scenario's add-on catalog), one to move first
STEMS = ("healthy", "subnet-3-ips", "coredns-upstream", "psp-missing", "sg-missing-rule", "insights-misconfig-unknown",
         "addon-no-version-131")
SAME_KEYS = ("checks", "summary", "plan", "cluster", "insights", "configuration_insights", "rollback_insights",
             "deprecated_apis", "addon_compatibility", "node_provisioners", "hybrid_nodes", "controllers", "support",
             "target_support", "ansible_facts")


def seeded(make_world):
    clusters, targets, addon_catalog = [], {}, {}
    for stem in STEMS:
        data = scenario.load(SCENARIOS / f"{stem}.yml")
        addon_catalog.update(data.get("addon_catalog") or {})
        for cluster in data["clusters"]:
            clusters.append(cluster)
            targets[cluster["name"]] = str(cluster.get("target_version", data["target_version"]))
    return make_world({"name": "fleet", "clusters": clusters, "addon_catalog": addon_catalog}), targets


def entries(targets, kubeconfig, **extra):
    return [dict({"name": name, "target_version": target, "kubeconfig": kubeconfig(name),
                  "skip_checks": ["kubectl-client"]}, **extra) for name, target in targets.items()]


def test_each_cluster_gets_what_the_single_cluster_module_returns(make_world, run_module, args, kubeconfig):
    world, targets = seeded(make_world)
    before = log_position(world)
    result = run_module(fleet, {"region": world.region, "clusters": entries(targets, kubeconfig)}, check_mode=True)
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
    # EKS's add-on compatibility insight for the next minor fails on both; the check says what to do.
    assert blocked["telemetry-130"] == blocked["coredns-behind-129"] == ["upgrade-insights", "addon-compatibility"]
    [no_version] = result["clusters"]["telemetry-130"]["addon_compatibility"]
    assert (no_version["addon"], no_version["verdict"], no_version["to_version"]) == (
        "acme_telemetry-agent", "no-version", "1.31")
    [move] = result["clusters"]["coredns-behind-129"]["addon_compatibility"]
    assert (move["addon"], move["verdict"], move["move_to"]) == ("coredns", "move-first", "v1.11.4-eksbuild.22")
    assert all(result["clusters"][name]["addon_compatibility"] == [] for name in targets
               if name not in ("telemetry-130", "coredns-behind-129")), result["clusters"]
    unknown = {c["id"]: c["status"] for c in result["clusters"]["insight-unknown-129"]["checks"]}
    assert "insight-unknown-129" not in blocked
    assert (unknown["upgrade-insights"], unknown["configuration-insights"]) == ("warn", "warn")


def test_reads_the_clusters_share_are_made_once(make_world, run_module, kubeconfig):
    world, targets = seeded(make_world)
    before = log_position(world)
    result = run_module(fleet, {"region": world.region, "clusters": entries(targets, kubeconfig)})
    assert not result.failed, result.get("msg")
    aws = [r for r in records(world, before) if r["service"] in ("eks", "ec2")]
    operations = Counter(r["operation"] for r in aws)
    assert operations["DescribeClusterVersions"] == 1
    assert operations["DescribeSubnets"] == 1
    assert operations["DescribeSecurityGroups"] == 1
    assert operations["DescribeCluster"] == len(targets)
    # The add-on catalog once per add-on name the clusters have installed: vpc-cni, coredns, kube-proxy and the
    # scenario's Marketplace add-on.
    catalog_reads = [r for r in aws if r["operation"] == "DescribeAddonVersions"]
    assert len(catalog_reads) == 4 and all(r["cluster"] is None for r in catalog_reads)
    # every AWS request is counted once: by the cluster that made it, or as shared
    per_cluster = sum(r["api_calls"] for r in result["clusters"].values())
    assert result["shared_api_calls"] == 3 + 4
    assert result["api_calls"] == per_cluster + 3 + 4 == len(aws)
    for name, entry in result["clusters"].items():
        assert entry["api_calls"] == len([r for r in aws if r["cluster"] == name]), name


def test_a_cluster_that_cannot_be_checked_fails_alone(make_world, run_module, kubeconfig):
    world, targets = seeded(make_world)
    clusters = entries(targets, kubeconfig)
    clusters.append({"name": "ghost", "target_version": "1.30"})
    clusters.append({"name": "typo", "cluster_name": "healthy-129", "target_version": "1.3o"})
    before = log_position(world)
    result = run_module(fleet, {"region": world.region, "clusters": clusters})
    assert not result.failed, result.get("msg")
    assert result["summary"]["failed"] == ["ghost", "typo"]
    assert result["clusters"]["ghost"]["failed"] is True
    assert result["clusters"]["ghost"]["msg"].startswith("Failed to describe cluster ghost: ResourceNotFoundException")
    assert "1.3o" in result["clusters"]["typo"]["msg"]
    assert result["clusters"]["typo"].get("api_calls", 0) == 0
    assert all(not result["clusters"][name].get("failed") for name in targets)
    assert mutating_calls(world, before) == []


def test_deleted_subnet_and_security_group_in_a_batch(make_world, run_module, kubeconfig):

    world = make_world({"clusters": [
        {"name": "broken-net", "version": "1.29", "security_group": False,
         "subnets": [{"cidr": "10.0.1.0/24"}, {"cidr": "10.0.2.0/24"}, {"cidr": "10.0.3.0/24"}]},
        {"name": "fine-net", "version": "1.29"}]})
    vpc = world.client("eks").describe_cluster(name="broken-net")["cluster"]["resourcesVpcConfig"]
    gone = vpc["subnetIds"][1]
    world.aws.eks.ec2.delete_subnet(gone)
    result = run_module(fleet, {"region": world.region,
                                "clusters": [{"name": n, "target_version": "1.30", "kubeconfig": kubeconfig(n)}
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
    world = make_world("two-regions")
    before = log_position(world)
    result = run_module(fleet, {"region": "us-east-1", "clusters": [
        {"name": "prod-use1", "target_version": "1.30", "kubeconfig": kubeconfig("prod-use1")},
        {"name": "prod-euw1", "target_version": "1.30", "region": "eu-west-1", "kubeconfig": kubeconfig("prod-euw1")},
        {"name": "elsewhere", "cluster_name": "prod-euw1", "target_version": "1.30",
         "kubeconfig": kubeconfig("prod-euw1")}]})
    assert not result.failed, result.get("msg")
    assert result["clusters"]["prod-use1"]["cluster"]["version"] == "1.29"
    assert result["clusters"]["prod-euw1"]["cluster"]["version"] == "1.29"
    # Each region knows its own clusters only: the Irish cluster is not found in the module's region.
    assert result["clusters"]["elsewhere"]["failed"] is True
    assert "ResourceNotFoundException" in result["clusters"]["elsewhere"]["msg"]
    assert mutating_calls(world, before) == []


def test_the_add_on_catalog_is_read_for_the_add_on_step_once_per_region(make_world, run_module, kubeconfig):
    world, targets = seeded(make_world)
    skipping = "healthy-129"
    clusters = [dict(entry, skip_checks=entry["skip_checks"] + ["addon-compatibility"]) if entry["name"] == skipping
                else entry for entry in entries(targets, kubeconfig)]
    without = run_module(fleet, {"region": world.region, "clusters": clusters}, check_mode=True)
    assert not without.failed, without.get("msg")
    # Read only where the check needs it: not for a cluster EKS's add-on compatibility insight vouches for.
    vouched = [n for n, r in without["clusters"].items() if n != skipping and r["addon_catalog"] == {}]
    assert vouched, {n: sorted(r["addon_catalog"]) for n, r in without["clusters"].items()}

    before = log_position(world)
    result = run_module(fleet, {"region": world.region, "clusters": clusters, "read_addon_catalog": True},
                        check_mode=True)
    assert not result.failed, result.get("msg")
    # Still once per add-on name for the region: vpc-cni, coredns, kube-proxy and the Marketplace add-on.
    assert len(records(world, before, operation="DescribeAddonVersions")) == 4
    eks = world.client("eks")
    for name, entry in result["clusters"].items():
        if name == skipping:
            assert entry["addon_catalog"] == {}
            continue
        installed = eks.list_addons(clusterName=name)["addons"]
        assert sorted(entry["addon_catalog"]) == sorted({"vpc-cni", "coredns", "kube-proxy", *installed}), name
        assert entry["checks"] == without["clusters"][name]["checks"], name
    assert result["clusters"]["telemetry-130"]["addon_catalog"]["acme_telemetry-agent"] == answer_entry(
        eks.describe_addon_versions(addonName="acme_telemetry-agent")["addons"])


def test_each_cluster_s_kubernetes_retry_budget_is_honoured(make_world, run_module, kubeconfig, monkeypatch):
    """An entry's kube_retry_timeout, else LIFECYCLE_EKS_KUBE_RETRY_TIMEOUT, bounds how long a cluster whose
    Kubernetes API is down is retried, as in eks_upgrade_preflight (the wave's preflight retried for the 300 s
    default whatever was set)."""
    world = make_world({"name": "down", "clusters": [
        {"name": name, "version": "1.29", "nodegroups": [{"name": "general", "version": "1.29"}]}
        for name in ("default-budget", "no-budget", "some-budget")]})
    for name in ("default-budget", "no-budget", "some-budget"):
        world.state.faults.set(name, k8s_unreachable=True)
    # A clock that moves 7 s each time a retry looks at it, and pauses that take no time: budgets run out at once.
    ticks = iter(range(0, 10**6, 7))
    monkeypatch.setattr(kube, "time", SimpleNamespace(monotonic=lambda: float(next(ticks)), sleep=lambda _: None))
    monkeypatch.setenv("LIFECYCLE_EKS_KUBE_RETRY_TIMEOUT", "0")
    clusters = [{"name": name, "target_version": "1.30", "kubeconfig": kubeconfig(name)}
                for name in ("default-budget", "no-budget", "some-budget")]
    clusters[1]["kube_retry_timeout"] = 0
    clusters[2]["kube_retry_timeout"] = 60
    result = run_module(fleet, {"region": world.region, "clusters": clusters}, check_mode=True)
    assert not result.failed, result.get("msg")
    retries = {}
    for name, entry in result["clusters"].items():
        assert entry["failed"] is True and f"Kubernetes API of cluster {name} unreachable" in entry["msg"], entry
        retries[name] = entry["kube_retries"]
    assert retries["default-budget"] == retries["no-budget"] == 0, retries
    assert 0 < retries["some-budget"] <= 60 // 7 + 1, retries
