#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_report_write
short_description: Write a report as a JSON file on the controller, with no module process
version_added: 0.2.0
description:
  - Writes O(content) as indented JSON to O(path) on the controller, creating its directory. The file is replaced
    atomically (a reader sees the previous report or the new one, whole), with mode C(0644).
  - Runs on the controller only (an action plugin), in check mode too, since a report is an artifact of the run, not
    a change to a cluster; for the same reason the task never reports a change.
  - What C(ansible.builtin.file) and C(ansible.builtin.copy) delegated to C(localhost) would do, without their three
    module processes per host (the directory, then C(stat) and C(copy)). The C(lifecycle.eks.report) role writes each
    cluster's report with it, which saves three module processes per cluster in a fleet run.
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  path:
    description:
      - The file to write. A relative path is relative to the directory C(ansible-playbook) runs from.
    type: path
    required: true
  content:
    description:
      - The report, a mapping, written as JSON indented by two spaces, keys sorted (as C(to_nice_json) writes it),
        and a newline.
    type: dict
    required: true
extends_documentation_fragment:
  - lifecycle.eks.attributes
attributes:
  check_mode:
    support: full
    details: Writes the report in check mode too (a report of what the run would do), and reports no change.
  diff_mode:
    support: none
notes:
  - A path that cannot be written (permissions, a file where a directory must be) fails the task, naming the path.
seealso:
  - module: ansible.builtin.copy
"""

EXAMPLES = r"""
- name: Write this cluster's JSON report
  lifecycle.eks.eks_report_write:
    path: "{{ report_dir }}/clusters/{{ inventory_hostname }}.json"
    content:
      cluster: "{{ inventory_hostname }}"
      status: "{{ 'upgraded' if control_plane_result.changed else 'finished' }}"
"""

RETURN = r"""
path:
  description: The absolute path of the file written.
  returned: success
  type: str
  sample: /srv/upgrade/reports/clusters/prod-eu.json
"""
