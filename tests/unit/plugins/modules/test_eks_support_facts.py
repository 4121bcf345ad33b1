"""eks_support_facts against the emulated world: support calendar, upgrade policy, hops, reads only."""
from __future__ import annotations

import datetime

import pytest

from ansible_collections.lifecycle.eks.plugins.modules import eks_support_facts as module
from tests.conftest import mutating_calls
from tests.unit.plugins.modules.helpers import log_position, records

TODAY = "2026-11-01"
# One cluster per urgency level on TODAY (AWS's calendar: 1.31 leaves extended support on 2026-11-26,
# 1.34 leaves standard support on 2026-12-02, 1.30 left extended support on 2026-07-23).
FLEET = {"clusters": [
    {"name": "api-131", "version": "1.31", "nodegroups": [{"name": "general", "version": "1.31"}]},
    {"name": "edge-134", "version": "1.34", "upgrade_policy": "STANDARD"},
    {"name": "batch-130", "version": "1.30", "nodegroups": [{"name": "general", "version": "1.30"},
                                                            {"name": "spot", "version": "1.29"}]},
]}


def facts_of(result):
    assert not result.failed, result.get("msg")
    assert result["changed"] is False
    return result["ansible_facts"]["eks_support"]


def test_extended_policy_cluster_in_extended_support(make_world, run_module, args):
    world = make_world(FLEET)
    before = log_position(world)
    result = run_module(module, args("api-131", kubeconfig=None, today=TODAY))
    fact = facts_of(result)
    assert fact["today"] == TODAY
    assert fact["cluster"] == {"name": "api-131", "version": "1.31", "platform_version": "eks.23",
                               "status": "ACTIVE", "upgrade_policy": "EXTENDED"}
    support = fact["support"]
    assert (support["status"], support["urgency"], support["deadline"], support["days_to_deadline"]) == (
        "extended", "critical", "2026-11-26", 25)
    assert support["deadline_event"] == "end-of-extended-support"
    assert (support["end_of_standard_support"], support["days_to_end_of_standard_support"]) == ("2025-11-26", -340)
    assert support["extended_support_billed"] is True and support["upgrade_policy_assumed"] is False
    assert support["urgency_key"] == [1, 25]
    assert "billed extra per cluster hour, until 2026-11-26 (in 25 days)" in support["message"]
    # AWS's rates by default: $0.50 an hour over standard support, for the 25 days left.
    figures = ("rates", "hourly_rate", "extra_hourly_cost", "extra_monthly_cost", "extra_billed_days_to_deadline",
               "extra_cost_to_deadline")
    assert {key: support["cost"][key] for key in figures} == {
        "rates": {"standard": 0.1, "extended": 0.6}, "hourly_rate": 0.6, "extra_hourly_cost": 0.5,
        "extra_monthly_cost": 365.0, "extra_billed_days_to_deadline": 25, "extra_cost_to_deadline": 300.0}
    assert "plan" not in fact and "target_support" not in fact
    # Without a target: two AWS reads, no Kubernetes call (no kubeconfig was even given).
    assert [r["operation"] for r in records(world, before)] == ["DescribeCluster", "DescribeClusterVersions"]
    assert result["api_calls"] == 2 and result["api_retries"] == 0


def test_standard_policy_deadline_is_the_end_of_standard_support(make_world, run_module, args):
    make_world(FLEET)
    support = facts_of(run_module(module, args("edge-134", kubeconfig=None, today=TODAY)))["support"]
    assert support["upgrade_policy"] == "STANDARD"
    assert (support["status"], support["urgency"], support["deadline"], support["days_to_deadline"]) == (
        "standard", "high", "2026-12-02", 31)
    assert support["deadline_event"] == "end-of-standard-support"
    assert support["extended_support_billed"] is False
    assert "with the STANDARD upgrade policy EKS then upgrades the cluster automatically" in support["message"]
    assert (support["cost"]["extra_hourly_cost"], support["cost"]["extra_cost_to_deadline"]) == (0.0, 0.0)


def test_rates_given_price_the_cluster_and_its_target(make_world, run_module, args):
    make_world(FLEET)
    fact = facts_of(run_module(module, args("api-131", today=TODAY, target_version="1.32",
                                            control_plane_hourly_rates={"extended": 0.7})))
    assert (fact["support"]["cost"]["hourly_rate"], fact["support"]["cost"]["extra_cost_to_deadline"]) == (0.7, 360.0)
    # 1.32 is in extended support as well (until 2027-03-23): the upgrade buys time, not a lower rate.
    target_cost = fact["target_support"]["cost"]
    assert (target_cost["extra_hourly_cost"], target_cost["extra_billed_days_to_deadline"]) == (0.6, 142)


@pytest.mark.parametrize("rates, message", [
    ({"extended": "a lot"}, "control_plane_hourly_rates: extended must be a number of US dollars per cluster hour"),
    ({"standard": 0.1, "extended": 0.05}, "the extended rate (0.05) is below the standard rate (0.1)"),
    ({"premium": 1}, "control_plane_hourly_rates: unknown key(s) premium"),
])
def test_bad_rates_fail_before_any_call(make_world, run_module, args, rates, message):
    world = make_world(FLEET)
    result = run_module(module, args("api-131", kubeconfig=None, today=TODAY, control_plane_hourly_rates=rates))
    assert result.failed
    assert message in result["msg"]
    assert records(world) == []


