# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lifecycle.eks.fleet_summary filter over reports shaped like the report role writes them."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.lifecycle.eks.plugins.filter.fleet_summary import STATUS_ORDER, FilterModule, fleet_summary
from ansible_collections.lifecycle.eks.plugins.module_utils.support import parse_hourly_rates, support_report

RUN = "20260101T120000-ab12"
PROPERTY = settings(max_examples=100, deadline=None)


def report(cluster, status, run_id=RUN, **extra):
    """A cluster report as roles/report/tasks/main.yml composes it."""
    data = {"cluster": cluster, "run_id": run_id, "check_mode": status == "planned", "status": status,
            "target_version": "1.30", "version_before": "1.29", "version_after": "1.29", "blockers": [],
            "warnings": [], "preflight": {}, "control_plane": {}, "post_upgrade": {}, "failure": {}}
    data.update(extra)
    return data


def check(check_id, status, message):
    return {"id": check_id, "status": status, "message": message, "remediation": "", "step": "..."}


def hop(a, b):
    return {"from_version": a, "to_version": b, "nodegroups_before": []}


UPGRADED = report(
    "prod-web", "upgraded", version_after="1.30",
    warnings=[check("kubectl-client", "warn", "kubectl not found")],
    preflight={"api_calls": 14, "api_retries": 1, "plan": {"hops": [hop("1.29", "1.30")]}},
    control_plane={"api_calls": "9", "api_retries": 0, "kube_retries": 3, "updates": [{"id": "u1"}],
                   "plan": {"hops": []}},
    post_upgrade={"nodegroup_updates": [{"id": "u2"}, {"id": "u3"}], "addon_updates": [{"id": "u4"}],
                  "kube_retries": "2"},
)
BLOCKED = report("legacy-batch", "blocked",
                 blockers=[check("subnet-free-ips", "fail", "Cluster subnets with fewer than 5 free IP addresses: "
                                 "subnet-0b2 (3 free).")],
                 preflight={"api_calls": 12, "api_retries": 0})
FAILED = report("staging", "failed", failure={"msg": "No legal upgrade path from 1.28 to 1.30"},
                preflight={"api_calls": 10}, control_plane={"api_calls": 3, "api_retries": 2})
PLANNED = report("dev", "planned", preflight={"api_calls": 8, "plan": {"hops": [hop("1.28", "1.29"),
                                                                                hop("1.29", "1.30")]}})
FINISHED = report("canary", "finished", version_before="1.30", version_after="1.30")


# A report without the support preflight reads (a cluster not reached, an older report).
NO_SUPPORT = {"upgrade_policy": None, "support": None, "target_support": None, "extra_hourly_cost": None,
              "target_extra_hourly_cost": None, "support_text": ""}


def placed(version, policy, today, rates=None):
    """A report's support or target_support, as eks_upgrade_preflight returns it."""
    calendar = {"1.31": ("2025-11-26", "2026-11-26"), "1.32": ("2026-03-23", "2027-03-23"),
                "1.33": ("2026-07-29", "2027-07-29"), "1.34": ("2026-12-02", "2027-12-02")}  # AWS's dates
    rows = [{"clusterVersion": minor, "endOfStandardSupportDate": standard, "endOfExtendedSupportDate": extended}
            for minor, (standard, extended) in calendar.items()]
    return support_report(version, policy, today, rows, parse_hourly_rates(rates))


def test_rows_say_the_support_and_the_extra_cost_before_and_on_the_target():
    """On 2026-06-01: 1.32 is in extended support (billed under EXTENDED), 1.33 and 1.34 in standard support."""
    day = "2026-06-01"
    reports = [report("billed", "upgraded", support=placed("1.32", "EXTENDED", day),
                      target_support=placed("1.33", "EXTENDED", day)),
               report("std-policy", "blocked", support=placed("1.32", "STANDARD", day),
                      target_support=placed("1.34", "STANDARD", day)),
               report("dearer", "planned", support=placed("1.32", None, day, {"extended": 0.72}),
                      target_support=placed("1.32", None, day, {"extended": 0.72})),
               report("old-report", "finished")]
    summary = fleet_summary(reports, ["billed", "std-policy", "dearer", "old-report", "gone"], RUN)
    rows = {row["cluster"]: row for row in summary["clusters"]}
    assert {name: (row["upgrade_policy"], row["support"], row["extra_hourly_cost"], row["target_support"],
                   row["target_extra_hourly_cost"]) for name, row in rows.items()} == {
        "billed": ("EXTENDED", "extended", 0.5, "standard", 0.0),
        "std-policy": ("STANDARD", "extended", 0.0, "standard", 0.0),  # past standard support, never billed
        "dearer": ("EXTENDED", "extended", 0.62, "extended", 0.62),  # no policy reported: EXTENDED; its own rate
        "old-report": (None, None, None, None, None), "gone": (None, None, None, None, None)}
    assert rows["billed"]["support_text"] == "EXTENDED: extended +$0.50/h -> standard +$0.00/h"
    assert rows["gone"]["support_text"] == ""
    assert summary["cost"] == {"extra_hourly_cost": 1.12, "extra_monthly_cost": 817.6,
                               "target_extra_hourly_cost": 0.62, "target_extra_monthly_cost": 452.6}


