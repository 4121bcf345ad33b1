# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the control plane costs by support phase, and the fleet ranking that uses it (module_utils/support.py).

Dates are AWS's calendar (test_support.AWS_CALENDAR): 1.34 leaves standard support on 2026-12-02 and extended
support on 2027-12-02; each threshold is tested the day before, of and after.
"""
import datetime
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.lifecycle.eks.plugins.module_utils.support import (
    DEFAULT_HOURLY_RATES,
    HOURS_PER_MONTH,
    SupportError,
    dollars,
    fleet_key,
    parse_hourly_rates,
    rank_fleet,
    support_cost,
    support_report,
    support_status,
)
from tests.unit.plugins.module_utils.test_support import ROWS, VERSIONS, json_rows

PROPERTY = settings(max_examples=200, deadline=None)
AWS = parse_hourly_rates(None)


def cost(version, policy, today, rates=None):
    """The cost of a cluster at ``rates`` (AWS's when None)."""
    return support_cost(support_status(version, policy, today, ROWS), rates or AWS)


def figures(version, policy, today, rates=None):
    """(hourly rate, extra per hour, extra per month, billed days left, extra to the deadline)."""
    found = cost(version, policy, today, rates)
    return (found["hourly_rate"], found["extra_hourly_cost"], found["extra_monthly_cost"],
            found["extra_billed_days_to_deadline"], found["extra_cost_to_deadline"])


# --- the rates -----------------------------------------------------------------------------------------

def test_aws_published_rates_by_default():
    assert DEFAULT_HOURLY_RATES == {"standard": 0.10, "extended": 0.60}
    assert parse_hourly_rates(None) == parse_hourly_rates({}) == {"standard": 0.10, "extended": 0.60}
    assert parse_hourly_rates(None) is not DEFAULT_HOURLY_RATES  # a copy: callers may not change the defaults
    assert HOURS_PER_MONTH * DEFAULT_HOURLY_RATES["standard"] == pytest.approx(73.0)  # AWS's $73 a month


@pytest.mark.parametrize("given_rates, expected", [
    ({"extended": 0.55}, {"standard": 0.10, "extended": 0.55}),
    ({"standard": 0, "extended": 1}, {"standard": 0.0, "extended": 1.0}),
    ({"standard": "0.12", "extended": "0.72"}, {"standard": 0.12, "extended": 0.72}),  # templated values are text
    ({"standard": 0.6}, {"standard": 0.6, "extended": 0.6}),  # equal rates: waiting costs nothing extra
])
def test_rates_override_one_or_both(given_rates, expected):
    assert parse_hourly_rates(given_rates) == expected


@pytest.mark.parametrize("bad, message", [
    ("0.60", "control_plane_hourly_rates must be a mapping such as {standard: 0.10, extended: 0.60}"),
    ([0.1, 0.6], "must be a mapping"),
    ({"extendd": 0.6}, "unknown key(s) extendd; give standard and/or extended"),
    ({"extended": "sixty cents"}, "extended must be a number of US dollars per cluster hour, 0 or more (AWS's rate is "
                                  "0.6), got 'sixty cents'"),
    ({"extended": -0.6}, "extended must be a number"),
    ({"standard": True}, "standard must be a number"),
    ({"standard": None}, "standard must be a number"),
    ({"extended": float("nan")}, "extended must be a number"),
    ({"extended": float("inf")}, "extended must be a number"),
    ({"extended": 0.05}, "the extended rate (0.05) is below the standard rate (0.1); extended support is billed at "
                         "the higher rate"),
])
def test_bad_rates_are_refused_naming_the_option(bad, message):
    with pytest.raises(SupportError) as excinfo:
        parse_hourly_rates(bad)
    assert message in str(excinfo.value)
    with pytest.raises(SupportError, match="^eks_control_plane_hourly_rates"):
        parse_hourly_rates(bad, "eks_control_plane_hourly_rates")


@pytest.mark.parametrize("amount, text", [
    (0, "$0.00"), (0.5, "$0.50"), (0.055, "$0.055"), (0.0125, "$0.0125"), (365, "$365.00"),
    (4380, "$4,380.00"), (1234567.891, "$1,234,567.891"),
])
def test_dollars(amount, text):
    assert dollars(amount) == text


# --- the end of standard support: the day before, of and after -------------------------------------------

@pytest.mark.parametrize("today, expected", [
    # In standard support: the standard rate; waiting costs the whole year of extended support.
    ("2026-12-01", (0.10, 0.0, 0.0, 365, 4380.0)),
    # Extended support from the end date on: billed $0.50 more per hour, for the 365 days left.
    ("2026-12-02", (0.60, 0.50, 365.0, 365, 4380.0)),
    ("2026-12-03", (0.60, 0.50, 365.0, 364, 4368.0)),
])
def test_extended_policy_around_the_end_of_standard_support(today, expected):
    assert figures("1.34", "EXTENDED", today) == expected


@pytest.mark.parametrize("today", ["2026-12-01", "2026-12-02", "2026-12-03"])
def test_standard_policy_is_never_billed_for_extended_support(today):
    """EKS upgrades a STANDARD cluster at the end of standard support: no extended support, nothing extra."""
    assert figures("1.34", "STANDARD", today) == (0.10, 0.0, 0.0, 0, 0.0)
    assert cost("1.34", "STANDARD", today)["message"] == ""


# --- the end of extended support: the day before, of and after -------------------------------------------

@pytest.mark.parametrize("today, expected", [
    ("2027-12-01", (0.60, 0.50, 365.0, 1, 12.0)),  # the last billed day
    ("2027-12-02", (0.10, 0.0, 0.0, 0, 0.0)),  # unsupported: EKS upgrades the cluster; nothing left to bill
    ("2027-12-03", (0.10, 0.0, 0.0, 0, 0.0)),
])
def test_extended_policy_around_the_end_of_extended_support(today, expected):
    assert figures("1.34", "EXTENDED", today) == expected


def test_a_policy_reported_by_nobody_is_billed_as_extended():
    assert figures("1.34", None, "2026-12-02") == figures("1.34", "EXTENDED", "2026-12-02")


def test_a_version_eks_no_longer_lists_costs_nothing_more():
    assert figures("1.21", "EXTENDED", "2026-11-01") == (0.10, 0.0, 0.0, 0, 0.0)


def test_other_rates_give_other_figures():
    rates = parse_hourly_rates({"standard": 0.12, "extended": 0.72})
    assert figures("1.34", "EXTENDED", "2026-12-02", rates) == (0.72, 0.60, 438.0, 365, 5256.0)
    assert cost("1.34", "EXTENDED", "2026-12-02", rates)["rates"] == {"standard": 0.12, "extended": 0.72}


@pytest.mark.parametrize("version, policy, today, message", [
    ("1.31", "EXTENDED", "2026-11-01",
     "Extended support costs $0.60 per hour instead of $0.10: $0.50 more per hour ($365.00 a month); staying on 1.31 "
     "until EKS upgrades the cluster on 2026-11-26 costs $300.00 more (25 days of extended support)."),
    ("1.34", "EXTENDED", "2026-11-01",
     "From 2026-12-02, extended support costs $0.50 more per hour ($365.00 a month); staying on 1.34 until EKS "
     "upgrades the cluster on 2027-12-02 costs $4,380.00 more (365 days of extended support)."),
    ("1.30", "EXTENDED", "2026-11-01", ""),
    ("1.33", "STANDARD", "2026-11-01", ""),
])
def test_cost_messages_say_what_waiting_costs(version, policy, today, message):
    assert cost(version, policy, today)["message"] == message


def test_support_report_is_the_support_with_its_cost():
    report = support_report("1.31", "EXTENDED", "2026-11-01", json_rows(), AWS)
    assert report == dict(support_status("1.31", "EXTENDED", "2026-11-01", ROWS).to_dict(),
                          cost=cost("1.31", "EXTENDED", "2026-11-01"))
    assert (report["status"], report["extended_support_billed"], report["cost"]["extra_hourly_cost"]) == (
        "extended", True, 0.5)


planning_days = st.dates(min_value=datetime.date(2022, 1, 1), max_value=datetime.date(2029, 12, 31))
policies = st.sampled_from(["STANDARD", "EXTENDED", None])
rate_pairs = st.tuples(st.integers(0, 200), st.integers(0, 200)).map(
    lambda pair: {"standard": min(pair) / 100, "extended": max(pair) / 100})


@PROPERTY
@given(version=st.sampled_from(VERSIONS), policy=policies, today=planning_days, rates=rate_pairs)
def test_cost_agrees_with_the_support_status(version, policy, today, rates):
    support = support_status(version, policy, today, ROWS)
    found = support_cost(support, rates)
    difference = rates["extended"] - rates["standard"]
    assert found["hourly_rate"] == round(rates["extended"] if support.extended_support_billed
                                         else rates["standard"], 4)
    assert found["extra_hourly_cost"] == round(difference if support.extended_support_billed else 0, 4)
    assert found["extra_cost_to_deadline"] == round(found["extra_billed_days_to_deadline"] * 24 * difference, 2)
    if support.upgrade_policy == "STANDARD" or support.status == "unsupported":
        assert found["extra_billed_days_to_deadline"] == 0
    if support.extended_support_billed:
        assert found["extra_billed_days_to_deadline"] == support.days_to_end_of_extended_support


@PROPERTY
@given(version=st.sampled_from(VERSIONS), policy=policies, today=planning_days, later=st.integers(1, 800))
def test_waiting_never_adds_billed_days(version, policy, today, later):
    after = today + datetime.timedelta(days=later)
    assert (cost(version, policy, after)["extra_billed_days_to_deadline"]
            <= cost(version, policy, today)["extra_billed_days_to_deadline"])


# --- the ranking uses the cost -------------------------------------------------------------------------------

def hand_entry(name, level, days, extra=None):
    support = {"urgency_key": [level, days]}
    if extra is not None:
        support["cost"] = {"extra_hourly_cost": extra}
    return {"cluster": name, "support": support}


def test_within_a_level_the_cluster_billed_most_comes_first():
    ranked = rank_fleet([hand_entry("near-free", 1, 10, 0.0), hand_entry("far-billed", 1, 20, 0.5),
                         hand_entry("far-billed-more", 1, 25, 0.62), hand_entry("no-cost-known", 1, 5)])
    assert [row["cluster"] for row in ranked] == ["far-billed-more", "far-billed", "no-cost-known", "near-free"]


def test_the_cost_never_moves_a_cluster_across_urgency_levels():
    ranked = rank_fleet([hand_entry("high-billed", 2, 40, 0.5), hand_entry("critical-free", 1, 20, 0.0)])
    assert [row["cluster"] for row in ranked] == ["critical-free", "high-billed"]


def test_equal_cost_falls_back_to_the_deadline_then_the_name():
    ranked = rank_fleet([hand_entry("b", 1, 20, 0.5), hand_entry("c", 1, 10, 0.5), hand_entry("a", 1, 20, 0.5)])
    assert [row["cluster"] for row in ranked] == ["c", "a", "b"]


@pytest.mark.parametrize("bad", [{"extra_hourly_cost": "0.5"}, {"extra_hourly_cost": True}, "0.5",
                                 {"extra_hourly_cost": None}])
def test_a_cost_without_a_number_is_refused(bad):
    entry = {"cluster": "prod", "support": {"urgency_key": [1, 20], "cost": bad}}
    with pytest.raises(SupportError, match="fleet entry prod has a cost without a numeric extra_hourly_cost"):
        rank_fleet([entry])


@PROPERTY
@given(clusters=st.lists(st.tuples(st.sampled_from(VERSIONS + ["1.21"]), policies, rate_pairs), min_size=1,
                         max_size=12),
       today=planning_days, seed=st.integers(0, 2 ** 32))
def test_ranking_with_costs_is_sorted_by_level_cost_deadline_and_name(clusters, today, seed):
    fleet = [{"cluster": f"c{index:02d}", "support": support_report(version, policy, today, ROWS, rates)}
             for index, (version, policy, rates) in enumerate(clusters)]
    shuffled = list(fleet)
    random.Random(seed).shuffle(shuffled)
    ranked = rank_fleet(shuffled)
    assert ranked == rank_fleet(fleet)
    keys = [(row["support"]["urgency_key"][0], -row["support"]["cost"]["extra_hourly_cost"],
             row["support"]["urgency_key"][1], row["cluster"]) for row in ranked]
    assert keys == sorted(keys) == [fleet_key(row) for row in ranked]
