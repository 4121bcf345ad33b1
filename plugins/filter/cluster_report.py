# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter lifecycle.eks.cluster_report: the report role's JSON report of one cluster, from what the roles before it
published (nothing of a role that did not run: a blocked or failed cluster).

Python rather than Jinja in the role's per-host task: ansible-core compiles a task's templates again in each forked
worker, while the collection's filters are loaded once in ansible-playbook's main process before the workers fork."""
from __future__ import annotations

from collections.abc import Mapping

from ansible.module_utils.parsing.convert_bool import boolean

# Marks a value the roles did not publish, which Jinja's `default(...)` replaced (a None they published is kept).
_MISSING = object()


def _published(result, *path):
    """The value at ``path`` in a role's result, or _MISSING where the result has no such key."""
    value = result
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return _MISSING
        value = value[key]
    return value


def _published_or(default, result, *path):
    value = _published(result, *path)
    return default if value is _MISSING else value


def report_status(failure, blocked, check_mode, control_plane):
    """failed (the playbook's rescue recorded a failure), blocked (by preflight), planned (check mode), upgraded (the
    control plane moved) or finished (it was at the target already)."""
    if len(failure) > 0:
        return "failed"
    if boolean(blocked, strict=False):
        return "blocked"
    if check_mode:
        return "planned"
    if boolean(_published_or(False, control_plane, "changed"), strict=False):
        return "upgraded"
    return "finished"


def _checks(preflight, status):
    return [check for check in _published_or([], preflight, "checks") if check.get("status") == status]


def cluster_report(cluster, run_id, check_mode, target_version, failure, checkpoint, blocked=False, preflight=None,
                   control_plane=None, post_upgrade=None):
    """The report of ``cluster``; ``preflight``, ``control_plane`` and ``post_upgrade`` are the roles' results
    (preflight_result, control_plane_result, post_upgrade_result), empty for a role that did not run."""
    preflight, control_plane, post_upgrade = dict(preflight or {}), dict(control_plane or {}), dict(post_upgrade or {})
    version_before = _published_or(None, preflight, "cluster", "version")
    # Settings the upgrade never changes: as the control-plane step read them before and after, else as preflight did.
    settings_as_preflight_read = {
        "before": {"deletion_protection": _published_or(None, preflight, "cluster", "deletion_protection"),
                   "control_plane_scaling_tier": _published_or(None, preflight, "cluster",
                                                               "control_plane_scaling_tier")},
        "after": None}
    return {
        "cluster": str(cluster),
        "run_id": run_id,
        "check_mode": check_mode,
        "status": report_status(failure, blocked, check_mode, control_plane),
        "target_version": str(target_version),
        "version_before": version_before,
        "version_after": _published_or(_published_or(version_before, control_plane, "version_after"),
                                       post_upgrade, "control_plane_version"),
        "blockers": _checks(preflight, "fail"),
        # The preflight checks that warn, and what the post-upgrade steps warn of (a Cluster Autoscaler release the
        # registry did not give).
        "warnings": _checks(preflight, "warn")
        + list(_published_or([], post_upgrade, "cluster_autoscaler", "warnings")),
        "deprecated_apis": _published_or([], preflight, "deprecated_apis"),
        "insights_freshness": _published_or(None, preflight, "insights_freshness"),
        "support": _published_or(None, preflight, "support"),
        "target_support": _published_or(None, preflight, "target_support"),
        "settings_left_alone": _published_or(settings_as_preflight_read, control_plane, "settings_left_alone"),
        # Karpenter and EKS Auto Mode: after the upgrade when post_upgrade ran, else as preflight saw them.
        "node_provisioners": _published_or(_published_or({}, preflight, "node_provisioners"),
                                           post_upgrade, "node_provisioners"),
        "hybrid_nodes": _published_or([], preflight, "hybrid_nodes"),
        "preflight": preflight,
        "control_plane": control_plane,
        "post_upgrade": post_upgrade,
        "failure": failure,
        "checkpoint": checkpoint,
    }


class FilterModule:
    def filters(self):
        return {"cluster_report": cluster_report}
