#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_wave_result
short_description: Report one cluster's entry of a lifecycle.eks.eks_wave result as the module's own task would
version_added: 0.2.0
description:
  - Takes one cluster's entry of RV(lifecycle.eks.eks_wave#module:clusters) and makes it this task's result. The
    task is changed, failed (with the entry's C(msg)), warns and shows its diff as the module's own task on that
    cluster would have. A failed entry therefore fails the host alone, counts in its C(max_fail_percentage) and
    reaches its C(rescue) with the entry as C(ansible_failed_result).
  - The entry's C(ansible_facts), when its module returns facts, become the host's facts.
  - Runs on the controller only (an action plugin), with no module process and no call to AWS.
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  result:
    description:
      - One cluster's entry of an M(lifecycle.eks.eks_wave) result, such as
        C(wave | lifecycle.eks.wave_entry(inventory_hostname)) (the P(lifecycle.eks.wave_entry#filter) filter, which
        reads it whether the wave kept its entries on the controller or returned them).
      - The step modules M(lifecycle.eks.eks_cluster_upgrade), M(lifecycle.eks.eks_nodegroup_upgrade) and
        M(lifecycle.eks.eks_version_skew_facts) report their entry themselves, with their C(wave_result) option.
      - Anything else (a missing entry, the wave's whole result) fails the task, saying what was given.
    type: dict
    required: true
extends_documentation_fragment:
  - lifecycle.eks.attributes
  - lifecycle.eks.attributes.facts
attributes:
  facts:
    support: full
    details: The entry's C(ansible_facts), when its module returns facts.
  check_mode:
    support: full
    details: Reports what the wave did or, in check mode, would have done.
  diff_mode:
    support: full
    details: Shows the entry's diff, when the wave's module returned one.
notes:
  - The entry's C(wave_module) names the module that ran; a playbook's C(rescue) can use it as it would use
    C(ansible_failed_task.action).
seealso:
  - module: lifecycle.eks.eks_wave
"""

EXAMPLES = r"""
- name: Upgrade the control planes of the wave in one call
  lifecycle.eks.eks_wave:
    module: eks_cluster_upgrade
    clusters: "{{ ansible_play_batch | map('extract', hostvars) | map('lifecycle.eks.control_plane_request') | select | list }}"
    store_entries: true
  run_once: true
  register: wave

- name: Report this cluster's upgrade
  lifecycle.eks.eks_wave_result:
    result: "{{ wave | lifecycle.eks.wave_entry(inventory_hostname) }}"
  register: control_plane
  when: wave | lifecycle.eks.wave_entry(inventory_hostname) | length > 0
"""

RETURN = r"""
wave_module:
  description: The module the wave ran for this cluster.
  returned: always
  type: str
  sample: eks_cluster_upgrade
_other:
  description:
    - The rest of the entry, as the module named in RV(wave_module) returns it (its RETURN values).
  returned: always
  type: dict
"""
