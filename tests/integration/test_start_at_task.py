"""--start-at-task skips the task that names the run: name the run it resumes (-e eks_run_id), or nothing runs."""
from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.integration
PREFLIGHT = "Run the preflight checks of the whole wave in one call (read-only)"


def test_start_at_task_needs_the_id_of_the_run_it_resumes(make_world, run_playbook, tmp_path):
    world = make_world({"target_version": "1.30", "clusters": [
        {"name": "resumed", "version": "1.29", "nodegroups": [{"name": "general", "version": "1.29"}]}]})
    before = len(world.state.log.records())
    unnamed = run_playbook(world, args=("--start-at-task", PREFLIGHT))
    assert unnamed.rc != 0
    # (Its words as printed: ansible-core 2.17 wraps the message over lines.)
    printed = " ".join(unnamed.output.split())
    assert "This run has no id: --start-at-task skipped the task that names it. Pass -e eks_run_id=ID" in printed, \
        unnamed.output[-3000:]
    # Stopped at its first module: nothing was read or changed, no checkpoint was written under another id.
    assert world.state.log.as_dicts(before) == []
    assert not (tmp_path / "checkpoints").exists()

    named = run_playbook(world, {"eks_run_id": "20261204T100000Z"}, args=("--start-at-task", PREFLIGHT))
    assert named.rc == 0, named.output[-3000:]
    assert named.statuses() == {"resumed": "upgraded"}
    assert world.summary()["resumed"]["version"] == "1.30"
    recorded = json.loads((tmp_path / "checkpoints" / "resumed.json").read_text())
    assert {step["run_id"] for step in recorded["steps"].values()} == {"20261204T100000Z"}
    assert named.fleet()["run_id"] == "20261204T100000Z"
