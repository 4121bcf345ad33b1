# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where each cluster of a running upgrade stands, from the checkpoint, the claim and the report (status.yml)."""
from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.lifecycle.eks.plugins.filter.fleet_status import (
    AFTER_STEP,
    STAGES,
    cluster_stage,
    fleet_status,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint import STEPS, put_step, stands

TARGET = "1.30"
CLAIM = {"run_id": "awx-40", "holder": "awx-job-41", "claimed_at": "2026-12-06T10:00:00Z", "target_version": TARGET}


def checkpoint(*steps: str, started: tuple[str, ...] = ()) -> dict[str, Any]:
    """eks_checkpoint_info's stands of a checkpoint recording ``steps`` finished toward the target."""
    document = None
    for step in steps:
        document, _changed = put_step(document, "prod", TARGET, "awx-40", step, {},
                                      now="2026-12-06T10:%02d:00Z" % len(step))
    for step in started:
        document, _changed = put_step(document, "prod", TARGET, "awx-40", step, {"update_ids": ["u"]},
                                      status="started", now="2026-12-06T11:00:00Z")
    return stands(document, TARGET)


def report(status: str, run_id: str = "awx-40", target: str = TARGET) -> dict[str, Any]:
    return {"cluster": "prod", "run_id": run_id, "status": status, "target_version": target}


@pytest.mark.parametrize(("steps", "stage"), [
    ((), "control plane"),
    (("control_plane",), "nodes"),
    (("control_plane", "nodegroups"), "add-ons"),
    (("control_plane", "nodegroups", "self_managed_nodes", "cluster_autoscaler", "nvidia_device_plugin"), "add-ons"),
    (("control_plane", "nodegroups", "addons"), "finishing"),
    (("control_plane", "nodegroups", "addons", "fargate_redeploy"), "finishing"),
])
def test_a_claimed_cluster_is_at_the_step_after_the_last_it_finished(steps, stage):
    assert cluster_stage(checkpoint(*steps), CLAIM, None, TARGET)[0] == stage


def test_every_step_of_the_procedure_has_a_stage_after_it():
    assert set(AFTER_STEP) == set(STEPS)


def test_without_a_claim_nothing_recorded_is_waiting_and_everything_recorded_is_done():
    """Command-line runs do not claim (eks_claim_clusters): the checkpoint alone tells."""
    assert cluster_stage(checkpoint(), None, None, TARGET) == ("waiting", "nothing recorded toward 1.30 yet")
    assert cluster_stage(checkpoint("control_plane"), None, None, TARGET)[0] == "nodes"
    assert cluster_stage(checkpoint("control_plane", "nodegroups", "addons"), None, None, TARGET)[0] == "done"


def test_a_failed_task_that_left_updates_started_is_interrupted():
    stage, detail = cluster_stage(checkpoint(started=("control_plane",)), None, None, TARGET)
    assert stage == "interrupted"
    assert "control_plane" in detail and "rerun" in detail


@pytest.mark.parametrize(("status", "stage"), [
    ("upgraded", "done"), ("finished", "done"), ("blocked", "blocked"), ("failed", "failed")])
def test_the_report_of_the_run_ends_the_cluster(status, stage):
    assert cluster_stage(checkpoint("control_plane"), None, report(status), TARGET)[0] == stage
    assert cluster_stage(checkpoint("control_plane"), CLAIM, report(status), TARGET)[0] == stage


def test_a_report_of_another_target_run_or_holder_is_not_where_the_cluster_stands():
    assert cluster_stage(checkpoint(), None, report("failed", target="1.29"), TARGET)[0] == "waiting"
    assert cluster_stage(checkpoint(), None, report("failed"), TARGET, run_id="awx-50")[0] == "waiting"
    # A new run claimed the cluster after the last one failed it: the new run's progress shows.
    assert cluster_stage(checkpoint(), dict(CLAIM, run_id="awx-50"), report("failed"), TARGET)[0] == "control plane"
    # A check-mode report plans, it does not end anything.
    assert cluster_stage(checkpoint(), CLAIM, report("planned"), TARGET)[0] == "control plane"


def test_the_fleet_counts_every_stage_in_order_and_each_cluster_once():
    hosts = ["a", "b", "c", "d", "e"]
    results = [{"stands": checkpoint(), "claim": None},
               {"stands": checkpoint(), "claim": CLAIM},
               {"stands": checkpoint("control_plane"), "claim": CLAIM},
               {"stands": checkpoint("control_plane"), "claim": None},
               {"stands": checkpoint("control_plane", "nodegroups", "addons"), "claim": None}]
    status = fleet_status(hosts, results, {"d": report("failed")}, TARGET)
    assert list(status["counts"]) == list(STAGES)
    assert {stage: count for stage, count in status["counts"].items() if count} == {
        "waiting": 1, "control plane": 1, "nodes": 1, "done": 1, "failed": 1}
    assert [row["cluster"] for row in status["clusters"]] == hosts
    assert (status["total"], status["ended"]) == (5, 2)


def test_hosts_and_results_must_pair_up():
    with pytest.raises(ValueError, match="2 hosts but 1 checkpoint results"):
        fleet_status(["a", "b"], [{}])
