# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's plugin boilerplate (coding, __future__, __metaclass__)
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # The step modules a playbook runs for a whole wave in one lifecycle.eks.eks_wave call
    # (plugin_utils/wave_action.py: WaveStepAction).
    DOCUMENTATION = r"""
options:
  wave_result:
    description:
      - This cluster's entry of a M(lifecycle.eks.eks_wave) run of this module for the whole wave (the
        P(lifecycle.eks.wave_entry#filter) filter of its result). When not empty, the task reports it as its own
        result (changed, failed, C(msg), warnings, diff, facts), as if the module had just run for the cluster, and
        runs nothing; the other options are then not used.
      - So a role runs one task for the step whether the wave ran it (C(playbooks/upgrade.yml)) or the task runs it
        itself (empty, the default).
      - An entry of a wave of another module fails the task, naming both.
      - Done by the action on the controller; the module never reads it.
    type: dict
    default: {}
"""
