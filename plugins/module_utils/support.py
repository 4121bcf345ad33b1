# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's required module_utils header, kept for ansible-test sanity.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

# EKS support calendar: how long a cluster may stay on its Kubernetes version, what staying costs, and how
# urgent its upgrade is. Pure and deterministic: callers pass the rows of DescribeClusterVersions, the
# cluster's upgrade policy, the planning date and the hourly rates; nothing here reads a clock or calls an API.
#
# Rules encoded (AWS "Amazon EKS Kubernetes release calendar" and "Cluster upgrade policy"):
#   1. A version has 14 months of standard support, then 12 months of extended support. Support ends
#      ON the end date: from that day the version is in the next phase (what DescribeClusterVersions'
#      versionStatus reports).
#   2. upgradePolicy.supportType STANDARD: at the end of standard support EKS upgrades the cluster to the
#      next version automatically; the cluster never runs in extended support. EXTENDED (the default when
#      a cluster reports no policy): the cluster may stay until the end of extended support, billed extra
#      per cluster hour while in extended support, and is then upgraded automatically.
#   3. So the deadline that matters is the end of standard support under STANDARD and the end of extended
#      support under EXTENDED: on that day EKS, not the operator, chooses when the upgrade happens.
#   4. The control plane is billed per cluster hour at the standard rate, or at the extended rate while the
#      cluster is in extended support (policy EXTENDED); the difference is what waiting costs (support_cost).

import datetime
import math
import re
from collections import namedtuple

from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import VersionError, parse_kube_version

STANDARD_POLICY = "STANDARD"
EXTENDED_POLICY = "EXTENDED"
UPGRADE_POLICIES = (STANDARD_POLICY, EXTENDED_POLICY)
# AWS's default for clusters created without upgradePolicy (and what older clusters report nothing for).
DEFAULT_UPGRADE_POLICY = EXTENDED_POLICY

# Support phases of a version on the planning date (DescribeClusterVersions' versionStatus, in lower case).
STANDARD = "standard"
EXTENDED = "extended"
UNSUPPORTED = "unsupported"

END_OF_STANDARD_SUPPORT = "end-of-standard-support"
END_OF_EXTENDED_SUPPORT = "end-of-extended-support"

# Most urgent first; the index is the first element of the urgency key.
OVERDUE = "overdue"
CRITICAL = "critical"
HIGH = "high"
MEDIUM = "medium"
LOW = "low"
URGENCY_LEVELS = (OVERDUE, CRITICAL, HIGH, MEDIUM, LOW)
# A level applies when fewer days than its bound are left; at zero days or fewer the deadline has passed.
URGENCY_BOUNDS = ((CRITICAL, 30), (HIGH, 90), (MEDIUM, 180))

# Days of a deadline nobody knows (a version so old that EKS no longer lists it): sorts before any known
# deadline, since its support ended before every version EKS still lists.
UNKNOWN_DAYS_KEY = -(10 ** 6)

# The control plane's price per cluster hour in US dollars, by support phase: AWS's published rates (Amazon EKS
# pricing, https://aws.amazon.com/eks/pricing/, and "Amazon EKS extended support for Kubernetes versions pricing",
# AWS Containers blog, 2024: $0.10 in standard support, $0.60 in total in extended support). Other rates (a region,
# an agreement) are passed by the caller (parse_hourly_rates); Provisioned Control Plane tiers are billed apart.
DEFAULT_HOURLY_RATES = {"standard": 0.10, "extended": 0.60}
HOURS_PER_DAY = 24
HOURS_PER_MONTH = 730  # AWS's pricing month: $73.00 a month at $0.10 an hour

# EKS answers with cluster types "eks" (or none) and, for local clusters on Outposts, others.
EKS_CLUSTER_TYPE = "eks"

_DAY_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


class SupportError(ValueError):
    """Input the support calendar cannot work with; the message says what was wrong and what to give."""


