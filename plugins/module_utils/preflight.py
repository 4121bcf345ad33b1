# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's module_utils boilerplate (coding, __future__, __metaclass__)
"""One cluster's preflight: its facts gathered, every check of the procedure run, the plan made.

eks_upgrade_preflight runs it for one cluster, eks_fleet_preflight for many at once.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json

from ansible_collections.lifecycle.eks.plugins.module_utils import addons, hybrid_nodes, launch_templates
from ansible_collections.lifecycle.eks.plugins.module_utils.checks import run_checks, summarize
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.controller_compat import judge_all
from ansible_collections.lifecycle.eks.plugins.module_utils.gather import PREFLIGHT_PARTS, gather, insight_policy
from ansible_collections.lifecycle.eks.plugins.module_utils.handover import with_basis
from ansible_collections.lifecycle.eks.plugins.module_utils.insights import parse_max_age, stale_message
from ansible_collections.lifecycle.eks.plugins.module_utils.support import (
    SupportError,
    parse_hourly_rates,
    planning_day,
    support_report,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.verdicts import skew_facts
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import parse_target_version

LAUNCH_TEMPLATES_OPTION = "nodegroup_launch_templates"
TABLE_AGE_OPTION = "compatibility_table_max_age"


def cluster_argument_spec():
    """The options of one cluster's checks (eks_upgrade_preflight's, each entry of eks_fleet_preflight's clusters)."""
    return dict(
        target_version=dict(type="str", required=True),
        upgrade_nodegroups=dict(type="bool", default=False),
        fix_coredns_upstream=dict(type="bool", default=False),
        skip_checks=dict(type="list", elements="str", default=[]),
        insights_max_age=dict(type="str", default="24h"),
        control_plane_hourly_rates=dict(type="dict", default={}),
        compatibility_table_max_age=dict(type="str", default="180d"),
        **launch_templates.argument_spec(LAUNCH_TEMPLATES_OPTION)
    )


def call_argument_spec():
    """The options every cluster of one call shares: kubectl, and how insights refreshes are waited for."""
    return dict(
        kubectl_path=dict(type="path"),
        insights_refresh_timeout=dict(type="int", default=600),
        wait_delay=dict(type="float", default=5.0),
        wait_max_delay=dict(type="float", default=30.0),
        today=dict(type="str"),
    )


def validate_call_options(params):
    """The options shared by every cluster of a call (waits, the planning day); raises ModuleError."""
    planning_day(params["today"])
    if params["insights_refresh_timeout"] < 0:
        raise ModuleError("insights_refresh_timeout must be 0 or more seconds; got %d."
                          % params["insights_refresh_timeout"])
    if params["wait_delay"] <= 0 or params["wait_max_delay"] <= 0:
        raise ModuleError("wait_delay and wait_max_delay must be more than 0 seconds.")


def plan_inputs(params, check_mode):
    """(target version, launch template entries, insight policy, hourly rates, compatibility tables' max age in
    seconds, controller table settings) of one cluster; raises ModuleError.

    Everything a bad option can break is checked here, before any AWS call.
    """
    target = parse_target_version(params["target_version"])
    max_age = parse_max_age(params[TABLE_AGE_OPTION], TABLE_AGE_OPTION)
    tables = {"today": planning_day(params["today"]).isoformat(), "max_age_days": max_age / 86400.0}
    entries = launch_templates.parse(params[LAUNCH_TEMPLATES_OPTION], LAUNCH_TEMPLATES_OPTION)
    policy = insight_policy(params["insights_max_age"], may_refresh=not check_mode,
                            timeout=params["insights_refresh_timeout"], min_delay=params["wait_delay"],
                            max_delay=params["wait_max_delay"],
                            check_age="upgrade-insights" not in params["skip_checks"])
    try:
        rates = parse_hourly_rates(params["control_plane_hourly_rates"])
    except SupportError as exc:
        raise ModuleError(str(exc)) from None
    return target, entries, policy, rates, max_age, tables


