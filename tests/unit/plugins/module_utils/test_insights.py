# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Staleness of upgrade insights and the deprecated-API report (plugins/module_utils/insights.py): pure logic."""
import datetime

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import insights
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
HOUR = 3600.0


def summary(name="Kubelet version skew", hours_ago=1.0, status="PASSING"):
    return {"id": name.lower().replace(" ", "-"), "name": name, "kubernetesVersion": "1.30",
            "lastRefreshTime": NOW - datetime.timedelta(hours=hours_ago), "insightStatus": {"status": status}}


@pytest.mark.parametrize("text, seconds", [
    ("24h", 86400), ("90m", 5400), ("2d", 172800), ("3600s", 3600), ("0s", 0), ("1.5h", 5400), (" 12 H ", 43200),
])
def test_parse_max_age(text, seconds):
    assert insights.parse_max_age(text) == seconds


@pytest.mark.parametrize("text", ["", None, "24", "h", "-1h", "1w", "24 hours", "1h30m", "abc"])
def test_parse_max_age_refuses_what_is_not_a_duration(text):
    with pytest.raises(ModuleError) as excinfo:
        insights.parse_max_age(text)
    assert excinfo.value.message.startswith("insights_max_age must be a duration such as 24h, 90m, 2d or 3600s")
    assert repr(text) in excinfo.value.message


@pytest.mark.parametrize("value, expected", [
    (datetime.datetime(2026, 3, 2, 12, 0, tzinfo=UTC), NOW),
    (datetime.datetime(2026, 3, 2, 12, 0), NOW),  # naive: UTC
    ("2026-03-02T12:00:00+00:00", NOW),
    ("2026-03-02T12:00:00Z", NOW),
    ("2026-03-02T13:00:00+01:00", NOW),
    (NOW.timestamp(), NOW),
    ("yesterday", None),
    ("", None),
    (None, None),
])
def test_parse_time(value, expected):
    assert insights.parse_time(value) == expected


def test_fresh_insights_are_not_stale():
    state = insights.freshness([summary(hours_ago=2), summary("Cluster health issues", hours_ago=3)], 24 * HOUR, NOW)
    assert state == {"last_refresh_time": (NOW - datetime.timedelta(hours=3)).isoformat(), "age_hours": 3.0,
                     "max_age_hours": 24.0, "stale": False, "refresh": insights.NOT_NEEDED, "message": None}
    assert insights.stale_message(state, "prod") == ""


def test_the_oldest_refresh_time_decides():
    state = insights.freshness([summary(hours_ago=1), summary("Cluster health issues", hours_ago=30)], 24 * HOUR, NOW)
    assert (state["stale"], state["age_hours"]) == (True, 30.0)


@pytest.mark.parametrize("hours_ago, max_age, stale", [(24.0, "24h", False), (24.01, "24h", True), (0.5, "0s", True),
                                                       (5, "6h", False), (7, "6h", True)])
def test_staleness_boundary(hours_ago, max_age, stale):
    state = insights.freshness([summary(hours_ago=hours_ago)], insights.parse_max_age(max_age), NOW)
    assert state["stale"] is stale


def test_insights_without_refresh_time_are_not_called_stale():
    state = insights.freshness([{"id": "x", "name": "n"}], 24 * HOUR, NOW)
    assert (state["stale"], state["last_refresh_time"], state["age_hours"]) == (False, None, None)
    assert insights.freshness([], 24 * HOUR, NOW)["stale"] is False


def test_a_refresh_time_in_the_future_counts_as_fresh():
    state = insights.freshness([summary(hours_ago=-2)], 0, NOW)  # controller clock behind AWS's
    assert (state["stale"], state["age_hours"]) == (False, 0.0)


def test_completed_refresh_makes_insights_fresh_whatever_the_clocks_say():
    stale = insights.freshness([summary(hours_ago=30)], 24 * HOUR, NOW)
    refreshed = [summary(hours_ago=-0.1)]
    state = insights.after_refresh(stale, insights.COMPLETED, None, refreshed)
    assert state["stale"] is False and state["refresh"] == insights.COMPLETED
    assert state["last_refresh_time"] == refreshed[0]["lastRefreshTime"].isoformat()
    assert insights.stale_message(state, "prod") == ""


