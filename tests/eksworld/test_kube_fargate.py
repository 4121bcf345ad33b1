"""Emulated Fargate rollouts (kube_fargate.py) and the fargate_workloads scenario key (scenario_fargate.py)."""
from __future__ import annotations

import re
from typing import Any

import pytest

from eksworld import scenario
from eksworld.kube_crashloop import CrashLoops
from eksworld.kube_fargate import FargateRollouts
from eksworld.kube_store import ClusterStore

CLUSTER = {"name": "c", "version": "1.29",
           "fargate_workloads": [{"name": "web", "namespace": "web", "replicas": 2, "kubelet": "1.28"},
                                 {"name": "db", "kind": "StatefulSet", "namespace": "web", "replicas": 1,
                                  "kubelet": "1.28"}],
           "fargate_nodes": [{"name": "report", "kubelet": "1.28", "namespace": "web"}]}
RESTART = {"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "now"}}}}}


@pytest.fixture
def store() -> ClusterStore:
    store = ClusterStore("c", "v1.29.15-eks-abc1234", "token")
    rollouts, crash_loops = FargateRollouts(store), CrashLoops(store, lambda: None)

    def hook(resource_type: Any, obj: Any) -> None:
        rollouts(resource_type, obj)
        crash_loops(resource_type, obj)

    store.workload_hook = hook
    for obj in scenario.kube_objects(scenario.normalize({"clusters": [CLUSTER]})["clusters"][0]):
        store.create(obj)
    return store


def pods_and_kubelets(store: ClusterStore) -> dict[str, str]:
    kubelets = {n["metadata"]["name"]: n["status"]["nodeInfo"]["kubeletVersion"] for n in store.list("v1", "Node")}
    return {p["metadata"]["name"]: kubelets[p["spec"]["nodeName"]] for p in store.list("v1", "Pod", "web")}


def test_seeded_workloads_run_each_pod_on_its_own_fargate_node(store: ClusterStore) -> None:
    pods = pods_and_kubelets(store)
    assert len(pods) == 4 and set(pods.values()) == {"v1.28.15-eks-ebf2daa"} | {pods["report"]}
    [replica_set] = store.list("apps/v1", "ReplicaSet", "web")
    assert replica_set["metadata"]["ownerReferences"][0]["name"] == "web"
    web = [p for p in store.list("v1", "Pod", "web") if p["metadata"]["name"].startswith("web-")]
    assert {p["metadata"]["ownerReferences"][0]["name"] for p in web} == {replica_set["metadata"]["name"]}
    assert store.get("v1", "Pod", "web", "db-0")["metadata"]["ownerReferences"][0]["kind"] == "StatefulSet"


def test_a_deployment_restart_moves_its_pods_to_new_fargate_nodes_at_the_control_plane_version(
        store: ClusterStore) -> None:
    before = pods_and_kubelets(store)
    store.patch("apps/v1", "Deployment", "web", "web", RESTART)
    after = pods_and_kubelets(store)
    web = {p: k for p, k in after.items() if p.startswith("web-")}
    assert len(web) == 2 and not set(web) & set(before) and set(web.values()) == {"v1.29.15-eks-abc1234"}
    assert {p: k for p, k in after.items() if not p.startswith("web-")} == {
        p: k for p, k in before.items() if not p.startswith("web-")}
    sets = {rs["metadata"]["name"]: rs["spec"]["replicas"] for rs in store.list("apps/v1", "ReplicaSet", "web")}
    assert sorted(sets.values()) == [0, 2]
    nodes = [n["metadata"]["name"] for n in store.list("v1", "Node")]
    assert len([n for n in nodes if re.fullmatch(r"fargate-ip-10-0-96-\d+\.ec2\.internal", n)]) == 2
    assert not [n for n in nodes if n.startswith("fargate-ip-10-0-95-") and n != "fargate-ip-10-0-95-3.ec2.internal"]


def test_a_stateful_set_restart_keeps_pod_names_on_new_nodes(store: ClusterStore) -> None:
    store.patch("apps/v1", "StatefulSet", "web", "db", RESTART)
    assert pods_and_kubelets(store)["db-0"] == "v1.29.15-eks-abc1234"


def test_a_status_change_moves_nothing(store: ClusterStore) -> None:
    before = pods_and_kubelets(store)
    store.patch("apps/v1", "Deployment", "web", "web", {"status": {"observedGeneration": 1}}, "merge",
                subresource="status")
    store.patch("apps/v1", "Deployment", "web", "web", {"metadata": {"labels": {"team": "a"}}}, "merge")
    assert pods_and_kubelets(store) == before


@pytest.mark.parametrize("entry, message", [
    ({"name": "w", "kind": "Job"}, "fargate_workloads: w: kind must be one of Deployment, StatefulSet, got 'Job'"),
    ({"name": "w", "replicas": 0}, "fargate_workloads: w: replicas must be a positive integer, got 0"),
    ({"name": "w", "size": 1}, "fargate_workloads: an entry: unknown key(s) size"),
    ({"name": "w", "kubelet": 1.3}, "fargate_workloads: w: kubelet must be a Kubernetes minor"),
])
def test_bad_entries_are_refused(entry: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        scenario.kube_objects({"name": "c", "version": "1.29", "fargate_workloads": [entry]})
