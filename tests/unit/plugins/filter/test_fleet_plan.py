# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lifecycle.eks.fleet_plan filters over entries shaped like playbooks/plan.yml builds them."""
import datetime
import html
import re

import pytest
from ansible.errors import AnsibleFilterError
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.lifecycle.eks.plugins.filter.fleet_plan import (
    NOT_REACHED,
    FilterModule,
    fleet_plan,
    fleet_plan_html,
    fleet_plan_markdown,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.support import parse_hourly_rates, support_report

PROPERTY = settings(max_examples=60, deadline=None)
TODAY = "2026-11-01"
CALENDAR = {  # AWS's dates (eks-api-notes.md)
    "1.30": ("2025-07-23", "2026-07-23"), "1.31": ("2025-11-26", "2026-11-26"), "1.32": ("2026-03-23", "2027-03-23"),
    "1.33": ("2026-07-29", "2027-07-29"), "1.34": ("2026-12-02", "2027-12-02"),
}
ROWS = [{"clusterVersion": version, "endOfStandardSupportDate": standard, "endOfExtendedSupportDate": extended}
        for version, (standard, extended) in CALENDAR.items()]


def hop(from_version, to_version, before=()):
    return {"from_version": from_version, "to_version": to_version, "nodegroups_before": list(before)}


def facts(name, version, policy="EXTENDED", target=None, hops=(), blockers=(), nodegroups_after=(), today=TODAY,
          rates=None):
    """An eks_support fact as lifecycle.eks.eks_support_facts sets it (AWS's rates unless ``rates``)."""
    rates = parse_hourly_rates(rates)
    fact = {"today": today, "cluster": {"name": name, "version": version, "upgrade_policy": policy},
            "support": support_report(version, policy, today, ROWS, rates)}
    if target:
        fact.update(target_version=target, target_support=support_report(target, policy, today, ROWS, rates),
                    plan={"current": version, "target": target, "feasible": not blockers, "is_noop": target == version,
                          "hops": list(hops), "nodegroups_after": list(nodegroups_after),
                          "blockers": [{"id": b, "subject": "legacy-1", "reason": f"{b} reason",
                                        "remediation": "Fix it."} for b in blockers]})
    return fact


def entry(host, fact=None, error=""):
    return {"cluster": host, "eks_support": fact or {}, "error": error}


FLEET = [
    entry("ml-133", facts("ml-133", "1.33")),
    entry("edge-134", facts("edge-134", "1.34", "STANDARD", target="1.34")),
    entry("batch-130", facts("batch-130", "1.30", target="1.32", nodegroups_after=["general"],
                             hops=[hop("1.30", "1.31"), hop("1.31", "1.32", ["general"])])),
    entry("api-131", facts("api-131", "1.31", target="1.31")),
    entry("data-132", facts("data-132", "1.32", target="1.34", blockers=["self-managed-kubelet-skew"])),
    entry("ghost", error="Failed to describe cluster ghost: ResourceNotFoundException: No cluster found"),
]


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {"fleet_plan", "fleet_plan_markdown", "fleet_plan_html"}


def test_plan_ranks_counts_and_lists_the_clusters_not_planned():
    plan = fleet_plan(FLEET, TODAY, ["ml-133", "edge-134", "batch-130", "api-131", "data-132", "ghost", "gone"])
    assert plan["order"] == ["batch-130", "api-131", "edge-134", "data-132", "ml-133"]
    assert [(row["rank"], row["urgency"], row["deadline_in"]) for row in plan["clusters"]] == [
        (1, "overdue", "101 days ago"), (2, "critical", "in 25 days"), (3, "high", "in 31 days"),
        (4, "medium", "in 142 days"), (5, "low", "in 270 days")]
    assert plan["counts"] == {"overdue": 1, "critical": 1, "high": 1, "medium": 1, "low": 1}
    assert plan["errors"] == [{"cluster": "ghost", "msg": FLEET[-1]["error"]}, {"cluster": "gone", "msg": NOT_REACHED}]
    assert (plan["total"], plan["ok"], plan["today"]) == (7, False, TODAY)
    assert plan["extended_support_billed"] == ["api-131", "data-132", "ml-133"]
    assert "critical under 30 days" in plan["urgency_rules"]


def test_rows_say_what_the_path_to_the_target_is():
    rows = {row["cluster"]: row for row in fleet_plan(FLEET)["clusters"]}
    assert {name: row["path"] for name, row in rows.items()} == {
        "batch-130": "1.30->1.31, 1.31->1.32", "api-131": "none (on target)", "edge-134": "none (on target)",
        "data-132": "blocked: self-managed-kubelet-skew", "ml-133": "-"}
    assert rows["batch-130"]["hops"] == ["1.30->1.31", "1.31->1.32"] and rows["batch-130"]["plan_feasible"] is True
    assert rows["data-132"]["blockers"] == [{"id": "self-managed-kubelet-skew", "subject": "legacy-1",
                                             "reason": "self-managed-kubelet-skew reason", "remediation": "Fix it."}]
    assert rows["ml-133"]["plan_feasible"] is None and rows["ml-133"]["target_support"] is None
    assert rows["batch-130"]["target_support"] == {"status": "extended", "urgency": "medium",
                                                   "deadline": "2027-03-23", "days_to_deadline": 142,
                                                   "end_of_standard_support": "2026-03-23", "extra_hourly_cost": 0.5}


def test_rows_and_totals_say_what_each_cluster_costs_over_standard_support():
    plan = fleet_plan(FLEET, TODAY)
    assert [(row["cluster"], row["hourly_rate"], row["extra_hourly_cost"], row["extra_monthly_cost"],
             row["extra_cost_to_deadline"]) for row in plan["clusters"]] == [
        ("batch-130", 0.1, 0.0, 0.0, 0.0),  # past extended support: EKS upgrades it, nothing more to bill
        ("api-131", 0.6, 0.5, 365.0, 300.0),  # 25 billed days left
        ("edge-134", 0.1, 0.0, 0.0, 0.0),  # STANDARD: never in extended support
        ("data-132", 0.6, 0.5, 365.0, 1704.0),  # 142 days
        ("ml-133", 0.6, 0.5, 365.0, 3240.0)]  # 270 days
    assert plan["cost"] == {"extra_hourly_cost": 1.5, "extra_monthly_cost": 1095.0, "extra_cost_to_deadline": 5244.0}
    assert plan["clusters"][1]["rates"] == {"standard": 0.1, "extended": 0.6}
    assert plan["pricing"] == ("Control-plane price per cluster hour: $0.10 in standard support, $0.60 in extended "
                               "support (AWS's published price unless eks_control_plane_hourly_rates sets another); "
                               "a month is 730 hours.")


def test_within_a_level_the_billed_cluster_ranks_first():
    """Both high on 2026-11-01: the STANDARD 1.34 cluster's deadline is nearer (31 days), but the other one (a
    made-up calendar: extended support until 2027-01-15, 75 days) pays for every hour it waits."""
    rows = ROWS + [{"clusterVersion": "1.29", "endOfStandardSupportDate": "2026-09-01",
                    "endOfExtendedSupportDate": "2027-01-15"}]
    billed = {"today": TODAY, "support": support_report("1.29", "EXTENDED", TODAY, rows, parse_hourly_rates(None))}
    plan = fleet_plan([entry("edge-134", facts("edge-134", "1.34", "STANDARD")), entry("billed-129", billed)])
    assert [(row["cluster"], row["urgency"], row["days_to_deadline"], row["extra_hourly_cost"])
            for row in plan["clusters"]] == [("billed-129", "high", 75, 0.5), ("edge-134", "high", 31, 0.0)]


def test_rates_of_the_facts_are_the_rates_shown():
    plan = fleet_plan([entry("a", facts("a", "1.33", rates={"extended": 0.72})),
                       entry("b", facts("b", "1.32", rates={"extended": 0.72}))])
    assert (plan["cost"]["extra_hourly_cost"], plan["clusters"][0]["hourly_rate"]) == (1.24, 0.72)
    assert "$0.10 in standard support, $0.72 in extended support (" in plan["pricing"]


def test_facts_without_a_cost_show_none_and_count_nothing():
    fact = facts("old", "1.33")
    del fact["support"]["cost"]
    plan = fleet_plan([entry("old", fact)])
    assert plan["clusters"][0]["extra_hourly_cost"] is None and plan["cost"]["extra_hourly_cost"] == 0
    assert plan["pricing"] == ""
    assert "| 1 | old | 1.33 | EXTENDED | extended | - | low |" in fleet_plan_markdown(plan)


def test_today_defaults_to_the_facts_and_an_empty_fleet_is_fine():
    assert fleet_plan(FLEET[:1])["today"] == TODAY
    empty = fleet_plan([])
    assert (empty["clusters"], empty["total"], empty["ok"], empty["today"]) == ([], 0, True, None)
    assert "| # | cluster |" in fleet_plan_markdown(empty) and "## Order" not in fleet_plan_markdown(empty)
    assert "<table>" in fleet_plan_html(empty)


def test_an_entry_without_support_and_without_error_is_not_planned():
    plan = fleet_plan([entry("half")])
    assert plan["errors"] == [{"cluster": "half", "msg": "no eks_support fact was gathered"}]


@pytest.mark.parametrize("entries, message", [
    ({"cluster": "a"}, "fleet_plan: expected a list of cluster entries, got dict"),
    (["a"], "fleet_plan: entry 0 needs a 'cluster' name, got 'a'"),
    ([{"eks_support": {}}], "fleet_plan: entry 0 needs a 'cluster' name"),
    ([{"cluster": "a", "eks_support": "1.30"}],
     "eks_support of a must be the dict lifecycle.eks.eks_support_facts sets"),
    ([{"cluster": "a", "eks_support": {"support": {"urgency": "low"}}}],
     "fleet_plan: fleet entry a has no urgency_key"),
])
def test_malformed_entries_are_refused(entries, message):
    with pytest.raises(AnsibleFilterError) as excinfo:
        fleet_plan(entries)
    assert message in str(excinfo.value)


@pytest.mark.parametrize("render", [fleet_plan_markdown, fleet_plan_html])
@pytest.mark.parametrize("bad", [None, [], {"clusters": "none"}])
def test_renderers_need_a_fleet_plan(render, bad):
    with pytest.raises(AnsibleFilterError, match="expected the result of lifecycle.eks.fleet_plan"):
        render(bad)


def test_markdown_table_details_and_not_planned():
    markdown = fleet_plan_markdown(fleet_plan(FLEET, TODAY))
    assert markdown.startswith("# EKS fleet support plan (2026-11-01)\n\noverdue: 1 · critical: 1 · high: 1 · "
                               "medium: 1 · low: 1 · billed for extended support: 3 ($1.50 more per hour, $1,095.00 a "
                               "month) · waiting until EKS upgrades: $5,244.00 more · not planned: 1\n")
    assert ("| 1 | batch-130 | 1.30 | EXTENDED | unsupported | +$0.00 | overdue | 2026-07-23 (end of extended "
            "support) | 101 days ago | +$0.00 | 1.32 | 1.30->1.31, 1.31->1.32 |") in markdown
    assert ("| 5 | ml-133 | 1.33 | EXTENDED | extended | +$0.50 | low | 2027-07-29 (end of extended support) | in 270 "
            "days | +$3,240.00 | - | - |") in markdown
    assert ("2. **api-131** (critical): Kubernetes 1.31 is in extended support, billed extra per cluster hour, until "
            "2026-11-26 (in 25 days); EKS then upgrades the cluster automatically. Upgrade before then. Extended "
            "support costs $0.60 per hour instead of $0.10: $0.50 more per hour ($365.00 a month); staying on 1.31 "
            "until EKS upgrades the cluster on 2026-11-26 costs $300.00 more (25 days of extended support).") \
        in markdown
    assert "Before 1.31->1.32, update node groups general to 1.31." in markdown
    assert "After the last hop, update node groups general to 1.32." in markdown
    assert "Blocked (self-managed-kubelet-skew): self-managed-kubelet-skew reason. Fix it." in markdown
    assert "## Not planned\n\n- **ghost**: Failed to describe cluster ghost" in markdown
    assert ("Extended support is billed extra per cluster hour: within an urgency level, the cluster billed the most "
            "comes first, then the nearest deadline.\n\nControl-plane price per cluster hour: $0.10") in markdown
    assert markdown.rstrip().endswith("a month is 730 hours.")


def test_details_say_what_the_upgrade_saves():
    plan = fleet_plan([entry("std", facts("std", "1.33", "EXTENDED", target="1.34", hops=[hop("1.33", "1.34")]))])
    assert ("On the target 1.34 the cluster pays no extended support until 2026-12-02: $0.50 less per hour."
            in fleet_plan_markdown(plan))


def test_a_target_that_is_itself_about_to_lose_support_is_called_out():
    plan = fleet_plan([entry("old", facts("old", "1.30", target="1.31", hops=[hop("1.30", "1.31")]))])
    assert "The target 1.31 is itself critical: its deadline is 2026-11-26 (in 25 days)." in fleet_plan_markdown(plan)


def test_markdown_cells_cannot_break_the_table():
    plan = fleet_plan([entry("a|b", facts("a|b", "1.33"))])
    assert "| 1 | a\\|b | 1.33 |" in fleet_plan_markdown(plan)


def test_html_escapes_every_value():
    plan = fleet_plan([entry("<script>x</script>", facts("x", "1.33")), entry("e&f", error="<b>bad</b>")])
    page = fleet_plan_html(plan)
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<b>bad</b>" not in page and "&lt;b&gt;bad&lt;/b&gt;" in page and "e&amp;f" in page
    assert '<span class="urgency low">low</span>' in page
    assert "<td>+$0.50</td>" in page and "Control-plane price per cluster hour" in page


names = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=12)


@PROPERTY
@given(fleet=st.dictionaries(names, st.tuples(st.sampled_from(sorted(CALENDAR)), st.sampled_from(["STANDARD",
                                                                                                  "EXTENDED"])),
                             min_size=1, max_size=8),
       today=st.dates(min_value=datetime.date(2025, 1, 1), max_value=datetime.date(2028, 12, 31)))
def test_renderings_show_every_cluster_once_in_rank_order(fleet, today):
    entries = [entry(name, facts(name, version, policy, today=today.isoformat()))
               for name, (version, policy) in fleet.items()]
    plan = fleet_plan(entries)
    assert sorted(plan["order"]) == sorted(fleet) and sum(plan["counts"].values()) == len(fleet)
    table = [line for line in fleet_plan_markdown(plan).splitlines() if re.match(r"^\| \d+ \| ", line)]
    assert [int(line.split(" | ")[0][2:]) for line in table] == list(range(1, len(fleet) + 1))
    page = fleet_plan_html(plan)
    for name in fleet:
        assert f"<td>{html.escape(name)}</td>" in page