def test_a_target_eks_does_not_list_shows_the_version_alone():
    row = fleet_summary([report("a", "blocked", support=placed("1.32", "EXTENDED", "2026-06-01"),
                                target_support=None)], ["a"], RUN)["clusters"][0]
    assert row["support_text"] == "EXTENDED: extended +$0.50/h"


def test_rows_worst_first_and_counts():
    hosts = ["canary", "dev", "prod-web", "legacy-batch", "staging", "missing"]
    summary = fleet_summary([FINISHED, PLANNED, UPGRADED, BLOCKED, FAILED], hosts, RUN)
    assert [(r["cluster"], r["status"]) for r in summary["clusters"]] == [
        ("staging", "failed"), ("legacy-batch", "blocked"), ("missing", "not-run"), ("dev", "planned"),
        ("prod-web", "upgraded"), ("canary", "finished")]
    assert summary["counts"] == {"failed": 1, "blocked": 1, "not-run": 1, "planned": 1, "upgraded": 1,
                                 "finished": 1}
    assert summary["total"] == 6 and summary["run_id"] == RUN
    assert summary["ok"] is False


def test_row_contents():
    rows = {r["cluster"]: r for r in fleet_summary([UPGRADED, BLOCKED, FAILED, PLANNED], [
        "prod-web", "legacy-batch", "staging", "dev"], RUN)["clusters"]}
    assert rows["prod-web"] == {
        "cluster": "prod-web", "status": "upgraded", "version_before": "1.29", "version_after": "1.30",
        "blockers": [], "warnings": ["kubectl-client"], "actions": 4, "api_calls": 23, "api_retries": 1,
        "kube_retries": 5,
        "detail": "", "stands": "", "finished_steps": [], **NO_SUPPORT, "timeline": {"ended_at": None, "segments": [
            {"kind": "hop", "label": " None->None", "duration_s": 0.0, "failed": False},
            {"kind": "nodegroup", "label": " None->None", "duration_s": 0.0, "failed": False},
            {"kind": "nodegroup", "label": " None->None", "duration_s": 0.0, "failed": False},
            {"kind": "addon", "label": " None->None", "duration_s": 0.0, "failed": False}]}}
    assert rows["legacy-batch"]["blockers"] == [
        "subnet-free-ips: Cluster subnets with fewer than 5 free IP addresses: subnet-0b2 (3 free)."]
    assert rows["legacy-batch"]["api_calls"] == 12 and rows["legacy-batch"]["actions"] == 0
    assert rows["staging"]["detail"] == "No legal upgrade path from 1.28 to 1.30"
    assert (rows["staging"]["api_calls"], rows["staging"]["api_retries"]) == (13, 2)
    assert rows["dev"]["detail"] == "hops: 1.28->1.29, 1.29->1.30"


@pytest.mark.parametrize("control_plane, preflight, detail", [
    ({}, {}, "hops: none"),
    ({}, {"plan": {"hops": []}}, "hops: none"),
    ({"plan": {"hops": [hop("1.29", "1.30")]}}, {"plan": {"hops": [hop("1.28", "1.29")]}}, "hops: 1.29->1.30"),
    ({"plan": {}}, {"plan": {"hops": [hop("1.28", "1.29")]}}, "hops: 1.28->1.29"),  # empty plan: the preflight's
])
def test_planned_detail_lists_the_hops(control_plane, preflight, detail):
    row = fleet_summary([report("dev", "planned", control_plane=control_plane, preflight=preflight)],
                        ["dev"], RUN)["clusters"][0]
    assert row["detail"] == detail


