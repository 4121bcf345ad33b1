"""eks_fargate_redeploy against the emulated world: lagging Fargate pods, their owners, batches, check mode."""
from __future__ import annotations

import pytest

from ansible_collections.lifecycle.eks.plugins.modules import eks_fargate_redeploy as module
from eksworld.kube_fargate import fargate_node
from tests.conftest import mutating_calls
from tests.unit.plugins.modules.helpers import log_position, records

NAME = "fargate-apps"


def world_of(make_world, **cluster):
    """A 1.29 cluster: Deployment web on Fargate nodes at 1.28, api on 1.29, and a bare Fargate pod at 1.28."""
    spec = {"name": NAME, "version": "1.29", "nodegroups": [{"name": "general", "version": "1.29", "desired_size": 1}],
            "fargate_workloads": [{"name": "web", "namespace": "web", "replicas": 2, "kubelet": "1.28"},
                                  {"name": "api", "namespace": "web", "replicas": 1, "kubelet": "1.29"}],
            "fargate_nodes": [{"name": "one-off-report", "kubelet": "1.28", "namespace": "web"}]}
    spec.update(cluster)
    return make_world({"name": "fargate", "target_version": "1.30", "clusters": [spec]})


def fargate_pods(world, namespace="web"):
    """{pod: kubelet of its node} of the cluster's pods."""
    store = world.kube.cluster(NAME)
    kubelets = {n["metadata"]["name"]: n["status"]["nodeInfo"]["kubeletVersion"] for n in store.list("v1", "Node")}
    return {p["metadata"]["name"]: kubelets.get(p["spec"]["nodeName"]) for p in store.list("v1", "Pod", namespace)}


def k8s_operations(world, since=0):
    return [r["operation"] for r in records(world, since, service="k8s")]


def test_restarts_the_owner_of_lagging_pods_reports_the_bare_pod_and_a_rerun_changes_nothing(
        make_world, run_module, args):
    world = world_of(make_world)
    before = fargate_pods(world)
    result = run_module(module, args(NAME), diff=True)
    assert not result.failed, result.get("msg")
    assert result["changed"] is True and result["kubelet_minor"] == "1.29"
    [web] = result["restarted"]
    assert {k: web[k] for k in ("kind", "namespace", "name")} == {"kind": "Deployment", "namespace": "web",
                                                                  "name": "web"}
    assert sorted(web["pods"]) == sorted("web/" + p for p in before if p.startswith("web-"))
    assert web["restarted_at"]
    assert result["bare_pods"] == [{"namespace": "web", "name": "one-off-report", "node": "fargate-one-off-report",
                                    "kubelet": before["one-off-report"]}]
    assert result["not_restartable"] == []
    annotation = "kubectl.kubernetes.io/restartedAt"
    assert result["diff"] == {"before": {"Deployment web/web": {annotation: None}},
                              "after": {"Deployment web/web": {annotation: web["restarted_at"]}}}
    after = fargate_pods(world)
    # web's pods are new ones on new Fargate nodes at the control plane's minor; api and the bare pod untouched.
    web_after = {p: k for p, k in after.items() if p.startswith("web-")}
    assert len(web_after) == 2 and not set(web_after) & set(before)
    assert all(k.startswith("v1.29.") for k in web_after.values())
    assert {p: k for p, k in after.items() if not p.startswith("web-")} == {
        p: k for p, k in before.items() if not p.startswith("web-")}
    template = world.kube.cluster(NAME).get("apps/v1", "Deployment", "web", "web")["spec"]["template"]
    assert template["metadata"]["annotations"] == {"kubectl.kubernetes.io/restartedAt": web["restarted_at"]}
    assert [r["operation"] for r in mutating_calls(world)] == ["patch deployments"]
    assert world.kube.cluster(NAME).get("apps/v1", "Deployment", "web", "api")["metadata"]["generation"] == 1

    position = log_position(world)
    again = run_module(module, args(NAME))
    assert not again.failed, again.get("msg")
    assert again["changed"] is False and again["restarted"] == []
    assert again["lagging_nodes"] == ["fargate-one-off-report"]
    assert [p["name"] for p in again["bare_pods"]] == ["one-off-report"]
    assert mutating_calls(world, position) == []


def test_check_mode_says_what_it_would_restart_and_changes_nothing(make_world, run_module, args):
    world = world_of(make_world)
    before = fargate_pods(world)
    result = run_module(module, args(NAME), check_mode=True, diff=True)
    assert not result.failed, result.get("msg")
    assert result["changed"] is True
    assert [(o["kind"], o["namespace"], o["name"]) for o in result["restarted"]] == [("Deployment", "web", "web")]
    assert "restarted_at" not in result["restarted"][0]
    assert list(result["diff"]["after"]) == ["Deployment web/web"]
    assert mutating_calls(world) == []
    assert fargate_pods(world) == before


