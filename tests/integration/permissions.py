"""What the collection is allowed to call (docs/iam-policy*.json, docs/rbac.yaml) and what a run called."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S_GROUPS = {"nodepools": "karpenter.sh", "ec2nodeclasses": "karpenter.k8s.aws",
              "nodes": "", "persistentvolumes": "", "configmaps": "", "deployments": "apps", "daemonsets": "apps",
              "poddisruptionbudgets": "policy",
              "pods": "", "replicasets": "apps", "statefulsets": "apps", "podsecuritypolicies": "policy",
              "clusterrolebindings": "rbac.authorization.k8s.io", "clusterroles": "rbac.authorization.k8s.io"}


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


# What only the opt-in Fargate redeploy (eks_fargate_redeploy) calls; tests/integration/test_fargate_redeploy.py
# proves each is used, the runs without the option that nothing else needs them.
FARGATE_REDEPLOY_RULES = {("", "pods", "list"), ("apps", "replicasets", "get"), ("apps", "statefulsets", "get"),
                          ("apps", "statefulsets", "patch")}


def role_rules() -> set[tuple[str, str, str]]:
    role = yaml.safe_load((ROOT / "docs" / "rbac.yaml").read_text())
    rules = {(group, resource, verb) for rule in role["rules"] for group in rule.get("apiGroups", [])
             for resource in rule["resources"] for verb in rule["verbs"]}
    return rules | {("nonResourceURLs", url, verb) for rule in role["rules"] for url in rule.get("nonResourceURLs", [])
                    for verb in rule["verbs"]}
