"""Filters lifecycle.eks.preflight_result and preflight_verdict: what the preflight role publishes of a cluster's
checks, and the verdict its assert task reports (the values and sentences its Jinja gave before)."""
from __future__ import annotations

import pytest

from ansible_collections.lifecycle.eks.plugins.filter.preflight_result import (
    FilterModule,
    preflight_result,
    preflight_verdict,
)

# roles/preflight/vars/main.yml
OPTION_VARIABLES = {"upgrade_nodegroups": "eks_upgrade_nodegroups", "fix_coredns_upstream": "eks_fix_coredns_upstream",
                    "nodegroup_launch_templates": "eks_nodegroup_launch_templates",
                    "nodegroup_force": "eks_nodegroup_force", "skip_checks": "eks_preflight_skip",
                    "control_plane_hourly_rates": "eks_control_plane_hourly_rates"}
EMPTY = {"cluster": {"name": "prod"}, "checks": [], "summary": {}, "plan": {}, "insights": [],
         "configuration_insights": [], "rollback_insights": [], "insights_freshness": None, "deprecated_apis": [],
         "addon_compatibility": [], "node_provisioners": {}, "support": None, "target_support": None,
         "hybrid_nodes": [], "controllers": [], "api_calls": 0, "api_retries": 0, "kube_retries": 0}


def check(check_id, status, message="", remediation=""):
    return {"id": check_id, "status": status, "message": message, "remediation": remediation}


def published(checks=(), deprecated_apis=()):
    return dict(EMPTY, checks=list(checks), deprecated_apis=list(deprecated_apis))


def test_a_cluster_that_could_not_be_checked_publishes_every_key_empty():
    result = preflight_result({"failed": True, "msg": "AccessDenied"}, "prod", ["insights"])
    assert result == dict(EMPTY, skipped_checks=["insights"])
    assert list(result) == [*EMPTY, "skipped_checks"]


def test_the_published_keys_of_a_result_replace_the_empty_ones_and_the_others_are_left_out():
    run = {"changed": False, "cluster": {"name": "prod", "version": "1.29"}, "checks": [check("a", "pass")],
           "summary": {"blocked": False}, "api_calls": 7, "support": {"phase": "standard"}, "addon_catalog": {"x": 1},
           "ansible_facts": {"eks_version_skew": {}}, "skipped_checks": ["from the module"]}
    result = preflight_result(run, "prod", ("insights",))
    assert result == dict(EMPTY, cluster=run["cluster"], checks=run["checks"], summary={"blocked": False}, api_calls=7,
                          support={"phase": "standard"}, skipped_checks=["insights"])
    assert list(result) == [*EMPTY, "skipped_checks"]
    assert result["skipped_checks"].__class__ is list


def test_the_empty_lists_are_new_ones_each_time():
    first = preflight_result({}, "prod", [])
    first["checks"].append("x")
    assert preflight_result({}, "prod", [])["checks"] == []


def test_skip_checks_other_than_a_list_is_published_as_given():
    assert preflight_result({}, "prod", "insights")["skipped_checks"] == "insights"


@pytest.mark.parametrize("blocked", [False, "no", None])
def test_a_cluster_not_blocked_has_no_check_failed(blocked):
    assert preflight_verdict(published([check("a", "pass"), check("b", "warn")]), blocked, OPTION_VARIABLES) == \
        "no check failed"


@pytest.mark.parametrize("blocked", [True, "yes", "true"])
def test_a_blocked_cluster_is_blocked_by_each_failed_check(blocked):
    checks = [check("subnet-free-ips", "fail", "3 free IP addresses"), check("ok", "pass", "fine"),
              check("kubelet-skew", "fail", "nodes on 1.27")]
    assert preflight_verdict(published(checks), blocked, {}) == \
        "blocked by subnet-free-ips: 3 free IP addresses; kubelet-skew: nodes on 1.27"


def test_deprecated_apis_in_use_are_named_after_the_verdict():
    apis = [{"deprecations": [{"message": "CronJob batch/v1beta1"}, {"message": "PDB policy/v1beta1"}]},
            {"deprecations": []}, {"deprecations": None}, {}, {"deprecations": [{"message": "HPA v2beta2"}]}]
    assert preflight_verdict(published(deprecated_apis=apis), False, OPTION_VARIABLES) == \
        "no check failed; deprecated APIs in use: CronJob batch/v1beta1; PDB policy/v1beta1; HPA v2beta2"
    assert preflight_verdict(published([check("a", "fail", "bad")], apis[-1:]), True, {}) == \
        "blocked by a: bad; deprecated APIs in use: HPA v2beta2"


def test_the_inventory_variables_behind_the_options_the_failed_checks_name_are_given_in_their_order():
    checks = [check("coredns", "fail", "set fix_coredns_upstream", "or skip_checks"),
              check("nodes", "fail", "needs upgrade_nodegroups", ""),
              check("cost", "pass", "control_plane_hourly_rates", "nodegroup_force")]
    assert preflight_verdict(published(checks), True, OPTION_VARIABLES) == (
        "blocked by coredns: set fix_coredns_upstream; nodes: needs upgrade_nodegroups (in the inventory: "
        "upgrade_nodegroups is set by eks_upgrade_nodegroups, fix_coredns_upstream is set by eks_fix_coredns_upstream, "
        "skip_checks is set by eks_preflight_skip)")


def test_options_are_named_for_failed_checks_only_and_even_when_not_blocked():
    passing = [check("cost", "pass", "control_plane_hourly_rates", "nodegroup_force")]
    assert preflight_verdict(published(passing), True, OPTION_VARIABLES) == "blocked by "
    failing = [check("cost", "fail", "read", "set control_plane_hourly_rates")]
    assert preflight_verdict(published(failing), False, OPTION_VARIABLES) == \
        "no check failed (in the inventory: control_plane_hourly_rates is set by eks_control_plane_hourly_rates)"
    assert preflight_verdict(published([check("x", "fail", "nothing named")]), True, OPTION_VARIABLES) == \
        "blocked by x: nothing named"


def test_everything_at_once():
    checks = [check("nodes", "fail", "needs upgrade_nodegroups")]
    apis = [{"deprecations": [{"message": "CronJob"}]}]
    assert preflight_verdict(published(checks, apis), True, OPTION_VARIABLES) == (
        "blocked by nodes: needs upgrade_nodegroups; deprecated APIs in use: CronJob "
        "(in the inventory: upgrade_nodegroups is set by eks_upgrade_nodegroups)")


def test_the_filters_are_exported():
    assert FilterModule().filters() == {"preflight_result": preflight_result, "preflight_verdict": preflight_verdict}