@pytest.mark.parametrize("outcome, message, fragment", [
    (insights.NOT_STARTED_CHECK_MODE, None, "check mode starts no refresh (StartInsightsRefresh)"),
    (insights.FAILED, "Insights refresh failed. Try again later.",
     "the refresh failed: Insights refresh failed. Try again later."),
    (insights.TIMED_OUT, "Timed out after 600 s", "the refresh did not finish in time (Timed out after 600 s)."),
])
def test_stale_message_says_why_insights_stayed_stale(outcome, message, fragment):
    state = insights.after_refresh(insights.freshness([summary(hours_ago=30)], 24 * HOUR, NOW), outcome, message)
    assert state["stale"] is True
    text = insights.stale_message(state, "prod")
    assert text.startswith("Upgrade insights of cluster prod were last refreshed 30.0 h ago (at 2026-03-01T06:00:00")
    assert "more than the 24.0 h allowed" in text
    assert fragment in text
    remediation = insights.stale_remediation(state, "prod")
    assert "aws eks start-insights-refresh --cluster-name prod" in remediation
    if outcome == insights.NOT_STARTED_CHECK_MODE:
        assert "without --check" in remediation


@pytest.mark.parametrize("name, status, detailed", [
    ("Deprecated APIs removed in Kubernetes v1.29", "ERROR", True),
    ("Deprecated APIs removed in Kubernetes v1.32", "WARNING", True),
    ("Deprecated APIs removed in Kubernetes v1.30", "PASSING", False),
    ("Deprecated APIs removed in Kubernetes v1.30", "UNKNOWN", False),
    ("Kubelet version skew", "ERROR", False),
])
def test_only_deprecated_api_insights_with_usage_are_described(name, status, detailed):
    assert insights.needs_detail(summary(name, status=status)) is detailed


# --- every category and status -------------------------------------------------------------------------------

CATEGORIES = ("UPGRADE_READINESS", "MISCONFIGURATION", "ROLLBACK_READINESS")
STATUSES = ("PASSING", "WARNING", "ERROR", "UNKNOWN")


def categorized(category, version, status="PASSING", name=None):
    return {"id": "%s-%s-%s" % (category, version, status), "name": name or "%s check" % category,
            "category": category, "kubernetesVersion": version, "insightStatus": {"status": status}}


def test_the_categories_and_statuses_are_botocores():
    """The names this module uses are the ones of botocore's EKS model (Category, InsightStatusValue)."""
    botocore_session = pytest.importorskip("botocore.session")
    model = botocore_session.get_session().get_service_model("eks")
    assert set(model.shape_for("Category").enum) == {
        insights.UPGRADE_READINESS, insights.MISCONFIGURATION, insights.ROLLBACK_READINESS}
    assert set(model.shape_for("InsightStatusValue").enum) == {
        insights.PASSING, insights.WARNING, insights.ERROR, insights.UNKNOWN}


@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("version, on_path", [("1.30", True), ("1.31", True), ("1.29", False), ("1.32", False),
                                              (None, False)])
def test_by_category_keeps_what_each_category_concerns(category, version, on_path):
    """Upgrade insights: only the minors on the path; configuration and rollback insights: all of them."""
    found = insights.by_category([categorized(category, version)], ["1.30", "1.31"])
    assert set(found) == set(CATEGORIES)
    kept = category != "UPGRADE_READINESS" or on_path
    assert [s["id"] for s in found[category]] == ([categorized(category, version)["id"]] if kept else [])
    assert all(found[other] == [] for other in CATEGORIES if other != category)


def test_by_category_without_a_category_is_an_upgrade_insight_and_a_new_category_is_left_out():
    legacy = {"id": "old", "name": "Kubelet version skew", "kubernetesVersion": "1.30",
              "insightStatus": {"status": "PASSING"}}
    found = insights.by_category([legacy, categorized("COST_OPTIMIZATION", "1.30")], ["1.30"])
    assert found == {"UPGRADE_READINESS": [legacy], "MISCONFIGURATION": [], "ROLLBACK_READINESS": []}
    assert insights.category(legacy) == "UPGRADE_READINESS"


def test_by_category_keeps_the_order_of_listinsights():
    summaries = [categorized(c, "1.30", s, name="%s %s" % (c, s)) for s in STATUSES for c in CATEGORIES]
    found = insights.by_category(summaries, ["1.30"])
    for category in CATEGORIES:
        assert [s["insightStatus"]["status"] for s in found[category]] == list(STATUSES)


# Which insights are described for their recommendation: every (category, status) pair.
RECOMMENDATION_NEEDED = {
    ("UPGRADE_READINESS", "UNKNOWN"), ("MISCONFIGURATION", "UNKNOWN"), ("ROLLBACK_READINESS", "UNKNOWN"),
    ("MISCONFIGURATION", "ERROR"), ("MISCONFIGURATION", "WARNING"),
}


@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("status", STATUSES)
def test_needs_recommendation(category, status):
    assert insights.needs_recommendation(categorized(category, "1.30", status)) is (
        (category, status) in RECOMMENDATION_NEEDED)


