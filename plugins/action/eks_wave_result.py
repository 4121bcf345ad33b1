# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""eks_wave_result: one host's entry of an eks_wave result, reported as that module's own task (no module run)."""
from __future__ import annotations

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("result",))

    def run(self, tmp=None, task_vars=None):
        super().run(tmp, task_vars)
        entry = self._task.args.get("result")
        if not isinstance(entry, dict) or "wave_module" not in entry:
            return {"failed": True, "changed": False,
                    "msg": "result must be one cluster's entry of a lifecycle.eks.eks_wave result (its clusters[NAME],"
                           " a dict with wave_module); got %s." % _described(entry)}
        result = dict(entry)
        result.setdefault("changed", False)
        return result


def _described(value):
    if isinstance(value, dict):
        return "a dict with keys %s" % (", ".join(sorted(map(str, value))) or "none")
    return "a value of type %s" % type(value).__name__
