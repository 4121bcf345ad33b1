"""Checkpoints and resume (issue 8): a rerun starts from the unfinished step and never repeats a finished one."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import mutating_calls
from tests.integration.conftest import JSON_RESULTS

pytestmark = pytest.mark.integration

ALL_STEPS = ["control_plane", "nodegroups", "cluster_autoscaler", "addons"]
VARIABLES = {"eks_waves": ["100%"], "eks_max_fail_percentage": 100}


def cluster(name: str) -> dict[str, Any]:
    return {"name": name, "version": "1.29", "nodegroups": [{"name": "general", "version": "1.29"}],
            "workloads": {"cluster_autoscaler": "v1.29.4"}}


def operations(world: Any, since: int, name: str) -> list[str]:
    """The mutating EKS operations sent for one cluster since a log position."""
    return [r["operation"] for r in mutating_calls(world, since) if r["cluster"] == name]


def checkpoint(tmp_path: Path, name: str) -> dict[str, Any]:
    # run_playbook writes reports to <tmp>/reports-N: the default checkpoint directory is <tmp>/checkpoints.
    return json.loads((tmp_path / "checkpoints" / f"{name}.json").read_text())


def stands(run: Any) -> dict[str, str]:
    return {row["cluster"]: row["stands"] for row in run.fleet()["clusters"]}


@pytest.mark.longest(5)
def test_interrupted_run_resumes_from_its_checkpoint_and_a_finished_fleet_is_left_alone(
        make_world, run_playbook, tmp_path):
    world = make_world({"target_version": "1.30", "clusters": [cluster("interrupted"), cluster("steady")]})
    # Add-on updates of one cluster end Failed: its run stops after the control plane, node groups and autoscaler.
    world.state.faults.set("interrupted", fail_addon_updates="ConfigurationConflict")

    first = run_playbook(world, VARIABLES)
    assert first.rc != 0
    assert first.statuses() == {"interrupted": "failed", "steady": "upgraded"}, first.output[-3000:]
    assert "ConfigurationConflict" in first.cluster_report("interrupted")["failure"]["msg"]
    first_run = first.fleet()["run_id"]
    recorded = checkpoint(tmp_path, "interrupted")
    assert (recorded["cluster"], recorded["target_version"]) == ("interrupted", "1.30")
    assert {step: r["status"] for step, r in recorded["steps"].items()} == {
        "control_plane": "finished", "nodegroups": "finished", "cluster_autoscaler": "finished", "addons": "started"}
    # The add-on updates the failed task had started: in the checkpoint and in the report.
    failed_updates = [u["id"] for u in first.cluster_report("interrupted")["failure"]["updates"]]
    assert failed_updates and recorded["steps"]["addons"]["update_ids"] == failed_updates
    control_plane = recorded["steps"]["control_plane"]
    assert control_plane["version"] == "1.30" and control_plane["run_id"] == first_run
    assert control_plane["update_ids"] == [u["id"] for u in world.summary()["interrupted"]["updates"]
                                           if u.get("nodegroup") is None and u.get("addon") is None]
    assert stands(first) == {"interrupted": "cluster_autoscaler", "steady": "addons"}
    summary = (first.report_dir / "fleet-summary.md").read_text()
    assert "| interrupted | failed | 1.29 | 1.30 | cluster_autoscaler |" in summary

    world.state.faults.clear()
    since = len(world.state.log.records())
    second = run_playbook(world, {"eks_waves": [1, "100%"]}, env=JSON_RESULTS)
    assert second.rc == 0, second.output[-3000:]
    second.assert_stats_match_summary()  # two waves
    # The rerun starts at the add-ons: no second control plane or node group update, nothing for the finished cluster.
    assert set(operations(world, since, "interrupted")) == {"UpdateAddon"}
    assert operations(world, since, "steady") == []
    for step in ("control_plane", "nodegroups", "cluster_autoscaler"):
        assert f"skipped: {step} finished in run {first_run} at " in second.output
    resumed = checkpoint(tmp_path, "interrupted")
    assert sorted(resumed["steps"]) == sorted(ALL_STEPS)
    assert resumed["steps"]["control_plane"] == control_plane  # recorded once, by the first run
    second_run = second.fleet()["run_id"]
    assert resumed["steps"]["addons"]["run_id"] == second_run
    assert resumed["steps"]["addons"]["update_ids"], resumed["steps"]["addons"]
    assert stands(second) == {"interrupted": "addons", "steady": f"addons (run {first_run})"}
    report = second.cluster_report("interrupted")["checkpoint"]
    assert report["finished_steps"] == ALL_STEPS and report["last_step"] == "addons"
    assert [line.split(" in run ")[0] for line in report["skipped"]] == [
        "skipped: control_plane finished", "skipped: nodegroups finished", "skipped: cluster_autoscaler finished",
        "not finished: addons started"]
    assert set(failed_updates) < set(resumed["steps"]["addons"]["update_ids"])  # ids of both runs, kept
    assert world.summary()["interrupted"]["addons"]["kube-proxy"].startswith("v1.30.")

    files = {name: (tmp_path / "checkpoints" / f"{name}.json").read_text() for name in ("interrupted", "steady")}
    since = len(world.state.log.records())
    third = run_playbook(world, VARIABLES)
    assert third.rc == 0, third.output[-3000:]
    assert mutating_calls(world, since) == [], "a finished fleet must be left alone"
    assert third.statuses() == {"interrupted": "finished", "steady": "finished"}
    assert third.output.count("skipped: addons finished in run ") == 2
    assert {name: (tmp_path / "checkpoints" / f"{name}.json").read_text() for name in files} == files
    assert stands(third) == {"interrupted": f"addons (run {second_run})", "steady": f"addons (run {first_run})"}
