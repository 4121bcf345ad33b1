"""eks_checkpoint and eks_checkpoint_info on the controller: their action plugins read and write a local checkpoint
without a module process (each costs about a CPU second, and the upgrade records six steps per cluster), with the
module's results, check mode, diff, idempotence and errors. The module itself is tested in tests/unit."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
PLAYBOOK = Path(__file__).parent / "playbooks" / "checkpoint_action.yml"


def test_local_checkpoints_are_kept_by_the_action_plugins_without_a_module_process(make_world, run_playbook,
                                                                                   tmp_path):
    world = make_world("healthy")
    checkpoints = tmp_path / "checkpoints"
    # Without pipelining, -vvv names the AnsiballZ file of each module it executes.
    run = run_playbook(world, {"checkpoint_dir": str(checkpoints)}, playbook=str(PLAYBOOK), args=("-vvv",),
                       env={"ANSIBLE_PIPELINING": "False"})
    assert run.rc == 0, run.output[-3000:]
    # No module of ours was sent to a Python process (only ansible.builtin.copy's).
    assert "AnsiballZ_eks_checkpoint" not in run.output
    assert "AnsiballZ_copy" in run.output
    results = json.loads((tmp_path / "results.json").read_text())

    checked = results["checked"]
    assert checked["changed"] is True and checked["diff"]["before"] == {}
    assert checked["diff"]["after"]["steps"]["control_plane"]["version"] == "1.30"
    assert results["after_check"]["checkpoint"] is None  # check mode wrote nothing

    recorded = results["recorded"]
    assert recorded["changed"] is True and recorded["location"] == str(checkpoints / "demo.json")
    assert json.loads((checkpoints / "demo.json").read_text())["steps"]["control_plane"]["run_id"] == "r1"
    assert results["again"]["changed"] is False  # same step, same details: the first run's record stays

    info = results["info"]
    assert info["changed"] is False and info["stands"]["finished_steps"] == ["control_plane"]
    assert "control_plane" in info["skip_steps"]

    bad = results["bad"]
    assert bad["failed"] is True and "step" in bad["msg"] and "nope" in bad["msg"]
