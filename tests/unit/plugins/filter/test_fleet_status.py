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


def progress(run_id: str = "awx-40", target: str = TARGET, updated_at: str = "2026-12-06T10:30:00Z",
             **fields: Any) -> dict[str, Any]:
    """eks_checkpoint_info's progress: the record eks_cluster_upgrade writes when a hop starts or its phase changes."""
    record = {"schema_version": 1, "cluster": "prod", "run_id": run_id, "target_version": target, "hop": 2,
              "hops": 3, "from_version": "1.29", "to_version": "1.30", "phase": "updating", "update_id": "u-2",
              "nodegroup": None, "hop_started_at": "2026-12-06T10:20:00Z", "updated_at": updated_at}
    record.update(fields)
    return record


def test_a_claimed_cluster_in_the_control_plane_step_shows_its_hop():
    stage, detail = cluster_stage(checkpoint(), CLAIM, None, TARGET, progress=progress())
    assert stage == "control plane"
    assert detail.startswith("hop 2 of 3 (1.29 -> 1.30): updating, since 2026-12-06T10:20:00Z, update u-2")
    assert "claimed by run awx-40 (awx-job-41)" in detail
    # Between hops: the node group being updated.
    _stage, detail = cluster_stage(checkpoint(), CLAIM, None, TARGET,
                                   progress=progress(phase="node groups", nodegroup="general", update_id=None))
    assert detail.startswith("hop 2 of 3 (1.29 -> 1.30): node groups (general), since 2026-12-06T10:20:00Z;")
    # Without a progress record the step shows as before.
    assert cluster_stage(checkpoint(), CLAIM, None, TARGET) == (
        "control plane", "claimed by run awx-40 (awx-job-41) since 2026-12-06T10:00:00Z; no step finished yet")


def test_the_progress_of_another_run_target_or_an_earlier_claim_is_not_the_hop():
    plain = ("control plane", "claimed by run awx-40 (awx-job-41) since 2026-12-06T10:00:00Z; no step finished yet")
    assert cluster_stage(checkpoint(), CLAIM, None, TARGET, progress=progress(run_id="awx-30")) == plain
    assert cluster_stage(checkpoint(), CLAIM, None, TARGET, progress=progress(target="1.29")) == plain
    # Written before this claim was taken (an earlier job of the same run id): the new job has not reached a hop.
    assert cluster_stage(checkpoint(), CLAIM, None, TARGET, progress=progress(updated_at="2026-12-06T09:59:59Z")) \
        == plain


def test_once_the_control_plane_step_is_recorded_its_progress_is_not_shown():
    stage, detail = cluster_stage(checkpoint("control_plane"), CLAIM, None, TARGET, progress=progress())
    assert stage == "nodes" and "hop" not in detail
    assert cluster_stage(checkpoint("control_plane"), None, None, TARGET, progress=progress())[0] == "nodes"


def test_without_a_claim_the_progress_alone_says_the_control_plane_step_runs():
    """Command-line runs do not claim: the progress is all that says the step runs (or ran until the run stopped)."""
    stage, detail = cluster_stage(checkpoint(), None, None, TARGET, progress=progress())
    assert stage == "control plane"
    assert detail.startswith("hop 2 of 3 (1.29 -> 1.30): updating") and "run awx-40 holds no claim" in detail
    assert cluster_stage(checkpoint(), None, None, TARGET, progress=progress(target="1.29"))[0] == "waiting"
    # Any run's, without a claim to compare with.
    assert cluster_stage(checkpoint(), None, None, TARGET, progress=progress(run_id="other"))[0] == "control plane"


def test_an_interrupted_cluster_says_the_hop_it_was_on():
    stage, detail = cluster_stage(checkpoint(started=("control_plane",)), None, None, TARGET, progress=progress())
    assert stage == "interrupted"
    assert "(last progress: hop 2 of 3 (1.29 -> 1.30): updating" in detail and "rerun" in detail
    assert "last progress" not in cluster_stage(checkpoint(started=("control_plane",)), None, None, TARGET)[1]


def test_the_fleet_passes_each_cluster_its_progress():
    status = fleet_status(["a", "b"], [{"stands": checkpoint(), "claim": CLAIM, "progress": progress()},
                                       {"stands": checkpoint(), "claim": CLAIM}], {}, TARGET)
    assert [row["detail"].split(",")[0] for row in status["clusters"]] == [
        "hop 2 of 3 (1.29 -> 1.30): updating", "claimed by run awx-40 (awx-job-41) since 2026-12-06T10:00:00Z; no step "
        "finished yet"]
    assert status["counts"]["control plane"] == 2
