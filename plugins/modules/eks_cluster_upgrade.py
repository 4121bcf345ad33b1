#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_cluster_upgrade
short_description: Upgrade an EKS control plane to a target Kubernetes version, one minor at a time
version_added: 0.1.0
description:
  - Step 4 of AWS's I(Updating an Amazon EKS cluster Kubernetes version) procedure. The module brings the control
    plane to O(target_version) with one C(UpdateClusterVersion) per minor, waiting on C(DescribeUpdate) after each.
  - Before any change it plans the whole path with the procedure's skew rules. Managed and Fargate nodes must be on
    the control plane's minor before it moves, and kubelets may lag by at most three minors (two for 1.24 and older).
    It refuses a target that is lower than the current version, unknown to EKS, or unreachable within those rules.
  - With O(upgrade_nodegroups=true), managed node groups that the next hop needs on the control plane's minor are
    updated first (C(UpdateNodegroupVersion)), so the cluster never leaves the skew policy. They are started together
    and then waited on, as M(lifecycle.eks.eks_nodegroup_upgrade) does; when one fails, the others are still seen
    through and reported, and the hop does not start.
  - A custom-AMI node group is updated between hops only with a launch template version built for that hop's minor
    (O(nodegroup_launch_templates) with C(kubernetes_version)); the update then carries only the launch template.
    Without one, a path that needs the group updated is refused before any change.
  - Resumes instead of failing when an update is already in progress (a killed run, another operator). A rerun after
    success changes nothing.
  - A C(Failed) update fails the task with AWS's error codes and messages; the cluster stays on its previous version.
  - In check mode, returns the plan and sends no mutating call.
  - Each C(UpdateClusterVersion) carries the cluster name, the version, a C(clientRequestToken) and, only with
    O(force), C(force); nothing else. Settings such as C(deletionProtection) and C(controlPlaneScalingConfig) are
    left as they are, read before and after the hops and returned (RV(settings_left_alone)).
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  target_version:
    description:
      - The Kubernetes version to reach, V(MAJOR.MINOR), quoted in YAML (V('1.30')).
    type: str
    required: true
  upgrade_nodegroups:
    description:
      - Update managed node groups to the control plane's minor before a hop that needs them there.
      - When V(false), a path that needs node group updates is refused before any change.
    type: bool
    default: false
  nodegroup_force:
    description:
      - Send C(force) with node group updates, draining nodes even when PodDisruptionBudgets forbid it.
    type: bool
    default: false
  nodegroup_launch_templates:
    description:
      - Launch template version per node group, as O(lifecycle.eks.eks_nodegroup_upgrade#module:launch_templates).
        A mapping of node group name to its C(version) (such as V('7')) and optionally C(kubernetes_version).
      - An entry is sent with the node group update to its C(kubernetes_version) (without one, to O(target_version));
        between hops, only entries whose C(kubernetes_version) is the hop's minor are used.
      - Every launch template version the run will send is checked (C(DescribeLaunchTemplateVersions)) before the
        first change; not in check mode.
    type: dict
    default: {}
  plan:
    description:
      - The RV(lifecycle.eks.eks_upgrade_preflight#module:plan) a preflight computed for this cluster (from
        M(lifecycle.eks.eks_upgrade_preflight) or an entry of M(lifecycle.eks.eks_fleet_preflight)), passed unchanged.
        The module then follows it instead of gathering the cluster again; it reads only what may have changed
        since (C(DescribeCluster) for its version and status, and the update in progress when the cluster is
        C(UPDATING)).
      - Refused, before any change, when it was computed for another cluster, another O(target_version), other
        O(upgrade_nodegroups) or O(nodegroup_launch_templates), when its hops do not follow from what it records it
        was computed from, or when the control plane's version is no longer the one it starts from (rerun the
        preflight). When the version has moved to O(target_version) already (a rerun), or past a plan computed
        while an update was in progress (such a plan is provisional), the module plans again by itself.
      - Without it the module gathers the cluster and plans by itself.
    type: dict
  force:
    description:
      - Send C(force) with C(UpdateClusterVersion), overriding EKS upgrade-insight readiness errors.
      - An explicit opt-in; insights flagged ERROR usually mean workloads will break on the new version. The result
        records it (RV(force)) and, read just before each hop, the C(UPGRADE_READINESS) insights in C(ERROR) it went
        past (RV(overridden_insights)); this costs one C(ListInsights) per hop, only with O(force).
    type: bool
    default: false
  fix_coredns_upstream:
    description:
      - Before the first hop, remove the discontinued C(upstream) line from the CoreDNS Corefile (procedure step 3,
        for clusters first deployed before Kubernetes 1.18), as M(lifecycle.eks.eks_coredns_corefile) does - the
        line only, whatever else the file holds; nothing when the line is not there.
      - Made whether or not a hop is needed, and in check mode only planned (RV(coredns_upstream_removed)). Diff mode
        shows the Corefile before and after. Not made when the plan is refused (no legal path).
    type: bool
    default: false
  wait:
    description:
      - Wait for each update to finish. With V(false) the module starts the next hop only and returns its update id.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for each update. On timeout the update carries on in AWS; rerun the task to resume waiting.
    type: int
    default: 3600
  progress:
    description:
      - Record where the hops stand in the checkpoint store while the module runs, so that C(playbooks/status.yml)
        (M(lifecycle.eks.eks_checkpoint_info) with
        O(lifecycle.eks.eks_checkpoint_info#module:read_progress=true)) shows the hop a cluster is on.
      - A record is written when a hop starts and when its phase or update changes (V(node groups) for each node
        group the hop needs updated first, then V(updating) once C(UpdateClusterVersion) is sent, or when the module
        resumes an update in progress), never on a poll. It holds the hop's number and the number of hops (counted
        from the version the control plane had when the module started), the versions, the phase, the EKS update
        id, the node group, when the hop started and the run (RV(lifecycle.eks.eks_checkpoint_info#module:progress)).
      - It is kept beside the checkpoint, never in it (C(progress/CLUSTER.json) of the directory or the S3 prefix,
        the DynamoDB item C(progress/CLUSTER)); the steps a rerun skips are only those the playbook records.
      - The record is deleted when the module ends well; a run cut short (killed, or failed) leaves it, showing
        where it stopped, until a run of the step ends well.
      - A record that cannot be written is a warning, and no other is tried in this run; the upgrade goes on.
        Nothing is written in check mode.
      - With O(progress.backend=local) the module writes the directory of the host it runs on, as
        M(lifecycle.eks.eks_checkpoint) does (the controller, with the local connection of the C(upgrade) playbook).
      - Without it, nothing is recorded.
    type: dict
    suboptions:
      cluster:
        description: The name the checkpoint is kept under (O(lifecycle.eks.eks_checkpoint#module:cluster)).
        type: str
        required: true
      run_id:
        description: The run recording the progress, as the checkpoint records it.
        type: str
        required: true
      backend:
        description: Where checkpoints are kept (O(lifecycle.eks.eks_checkpoint#module:backend)).
        type: str
        choices: [local, s3, dynamodb]
        default: local
      path:
        description: The directory of the checkpoints, with O(progress.backend=local).
        type: path
      bucket:
        description: The S3 bucket, with O(progress.backend=s3).
        type: str
      key_prefix:
        description:
          - The prefix of the checkpoint objects, with O(progress.backend=s3); V(lifecycle-eks/checkpoints/) when
            not set or empty.
        type: str
      table:
        description: The DynamoDB table, with O(progress.backend=dynamodb).
        type: str
      region:
        description: The region of the bucket or the table; the cluster's (O(region)) when not set or empty.
        type: str
extends_documentation_fragment:
  - lifecycle.eks.cluster
  - lifecycle.eks.step_checkpoint
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - lifecycle.eks.kube
  - kubernetes.core.k8s_auth_options
  - lifecycle.eks.wait
  - lifecycle.eks.attributes
  - lifecycle.eks.wave_result
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
notes:
  - Once a cluster is upgraded it cannot be downgraded, but EKS can roll the control plane back one minor within
    7 days (M(lifecycle.eks.eks_cluster_rollback)); each hop's RV(updates[].rollback_record) keeps what such a
    rollback needs. Test your workloads against the new version first.
  - Needs C(eks:DescribeCluster), C(eks:DescribeClusterVersions), C(eks:ListUpdates), C(eks:DescribeUpdate),
    C(eks:UpdateClusterVersion), C(eks:ListNodegroups), C(eks:DescribeNodegroup), C(eks:ListAddons),
    C(eks:DescribeAddon) (and C(eks:UpdateNodegroupVersion) with O(upgrade_nodegroups), C(ec2:DescribeLaunchTemplateVersions)
    with O(nodegroup_launch_templates), C(eks:ListInsights) with O(force)), and Kubernetes C(list nodes) (and C(get)
    and C(patch) of the C(kube-system/coredns) ConfigMap with O(fix_coredns_upstream)).
"""

EXAMPLES = r"""
- name: Upgrade the control plane to 1.30
  lifecycle.eks.eks_cluster_upgrade:
    cluster_name: prod-eu
    target_version: "1.30"

- name: Two hops, bringing node groups up between them
  lifecycle.eks.eks_cluster_upgrade:
    cluster_name: staging
    target_version: "1.31"
    upgrade_nodegroups: true
    wait_timeout: 2700
  register: upgrade

- name: Follow the plan the preflight computed (no second gathering of the cluster)
  lifecycle.eks.eks_cluster_upgrade:
    cluster_name: staging
    target_version: "1.31"
    upgrade_nodegroups: true
    plan: "{{ preflight.plan }}"

- name: Show the plan only
  lifecycle.eks.eks_cluster_upgrade:
    cluster_name: staging
    target_version: "1.31"
  check_mode: true
"""

RETURN = r"""
checkpoint_recorded:
  description:
    - The record the module wrote in the checkpoint (O(checkpoint)), once the control plane runs the target version
      (not after one hop of O(wait=false)); null without O(checkpoint), in check mode, or when the step did not
      finish.
  returned: always
  type: dict
  contains:
    step:
      description: The step recorded.
      type: str
    location:
      description: Where the checkpoint is kept.
      type: str
    changed:
      description: Whether the record changed the checkpoint (false when this run had recorded the same already).
      type: bool
plan:
  description: The path to O(target_version), as M(lifecycle.eks.eks_version_skew_facts) returns it.
  returned: always
  type: dict
  sample: {"current": "1.28", "target": "1.30", "feasible": true, "hops": [{"from_version": "1.28", "to_version": "1.29", "nodegroups_before": ["general"]}]}
updates:
  description: Every update this run started or resumed, in order (node group updates between hops included).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: EKS update id.
      type: str
    type:
      description: V(VersionUpdate) for the control plane, V(VersionUpdate) with a node group subject for node groups.
      type: str
    subject:
      description: What was updated, C(cluster NAME) or C(node group NG).
      type: str
    from:
      description: Version before the update.
      type: str
    to:
      description: Version the update moves to.
      type: str
    status:
      description: Final status, V(Successful), V(Failed), V(Cancelled), or V(InProgress) when not waited for.
      type: str
    duration_s:
      description: Seconds this run spent on the update.
      type: float
    errors:
      description: AWS's errors of the update (errorCode, errorMessage, resourceIds).
      type: list
    resumed:
      description: Whether the update was already in progress when the module started.
      type: bool
    rollback_record:
      description:
        - On each control plane hop, what a rollback of that hop needs, read just before the hop started.
          EKS can roll the control plane back one minor within 7 days (M(lifecycle.eks.eks_cluster_rollback)), but
          it does not roll add-ons or node groups back; these are their versions before the hop.
      type: dict
      returned: on control plane hops this run started or joined
      contains:
        cluster:
          description: Cluster name.
          type: str
        from_version:
          description: Control plane version before the hop, the version a rollback returns to.
          type: str
        to_version:
          description: Control plane version after the hop.
          type: str
        recorded_at:
          description: When the record was taken (ISO 8601, UTC); the rollback window closes 7 days after the upgrade.
          type: str
        addons:
          description: EKS add-on versions by add-on name.
          type: dict
        nodegroups:
          description: Managed node groups by name, each with C(version) and C(release_version).
          type: dict
      sample:
        cluster: prod-eu
        from_version: "1.29"
        to_version: "1.30"
        recorded_at: "2026-11-24T10:00:00+00:00"
        addons: {"kube-proxy": "v1.29.0-eksbuild.1"}
        nodegroups: {"general": {"version": "1.29", "release_version": "1.29.15-20251103"}}
planned_by:
  description:
    - V(preflight) when the module followed the O(plan) it was given, V(module) when it gathered the cluster and
      planned by itself (no O(plan), or a provisional one the version has moved past).
  returned: always
  type: str
  sample: preflight
coredns_upstream_removed:
  description:
    - Whether O(fix_coredns_upstream) removed the C(upstream) line from the CoreDNS Corefile (would remove it, in check
      mode); false without the option or without the line.
  returned: always
  type: bool
  sample: true
force:
  description: Whether O(force) was set, so the report shows that readiness errors were overridden on request.
  returned: always
  type: bool
  sample: true
overridden_insights:
  description:
    - With O(force), the C(UPGRADE_READINESS) insights in C(ERROR) for each hop's version, read just before the hop
      this run started (C(kubernetes_version), C(id), C(name), C(status), C(reason)). Empty without O(force), in
      check mode, and when no insight was in error.
  returned: always
  type: list
  elements: dict
  sample: [{"kubernetes_version": "1.30", "id": "5b2c7f0e-...", "name": "Deprecated APIs removed in Kubernetes v1.30",
            "status": "ERROR", "reason": "Deprecated API usage detected within last 30 days."}]
settings_left_alone:
  description:
    - Cluster settings the upgrade never changes, as C(DescribeCluster) reported them when the module started
      (C(before)) and after the last hop (C(after), the same read when no hop was sent), each with
      C(deletion_protection) and C(control_plane_scaling_tier) (null when EKS does not report it).
    - When they differ, someone else changed them during the upgrade; the module warns.
  returned: always
  type: dict
  sample: {"before": {"deletion_protection": true, "control_plane_scaling_tier": "tier-xl"},
           "after": {"deletion_protection": true, "control_plane_scaling_tier": "tier-xl"}}
version_before:
  description: Control plane version when the module started.
  returned: always
  type: str
  sample: "1.28"
version_after:
  description: Control plane version when the module ended (the planned version in check mode).
  returned: always
  type: str
  sample: "1.30"
diff:
  description:
    - Control plane and node group versions before and after; with O(fix_coredns_upstream), a list of that and the
      CoreDNS Corefile before and after.
  returned: when diff mode is on
  type: raw
progress_writes:
  description:
    - Progress records written into the checkpoint store (O(progress)); 0 without it and in check mode. After a
      write that failed (a warning says why) no other is tried.
  returned: success
  type: int
  sample: 3
poll_times:
  description:
    - Times (seconds since the epoch) at which DescribeUpdate requests left for this cluster, this task's (retries
      included) and those of O(wait_poll_history), which the limit of 6 per window counts. The next step on the
      cluster takes them as its O(wait_poll_history).
  returned: always
  type: list
  elements: float
  sample: [1764921600.125, 1764921605.25]
"""

from ansible_collections.lifecycle.eks.plugins.module_utils.cluster_upgrade import argument_spec, upgrade
from ansible_collections.lifecycle.eks.plugins.module_utils.runner import eks_module, run, with_wave_result


def main():
    run(eks_module(with_wave_result(argument_spec())), upgrade)


if __name__ == "__main__":
    main()