def test_nothing_lags_at_an_older_kubelet_minor(make_world, run_module, args):
    world = world_of(make_world)
    result = run_module(module, args(NAME, kubelet_minor="1.28"))
    assert not result.failed, result.get("msg")
    assert result == {**result, "changed": False, "lagging_nodes": [], "restarted": [], "bare_pods": []}
    assert mutating_calls(world) == []


@pytest.mark.parametrize("max_concurrent, expected", [
    (1, ["patch deployments", "get deployments", "patch deployments", "get deployments"]),
    (2, ["patch deployments", "patch deployments", "get deployments", "get deployments"]),
])
def test_never_more_than_max_concurrent_owners_restart_at_once(make_world, run_module, args, max_concurrent,
                                                               expected):
    world = world_of(make_world, fargate_workloads=[
        {"name": "web", "namespace": "web", "replicas": 1, "kubelet": "1.28"},
        {"name": "worker", "namespace": "web", "replicas": 1, "kubelet": "1.28"}], fargate_nodes=[])
    position = log_position(world)
    result = run_module(module, args(NAME, max_concurrent=max_concurrent))
    assert not result.failed, result.get("msg")
    assert [o["name"] for o in result["restarted"]] == ["web", "worker"]
    operations = k8s_operations(world, position)
    first_patch = operations.index("patch deployments")
    assert [op for op in operations[first_patch:] if op.endswith(" deployments")] == expected


def test_a_rollout_that_does_not_finish_fails_naming_the_pods_and_what_was_restarted(make_world, run_module, args):
    world = world_of(make_world, fargate_nodes=[])
    world.state.faults.set(NAME, crash_loop_image="nginx:1.27")
    result = run_module(module, args(NAME, wait_timeout=0))
    assert result.failed
    assert result["msg"].startswith("Restart of Deployment web/web did not finish in 0 s: Deployment web/web: ")
    assert "CrashLoopBackOff" in result["msg"]
    assert result["changed"] is True and [o["name"] for o in result["restarted"]] == ["web"]
    assert result["pods_not_ready"] and all(p["owner"] == "Deployment web/web" for p in result["pods_not_ready"])


def test_other_owners_a_statefulset_a_job_and_an_orphaned_replica_set(make_world, run_module, args):
    world = world_of(make_world, fargate_workloads=[], fargate_nodes=[])
    store = world.kube.cluster(NAME)
    [ec2_node] = store.list("v1", "Node")
    template = {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "db", "image": "postgres"}]}}
    store.create({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "default"},
                  "spec": {"replicas": 1, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                           "updateStrategy": {"type": "RollingUpdate"}, "template": template}})
    owners = {"db-0": ("StatefulSet", "db"), "nightly-x2k4p": ("Job", "nightly"),
              "lonely-7d9f8-abcde": ("ReplicaSet", "lonely-7d9f8")}
    for index, (pod, (kind, owner)) in enumerate(sorted(owners.items())):
        node = f"fargate-ip-10-0-9-{index}.ec2.internal"
        store.create(fargate_node(node, "v1.28.9-eks-abc1234", "fp-default", ec2_node))
        owned_by = [{"apiVersion": "apps/v1", "kind": kind, "name": owner, "uid": "u", "controller": True}]
        store.create({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": pod, "namespace": "default", "ownerReferences": owned_by},
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "busybox"}]}})
    result = run_module(module, args(NAME))
    assert not result.failed, result.get("msg")
    assert [(o["kind"], o["name"]) for o in result["restarted"]] == [("StatefulSet", "db")]
    assert {o["kind"]: o["reason"] for o in result["not_restartable"]} == {
        "Job": "a Job's pods run to completion; its next pods start on the new kubelet",
        "ReplicaSet": "its ReplicaSet no longer exists"}
    assert [r["operation"] for r in mutating_calls(world)] == ["patch statefulsets"]
    restarted = store.get("apps/v1", "StatefulSet", "default", "db")["spec"]["template"]["metadata"]["annotations"]
    assert restarted == {"kubectl.kubernetes.io/restartedAt": result["restarted"][0]["restarted_at"]}


@pytest.mark.parametrize("options, message", [
    ({"kubelet_minor": "1.30"}, "kubelet_minor 1.30 is above the control plane's 1.29: new Fargate pods start "
                                "on 1.29, so they could never reach it. Set kubelet_minor to 1.29 or less, "
                                "or leave it unset."),
    ({"kubelet_minor": "latest"}, "kubelet_minor: 'latest' is not a Kubernetes version"),
    ({"max_concurrent": 0}, "max_concurrent must be 1 or more, got 0."),
    ({"wait_timeout": -1}, "wait_timeout must be 0 or more seconds, got -1."),
])
def test_bad_options_are_refused_changing_nothing(make_world, run_module, args, options, message):
    world = world_of(make_world)
    result = run_module(module, args(NAME, **options))
    assert result.failed
    assert result["msg"].startswith(message)
    assert mutating_calls(world) == []
