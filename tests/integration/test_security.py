"""No credential leaks at any verbosity; IAM policy and RBAC role exactly match what the collection calls."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.test_reliability import finish_updates_once_polled, write_inventory
from tests.integration.test_upgrade_playbook import merged_scenario

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration
# The fleet that exercises every code path: multi-hop with node groups, GPU, self-managed add-on, a blocked
# cluster, an update in progress, a pre-1.25 cluster (PodSecurityPolicy), CoreDNS fix, in-tree EBS volumes,
# stale upgrade insights (refreshed in the real run only), a deprecated API in use (DescribeInsight), launch template
# versions (DescribeLaunchTemplateVersions), Karpenter (its custom resources) and EKS Auto Mode.
EVERY_PATH = ["demo", "update-in-progress", "coredns-upstream", "ebs-in-tree-123", "deprecated-apis",
              "node-provisioners"]
K8S_GROUPS = {"nodepools": "karpenter.sh", "ec2nodeclasses": "karpenter.k8s.aws",
              "nodes": "", "persistentvolumes": "", "configmaps": "", "deployments": "apps", "daemonsets": "apps",
              "poddisruptionbudgets": "policy", "podsecuritypolicies": "policy"}


def policy_actions(name: str) -> set[str]:
    policy = json.loads((ROOT / "docs" / name).read_text())
    return {action for statement in policy["Statement"] for action in statement["Action"]}


def aws_actions(records: list[dict[str, Any]]) -> set[str]:
    return {f"{r['service']}:{r['operation']}" for r in records if r["service"] in ("eks", "ec2", "sts")}


def rbac_rules(records: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    seen = set()
    for record in records:
        if record["service"] != "k8s" or not 200 <= record["status"] < 300:
            continue
        verb, resource = record["operation"].split(" ", 1)
        if resource.startswith("/"):  # discovery: a non-resource URL
            seen.add(("nonResourceURLs", resource, verb))
            continue
        seen.add((K8S_GROUPS.get(resource, "?" + resource), resource, verb))
    return seen


def role_rules() -> set[tuple[str, str, str]]:
    role = yaml.safe_load((ROOT / "docs" / "rbac.yaml").read_text())
    rules = {(group, resource, verb) for rule in role["rules"] for group in rule.get("apiGroups", [])
             for resource in rule["resources"] for verb in rule["verbs"]}
    return rules | {("nonResourceURLs", url, verb) for rule in role["rules"] for url in rule.get("nonResourceURLs", [])
                    for verb in rule["verbs"]}


@pytest.fixture
def every_path_world(make_world):
    world = make_world(merged_scenario(EVERY_PATH), cluster_update_s=3600.0)
    world.state.cluster_update_s = 0.5  # the seeded update in progress keeps its hour; ours are quick
    return world


def test_iam_policies_and_rbac_role_match_what_the_collection_calls(every_path_world, run_playbook):
    world = every_path_world
    checked = run_playbook(world, {"eks_waves": ["100%"], "eks_max_fail_percentage": 100}, check=True)
    assert "planned" in checked.statuses().values()
    read_only = aws_actions(world.state.log.as_dicts())
    assert read_only == policy_actions("iam-policy-readonly.json")

    start = len(world.state.log.records())
    finish_updates_once_polled(world, "updating-129", start)
    run = run_playbook(world, {"eks_waves": ["100%"], "eks_max_fail_percentage": 100,
                               "eks_fix_coredns_upstream": True})
    assert "upgraded" in run.statuses().values(), run.output[-3000:]
    everything = world.state.log.as_dicts()
    assert aws_actions(everything) == policy_actions("iam-policy.json")
    assert aws_actions(world.state.log.as_dicts(start)) - read_only == {
        "eks:UpdateAddon", "eks:UpdateClusterVersion", "eks:UpdateNodegroupVersion", "eks:StartInsightsRefresh",
        "eks:DescribeInsightsRefresh", "ec2:DescribeLaunchTemplateVersions"}
    assert rbac_rules(everything) == role_rules()


def test_no_credential_appears_at_any_verbosity(make_world, run_playbook, tmp_path):
    world = make_world({"target_version": "1.30", "clusters": [
        {"name": name, "version": "1.29", "nodegroups": [{"name": "general", "version": "1.29"}]}
        for name in ("via-kubeconfig", "via-eks-token")]})
    # Without a kubeconfig the modules sign an EKS token themselves (as `aws eks get-token`).
    kubeconfigs = tmp_path / "world" / "kubeconfigs"
    write_inventory(tmp_path / "world" / "inventory.yml", {
        "via-kubeconfig": {"eks_kubeconfig": str(kubeconfigs / "via-kubeconfig.yaml"), "eks_target_version": "1.30"},
        "via-eks-token": {"eks_target_version": "1.30"}})
    secrets = [world.env()["AWS_SECRET_ACCESS_KEY"], *world.tokens.values()]
    run = run_playbook(world, {"eks_waves": ["100%"]}, args=("-vvvv",))
    assert run.rc == 0, run.output[-3000:]
    assert run.statuses() == {"via-kubeconfig": "upgraded", "via-eks-token": "upgraded"}
    reports = "".join(p.read_text() for p in run.report_dir.rglob("*") if p.is_file())
    for secret in secrets:
        assert secret not in run.output
        assert secret not in reports
    assert "k8s-aws-v1." not in run.output + reports
    assert "certificate-authority-data" not in run.output
