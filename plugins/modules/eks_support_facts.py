#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_support_facts
short_description: Gather where an EKS cluster stands in the Kubernetes support calendar and how urgent its upgrade is
version_added: 0.1.0
description:
  - Reads the cluster's Kubernetes version and upgrade policy (C(upgradePolicy.supportType)) with C(DescribeCluster),
    and the support dates of every Kubernetes version with C(DescribeClusterVersions).
  - Returns the support status on O(today) (V(standard), V(extended) or V(unsupported)), the days left to the end
    of standard and of extended support, and the deadline that matters.
  - With the V(STANDARD) upgrade policy the deadline is the end of standard support, when EKS upgrades the cluster
    automatically. With V(EXTENDED) (EKS's default) it is the end of extended support; extended support is billed
    extra per cluster hour.
  - Prices the control plane at O(control_plane_hourly_rates), returning what it costs per hour now, what it pays
    over standard support (extended support, policy V(EXTENDED)), and what staying on the version until EKS upgrades
    the cluster costs (C(support.cost)).
  - Ranks the deadline as V(overdue) (passed), V(critical) (fewer than 30 days left), V(high) (fewer than 90),
    V(medium) (fewer than 180) or V(low), with a key that sorts a fleet most urgent first.
  - With O(target_version), also returns the upgrade plan (one hop per minor, node groups to update before each hop)
    built by the same rules as M(lifecycle.eks.eks_version_skew_facts), and the support status of the target.
  - Sets the host fact C(eks_support), so a fleet plan reads it as a fact of each cluster's host.
  - Read-only; safe in check mode.
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  today:
    description:
      - The planning date, V(YYYY-MM-DD). Days left are counted from it.
      - Defaults to the current date in UTC. Set it to plan for a later date, or to get the same plan on every run.
    type: str
  target_version:
    description:
      - A Kubernetes version (V(MAJOR.MINOR), quoted in YAML) to plan the hops to.
      - Reading the plan also lists the cluster's managed node groups and its Kubernetes nodes (Fargate and
        self-managed kubelets limit the path), so O(kubeconfig) or O(context), or an EKS access entry, is needed.
      - Without it, only C(DescribeCluster) and C(DescribeClusterVersions) are called and the Kubernetes options are
        not used.
    type: str
  upgrade_nodegroups:
    description:
      - Plan with managed node groups updated between hops when the next hop needs them on the control plane's
        minor, as the C(upgrade) playbook does.
      - Only used with O(target_version).
    type: bool
    default: false
extends_documentation_fragment:
  - lifecycle.eks.cluster
  - lifecycle.eks.hourly_rates
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - lifecycle.eks.kube
  - kubernetes.core.k8s_auth_options
  - lifecycle.eks.attributes
  - lifecycle.eks.attributes.facts
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  facts:
    support: full
notes:
  - Needs C(eks:DescribeCluster) and C(eks:DescribeClusterVersions); with O(target_version) also
    C(eks:ListNodegroups), C(eks:DescribeNodegroup) and Kubernetes C(list nodes).
  - The support dates come from EKS, not from a table in the collection, so new Kubernetes versions need no update
    of the collection.
seealso:
  - name: Amazon EKS Kubernetes release calendar
    description: Standard and extended support dates of each Kubernetes version.
    link: https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
  - name: Cluster upgrade policy
    description: What the STANDARD and EXTENDED support types do at the end of support.
    link: https://docs.aws.amazon.com/eks/latest/userguide/view-upgrade-policy.html
  - name: Amazon EKS pricing
    description: The control plane's price per cluster hour in standard and in extended support.
    link: https://aws.amazon.com/eks/pricing/
"""

EXAMPLES = r"""
- name: Gather the support calendar of a cluster
  lifecycle.eks.eks_support_facts:
    cluster_name: prod-eu
    region: eu-west-1

- name: Warn when the cluster has less than 90 days left
  ansible.builtin.debug:
    msg: "{{ ansible_facts.eks_support.support.message }}"
  when: ansible_facts.eks_support.support.urgency in ['overdue', 'critical', 'high']

- name: Price the control plane at your rates (US dollars per cluster hour)
  lifecycle.eks.eks_support_facts:
    cluster_name: prod-eu
    control_plane_hourly_rates: {standard: 0.10, extended: 0.60}

- name: Say what waiting costs
  ansible.builtin.debug:
    msg: "{{ ansible_facts.eks_support.support.cost.message }}"
  when: ansible_facts.eks_support.support.cost.extra_billed_days_to_deadline > 0

