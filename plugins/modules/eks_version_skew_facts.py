#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_version_skew_facts
short_description: Gather an EKS cluster's control plane, node and kubelet versions and the legal upgrade path
version_added: 0.1.0
description:
  - Step 1 of AWS's I(Updating an Amazon EKS cluster Kubernetes version) procedure, in one call.
  - Reads the control plane version and platform version, every managed node group (version, AMI release,
    status), every Kubernetes node (managed, self-managed and Fargate, with its kubelet version) and the
    installed EKS add-ons, concurrently.
  - Returns verdicts from the procedure's skew rules. A kubelet on 1.25 or newer may be three minors behind
    the control plane, one on 1.24 or older two. Managed and Fargate nodes must be on the control plane's
    minor before it moves. The control plane moves one minor at a time.
  - Sets the host fact C(eks_version_skew), so later tasks and roles read it as a fact of the cluster's host.
  - Says which nodes Karpenter and EKS Auto Mode run and what becomes of them on O(target_version) (on the control
    plane's version without one). Karpenter's NodePools and EC2NodeClasses are read only when their API groups are
    served.
  - Read-only; safe in check mode.
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  target_version:
    description:
      - A Kubernetes version (V(MAJOR.MINOR), quoted in YAML) to plan the path to.
      - When set, the result holds the plan (hops, node groups to update between hops) or why no legal path exists.
    type: str
  upgrade_nodegroups:
    description:
      - Plan with managed node groups updated between hops when the next hop needs them on the control plane's minor.
    type: bool
    default: false
  nodegroup_launch_templates:
    description:
      - Launch template versions per node group, as O(lifecycle.eks.eks_nodegroup_upgrade#module:launch_templates)
        takes them; the plan to O(target_version) then updates custom-AMI node groups given one for the right minor.
    type: dict
    default: {}
extends_documentation_fragment:
  - lifecycle.eks.cluster
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - lifecycle.eks.kube
  - kubernetes.core.k8s_auth_options
  - lifecycle.eks.attributes
  - lifecycle.eks.wave_result
  - lifecycle.eks.attributes.facts
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  facts:
    support: full
notes:
  - Needs C(eks:DescribeCluster), C(eks:ListNodegroups), C(eks:DescribeNodegroup), C(eks:ListAddons),
    C(eks:DescribeAddon), Kubernetes C(list nodes), C(get) of the discovery path C(/apis) and, with Karpenter,
    C(list) of C(nodepools.karpenter.sh) and C(ec2nodeclasses.karpenter.k8s.aws).
"""

EXAMPLES = r"""
- name: Gather version skew facts of a cluster
  lifecycle.eks.eks_version_skew_facts:
    cluster_name: prod-eu
    target_version: "1.30"
    region: eu-west-1

- name: Show whether the control plane may move one minor now
  ansible.builtin.debug:
    msg: "{{ ansible_facts.eks_version_skew.can_upgrade_next_minor }}"

- name: Plan with node groups brought up between hops
  lifecycle.eks.eks_version_skew_facts:
    cluster_name: staging
    target_version: "1.31"
    upgrade_nodegroups: true
    kubeconfig: ~/.kube/staging.yaml
"""

RETURN = r"""
ansible_facts:
  description: Facts set on the cluster's host.
  returned: success
  type: dict
  contains:
    eks_version_skew:
      description: Everything gathered and every verdict.
      returned: success
      type: dict
      contains:
        control_plane:
          description: Control plane version, platform version and status.
          type: dict
          sample: {"version": "1.29", "platform_version": "eks.12", "status": "ACTIVE"}
        nodegroups:
          description: Managed node groups with version, AMI release version, status, AMI type.
          type: list
          elements: dict
          sample: [{"name": "general", "version": "1.29", "release_version": "1.29.15-20250103", "status": "ACTIVE"}]
        nodes:
          description:
            - Every Kubernetes node with its kind (V(managed), V(self_managed), V(fargate), V(karpenter), V(auto),
              V(hybrid) for EKS Hybrid Nodes, labelled C(eks.amazonaws.com/compute-type=hybrid)), kubelet version,
              node group or Karpenter NodePool, and whether it carries C(karpenter.sh/do-not-disrupt).
          type: list
          elements: dict
          sample: [{"name": "ip-10-0-1-1.ec2.internal", "kind": "managed", "kubelet": "v1.29.15-eks-1a2b3c4", "minor": "1.29"}]
        kubelet_versions:
          description: Count of nodes per kubelet minor.
          type: dict
          sample: {"1.28": 1, "1.29": 3}
        addons:
          description: Installed EKS add-ons with version and status.
          type: list
          elements: dict
          sample: [{"name": "vpc-cni", "version": "v1.18.5-eksbuild.1", "status": "ACTIVE"}]
        skew:
          description: Per node group and per node, the skew against the control plane and the policy verdict.
          type: list
          elements: dict
        can_upgrade_next_minor:
          description: Whether the control plane may move to the next minor now, without touching nodes.
          type: bool
          sample: true
        next_minor:
          description: The next minor version.
          type: str
          sample: "1.30"
        highest_reachable_without_node_changes:
          description: The highest control plane version reachable without updating any node (null when there are no nodes).
          type: str
          sample: "1.30"
        blockers:
          description: What prevents the next hop, each with an id, a reason and a remediation.
          type: list
          elements: dict
          sample: [{"id": "managed-nodegroup-behind", "subject": "general", "reason": "...", "remediation": "..."}]
        plan:
          description:
            - The plan to O(target_version) (hops, node groups before each hop, node groups after, blockers).
            - C(hybrid_nodes_after) lists the EKS Hybrid Nodes behind the target once the control plane is there, each
              with the C(nodeadm upgrade) C(command) to run on it (nothing runs it for you). Hybrid nodes limit the
              path as self-managed nodes do (three minors of kubelet skew; blocker C(hybrid-kubelet-skew)).
          returned: when O(target_version) is set
          type: dict
        node_provisioners:
          description:
            - Karpenter (AMI selection of each EC2NodeClass, drift per NodePool) and EKS Auto Mode, judged against
              O(target_version) or the control plane's version; as in M(lifecycle.eks.eks_upgrade_preflight).
          type: dict
api_calls:
  description: AWS API calls made (retries excluded).
  returned: always
  type: int
api_retries:
  description: Retries after throttling or server errors.
  returned: always
  type: int
"""

from ansible_collections.lifecycle.eks.plugins.module_utils.runner import eks_module, run, with_wave_result
from ansible_collections.lifecycle.eks.plugins.module_utils.version_skew import argument_spec, read_skew


def main():
    run(eks_module(with_wave_result(argument_spec())), read_skew)


if __name__ == "__main__":
    main()
