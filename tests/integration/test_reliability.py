"""Faults survived, bad input refused before any mutating call, an interrupted run resumed (issue: reliability)."""
from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.conftest import add_host

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def cluster_updates(world: Any, cluster: str, since: int = 0) -> list[dict[str, Any]]:
    return [r for r in world.state.log.as_dicts(since)
            if r["operation"] == "UpdateClusterVersion" and r["cluster"] == cluster]


def kill_tree(pid: int) -> None:
    """SIGKILL a process and every descendant (Ansible's workers start their own sessions)."""
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True,
                              check=False).stdout.split()
    os.kill(pid, signal.SIGKILL)
    for child in children:
        kill_tree(int(child))


def finish_updates_once_polled(world: Any, cluster: str, since: int, listed_first: bool = False) -> threading.Thread:
    """Jump the emulated clock an hour ahead once someone polls the cluster's update (load-proof timing).

    ``listed_first``: only a poll that follows a ListUpdates counts, i.e. one from a run that looked for the update,
    not a stray poll a killed run had in flight when it died (the world may log it after the kill returns).
    """
    def polled() -> bool:
        listed = not listed_first
        for r in world.state.log.as_dicts(since):
            if r["cluster"] == cluster and r["operation"] == "ListUpdates":
                listed = True
            elif listed and r["cluster"] == cluster and r["operation"] == "DescribeUpdate":
                return True
        return False

    def watch() -> None:
        deadline = time.time() + 600
        while time.time() < deadline:
            if polled():
                world.state.clock.advance(3600)
                return
            time.sleep(0.2)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def write_inventory(path: Path, hosts: dict[str, dict[str, Any]]) -> Path:
    inventory = {"all": {"children": {"eks_clusters": {"hosts": hosts, "vars": {
        "ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}",
        "eks_aws_region": "us-east-1"}}}}}
    path.write_text(yaml.safe_dump(inventory, sort_keys=False))
    return path


def node_cluster(name: str, version: str = "1.29", **extra: Any) -> dict[str, Any]:
    return {"name": name, "version": version, "nodegroups": [{"name": "general", "version": version}], **extra}


@pytest.mark.longest(2)
def test_one_wave_with_a_fault_per_cluster(make_world, run_playbook, tmp_path):
    """Each cluster of one wave meets a different fault; each ends as it should and the others go on."""
    world = make_world({"target_version": "1.30", "clusters": [
        node_cluster("noisy", faults={"throttle_rate": 0.3, "error_rate": 0.1}),   # throttling + 5xx on every call
        node_cluster("noisy-two-hops", "1.28", faults={"throttle_rate": 0.3, "error_rate": 0.1}),
        node_cluster("failing", faults={"fail_updates": "InsufficientFreeAddresses"}),  # update ends Failed
        node_cluster("k8s-down", faults={"k8s_unreachable": True}),               # Kubernetes API unreachable
        node_cluster("k8s-500", faults={"k8s_error_rate": 1.0}),                  # Kubernetes API answers 500
        node_cluster("contended", faults={"concurrent_update": True}),            # another operator's update
        node_cluster("updating", update_in_progress="1.30"),                      # update already running
        # API server instances replaced: Kubernetes API down during the update and for 6 requests after.
        node_cluster("rolling-api", faults={"k8s_outage_requests": 6}),
    ]}, cluster_update_s=3600.0)
    world.state.cluster_update_s = 0.5  # the seeded update keeps its hour; ours are quick
    finish_updates_once_polled(world, "updating", 0)
    inventory = tmp_path / "world" / "inventory.yml"
    add_host(inventory, "ghost", {"eks_cluster_name": "ghost-cluster", "eks_target_version": "1.30"})  # not in EKS
    add_host(inventory, "no-target", {"eks_cluster_name": "noisy"})  # eks_target_version forgotten
    # Kubernetes calls retry for 20 s (not the default 300): the API that stays down fails sooner.
    run = run_playbook(world, {"eks_waves": ["100%"], "eks_max_fail_percentage": 100},
                       env={"LIFECYCLE_EKS_KUBE_RETRY_TIMEOUT": "20"})
    assert run.statuses() == {"ghost": "failed", "no-target": "failed", "noisy": "upgraded",
                              "noisy-two-hops": "upgraded", "failing": "failed", "k8s-down": "failed",
                              "k8s-500": "failed", "contended": "upgraded",
                              "updating": "upgraded", "rolling-api": "upgraded"}, run.output[-3000:]
    summary = world.summary()

    # Throttling and 5xx: retried with backoff, counted in the report.
    injected = [r for r in world.state.log.as_dicts() if r["injected"] in ("throttle", "5xx")]
    assert len(injected) > 20
    retries = {row["cluster"]: row["api_retries"] for row in run.fleet()["clusters"]}
    assert retries["noisy"] > 0 and retries["noisy-two-hops"] > 0
    assert summary["noisy"]["version"] == summary["noisy-two-hops"]["version"] == "1.30"

    # A Failed update: AWS's error code in the report, the cluster stays on its version.
    failure = run.cluster_report("failing")["failure"]
    assert failure["aws_errors"][0]["errorCode"] == "InsufficientFreeAddresses"
    # The update it started is in the report (and the checkpoint), though the task failed.
    assert [u["status"] for u in failure["updates"]] == ["Failed"]
    assert summary["failing"]["version"] == "1.29"

    # The API server replacement ridden out: the outage was met after the update, and retried past.
    outage = [r for r in world.state.log.as_dicts() if r["cluster"] == "rolling-api" and r["injected"] == "outage"]
    assert len(outage) >= 6
    assert summary["rolling-api"]["version"] == "1.30"
    kube_retries = {row["cluster"]: row["kube_retries"] for row in run.fleet()["clusters"]}
    assert kube_retries["rolling-api"] > 0 and kube_retries["noisy"] == 0, kube_retries
    assert "| rolling-api | upgraded |" in (run.report_dir / "fleet-summary.md").read_text()

    # Kubernetes API down: a clear per-cluster failure naming the cluster, no traceback, nothing changed.
    for name, expected in (("k8s-down", "unreachable"), ("k8s-500", "500")):
        message = run.cluster_report(name)["failure"]["msg"]
        assert name in message and expected in message and "Traceback" not in message, message
        assert cluster_updates(world, name) == []

    # The wave's preflight, one call for all clusters, fails only the clusters it cannot check, and says why.
    ghost = run.cluster_report("ghost")["failure"]["msg"]
    assert ghost.startswith("Failed to describe cluster ghost-cluster: ResourceNotFoundException"), ghost
    assert "eks_target_version" in run.cluster_report("no-target")["failure"]["msg"]

    # ResourceInUseException from a concurrent change: waited out, not a failure.
    assert [r["status"] for r in cluster_updates(world, "contended")] == [409]
    contended = run.cluster_report("contended")["control_plane"]["updates"]
    assert contended[0]["resumed"] is True and contended[0]["status"] == "Successful"

    # An update already in progress: resumed, never sent again.
    assert cluster_updates(world, "updating") == []
    assert run.cluster_report("updating")["control_plane"]["updates"][0]["resumed"] is True
    assert summary["updating"]["version"] == summary["contended"]["version"] == "1.30"
