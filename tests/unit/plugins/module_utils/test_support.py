# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The EKS support calendar (plugins/module_utils/support.py).

Table tests use AWS's published calendar (1.23-1.34) in the shapes DescribeClusterVersions takes through
boto3 (aware datetimes) and through JSON (ISO strings); property tests move the planning date and shuffle
fleets and check the rules hold everywhere.
"""
import datetime
import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.lifecycle.eks.plugins.module_utils.support import (
    CRITICAL,
    END_OF_EXTENDED_SUPPORT,
    END_OF_STANDARD_SUPPORT,
    EXTENDED,
    HIGH,
    LOW,
    MEDIUM,
    OVERDUE,
    STANDARD,
    UNKNOWN_DAYS_KEY,
    UNSUPPORTED,
    URGENCY_LEVELS,
    SupportError,
    calendar_from_rows,
    days_phrase,
    parse_day,
    parse_upgrade_policy,
    rank_fleet,
    support_status,
    urgency_for,
    urgency_key,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import KubeMinor

PROPERTY = settings(max_examples=200, deadline=None)
UTC = datetime.timezone.utc

# AWS's calendar (eks-api-notes.md): version, EKS release, end of standard, end of extended support.
AWS_CALENDAR = [
    ("1.23", "2022-08-11", "2023-10-11", "2024-10-11"),
    ("1.24", "2022-11-15", "2024-01-31", "2025-01-31"),
    ("1.25", "2023-02-22", "2024-05-01", "2025-05-01"),
    ("1.26", "2023-04-11", "2024-06-11", "2025-06-11"),
    ("1.27", "2023-05-24", "2024-07-24", "2025-07-24"),
    ("1.28", "2023-09-26", "2024-11-26", "2025-11-26"),
    ("1.29", "2024-01-23", "2025-03-23", "2026-03-23"),
    ("1.30", "2024-05-23", "2025-07-23", "2026-07-23"),
    ("1.31", "2024-09-26", "2025-11-26", "2026-11-26"),
    ("1.32", "2025-01-23", "2026-03-23", "2027-03-23"),
    ("1.33", "2025-05-29", "2026-07-29", "2027-07-29"),
    ("1.34", "2025-10-02", "2026-12-02", "2027-12-02"),
]
VERSIONS = [version for version, *_dates in AWS_CALENDAR]


def midnight_utc(text):
    return datetime.datetime.combine(datetime.date.fromisoformat(text), datetime.time(), UTC)


def boto3_rows():
    """DescribeClusterVersions as boto3 returns it: newest first, timestamps as aware datetimes."""
    return [{"clusterVersion": version, "clusterType": "eks", "releaseDate": midnight_utc(release),
             "endOfStandardSupportDate": midnight_utc(standard), "endOfExtendedSupportDate": midnight_utc(extended),
             "versionStatus": "STANDARD_SUPPORT", "defaultVersion": False}
            for version, release, standard, extended in reversed(AWS_CALENDAR)]


def json_rows():
    """The same rows after a round trip through JSON (Ansible facts, reports): ISO 8601 strings."""
    return json.loads(json.dumps(boto3_rows(), default=lambda value: value.isoformat()))


ROWS = boto3_rows()


def day(text):
    return datetime.date.fromisoformat(text)


# --- parse_day ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (datetime.date(2026, 3, 23), "2026-03-23"),
    (midnight_utc("2026-03-23"), "2026-03-23"),
    (datetime.datetime(2026, 3, 23, 23, 59), "2026-03-23"),  # naive: taken as given
    # 20:00 in New York on the 22nd is already the 23rd in UTC, the zone of AWS's dates.
    (datetime.datetime(2026, 3, 22, 20, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))), "2026-03-23"),
    ("2026-03-23", "2026-03-23"),
    (" 2026-03-23 ", "2026-03-23"),
    ("2026-03-23T00:00:00Z", "2026-03-23"),
    ("2026-03-23T00:00:00+00:00", "2026-03-23"),
    ("2026-03-23T02:00:00+03:00", "2026-03-22"),
    ("2026-03-23T00:00:00", "2026-03-23"),
])
def test_parse_day_reads_every_shape_aws_and_json_give(value, expected):
    assert parse_day(value, "today") == day(expected)


@pytest.mark.parametrize("value, message", [
    ("23/03/2026", "today '23/03/2026' is not a date: write it as YYYY-MM-DD"),
    ("20260323", "today '20260323' is not a date: write it as YYYY-MM-DD"),
    ("tomorrow", "today 'tomorrow' is not a date"),
    ("2026-13-01", "today '2026-13-01' is not a valid date (month must be in 1..12)"),
    ("2026-02-30", "today '2026-02-30' is not a valid date (day is out of range for month)"),
    ("2026-03-23T25:00:00", "is not a valid date"),
    ("", "today must be a date written YYYY-MM-DD, got ''"),
    (None, "today must be a date written YYYY-MM-DD, got None"),
    (20260323, "today must be a date written YYYY-MM-DD, got 20260323"),
    (True, "today must be a date written YYYY-MM-DD, got True"),
])
def test_parse_day_refuses_what_is_not_a_day(value, message):
    with pytest.raises(SupportError) as excinfo:
        parse_day(value, "today")
    assert message in str(excinfo.value)


@PROPERTY
@given(st.dates(min_value=datetime.date(1970, 1, 2), max_value=datetime.date(9998, 12, 30)))
def test_parse_day_round_trips(value):
    assert parse_day(value.isoformat(), "day") == value
    assert parse_day(midnight_utc(value.isoformat()), "day") == value
    assert parse_day(midnight_utc(value.isoformat()).isoformat().replace("+00:00", "Z"), "day") == value


# --- upgrade policy -------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("STANDARD", ("STANDARD", False)), ("EXTENDED", ("EXTENDED", False)),
    (None, ("EXTENDED", True)), ("", ("EXTENDED", True)),
])
def test_upgrade_policy_defaults_to_extended_as_on_aws(value, expected):
    assert parse_upgrade_policy(value) == expected


@pytest.mark.parametrize("value", ["standard", "Extended", "AUTO", 1])
def test_unknown_upgrade_policy_is_refused(value):
    with pytest.raises(SupportError, match=r"is not one EKS knows: expected STANDARD or EXTENDED"):
        parse_upgrade_policy(value)


# --- calendar rows --------------------------------------------------------------------------------------

def test_calendar_reads_boto3_and_json_rows_alike():
    from_boto3 = calendar_from_rows(boto3_rows())
    assert from_boto3 == calendar_from_rows(json_rows())
    entry = from_boto3[KubeMinor(1, 29)]
    assert (entry.release_date, entry.end_of_standard, entry.end_of_extended) == (
        day("2024-01-23"), day("2025-03-23"), day("2026-03-23"))
    assert sorted(from_boto3) == [KubeMinor(1, minor) for minor in range(23, 35)]


def test_calendar_skips_other_cluster_types_and_keeps_the_first_row_of_a_version():
    outposts = dict(ROWS[0], clusterType="eks-local-outposts", endOfStandardSupportDate="2030-01-01")
    duplicate = dict(ROWS[0], endOfStandardSupportDate="2031-01-01")
    untyped = {key: value for key, value in ROWS[1].items() if key != "clusterType"}
    calendar = calendar_from_rows([outposts, ROWS[0], duplicate, untyped])
    assert calendar[KubeMinor(1, 34)].end_of_standard == day("2026-12-02")
    assert KubeMinor(1, 33) in calendar


def test_calendar_row_without_release_date_is_fine():
    row = {key: value for key, value in ROWS[0].items() if key != "releaseDate"}
    assert calendar_from_rows([row])[KubeMinor(1, 34)].release_date is None


@pytest.mark.parametrize("rows, message", [
    ("1.29", "the DescribeClusterVersions rows must be a list, got str"),
    ([["1.29"]], "a DescribeClusterVersions row must be a dict"),
    ([{"endOfStandardSupportDate": "2026-01-01"}], "a DescribeClusterVersions row has no clusterVersion"),
    ([{"clusterVersion": "one.two", "endOfStandardSupportDate": "2026-01-01"}],
     "DescribeClusterVersions row: 'one.two' is not a Kubernetes version"),
    ([{"clusterVersion": "1.29", "endOfExtendedSupportDate": "2026-03-23"}],
     "gives Kubernetes 1.29 no endOfStandardSupportDate; without it the support deadline is unknown"),
    ([{"clusterVersion": "1.29", "endOfStandardSupportDate": "2025-03-23"}],
     "gives Kubernetes 1.29 no endOfExtendedSupportDate"),
    ([{"clusterVersion": "1.29", "endOfStandardSupportDate": "March", "endOfExtendedSupportDate": "2026-03-23"}],
     "endOfStandardSupportDate of Kubernetes 1.29 'March' is not a date"),
    ([{"clusterVersion": "1.29", "endOfStandardSupportDate": "2026-03-23", "endOfExtendedSupportDate": "2025-03-23"}],
     "an end of extended support (2025-03-23) before its end of standard support (2026-03-23)"),
])
def test_malformed_rows_are_refused_with_what_is_wrong(rows, message):
    with pytest.raises(SupportError) as excinfo:
        calendar_from_rows(rows)
    assert message in str(excinfo.value)


# --- urgency --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("days, level", [
    (None, OVERDUE), (-400, OVERDUE), (-1, OVERDUE), (0, OVERDUE),
    (1, CRITICAL), (29, CRITICAL), (30, HIGH), (89, HIGH), (90, MEDIUM), (179, MEDIUM), (180, LOW), (3650, LOW),
])
def test_urgency_bounds(days, level):
    assert urgency_for(days) == level


def test_urgency_key_orders_level_then_days():
    assert urgency_key(OVERDUE, -100) < urgency_key(OVERDUE, -5) < urgency_key(CRITICAL, 1) < urgency_key(LOW, 200)
    assert urgency_key(OVERDUE, None) == (0, UNKNOWN_DAYS_KEY) < urgency_key(OVERDUE, -10 ** 5)


def test_urgency_key_refuses_an_unknown_level():
    with pytest.raises(SupportError, match="urgency 'soon' is not one of overdue, critical, high, medium, low"):
        urgency_key("soon", 3)


@given(st.integers(min_value=-2000, max_value=2000), st.integers(min_value=0, max_value=100))
def test_fewer_days_left_is_never_less_urgent(days, fewer):
    assert URGENCY_LEVELS.index(urgency_for(days - fewer)) <= URGENCY_LEVELS.index(urgency_for(days))


@pytest.mark.parametrize("days, phrase", [
    (None, "unknown"), (2, "in 2 days"), (1, "in 1 day"), (0, "today"), (-1, "1 day ago"), (-30, "30 days ago"),
])
def test_days_phrase(days, phrase):
    assert days_phrase(days) == phrase


# --- support_status: the fleet of the integration test, on 2026-11-01 -----------------------------------

FLEET_ON_2026_11_01 = [
    # version, policy, status, urgency, deadline, event, days left, billed, billing starts
    ("1.30", "EXTENDED", UNSUPPORTED, OVERDUE, "2026-07-23", END_OF_EXTENDED_SUPPORT, -101, False, None),
    ("1.33", "STANDARD", EXTENDED, OVERDUE, "2026-07-29", END_OF_STANDARD_SUPPORT, -95, False, None),
    ("1.31", "EXTENDED", EXTENDED, CRITICAL, "2026-11-26", END_OF_EXTENDED_SUPPORT, 25, True, None),
    ("1.34", "STANDARD", STANDARD, HIGH, "2026-12-02", END_OF_STANDARD_SUPPORT, 31, False, None),
    ("1.32", "EXTENDED", EXTENDED, MEDIUM, "2027-03-23", END_OF_EXTENDED_SUPPORT, 142, True, None),
    ("1.33", "EXTENDED", EXTENDED, LOW, "2027-07-29", END_OF_EXTENDED_SUPPORT, 270, True, None),
    ("1.34", "EXTENDED", STANDARD, LOW, "2027-12-02", END_OF_EXTENDED_SUPPORT, 396, False, "2026-12-02"),
]


@pytest.mark.parametrize("version, policy, status, level, deadline, event, days, billed, billing_starts",
                         FLEET_ON_2026_11_01)
def test_support_of_a_fleet_on_one_day(version, policy, status, level, deadline, event, days, billed,
                                       billing_starts):
    support = support_status(version, policy, "2026-11-01", ROWS)
    assert (support.status, support.urgency, support.deadline, support.deadline_event, support.days_to_deadline) == (
        status, level, day(deadline), event, days)
    assert support.extended_support_billed is billed
    assert support.extended_support_billing_starts == (day(billing_starts) if billing_starts else None)
    assert support.upgrade_policy == policy and support.upgrade_policy_assumed is False


def test_days_to_both_ends_are_counted_and_negative_once_passed():
    support = support_status("1.31", "EXTENDED", day("2026-11-01"), ROWS)
    assert (support.end_of_standard_support, support.end_of_extended_support) == (day("2025-11-26"),
                                                                                  day("2026-11-26"))
    assert (support.days_to_end_of_standard_support, support.days_to_end_of_extended_support) == (-340, 25)
    assert support.release_date == day("2024-09-26")


@pytest.mark.parametrize("today, status", [
    ("2025-03-22", STANDARD), ("2025-03-23", EXTENDED), ("2026-03-22", EXTENDED), ("2026-03-23", UNSUPPORTED),
])
def test_support_ends_on_the_end_date(today, status):
    """As DescribeClusterVersions' versionStatus: on the end date the version is already in the next phase."""
    assert support_status("1.29", "EXTENDED", today, ROWS).status == status


