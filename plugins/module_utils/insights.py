# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EKS upgrade insights: how old they are, and the deprecated Kubernetes APIs they report (pure, no I/O).

EKS refreshes insights every 24 hours (deprecated-API usage over a rolling 30 days), so an insight read
just before an upgrade may describe the cluster as it was a day ago. ``freshness`` says whether the
insights are older than a maximum age (the oldest ``lastRefreshTime`` counts); gather.py then starts a
refresh (StartInsightsRefresh) and reads them again. ``deprecated_api_entry`` turns a DescribeInsight
answer of a "Deprecated APIs removed in Kubernetes vX.YY" insight into the objects and replacement APIs
a person has to migrate. ``by_category`` sorts one ListInsights answer (all categories) into what
each category concerns, and ``needs_recommendation`` says which insights are described for their recommendation.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError

DEFAULT_MAX_AGE = "24h"
# Insight categories (botocore's Category enum) and statuses (InsightStatusValue).
UPGRADE_READINESS = "UPGRADE_READINESS"
MISCONFIGURATION = "MISCONFIGURATION"
ROLLBACK_READINESS = "ROLLBACK_READINESS"
PASSING, WARNING, ERROR, UNKNOWN = "PASSING", "WARNING", "ERROR", "UNKNOWN"
DEPRECATED_APIS_PREFIX = "Deprecated APIs removed in Kubernetes"
# EKS names it "EKS add-on version compatibility"; matched in lower case.
ADDON_COMPATIBILITY_NAME = "add-on version compatibility"
# Statuses of a deprecated-API insight worth a DescribeInsight: usage seen in the last 30 days.
DETAILED_STATUSES = frozenset((ERROR, WARNING))

# What happened to stale insights (the ``refresh`` of ``freshness``/``after_refresh``).
NOT_NEEDED = "not_needed"
COMPLETED = "completed"
FAILED = "failed"
TIMED_OUT = "timed_out"
NOT_STARTED_CHECK_MODE = "not_started_check_mode"

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$", re.IGNORECASE)
# /api/v1/..., /apis/GROUP/VERSION/..., optionally /namespaces/NS/, then the resource (plural).
_API_PATH = re.compile(r"^/(?:api/(?P<core>[^/]+)|apis/(?P<group>[^/]+)/(?P<version>[^/]+))"
                       r"(?:/namespaces/[^/]+)?/(?P<resource>[^/]+)")


def parse_max_age(text, option="insights_max_age"):
    """Seconds in a duration such as V(24h), V(90m), V(2d) or V(3600s); ModuleError says what is wrong."""
    match = _DURATION.match(str(text if text is not None else ""))
    if not match:
        raise ModuleError("%s must be a duration such as 24h, 90m, 2d or 3600s (a number and a unit s, m, h or d); "
                          "got %r." % (option, text))
    return float(match.group(1)) * _UNITS[match.group(2).lower()]


