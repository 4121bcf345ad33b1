# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""eks_fleet_preflight: on the controller, in the module host, then store_entries (plugin_utils/wave_action)."""
from __future__ import annotations

from ansible_collections.lifecycle.eks.plugins.plugin_utils.wave_action import WaveAction


class ActionModule(WaveAction):
    pass
