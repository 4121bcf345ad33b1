# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Control-plane version rollback: the record a rollback needs, and whether a cluster can be rolled back now.

EKS rolls a control plane back one minor (UpdateClusterVersion to N-1, an update of type VersionRollback)
within 7 days of an in-place upgrade to N, when the cluster is ACTIVE with no other update in progress and no
ROLLBACK_READINESS insight is ERROR (``force`` overrides the insights, nothing else). EKS does not roll add-ons
or node groups back, and a kubelet may not be newer than the API server: node groups upgraded to N must go back
to N-1 first. The rollback record, taken before each hop of an upgrade, keeps what was there before the hop.

``read_versions``, ``snapshot`` and ``version_history`` call AWS (through ``Clients``); the rest is pure.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import concurrent.futures
import datetime

from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import parse_kube_version

ROLLBACK_WINDOW = datetime.timedelta(days=7)
TIMEOUT_MINUTES = (120, 10080)  # rollbackConfig.timeoutMinutes: 2 hours to 7 days
VERSION_UPDATE = "VersionUpdate"
VERSION_ROLLBACK = "VersionRollback"
SUCCESSFUL = "Successful"
IN_PROGRESS = "InProgress"
ROLLBACK_READINESS = "ROLLBACK_READINESS"
MAX_WORKERS = 8

PASS, FAIL, OVERRIDDEN, SKIPPED = "pass", "fail", "overridden", "skipped"


def utcnow():
    """The current time, timezone-aware (tests replace this function)."""
    return datetime.datetime.now(datetime.timezone.utc)


def as_datetime(value):
    """An aware UTC datetime from boto3's datetime or an ISO 8601 string (as reports hold it)."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, datetime.datetime):
        raise ModuleError("Expected a date and time, got %r." % (value,))
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc)


def _param(update, name):
    for item in update.get("params") or []:
        if item.get("type") == name:
            return item.get("value")
    return None


# Reading AWS ----------------------------------------------------------------------------------


def read_versions(clients, name):
    """The cluster's EKS add-ons ``{name: version}`` and managed node groups ``{name: {version, ...}}`` now."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=MAX_WORKERS) as pool:
        listed = {"nodegroups": pool.submit(clients.list_nodegroups, name),
                  "addons": pool.submit(clients.list_addons, name)}
        groups = list(pool.map(lambda n: clients.describe_nodegroup(name, n), listed["nodegroups"].result()))
        addons = list(pool.map(lambda n: clients.describe_addon(name, n), listed["addons"].result()))
    return ({a["addonName"]: a.get("addonVersion") for a in addons if a},
            {g["nodegroupName"]: {"version": g.get("version"), "release_version": g.get("releaseVersion"),
                                  "status": g.get("status")} for g in groups})


def snapshot(clients, name, from_version, to_version, now=None):
    """The rollback record of the hop ``from_version`` -> ``to_version``, read just before it starts."""
    addons, nodegroups = read_versions(clients, name)
    return build_record(name, from_version, to_version, addons, nodegroups, now or utcnow())


def version_history(clients, name):
    """Cluster updates, newest first, described back to the last version change (older ones cannot matter).

    Relies on ListUpdates listing the oldest first, as ``operations.find_in_progress`` does.
    """
    described = []
    for update_id in reversed(clients.list_updates(name)):
        update = clients.describe_update(name, update_id)
        described.append(update)
        if update.get("status") == SUCCESSFUL and update.get("type") in (VERSION_UPDATE, VERSION_ROLLBACK):
            break
    return described


# The rollback record --------------------------------------------------------------------------


def build_record(cluster, from_version, to_version, addons, nodegroups, now):
    """What a rollback of this hop needs to know: versions before it, and when it was taken."""
    return {
        "cluster": cluster,
        "from_version": str(from_version),
        "to_version": str(to_version),
        "recorded_at": as_datetime(now).isoformat(),
        "addons": dict(sorted(addons.items())),
        "nodegroups": {n: {"version": g.get("version"), "release_version": g.get("release_version")}
                       for n, g in sorted(nodegroups.items())},
    }


def validate_records(records):
    """The ``rollback_records`` option, checked: each a dict with from_version and to_version."""
    checked = []
    for index, item in enumerate(records or []):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("from_version", "to_version")):
            raise ModuleError("rollback_records[%d] is not a rollback record (a dict with from_version and "
                              "to_version, as eks_cluster_upgrade returns it in updates[].rollback_record): %r"
                              % (index, item))
        parse_kube_version(item["from_version"])
        parse_kube_version(item["to_version"])
        checked.append(item)
    return checked


def select_record(records, current, target):
    """The latest record of the hop ``target`` -> ``current``, or None."""
    matching = [r for r in records if parse_kube_version(r["from_version"]) == target
                and parse_kube_version(r["to_version"]) == current]
    return max(matching, key=lambda r: r.get("recorded_at") or "", default=None)