def test_planned_detail_adds_the_node_group_and_add_on_versions_that_change():
    post = {"nodegroups": [{"name": "general", "before": "1.28", "after": "1.30"},
                           {"name": "spot", "before": "1.30", "after": "1.30"}],
            "addons": [{"name": "kube-proxy", "before": "v1.28.1-eksbuild.1", "after": "v1.30.14-eksbuild.8"},
                       {"name": "vpc-cni", "managed": False, "before": None, "after": None}]}
    row = fleet_summary([report("dev", "planned", post_upgrade=post,
                                preflight={"plan": {"hops": [hop("1.28", "1.29"), hop("1.29", "1.30")]}})],
                        ["dev"], RUN)["clusters"][0]
    assert row["detail"] == ("hops: 1.28->1.29, 1.29->1.30; node groups: general 1.28->1.30; "
                             "add-ons: kube-proxy v1.28.1-eksbuild.1->v1.30.14-eksbuild.8")


def test_updates_a_failed_task_started_count_as_actions():
    failed = report("staging", "failed", control_plane={"updates": [{"id": "u1"}]},
                    failure={"msg": "UpdateNodegroupVersion failed", "updates": [{"id": "u2"}, {"id": "u3"}]})
    assert fleet_summary([failed], ["staging"], RUN)["clusters"][0]["actions"] == 3


def test_a_failure_message_wins_over_hops():
    row = fleet_summary([report("dev", "planned", failure={"msg": "boom"},
                                preflight={"plan": {"hops": [hop("1.29", "1.30")]}})], ["dev"], RUN)["clusters"][0]
    assert row["detail"] == "boom"


def test_reports_of_another_run_or_none_count_as_not_run():
    summary = fleet_summary([report("a", "upgraded", run_id="older-run"), report("b", "finished")], ["a", "b"], RUN)
    rows = {r["cluster"]: r for r in summary["clusters"]}
    assert rows["a"] == {"cluster": "a", "status": "not-run", "version_before": None, "version_after": None,
                         "blockers": [], "warnings": [], "actions": 0, "api_calls": 0, "api_retries": 0,
                         "kube_retries": 0, "detail": "", "stands": "", "finished_steps": [], **NO_SUPPORT,
                         "timeline": {"ended_at": None, "segments": []}}
    assert rows["b"]["status"] == "finished"
    assert summary["ok"] is False
    assert summary["counts"] == {"not-run": 1, "finished": 1}


def test_reports_for_hosts_outside_the_summary_are_ignored():
    summary = fleet_summary([report("a", "finished"), report("elsewhere", "failed")], ["a"], RUN)
    assert [r["cluster"] for r in summary["clusters"]] == ["a"]
    assert summary["ok"] is True and summary["total"] == 1


@pytest.mark.parametrize("statuses, ok", [
    (["finished", "upgraded", "planned"], True),
    (["finished", "failed"], False),
    (["finished", "blocked"], False),
    (["upgraded"], True),
    ([], True),
])
def test_ok_flag(statuses, ok):
    hosts = ["c%d" % i for i in range(len(statuses))]
    summary = fleet_summary([report(h, s) for h, s in zip(hosts, statuses)], hosts, RUN)
    assert summary["ok"] is ok


@pytest.mark.parametrize("reports", [None, []])
def test_no_reports_at_all(reports):
    summary = fleet_summary(reports, ["a", "b"], RUN)
    assert [r["status"] for r in summary["clusters"]] == ["not-run", "not-run"]
    assert summary["counts"] == {"not-run": 2} and summary["ok"] is False


def test_ties_sort_by_cluster_name_and_sparse_reports_work():
    sparse = {"cluster": "b", "run_id": RUN, "status": "finished"}
    summary = fleet_summary([sparse, report("a", "finished"), report("c", "finished")], ["c", "b", "a"], RUN)
    assert [r["cluster"] for r in summary["clusters"]] == ["a", "b", "c"]
    row = summary["clusters"][1]
    assert (row["actions"], row["api_calls"], row["blockers"], row["warnings"], row["detail"]) == (0, 0, [], [], "")
    assert row["version_before"] is None


