# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's plugin boilerplate (coding, __future__, __metaclass__)
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # The control-plane price option (support.parse_hourly_rates()) of eks_support_facts and eks_upgrade_preflight;
    # eks_fleet_preflight repeats it in its clusters[] suboptions.
    DOCUMENTATION = r"""
options:
  control_plane_hourly_rates:
    description:
      - What the cluster's control plane costs per hour, in US dollars, while its Kubernetes version is in standard
        support (C(standard)) and in extended support (C(extended), the total, not the surcharge). Give one or both;
        the other keeps AWS's rate.
      - The default is AWS's published price, V(0.10) and V(0.60) (Amazon EKS pricing,
        U(https://aws.amazon.com/eks/pricing/)). Set your own for another region, currency or agreement.
      - The support cost (C(support.cost)) is computed from it; nothing is sent to AWS. C(extended) below C(standard)
        is refused before any AWS call.
    type: dict
    default: {}
"""
