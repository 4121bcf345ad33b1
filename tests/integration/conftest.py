"""Run playbooks/upgrade.yml with ansible-playbook against an emulated world, and read what it left."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from tests.conftest import without_user_settings

ROOT = Path(__file__).resolve().parents[2]
# Fast emulated durations and polling: the behaviour is the same, only the clock is shorter.
FAST = {"eks_wait_delay": 0.1, "eks_wait_max_delay": 0.5}
# JSON results (not the YAML of ansible.cfg, which the callback folds into one unreadable line for custom stats):
# the environment of a run whose custom stats a test reads.
JSON_RESULTS = {"ANSIBLE_CALLBACK_RESULT_FORMAT": "json"}


def add_host(inventory: Path, name: str, variables: dict[str, Any]) -> None:
    """An inventory host the world knows nothing about (a cluster deleted, or a typo in the inventory)."""
    data = yaml.safe_load(inventory.read_text())
    data["all"]["children"]["eks_clusters"]["hosts"][name] = variables
    inventory.write_text(yaml.safe_dump(data, sort_keys=False))


@dataclass
class PlaybookRun:
    rc: int
    output: str
    report_dir: Path

    def cluster_report(self, name: str) -> dict[str, Any]:
        return json.loads((self.report_dir / "clusters" / f"{name}.json").read_text())

    def fleet(self) -> dict[str, Any]:
        return json.loads((self.report_dir / "fleet-summary.json").read_text())

    def statuses(self) -> dict[str, str]:
        return {row["cluster"]: row["status"] for row in self.fleet()["clusters"]}

    def custom_stats(self) -> dict[str, Any]:
        """What set_stats published for the run (AWX keeps it as the job's artifacts); run with JSON_RESULTS."""
        [line] = [line for line in self.output.splitlines() if line.startswith("\tRUN: ")]
        return json.loads(line[len("\tRUN: "):])

    def assert_stats_match_summary(self) -> None:
        """The custom stats AWX shows say what fleet-summary.json says, whatever the number of waves."""
        fleet = self.fleet()
        assert self.custom_stats() == {
            "eks_fleet_report_dir": str(self.report_dir),
            "eks_fleet_summary": {"run_id": fleet["run_id"], "target_version": fleet["target_version"],
                                  "counts": fleet["counts"], "ok": fleet["ok"],
                                  "clusters": {row["cluster"]: row["status"] for row in fleet["clusters"]}}}, \
            self.output[-3000:]


@pytest.fixture
def run_playbook(tmp_path: Path) -> Callable[..., PlaybookRun]:
    def run(world: Any, extra_vars: dict[str, Any] | None = None, check: bool = False, diff: bool = False,
            playbook: str = "playbooks/upgrade.yml", args: tuple[str, ...] = (), env: dict[str, str] | None = None,
            timeout: float = 1800) -> PlaybookRun:
        # timeout guards against a hang, it times nothing: a playbook run of the every-path fleet took over 900 s
        # on this 2-core machine under a load of 20.
        report_dir = tmp_path / f"reports-{len(list(tmp_path.glob('reports-*')))}"
        variables = {**FAST, "eks_report_dir": str(report_dir), **(extra_vars or {})}
        # The ansible-playbook of the Python running the tests: .venv's, or the oldest core's (make test's matrix).
        ansible_playbook = Path(sys.executable).parent / "ansible-playbook"
        command = [str(ansible_playbook), "-i", str(tmp_path / "world" / "inventory.yml"),
                   str(ROOT / playbook), "-e", json.dumps(variables), *args]
        if check:
            command.append("--check")
        if diff:
            command.append("--diff")
        # The world's endpoint and credentials, not what a user would have to set (region, kubeconfig: the inventory
        # says them); a test that means to set one passes it in env.
        full_env = {**without_user_settings(os.environ), **world.env(),
                    "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".build" / "collections"),
                    "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1",
                    "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}", **(env or {})}
        # Run from the test's directory, as a user runs from theirs: state a run keeps by default goes there.
        done = subprocess.run(command, cwd=tmp_path, env={**full_env, "PWD": str(tmp_path)}, capture_output=True,
                              text=True, timeout=timeout, check=False)
        output = done.stdout + done.stderr
        # Nothing the collection does is deprecated in the ansible-core running it (README: "Supported ansible-core").
        assert "[DEPRECATION WARNING]" not in output, output[output.index("[DEPRECATION WARNING]"):][:2000]
        return PlaybookRun(done.returncode, output, report_dir)

    return run
