"""eks_upgrade_preflight and eks_fleet_preflight place the version and the target in the support calendar with
their cost, and report the settings the upgrade never changes (deletionProtection, the control plane tier)."""
from __future__ import annotations

import datetime

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import preflight
from ansible_collections.lifecycle.eks.plugins.modules import eks_fleet_preflight as fleet
from ansible_collections.lifecycle.eks.plugins.modules import eks_upgrade_preflight as single
from tests.unit.plugins.modules.helpers import log_position, records

# On 2026-11-01 (AWS's calendar): 1.32 is in extended support until 2027-03-23 (142 days), 1.33 until 2027-07-29
# (270 days), 1.34 in standard support until 2026-12-02.
TODAY = datetime.date(2026, 11, 1)
FLEET = {"clusters": [
    {"name": "kept-132", "version": "1.32", "deletion_protection": True, "control_plane_scaling_tier": "tier-xl"},
    {"name": "plain-133", "version": "1.33", "upgrade_policy": "STANDARD"},
]}


@pytest.fixture(autouse=True)
def planning_day(monkeypatch):
    """The day the modules plan on when no ``today`` option is given (the current UTC day otherwise)."""
    real = preflight.planning_day
    monkeypatch.setattr(preflight, "planning_day", lambda value, *what: TODAY if value is None else real(value, *what))


def checked(run_module, args, name, target, **extra):
    result = run_module(single, args(name, target_version=target, skip_checks=["kubectl-client"], **extra))
    assert not result.failed, result.get("msg")
    return result


def figures(support):
    cost = support["cost"]
    return (support["version"], support["upgrade_policy"], support["status"], cost["extra_hourly_cost"],
            cost["extra_cost_to_deadline"])


def test_support_and_cost_of_the_version_and_the_target(make_world, run_module, args):
    make_world(FLEET)
    kept = checked(run_module, args, "kept-132", "1.33")
    assert figures(kept["support"]) == ("1.32", "EXTENDED", "extended", 0.5, 1704.0)
    # One minor up stays in extended support (billed), for longer: waiting on 1.33 costs more in all.
    assert figures(kept["target_support"]) == ("1.33", "EXTENDED", "extended", 0.5, 3240.0)
    assert kept["support"]["today"] == "2026-11-01" and kept["support"]["cost"]["message"]
    plain = checked(run_module, args, "plain-133", "1.34")
    # STANDARD: past standard support EKS upgrades the cluster; it is never billed for extended support.
    assert figures(plain["support"]) == ("1.33", "STANDARD", "extended", 0.0, 0.0)
    assert figures(plain["target_support"]) == ("1.34", "STANDARD", "standard", 0.0, 0.0)


def test_the_settings_left_alone_are_reported(make_world, run_module, args):
    make_world(FLEET)
    clusters = {name: checked(run_module, args, name, target)["cluster"]
                for name, target in (("kept-132", "1.33"), ("plain-133", "1.34"))}
    assert {name: (c["deletion_protection"], c["control_plane_scaling_tier"]) for name, c in clusters.items()} == {
        "kept-132": (True, "tier-xl"), "plain-133": (False, "standard")}


def test_rates_given_are_the_rates_used_and_no_call_is_added(make_world, run_module, args):
    world = make_world(FLEET)
    before = log_position(world)
    rates = {"standard": 0.1, "extended": 0.7}
    result = checked(run_module, args, "kept-132", "1.33", control_plane_hourly_rates=rates)
    assert (result["support"]["cost"]["hourly_rate"], result["support"]["cost"]["extra_cost_to_deadline"]) == (
        0.7, 2044.8)
    # The calendar comes from the DescribeClusterVersions the checks read anyway.
    assert [r["operation"] for r in records(world, before)].count("DescribeClusterVersions") == 1


def test_a_target_eks_does_not_list_has_no_support_and_is_blocked(make_world, run_module, args):
    make_world(FLEET)
    result = checked(run_module, args, "plain-133", "1.40")
    assert result["target_support"] is None and result["support"]["version"] == "1.33"
    assert "target-version" in result["summary"]["failed_checks"]


def test_bad_rates_fail_before_any_call(make_world, run_module, args):
    world = make_world(FLEET)
    result = run_module(single, args("kept-132", target_version="1.33", control_plane_hourly_rates={"extended": -1}))
    assert result.failed
    assert "control_plane_hourly_rates: extended must be a number of US dollars per cluster hour" in result["msg"]
    assert records(world) == []


def test_fleet_preflight_prices_each_cluster_and_fails_bad_rates_alone(make_world, run_module, kubeconfig):
    world = make_world(FLEET)
    result = run_module(fleet, {"region": world.region, "clusters": [
        {"name": "kept-132", "target_version": "1.33", "kubeconfig": kubeconfig("kept-132"),
         "control_plane_hourly_rates": {"extended": 0.7}},
        {"name": "plain-133", "target_version": "1.34", "kubeconfig": kubeconfig("plain-133")},
        {"name": "typo", "cluster_name": "plain-133", "target_version": "1.34",
         "control_plane_hourly_rates": {"extended": "lots"}}]})
    assert not result.failed, result.get("msg")
    clusters = result["clusters"]
    assert figures(clusters["kept-132"]["support"]) == ("1.32", "EXTENDED", "extended", 0.6, 2044.8)
    assert clusters["kept-132"]["cluster"]["deletion_protection"] is True
    assert figures(clusters["plain-133"]["target_support"]) == ("1.34", "STANDARD", "standard", 0.0, 0.0)
    assert result["summary"]["failed"] == ["typo"]
    assert "control_plane_hourly_rates: extended must be a number" in clusters["typo"]["msg"]
    assert clusters["typo"].get("api_calls", 0) == 0  # refused before any call; the others were checked
