# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's plugin boilerplate (coding, __future__, __metaclass__)
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # How the modules that wait for EKS updates poll DescribeUpdate (operations.wait_argument_spec(),
    # aws.poll()). O(wait) and O(wait_timeout) stay in each module: their wording and defaults differ.
    DOCUMENTATION = r"""
options:
  wait_delay:
    description:
      - Seconds before the first poll of an update; later polls back off up to O(wait_max_delay).
    type: float
    default: 5.0
  wait_max_delay:
    description:
      - Longest delay between two polls, in seconds. Throttling backs off further.
    type: float
    default: 30.0
  wait_poll_history:
    description:
      - Times (seconds since the epoch) of the DescribeUpdate requests earlier steps sent for this cluster, as the
        RV(poll_times) the last one returned.
      - At most 6 DescribeUpdate requests of a cluster leave in any window of twice O(wait_max_delay) (a minute by
        default), these included, so that one step after another on the same cluster keeps within the limit too.
        Each request waits for room when it is sent, botocore's retries and lookups of an update in progress
        included.
    type: list
    elements: float
    default: []
"""
