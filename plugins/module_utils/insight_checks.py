# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's module_utils boilerplate (coding, __future__, __metaclass__)
"""Checks upgrade-insights and configuration-insights over the insights gathered (pure). Check results are
``(status, message[, remediation])`` for checks.py."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lifecycle.eks.plugins.module_utils.insights import (
    COMPLETED,
    ERROR,
    UNKNOWN,
    WARNING,
    deprecated_api_summary,
    describe_line,
    stale_message,
    stale_remediation,
)

PASS, WARN, FAIL = "pass", "warn", "fail"


def _not_evaluated(unknown, cluster):
    """(message, remediation) parts for insights EKS could not evaluate (UNKNOWN): never a pass."""
    if not unknown:
        return "", ""
    return (" EKS could not evaluate (UNKNOWN): %s." % "; ".join(describe_line(i) for i in unknown),
            " An UNKNOWN insight is not a pass: check by hand what it checks (its recommendation), or run `aws eks "
            "start-insights-refresh --cluster-name %s` and check again once EKS has evaluated it." % cluster)


def readiness_verdict(facts, target):
    """UPGRADE_READINESS insights of the minors on the path: ERROR fails (EKS refuses such an update unless
    forced), WARNING and UNKNOWN warn. UNKNOWN warns rather than fails: EKS does not refuse an update on it, and
    only EKS can evaluate it again (a refresh)."""
    insights = facts.get("insights")
    if insights is None:
        return (WARN, "Upgrade insights could not be read.",
                "Grant eks:ListInsights or review insights in the console.")
    cluster = facts["cluster"]["name"]
    freshness = facts.get("insights_freshness") or {}
    stale = stale_message(freshness, cluster)
    deprecated = deprecated_api_summary(facts.get("deprecated_apis") or [])
    uses = (" Deprecated APIs in use: %s." % "; ".join(deprecated)) if deprecated else ""
    migrate = (" Migrate the objects and clients listed in deprecated_apis to the replacement APIs before "
               "updating to %s." % target) if deprecated else ""
    errors = [i for i in insights if i["status"] == ERROR]
    warnings = [i for i in insights if i["status"] == WARNING]
    unknown_text, unknown_fix = _not_evaluated([i for i in insights if i["status"] == UNKNOWN], cluster)
    if errors:
        named = "; ".join("%s (%s)" % (i["name"], i.get("reason") or "") for i in errors)
        return (FAIL,
                ("EKS upgrade insights report errors: %s.%s%s %s" % (named, uses, unknown_text, stale)).strip(),
                "Fix what the insights describe (eks:DescribeInsight gives the resources), or pass force only if you "
                "accept the risk." + migrate + unknown_fix)
    if stale:
        listed = (" They warn: %s." % "; ".join(i["name"] for i in warnings)) if warnings else ""
        return (WARN, stale + listed + unknown_text + uses,
                stale_remediation(freshness, cluster) + migrate + unknown_fix)
    if warnings or unknown_text:
        listed = ("EKS upgrade insights warn: %s." % "; ".join(i["name"] for i in warnings)) if warnings else ""
        return (WARN, (listed + unknown_text + uses).strip(),
                (migrate + unknown_fix).strip())
    refreshed = " (refreshed before the checks)" if freshness.get("refresh") == COMPLETED else ""
    return (PASS, "%d upgrade insight(s) passing%s." % (len(insights), refreshed))


def configuration_verdict(facts):
    """MISCONFIGURATION insights (EKS Hybrid Nodes setup) concern the cluster as it is, so every hop: ERROR fails,
    WARNING and UNKNOWN warn, each named with EKS's recommendation."""
    found = facts.get("configuration_insights")
    if found is None:
        return (WARN, "Configuration insights could not be read.",
                "Grant eks:ListInsights and eks:DescribeInsight, or review the cluster's configuration "
                "insights in the console.")
    cluster = facts["cluster"]["name"]
    errors = [i for i in found if i["status"] == ERROR]
    warnings = [i for i in found if i["status"] == WARNING]
    unknown_text, unknown_fix = _not_evaluated([i for i in found if i["status"] == UNKNOWN], cluster)
    fix = ("Fix the configuration each insight names as its recommendation says (aws eks describe-insight "
           "--cluster-name %s --id ID), then refresh the insights (aws eks start-insights-refresh)." % cluster)
    if errors:
        return (FAIL, "EKS configuration insights report errors: %s.%s%s" % (
            "; ".join(describe_line(i) for i in errors),
            (" They warn: %s." % "; ".join(describe_line(i) for i in warnings)) if warnings else "", unknown_text),
            fix + unknown_fix)
    if warnings or unknown_text:
        listed = ("EKS configuration insights warn: %s." % "; ".join(describe_line(i) for i in warnings)
                  if warnings else "")
        return (WARN, (listed + unknown_text).strip(),
                ((fix if warnings else "") + unknown_fix).strip())
    if not found:
        return (PASS, "No configuration insight is reported for this cluster.")
    return (PASS, "%d configuration insight(s) passing." % len(found))
