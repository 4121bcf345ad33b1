"""playbooks/status.yml: where each cluster of an upgrade stands, read from the stores the upgrade keeps, changing
nothing (issue 14, "Progress while it runs")."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_claim import encode_claim, new_claim
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_store import LocalStore
from tests.conftest import mutating_calls, without_user_settings
from tests.integration.conftest import FAST, JSON_RESULTS, ROOT
from tests.integration.test_reliability import kill_tree

pytestmark = pytest.mark.integration

STATUS = "playbooks/status.yml"


def cluster(name: str) -> dict[str, Any]:
    return {"name": name, "version": "1.29", "nodegroups": [{"name": "general", "version": "1.29"}]}


def stage_lines(output: str, detail: bool = False) -> dict[str, str]:
    """Each cluster's line of the status task: cluster | stage | detail (the stage, or the detail)."""
    lines = {}
    for line in output.splitlines():
        parts = line.strip().strip('",').split(" | ")
        if len(parts) == 3:
            lines[parts[0]] = parts[2 if detail else 1]
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


def test_a_cluster_in_the_control_plane_step_shows_the_hop_it_is_on(make_world, run_playbook, tmp_path):
    """The hops are recorded while the step runs: status.yml shows them before the step is recorded finished."""
    world = make_world({"target_version": "1.30", "clusters": [
        {"name": "hopping", "version": "1.28", "nodegroups": [{"name": "general", "version": "1.28"}]}]},
        cluster_update_s=3600.0)
    env = {**without_user_settings(os.environ), **world.env(),
           "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".build" / "collections"),
           "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "PWD": str(tmp_path)}
    command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(tmp_path / "world" / "inventory.yml"),
               str(ROOT / "playbooks" / "upgrade.yml"), "-e",
               json.dumps({**FAST, "eks_report_dir": str(tmp_path / "running"), "eks_claim_clusters": True,
                           "eks_run_id": "run-hops"})]
    upgrade = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    store = LocalStore(str(tmp_path / "checkpoints"))
    try:
        # The first hop's UpdateClusterVersion is sent, and the emulated update runs for an hour: the progress record
        # says so. The deadline only guards against a hang.
        deadline = time.time() + 600
        while (store.read_progress("hopping") or {}).get("phase") != "updating" and upgrade.poll() is None \
                and time.time() < deadline:
            time.sleep(0.2)
        progress = store.read_progress("hopping")
        assert progress is not None and progress["phase"] == "updating", (progress, upgrade.poll())
        assert store.read("hopping") is None or "control_plane" not in store.read("hopping")["steps"]

        status = run_playbook(world, {"eks_report_dir": str(tmp_path / "running")}, playbook=STATUS, env=JSON_RESULTS)
        assert status.rc == 0, status.output[-3000:]
        assert stage_lines(status.output) == {"hopping": "control plane"}
        detail = stage_lines(status.output, detail=True)["hopping"]
        assert detail.startswith("hop 1 of 2 (1.28 -> 1.29): updating, since "), detail
        assert "update " + progress["update_id"] in detail and "claimed by run run-hops" in detail
        assert upgrade.poll() is None, "the upgrade ended before status.yml looked"
    finally:
        kill_tree(upgrade.pid)
        upgrade.wait()
