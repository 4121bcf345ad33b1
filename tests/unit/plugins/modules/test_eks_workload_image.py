"""eks_workload_image against the emulated world: tag changes, rollouts, absent workloads, check mode."""
from __future__ import annotations

import sys
import time

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import kube, versions, rollout
from ansible_collections.lifecycle.eks.plugins.modules import eks_cluster_upgrade
from ansible_collections.lifecycle.eks.plugins.module_utils import workload_image
from ansible_collections.lifecycle.eks.plugins.modules import eks_workload_image as module
from tests.conftest import mutating_calls
from tests.unit.plugins.modules.helpers import FAST_WAIT, HOUR, log_position, records

NAME = "healthy-129"
AUTOSCALER = "registry.k8s.io/autoscaling/cluster-autoscaler"


def image_args(args, **extra):
    base = {"kind": "Deployment", "workload": "cluster-autoscaler", "tag": "v1.30.2"}
    base.update(extra)
    return args(NAME, **base)


def images(world, key):
    return world.summary()[NAME]["images"][key]


def test_sets_the_tag_and_waits_for_the_rollout(make_world, run_module, args):
    world = make_world("healthy")
    result = run_module(module, image_args(args), diff=True)
    assert not result.failed, result.get("msg")
    assert result["changed"] is True and result["found"] is True
    assert result["before"] == AUTOSCALER + ":v1.29.4"
    assert result["after"] == AUTOSCALER + ":v1.30.2"
    assert result["container"] == "cluster-autoscaler"
    assert result["diff"] == {"before": {"image": AUTOSCALER + ":v1.29.4"}, "after": {"image": AUTOSCALER + ":v1.30.2"}}
    assert images(world, "kube-system/cluster-autoscaler") == [AUTOSCALER + ":v1.30.2"]
    operations = [r["operation"] for r in records(world, service="k8s")]
    assert operations.count("patch deployments") == 1
    # read, patch, then at least one read to see the rollout done
    assert operations.index("patch deployments") < len(operations) - 1

    before = log_position(world)
    again = run_module(module, image_args(args))
    assert not again.failed, again.get("msg")
    assert again["changed"] is False
    assert mutating_calls(world, before) == []


def test_daemon_set_container_by_name(make_world, run_module, args):
    world = make_world("healthy")
    result = run_module(module, image_args(args, kind="DaemonSet", workload="aws-node", container="aws-node",
                                           tag="v1.19.0-eksbuild.1", kubeconfig=None))
    assert not result.failed, result.get("msg")
    assert result["after"].endswith("/amazon-k8s-cni:v1.19.0-eksbuild.1")
    assert images(world, "kube-system/aws-node") == [result["after"]]


def test_check_mode_changes_nothing(make_world, run_module, args):
    world = make_world("healthy")
    result = run_module(module, image_args(args), check_mode=True)
    assert result["changed"] is True
    assert result["after"] == AUTOSCALER + ":v1.30.2"
    assert images(world, "kube-system/cluster-autoscaler") == [AUTOSCALER + ":v1.29.4"]
    assert mutating_calls(world) == []


def test_missing_workload_is_reported_or_fails_when_required(make_world, run_module, args):
    world = make_world("nodes-behind")
    absent = run_module(module, args("nodes-behind-129", kind="Deployment", workload="cluster-autoscaler",
                                     tag="v1.30.2"))
    assert not absent.failed, absent.get("msg")
    assert absent == {**absent, "changed": False, "found": False}
    required = run_module(module, args("nodes-behind-129", kind="Deployment", workload="cluster-autoscaler",
                                       tag="v1.30.2", required=True))
    assert required.failed
    assert required["msg"] == "Deployment kube-system/cluster-autoscaler not found."
    assert mutating_calls(world) == []


def test_unknown_container(make_world, run_module, args):
    world = make_world("healthy")
    result = run_module(module, image_args(args, container="sidecar"))
    assert result.failed
    assert "has no container sidecar (containers: cluster-autoscaler)" in result["msg"]
    assert mutating_calls(world) == []


