#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_checkpoint_info
short_description: Read the checkpoint of a cluster's upgrade, and which finished steps a rerun may skip
version_added: 0.1.0
description:
  - Reads the checkpoint M(lifecycle.eks.eks_checkpoint) records (the steps of the upgrade finished toward a target
    version, with the run, the time and the EKS update ids) and says where the cluster stands.
  - Finished steps are trusted, and returned in RV(skip_steps), only when the checkpoint was written for the same
    O(target_version) and, when O(cluster_version) is given, only while the control plane runs that target (a
    checkpoint the cluster contradicts is stale). Otherwise, or with O(ignore), RV(reason) says why every step runs
    again.
  - Read-only; safe in check mode.
  - A local checkpoint of a host reached with the local connection is read by the action plugin of the same name in
    the controller's worker, without a module process; otherwise the module runs. The result is the same either way.
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  target_version:
    description:
      - The Kubernetes version the run upgrades to, quoted (V('1.30')). Finished steps are trusted only when the
        checkpoint was written for it.
      - Without it, RV(stands) describes the checkpoint for whatever target it was written, and nothing is trusted.
    type: str
  cluster_version:
    description:
      - The control plane's Kubernetes version as just read. When the checkpoint records finished steps but the
        control plane is not at O(target_version), the checkpoint is stale and nothing is trusted.
    type: str
  ignore:
    description:
      - Trust no finished step, so that every step runs again (and is recorded again).
    type: bool
    default: false
  require_writable:
    description:
      - With O(backend=local), fail when the directory cannot be created or written, so a run that will record its
        steps stops before it changes a cluster rather than after its first step.
      - S3 and DynamoDB cannot tell write access before a write; a missing bucket or table, or no read access, fails
        the read with any backend.
    type: bool
    default: false
  read_claim:
    description:
      - Also read the cluster's claim (M(lifecycle.eks.eks_checkpoint_claim)) and return it as RV(claim), which job
        works on the cluster now. C(playbooks/status.yml) shows it.
    type: bool
    default: false
  read_progress:
    description:
      - Also read the progress record of the cluster's control-plane step, which
        M(lifecycle.eks.eks_cluster_upgrade) writes when a hop starts or its phase changes
        (O(lifecycle.eks.eks_cluster_upgrade#module:progress)), and return it as RV(progress).
        C(playbooks/status.yml) shows it as the hop the cluster is on.
    type: bool
    default: false
extends_documentation_fragment:
  - lifecycle.eks.checkpoint
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - lifecycle.eks.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
seealso:
  - module: lifecycle.eks.eks_checkpoint
"""

EXAMPLES = r"""
- name: Read where prod-eu stands toward 1.30
  lifecycle.eks.eks_checkpoint_info:
    cluster: prod-eu
    path: /var/lib/eks-upgrades/checkpoints
    target_version: "1.30"
    cluster_version: "1.30"
  register: checkpoint

- name: Show the steps a rerun skips, or why it skips none
  ansible.builtin.debug:
    msg: "{{ checkpoint.skip_notes or [checkpoint.reason] }}"

- name: Read a checkpoint kept in DynamoDB
  lifecycle.eks.eks_checkpoint_info:
    cluster: prod-eu
    backend: dynamodb
    table: eks-upgrade-checkpoints
    region: eu-west-1
"""

RETURN = r"""
location:
  description: Where the checkpoint is kept (a file path, C(s3://BUCKET/KEY) or C(dynamodb://TABLE/CLUSTER)).
  returned: always
  type: str
  sample: /srv/eks/checkpoints/prod-eu.json
checkpoint:
  description: The checkpoint (as M(lifecycle.eks.eks_checkpoint) returns it), or null when there is none.
  returned: always
  type: dict
trusted:
  description: Whether the finished steps apply to this run (same target, control plane at it, not ignored).
  returned: always
  type: bool
skip_steps:
  description: The records of the finished steps a run may skip, by step name; empty when nothing is trusted.
  returned: always
  type: dict
  sample: {"control_plane": {"status": "finished", "run_id": "20260101T120000Z", "finished_at": "2026-01-01T12:20:41Z",
                             "version": "1.30", "update_ids": ["8f6a2c1e-5b1d-4c1e-9d7e-1f2a3b4c5d6e"]}}
skip_notes:
  description: One line per step a run may skip.
  returned: always
  type: list
  elements: str
  sample: ["skipped: control_plane finished in run 20260101T120000Z at 2026-01-01T12:20:41Z"]
reason:
  description:
    - Why no step is skipped (no checkpoint, none finished yet, another target, a stale checkpoint, O(ignore));
      empty when some are.
  returned: always
  type: str
  sample: "The checkpoint of run 20251201T090000Z is for target 1.29, not 1.30: its finished steps (control_plane) are
    not trusted and run again."
stands:
  description: Where the cluster stands by the checkpoint, for reports.
  returned: always
  type: dict
  contains:
    found:
      description: Whether there is a checkpoint.
      type: bool
    for_target:
      description: Whether it was written for O(target_version) (true when O(target_version) is not given).
      type: bool
    target_version:
      description: The target it was written for.
      type: str
    finished_steps:
      description: Its finished steps toward O(target_version), in the order they run.
      type: list
      elements: str
    last_step:
      description: The last of them, or null.
      type: str
    run_id:
      description: The run that finished C(last_step).
      type: str
    finished_at:
      description: When C(last_step) finished.
      type: str
    updated_at:
      description: When the checkpoint was last written.
      type: str
    started_steps:
      description:
        - Steps a failed task left with EKS updates it had started (status V(started), with their C(update_ids)).
          They are never skipped; the next run resumes or repeats them.
      type: list
      elements: str
  sample: {"found": true, "for_target": true, "target_version": "1.30", "finished_steps": ["control_plane"],
           "last_step": "control_plane", "run_id": "20260101T120000Z", "finished_at": "2026-01-01T12:20:41Z",
           "updated_at": "2026-01-01T12:20:41Z"}
claim:
  description:
    - The cluster's claim, or null when no job holds it (M(lifecycle.eks.eks_checkpoint_claim) describes it).
  returned: when O(read_claim=true)
  type: dict
  sample: {"schema_version": 1, "cluster": "prod-eu", "run_id": "awx-42", "holder": "awx-job-43",
           "target_version": "1.30", "claimed_at": "2026-01-01T12:00:00Z"}
progress:
  description:
    - The last progress record of the cluster's control-plane step, or null when there is none (or it is not a
      lifecycle.eks record of this cluster). It is kept beside the checkpoint (C(progress/CLUSTER.json) of the
      directory or the S3 prefix, the DynamoDB item C(progress/CLUSTER)), never in it, and stays after the step
      ends; the step is over once the checkpoint records it finished.
    - C(hop) of C(hops) (from 1), C(from_version), C(to_version), C(phase) (V(node groups) while the node groups the
      hop needs are updated first, then V(updating)), C(update_id) (the EKS update running, null until one is
      started), C(nodegroup) (the node group being updated, in phase V(node groups)), C(hop_started_at),
      C(updated_at), C(run_id) and C(target_version).
  returned: when O(read_progress=true)
  type: dict
  sample: {"schema_version": 1, "cluster": "prod-eu", "run_id": "awx-42", "target_version": "1.30", "hop": 2,
           "hops": 2, "from_version": "1.29", "to_version": "1.30", "phase": "updating",
           "update_id": "8f6a2c1e-5b1d-4c1e-9d7e-1f2a3b4c5d6e", "nodegroup": null,
           "hop_started_at": "2026-01-01T12:20:00Z", "updated_at": "2026-01-01T12:21:00Z"}
api_calls:
  description: AWS requests made (S3 or DynamoDB backends).
  returned: when O(backend) is V(s3) or V(dynamodb)
  type: int
api_retries:
  description: Requests retried after throttling or server errors.
  returned: when O(backend) is V(s3) or V(dynamodb)
  type: int
"""

from ansible_collections.lifecycle.eks.plugins.module_utils.aws import EksAWSModule
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_calls import read, read_argument_spec
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_store import STORE_REQUIRED_IF, run_with_store


def main():
    # Local checkpoints on the controller are read by the action plugin of the same name, without this process.
    module = EksAWSModule(argument_spec=read_argument_spec(), required_if=STORE_REQUIRED_IF, supports_check_mode=True)
    run_with_store(module, lambda module, store, name: read(module.params, store, name))


if __name__ == "__main__":
    main()