def support_on_path(facts, target, rates, today):
    """(support of the cluster's version, of the target), each support_report() under the cluster's upgrade
    policy on ``today``; None where the calendar cannot place the version (EKS does not list it)."""
    policy = facts["cluster"].get("upgrade_policy")
    placed = []
    for version in (facts["cluster"]["version"], str(target)):
        try:
            placed.append(support_report(version, policy, today, facts["version_calendar"], rates))
        except SupportError:
            placed.append(None)  # an unknown target is check target-version's blocker
    return tuple(placed)


def kubectl_client_version(module, path=None):
    """kubectl's client gitVersion, or None when kubectl is absent or answers nonsense."""
    path = path or module.get_bin_path("kubectl")
    if not path:
        return None
    rc, out, _err = module.run_command([path, "version", "--client", "-o", "json"])
    if rc != 0:
        return None
    try:
        return json.loads(out)["clientVersion"]["gitVersion"]
    except (ValueError, KeyError, TypeError):
        return None


def preflight_cluster(clients, params, inputs, kubectl_client, shared=None, cluster=None):
    """(result, warnings) of one cluster: the checks, their summary, the plan and what they were made from.

    ``inputs`` is ``plan_inputs(params, check_mode)``; ``shared`` and ``cluster`` (its DescribeCluster, when
    already read) let a fleet share reads between its clusters.
    """
    target, entries, policy, rates, table_max_age, tables = inputs
    name = params["cluster_name"]
    facts = gather(clients, params, name, PREFLIGHT_PARTS, target=target, policy=policy, shared=shared,
                   cluster=cluster)
    warnings = launch_templates.check_nodegroups(entries, facts["nodegroups"], name, LAUNCH_TEMPLATES_OPTION)
    facts["skew_input"] = launch_templates.with_launch_templates(facts["skew_input"], entries, target)
    stale = stale_message(facts.get("insights_freshness"), name)
    if stale:
        warnings.append(stale)
    facts["kubectl_client"] = kubectl_client
    facts["today"] = tables["today"]  # the planning day (option today, else UTC) tables' age is judged on
    facts["controller_table"] = tables
    checks = run_checks(facts, str(target), upgrade_nodegroups=params["upgrade_nodegroups"],
                        fix_coredns_upstream=params["fix_coredns_upstream"], skip=set(params["skip_checks"]),
                        table_max_age=table_max_age)
    skew = skew_facts(facts, target, params["upgrade_nodegroups"], known_versions=facts["known_versions"])
    # The plan with what it was computed from: eks_cluster_upgrade follows it without gathering again.
    plan = with_basis(skew["plan"], facts, target, params["upgrade_nodegroups"], entries)
    support, target_support = support_on_path(facts, target, rates,
                                              datetime.date.fromisoformat(tables["today"]))
    result = {"changed": False, "checks": checks, "summary": summarize(checks), "plan": plan,
              "cluster": facts["cluster"], "insights": facts.get("insights") or [],
              "configuration_insights": facts.get("configuration_insights") or [],
              "rollback_insights": facts.get("rollback_insights") or [],
              "insights_freshness": facts.get("insights_freshness"),
              "deprecated_apis": facts.get("deprecated_apis") or [],
              "addon_compatibility": addons.problems_of(facts, target) or [],
              # What eks_addon_update's addon_catalog takes: the add-on step need not read it again.
              "addon_catalog": facts.get("addon_catalog") or {},
              "node_provisioners": skew["node_provisioners"],
              "support": support, "target_support": target_support,
              # EKS Hybrid Nodes and the nodeadm upgrade each needs (run by nobody here: see hybrid_nodes.py)
              "hybrid_nodes": hybrid_nodes.node_entries(facts, target),
              "controllers": judge_all(facts.get("workloads"), facts["cluster"]["version"], target),
              "ansible_facts": {"eks_version_skew": skew}}
    return result, warnings
