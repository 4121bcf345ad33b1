# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""eks_wave: on the controller, in the module host (plugin_utils/module_host_action)."""
from __future__ import annotations

from ansible_collections.lifecycle.eks.plugins.plugin_utils.module_host_action import ModuleHostAction


class ActionModule(ModuleHostAction):
    pass
