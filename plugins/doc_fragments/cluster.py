# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # The cluster option of every lifecycle.eks module (common.cluster_argument_spec()).
    DOCUMENTATION = r"""
options:
  cluster_name:
    description:
      - Name of the Amazon EKS cluster.
    type: str
    required: true
    aliases: [name]
"""
