# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""eks_checkpoint_claim without a module process for local claims on the controller
(plugin_utils/checkpoint_action)."""
from __future__ import annotations

from ansible.utils.display import Display

from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_calls import claim, claim_argument_spec
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_store import STORE_REQUIRED_IF
from ansible_collections.lifecycle.eks.plugins.plugin_utils.checkpoint_action import CheckpointAction


class ActionModule(CheckpointAction):
    MODULE = "lifecycle.eks.eks_checkpoint_claim"

    def argument_spec(self):
        return claim_argument_spec()

    def required_if(self):
        return STORE_REQUIRED_IF

    def body(self, params, store, name):
        return claim(params, store, name, bool(self._task.check_mode), Display().warning)
