# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark-only callback: per task and host, when it started and how long it took (and the DescribeUpdate
polls a module reported sending), as JSON lines.

Enabled by benchmarks/fleet.py with ANSIBLE_CALLBACK_PLUGINS=benchmarks/callback_plugins,
ANSIBLE_CALLBACKS_ENABLED=bench_timer and BENCH_TIMER_OUT=<file>.
"""
from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: bench_timer
type: aggregate
short_description: per-task, per-host timings for benchmarks/fleet.py
description: Writes one JSON line per task result to the file named by BENCH_TIMER_OUT.
requirements: [enable in configuration]
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._out = open(os.environ.get("BENCH_TIMER_OUT", os.devnull), "a", encoding="utf-8")  # noqa: SIM115
        self._started = {}
        self._t0 = time.time()
        self._write({"event": "start", "ts": self._t0})

    def _write(self, record):
        self._out.write(json.dumps(record) + "\n")
        self._out.flush()

    def v2_runner_on_start(self, host, task):
        self._started[(host.get_name(), task._uuid)] = time.time()

    def _done(self, result, status):
        host, task = result._host.get_name(), result._task
        now = time.time()
        start = self._started.pop((host, task._uuid), None)
        record = {"event": "task", "host": host, "task": task.get_name(), "action": task.action,
                  "status": status, "start": start, "end": now,
                  "duration": None if start is None else round(now - start, 4)}
        # A wave's entry reported by the step's own task (its wave_result) or eks_wave_result: no module run.
        if "wave_module" in result._result:
            record["wave_entry"] = True
        # The cluster's DescribeUpdate polls as the modules sent them (the budget's own ledger).
        if isinstance(result._result.get("poll_times"), list):
            record["poll_times"] = result._result["poll_times"]
        self._write(record)

    def v2_runner_on_ok(self, result):
        self._done(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._done(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._done(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._done(result, "unreachable")

    def v2_playbook_on_include(self, included_file):
        for host in included_file._hosts:
            self._write({"event": "include", "host": host.get_name(), "file": str(included_file._filename),
                         "ts": time.time()})

    def v2_playbook_on_stats(self, stats):
        self._write({"event": "end", "ts": time.time()})
