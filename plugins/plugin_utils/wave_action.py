# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The actions around a wave (a step of many clusters in one lifecycle.eks.eks_wave call).

WaveAction (eks_wave, eks_fleet_preflight): the module in the module host, then, with its option store_entries, each
cluster's entry kept on the controller instead of in the result (plugin_utils/wave_store.py).

WaveStepAction (the step modules a playbook runs as a wave): with the option wave_result, the task reports that
cluster's entry of the wave as its own result instead of running the module, so that a role runs one task per step
whether the wave or the task itself ran it (a task costs each host about as much skipped as run).
"""
from __future__ import annotations

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.lifecycle.eks.plugins.plugin_utils import wave_store
from ansible_collections.lifecycle.eks.plugins.plugin_utils.module_host_action import ModuleHostAction


def reported(entry: object, option: str, module: str | None = None) -> dict:
    """A wave's entry as the result of the task that reports it (changed, failed, warnings, diff, facts), or a failure
    naming ``option`` when it is not one cluster's entry (of a wave of ``module``, when given)."""
    if not isinstance(entry, dict) or "wave_module" not in entry:
        return {"failed": True, "changed": False,
                "msg": "%s must be one cluster's entry of a lifecycle.eks.eks_wave result (the lifecycle.eks.wave_entry"
                       " filter of it, a dict with wave_module); got %s." % (option, _described(entry))}
    if module is not None and entry["wave_module"] != module:
        return {"failed": True, "changed": False,
                "msg": "%s is an entry of a wave of %s, not of %s: give this task the entry of its own step."
                       % (option, entry["wave_module"], module)}
    result = dict(entry)
    result.setdefault("changed", False)
    return result


def _described(value: object) -> str:
    if isinstance(value, dict):
        return "a dict with keys %s" % (", ".join(sorted(map(str, value))) or "none")
    return "a value of type %s" % type(value).__name__


class WaveAction(ModuleHostAction):
    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        # The module checked the option (a boolean) before it ran: a result without clusters is its failure.
        if boolean(self._task.args.get("store_entries", False), strict=False):
            return wave_store.keep(result)
        return result


class WaveStepAction(ModuleHostAction):
    def run(self, tmp=None, task_vars=None):
        entry = self._task.args.get("wave_result")
        if not entry:  # none given, or {} (the default): the module runs
            return super().run(tmp, task_vars)
        ActionBase.run(self, tmp, task_vars)
        return reported(entry, "wave_result", self._task.action.rpartition(".")[2])
