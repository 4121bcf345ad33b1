"""Scenario keys for controllers: Karpenter's namespace, the Cluster Autoscaler's service account and ClusterRole."""
from __future__ import annotations

import re

import pytest

from eksworld import scenario


def by_kind(cluster: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for obj in scenario.kube_objects(cluster):
        found.setdefault(obj["kind"], []).append(obj)
    return found


def test_karpenter_runs_in_the_namespace_given() -> None:
    objects = by_kind({"name": "c", "version": "1.31", "karpenter": {"namespace": "karpenter"}})
    [controller] = [d for d in objects["Deployment"] if d["metadata"]["name"] == "karpenter"]
    assert controller["metadata"]["namespace"] == "karpenter"
    assert "karpenter" in {n["metadata"]["name"] for n in objects["Namespace"]}
    default = by_kind({"name": "c", "version": "1.31", "karpenter": True})
    assert [d["metadata"]["namespace"] for d in default["Deployment"] if d["metadata"]["name"] == "karpenter"] == [
        "kube-system"]


def test_the_cluster_autoscaler_gets_its_manifest_s_clusterrole_bound_to_its_service_account() -> None:
    objects = by_kind({"name": "c", "version": "1.32", "workloads": {"cluster_autoscaler": "v1.32.1"}})
    [deployment] = [d for d in objects["Deployment"] if d["metadata"]["name"] == "cluster-autoscaler"]
    assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == "cluster-autoscaler"
    assert [a["metadata"]["name"] for a in objects["ServiceAccount"]] == ["cluster-autoscaler"]
    [role] = objects["ClusterRole"]
    [binding] = objects["ClusterRoleBinding"]
    assert role["metadata"]["name"] == binding["roleRef"]["name"] == "cluster-autoscaler"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "cluster-autoscaler", "namespace": "kube-system"}]
    assert not any("volumeattachments" in rule["resources"] for rule in role["rules"])


def test_the_clusterrole_s_name_and_extra_rules_or_none() -> None:
    extra = {"apiGroups": ["storage.k8s.io"], "resources": ["volumeattachments"], "verbs": ["get"]}
    objects = by_kind({"name": "c", "version": "1.32", "workloads": {"cluster_autoscaler": "v1.32.1"},
                       "cluster_autoscaler_rbac": {"cluster_role": "helm-ca", "extra_rules": [extra]}})
    [role] = objects["ClusterRole"]
    assert role["metadata"]["name"] == "helm-ca" and role["rules"][-1] == extra
    objects = by_kind({"name": "c", "version": "1.32", "workloads": {"cluster_autoscaler": "v1.32.1"},
                       "cluster_autoscaler_rbac": False})
    assert "ClusterRole" not in objects and "ClusterRoleBinding" not in objects


@pytest.mark.parametrize("rbac, message", [
    ({"role": "x"}, "cluster_autoscaler_rbac: unknown key(s) role"),
    ({"extra_rules": [{"resources": ["pods"]}]},
     "cluster_autoscaler_rbac: extra_rules must be a list of ClusterRole rules, each with verbs"),
])
def test_bad_rbac_settings_are_refused_naming_the_cluster(rbac, message) -> None:
    with pytest.raises(ValueError, match=re.escape("cluster c: " + message)):
        scenario.normalize({"clusters": [{"name": "c", "cluster_autoscaler_rbac": rbac}]})
