# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters lifecycle.eks.fleet_plan, fleet_plan_markdown and fleet_plan_html: the fleet's support plan.

fleet_plan ranks the eks_support facts of every cluster (most urgent first) into one JSON-friendly
structure; the two others render that structure for people. Ranking rules live in module_utils/support.py.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import html

from ansible.errors import AnsibleFilterError
from ansible_collections.lifecycle.eks.plugins.module_utils.support import (
    HOURS_PER_MONTH,
    URGENCY_BOUNDS,
    URGENCY_LEVELS,
    SupportError,
    days_phrase,
    dollars,
    rank_fleet,
)

DEADLINE_EVENTS = {
    "end-of-standard-support": "end of standard support",
    "end-of-extended-support": "end of extended support",
}
NOT_REACHED = "no result: the host was not reached"


def _urgency_rules():
    bounds = ", ".join(f"{level} under {days} days" for level, days in URGENCY_BOUNDS)
    return (f"Urgency counts the days left to the deadline: overdue once it has passed, {bounds}, low otherwise. "
            "The deadline is the end of standard support with the STANDARD upgrade policy and the end of "
            "extended support with EXTENDED; on that day EKS upgrades the cluster automatically. Extended "
            "support is billed extra per cluster hour: within an urgency level, the cluster billed the most "
            "comes first, then the nearest deadline.")


def _pricing(rows):
    """The rates the costs were computed at, in one sentence (each distinct pair once)."""
    pairs = sorted({(row["rates"]["standard"], row["rates"]["extended"]) for row in rows if row.get("rates")})
    if not pairs:
        return ""
    rates = "; ".join(f"{dollars(standard)} in standard support, {dollars(extended)} in extended support"
                      for standard, extended in pairs)
    return (f"Control-plane price per cluster hour: {rates} (AWS's published price unless "
            "eks_control_plane_hourly_rates sets another); a month is 730 hours.")


def _entry_parts(entry, index):
    if not isinstance(entry, dict) or not entry.get("cluster"):
        raise AnsibleFilterError(f"fleet_plan: entry {index} needs a 'cluster' name, got {entry!r}")
    facts = entry.get("eks_support") or {}
    if not isinstance(facts, dict):
        raise AnsibleFilterError(f"fleet_plan: eks_support of {entry['cluster']} must be the dict "
                                 f"lifecycle.eks.eks_support_facts sets, got {facts!r}")
    return str(entry["cluster"]), facts, str(entry.get("error") or "")


def _hops(plan):
    return [f"{hop['from_version']}->{hop['to_version']}" for hop in plan.get("hops") or []]


def _row(cluster, facts):
    support = facts.get("support") or {}
    cost = support.get("cost") or {}
    plan = facts.get("plan")
    target_support = facts.get("target_support") or None
    if target_support:
        target_cost = target_support.get("cost") or {}
        kept = ("status", "urgency", "deadline", "days_to_deadline", "end_of_standard_support")
        target_support = dict({key: target_support.get(key) for key in kept},
                              extra_hourly_cost=target_cost.get("extra_hourly_cost"))
    return {
        "cluster": cluster,
        "cluster_name": (facts.get("cluster") or {}).get("name", cluster),
        "version": support.get("version"),
        "upgrade_policy": support.get("upgrade_policy"),
        "status": support.get("status"),
        "urgency": support.get("urgency"),
        "deadline": support.get("deadline"),
        "deadline_event": support.get("deadline_event"),
        "days_to_deadline": support.get("days_to_deadline"),
        "deadline_in": days_phrase(support.get("days_to_deadline")),
        "extended_support_billed": bool(support.get("extended_support_billed")),
        # What the control plane costs at the rates the facts were gathered with (null when they carry no cost).
        "rates": cost.get("rates"),
        "hourly_rate": cost.get("hourly_rate"),
        "extra_hourly_cost": cost.get("extra_hourly_cost"),
        "extra_monthly_cost": cost.get("extra_monthly_cost"),
        "extra_cost_to_deadline": cost.get("extra_cost_to_deadline"),
        "cost_message": cost.get("message", ""),
        "message": support.get("message", ""),
        "target_version": facts.get("target_version"),
        "hops": _hops(plan) if plan else [],
        "plan_feasible": plan.get("feasible") if plan else None,
        "blockers": [{key: blocker.get(key) for key in ("id", "subject", "reason", "remediation")}
                     for blocker in (plan or {}).get("blockers") or []],
        "target_support": target_support,
        "support": support,
        "plan": plan,
    }


