"""The module host (docs/performance.md): a playbook run gives the same result for every task of every host with it
(LIFECYCLE_EKS_MODULE_HOST=1) and without it, in a real run with --diff, and leaves no module host process behind once
ansible-playbook has exited. Check mode through the host: tests/unit/plugins/plugin_utils/test_module_host.py."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from ansible_collections.lifecycle.eks.plugins.plugin_utils.module_host import MARKER, process_start_time

pytestmark = pytest.mark.integration
# A deadline against a hang, never a measured duration.
DEADLINE_S = 300.0

# Writes every task result of every host, in order, to RECORD_RESULTS (one JSON object a line).
RECORDER = '''
from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "record_results"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, status, result):
        line = {"host": result._host.get_name(), "task": result._task.get_name(), "status": status,
                "result": result._result}
        with open(os.environ["RECORD_RESULTS"], "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, default=str, sort_keys=True) + "\\n")

    def v2_runner_on_ok(self, result):
        self._record("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record("failed", result)

    def v2_runner_on_skipped(self, result):
        self._record("skipped", result)
'''
# What differs from one emulated run to the next whatever runs the modules: clocks, ids, paths of each run.
VOLATILE = re.compile(r"\d{8}T\d{6}Z|\d{4}-\d\d-\d\d[T ][\d:.]+(Z|[+-]\d\d:?\d\d)?|\b\d{9,}(\.\d+)?\b|"
                      r"/tmp/[^\s\"'`]+|/root/[^\s\"'`]+|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|"
                      r"\b[a-z]+-[0-9a-f]{8,}\b|127\.0\.0\.1:\d+")


def normalized(value: Any) -> Any:
    """value with what VOLATILE matches in its strings, and its floats (clocks), replaced."""
    if isinstance(value, dict):
        return {key: normalized(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalized(item) for item in value]
    if isinstance(value, float):
        return "<float>"
    return VOLATILE.sub("<volatile>", value) if isinstance(value, str) else value


def outline(result: dict[str, Any]) -> dict[str, Any]:
    """What a task result says beyond the emulated world's own variation (its update ids, clocks, how many polls an
    update took): its outcome, the keys it returns and the facts it sets, its messages, warnings and deprecations."""
    return normalized({
        "outcome": {key: result.get(key) for key in ("changed", "failed", "skipped", "rc", "unreachable")},
        "keys": sorted(result), "facts": sorted(result.get("ansible_facts") or {}),
        "diff": sorted(result["diff"]) if isinstance(result.get("diff"), dict) else "diff" in result,
        "msg": result.get("msg") if isinstance(result.get("msg"), str) else None,
        "warnings": result.get("warnings"), "deprecations": result.get("deprecations"),
        "items": [outline(item) for item in result.get("results") or [] if isinstance(item, dict)]})


def task_results(path: Path) -> dict[tuple[str, str, int], Any]:
    """Each host's task results in order (a task may run several times: waves, included roles)."""
    seen: dict[tuple[str, str], int] = {}
    results = {}
    for line in path.read_text().splitlines():
        entry = json.loads(line)
        key = (entry["host"], entry["task"])
        seen[key] = seen.get(key, 0) + 1
        results[(*key, seen[key])] = {"status": entry["status"], **outline(entry["result"])}
    return results


def stray_hosts() -> list[int]:
    """Module host servers whose ansible-playbook has exited."""
    stray = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0") if entry.name.isdigit() else []
        except OSError:
            continue
        if MARKER.encode() in argv:
            config = json.loads(argv[argv.index(MARKER.encode()) + 1])
            if process_start_time(config["main_pid"]) != config["main_start"]:
                stray.append(int(entry.name))
    return stray


@pytest.mark.longest(4)
def test_a_run_gives_the_same_results_with_and_without_the_module_host_and_leaves_none_behind(
        make_world, run_playbook, tmp_path):
    plugins = tmp_path / "callback_plugins"
    plugins.mkdir()
    (plugins / "record_results.py").write_text(RECORDER)
    outcomes = {}
    for switch in ("1", "0"):
        world = make_world("coredns-upstream")
        record = tmp_path / f"results-{switch}.jsonl"
        env = {"LIFECYCLE_EKS_MODULE_HOST": switch, "RECORD_RESULTS": str(record),
               "ANSIBLE_CALLBACK_PLUGINS": str(plugins), "ANSIBLE_CALLBACKS_ENABLED": "record_results"}
        run = run_playbook(world, {"eks_fix_coredns_upstream": True, "eks_waves": ["100%"],
                                   "eks_state_dir": str(tmp_path / f"state-{switch}")},
                           diff=True, args=("-vvv",), env=env)
        assert run.rc == 0, run.output[-3000:]
        # -vvv says where each lifecycle.eks module ran.
        assert ("in the module host" in run.output) is (switch == "1")
        outcomes[switch] = (task_results(record), world.summary())
    with_host, without_host = outcomes["1"], outcomes["0"]
    assert normalized(with_host[1]) == normalized(without_host[1]), (with_host[1], without_host[1])
    assert list(with_host[0]) == list(without_host[0])
    for key, result in with_host[0].items():
        assert result == without_host[0][key], (key, result, without_host[0][key])
    # The module tasks are compared, not only the playbook's own: at least the upgrade's modules ran.
    assert any(result["facts"] for result in with_host[0].values())
    # The server of the first run exits once its ansible-playbook has.
    deadline = time.monotonic() + DEADLINE_S
    while stray_hosts():
        assert time.monotonic() < deadline, f"module host processes left: {stray_hosts()}"
        time.sleep(0.1)
