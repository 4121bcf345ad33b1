# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""eks_cluster_autoscaler_release: on the controller, in the module host; or its wave's entry
(plugin_utils/wave_action)."""
from __future__ import annotations

from ansible_collections.lifecycle.eks.plugins.plugin_utils.wave_action import WaveStepAction


class ActionModule(WaveStepAction):
    pass
