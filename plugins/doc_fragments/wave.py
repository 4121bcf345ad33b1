# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's plugin boilerplate (coding, __future__, __metaclass__)
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # The modules that run many clusters in one call (eks_wave, eks_fleet_preflight; plugin_utils/wave_action.py).
    DOCUMENTATION = r"""
options:
  store_entries:
    description:
      - Keep each cluster's entry on the controller, for the rest of the run, instead of returning every entry in
        C(clusters); the result then has RV(stored_entries), and each host reads its own entry with the
        P(lifecycle.eks.wave_entry#filter) filter.
      - For a C(run_once) task of a large wave. Ansible sets the result such a task registers on every host of the
        batch, so that each host would otherwise carry the entries of every cluster of the wave, and ansible-core 2.17
        walks all of them whenever a host's template reads its own. C(playbooks/upgrade.yml) sets it.
      - Done by the action on the controller, after the module ran. The entries are files in ansible-core's temporary
        directory of the run (C(DEFAULT_LOCAL_TMP)), which goes when the run ends.
    type: bool
    default: false
"""