- name: Plan the hops to 1.33 as of a fixed date (the same answer on every run)
  lifecycle.eks.eks_support_facts:
    cluster_name: staging
    today: "2026-11-01"
    target_version: "1.33"
    upgrade_nodegroups: true
    kubeconfig: ~/.kube/staging.yaml
"""

RETURN = r"""
ansible_facts:
  description: Facts set on the cluster's host.
  returned: success
  type: dict
  contains:
    eks_support:
      description: The cluster, its support calendar and, with O(target_version), its upgrade plan.
      returned: success
      type: dict
      contains:
        today:
          description: The planning date the days are counted from.
          type: str
          sample: "2026-11-01"
        cluster:
          description: Name, Kubernetes version, platform version, status and upgrade policy of the cluster.
          type: dict
          sample: {"name": "prod-eu", "version": "1.31", "platform_version": "eks.23", "status": "ACTIVE",
                   "upgrade_policy": "EXTENDED"}
        support:
          description: Where the cluster's version stands in the support calendar on RV(ansible_facts.eks_support.today).
          type: dict
          contains:
            version:
              description: The cluster's Kubernetes version.
              type: str
              sample: "1.31"
            upgrade_policy:
              description: V(STANDARD) or V(EXTENDED).
              type: str
              sample: EXTENDED
            upgrade_policy_assumed:
              description: Whether the cluster reported no upgrade policy, so EKS's default V(EXTENDED) was assumed.
              type: bool
              sample: false
            status:
              description: Support phase of the version on the planning date, V(standard), V(extended) or
                V(unsupported). A cluster with the V(STANDARD) policy never runs in extended support; past the end
                of standard support EKS upgrades it.
              type: str
              sample: extended
            release_date:
              description: When EKS released the version (null when EKS no longer lists it).
              type: str
              sample: "2024-09-26"
            end_of_standard_support:
              description: The first day without standard support (null when EKS no longer lists the version).
              type: str
              sample: "2025-11-26"
            end_of_extended_support:
              description: The first day without extended support (null when EKS no longer lists the version).
              type: str
              sample: "2026-11-26"
            days_to_end_of_standard_support:
              description: Days from the planning date to the end of standard support; negative once passed.
              type: int
              sample: -340
            days_to_end_of_extended_support:
              description: Days from the planning date to the end of extended support; negative once passed.
              type: int
              sample: 25
            deadline:
              description: The day EKS upgrades the cluster automatically under its upgrade policy.
              type: str
              sample: "2026-11-26"
            deadline_event:
              description: V(end-of-standard-support) (policy V(STANDARD)) or V(end-of-extended-support) (V(EXTENDED)).
              type: str
              sample: end-of-extended-support
            days_to_deadline:
              description: Days left to the deadline; zero or negative once it has passed; null when unknown.
              type: int
              sample: 25
            urgency:
              description: V(overdue) (deadline reached), V(critical) (under 30 days), V(high) (under 90), V(medium)
                (under 180) or V(low).
              type: str
              sample: critical
            urgency_key:
              description: Sorts clusters most urgent first, the level first, then the nearest deadline.
              type: list
              elements: int
              sample: [1, 25]
            extended_support_billed:
              description: Whether the cluster is in extended support, billed extra per cluster hour.
              type: bool
              sample: true
            extended_support_billing_starts:
              description: When extended support billing starts (policy V(EXTENDED), version still in standard
                support); null otherwise.
              type: str
              sample: null
            message:
              description: One sentence for people saying where the version stands, what EKS will do and when.
              type: str
              sample: "Kubernetes 1.31 is in extended support, billed extra per cluster hour, until 2026-11-26 (in 25
                days); EKS then upgrades the cluster automatically. Upgrade before then."
            cost:
              description:
                - What the control plane costs at O(control_plane_hourly_rates), in US dollars.
                - C(rates) (the rates used), C(hourly_rate) (per hour on the planning date), C(extra_hourly_cost) and
                  C(extra_monthly_cost) (over the standard rate, a month of 730 hours), C(extra_billed_days_to_deadline)
                  (days of extended support billed from the planning date to the deadline if nobody upgrades the
                  cluster; 0 under V(STANDARD)), C(extra_cost_to_deadline) (what those days cost over the standard
                  rate) and C(message) (one sentence, empty when waiting costs nothing extra).
              type: dict
              sample: {"rates": {"standard": 0.1, "extended": 0.6}, "hourly_rate": 0.6, "extra_hourly_cost": 0.5,
                       "extra_monthly_cost": 365.0, "extra_billed_days_to_deadline": 25, "extra_cost_to_deadline": 300.0,
                       "message": "Extended support costs $0.60 per hour instead of $0.10: $0.50 more per hour ($365.00
                       a month); staying on 1.31 until EKS upgrades the cluster on 2026-11-26 costs $300.00 more (25
                       days of extended support)."}
        target_version:
          description: The O(target_version).
          returned: when O(target_version) is set
          type: str
          sample: "1.33"
        target_support:
          description: The support of the target version under the cluster's upgrade policy, with its cost, shaped as
            RV(ansible_facts.eks_support.support); null when EKS does not list the target.
          returned: when O(target_version) is set
          type: dict
        nodegroups:
          description: Managed node groups with their version and status.
          returned: when O(target_version) is set
          type: list
          elements: dict
          sample: [{"name": "general", "version": "1.31", "status": "ACTIVE"}]
        plan:
          description: The plan to O(target_version) (hops, node groups before each hop and after, blockers), as
            M(lifecycle.eks.eks_version_skew_facts) returns it, restricted to the versions EKS lists.
          returned: when O(target_version) is set
          type: dict
          sample: {"current": "1.31", "target": "1.33", "feasible": true, "hops": [
                   {"from_version": "1.31", "to_version": "1.32", "nodegroups_before": []},
                   {"from_version": "1.32", "to_version": "1.33", "nodegroups_before": ["general"]}]}
