# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Settings an upgrade reads and reports but never changes (module_utils/cluster_settings.py)."""
import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils.cluster_settings import (
    changed_behind_our_back,
    settings_left_alone,
)


@pytest.mark.parametrize("cluster, expected", [
    ({"deletionProtection": True, "controlPlaneScalingConfig": {"tier": "tier-8xl"}},
     {"deletion_protection": True, "control_plane_scaling_tier": "tier-8xl"}),
    ({"deletionProtection": False, "controlPlaneScalingConfig": {"tier": "standard"}},
     {"deletion_protection": False, "control_plane_scaling_tier": "standard"}),
    # A botocore or a region that predates the settings: nothing is made up.
    ({}, {"deletion_protection": None, "control_plane_scaling_tier": None}),
    ({"controlPlaneScalingConfig": None}, {"deletion_protection": None, "control_plane_scaling_tier": None}),
])
def test_settings_as_describe_cluster_reports_them(cluster, expected):
    assert settings_left_alone(cluster) == expected


def test_unchanged_settings_say_nothing():
    same = {"deletion_protection": True, "control_plane_scaling_tier": "tier-xl"}
    assert changed_behind_our_back("prod", same, dict(same)) == []


def test_each_changed_setting_is_named_by_its_eks_field():
    before = {"deletion_protection": True, "control_plane_scaling_tier": "tier-xl"}
    after = {"deletion_protection": False, "control_plane_scaling_tier": "standard"}
    assert changed_behind_our_back("prod", before, after) == [
        "controlPlaneScalingConfig.tier of cluster prod changed during the upgrade (tier-xl -> standard), not by this "
        "collection: its UpdateClusterVersion requests carry only the version. Check who changed it.",
        "deletionProtection of cluster prod changed during the upgrade (True -> False), not by this collection: its "
        "UpdateClusterVersion requests carry only the version. Check who changed it."]