def test_standard_policy_deadline_is_the_end_of_standard_support():
    standard = support_status("1.33", "STANDARD", "2026-07-28", ROWS)
    assert (standard.deadline, standard.days_to_deadline, standard.urgency) == (day("2026-07-29"), 1, CRITICAL)
    assert "with the STANDARD upgrade policy EKS then upgrades the cluster automatically" in standard.message
    assert "set the upgrade policy to EXTENDED (billed extra) to keep 1.33 until 2027-07-29" in standard.message
    on_the_day = support_status("1.33", "STANDARD", "2026-07-29", ROWS)
    assert (on_the_day.days_to_deadline, on_the_day.urgency) == (0, OVERDUE)
    assert "left standard support on 2026-07-29 (today)" in on_the_day.message


def test_policy_reported_by_nobody_is_extended_and_says_so():
    support = support_status("1.32", None, "2026-11-01", ROWS)
    assert (support.upgrade_policy, support.upgrade_policy_assumed) == ("EXTENDED", True)
    assert support.deadline_event == END_OF_EXTENDED_SUPPORT


@pytest.mark.parametrize("version, policy, today, parts", [
    ("1.34", "EXTENDED", "2026-11-01", ["is in standard support until 2026-12-02 (in 31 days)",
                                        "then in extended support (billed extra per cluster hour) until 2027-12-02"
                                        " (in 396 days)"]),
    ("1.31", "EXTENDED", "2026-11-25", ["in extended support, billed extra per cluster hour, until 2026-11-26 "
                                        "(in 1 day)", "Upgrade before then."]),
    ("1.30", "EXTENDED", "2026-07-24", ["left extended support on 2026-07-23 (1 day ago)", "Upgrade now."]),
    ("1.33", "STANDARD", "2026-11-01", ["left standard support on 2026-07-29 (95 days ago)",
                                        "automatically at any time. Upgrade now."]),
])
def test_messages_say_when_and_what_to_do(version, policy, today, parts):
    message = support_status(version, policy, today, ROWS).message
    for part in parts:
        assert part in message