def parse_day(value, what):
    """A ``datetime.date`` from a date, a datetime (taken in UTC) or an ISO 8601 string.

    DescribeClusterVersions dates are midnight UTC timestamps: boto3 gives them as aware datetimes,
    JSON as strings such as ``2026-03-23T00:00:00+00:00``. ``what`` names the value in errors.
    """
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc)
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str) or not value.strip():
        raise SupportError(f"{what} must be a date written YYYY-MM-DD, got {value!r}")
    text = value.strip()
    # The shape is checked first: Python 3.11's fromisoformat also reads forms (20261124) that 3.8 refuses.
    if not _DAY_RE.match(text):
        raise SupportError(f"{what} {text!r} is not a date: write it as YYYY-MM-DD, for example 2026-11-24")
    try:
        if len(text) == 10:
            return datetime.date.fromisoformat(text)
        # Python 3.8's fromisoformat does not read the "Z" suffix AWS and JSON encoders write.
        moment = datetime.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError as exc:
        raise SupportError(f"{what} {text!r} is not a valid date ({exc}): write it as YYYY-MM-DD, for example "
                           "2026-11-24") from None
    return parse_day(moment, what)


def planning_day(value, what="today"):
    """The planning date: ``value`` (an option), or the current date in UTC (AWS's dates are UTC) when it is None;
    raises ModuleError naming ``what`` on a value that is not a date."""
    if value is None:
        return datetime.datetime.now(datetime.timezone.utc).date()
    try:
        return parse_day(value, what)
    except SupportError as exc:
        raise ModuleError(str(exc)) from None


def parse_upgrade_policy(value):
    """(policy, assumed): the cluster's upgradePolicy.supportType, or EKS's default when it reports none."""
    if value is None or value == "":
        return DEFAULT_UPGRADE_POLICY, True
    if value not in UPGRADE_POLICIES:
        raise SupportError(f"upgrade policy {value!r} is not one EKS knows: expected STANDARD or EXTENDED "
                           "(Cluster.upgradePolicy.supportType)")
    return value, False


class VersionCalendar(namedtuple("VersionCalendar", "version release_date end_of_standard end_of_extended")):
    """One DescribeClusterVersions row: a Kubernetes minor (KubeMinor) and its support dates."""

    __slots__ = ()

    def phase_on(self, today):
        """The support phase on ``today`` (rule 1: support ends on the end date)."""
        if today < self.end_of_standard:
            return STANDARD
        if today < self.end_of_extended:
            return EXTENDED
        return UNSUPPORTED


def calendar_from_rows(rows):
    """{KubeMinor: VersionCalendar} from DescribeClusterVersions' clusterVersions (boto3 or JSON shaped).

    Rows of other cluster types (EKS local clusters on Outposts) are left out; the first row of a
    version wins.
    """
    if not isinstance(rows, (list, tuple)):
        raise SupportError(f"the DescribeClusterVersions rows must be a list, got {type(rows).__name__}")
    calendar = {}
    for row in rows:
        if not isinstance(row, dict):
            raise SupportError(f"a DescribeClusterVersions row must be a dict, got {row!r}")
        if row.get("clusterType") not in (None, EKS_CLUSTER_TYPE):
            continue
        if not row.get("clusterVersion"):
            raise SupportError(f"a DescribeClusterVersions row has no clusterVersion: {row!r}")
        try:
            version = parse_kube_version(str(row["clusterVersion"]))
        except VersionError as exc:
            raise SupportError(f"DescribeClusterVersions row: {exc}") from None
        if version in calendar:
            continue
        dates = {}
        for field in ("endOfStandardSupportDate", "endOfExtendedSupportDate"):
            if row.get(field) is None:
                raise SupportError(f"DescribeClusterVersions gives Kubernetes {version} no {field}; "
                                   "without it the support deadline is unknown")
            dates[field] = parse_day(row[field], f"{field} of Kubernetes {version}")
        release = row.get("releaseDate")
        release = parse_day(release, f"releaseDate of Kubernetes {version}") if release is not None else None
        if dates["endOfExtendedSupportDate"] < dates["endOfStandardSupportDate"]:
            raise SupportError(f"DescribeClusterVersions gives Kubernetes {version} an end of extended support "
                               f"({dates['endOfExtendedSupportDate']}) before its end of standard support "
                               f"({dates['endOfStandardSupportDate']})")
        calendar[version] = VersionCalendar(version, release, dates["endOfStandardSupportDate"],
                                            dates["endOfExtendedSupportDate"])
    return calendar


