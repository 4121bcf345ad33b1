"""playbooks/upgrade.yml's batched steps: the wave's control planes, its node groups, then the read after them, in one
eks_wave call each; every host still fails, records and reports alone. eks_wave_steps: false brings the same fleet to
the same end with one module call per cluster."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

WAVE_TASKS = ("Upgrade the control planes of the wave in one call",
              "Update the managed node groups of the wave in one call",
              "Read the wave's clusters after the upgrade in one call")


def node_cluster(name: str, nodegroup_version: str = "1.29") -> dict[str, Any]:
    return {"name": name, "version": "1.29", "nodegroups": [{"name": "general", "version": nodegroup_version}]}


def task_lines(output: str, task: str) -> list[str]:
    """The result lines of one task of the run's output (the default callback's)."""
    _before, _header, rest = output.partition(f"TASK [{task}]")
    results = ("ok:", "changed:", "skipping:", "fatal:")
    return [line for line in rest.split("TASK [")[0].splitlines() if line.startswith(results)]


def assert_run_once(output: str, tasks: tuple[str, ...], batched: bool) -> None:
    """run_once: one result line for the wave, on the first host; skipped altogether with eks_wave_steps: false."""
    for task in tasks:
        lines = task_lines(output, task)
        expected = ("changed:", "ok:") if batched else ("skipping:",)
        assert len(lines) == 1 and lines[0].startswith(expected), (task, lines)


@pytest.mark.parametrize("batched", [True, False], ids=["wave", "per-cluster"])
def test_a_wave_s_clusters_end_as_they_would_alone_and_a_failed_one_fails_alone(
        make_world, run_playbook, tmp_path, batched):
    # behind: its node group catches up before the hop (inside the control-plane step), then follows it after.
    world = make_world({"target_version": "1.30", "clusters": [
        node_cluster("steady"), node_cluster("behind", "1.28"), node_cluster("failing")]})
    world.state.faults.set("failing", fail_updates="InsufficientFreeAddresses")
    run = run_playbook(world, {"eks_waves": ["100%"], "eks_max_fail_percentage": 100, "eks_wave_steps": batched})
    assert run.rc != 0
    assert run.statuses() == {"steady": "upgraded", "behind": "upgraded", "failing": "failed"}, run.output[-3000:]

    assert_run_once(run.output, WAVE_TASKS, batched)
    summary = world.summary()
    for name in ("steady", "behind"):
        assert summary[name]["version"] == "1.30"
        assert summary[name]["nodegroups"]["general"]["version"] == "1.30"
    behind = run.cluster_report("behind")
    assert [(u["subject"], u["to"]) for u in behind["control_plane"]["updates"]] == [
        ("node group general", "1.29"), ("cluster behind", "1.30")]
    assert [(u["subject"], u["to"]) for u in behind["post_upgrade"]["nodegroup_updates"]] == [
        ("node group general", "1.30")]

    # The failed control-plane update: AWS's error in the report, and the update it started in the checkpoint
    # (the rescue maps the wave's entry to the control_plane step as it maps eks_cluster_upgrade's own task).
    failure = run.cluster_report("failing")["failure"]
    assert failure["aws_errors"][0]["errorCode"] == "InsufficientFreeAddresses"
    started = json.loads((Path(tmp_path) / "checkpoints" / "failing.json").read_text())["steps"]
    assert started["control_plane"]["status"] == "started"
    assert started["control_plane"]["update_ids"] == [u["id"] for u in failure["updates"]]
    assert summary["failing"]["version"] == "1.29"
    assert summary["failing"]["nodegroups"]["general"]["version"] == "1.29"


ROLE_WAVE_TASKS = ("lifecycle.eks.post_upgrade : cluster_autoscaler | Find the latest Cluster Autoscaler releases of "
                   "the wave in one call",
                   "lifecycle.eks.post_upgrade : cluster_autoscaler | Set the Cluster Autoscaler images of the wave "
                   "in one call",
                   "lifecycle.eks.post_upgrade : Update the add-ons of the wave in one call")


@pytest.mark.parametrize("mode", ["wave", "per-cluster", "first-host-alone"])
def test_the_role_s_autoscaler_and_add_on_steps_run_once_for_the_hosts_there_and_an_add_on_failure_fails_alone(
        make_world, run_playbook, tmp_path, mode):
    clusters = [dict(node_cluster(name), workloads={"cluster_autoscaler": "v1.29.4"})
                for name in ("steady", "other", "failing")]
    world = make_world({"target_version": "1.30", "clusters": clusters})
    world.state.faults.set("failing", fail_addon_updates="ConfigurationConflict")
    extra = {"eks_waves": ["100%"], "eks_max_fail_percentage": 100,
             "eks_cluster_autoscaler_versions": {"1.30": "v1.30.2"}}
    if mode == "first-host-alone":
        # An inventory variable of the batch's first host only: the role's waves still run for the others (the
        # run_once task's own conditions are the first host's), and it runs its steps itself.
        (tmp_path / "world" / "host_vars").mkdir()
        (tmp_path / "world" / "host_vars" / "steady.yml").write_text("eks_wave_steps: false\n")
    else:
        extra["eks_wave_steps"] = mode == "wave"
    batched = mode != "per-cluster"
    run = run_playbook(world, extra)
    assert run.rc != 0
    assert run.statuses() == {"steady": "upgraded", "other": "upgraded", "failing": "failed"}, run.output[-3000:]

    # run_once inside the role too: one result for the hosts at the task, however many included the role.
    assert_run_once(run.output, ROLE_WAVE_TASKS, batched)
    summary = world.summary()
    for name in ("steady", "other", "failing"):
        # The autoscaler step comes before the add-ons: the failing cluster's autoscaler moved too.
        assert summary[name]["images"]["kube-system/cluster-autoscaler"] == [
            "registry.k8s.io/autoscaling/cluster-autoscaler:v1.30.2"], name
        report = run.cluster_report(name)
        if name != "failing":
            assert report["post_upgrade"]["cluster_autoscaler"]["tag"] == "v1.30.2"
            assert summary[name]["addons"]["kube-proxy"].startswith("v1.30."), name

    failure = run.cluster_report("failing")["failure"]
    # The host fails at its own step task, which reports its wave entry or runs the module itself.
    assert failure["task"] == "Update VPC CNI, CoreDNS, kube-proxy and other EKS add-ons to compatible versions"
    assert "ConfigurationConflict" in json.dumps(failure["aws_errors"]), failure
    assert failure["updates"], failure
    started = json.loads((Path(tmp_path) / "checkpoints" / "failing.json").read_text())["steps"]
    assert started["addons"]["status"] == "started"
    assert started["addons"]["update_ids"] == [u["id"] for u in failure["updates"]]
    assert started["cluster_autoscaler"]["status"] != "started"  # finished before the add-ons
    assert summary["failing"]["addons"]["kube-proxy"].startswith("v1.29.")