def left_behind(record, addons, nodegroups, target):
    """What the rollback leaves as it is (add-ons, node groups), compared with the record when there is one."""
    before_addons = (record or {}).get("addons") or {}
    before_groups = (record or {}).get("nodegroups") or {}
    advice = []
    addon_rows = []
    for name, version in sorted(addons.items()):
        before = before_addons.get(name)
        addon_rows.append({"name": name, "version": version, "before_upgrade": before})
        if before and before != version:
            advice.append("add-on %s stays on %s (it was %s before the upgrade): EKS does not roll add-ons back; if "
                          "%s does not support Kubernetes %s, update it to a compatible version such as %s"
                          % (name, version, before, version, target, before))
    group_rows = []
    for name, group in sorted(nodegroups.items()):
        before = before_groups.get(name)
        group_rows.append({"name": name, "version": group.get("version"),
                           "release_version": group.get("release_version"), "before_upgrade": before})
        if before and before.get("release_version") != group.get("release_version"):
            advice.append("node group %s stays on %s (it was %s before the upgrade): EKS does not roll node groups "
                          "back" % (name, group.get("release_version"), before.get("release_version")))
    if record is None:
        advice.append("no rollback record of the upgrade to compare with: pass the rollback_record of the upgrade "
                      "report (updates[].rollback_record) to see what changed since")
    return {"addons": addon_rows, "nodegroups": group_rows, "advice": advice}


# What to do -----------------------------------------------------------------------------------


def check_timeout(minutes):
    """Refuse a rollbackConfig.timeoutMinutes EKS would refuse."""
    low, high = TIMEOUT_MINUTES
    if minutes is not None and not low <= minutes <= high:
        raise ModuleError("rollback_timeout must be between %d and %d minutes (2 hours to 7 days), got %s."
                          % (low, high, minutes))


def _newest_first(updates):
    return sorted(updates, key=lambda u: as_datetime(u["createdAt"]), reverse=True)


def last_version_change(updates):
    """The newest Successful VersionUpdate or VersionRollback, or None."""
    return next((u for u in _newest_first(updates)
                 if u.get("status") == SUCCESSFUL and u.get("type") in (VERSION_UPDATE, VERSION_ROLLBACK)), None)


def running_update(updates):
    return next((u for u in _newest_first(updates) if u.get("status") == IN_PROGRESS), None)


def situation(cluster_name, current, expected, updates):
    """What the module has to do: ``(action, target, detail)``.

    action is ``none`` (detail: why), ``resume`` (detail: the VersionRollback in progress) or ``assess``.
    Raises ModuleError when ``expected`` cannot be reached by a rollback.
    """
    current = parse_kube_version(current)
    if expected is not None and expected == current:
        return "none", expected, "cluster %s is already on %s" % (cluster_name, expected)
    target = current - 1
    if expected is not None and expected > current:
        raise ModuleError("Cannot roll cluster %s back to %s: that is newer than its version %s. A rollback goes back "
                          "one minor; use lifecycle.eks.eks_cluster_upgrade to upgrade."
                          % (cluster_name, expected, current))
    if expected is not None and expected != target:
        raise ModuleError("Cannot roll cluster %s back to %s: it is on %s, and EKS rolls a control plane back one "
                          "minor only, to %s." % (cluster_name, expected, current, target))
    running = running_update(updates)
    if running is not None and running.get("type") == VERSION_ROLLBACK and _param(running, "Version") == str(target):
        return "resume", target, running
    last = last_version_change(updates)
    if (expected is None and running is None and last is not None and last.get("type") == VERSION_ROLLBACK
            and _param(last, "Version") == str(current)):
        reason = "cluster %s was already rolled back to %s (update %s)" % (cluster_name, current, last["id"])
        return "none", current, reason
    return "assess", target, None


def _check(check_id, status, message, remediation=None):
    entry = {"id": check_id, "status": status, "message": message}
    if remediation and status == FAIL:
        entry["remediation"] = remediation
    return entry


