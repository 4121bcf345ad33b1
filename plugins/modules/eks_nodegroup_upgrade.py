#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_nodegroup_upgrade
short_description: Update EKS managed node groups to the control plane's Kubernetes version
version_added: 0.1.0
description:
  - Step 5 of AWS's I(Updating an Amazon EKS cluster Kubernetes version) procedure. The module updates managed node
    groups to the same minor as the control plane, with C(UpdateNodegroupVersion), and waits for each update.
  - Node groups already on the version are left alone; a node group already updating is waited for, not updated twice.
  - A node group created with a launch template is updated to the launch template version given for it in
    O(launch_templates) as well, with C(launchTemplate) (its template's id, and the version). With an EKS-managed AMI
    the request carries the Kubernetes version too. With a custom AMI (C(amiType) C(CUSTOM)) it carries only the
    launch template, as EKS requires (C(You cannot specify the field kubernetesVersion when using custom AMIs.)); the
    nodes run what the AMI of that version is built for.
  - A custom-AMI node group below the version with no (new) launch template version for it is not updated and no call
    is made for it. It is reported in RV(needs_launch_template) with its template, the version it uses and what to
    create. Every launch template version to send is checked first (C(DescribeLaunchTemplateVersions)), so a
    missing one fails the task before any update.
  - On an EKS Auto Mode cluster (C(computeConfig.enabled)) EKS updates the Auto Mode nodes itself; only the managed
    node groups, if any, are updated here (RV(auto_mode)).
  - A C(PodEvictionFailure) (a PodDisruptionBudget blocking the drain) fails the task with the node names AWS reports;
    O(force) drains regardless.
  - GPU node groups (NVIDIA instance types, p* and g* but the AMD g4ad; with the instance types in a launch template,
    an NVIDIA AMI type such as C(AL2023_x86_64_NVIDIA), C(BOTTLEROCKET_x86_64_NVIDIA) or C(AL2_x86_64_GPU)) get new
    nodes, and a GPU is usable only once the NVIDIA device plugin runs on a node and advertises C(nvidia.com/gpu) in
    its C(status.allocatable). After each GPU node group's update the module waits, up to
    O(gpu_allocatable_timeout) seconds, until every GPU node of the group advertises it again, and fails naming the
    nodes that do not and why (the device plugin DaemonSet does not tolerate a taint of theirs, or does not select
    them). Only node groups whose GPU nodes advertised C(nvidia.com/gpu) before the update are verified (GPUs handed
    out by a DRA driver are not advertised). This reads the Kubernetes API (the Kubernetes options); nothing is read
    there when no GPU node group is updated, nor with O(wait=false).
  - O(gpu_update_strategy=minimal) sets the C(MINIMAL) update strategy (C(UpdateNodegroupConfig) C(updateConfig), old
    nodes terminated before new ones launch) on each GPU node group before its update, for GPU capacity that cannot
    hold a second set of nodes; EKS keeps it for later updates. The configuration update is waited for even with
    O(wait=false), since EKS runs one update of a node group at a time.
  - Check mode returns what would be updated and sends no mutating call.
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  nodegroups:
    description:
      - Names of the node groups to update. All node groups of the cluster when unset.
    type: list
    elements: str
  version:
    description:
      - Kubernetes version to move the node groups to, V(MAJOR.MINOR). Defaults to the control plane's version.
      - A version ahead of the control plane is refused.
    type: str
  release_version:
    description:
      - An EKS optimized AMI release version (for example V(1.30.14-20250715)). The latest for the version when unset.
    type: str
  launch_templates:
    description:
      - Launch template version per node group, for node groups created with a launch template. A mapping of node
        group name to a mapping with C(version), the launch template version number such as V('7') (or to the number
        alone), and optionally C(kubernetes_version), the Kubernetes minor the version is for (its AMI's minor). The
        version is then used only for an update to that minor.
      - Custom-AMI node groups move to a new minor only with a new launch template version whose AMI is built for it.
      - A version that does not exist, an entry for a node group created without a launch template, or a malformed
        entry fails the task before any update; a node group name the cluster lacks is warned about and ignored.
    type: dict
    default: {}
  force:
    description:
      - Drain nodes even when PodDisruptionBudgets prevent it (C(force) of C(UpdateNodegroupVersion)).
    type: bool
    default: false
  wait:
    description:
      - Wait for the updates to finish.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for each node group update (AWS drains each node for up to 15 minutes).
    type: int
    default: 5400
  verify_gpu_allocatable:
    description:
      - After each GPU node group's update, wait until its GPU nodes advertise C(nvidia.com/gpu) allocatable again,
        and fail naming those that do not.
    type: bool
    default: true
  gpu_allocatable_timeout:
    description:
      - Seconds to wait for the GPU nodes of one node group to advertise C(nvidia.com/gpu) allocatable after its
        update. With V(0), they are looked at once.
    type: int
    default: 600
  gpu_update_strategy:
    description:
      - The C(updateConfig.updateStrategy) to give GPU node groups before their update. V(minimal) terminates old nodes
        before launching new ones (no GPU capacity for both sets at once; the node group's pods wait meanwhile);
        V(default) launches new nodes first, EKS's default. Unset, the node groups keep theirs.
      - The node group's C(maxUnavailable) (or C(maxUnavailablePercentage)) is sent along unchanged.
      - Needs C(eks:UpdateNodegroupConfig) (docs/iam-policy-gpu-update-strategy.json).
    type: str
    choices: [default, minimal]
extends_documentation_fragment:
  - lifecycle.eks.cluster
  - lifecycle.eks.step_checkpoint
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - lifecycle.eks.wait
  - lifecycle.eks.kube
  - kubernetes.core.k8s_auth_options
  - lifecycle.eks.attributes
  - lifecycle.eks.wave_result
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
"""

EXAMPLES = r"""
- name: Bring every managed node group to the control plane's version
  lifecycle.eks.eks_nodegroup_upgrade:
    cluster_name: prod-eu

- name: Update one node group, draining through PodDisruptionBudgets
  lifecycle.eks.eks_nodegroup_upgrade:
    cluster_name: prod-eu
    nodegroups: [batch]
    force: true

- name: Move a custom-AMI node group to launch template version 7 (its AMI built for 1.30)
  lifecycle.eks.eks_nodegroup_upgrade:
    cluster_name: prod-eu
    launch_templates:
      gpu-custom: {version: "7", kubernetes_version: "1.30"}
      general: "4"
  register: nodegroups

- name: Say which launch template versions to create
  ansible.builtin.debug:
    msg: "{{ nodegroups.needs_launch_template | map(attribute='remediation') | list }}"

- name: Replace GPU nodes old ones first (no spare GPU capacity), then wait up to 15 minutes for their GPUs
  lifecycle.eks.eks_nodegroup_upgrade:
    cluster_name: ml-prod
    gpu_update_strategy: minimal
    gpu_allocatable_timeout: 900
"""

RETURN = r"""
checkpoint_recorded:
  description:
    - The record the module wrote in the checkpoint (O(checkpoint)), once no node group is left needing action or a
      launch template; null without O(checkpoint), in check mode, or when the step did not finish.
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
nodegroups:
  description:
    - One entry per node group considered; C(action) is V(update), V(resume), V(skip), V(needs_action) or
      V(needs_launch_template); C(launch_template_version) is the version sent, when one is.
    - C(gpu) says whether it is a GPU node group. C(update_strategy) (C(before), C(after)) is the update strategy
      O(gpu_update_strategy) gives it. C(gpu_allocatable) is the verification after its update, with C(status)
      V(advertised), V(missing) or V(not verified) (with C(reason)), C(nodes) (GPU node -> GPUs allocatable) and
      C(missing) (C(node), C(reasons)).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "general", "before": "1.29", "after": "1.30", "changed": true, "action": "update",
            "update_id": "3f1d...", "launch_template_version": "4", "gpu": false},
           {"name": "gpu-a10", "before": "1.29", "after": "1.30", "changed": true, "action": "update", "gpu": true,
            "update_strategy": {"before": "DEFAULT", "after": "MINIMAL"},
            "gpu_allocatable": {"status": "advertised", "nodes": {"ip-10-0-1-7.ec2.internal": 1}}}]
gpu_nodes_missing:
  description:
    - GPU nodes that did not advertise C(nvidia.com/gpu) allocatable within O(gpu_allocatable_timeout) after their
      node group's update (the task fails), each with its node group and why.
  returned: always
  type: list
  elements: dict
  sample: [{"nodegroup": "gpu-a10", "node": "ip-10-0-1-7.ec2.internal",
            "reasons": ["kube-system/nvidia-device-plugin-daemonset: it does not tolerate the node's taint
                         nvidia.com/gpu=true:NoSchedule"]}]
updates:
  description:
    - The updates started or resumed (id, type, subject, from, to, status, duration_s, errors, resumed), version
      updates and the configuration updates (type V(ConfigUpdate)) of O(gpu_update_strategy).
    - A failed task lists them too, with C(changed), also when a later call of the same task failed (the node
      groups already updating carry on in AWS, status V(InProgress)).
  returned: always
  type: list
  elements: dict
needs_action:
  description: Node groups that could not be updated as asked, with why (custom AMIs, not ACTIVE).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "custom", "reason": "custom AMI: node group custom (1.29) reaches 1.30 only with a launch template
            version whose AMI is built for 1.30, and no launch template version is given for it"}]
needs_launch_template:
  description: Custom-AMI node groups that need a new launch template version to reach the version; none was updated.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Node group name.
      type: str
    launch_template:
      description: Its launch template (C(id), C(name)) and the C(version) it uses now.
      type: dict
    version:
      description: The node group's Kubernetes version.
      type: str
    kubernetes_version:
      description: The version it is to reach.
      type: str
    ami:
      description: The AMI it runs (C(releaseVersion) of a custom-AMI node group).
      type: str
    reason:
      description: Why it was not updated.
      type: str
    remediation:
      description: The launch template version to create and the option to set.
      type: str
  sample:
    - name: custom
      launch_template: {"id": "lt-0abc12345def67890", "name": "custom-nodes", "version": "1"}
      version: "1.29"
      kubernetes_version: "1.30"
      ami: ami-0abc12345def67890
      reason: "custom AMI: node group custom (1.29) reaches 1.30 only with a launch template version ..."
      remediation: "Create a version of launch template custom-nodes (lt-0abc12345def67890) whose AMI is built for
        Kubernetes 1.30 (for example the EKS optimized AMI of SSM parameter
        /aws/service/eks/optimized-ami/1.30/amazon-linux-2023/x86_64/standard/recommended/image_id, ...), then set
        launch_templates: {custom: {version: 'NEW_VERSION'}} ..."
auto_mode:
  description: Whether EKS Auto Mode is on for the cluster (EKS updates the Auto Mode nodes itself).
  returned: always
  type: bool
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

from ansible_collections.lifecycle.eks.plugins.module_utils.nodegroup_upgrade import argument_spec, upgrade_nodegroups
from ansible_collections.lifecycle.eks.plugins.module_utils.runner import eks_module, run, with_wave_result


def main():
    # The kubernetes library is needed only to verify GPU node groups (GpuVerification).
    run(eks_module(with_wave_result(argument_spec()), kubernetes_required=False), upgrade_nodegroups)


if __name__ == "__main__":
    main()