def test_waits_until_the_rollout_is_done(make_world, run_module, args, monkeypatch):
    world = make_world("healthy")
    seen = []
    real_rollout_done = rollout.rollout_done

    def not_yet_then_real(kind, obj):
        seen.append(obj.spec.template.spec.containers[0].image)
        return len(seen) > 2 and real_rollout_done(kind, obj)

    monkeypatch.setattr(rollout, "rollout_done", not_yet_then_real)
    result = run_module(module, image_args(args))
    assert not result.failed, result.get("msg")
    assert seen == [AUTOSCALER + ":v1.30.2"] * 3
    reads = [r["operation"] for r in records(world, service="k8s")].count("get deployments")
    assert reads == 4  # the first read, then one per rollout check


def test_rollout_that_does_not_finish(make_world, run_module, args, monkeypatch):
    make_world("healthy")
    monkeypatch.setattr(rollout, "rollout_done", lambda kind, obj: False)
    result = run_module(module, image_args(args, wait_timeout=0))
    assert result.failed
    assert "did not finish in 0 s" in result["msg"]
    assert result["changed"] is True


def test_a_crash_looping_rollout_fails_naming_the_pods(make_world, run_module, args):
    """One replica, a new image that crash-loops: updatedReplicas reaches spec.replicas at once, but the old
    pod still serves and the new one never becomes available. Not done; the failure names the pod and why."""
    world = make_world("healthy")
    world.state.faults.set(NAME, crash_loop_image="cluster-autoscaler:v1.30.2")
    result = run_module(module, image_args(args, wait_timeout=0))
    assert result.failed
    assert result["changed"] is True and result["after"] == AUTOSCALER + ":v1.30.2"
    message = result["msg"]
    assert message.startswith("Rollout of Deployment kube-system/cluster-autoscaler to "
                              f"{AUTOSCALER}:v1.30.2 did not finish in 0 s"), message
    [pod] = result["pods_not_ready"]
    assert pod["name"].startswith("cluster-autoscaler-")
    assert pod["containers"] == [{"name": "cluster-autoscaler", "reason": "CrashLoopBackOff", "restarts": 5}]
    assert f"{pod['name']} (cluster-autoscaler: CrashLoopBackOff, 5 restarts)" in message, message

    # The image fixed: the same module call finishes, and the crashing pods are gone.
    world.state.faults.set(NAME, crash_loop_image=None)
    fixed = run_module(module, image_args(args, tag="v1.30.3"))
    assert not fixed.failed, fixed.get("msg")
    assert world.kube.cluster(NAME).list("v1", "Pod", "kube-system") == []


def test_a_crash_looping_daemon_set_on_one_node_is_not_done(make_world, run_module, args):
    """updatedNumberScheduled == desiredNumberScheduled with the one updated pod crash-looping."""
    world = make_world({"clusters": [{"name": "one-node", "version": "1.29",
                                      "nodegroups": [{"name": "general", "desired_size": 1}]}]})
    world.state.faults.set("one-node", crash_loop_image="amazon-k8s-cni:v1.19.0-eksbuild.1")
    result = run_module(module, args("one-node", kind="DaemonSet", workload="aws-node", tag="v1.19.0-eksbuild.1",
                                     wait_timeout=0))
    assert result.failed
    assert "1 of 1 updated, 0 available, 1 unavailable" in result["msg"], result["msg"]
    [pod] = result["pods_not_ready"]
    assert pod["name"].startswith("aws-node-") and pod["containers"][0]["reason"] == "CrashLoopBackOff"


