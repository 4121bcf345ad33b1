# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's plugin boilerplate (coding, __future__, __metaclass__)
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # The options every cluster of a preflight call shares (preflight.call_argument_spec()), in
    # eks_upgrade_preflight and eks_fleet_preflight.
    DOCUMENTATION = r"""
options:
  kubectl_path:
    description:
      - The kubectl to check for the I(kubectl within one minor) step. Looked up on E(PATH) when unset; a missing
        kubectl only warns.
    type: path
  insights_refresh_timeout:
    description:
      - Seconds to wait for an insights refresh. When it has not finished by then, the checks use the stale
        insights and the C(upgrade-insights) check warns.
    type: int
    default: 600
  wait_delay:
    description:
      - Seconds before the first C(DescribeInsightsRefresh) poll; later polls back off up to O(wait_max_delay).
    type: float
    default: 5.0
  wait_max_delay:
    description:
      - Longest delay between two polls of an insights refresh, in seconds.
    type: float
    default: 30.0
  today:
    description:
      - The planning day, V(YYYY-MM-DD), as O(lifecycle.eks.eks_support_facts#module:today) takes it. Check
        C(controller-table-age) compares the day each controller compatibility table was recorded with it.
      - The current date in UTC when unset.
    type: str
"""