def urgency_for(days_to_deadline):
    """The urgency level of a deadline ``days_to_deadline`` days away (None: unknown, long passed)."""
    if days_to_deadline is None or days_to_deadline <= 0:
        return OVERDUE
    for level, bound in URGENCY_BOUNDS:
        if days_to_deadline < bound:
            return level
    return LOW


def urgency_key(level, days_to_deadline):
    """Sort key, most urgent first: the level, then the nearest (or longest passed) deadline."""
    if level not in URGENCY_LEVELS:
        raise SupportError(f"urgency {level!r} is not one of {', '.join(URGENCY_LEVELS)}")
    days = UNKNOWN_DAYS_KEY if days_to_deadline is None else days_to_deadline
    return (URGENCY_LEVELS.index(level), days)


class Support(namedtuple("Support", (
        "version upgrade_policy upgrade_policy_assumed today status release_date end_of_standard_support "
        "end_of_extended_support days_to_end_of_standard_support days_to_end_of_extended_support deadline "
        "deadline_event days_to_deadline urgency extended_support_billed extended_support_billing_starts "
        "message"))):
    """Where a cluster stands in the support calendar on ``today``; dates are ``datetime.date`` or None."""

    __slots__ = ()

    @property
    def urgency_key(self):
        return urgency_key(self.urgency, self.days_to_deadline)

    def to_dict(self):
        data = self._asdict()
        for key, value in data.items():
            if isinstance(value, datetime.date):
                data[key] = value.isoformat()
        data["version"] = str(self.version)
        data["urgency_key"] = list(self.urgency_key)
        return data


def support_status(version, upgrade_policy, today, rows):
    """The Support of a cluster on ``version`` (string or KubeMinor) under ``upgrade_policy`` on ``today``.

    ``rows`` are DescribeClusterVersions' clusterVersions (call it with includeAll, or versions past
    extended support are missing). A version older than every row is past extended support with unknown
    dates; any other version missing from the rows is an error.
    """
    try:
        minor = parse_kube_version(version)
    except VersionError as exc:
        raise SupportError(f"cluster version: {exc}") from None
    policy, assumed = parse_upgrade_policy(upgrade_policy)
    today = parse_day(today, "today")
    calendar = calendar_from_rows(rows)
    entry = calendar.get(minor)
    if entry is None:
        return _not_listed(minor, policy, assumed, today, calendar)

    status = entry.phase_on(today)
    to_standard = (entry.end_of_standard - today).days
    to_extended = (entry.end_of_extended - today).days
    if policy == STANDARD_POLICY:
        deadline, event, days = entry.end_of_standard, END_OF_STANDARD_SUPPORT, to_standard
    else:
        deadline, event, days = entry.end_of_extended, END_OF_EXTENDED_SUPPORT, to_extended
    billed = policy == EXTENDED_POLICY and status == EXTENDED
    billing_starts = entry.end_of_standard if policy == EXTENDED_POLICY and status == STANDARD else None
    return Support(minor, policy, assumed, today, status, entry.release_date, entry.end_of_standard,
                   entry.end_of_extended, to_standard, to_extended, deadline, event, days, urgency_for(days),
                   billed, billing_starts, _message(minor, policy, status, entry, to_standard, to_extended))


def _not_listed(minor, policy, assumed, today, calendar):
    listed = sorted(calendar)
    if not listed or minor > listed[0]:
        offered = ", ".join(str(item) for item in listed) or "none"
        raise SupportError(f"DescribeClusterVersions lists no Kubernetes {minor} (listed: {offered}); call it "
                           "with includeAll so that versions past their support are listed too")
    message = (f"EKS no longer lists Kubernetes {minor}: its support ended no later than that of {listed[0]}, the "
               "oldest version EKS lists. EKS upgrades the cluster automatically at any time. Upgrade now.")
    return Support(minor, policy, assumed, today, UNSUPPORTED, None, None, None, None, None, None,
                   END_OF_EXTENDED_SUPPORT if policy == EXTENDED_POLICY else END_OF_STANDARD_SUPPORT, None,
                   OVERDUE, False, None, message)


