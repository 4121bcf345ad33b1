"""Run-wide values survive --limit (every playbook) and the custom stats AWX shows equal the fleet summary."""
from __future__ import annotations

import json

import pytest

from tests.conftest import mutating_calls
from tests.integration.conftest import JSON_RESULTS

pytestmark = pytest.mark.integration


def test_limit_to_one_cluster_finishes_it_and_every_playbook_reports(make_world, run_playbook, tmp_path):
    world = make_world("demo")
    before = len(world.state.log.records())
    run = run_playbook(world, args=("--limit", "dev-use1"), env=JSON_RESULTS)
    assert run.rc == 0, run.output[-3000:]
    # Only the cluster the limit names is touched, and it is finished: node groups, add-ons, autoscaler.
    assert {r["cluster"] for r in mutating_calls(world, before)} == {"dev-use1"}
    state = world.summary()
    assert state["dev-use1"]["version"] == "1.30"
    assert {ng["version"] for ng in state["dev-use1"]["nodegroups"].values()} == {"1.30"}
    assert state["dev-use1"]["addons"]["kube-proxy"].startswith("v1.30.")
    assert run.statuses() == {"dev-use1": "upgraded"}
    report = run.cluster_report("dev-use1")
    assert report["run_id"] == run.fleet()["run_id"] != "unnamed"
    # The checkpoint went where the user runs from (the test's directory), under the run's id.
    recorded = json.loads((tmp_path / "checkpoints" / "dev-use1.json").read_text())
    assert sorted(recorded["steps"]) == ["addons", "cluster_autoscaler", "control_plane", "nodegroups"]
    assert {step["run_id"] for step in recorded["steps"].values()} == {report["run_id"]}
    run.assert_stats_match_summary()  # one wave

    plan = run_playbook(world, {"eks_plan_today": "2026-11-01"}, playbook="playbooks/plan.yml",
                        args=("--limit", "staging-use1"))
    assert plan.rc == 0, plan.output[-3000:]
    planned = json.loads((plan.report_dir / "fleet-plan.json").read_text())
    assert [row["cluster"] for row in planned["clusters"]] == ["staging-use1"]

    start = len(world.state.log.records())
    rollback = run_playbook(world, {"eks_upgrade_report_dir": str(run.report_dir)}, check=True,
                            playbook="playbooks/rollback.yml", args=("--limit", "dev-use1"))
    assert mutating_calls(world, start) == []
    summary = json.loads((rollback.report_dir / "rollback-summary.json").read_text())
    # Its managed node groups are on 1.30 now: EKS does not roll them back, so the rollback is refused.
    assert summary["clusters"] == {"dev-use1": "refused"}, rollback.output[-3000:]
    assert summary["run_id"] == rollback.cluster_report("dev-use1")["run_id"] != "unnamed"
    assert "Clusters not rolled back: dev-use1" in rollback.output
