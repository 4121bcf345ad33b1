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
    PodSecurityPolicy, in-tree EBS volumes, PodDisruptionBudgets, subnets, the cluster's security groups and their
    rules, upgrade insights and the versions EKS offers.
  - Check C(security-group-rules) judges the cluster security group and the additional ones together against
    I(Amazon EKS security group requirements); it fails when none allows inbound TCP 443 from the nodes or outbound
    TCP 443, 10250 or TCP/UDP 53 to them, naming each missing rule and the C(aws ec2 authorize-security-group-ingress)
    or C(-egress) command that adds it; it warns when only EKS's default inbound rule (all traffic from the group
    itself) is gone, which EKS recreates when the cluster is updated.
  - Returns one result per check with an id, a status (V(pass), V(warn), V(fail), V(skipped)), a message, a remediation
    and the procedure step it implements. A V(fail) means the cluster must not be upgraded as it is.
  - Also returns the upgrade plan to O(target_version) and the version skew facts (C(eks_version_skew)).
  - EKS refreshes upgrade insights every 24 hours. When the oldest C(lastRefreshTime) is older than
    O(insights_max_age), the module starts a refresh (C(StartInsightsRefresh)), waits for it
    (C(DescribeInsightsRefresh)) and reads the insights again before the checks trust them. In check mode it starts
    no refresh and reports the staleness as a warning instead, as it does when a refresh fails or times out.
  - Deprecated-API insights that found usage are described (C(DescribeInsight)) and returned in C(deprecated_apis),
    with each API in use, its replacement, the version that stops serving it, the objects and the clients calling it.
  - Insights of every category are read in one unfiltered C(ListInsights). C(UPGRADE_READINESS) insights of the
    minors on the path feed check C(upgrade-insights) (V(fail) on C(ERROR), V(warn) on C(WARNING)).
    C(MISCONFIGURATION) insights (EKS Hybrid Nodes setup) concern the cluster as it is, so every hop; check
    C(configuration-insights) fails on C(ERROR) and warns on C(WARNING), naming each insight and EKS's
    recommendation. C(ROLLBACK_READINESS) insights concern a rollback, which the upgrade does not take; they are
    returned in C(rollback_insights), not judged (M(lifecycle.eks.eks_cluster_rollback) judges them).
  - An insight EKS could not evaluate (C(UNKNOWN)) is never a pass; its check warns, naming it with its
    recommendation. It warns rather than fails because EKS does not refuse an update on it and only EKS can
    evaluate it again (a refresh). Insights in C(UNKNOWN), and configuration insights not C(PASSING), are described
    (C(DescribeInsight)) for their recommendation; passing ones cost no call.
  - Karpenter and EKS Auto Mode are detected (C(node_provisioners)). Karpenter's NodePools and EC2NodeClasses are
    read only when their API groups are served (one discovery request otherwise). Checks C(karpenter-ami-pinned),
    C(karpenter-drift) and C(auto-mode) say whether the EC2NodeClasses select AMIs for the target, which nodes drift
    replaces after the upgrade, and that EKS updates Auto Mode nodes itself.
  - Check C(al2-node-groups) fails on a path to Kubernetes 1.33 or later while a managed node group runs an Amazon
    Linux 2 AMI type (C(AL2_x86_64), C(AL2_ARM_64), C(AL2_x86_64_GPU); no AL2 EKS AMI exists for 1.33 and later) or a
    self-managed node reports the OS image Amazon Linux 2, and warns below 1.33 (AL2 support ended on 2025-11-26). It
    names the AL2023 (or Bottlerocket) AMI type to move to; EKS can't change a node group's AMI type in place, so the
    remediation is a new node group and a migration.
  - Check C(gpu-device-plugin-scheduling) judges where the NVIDIA device plugin DaemonSet (an image named
    C(k8s-device-plugin)) runs, by the nodeSelector, required node affinity and tolerations of its pods, on the current
    nodes and on the nodes each managed node group launches next (its labels and taints). It fails, while a hop is
    pending or a GPU node group is below the target, when the plugin would miss a GPU node or a GPU node group's next
    nodes (for example an untolerated C(nvidia.com/gpu:NoSchedule) taint of an AL2023 GPU node group), since their GPUs
    would then not be advertised as C(nvidia.com/gpu), and warns when it also runs on nodes without a GPU.
  - Changes nothing in the cluster (an insights refresh only re-evaluates the insights); in check mode it sends no
    mutating call at all. The module itself never fails because a check fails; read C(blocked).
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
  nodegroup_launch_templates:
    description:
      - The launch template versions the upgrade will send, per node group, as
        O(lifecycle.eks.eks_nodegroup_upgrade#module:launch_templates) takes them. A custom-AMI node group given one
        for the minor it must reach is planned as updated, so it no longer blocks (C(custom-ami-nodegroup)).
    type: dict
    default: {}
  skip_checks:
    description:
      - Check ids not to run. Each skip is recorded as status V(skipped) in the result.
    type: list
    elements: str
    default: []
  insights_max_age:
    description:
      - How old upgrade insights may be before they are refreshed, as a number and a unit V(s), V(m), V(h) or V(d)
        (V(24h), V(90m), V(2d)). EKS refreshes them every 24 hours on its own.
      - V(0s) refreshes them on every run (outside check mode).
    type: str
    default: 24h
extends_documentation_fragment:
  - lifecycle.eks.preflight
  - lifecycle.eks.cluster
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - lifecycle.eks.kube
  - kubernetes.core.k8s_auth_options
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

- name: Refresh upgrade insights older than six hours before trusting them
  lifecycle.eks.eks_upgrade_preflight:
    cluster_name: prod-eu
    target_version: "1.30"
    insights_max_age: 6h
  register: preflight

- name: List the deprecated APIs still in use and their replacements
  ansible.builtin.debug:
    msg: "{{ item.usage }} -> {{ item.replaced_with }}: {{ item.objects | join(', ') }}"
  loop: "{{ preflight.deprecated_apis | map(attribute='deprecations') | flatten }}"

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
  description:
    - The upgrade plan to O(target_version), as in M(lifecycle.eks.eks_version_skew_facts) (paths through versions
      EKS does not offer are refused), with C(computed_from).
    - Pass it unchanged to O(lifecycle.eks.eks_cluster_upgrade#module:plan), and the control-plane step follows it
      instead of gathering the cluster again.
  returned: when the target version parses
  type: dict
  contains:
    computed_from:
      description:
        - What the plan was computed from, so that M(lifecycle.eks.eks_cluster_upgrade) can check it still applies
          and re-derive its hops. C(cluster), C(version) and C(status) of the control plane, C(target),
          C(upgrade_nodegroups), C(launch_templates) (O(nodegroup_launch_templates) as parsed), C(known_versions)
          (EKS's), C(skew_input) (the planner's input) and C(nodegroups) (name, version, status, custom AMI,
          launch template).
      type: dict
      returned: when the target version parses
cluster:
  description: The cluster as read (name, version, platform version, status, subnets, security group).
  returned: always
  type: dict
insights:
  description: EKS upgrade-readiness insights for the versions on the path (after a refresh, when one was made).
  returned: always
  type: list
  elements: dict
  sample:
    - {"id": "3e6a0b7c-...", "name": "Kubelet version skew", "category": "UPGRADE_READINESS",
       "kubernetes_version": "1.30", "status": "PASSING",
       "reason": "Node kubelet versions match the cluster control plane version.", "recommendation": null,
       "last_refresh_time": "2026-03-02T08:15:00+00:00"}
configuration_insights:
  description:
    - EKS configuration insights (C(MISCONFIGURATION)) of the cluster, entries as in RV(insights); C(recommendation)
      is set for those not C(PASSING). Empty when the cluster has no hop to make (no insight is read then).
  returned: always
  type: list
  elements: dict
  sample:
    - {"id": "9d1f...", "name": "Hybrid nodes: remote pod network", "category": "MISCONFIGURATION",
       "kubernetes_version": "1.30", "status": "WARNING", "reason": "Remote pod network not routable.",
       "recommendation": "Add the remote pod network to the cluster's remoteNetworkConfig.",
       "last_refresh_time": "2026-03-02T08:15:00+00:00"}
rollback_insights:
  description:
    - EKS rollback-readiness insights (C(ROLLBACK_READINESS)), entries as in RV(insights), reported only; present
      while a rollback of the last upgrade is possible (its C(kubernetes_version) is the previous minor).
  returned: always
  type: list
  elements: dict
insights_freshness:
  description:
    - How old the insights were and what was done about it.
    - Null when the cluster has no hop to make, or when the C(upgrade-insights) check is skipped (their age is then
      not looked at).
  returned: always
  type: dict
  contains:
    last_refresh_time:
      description: The oldest C(lastRefreshTime) of the insights used (after the refresh, when one completed).
      type: str
    age_hours:
      description: Its age when the insights were read, in hours.
      type: float
    max_age_hours:
      description: O(insights_max_age) in hours.
      type: float
    stale:
      description: Whether the insights used are older than O(insights_max_age).
      type: bool
    refresh:
      description:
        - V(not_needed), V(completed), V(failed), V(timed_out), or V(not_started_check_mode).
      type: str
    message:
      description: The refresh's message or error, if any.
      type: str
  sample: {"last_refresh_time": "2026-03-02T08:15:00+00:00", "age_hours": 0.0, "max_age_hours": 24.0,
           "stale": false, "refresh": "completed", "message": null}
deprecated_apis:
  description:
    - One entry per deprecated-API insight on the path that found usage (status ERROR or WARNING), from
      C(DescribeInsight).
  returned: always
  type: list
  elements: dict
  contains:
    insight_id:
      description: The insight's id.
      type: str
    name:
      description: The insight's name, C(Deprecated APIs removed in Kubernetes vX.YY).
      type: str
    kubernetes_version:
      description: The Kubernetes version that stops serving the APIs.
      type: str
    status:
      description: V(ERROR) (removed by the next minor) or V(WARNING) (removed later).
      type: str
    recommendation:
      description: EKS's recommendation.
      type: str
    deprecations:
      description:
        - Each API in use (C(usage)), its replacement (C(replaced_with)), C(stop_serving_version),
          C(start_serving_replacement_version), the C(objects) served by it and the C(clients) that called it in
          the last 30 days (C(user_agent), C(requests_last_30_days), C(last_request_time)), and a one-line
          C(message).
      type: list
      elements: dict
    objects:
      description: Every Kubernetes object (C(kubernetesResourceUri)) the insight names.
      type: list
      elements: str
  sample:
    - insight_id: "5b2c7f0e-..."
      name: Deprecated APIs removed in Kubernetes v1.29
      kubernetes_version: "1.29"
      status: WARNING
      deprecations:
        - usage: /apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas
          replaced_with: /apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas
          stop_serving_version: "1.29"
          start_serving_replacement_version: "1.26"
          objects: [/apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas/batch-jobs]
          clients: [{"user_agent": "flux/v2.1.0", "requests_last_30_days": 1240,
                     "last_request_time": "2026-03-01T22:00:00+00:00"}]
      objects: [/apis/flowcontrol.apiserver.k8s.io/v1beta2/flowschemas/batch-jobs]
node_provisioners:
  description:
    - Node kinds, Karpenter and EKS Auto Mode, judged against O(target_version). C(karpenter) has C(detected),
      C(api_version), C(controller), C(node_classes) (each with C(verdict) V(follows), V(release), V(current),
      V(unknown), V(no-build) or V(pinned), what its terms C(selects), C(node_pools) and a C(remediation)),
      C(node_pools) (nodes C(behind) the target, C(replaced) by drift, C(blocked) by a disruption budget, C(stay),
      C(budget)), C(pinned_node_classes) and C(drift); C(auto_mode) has C(enabled), C(node_pools), C(nodes),
      C(behind) and a C(message); C(messages) sums it up.
  returned: always
  type: dict
  sample:
    target: "1.30"
    node_kinds: {"managed": 1, "karpenter": 3}
    karpenter: {"detected": true, "api_version": v1, "pinned_node_classes": [default],
                "drift": {"replaced": [ip-10-0-2-3.ec2.internal], "blocked": [], "stay": [ip-10-0-2-1.ec2.internal]}}
    auto_mode: {"enabled": false, "node_pools": [], "nodes": 0, "behind": [], "managed_nodegroups": 1, "message": ""}
    messages: ["EC2NodeClass default (NodePools default): alias al2023@v20240315: AMI release v20240315, older than
               Kubernetes 1.30 (EKS release 2024-05-23), has no AMI for 1.30."]
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

from ansible_collections.lifecycle.eks.plugins.module_utils.preflight import (
    call_argument_spec,
    cluster_argument_spec,
    kubectl_client_version,
    plan_inputs,
    preflight_cluster,
    validate_waits,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.runner import eks_module, run


def main():
    module = eks_module(dict(cluster_argument_spec(), **call_argument_spec()))

    def body(module, clients):
        validate_waits(module.params)
        inputs = plan_inputs(module.params, module.check_mode)
        result, warnings = preflight_cluster(clients, module.params, inputs,
                                             kubectl_client_version(module, module.params["kubectl_path"]))
        for warning in warnings:
            module.warn(warning)
        return result

    run(module, body)


if __name__ == "__main__":
    main()