@pytest.mark.parametrize("kind, status, generation, done", [
    # Deployment: spec.replicas 1
    ("Deployment", {"observedGeneration": 2, "replicas": 1, "updatedReplicas": 1, "availableReplicas": 1}, 2, True),
    ("Deployment", {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "availableReplicas": 1}, 2, False),
    ("Deployment", {"observedGeneration": 2, "replicas": 2, "updatedReplicas": 1, "availableReplicas": 1,
                    "unavailableReplicas": 1}, 2, False),
    ("Deployment", {"observedGeneration": 2, "replicas": 2, "updatedReplicas": 1, "availableReplicas": 1}, 2, False),
    ("Deployment", {"observedGeneration": 2, "replicas": 1, "updatedReplicas": 0, "availableReplicas": 1}, 2, False),
    ("Deployment", {"observedGeneration": 2, "replicas": 1, "updatedReplicas": 1, "availableReplicas": 0,
                    "unavailableReplicas": 1}, 2, False),
    # DaemonSet: two nodes
    ("DaemonSet", {"observedGeneration": 2, "desiredNumberScheduled": 2, "updatedNumberScheduled": 2,
                   "numberAvailable": 2, "numberReady": 2}, 2, True),
    ("DaemonSet", {"observedGeneration": 2, "desiredNumberScheduled": 2, "updatedNumberScheduled": 2,
                   "numberAvailable": 1, "numberReady": 1, "numberUnavailable": 1}, 2, False),
    ("DaemonSet", {"observedGeneration": 2, "desiredNumberScheduled": 2, "updatedNumberScheduled": 1,
                   "numberAvailable": 2, "numberReady": 2}, 2, False),
    ("DaemonSet", {"observedGeneration": 1, "desiredNumberScheduled": 2, "updatedNumberScheduled": 2,
                   "numberAvailable": 2, "numberReady": 2}, 2, False),
])
def test_rollout_done_means_what_kubernetes_core_waits_for(kind, status, generation, done):
    assert rollout.rollout_done(kind, typed(kind, status, generation)) is done


def test_old_pods_still_available_are_not_a_finished_rollout():
    """Mid rollout (one pod updated of three, the old ones still available) kubernetes.core's deployment_ready
    alone passes: the updated count is the term rollout_done adds."""
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.waiter import deployment_ready
    from kubernetes.dynamic.resource import ResourceInstance

    status = {"observedGeneration": 2, "replicas": 3, "updatedReplicas": 1, "availableReplicas": 3}
    obj = typed("Deployment", status, 2, replicas=3)
    assert deployment_ready(ResourceInstance(None, rollout.serializer().sanitize_for_serialization(obj)))
    assert rollout.rollout_done("Deployment", obj) is False


def typed(kind, status, generation, replicas=1):
    """The typed object a read returns."""
    from kubernetes.client import ApiClient

    body = {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "generation": generation},
            "spec": {"replicas": replicas, "selector": {}, "template": {}} if kind == "Deployment"
            else {"selector": {}, "template": {}},
            "status": status if kind == "Deployment" else {"currentNumberScheduled": 2, "numberMisscheduled": 0,
                                                           **status}}
    return ApiClient()._ApiClient__deserialize(body, "V1" + kind)


def test_the_post_upgrade_step_rides_out_the_api_server_replacement(make_world, run_module, args, monkeypatch):
    """The update replaces the API server instances: the Kubernetes API is down while it runs and for 6 requests
    after, then presents a new certificate from the same CA (which the kubeconfig pins). The image step right
    after the upgrade finishes, and says how often it retried."""
    monkeypatch.setattr(kube, "RETRY_FIRST_DELAY", 0.01)  # the outage is counted in requests, not seconds
    world = make_world("healthy")
    world.state.faults.set(NAME, k8s_outage_requests=6)
    ca_before = world.kube.ca_pem
    upgrade = run_module(eks_cluster_upgrade, args(NAME, target_version="1.30", **FAST_WAIT))
    assert not upgrade.failed, upgrade.get("msg")
    assert world.summary()[NAME]["version"] == "1.30"

    result = run_module(module, image_args(args))
    assert not result.failed, result.get("msg")
    assert images(world, "kube-system/cluster-autoscaler") == [AUTOSCALER + ":v1.30.2"]
    outage = [r for r in records(world, cluster=NAME, service="k8s") if r["injected"] == "outage"]
    assert {r["status"] for r in outage} == {0, 503} and len(outage) == 6  # dropped connections and 503s
    assert result["kube_retries"] > 0
    assert world.kube.ca_pem == ca_before


