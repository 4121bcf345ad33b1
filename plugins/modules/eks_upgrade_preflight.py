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
  - Check C(addon-compatibility) judges each installed EKS add-on's version (C(DescribeAddon)) at every hop of the
    path against C(DescribeAddonVersions) (C(compatibilities[].clusterVersion); one call per add-on name, all its
    versions) and the C(addonCompatibilityDetails) of EKS's add-on compatibility insight when it found an add-on
    incompatible (C(DescribeInsight)). Add-ons are updated after the last hop, so the installed version meets every
    hop. It fails when no version of the add-on is compatible with a hop's minor (stay below it, or remove the EKS
    add-on), and when the first hop's minor does not support the installed version while a newer version supports
    both minors of the hop, naming that version to move to first (one the control plane accepts now, since EKS refuses
    an add-on version its minor does not support). The same on a later hop warns (the add-on would run unsupported there
    until the add-on step), naming the version and when to apply it. kube-proxy follows each minor (its skew policy)
    and is only judged when no version exists. Nothing more is read for it when no hop is pending, when the check is
    skipped, or when the path is one hop and EKS's add-on compatibility insight for its minor is C(PASSING) and fresh
    (EKS found every installed add-on's version compatible). On a longer path it spares describing an add-on when every
    version of it compatible with the next minor is compatible with the later ones too. RV(addon_compatibility) lists what it
    found.
  - Places the cluster's version and the target in the EKS support calendar on the current UTC day (C(support),
    C(target_support)), with what the control plane costs at O(control_plane_hourly_rates), from the
    C(DescribeClusterVersions) it reads anyway.
  - Reports the cluster's C(deletionProtection) and C(controlPlaneScalingConfig) tier in C(cluster); the upgrade
    never changes them.
  - EKS Hybrid Nodes (nodes labelled C(eks.amazonaws.com/compute-type=hybrid), from the node list read anyway) may be
    up to three minors behind the control plane and are upgraded on the machine with C(nodeadm upgrade). Check
    C(hybrid-nodes) fails when one would fall out of that skew on the path, and warns for each left behind the
    target, naming the C(nodeadm upgrade VERSION --config-source file://nodeConfig.yaml) it needs (RV(hybrid_nodes),
    C(hybrid_nodes_after) in RV(plan)); the module runs nothing on them. Check C(hybrid-nodes-cni) finds their CNI
    (the Cilium agent DaemonSet in C(kube-system), Calico's C(calico-node) in C(kube-system) or C(calico-system)) and
    fails when its release supports hybrid nodes only below a minor on the path while a newer release supports it,
    per a dated table from AWS's I(Configure CNI for hybrid nodes); an unknown version or minor warns, and so does
    the table when it is older than O(compatibility_table_max_age).
  - Karpenter, the AWS Load Balancer Controller and the Cluster Autoscaler are found among the Deployments by their
    image repository (C(karpenter/controller), C(aws-load-balancer-controller), C(cluster-autoscaler)), in any
    namespace and whatever their name, and judged with the compatibility tables shipped with the collection, each
    dated and with its source (the Karpenter compatibility matrix, the AWS Load Balancer Controller's supported
    Kubernetes versions, the Cluster Autoscaler's one release per minor). Check C(controller-compatibility) fails
    when a Karpenter or AWS Load Balancer Controller release does not support a minor of the path, naming the release
    to install before that hop; it warns for a version or a minor the table does not know. A Cluster Autoscaler
    release serves one minor, so it moves after each hop (the post_upgrade role sets it); it warns when it does not
    match the control plane or on a path of several hops. Each controller's verdict is returned in C(controllers).
  - Check C(controller-table-age) warns when a table the controllers found are judged with was recorded more than
    O(compatibility_table_max_age) before O(today).
  - Check C(cluster-autoscaler-rbac) compares the ClusterRoles bound to the Cluster Autoscaler's service account
    (C(ListClusterRoleBindings), then each bound ClusterRole; read only when a Cluster Autoscaler runs) with the rules
    of the ClusterRole in the release manifest for the target minor, shipped with the tables, and warns naming each
    missing rule.
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
  compatibility_table_max_age:
    description:
      - How old a compatibility table shipped with the collection may be on O(today) before the check using it
        warns that it may not know recent releases, as a number and a unit V(s), V(m), V(h) or V(d) (V(180d)).
        One age for every table, the CNI releases for EKS Hybrid Nodes (check C(hybrid-nodes-cni)) and the
        controller tables (check C(controller-table-age)). A table exactly that old passes.
    type: str
    default: 180d
extends_documentation_fragment:
  - lifecycle.eks.preflight
  - lifecycle.eks.cluster
  - lifecycle.eks.hourly_rates
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

- name: Preflight with a planning day and a shorter limit on the age of the controller compatibility tables
  lifecycle.eks.eks_upgrade_preflight:
    cluster_name: prod-eu
    target_version: "1.32"
    today: "2026-12-05"
    compatibility_table_max_age: 90d
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
    hybrid_nodes_after:
      description:
        - The EKS Hybrid Nodes behind the target once the control plane is there (empty unless the plan is
          feasible), each with C(name), C(kubelet) (its minor) and the C(command) to run on it, as root, after a
          drain (C(nodeadm upgrade TARGET --config-source file://nodeConfig.yaml)). Nothing runs it for you.
      type: list
      elements: dict
      returned: when the target version parses
cluster:
  description:
    - The cluster as read (name, version, platform version, status, upgrade policy, subnets, security group).
    - C(deletion_protection) (C(deletionProtection)) and C(control_plane_scaling_tier)
      (C(controlPlaneScalingConfig.tier)) are reported and never changed by the upgrade; null when EKS does not
      report them.
  returned: always
  type: dict
  sample: {"name": "prod-eu", "version": "1.29", "status": "ACTIVE", "upgrade_policy": "EXTENDED",
           "deletion_protection": true, "control_plane_scaling_tier": "standard"}
support:
  description:
    - Where the cluster's version stands in the EKS support calendar today (UTC) under its upgrade policy, with its
      C(cost) at O(control_plane_hourly_rates), as M(lifecycle.eks.eks_support_facts) returns its C(support).
    - Null when EKS does not list the version.
  returned: always
  type: dict
  sample: {"version": "1.31", "upgrade_policy": "EXTENDED", "status": "extended", "urgency": "critical",
           "deadline": "2026-11-26", "extended_support_billed": true,
           "cost": {"hourly_rate": 0.6, "extra_hourly_cost": 0.5, "extra_cost_to_deadline": 300.0}}
target_support:
  description:
    - The same for O(target_version), what the cluster costs once upgraded; null when EKS does not list it.
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
addon_compatibility:
  description:
    - What check C(addon-compatibility) found, one entry per installed EKS add-on at the first hop whose minor its
      version is not compatible with, plus every later hop no version of it supports. Empty when nothing was found.
    - C(verdict) is V(no-version) (no version for C(to_version)), V(move-first) (C(move_to) supports both minors of
      the hop; C(move_now) when it supports every minor from the cluster's, so EKS accepts it now) or
      V(unsupported-until-updated) (no newer version supports both; C(after_hop) is the one to take after the hop).
      C(blocks) says whether the check fails on it.
  returned: always
  type: list
  elements: dict
  sample:
    - {"addon": "coredns", "version": "v1.10.1-eksbuild.38", "from_version": "1.29", "to_version": "1.30",
       "first_hop": true, "verdict": "move-first", "blocks": true, "move_to": "v1.11.4-eksbuild.22",
       "move_now": true, "after_hop": "v1.11.1-eksbuild.4"}
addon_catalog:
  description:
    - The add-on catalog check C(addon-compatibility) read (C(DescribeAddonVersions), every version of each add-on).
      Per add-on name, C(versions) (each version with the Kubernetes minors it is compatible with) and C(defaults)
      (per minor, the version EKS marks default). Empty when nothing was read (no hop pending, the check skipped, or
      EKS's add-on compatibility insight vouching for a one-hop path).
    - What M(lifecycle.eks.eks_addon_update) takes as its O(lifecycle.eks.eks_addon_update#module:addon_catalog),
      so that the add-on step after the upgrade does not read it again.
  returned: always
  type: dict
  sample:
    coredns:
      versions: {"v1.11.4-eksbuild.22": ["1.31", "1.30", "1.29"], "v1.10.1-eksbuild.38": ["1.29", "1.28"]}
      defaults: {"1.30": "v1.11.4-eksbuild.22", "1.29": "v1.11.4-eksbuild.22"}
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
hybrid_nodes:
  description:
    - One entry per EKS Hybrid Node (label C(eks.amazonaws.com/compute-type=hybrid)), empty without any.
      C(allows_control_plane_up_to) is the highest control-plane minor its kubelet allows (three minors ahead);
      C(blocks_target) whether that is below O(target_version). C(before_upgrade) is the C(nodeadm upgrade) to run
      on it before the upgrade (to the control plane's version, as nodeadm can't go further), C(after_upgrade) the one
      once the control plane is on the target; null when none is needed. Run them as root on the node, after
      C(kubectl drain), one node at a time; the module runs neither.
  returned: always
  type: list
  elements: dict
  sample:
    - name: mi-0a1b2c3d4e5f60002
      kubelet: v1.29.15-eks-beb9d06
      os_image: Red Hat Enterprise Linux 9.4 (Plow)
      allows_control_plane_up_to: "1.32"
      blocks_target: true
      before_upgrade: nodeadm upgrade 1.31 --config-source file://nodeConfig.yaml
      after_upgrade: nodeadm upgrade 1.33 --config-source file://nodeConfig.yaml
controllers:
  description:
    - Karpenter, AWS Load Balancer Controller and Cluster Autoscaler Deployments found, each with its verdict for the
      path to O(target_version) (what check C(controller-compatibility) sums up).
    - C(controller) (V(karpenter), V(aws-load-balancer-controller), V(cluster-autoscaler)), C(workload)
      (NAMESPACE/NAME), C(image), C(version) (the image tag), C(service_account), C(status), C(message),
      C(remediation), and C(install) (the releases to install, each C(version) before the hop to C(before_hop)).
  returned: always
  type: list
  elements: dict
  sample:
    - controller: karpenter
      workload: karpenter/karpenter
      image: public.ecr.aws/karpenter/controller:1.1.1
      version: "1.1.1"
      service_account: karpenter/karpenter
      status: fail
      install: [{"before_hop": "1.32", "version": "1.2.0"}]
      message: "Karpenter 1.1.1 (karpenter/karpenter) does not support Kubernetes 1.32: it must move before the
        control plane, to 1.2.0 or later before the hop to 1.32."
      remediation: Install Karpenter 1.2.0 or later before the hop to 1.32.
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
    validate_call_options,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.runner import eks_module, run


def main():
    module = eks_module(dict(cluster_argument_spec(), **call_argument_spec()))

    def body(module, clients):
        validate_call_options(module.params)
        inputs = plan_inputs(module.params, module.check_mode)
        result, warnings = preflight_cluster(clients, module.params, inputs,
                                             kubectl_client_version(module, module.params["kubectl_path"]))
        for warning in warnings:
            module.warn(warning)
        return result

    run(module, body)


if __name__ == "__main__":
    main()