def test_version_too_old_for_eks_to_list_is_overdue_with_unknown_dates():
    support = support_status("1.21", "EXTENDED", "2026-11-01", ROWS)
    assert (support.status, support.urgency, support.deadline, support.days_to_deadline) == (
        UNSUPPORTED, OVERDUE, None, None)
    assert support.urgency_key == (0, UNKNOWN_DAYS_KEY)
    assert "EKS no longer lists Kubernetes 1.21" in support.message and "1.23" in support.message
    data = support.to_dict()
    assert data["end_of_standard_support"] is None and data["urgency_key"] == [0, UNKNOWN_DAYS_KEY]


@pytest.mark.parametrize("version, rows", [("1.35", ROWS), ("1.28", [r for r in ROWS if r["clusterVersion"] != "1.28"]),
                                           ("1.29", [])])
def test_version_missing_from_the_rows_is_an_error_that_names_includeall(version, rows):
    with pytest.raises(SupportError) as excinfo:
        support_status(version, "EXTENDED", "2026-11-01", rows)
    assert f"DescribeClusterVersions lists no Kubernetes {version}" in str(excinfo.value)
    assert "includeAll" in str(excinfo.value)


@pytest.mark.parametrize("version, message", [
    ("latest", "cluster version: 'latest' is not a Kubernetes version"),
    (None, "cluster version: expected a Kubernetes version string, got None"),
])
def test_bad_cluster_version_is_refused(version, message):
    with pytest.raises(SupportError) as excinfo:
        support_status(version, "EXTENDED", "2026-11-01", ROWS)
    assert message in str(excinfo.value)


