#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_workload_image
short_description: Set the image tag of a Deployment or DaemonSet container on an EKS cluster and wait for the rollout
version_added: 0.1.0
description:
  - Steps 6 and 7 of AWS's I(Updating an Amazon EKS cluster Kubernetes version) procedure. After an upgrade, the
    Cluster Autoscaler image is set to the release matching the new minor. On GPU clusters, the NVIDIA device plugin
    DaemonSet is updated.
  - Changes only the image tag of one container (the repository stays), as C(kubectl set image) does, then waits for
    the rollout to finish.
  - Finished means what the C(wait) of M(kubernetes.core.k8s) means (its readiness checks are used), and every
    pod updated and available. For a Deployment, the controller observed the change (C(status.observedGeneration)),
    and C(status.replicas), C(updatedReplicas) and C(availableReplicas) all equal C(spec.replicas), with no
    unavailable replica. For a DaemonSet, C(updatedNumberScheduled), C(numberReady) and C(numberAvailable) equal
    C(desiredNumberScheduled), with none unavailable. A new pod that crash-loops is therefore never taken for a
    finished rollout, nor is a Deployment whose old pods are still available.
  - A rollout that does not finish in O(wait_timeout) fails the module, naming the workload's pods that are not
    ready and why (for example C(CrashLoopBackOff)).
  - A workload that does not exist is reported (C(found=false)), not an error, unless O(required=true).
  - Idempotent; check and diff mode supported.
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  kind:
    description: Workload kind.
    type: str
    choices: [Deployment, DaemonSet]
    required: true
  namespace:
    description: Namespace of the workload.
    type: str
    default: kube-system
  workload:
    description: Name of the Deployment or DaemonSet.
    type: str
    required: true
  container:
    description: Container name. The first container when unset.
    type: str
  tag:
    description: The image tag to run, for example V(v1.30.2).
    type: str
    required: true
  required:
    description: Fail when the workload does not exist.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait for the rollout. With V(0), the rollout is checked once after the change.
    type: int
    default: 600
extends_documentation_fragment:
  - lifecycle.eks.cluster
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
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
- name: Cluster Autoscaler matching Kubernetes 1.30
  lifecycle.eks.eks_workload_image:
    cluster_name: prod-eu
    kind: Deployment
    workload: cluster-autoscaler
    tag: v1.30.2
"""

RETURN = r"""
found:
  description: Whether the workload exists.
  returned: always
  type: bool
before:
  description: Image before.
  returned: when found
  type: str
  sample: registry.k8s.io/autoscaling/cluster-autoscaler:v1.29.4
after:
  description: Image after (the planned one in check mode).
  returned: when found
  type: str
  sample: registry.k8s.io/autoscaling/cluster-autoscaler:v1.30.2
container:
  description: Name of the container whose image is set.
  returned: when found
  type: str
  sample: cluster-autoscaler
pods_not_ready:
  description:
    - When the rollout did not finish, the workload's pods that are not ready, with each unready container and
      why (the reason it is waiting or terminated, such as C(CrashLoopBackOff)) and its restart count.
  returned: when the rollout did not finish in time (the module fails)
  type: list
  elements: dict
  sample: [{"name": "cluster-autoscaler-6b9f7c5d8-x2k4p", "phase": "Running",
            "containers": [{"name": "cluster-autoscaler", "reason": "CrashLoopBackOff", "restarts": 5}]}]
kube_retries:
  description:
    - Kubernetes API requests retried after a connection or read error, HTTP 429 or 5xx
      (see O(kube_retry_timeout)).
  returned: always
  type: int
  sample: 0
"""

from ansible_collections.lifecycle.eks.plugins.module_utils.runner import eks_module, run, with_wave_result
from ansible_collections.lifecycle.eks.plugins.module_utils.workload_image import argument_spec, set_image


def main():
    run(eks_module(with_wave_result(argument_spec())), set_image)


if __name__ == "__main__":
    main()