def days_phrase(days):
    """A day count as people read it: 'in 3 days', 'today', '1 day ago'; 'unknown' for None."""
    if days is None:
        return "unknown"
    if days > 0:
        return f"in {days} day{'s' if days != 1 else ''}"
    if days == 0:
        return "today"
    return f"{-days} day{'s' if days != -1 else ''} ago"


def _message(minor, policy, status, entry, to_standard, to_extended):
    """One sentence for people: where the version stands, what EKS will do, and what to do."""
    standard_end = f"{entry.end_of_standard} ({days_phrase(to_standard)})"
    extended_end = f"{entry.end_of_extended} ({days_phrase(to_extended)})"
    if policy == STANDARD_POLICY:
        if status == STANDARD:
            return (f"Kubernetes {minor} is in standard support until {standard_end}; with the STANDARD upgrade "
                    "policy EKS then upgrades the cluster automatically. Upgrade before then, or set the upgrade "
                    f"policy to EXTENDED (billed extra) to keep {minor} until {entry.end_of_extended}.")
        return (f"Kubernetes {minor} left standard support on {standard_end}; with the STANDARD upgrade policy "
                "EKS upgrades the cluster automatically at any time. Upgrade now.")
    if status == STANDARD:
        return (f"Kubernetes {minor} is in standard support until {standard_end}, then in extended support "
                f"(billed extra per cluster hour) until {extended_end}, when EKS upgrades the cluster "
                "automatically.")
    if status == EXTENDED:
        return (f"Kubernetes {minor} is in extended support, billed extra per cluster hour, until {extended_end}; "
                "EKS then upgrades the cluster automatically. Upgrade before then.")
    return (f"Kubernetes {minor} left extended support on {extended_end}; EKS upgrades the cluster automatically "
            "at any time. Upgrade now.")


def parse_hourly_rates(value, what="control_plane_hourly_rates"):
    """{standard, extended}: the US dollars per cluster hour in ``value`` over DEFAULT_HOURLY_RATES.

    ``value`` may give one rate or both; None or an empty mapping gives AWS's published rates. ``what`` names
    the option in errors.
    """
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise SupportError(f"{what} must be a mapping such as {{standard: 0.10, extended: 0.60}} (US dollars per "
                           f"cluster hour), got {value!r}")
    unknown = sorted(str(key) for key in value if key not in DEFAULT_HOURLY_RATES)
    if unknown:
        raise SupportError(f"{what}: unknown key(s) {', '.join(unknown)}; give standard and/or extended, the US "
                           "dollars per cluster hour in standard and in extended support")
    rates = dict(DEFAULT_HOURLY_RATES)
    for key, rate in value.items():
        try:
            number = float(rate) if not isinstance(rate, bool) else None
        except (TypeError, ValueError):
            number = None
        if number is None or not math.isfinite(number) or number < 0:
            raise SupportError(f"{what}: {key} must be a number of US dollars per cluster hour, 0 or more (AWS's "
                               f"rate is {DEFAULT_HOURLY_RATES[key]}), got {rate!r}")
        rates[key] = number
    if rates["extended"] < rates["standard"]:
        raise SupportError(f"{what}: the extended rate ({rates['extended']}) is below the standard rate "
                           f"({rates['standard']}); extended support is billed at the higher rate (AWS: "
                           f"{DEFAULT_HOURLY_RATES['standard']} and {DEFAULT_HOURLY_RATES['extended']})")
    return rates


def dollars(amount):
    """US dollars as people read them: two decimals at least, up to four for an hourly rate ($0.055)."""
    whole, _dot, cents = f"{amount:,.4f}".rstrip("0").partition(".")
    return f"${whole}.{cents.ljust(2, '0')}"