def test_to_dict_is_json_with_iso_dates():
    data = support_status("v1.31.13-eks-ab12cd3", "EXTENDED", "2026-11-01", json_rows()).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["version"] == "1.31" and data["today"] == "2026-11-01"
    assert data["deadline"] == "2026-11-26" and data["extended_support_billing_starts"] is None
    assert data["urgency_key"] == [URGENCY_LEVELS.index(CRITICAL), 25]


# --- properties over the whole calendar -----------------------------------------------------------------

planning_days = st.dates(min_value=datetime.date(2022, 1, 1), max_value=datetime.date(2029, 12, 31))
policies = st.sampled_from(["STANDARD", "EXTENDED"])


@PROPERTY
@given(version=st.sampled_from(VERSIONS), policy=policies, today=planning_days)
def test_status_days_and_deadline_agree(version, policy, today):
    support = support_status(version, policy, today, ROWS)
    standard_days, extended_days = support.days_to_end_of_standard_support, support.days_to_end_of_extended_support
    expected_status = STANDARD if standard_days > 0 else EXTENDED if extended_days > 0 else UNSUPPORTED
    assert support.status == expected_status
    assert support.days_to_deadline == (standard_days if policy == "STANDARD" else extended_days)
    assert support.deadline == today + datetime.timedelta(days=support.days_to_deadline)
    assert support.urgency == urgency_for(support.days_to_deadline)
    assert support.extended_support_billed == (policy == "EXTENDED" and support.status == EXTENDED)
    billing_ahead = policy == "EXTENDED" and support.status == STANDARD
    assert (support.extended_support_billing_starts is not None) == billing_ahead


