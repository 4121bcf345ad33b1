# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's module_utils boilerplate (coding, __future__, __metaclass__)
"""Cluster settings an upgrade reads and reports but never changes.

deletionProtection (2025-08) and controlPlaneScalingConfig (EKS Provisioned Control Plane, 2025-11) are set
with CreateCluster or UpdateClusterConfig, which the collection never calls; its UpdateClusterVersion requests
carry only the cluster name, the version, a clientRequestToken and, when asked for, force. The settings are
reported so that a report shows them unchanged across the upgrade.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type


# Our name of each setting -> EKS's.
EKS_FIELDS = {"deletion_protection": "deletionProtection",
              "control_plane_scaling_tier": "controlPlaneScalingConfig.tier"}


def settings_left_alone(cluster):
    """{deletion_protection, control_plane_scaling_tier} of a DescribeCluster result; None where EKS says nothing
    (a botocore or a region that predates the setting)."""
    scaling = cluster.get("controlPlaneScalingConfig") or {}
    return {"deletion_protection": cluster.get("deletionProtection"),
            "control_plane_scaling_tier": scaling.get("tier")}


def changed_behind_our_back(name, before, after):
    """A sentence per setting that differs between two settings_left_alone() reads of cluster ``name``."""
    return ["%s of cluster %s changed during the upgrade (%s -> %s), not by this collection: its UpdateClusterVersion "
            "requests carry only the version. Check who changed it." % (EKS_FIELDS[key], name, before[key], after[key])
            for key in sorted(EKS_FIELDS) if before.get(key) != after.get(key)]