def test_a_client_from_eks_rides_out_the_update_it_meets(make_world, run_module, args, monkeypatch):
    """Without a kubeconfig: the update completes while the module's first call is retried, the API coming back
    behind the same endpoint (EKS keeps its name and CA) after 6 more failed requests. urllib3's retries carry the
    call through, reconnecting each time; the module finishes."""
    monkeypatch.setattr(kube, "RETRY_FIRST_DELAY", 0.01)
    world = make_world("healthy", cluster_update_s=HOUR)
    world.state.faults.set(NAME, k8s_outage_requests=6)
    world.aws.begin_cluster_update(NAME, "1.30")  # running: the API is down until it completes
    url = world.kube.url_for(NAME)
    real_retry = kube.kube_retry

    def update_completes_while_waiting(seconds):
        if world.summary()[NAME]["status"] == "UPDATING" and records(world, cluster=NAME, service="k8s"):
            world.state.clock.advance(HOUR)
        time.sleep(seconds)

    monkeypatch.setattr(kube, "kube_retry", lambda connection, **given: real_retry(
        connection, **{"sleep": update_completes_while_waiting, **given}))
    result = run_module(module, image_args(args, kubeconfig=None, kube_retry_timeout=60))
    assert not result.failed, result.get("msg")
    assert world.summary()[NAME]["version"] == "1.30" and world.kube.url_for(NAME) == url
    assert images(world, "kube-system/cluster-autoscaler") == [AUTOSCALER + ":v1.30.2"]
    outage = [r for r in records(world, cluster=NAME, service="k8s") if r["injected"] == "outage"]
    assert len(outage) > 6 and result["kube_retries"] >= len(outage)


def test_kubernetes_api_errors(make_world, run_module, args, fast_k8s_retries):
    world = make_world("healthy")
    world.state.faults.set(NAME, k8s_error_rate=1.0)
    result = run_module(module, image_args(args))
    assert result.failed
    assert result["msg"].startswith(f"Failed to read Deployment kube-system/cluster-autoscaler (cluster {NAME}): 500")


def test_a_read_failing_after_the_patch_still_reports_the_change(make_world, run_module, args, fast_k8s_retries,
                                                                 monkeypatch):
    world = make_world("healthy")
    wait = workload_image.wait_for_rollout

    def api_failing_once_patched(*wait_args):
        world.state.faults.set(NAME, k8s_error_rate=1.0)
        return wait(*wait_args)

    monkeypatch.setattr(workload_image, "wait_for_rollout", api_failing_once_patched)
    result = run_module(module, image_args(args))
    assert result.failed and ": 500" in result["msg"], result["msg"]
    # The image was set before the API failed: the failure says so, as a success would.
    assert result["changed"] is True and result["after"] == AUTOSCALER + ":v1.30.2"
    assert images(world, "kube-system/cluster-autoscaler") == [AUTOSCALER + ":v1.30.2"]


@pytest.mark.parametrize("image, expected", [
    ("registry.k8s.io/autoscaling/cluster-autoscaler:v1.29.4", "registry.k8s.io/autoscaling/cluster-autoscaler:v9"),
    ("localhost:5000/ca", "localhost:5000/ca:v9"),
    ("localhost:5000/ca:v1@sha256:abc", "localhost:5000/ca:v9"),
    ("ca@sha256:abc", "ca:v9"),
])
def test_with_tag(image, expected):
    assert versions.with_tag(image, "v9") == expected


def test_needs_the_kubernetes_library(make_world, run_module, args, monkeypatch):
    world = make_world("healthy")
    monkeypatch.setitem(sys.modules, "kubernetes", None)  # as if not installed
    result = run_module(module, image_args(args))
    assert result.failed
    assert "Failed to import the required Python library (kubernetes)" in result["msg"]
    assert records(world, service="k8s") == []