@PROPERTY
@given(version=st.sampled_from(VERSIONS), policy=policies, today=planning_days, later=st.integers(1, 400))
def test_time_only_makes_things_more_urgent(version, policy, today, later):
    now = support_status(version, policy, today, ROWS)
    then = support_status(version, policy, today + datetime.timedelta(days=later), ROWS)
    assert then.days_to_deadline == now.days_to_deadline - later
    assert then.days_to_end_of_standard_support == now.days_to_end_of_standard_support - later
    assert then.urgency_key < now.urgency_key


@PROPERTY
@given(version=st.sampled_from(VERSIONS), today=planning_days)
def test_standard_policy_is_never_less_urgent_than_extended(version, today):
    """STANDARD gives up extended support: its deadline is never later."""
    standard = support_status(version, "STANDARD", today, ROWS)
    extended = support_status(version, "EXTENDED", today, ROWS)
    assert standard.urgency_key <= extended.urgency_key
    assert standard.status == extended.status  # the phase is the version's, whatever the policy


@PROPERTY
@given(version=st.sampled_from(VERSIONS), policy=policies, today=planning_days)
def test_boto3_and_json_rows_give_the_same_answer(version, policy, today):
    assert support_status(version, policy, today, ROWS) == support_status(version, policy, today, json_rows())