def _upgrade_checks(cluster_name, current, target, updates, now):
    last = last_version_change(updates)
    upgraded = last is not None and last.get("type") == VERSION_UPDATE and _param(last, "Version") == str(current)
    if upgraded:
        started = as_datetime(last["createdAt"])
        closes = started + ROLLBACK_WINDOW
        upgrade = {"id": last["id"], "to_version": str(current), "created_at": started.isoformat(),
                   "window_closes_at": closes.isoformat()}
        checks = [_check("in-place-upgrade", PASS,
                         "update %s upgraded the cluster to %s in place" % (last["id"], current))]
        if now <= closes:
            checks.append(_check("rollback-window", PASS, "the 7-day rollback window closes about %s"
                                 % closes.isoformat()))
        else:
            checks.append(_check(
                "rollback-window", FAIL, "the 7-day rollback window closed about %s (update %s started %s)"
                % (closes.isoformat(), last["id"], started.isoformat()),
                "EKS no longer rolls this cluster back: fix forward on %s, or move the workloads to a new %s cluster "
                "(blue/green)" % (current, target)))
        return upgrade, checks
    if last is not None and last.get("type") == VERSION_ROLLBACK:
        why = "update %s already rolled the cluster back to %s; EKS rolls back once, one minor" % (
            last["id"], _param(last, "Version"))
    elif last is not None:
        why = "the last version change on record (update %s) went to %s, not to %s" % (
            last["id"], _param(last, "Version"), current)
    else:
        why = "no in-place upgrade of cluster %s to %s is on record: a cluster created at its version" % (
            cluster_name, current)
    return None, [
        _check("in-place-upgrade", FAIL, why,
               "EKS only rolls back an in-place upgrade, within 7 days: nothing to roll back here"),
        _check("rollback-window", SKIPPED, "no in-place upgrade to measure the window from"),
    ]


def _blocking_insights(insights, current, target):
    versions = (str(current), str(target))
    return [{"id": i.get("id"), "name": i.get("name"), "kubernetes_version": i.get("kubernetesVersion"),
             "reason": (i.get("insightStatus") or {}).get("reason")}
            for i in insights
            if i.get("category", ROLLBACK_READINESS) == ROLLBACK_READINESS
            and (i.get("insightStatus") or {}).get("status") == "ERROR"
            and i.get("kubernetesVersion") in versions]


def assess(cluster, target, updates, insights, nodegroups, now, force=False):
    """The readiness verdict of rolling ``cluster`` (DescribeCluster) back to ``target``.

    ``updates`` are described cluster updates, ``insights`` ListInsights summaries of the ROLLBACK_READINESS
    category, ``nodegroups`` ``{name: {version, ...}}``. Returns ``{ready, current_version, target_version,
    force, checks, last_upgrade, blocking_insights}``; each check has an id, a status (pass, fail, overridden,
    skipped), a message and, when it fails, a remediation.
    """
    name = cluster.get("name")
    current = parse_kube_version(cluster["version"])
    target = parse_kube_version(target)
    now = as_datetime(now)
    status = cluster.get("status")
    checks = [_check("cluster-active", PASS if status == "ACTIVE" else FAIL, "cluster %s is %s" % (name, status),
                     "wait until the cluster is ACTIVE, then rerun")]
    running = running_update(updates)
    if running is None:
        checks.append(_check("no-update-in-progress", PASS, "no update in progress"))
    else:
        checks.append(_check("no-update-in-progress", FAIL, "update %s (%s to %s) is in progress"
                             % (running["id"], running.get("type"), _param(running, "Version")),
                             "wait for it to end, then rerun"))
    upgrade, window_checks = _upgrade_checks(name, current, target, updates, now)
    checks += window_checks
    ahead = sorted((n, g.get("version")) for n, g in nodegroups.items()
                   if parse_kube_version(g.get("version")) > target)
    if not ahead:
        checks.append(_check("nodegroups-not-ahead", PASS, "no managed node group is newer than %s" % target))
    else:
        groups = ", ".join("%s (%s)" % pair for pair in ahead)
        checks.append(_check(
            "nodegroups-not-ahead", FAIL,
            "managed node groups %s were upgraded past %s, and a kubelet may not be newer than the API server"
            % (groups, target),
            "roll them back first (EKS never does): aws eks update-nodegroup-version --cluster-name %s "
            "--nodegroup-name NAME --kubernetes-version %s for each, wait until they are ACTIVE on %s, then rerun"
            % (name, target, target)))
    blocking = _blocking_insights(insights, current, target)
    if not blocking:
        checks.append(_check("rollback-insights", PASS, "no ROLLBACK_READINESS insight is ERROR"))
    else:
        listed = "; ".join("%s: %s" % (i["name"], i["reason"]) for i in blocking)
        checks.append(_check(
            "rollback-insights", OVERRIDDEN if force else FAIL,
            "ROLLBACK_READINESS insights in ERROR: %s%s" % (listed, " (overridden by force)" if force else ""),
            "resolve them (aws eks list-insights --cluster-name %s --filter categories=ROLLBACK_READINESS), or "
            "accept the risk with force" % name))
    return {"ready": all(c["status"] != FAIL for c in checks), "current_version": str(current),
            "target_version": str(target), "force": bool(force), "checks": checks, "last_upgrade": upgrade,
            "blocking_insights": blocking}


def refusal(cluster_name, readiness):
    """The failure message of a rollback that is not ready: every failed check and what to do."""
    failed = ["%s: %s. Fix: %s" % (c["id"], c["message"].rstrip("."), c["remediation"]) for c in readiness["checks"]
              if c["status"] == FAIL]
    return "Rollback of cluster %s from %s to %s refused: %s." % (
        cluster_name, readiness["current_version"], readiness["target_version"], "; ".join(failed))