def support_cost(support, rates):
    """What a cluster's control plane costs on ``support.today`` and what staying on its version costs.

    ``support`` is a Support, ``rates`` parse_hourly_rates(). The extra is what the cluster pays over the
    standard rate: the extended rate minus the standard one while it is billed for extended support (policy
    EXTENDED, version in extended support). The extra to the deadline is what it pays if nobody upgrades it
    before EKS does: every billed day from today (or from the end of standard support) to the end of extended
    support, under EXTENDED only (a STANDARD cluster is upgraded by EKS instead, rule 2).
    """
    standard, extended = rates["standard"], rates["extended"]
    hourly = extended if support.extended_support_billed else standard
    billed_days = 0
    if support.upgrade_policy == EXTENDED_POLICY and support.end_of_extended_support is not None:
        start = max(support.today, support.end_of_standard_support)
        billed_days = max(0, (support.end_of_extended_support - start).days)
    extra = hourly - standard
    to_deadline = billed_days * HOURS_PER_DAY * (extended - standard)
    cost = {
        "rates": dict(rates),
        "hourly_rate": round(hourly, 4),
        "extra_hourly_cost": round(extra, 4),
        "extra_monthly_cost": round(extra * HOURS_PER_MONTH, 2),
        "extra_billed_days_to_deadline": billed_days,
        "extra_cost_to_deadline": round(to_deadline, 2),
    }
    cost["message"] = _cost_message(support, rates, cost)
    return cost


def _cost_message(support, rates, cost):
    """One sentence on the money: what the cluster pays over standard support, and what waiting costs."""
    if not cost["extra_billed_days_to_deadline"]:
        return ""
    difference = rates["extended"] - rates["standard"]
    waiting = (f"staying on {support.version} until EKS upgrades the cluster on {support.end_of_extended_support} "
               f"costs {dollars(cost['extra_cost_to_deadline'])} more ({cost['extra_billed_days_to_deadline']} "
               f"days of extended support)")
    if support.extended_support_billed:
        return (f"Extended support costs {dollars(cost['hourly_rate'])} per hour instead of "
                f"{dollars(rates['standard'])}: {dollars(cost['extra_hourly_cost'])} more per hour "
                f"({dollars(cost['extra_monthly_cost'])} a month); {waiting}.")
    return (f"From {support.end_of_standard_support}, extended support costs {dollars(difference)} more per hour "
            f"({dollars(round(difference * HOURS_PER_MONTH, 2))} a month); {waiting}.")


def support_report(version, upgrade_policy, today, rows, rates):
    """``support_status(...).to_dict()`` with its ``cost`` (support_cost) under ``rates``."""
    support = support_status(version, upgrade_policy, today, rows)
    return dict(support.to_dict(), cost=support_cost(support, rates))


def fleet_key(entry):
    """Sort key of a fleet entry, most urgent first: the urgency level; then, within a level, the cluster
    billed the most over standard support (every hour it waits costs); then the nearest (or longest
    passed) deadline; then the cluster name, so the order is the same on every run."""
    if not isinstance(entry, dict) or not entry.get("cluster"):
        raise SupportError(f"a fleet entry needs a 'cluster' name, got {entry!r}")
    support = entry.get("support")
    key = support.get("urgency_key") if isinstance(support, dict) else None
    if (not isinstance(key, (list, tuple)) or len(key) != 2
            or not all(isinstance(part, int) and not isinstance(part, bool) for part in key)):
        raise SupportError(f"fleet entry {entry['cluster']} has no urgency_key of two integers in its support "
                           f"(support_status().to_dict() gives one), got {key!r}")
    cost = support.get("cost") or {}
    extra = cost.get("extra_hourly_cost", 0) if isinstance(cost, dict) else None
    if isinstance(extra, bool) or not isinstance(extra, (int, float)):
        raise SupportError(f"fleet entry {entry['cluster']} has a cost without a numeric extra_hourly_cost "
                           f"(support_cost() gives one), got {cost!r}")
    return (key[0], -extra, key[1], str(entry["cluster"]))


def rank_fleet(entries):
    """The fleet's clusters, most urgent first (fleet_key), each a copy with its 1-based ``rank``.

    Each entry is a dict with ``cluster`` (its name) and ``support`` (``Support.to_dict()``, with its
    ``cost`` from support_cost() when the rates are known).
    """
    keyed = [(fleet_key(entry), entry) for entry in entries]
    keyed.sort(key=lambda pair: pair[0])
    return [dict(entry, rank=position) for position, (_key, entry) in enumerate(keyed, start=1)]
