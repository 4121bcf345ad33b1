# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action of a wave module (eks_wave, eks_fleet_preflight): the module in the module host, then, with its option
store_entries, each cluster's entry kept on the controller instead of in the result (plugin_utils/wave_store.py)."""
from __future__ import annotations

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.lifecycle.eks.plugins.plugin_utils import wave_store
from ansible_collections.lifecycle.eks.plugins.plugin_utils.module_host_action import ModuleHostAction


class WaveAction(ModuleHostAction):
    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        # The module checked the option (a boolean) before it ran: a result without clusters is its failure.
        if boolean(self._task.args.get("store_entries", False), strict=False):
            return wave_store.keep(result)
        return result