api_calls:
  description: AWS API calls made (retries excluded).
  returned: always
  type: int
api_retries:
  description: Retries after throttling or server errors.
  returned: always
  type: int
"""

from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.gather import gather
from ansible_collections.lifecycle.eks.plugins.module_utils.runner import eks_module, run
from ansible_collections.lifecycle.eks.plugins.module_utils.skew import ClusterState, build_upgrade_plan
from ansible_collections.lifecycle.eks.plugins.module_utils.support import (
    SupportError,
    parse_hourly_rates,
    planning_day,
    support_report,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import parse_target_version

# What the plan needs besides the cluster: node groups (EKS) and nodes (Fargate, self-managed kubelets).
PLAN_PARTS = frozenset(("nodegroups", "nodes"))


def hourly_rates(value):
    try:
        return parse_hourly_rates(value)
    except SupportError as exc:
        raise ModuleError(str(exc)) from None


def target_support(target, policy, today, rows, rates):
    """The target's support under the cluster's policy, or None when EKS does not list the target."""
    try:
        return support_report(target, policy, today, rows, rates)
    except SupportError:
        return None  # the plan carries a target-unknown blocker that says so


def support_fact(params, clients, today, target, rates):
    name = params["cluster_name"]
    cluster = clients.describe_cluster(name)
    rows = clients.describe_cluster_versions(include_all=True)
    policy = (cluster.get("upgradePolicy") or {}).get("supportType")
    try:
        support = support_report(cluster["version"], policy, today, rows, rates)
    except SupportError as exc:
        raise ModuleError(f"Cannot place cluster {name} in the EKS support calendar: {exc}") from None
    fact = {
        "today": today.isoformat(),
        "cluster": {"name": cluster["name"], "version": cluster["version"],
                    "platform_version": cluster.get("platformVersion"), "status": cluster.get("status"),
                    "upgrade_policy": support["upgrade_policy"]},
        "support": support,
    }
    if target is None:
        return fact
    facts = gather(clients, params, name, PLAN_PARTS, target=target, cluster=cluster)
    plan = build_upgrade_plan(ClusterState.from_dict(facts["skew_input"]), target,
                              upgrade_nodegroups=params["upgrade_nodegroups"],
                              known_versions=[row["clusterVersion"] for row in rows])
    fact.update({
        "target_version": str(target),
        "target_support": target_support(target, support["upgrade_policy"], today, rows, rates),
        "nodegroups": [{key: group[key] for key in ("name", "version", "status")} for group in facts["nodegroups"]],
        "plan": plan.to_dict(),
    })
    return fact


def main():
    module = eks_module(dict(
        today=dict(type="str"),
        target_version=dict(type="str"),
        upgrade_nodegroups=dict(type="bool", default=False),
        control_plane_hourly_rates=dict(type="dict", default={}),
    ))

    def body(module, clients):
        params = module.params
        # The options are checked before any AWS call, so a typo costs nothing.
        today = planning_day(params["today"])
        target = parse_target_version(params["target_version"]) if params["target_version"] is not None else None
        rates = hourly_rates(params["control_plane_hourly_rates"])
        return {"changed": False,
                "ansible_facts": {"eks_support": support_fact(params, clients, today, target, rates)}}

    run(module, body)


if __name__ == "__main__":
    main()