def test_overdue_cluster_with_hops_and_node_groups_first(make_world, run_module, args):
    world = make_world(FLEET)
    before = log_position(world)
    fact = facts_of(run_module(module, args("batch-130", today=TODAY, target_version="1.32",
                                            upgrade_nodegroups=True)))
    assert (fact["support"]["status"], fact["support"]["urgency"], fact["support"]["days_to_deadline"]) == (
        "unsupported", "overdue", -101)
    assert fact["target_version"] == "1.32"
    plan = fact["plan"]
    assert plan["feasible"] is True
    assert [(h["from_version"], h["to_version"], h["nodegroups_before"]) for h in plan["hops"]] == [
        ("1.30", "1.31", ["spot"]), ("1.31", "1.32", ["general", "spot"])]
    assert sorted(plan["nodegroups_after"]) == ["general", "spot"]
    assert fact["nodegroups"] == [{"name": "general", "version": "1.30", "status": "ACTIVE"},
                                  {"name": "spot", "version": "1.29", "status": "ACTIVE"}]
    target = fact["target_support"]
    assert (target["version"], target["status"], target["urgency"], target["deadline"]) == (
        "1.32", "extended", "medium", "2027-03-23")
    assert mutating_calls(world, before) == []
    # The Kubernetes API is read once (nodes: Fargate and self-managed kubelets limit the path).
    assert [r["operation"] for r in records(world, before, service="k8s")] == ["list nodes"]


def test_plan_without_node_group_updates_is_blocked_by_the_lagging_group(make_world, run_module, args):
    make_world(FLEET)
    plan = facts_of(run_module(module, args("batch-130", today=TODAY, target_version="1.31")))["plan"]
    assert plan["feasible"] is False
    assert [(b["id"], b["subject"]) for b in plan["blockers"]] == [("managed-nodegroup-behind", "spot")]


def test_target_eks_does_not_offer_is_a_plan_blocker(make_world, run_module, args):
    make_world(FLEET)
    fact = facts_of(run_module(module, args("edge-134", today=TODAY, target_version="1.35")))
    assert fact["target_support"] is None
    assert [b["id"] for b in fact["plan"]["blockers"]] == ["target-unknown"]
    assert "EKS does not offer Kubernetes 1.35" in fact["plan"]["blockers"][0]["reason"]


def test_target_already_reached_has_no_hops(make_world, run_module, args):
    make_world(FLEET)
    plan = facts_of(run_module(module, args("edge-134", today=TODAY, target_version="1.34")))["plan"]
    assert (plan["feasible"], plan["is_noop"], plan["hops"]) == (True, True, [])


def test_check_mode_reads_the_same_and_changes_nothing(make_world, run_module, args):
    world = make_world(FLEET)
    options = dict(today=TODAY, target_version="1.32", upgrade_nodegroups=True)
    normal = facts_of(run_module(module, args("batch-130", **options)))
    checked = facts_of(run_module(module, args("batch-130", **options), check_mode=True))
    assert checked == normal
    assert mutating_calls(world) == []


def test_today_defaults_to_the_current_utc_date(make_world, run_module, args):
    make_world(FLEET)
    before = datetime.datetime.now(datetime.timezone.utc).date()
    fact = facts_of(run_module(module, args("api-131", kubeconfig=None)))
    after = datetime.datetime.now(datetime.timezone.utc).date()
    assert fact["today"] in (before.isoformat(), after.isoformat())
    days = (datetime.date(2026, 11, 26) - datetime.date.fromisoformat(fact["today"])).days
    assert fact["support"]["days_to_end_of_extended_support"] == days


@pytest.mark.parametrize("today, message", [
    ("2026-13-01", "today '2026-13-01' is not a valid date (month must be in 1..12)"),
    ("01/11/2026", "today '01/11/2026' is not a date: write it as YYYY-MM-DD"),
    ("", "today must be a date written YYYY-MM-DD, got ''"),
])
def test_bad_today_fails_before_any_call(make_world, run_module, args, today, message):
    world = make_world(FLEET)
    result = run_module(module, args("api-131", kubeconfig=None, today=today))
    assert result.failed
    assert message in result["msg"]
    assert result["api_calls"] == 0
    assert records(world) == []


@pytest.mark.parametrize("target, message", [
    ("1.4", "quote the version"),
    ("v1.32", "without the 'v'"),
    ("", "target version is empty"),
])
def test_malformed_target_fails_before_any_call(make_world, run_module, args, target, message):
    world = make_world(FLEET)
    result = run_module(module, args("api-131", today=TODAY, target_version=target))
    assert result.failed
    assert message in result["msg"]
    assert records(world) == []


def test_unknown_cluster(make_world, run_module, args):
    make_world(FLEET)
    result = run_module(module, args("nope", kubeconfig=None, today=TODAY))
    assert result.failed
    assert result["msg"] == ("Failed to describe cluster nope: ResourceNotFoundException: "
                             "No cluster found for name: nope.")
    assert result["error_code"] == "ResourceNotFoundException"


def test_throttling_that_outlasts_the_retries_fails_cleanly(make_world, run_module, args, fast_aws_retries):
    world = make_world(FLEET)
    world.state.faults.set(throttle_rate=1.0)
    result = run_module(module, args("api-131", kubeconfig=None, today=TODAY))
    assert result.failed
    assert result["msg"].startswith("Failed to describe cluster api-131: ThrottlingException")
    # amazon.aws's decorator made every attempt, its jittered delays growing to 20 s.
    assert (result["api_calls"], result["api_retries"]) == (11, 10)
    assert len(fast_aws_retries) == 10 and max(fast_aws_retries) <= 20
    assert "Traceback" not in result["msg"]