# --- fleet ranking --------------------------------------------------------------------------------------

def entry(name, version, policy, today="2026-11-01"):
    return {"cluster": name, "support": support_status(version, policy, today, ROWS).to_dict()}


def test_fleet_is_ranked_most_urgent_first():
    fleet = [entry("ml-133", "1.33", "EXTENDED"), entry("edge-134", "1.34", "STANDARD"),
             entry("batch-130", "1.30", "EXTENDED"), entry("data-132", "1.32", "EXTENDED"),
             entry("web-133-std", "1.33", "STANDARD"), entry("api-131", "1.31", "EXTENDED")]
    ranked = rank_fleet(fleet)
    assert [(row["rank"], row["cluster"], row["support"]["urgency"]) for row in ranked] == [
        (1, "batch-130", OVERDUE), (2, "web-133-std", OVERDUE), (3, "api-131", CRITICAL), (4, "edge-134", HIGH),
        (5, "data-132", MEDIUM), (6, "ml-133", LOW)]
    assert all("rank" not in item for item in fleet)  # the input is left as it was


def test_ties_are_broken_by_cluster_name():
    ranked = rank_fleet([entry("b", "1.31", "EXTENDED"), entry("a", "1.31", "EXTENDED"), entry("c", "1.21", None)])
    assert [row["cluster"] for row in ranked] == ["c", "a", "b"]


def test_empty_fleet_ranks_to_nothing():
    assert rank_fleet([]) == []


@pytest.mark.parametrize("bad, message", [
    ("prod", "a fleet entry needs a 'cluster' name, got 'prod'"),
    ({"support": {}}, "a fleet entry needs a 'cluster' name"),
    ({"cluster": "prod"}, "fleet entry prod has no urgency_key of two integers"),
    ({"cluster": "prod", "support": {"urgency_key": [0]}}, "fleet entry prod has no urgency_key"),
    ({"cluster": "prod", "support": {"urgency_key": ["0", "3"]}}, "got ['0', '3']"),
])
def test_malformed_fleet_entries_are_refused(bad, message):
    with pytest.raises(SupportError) as excinfo:
        rank_fleet([entry("ok", "1.31", "EXTENDED"), bad])
    assert message in str(excinfo.value)


@PROPERTY
@given(clusters=st.lists(st.tuples(st.sampled_from(VERSIONS + ["1.21"]), policies), min_size=1, max_size=12),
       today=planning_days, seed=st.integers(0, 2 ** 32))
def test_ranking_is_a_sorted_permutation_whatever_the_input_order(clusters, today, seed):
    fleet = [entry(f"c{index:02d}", version, policy, today) for index, (version, policy) in enumerate(clusters)]
    shuffled = list(fleet)
    random.Random(seed).shuffle(shuffled)
    ranked = rank_fleet(fleet)
    assert rank_fleet(shuffled) == ranked
    assert [row["rank"] for row in ranked] == list(range(1, len(fleet) + 1))
    assert sorted(row["cluster"] for row in ranked) == sorted(row["cluster"] for row in fleet)
    keys = [tuple(row["support"]["urgency_key"]) for row in ranked]
    assert keys == sorted(keys)
