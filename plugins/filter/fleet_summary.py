# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter lifecycle.eks.fleet_summary: one row per cluster from the per-cluster reports of a run."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.lifecycle.eks.plugins.module_utils.support import HOURS_PER_MONTH, dollars

STATUS_ORDER = ("failed", "blocked", "not-run", "planned", "upgraded", "finished")


def _stands(checkpoint, run_id):
    """The last step the cluster's checkpoint records as finished, with its run when it is an earlier one."""
    last = checkpoint.get("last_step")
    if not last:
        return ""
    finished_in = checkpoint.get("run_id")
    return last if not finished_in or finished_in == run_id else "%s (run %s)" % (last, finished_in)


def _moves(entries):
    """'name before->after' for each node group or add-on whose version changes."""
    return ["%s %s->%s" % (e["name"], e.get("before"), e.get("after")) for e in entries or []
            if e.get("before") and e.get("after") and e["before"] != e["after"]]


def _plan_detail(plan, post):
    """What check mode would do: the hops, then the node group and add-on versions (as the README promises)."""
    hops = ["%s->%s" % (h["from_version"], h["to_version"]) for h in plan.get("hops") or []]
    parts = ["hops: %s" % (", ".join(hops) or "none")]
    for label, entries in (("node groups", post.get("nodegroups")), ("add-ons", post.get("addons"))):
        moves = _moves(entries)
        if moves:
            parts.append("%s: %s" % (label, ", ".join(moves)))
    # Self-managed node groups: their nodes' minor, before -> after (the AMI changes with it).
    groups = [dict(g, before=g["before"].get("kubernetes_version"), after=g["after"].get("kubernetes_version"))
              for g in (post.get("self_managed_nodes") or {}).get("groups") or []]
    if _moves(groups):
        parts.append("self-managed node groups: %s" % ", ".join(_moves(groups)))
    return "; ".join(parts)


def _support(report):
    """Upgrade policy, support phase and extra cost per hour over standard support, of the version the cluster ran
    when preflight read it and of the target (None where preflight placed neither), and the text that says so."""
    before = report.get("support") or {}
    after = report.get("target_support") or {}
    row = {"upgrade_policy": before.get("upgrade_policy"), "support": before.get("status"),
           "target_support": after.get("status"),
           "extra_hourly_cost": (before.get("cost") or {}).get("extra_hourly_cost"),
           "target_extra_hourly_cost": (after.get("cost") or {}).get("extra_hourly_cost")}
    sides = ["%s +%s/h" % (phase, dollars(extra)) if extra is not None else phase
             for phase, extra in ((row["support"], row["extra_hourly_cost"]),
                                  (row["target_support"], row["target_extra_hourly_cost"])) if phase]
    row["support_text"] = ("%s: %s" % (row["upgrade_policy"], " -> ".join(sides))) if sides else ""
    return row


def _row(host, report, run_id):
    if report is None:
        return dict({"cluster": host, "status": "not-run", "version_before": None, "version_after": None,
                     "blockers": [], "warnings": [], "actions": 0, "api_calls": 0, "api_retries": 0,
                     "kube_retries": 0, "detail": "", "stands": "", "finished_steps": [],
                     "timeline": {"ended_at": None, "segments": []}}, **_support({}))
    control_plane = report.get("control_plane") or {}
    post = report.get("post_upgrade") or {}
    preflight = report.get("preflight") or {}
    failure = report.get("failure") or {}
    # A task that failed after starting updates returns them (the playbook's rescue keeps them under failure).
    updates = (control_plane.get("updates") or []) + (post.get("nodegroup_updates") or []) + (
        (post.get("self_managed_nodes") or {}).get("updates") or []) + (
        post.get("addon_updates") or []) + (failure.get("updates") or [])
    checkpoint = report.get("checkpoint") or {}
    detail = failure.get("msg") or ""
    plan = control_plane.get("plan") or preflight.get("plan") or {}
    if not detail and report.get("status") == "planned":
        detail = _plan_detail(plan, post)
    calls = sum(int(part.get("api_calls") or 0) for part in (preflight, control_plane))
    retries = sum(int(part.get("api_retries") or 0) for part in (preflight, control_plane))
    kube_retries = sum(int(part.get("kube_retries") or 0) for part in (preflight, control_plane, post))
    return dict({"cluster": host, "status": report.get("status"), "version_before": report.get("version_before"),
                 "version_after": report.get("version_after"),
                 "blockers": ["%s: %s" % (b["id"], b["message"]) for b in report.get("blockers") or []],
                 "warnings": [w["id"] for w in report.get("warnings") or []], "actions": len(updates),
                 "api_calls": calls, "api_retries": retries, "kube_retries": kube_retries, "detail": detail,
                 "stands": _stands(checkpoint, run_id),
                 "finished_steps": list(checkpoint.get("finished_steps") or []),
                 "timeline": {"ended_at": _ended_at(report), "segments": _segments(report)}}, **_support(report))


def _segments(report):
    """The cluster's EKS updates in the order they ran (hops, node groups, add-ons), for the timeline."""
    control_plane = report.get("control_plane") or {}
    post = report.get("post_upgrade") or {}
    failure = report.get("failure") or {}
    kinds = (("hop", control_plane.get("updates")), ("nodegroup", post.get("nodegroup_updates")),
             ("addon", post.get("addon_updates")), ("failed", failure.get("updates")))
    return [{"kind": kind, "label": "%s %s->%s" % (u.get("subject") or "", u.get("from"), u.get("to")),
             "duration_s": float(u.get("duration_s") or 0),
             "failed": kind == "failed" or u.get("status") in ("Failed", "Cancelled")}
            for kind, updates in kinds for u in updates or [] if isinstance(u, dict)]


def _ended_at(report):
    """When the cluster's checkpoint was last written (epoch seconds), the end of its timeline; None if unknown."""
    stamp = (report.get("checkpoint") or {}).get("updated_at")
    try:
        return datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
    except (TypeError, ValueError):
        return None


def _cost(rows):
    """The fleet's extra over standard support per hour and month: before the run, and once on the target."""
    now = sum(row["extra_hourly_cost"] or 0 for row in rows)
    target = sum(row["target_extra_hourly_cost"] or 0 for row in rows)
    return {"extra_hourly_cost": round(now, 4), "extra_monthly_cost": round(now * HOURS_PER_MONTH, 2),
            "target_extra_hourly_cost": round(target, 4),
            "target_extra_monthly_cost": round(target * HOURS_PER_MONTH, 2)}


def fleet_summary(reports, hosts, run_id, peers=None):
    """Rows (worst status first) and counts for ``hosts``; a report of another run counts as not run.

    ``peers`` are clusters other jobs of the run work on (the other AWX slices): each counts once its report of this
    run exists, so that the summary of the slice finishing last covers every slice.
    """
    by_host = {r.get("cluster"): r for r in reports or [] if r.get("run_id") == run_id}
    hosts = list(hosts)
    hosts += [peer for peer in dict.fromkeys(peers or []) if peer in by_host and peer not in hosts]
    rows = [_row(host, by_host.get(host), run_id) for host in hosts]
    rows.sort(key=lambda r: (STATUS_ORDER.index(r["status"]) if r["status"] in STATUS_ORDER else 0, r["cluster"]))
    counts = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return {"run_id": run_id, "clusters": rows, "counts": counts, "total": len(rows), "cost": _cost(rows),
            "ok": not any(r["status"] in ("failed", "blocked", "not-run") for r in rows)}


class FilterModule:
    def filters(self):
        return {"fleet_summary": fleet_summary}
