# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""eks_wave_result: one host's entry of an eks_wave result, reported as that module's own task (no module run)."""
from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.lifecycle.eks.plugins.plugin_utils.wave_action import reported


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("result",))

    def run(self, tmp=None, task_vars=None):
        super().run(tmp, task_vars)
        return reported(self._task.args.get("result"), "result")
