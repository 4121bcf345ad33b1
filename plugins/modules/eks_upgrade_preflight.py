#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_upgrade_preflight
short_description: Run every preflight check of the EKS cluster upgrade procedure against one cluster
version_added: 0.1.0
description:
  - Gathers, in one call and concurrently, what the checks of AWS's I(Updating an Amazon EKS cluster Kubernetes
    version) procedure need. It reads the cluster, node groups, nodes, workloads, the CoreDNS Corefile,
    PodSecurityPolicy, in-tree EBS volumes, PodDisruptionBudgets, subnets, the cluster security group,
    upgrade insights and the versions EKS offers.
  - Returns one result per check with an id, a status (V(pass), V(warn), V(fail), V(skipped)), a message, a remediation
    and the procedure step it implements. A V(fail) means the cluster must not be upgraded as it is.
  - Also returns the upgrade plan to O(target_version) and the version skew facts (C(eks_version_skew)).
  - Read-only; safe in check mode. The module itself never fails because a check fails; read C(blocked).
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  target_version:
    description:
      - The Kubernetes version the cluster is to reach, V(MAJOR.MINOR), quoted in YAML (V('1.30')).
    type: str
    required: true
  upgrade_nodegroups:
    description:
      - Whether the upgrade will update managed node groups between hops; node groups behind then warn instead of fail.
    type: bool
    default: false
  fix_coredns_upstream:
    description:
      - Whether the upgrade will remove the CoreDNS C(upstream) line; its presence then warns instead of fails.
    type: bool
    default: false
  skip_checks:
    description:
      - Check ids not to run. Each skip is recorded as status V(skipped) in the result.
    type: list
    elements: str
    default: []
  kubectl_path:
    description:
      - The kubectl to check for the I(kubectl within one minor) step. Looked up on E(PATH) when unset; a missing
        kubectl only warns.
    type: path
extends_documentation_fragment:
  - lifecycle.eks.cluster
  - lifecycle.eks.aws
  - lifecycle.eks.kube
  - lifecycle.eks.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Preflight a cluster for 1.30
  lifecycle.eks.eks_upgrade_preflight:
    cluster_name: prod-eu
    target_version: "1.30"
    skip_checks: [kubectl-client]
  register: preflight

- name: Stop when a check failed
  ansible.builtin.fail:
    msg: "{{ preflight.summary.failed_checks }}"
  when: preflight.summary.blocked
"""

RETURN = r"""
checks:
  description: One result per check, in procedure order.
  returned: always
  type: list
  elements: dict
  sample:
    - id: subnet-free-ips
      status: fail
      message: "Cluster subnets with fewer than 5 free IP addresses: subnet-0abc (3 free)."
      remediation: "Free IP addresses in those subnets ..."
      step: "Introduction: up to five available IP addresses in the cluster subnets"
summary:
  description: Counts per status, whether the cluster is blocked, and the failed check ids.
  returned: always
  type: dict
  sample: {"counts": {"pass": 14, "warn": 1, "fail": 1, "skipped": 0}, "blocked": true, "failed_checks": ["subnet-free-ips"]}
plan:
  description: The upgrade plan to O(target_version), as in M(lifecycle.eks.eks_version_skew_facts).
  returned: when the target version parses
  type: dict
cluster:
  description: The cluster as read (name, version, platform version, status, subnets, security group).
  returned: always
  type: dict
insights:
  description: EKS upgrade-readiness insights for the versions on the path.
  returned: always
  type: list
  elements: dict
ansible_facts:
  description: C(eks_version_skew), as M(lifecycle.eks.eks_version_skew_facts) sets it.
  returned: always
  type: dict
api_calls:
  description: AWS API calls made.
  returned: always
  type: int
api_retries:
  description: Retries after throttling or server errors.
  returned: always
  type: int
"""

import json

from ansible_collections.lifecycle.eks.plugins.module_utils.checks import run_checks, summarize
from ansible_collections.lifecycle.eks.plugins.module_utils.gather import PREFLIGHT_PARTS, gather
from ansible_collections.lifecycle.eks.plugins.module_utils.runner import eks_module, run
from ansible_collections.lifecycle.eks.plugins.module_utils.verdicts import skew_facts
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import parse_target_version


def kubectl_client_version(module):
    """kubectl's client gitVersion, or None when kubectl is absent or answers nonsense."""
    path = module.params["kubectl_path"] or module.get_bin_path("kubectl")
    if not path:
        return None
    rc, out, _err = module.run_command([path, "version", "--client", "-o", "json"])
    if rc != 0:
        return None
    try:
        return json.loads(out)["clientVersion"]["gitVersion"]
    except (ValueError, KeyError, TypeError):
        return None


def main():
    module = eks_module(dict(
        target_version=dict(type="str", required=True),
        upgrade_nodegroups=dict(type="bool", default=False),
        fix_coredns_upstream=dict(type="bool", default=False),
        skip_checks=dict(type="list", elements="str", default=[]),
        kubectl_path=dict(type="path"),
    ))

    def body(module, clients):
        params = module.params
        target = parse_target_version(params["target_version"])
        facts = gather(clients, params, params["cluster_name"], PREFLIGHT_PARTS, target=target)
        facts["kubectl_client"] = kubectl_client_version(module)
        checks = run_checks(facts, str(target), upgrade_nodegroups=params["upgrade_nodegroups"],
                            fix_coredns_upstream=params["fix_coredns_upstream"], skip=set(params["skip_checks"]))
        skew = skew_facts(facts, target, params["upgrade_nodegroups"])
        return {"changed": False, "checks": checks, "summary": summarize(checks), "plan": skew["plan"],
                "cluster": facts["cluster"], "insights": facts.get("insights") or [],
                "ansible_facts": {"eks_version_skew": skew}}

    run(module, body)


if __name__ == "__main__":
    main()