def test_an_insight_without_a_status_needs_no_recommendation():
    assert insights.needs_recommendation({"id": "x", "name": "x", "category": "MISCONFIGURATION"}) is False


@pytest.mark.parametrize("fact, line", [
    ({"name": "Kubelet version skew", "status": "UNKNOWN", "reason": "Could not be evaluated.",
      "recommendation": "Upgrade your worker nodes."},
     "Kubelet version skew (UNKNOWN: Could not be evaluated; recommendation: Upgrade your worker nodes)"),
    ({"name": "Kubelet version skew", "status": "UNKNOWN", "reason": None, "recommendation": None},
     "Kubelet version skew (UNKNOWN)"),
    ({"name": "Hybrid nodes", "status": "ERROR", "reason": None, "recommendation": "Fix the routes."},
     "Hybrid nodes (ERROR; recommendation: Fix the routes)"),
    ({"name": "Hybrid nodes", "status": None, "reason": "Odd."}, "Hybrid nodes (UNKNOWN: Odd)"),
])
def test_describe_line(fact, line):
    assert insights.describe_line(fact) == line


FLOWSCHEMA = "/apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas/batch-jobs"
CRONJOB = "/apis/batch/v1beta1/namespaces/reports/cronjobs/nightly"
DETAIL = {
    "id": "dep-129", "name": "Deprecated APIs removed in Kubernetes v1.29", "kubernetesVersion": "1.29",
    "insightStatus": {"status": "WARNING", "reason": "Deprecated API usage detected within last 30 days."},
    "recommendation": "Update manifests and API clients to use newer Kubernetes APIs.",
    "resources": [{"kubernetesResourceUri": FLOWSCHEMA}, {"kubernetesResourceUri": CRONJOB},
                  {"arn": "arn:aws:eks:us-east-1:111122223333:addon/prod/vpc-cni/1"}],
    "categorySpecificSummary": {"deprecationDetails": [
        {"usage": "/apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas",
         "replacedWith": "/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas", "stopServingVersion": "1.29",
         "startServingReplacementVersion": "1.26",
         "clientStats": [{"userAgent": "flux/v2.1.0", "numberOfRequestsLast30Days": 1240,
                          "lastRequestTime": datetime.datetime(2026, 3, 1, 22, 0, tzinfo=UTC)}]},
        {"usage": "/apis/batch/v1beta1/cronjobs", "replacedWith": "/apis/batch/v1/cronjobs",
         "stopServingVersion": "1.25", "clientStats": []},
        {"usage": "/api/v1/componentstatuses", "replacedWith": None, "stopServingVersion": None},
    ]},
}


def test_deprecated_api_entry_lists_objects_and_replacements():
    entry = insights.deprecated_api_entry(DETAIL)
    assert entry["objects"] == [FLOWSCHEMA, CRONJOB]
    assert (entry["insight_id"], entry["kubernetes_version"], entry["status"]) == ("dep-129", "1.29", "WARNING")
    assert entry["reason"] == "Deprecated API usage detected within last 30 days."
    flowschemas, cronjobs, components = entry["deprecations"]
    assert flowschemas == {
        "usage": "/apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas",
        "replaced_with": "/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas",
        "stop_serving_version": "1.29", "start_serving_replacement_version": "1.26", "objects": [FLOWSCHEMA],
        "clients": [{"user_agent": "flux/v2.1.0", "requests_last_30_days": 1240,
                     "last_request_time": "2026-03-01T22:00:00+00:00"}],
        "message": "/apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas -> "
                   "/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas (no longer served from 1.29): " + FLOWSCHEMA}
    assert components["message"] == "/api/v1/componentstatuses -> no replacement (no longer served from 1.29): " \
        "no object named"
    assert cronjobs["objects"] == [CRONJOB]  # namespaced object matched to its API
    assert (components["objects"], components["clients"]) == ([], [])
    assert insights.deprecated_api_summary([entry]) == [
        "/apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas -> /apis/flowcontrol.apiserver.k8s.io/v1beta3/"
        "flowschemas (no longer served from 1.29, 1 object(s))",
        "/apis/batch/v1beta1/cronjobs -> /apis/batch/v1/cronjobs (no longer served from 1.25, 1 object(s))",
        "/api/v1/componentstatuses -> no replacement (no longer served from 1.29, 0 object(s))",
    ]


def test_deprecated_api_entry_of_a_sparse_insight():
    entry = insights.deprecated_api_entry({"id": "x", "name": "Deprecated APIs removed in Kubernetes v1.32"})
    assert (entry["deprecations"], entry["objects"], entry["status"]) == ([], [], None)
    assert insights.deprecated_api_summary([entry]) == []