@pytest.mark.parametrize("checkpoint, stands", [
    ({"last_step": "addons", "run_id": RUN, "finished_steps": ["control_plane", "addons"]}, "addons"),
    ({"last_step": "nodegroups", "run_id": "20251231T090000Z", "finished_steps": ["control_plane", "nodegroups"]},
     "nodegroups (run 20251231T090000Z)"),
    ({"last_step": None, "run_id": None, "finished_steps": []}, ""),  # no step finished toward this target
    ({}, ""),
])
def test_each_row_says_where_the_cluster_stands_by_its_checkpoint(checkpoint, stands):
    row = fleet_summary([report("a", "finished", checkpoint=checkpoint)], ["a"], RUN)["clusters"][0]
    assert row["stands"] == stands
    assert row["finished_steps"] == checkpoint.get("finished_steps", [])


def test_unknown_status_sorts_first():
    summary = fleet_summary([report("a", "finished"), report("b", "weird")], ["a", "b"], RUN)
    assert [r["cluster"] for r in summary["clusters"]] == ["b", "a"]


def test_filter_plugin_registration():
    assert FilterModule().filters() == {"fleet_summary": fleet_summary}


@PROPERTY
@given(st.lists(st.tuples(st.sampled_from(STATUS_ORDER), st.booleans(), st.integers(0, 50)), max_size=12))
def test_summary_properties(clusters):
    hosts = ["cluster-%02d" % i for i in range(len(clusters))]
    reports = [report(h, status, run_id=RUN if same_run else "other", preflight={"api_calls": calls})
               for h, (status, same_run, calls) in zip(hosts, clusters)]
    summary = fleet_summary(reports, hosts, RUN)
    rows = summary["clusters"]
    assert sorted(r["cluster"] for r in rows) == hosts
    ranks = [STATUS_ORDER.index(r["status"]) for r in rows]
    assert ranks == sorted(ranks)
    assert sum(summary["counts"].values()) == summary["total"] == len(hosts)
    expected = [status if same_run else "not-run" for status, same_run, _calls in clusters]
    assert summary["counts"] == {s: expected.count(s) for s in set(expected)}
    assert summary["ok"] == all(s not in ("failed", "blocked", "not-run") for s in expected)
    assert sum(r["api_calls"] for r in rows) == sum(c for _s, same, c in clusters if same)


def test_peers_count_once_with_a_report_of_the_run_and_never_otherwise():
    """The other slices' clusters: in the summary once their report of the run exists, each once; else left out."""
    reports = [report("mine", "upgraded"), report("peer-done", "failed"), report("peer-old", "upgraded", run_id="old")]
    summary = fleet_summary(reports, ["mine", "mine-pending"], RUN,
                            ["mine", "peer-done", "peer-done", "peer-old", "peer-pending"])
    assert [row["cluster"] for row in summary["clusters"]] == ["peer-done", "mine-pending", "mine"]
    assert (summary["total"], summary["counts"]) == (3, {"failed": 1, "not-run": 1, "upgraded": 1})
    assert fleet_summary(reports, ["mine"], RUN)["total"] == fleet_summary(reports, ["mine"], RUN, [])["total"] == 1


def test_self_managed_node_groups_count_and_show_in_the_plan():
    groups = [{"name": "workers", "before": {"kubernetes_version": "1.29"}, "after": {"kubernetes_version": "1.30"}},
              {"name": "custom", "before": {"kubernetes_version": "1.29"}, "after": {"kubernetes_version": "1.29"}}]
    planned = report("dev", "planned", post_upgrade={"self_managed_nodes": {"groups": groups, "updates": []}},
                     preflight={"plan": {"hops": [hop("1.29", "1.30")]}})
    assert fleet_summary([planned], ["dev"], RUN)["clusters"][0]["detail"] == (
        "hops: 1.29->1.30; self-managed node groups: workers 1.29->1.30")
    done = report("dev", "upgraded", post_upgrade={"self_managed_nodes": {"groups": groups, "updates": [{"id": "r"}]},
                                                   "nodegroup_updates": [{"id": "u"}]})
    assert fleet_summary([done], ["dev"], RUN)["clusters"][0]["actions"] == 2
    assert fleet_summary([report("dev", "upgraded", post_upgrade={"self_managed_nodes": {}})], ["dev"],
                         RUN)["clusters"][0]["actions"] == 0