def fleet_plan(entries, today=None, hosts=None):
    """The fleet plan: clusters most urgent first, counts per urgency, and the clusters not planned.

    ``entries`` holds one dict per cluster host: ``cluster`` (host name), ``eks_support`` (the fact of
    lifecycle.eks.eks_support_facts, empty when the module failed) and ``error`` (why it failed). A host
    of ``hosts`` without an entry is reported as not reached.
    """
    if not isinstance(entries, (list, tuple)):
        raise AnsibleFilterError(f"fleet_plan: expected a list of cluster entries, got {type(entries).__name__}")
    planned, errors, seen = [], [], set()
    for index, entry in enumerate(entries):
        cluster, facts, error = _entry_parts(entry, index)
        seen.add(cluster)
        if error or not facts.get("support"):
            errors.append({"cluster": cluster, "msg": error or "no eks_support fact was gathered"})
            continue
        planned.append({"cluster": cluster, "support": facts["support"], "facts": facts})
        today = today or facts.get("today")
    errors += [{"cluster": str(host), "msg": NOT_REACHED} for host in hosts or [] if str(host) not in seen]
    try:
        ranked = rank_fleet(planned)
    except SupportError as exc:
        raise AnsibleFilterError(f"fleet_plan: {exc}") from None
    rows = [dict(_row(item["cluster"], item["facts"]), rank=item["rank"]) for item in ranked]
    for row in rows:
        row["path"] = _hops_text(row)
    counts = {level: 0 for level in URGENCY_LEVELS}
    for row in rows:
        counts[row["urgency"]] = counts.get(row["urgency"], 0) + 1
    extra_hourly = round(sum(row["extra_hourly_cost"] or 0 for row in rows), 4)
    return {
        "today": str(today) if today else None,
        "clusters": rows,
        "order": [row["cluster"] for row in rows],
        "counts": counts,
        "extended_support_billed": [row["cluster"] for row in rows if row["extended_support_billed"]],
        # The fleet's extra over standard support: now, per hour and per month, and until EKS upgrades the clusters.
        "cost": {"extra_hourly_cost": extra_hourly, "extra_monthly_cost": round(extra_hourly * HOURS_PER_MONTH, 2),
                 "extra_cost_to_deadline": round(sum(row["extra_cost_to_deadline"] or 0 for row in rows), 2)},
        "pricing": _pricing(rows),
        "errors": sorted(errors, key=lambda error: error["cluster"]),
        "total": len(rows) + len(errors),
        "ok": not errors,
        "urgency_rules": _urgency_rules(),
    }


def _check_plan(plan, name):
    if not isinstance(plan, dict) or not isinstance(plan.get("clusters"), list):
        raise AnsibleFilterError(f"{name}: expected the result of lifecycle.eks.fleet_plan, got {type(plan).__name__}")


def _deadline_text(row):
    if not row.get("deadline"):
        return "unknown (support ended)"
    return f"{row['deadline']} ({DEADLINE_EVENTS.get(row.get('deadline_event'), row.get('deadline_event'))})"


def _hops_text(row):
    """What the table says about the path to the target."""
    if not row.get("target_version"):
        return "-"
    if row.get("plan_feasible") is False:
        ids = sorted({blocker["id"] for blocker in row["blockers"]})
        return "blocked: " + ", ".join(ids)
    return ", ".join(row["hops"]) or "none (on target)"


def _extra_text(amount):
    """A cost cell: '+$0.50', '-' when no cost is known."""
    return "-" if amount is None else "+" + dollars(amount)


def _counts_text(plan):
    parts = [f"{level}: {plan['counts'].get(level, 0)}" for level in URGENCY_LEVELS]
    billed = len(plan.get("extended_support_billed") or [])
    cost = plan.get("cost") or {}
    extra = (f" ({dollars(cost['extra_hourly_cost'])} more per hour, {dollars(cost['extra_monthly_cost'])} a month)"
             if cost.get("extra_hourly_cost") else "")
    parts.append(f"billed for extended support: {billed}{extra}")
    if cost.get("extra_cost_to_deadline"):
        parts.append(f"waiting until EKS upgrades: {dollars(cost['extra_cost_to_deadline'])} more")
    if plan.get("errors"):
        parts.append(f"not planned: {len(plan['errors'])}")
    return " · ".join(parts)


def _details(row):
    """Sentences about one cluster beyond the table: the support message, node groups first, blockers."""
    lines = [row["message"]] + ([row["cost_message"]] if row.get("cost_message") else [])
    plan = row.get("plan") or {}
    for hop in plan.get("hops") or []:
        if hop.get("nodegroups_before"):
            lines.append(f"Before {hop['from_version']}->{hop['to_version']}, update node groups "
                         f"{', '.join(hop['nodegroups_before'])} to {hop['from_version']}.")
    if plan.get("nodegroups_after"):
        lines.append(f"After the last hop, update node groups {', '.join(plan['nodegroups_after'])} to "
                     f"{row['target_version']}.")
    for blocker in row.get("blockers") or []:
        lines.append(f"Blocked ({blocker['id']}): {blocker['reason']}. {blocker.get('remediation') or ''}".strip())
    target = row.get("target_support")
    if target and target.get("urgency") in URGENCY_LEVELS[:2]:
        lines.append(f"The target {row['target_version']} is itself {target['urgency']}: its deadline is "
                     f"{target.get('deadline') or 'past'} ({days_phrase(target.get('days_to_deadline'))}).")
    if target and row.get("extra_hourly_cost") and target.get("extra_hourly_cost") == 0:
        until = f" until {target['end_of_standard_support']}" if target.get("status") == "standard" else ""
        lines.append(f"On the target {row['target_version']} the cluster pays no extended support{until}: "
                     f"{dollars(row['extra_hourly_cost'])} less per hour.")
    return lines


