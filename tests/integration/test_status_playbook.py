"""playbooks/status.yml: where each cluster of an upgrade stands, read from the stores the upgrade keeps, changing
nothing (issue 14, "Progress while it runs")."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_claim import encode_claim, new_claim
from tests.conftest import mutating_calls
from tests.integration.conftest import JSON_RESULTS

pytestmark = pytest.mark.integration

STATUS = "playbooks/status.yml"


def cluster(name: str) -> dict[str, Any]:
    return {"name": name, "version": "1.29", "nodegroups": [{"name": "general", "version": "1.29"}]}


def stage_lines(output: str) -> dict[str, str]:
    """Each cluster's line of the status task: cluster | stage | detail."""
    lines = {}
    for line in output.splitlines():
        parts = line.strip().strip('",').split(" | ")
        if len(parts) == 3:
            lines[parts[0]] = parts[1]
    return lines


def test_status_shows_each_cluster_at_its_stage_and_changes_nothing(make_world, run_playbook, tmp_path):
    names = ["steady", "failing", "claimed"]
    world = make_world({"target_version": "1.30", "clusters": [cluster(name) for name in names]})
    before = run_playbook(world, playbook=STATUS, env=JSON_RESULTS)
    assert before.rc == 0, before.output[-3000:]
    assert stage_lines(before.output) == dict.fromkeys(names, "waiting")
    assert before.custom_stats()["eks_fleet_status"]["counts"]["waiting"] == 3

    world.state.faults.set("failing", fail_addon_updates="ConfigurationConflict")
    upgrade = run_playbook(world, {"eks_waves": ["100%"], "eks_max_fail_percentage": 100},
                           args=("--limit", "steady,failing"))
    assert upgrade.statuses() == {"steady": "upgraded", "failing": "failed"}, upgrade.output[-3000:]
    # Another job (an AWX slice) holds the third cluster: its claim, as eks_checkpoint_claim writes it.
    claims = tmp_path / "checkpoints" / "claims"
    claims.mkdir(parents=True, exist_ok=True)
    (claims / "claimed.json").write_text(encode_claim(new_claim("claimed", "awx-40", "awx-job-42", "1.30",
                                                                "2026-12-06T10:00:00Z")))
    stored = {path.name: path.read_text() for path in (tmp_path / "checkpoints").rglob("*.json")}
    since = len(world.state.log.records())

    status = run_playbook(world, {"eks_report_dir": str(upgrade.report_dir)}, playbook=STATUS, env=JSON_RESULTS)
    assert status.rc == 0, status.output[-3000:]
    assert stage_lines(status.output) == {"steady": "done", "failing": "failed", "claimed": "control plane"}
    assert "control plane: 1, done: 1, failed: 1 (2 of 3 ended)" in status.output
    published = status.custom_stats()["eks_fleet_status"]
    assert (published["total"], published["ended"]) == (3, 2)
    assert {stage: n for stage, n in published["counts"].items() if n} == {"control plane": 1, "done": 1, "failed": 1}
    assert "claimed by run awx-40 (awx-job-42)" in status.output
    # Read-only: nothing sent to change a cluster, no checkpoint or claim rewritten.
    assert mutating_calls(world, since) == []
    assert {path.name: path.read_text() for path in (tmp_path / "checkpoints").rglob("*.json")} == stored
    assert not json.loads(Path(upgrade.report_dir / "fleet-summary.json").read_text())["ok"]