def parse_time(value):
    """A timezone-aware datetime from what boto3 returns (datetime), ISO 8601 text or epoch seconds; else None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, (int, float)):
        moment = datetime.datetime.fromtimestamp(value, tz=datetime.timezone.utc)
    else:
        text = str(value).strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment


def oldest_refresh(summaries):
    """The oldest lastRefreshTime of ListInsights summaries, or None when none carries one."""
    times = [parse_time(s.get("lastRefreshTime")) for s in summaries]
    times = [t for t in times if t is not None]
    return min(times) if times else None


def _hours(seconds):
    return None if seconds is None else round(seconds / 3600.0, 1)


def freshness(summaries, max_age_s, now):
    """Whether ListInsights summaries are older than ``max_age_s`` at ``now`` (an aware datetime).

    Insights without any lastRefreshTime are not called stale: there is nothing to compare.
    """
    last = oldest_refresh(summaries)
    age = None if last is None else max((now - last).total_seconds(), 0.0)
    return {"last_refresh_time": None if last is None else last.isoformat(), "age_hours": _hours(age),
            "max_age_hours": _hours(max_age_s), "stale": age is not None and age > max_age_s,
            "refresh": NOT_NEEDED, "message": None}


def after_refresh(state, outcome, message=None, summaries=None):
    """The freshness record once a refresh ended (``outcome``: COMPLETED, FAILED, TIMED_OUT...).

    A completed refresh makes the insights fresh whatever the clocks say (EKS's time is the reference;
    the controller's clock may be off); the re-read summaries give the new lastRefreshTime.
    """
    result = dict(state, refresh=outcome, message=message)
    if outcome == COMPLETED:
        last = oldest_refresh(summaries or [])
        result["stale"] = False
        if last is not None:
            result["last_refresh_time"] = last.isoformat()
            result["age_hours"] = 0.0
    return result


def stale_message(state, cluster):
    """Why the insights of ``cluster`` cannot be trusted as fresh, or "" when they can."""
    if not state or not state.get("stale"):
        return ""
    head = ("Upgrade insights of cluster %s were last refreshed %s h ago (at %s), more than the %s h allowed"
            % (cluster, state["age_hours"], state["last_refresh_time"], state["max_age_hours"]))
    message = state.get("message")
    why = {
        NOT_STARTED_CHECK_MODE: "check mode starts no refresh (StartInsightsRefresh), so they may be out of date.",
        FAILED: "the refresh failed%s." % (": " + message if message else ""),
        TIMED_OUT: "the refresh did not finish in time%s." % (" (" + message + ")" if message else ""),
    }.get(state.get("refresh"), "they were not refreshed.")
    return "%s; %s" % (head, why)


def stale_remediation(state, cluster):
    if state.get("refresh") == NOT_STARTED_CHECK_MODE:
        return ("Run without --check (the preflight then refreshes them), or run `aws eks start-insights-refresh "
                "--cluster-name %s` and check again." % cluster)
    return ("Run `aws eks start-insights-refresh --cluster-name %s`, wait until `aws eks describe-insights-refresh` "
            "says COMPLETED, and run again (or raise insights_max_age)." % cluster)


def is_deprecated_api_insight(summary):
    return str(summary.get("name") or "").startswith(DEPRECATED_APIS_PREFIX)


def needs_detail(summary):
    """True for a deprecated-API insight that found usage (worth a DescribeInsight for the objects)."""
    status = (summary.get("insightStatus") or {}).get("status")
    return is_deprecated_api_insight(summary) and status in DETAILED_STATUSES


def is_addon_compatibility_insight(summary):
    """True for EKS's "EKS add-on version compatibility" upgrade insight (its detail: addonCompatibilityDetails)."""
    return category(summary) == UPGRADE_READINESS and ADDON_COMPATIBILITY_NAME in str(summary.get("name") or "").lower()


def needs_addon_detail(summary):
    """True for an add-on compatibility insight that found an add-on incompatible with its minor: its detail says
    which versions of each add-on are compatible with that minor."""
    status = (summary.get("insightStatus") or {}).get("status")
    return is_addon_compatibility_insight(summary) and status in DETAILED_STATUSES


def passing_addon_insight(upgrade_insights, minor, state):
    """The add-on compatibility insight that vouches for every installed EKS add-on on ``minor`` (the next one), else
    None: PASSING for it (EKS found each installed add-on's version compatible with it) and not stale.

    ``upgrade_insights``: the insight facts of the path (gather.py); ``state``: their ``freshness`` (None: not judged).
    """
    if (state or {}).get("stale"):
        return None
    return next((i for i in upgrade_insights
                 if i.get("status") == PASSING and i.get("kubernetes_version") == minor
                 and ADDON_COMPATIBILITY_NAME in str(i.get("name") or "").lower()), None)


def addon_compatibility_entry(detail):
    """The add-ons a described add-on compatibility insight lists, with their versions compatible with its minor."""
    listed = (detail.get("categorySpecificSummary") or {}).get("addonCompatibilityDetails") or []
    return {"kubernetes_version": detail.get("kubernetesVersion"),
            "status": (detail.get("insightStatus") or {}).get("status"),
            "addons": [{"name": item.get("name"), "compatible_versions": list(item.get("compatibleVersions") or [])}
                       for item in listed if item.get("name")]}


def category(summary):
    """The insight's category; insights listed before EKS had categories were all upgrade insights."""
    return summary.get("category") or UPGRADE_READINESS


def by_category(summaries, versions):
    """What each category of one ListInsights answer concerns: {category: [summary, ...]}.

    Upgrade insights concern the minors the control plane lands on (``versions``); configuration insights
    (MISCONFIGURATION) the cluster as it is, so every hop; rollback-readiness insights a rollback to the
    previous minor, which the upgrade does not take. A category EKS adds later is left out: nothing judges it.
    """
    wanted = set(versions)
    found = {UPGRADE_READINESS: [], MISCONFIGURATION: [], ROLLBACK_READINESS: []}
    for summary in summaries:
        kind = category(summary)
        if kind == UPGRADE_READINESS and summary.get("kubernetesVersion") not in wanted:
            continue
        if kind in found:
            found[kind].append(summary)
    return found


def needs_recommendation(summary):
    """True when the report must carry the insight's recommendation (only DescribeInsight has it): an insight
    EKS could not evaluate (UNKNOWN), or a configuration insight that is not passing."""
    status = (summary.get("insightStatus") or {}).get("status")
    return status == UNKNOWN or (category(summary) == MISCONFIGURATION and status in DETAILED_STATUSES)


def describe_line(insight):
    """"NAME (STATUS: reason; recommendation: ...)" of an insight fact, for check messages."""
    parts = [insight.get("status") or UNKNOWN]
    if insight.get("reason"):
        parts[0] += ": " + insight["reason"].rstrip(".")
    if insight.get("recommendation"):
        parts.append("recommendation: " + insight["recommendation"].rstrip("."))
    return "%s (%s)" % (insight["name"], "; ".join(parts))


def overridden_by_force(summaries, version):
    """The upgrade insights in ERROR for ``version``: what an UpdateClusterVersion to it with force goes past."""
    return [{"kubernetes_version": version, "id": s.get("id"), "name": s.get("name"), "status": ERROR,
             "reason": (s.get("insightStatus") or {}).get("reason")}
            for s in summaries if category(s) == UPGRADE_READINESS and s.get("kubernetesVersion") == version
            and (s.get("insightStatus") or {}).get("status") == ERROR]


def _api(path):
    """(group/version, resource) of an API path or a resource URI, or None."""
    match = _API_PATH.match(str(path or ""))
    if not match:
        return None
    group_version = match.group("core") or "%s/%s" % (match.group("group"), match.group("version"))
    return group_version, match.group("resource")


def _time_text(value):
    moment = parse_time(value)
    return None if moment is None else moment.isoformat()


def deprecated_api_entry(detail):
    """The preflight report entry of a described deprecated-API insight.

    Each deprecation (API in use, its replacement, the version that stops serving it, the clients that
    called it) lists the objects of ``resources`` served by that API; ``objects`` lists them all.
    """
    resources = [r["kubernetesResourceUri"] for r in detail.get("resources") or [] if r.get("kubernetesResourceUri")]
    deprecations = []
    for item in (detail.get("categorySpecificSummary") or {}).get("deprecationDetails") or []:
        api = _api(item.get("usage"))
        objects = [uri for uri in resources if api is not None and _api(uri) == api]
        deprecations.append({
            "usage": item.get("usage"),
            "replaced_with": item.get("replacedWith"),
            "stop_serving_version": item.get("stopServingVersion"),
            "start_serving_replacement_version": item.get("startServingReplacementVersion"),
            "objects": objects,
            "clients": [{"user_agent": c.get("userAgent"),
                         "requests_last_30_days": c.get("numberOfRequestsLast30Days"),
                         "last_request_time": _time_text(c.get("lastRequestTime"))}
                        for c in item.get("clientStats") or []],
            "message": "%s -> %s (no longer served from %s): %s" % (
                item.get("usage"), item.get("replacedWith") or "no replacement",
                item.get("stopServingVersion") or detail.get("kubernetesVersion"),
                ", ".join(objects) or "no object named"),
        })
    status = detail.get("insightStatus") or {}
    return {"insight_id": detail.get("id"), "name": detail.get("name"),
            "kubernetes_version": detail.get("kubernetesVersion"), "status": status.get("status"),
            "reason": status.get("reason"), "recommendation": detail.get("recommendation"),
            "deprecations": deprecations, "objects": resources}


def deprecated_api_summary(entries):
    """One line per deprecated API in use: "USAGE -> REPLACEMENT (stops in V, N objects)"."""
    lines = []
    for entry in entries:
        for item in entry["deprecations"]:
            lines.append("%s -> %s (no longer served from %s, %d object(s))" % (
                item["usage"], item["replaced_with"] or "no replacement",
                item["stop_serving_version"] or entry["kubernetes_version"], len(item["objects"])))
    return lines