def _md(text):
    """Text safe inside a Markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def fleet_plan_markdown(plan):
    """The fleet plan as Markdown: counts, the ranked table, details per cluster, clusters not planned."""
    _check_plan(plan, "fleet_plan_markdown")
    lines = [f"# EKS fleet support plan ({plan.get('today') or 'today'})", "", _counts_text(plan), "",
             "| # | cluster | version | policy | support | extra per hour | urgency | deadline | days left | "
             "waiting costs | target | hops |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in plan["clusters"]:
        cells = [row["rank"], row["cluster"], row["version"], row["upgrade_policy"], row["status"],
                 _extra_text(row.get("extra_hourly_cost")), row["urgency"], _deadline_text(row), row["deadline_in"],
                 _extra_text(row.get("extra_cost_to_deadline")), row.get("target_version") or "-", row["path"]]
        lines.append("| " + " | ".join(_md(cell) for cell in cells) + " |")
    if plan["clusters"]:
        lines += ["", "## Order and details", ""]
        for row in plan["clusters"]:
            lines.append(f"{row['rank']}. **{row['cluster']}** ({row['urgency']}): " + " ".join(_details(row)))
    if plan.get("errors"):
        lines += ["", "## Not planned", ""]
        lines += [f"- **{error['cluster']}**: {error['msg']}" for error in plan["errors"]]
    lines += ["", plan.get("urgency_rules") or _urgency_rules(), ""]
    if plan.get("pricing"):
        lines += [plan["pricing"], ""]
    return "\n".join(lines)


_STYLE = """body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.4em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.urgency { font-weight: bold; border-radius: 3px; padding: 0.1em 0.5em; }
.overdue { background: #f8d0d0; } .critical { background: #fbe3c0; } .high { background: #fdf3c4; }
.medium { background: #dde8fb; } .low { background: #e8f5e8; } .error { background: #e0e0e0; }"""


def fleet_plan_html(plan):
    """The fleet plan as a standalone HTML page (every value escaped)."""
    _check_plan(plan, "fleet_plan_html")
    esc = html.escape
    title = f"EKS fleet support plan ({plan.get('today') or 'today'})"
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">', f"<title>{esc(title)}</title>",
             f"<style>\n{_STYLE}\n</style>", "</head>", "<body>", f"<h1>{esc(title)}</h1>",
             f"<p>{esc(_counts_text(plan))}</p>", "<table>",
             "<tr><th>#</th><th>cluster</th><th>version</th><th>policy</th><th>support</th><th>extra per hour</th>"
             "<th>urgency</th><th>deadline</th><th>days left</th><th>waiting costs</th><th>target</th><th>hops</th>"
             "<th>details</th></tr>"]
    for row in plan["clusters"]:
        urgency = str(row["urgency"])
        level = urgency if urgency in URGENCY_LEVELS else "error"
        details = "".join(f"<li>{esc(line)}</li>" for line in _details(row))
        parts.append(
            f"<tr><td>{row['rank']}</td><td>{esc(row['cluster'])}</td><td>{esc(str(row['version']))}</td>"
            f"<td>{esc(str(row['upgrade_policy']))}</td><td>{esc(str(row['status']))}</td>"
            f"<td>{esc(_extra_text(row.get('extra_hourly_cost')))}</td>"
            f'<td><span class="urgency {level}">{esc(urgency)}</span></td><td>{esc(_deadline_text(row))}</td>'
            f"<td>{esc(row['deadline_in'])}</td><td>{esc(_extra_text(row.get('extra_cost_to_deadline')))}</td>"
            f"<td>{esc(row.get('target_version') or '-')}</td>"
            f"<td>{esc(row['path'])}</td><td><ul>{details}</ul></td></tr>")
    parts.append("</table>")
    if plan.get("errors"):
        parts.append("<h2>Not planned</h2>")
        parts.append("<ul>" + "".join(f'<li><span class="urgency error">{esc(error["cluster"])}</span> '
                                      f"{esc(error['msg'])}</li>" for error in plan["errors"]) + "</ul>")
    parts.append(f"<p>{esc(plan.get('urgency_rules') or _urgency_rules())}</p>")
    if plan.get("pricing"):
        parts.append(f"<p>{esc(plan['pricing'])}</p>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


class FilterModule:
    def filters(self):
        return {"fleet_plan": fleet_plan, "fleet_plan_markdown": fleet_plan_markdown,
                "fleet_plan_html": fleet_plan_html}
