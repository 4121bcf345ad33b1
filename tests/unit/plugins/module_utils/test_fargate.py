"""Which Fargate pods lag, which workload owns each, batches of restarts (module_utils/fargate.py), and the
rollout judgement of StatefulSets (module_utils/rollout.py)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.lifecycle.eks.plugins.module_utils import fargate, rollout
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import VersionError


@pytest.mark.parametrize("name, labels, expected", [
    ("fargate-ip-10-0-9-1.ec2.internal", {"eks.amazonaws.com/compute-type": "fargate"}, True),
    ("ip-10-0-9-1.ec2.internal", {"eks.amazonaws.com/compute-type": "fargate"}, True),
    ("fargate-ip-10-0-9-1.ec2.internal", None, True),  # the name alone, when the label is missing
    ("fargate-ip-10-0-9-1.ec2.internal", {"eks.amazonaws.com/compute-type": "auto"}, False),
    ("ip-10-0-1-1.ec2.internal", {"eks.amazonaws.com/nodegroup": "general"}, False),
    ("ip-10-0-1-1.ec2.internal", None, False),
])
def test_is_fargate_node(name, labels, expected):
    assert fargate.is_fargate_node(name, labels) is expected


@pytest.mark.parametrize("kubelet, minor, lags", [
    ("v1.28.15-eks-abc1234", "1.29", True),   # one minor below
    ("v1.29.0-eks-abc1234", "1.29", False),   # the same minor
    ("v1.29.15-eks-abc1234", "1.28", False),  # above (an older minor asked for)
    ("v1.27.3", "1.29", True),
])
def test_lagging_nodes_both_sides_of_the_minor(kubelet, minor, lags):
    assert fargate.lagging_nodes({"fargate-a": kubelet}, minor) == (["fargate-a"] if lags else [])


def test_lagging_nodes_sorted_and_a_bad_version_named():
    nodes = {"fargate-b": "v1.28.1", "fargate-a": "v1.27.1", "fargate-c": "v1.29.1"}
    assert fargate.lagging_nodes(nodes, "1.29") == ["fargate-a", "fargate-b"]
    with pytest.raises(VersionError, match="'unknown' is not a Kubernetes version"):
        fargate.lagging_nodes({"fargate-x": "unknown"}, "1.29")


def references(kind, name, controller=True):
    return [{"kind": kind, "name": name, "controller": controller}]


DEPLOYMENT_OF = {"web-7d9f8": references("Deployment", "web"), "lonely-1a2b": [], "gone-3c4d": None}


def replica_set_owners(namespace, name):
    assert namespace == "apps"
    return DEPLOYMENT_OF[name]


@pytest.mark.parametrize("owners, expected", [
    (references("ReplicaSet", "web-7d9f8"), ({"kind": "Deployment", "name": "web", "namespace": "apps"}, None)),
    (references("StatefulSet", "db"), ({"kind": "StatefulSet", "name": "db", "namespace": "apps"}, None)),
    (references("DaemonSet", "agent"), ({"kind": "DaemonSet", "name": "agent", "namespace": "apps"}, None)),
    (references("Job", "nightly"),
     ({"kind": "Job", "name": "nightly", "namespace": "apps"}, fargate.NOT_RESTARTABLE_REASONS["Job"])),
    (references("ReplicaSet", "lonely-1a2b"),
     ({"kind": "ReplicaSet", "name": "lonely-1a2b", "namespace": "apps"},
      fargate.NOT_RESTARTABLE_REASONS["ReplicaSet"])),
    (references("ReplicaSet", "gone-3c4d"),
     ({"kind": "ReplicaSet", "name": "gone-3c4d", "namespace": "apps"}, "its ReplicaSet no longer exists")),
    (references("Workflow", "etl"), ({"kind": "Workflow", "name": "etl", "namespace": "apps"},
                                     "Workflow is not a kind kubectl rollout restart restarts "
                                     "(Deployment, StatefulSet, DaemonSet)")),
    ([], (None, None)),                                           # a bare pod
    (None, (None, None)),
    (references("Deployment", "web", controller=False), (None, None)),  # not a controller: nothing recreates it
])
def test_resolve_owner(owners, expected):
    assert fargate.resolve_owner("apps", owners,
                                 lambda name: replica_set_owners("apps", name)) == expected


def test_the_replica_set_is_read_only_for_pods_a_replica_set_owns():
    def no_reads(name):
        raise AssertionError("read ReplicaSet " + name)

    assert fargate.resolve_owner("apps", references("StatefulSet", "db"), no_reads)[1] is None


def pod(name, owners, node=None):
    return {"namespace": "apps", "name": name, "node": node or "fargate-" + name, "kubelet": "v1.28.1",
            "owners": owners}


def test_plan_groups_pods_by_owner_and_keeps_bare_pods_apart():
    pods = [pod("web-7d9f8-b", references("ReplicaSet", "web-7d9f8")), pod("report", []),
            pod("web-7d9f8-a", references("ReplicaSet", "web-7d9f8")), pod("db-0", references("StatefulSet", "db")),
            pod("nightly-x", references("Job", "nightly"))]
    plan = fargate.plan_redeploy(pods, replica_set_owners)
    assert plan["restart"] == [
        {"kind": "StatefulSet", "namespace": "apps", "name": "db", "pods": ["apps/db-0"], "nodes": ["fargate-db-0"]},
        {"kind": "Deployment", "namespace": "apps", "name": "web", "pods": ["apps/web-7d9f8-a", "apps/web-7d9f8-b"],
         "nodes": ["fargate-web-7d9f8-a", "fargate-web-7d9f8-b"]}]
    assert plan["not_restartable"] == [{"kind": "Job", "namespace": "apps", "name": "nightly",
                                        "pods": ["apps/nightly-x"], "nodes": ["fargate-nightly-x"],
                                        "reason": fargate.NOT_RESTARTABLE_REASONS["Job"]}]
    assert plan["bare_pods"] == [{"namespace": "apps", "name": "report", "node": "fargate-report",
                                  "kubelet": "v1.28.1"}]
    assert fargate.plan_redeploy([], replica_set_owners) == {"restart": [], "not_restartable": [], "bare_pods": []}


@given(items=st.lists(st.integers(), max_size=30), size=st.integers(min_value=1, max_value=10))
def test_batches_keep_order_and_never_exceed_the_limit(items, size):
    groups = fargate.batches(items, size)
    assert [item for group in groups for item in group] == items
    assert all(1 <= len(group) <= size for group in groups)
    assert all(len(group) == size for group in groups[:-1])  # only the last one may be short


@pytest.mark.parametrize("size", [0, -1, True, 1.5, None])
def test_batches_refuse_a_limit_that_is_not_a_positive_integer(size):
    with pytest.raises(ValueError, match="max_concurrent must be a positive integer"):
        fargate.batches([1, 2], size)


def test_restart_patch_is_kubectl_rollout_restart_s():
    assert fargate.restart_patch("2026-12-05T11:40:00Z") == {"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": "2026-12-05T11:40:00Z"}}}}}


def stateful_set(status, generation=2, replicas=2):
    from kubernetes.client import ApiClient

    body = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "generation": generation},
            "spec": {"replicas": replicas, "selector": {}, "serviceName": "db", "template": {},
                     "updateStrategy": {"type": "RollingUpdate"}},
            "status": status}
    return ApiClient()._ApiClient__deserialize(body, "V1StatefulSet")


DONE = {"observedGeneration": 2, "replicas": 2, "readyReplicas": 2, "updatedReplicas": 2, "availableReplicas": 2,
        "currentRevision": "db-2", "updateRevision": "db-2"}


@pytest.mark.parametrize("change, done", [
    ({}, True),
    ({"observedGeneration": 1}, False),                              # the controller has not seen the restart
    ({"updatedReplicas": 1}, False),                                 # one pod still on the old template
    ({"availableReplicas": 1}, False),                               # ready but not yet available
    ({"currentRevision": "db-1"}, False),                            # the update is not finished
    ({"readyReplicas": 1, "availableReplicas": 1}, False),
])
def test_stateful_set_rollout_done(change, done):
    assert rollout.rollout_done("StatefulSet", stateful_set({**DONE, **change})) is done
