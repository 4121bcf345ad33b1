# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Choosing EKS add-on versions for a Kubernetes version (pure: works on DescribeAddonVersions data)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lifecycle.eks.plugins.module_utils.versions import parse_addon_version, sort_addon_versions

# The Amazon VPC CNI must move one minor version at a time (AWS: "update one minor version at a time").
ONE_MINOR_AT_A_TIME = frozenset(("vpc-cni",))


class AddonChoiceError(ValueError):
    """The wanted add-on version cannot be used on this cluster; the message says what can."""


def compatible_versions(addon_info, cluster_version):
    """(newest-first versions, default version) compatible with ``cluster_version``.

    ``addon_info`` is one entry of DescribeAddonVersions' ``addons``.
    """
    versions, default = [], None
    for item in addon_info.get("addonVersions") or []:
        for compat in item.get("compatibilities") or []:
            if compat.get("clusterVersion") == cluster_version:
                versions.append(item["addonVersion"])
                if compat.get("defaultVersion"):
                    default = item["addonVersion"]
                break
    return sort_addon_versions(versions), default


def choose_version(name, wanted, compatible, default, cluster_version):
    """The version to run: V(default), V(latest) or an explicit version that must be compatible."""
    if not compatible:
        raise AddonChoiceError("Add-on %s has no version compatible with Kubernetes %s." % (name, cluster_version))
    if wanted == "default":
        return default or compatible[0]
    if wanted == "latest":
        return compatible[0]
    if wanted not in compatible:
        raise AddonChoiceError("Add-on %s version %s is not compatible with Kubernetes %s; compatible: %s."
                               % (name, wanted, cluster_version, ", ".join(compatible[:8])))
    return wanted


def steps_to(name, current, chosen, compatible):
    """The versions to apply in order. The VPC CNI goes one minor at a time via the newest build of each minor.

    Never downgrades: a current version newer than the chosen one gives no step.
    """
    if current is None:
        return [chosen]
    now, goal = parse_addon_version(current), parse_addon_version(chosen)
    if goal <= now:
        return []
    if name not in ONE_MINOR_AT_A_TIME or goal.minor - now.minor <= 1 or goal.major != now.major:
        return [chosen]
    steps = []
    for minor in range(now.minor + 1, goal.minor):
        candidates = [v for v in compatible if parse_addon_version(v).minor == minor
                      and parse_addon_version(v).major == now.major]
        if candidates:
            steps.append(candidates[0])  # newest build of that minor
    return steps + [chosen]
