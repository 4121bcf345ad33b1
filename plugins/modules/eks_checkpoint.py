#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_checkpoint
short_description: Record a finished step in the checkpoint of a cluster's upgrade, or clear the checkpoint
version_added: 0.1.0
description:
  - A checkpoint records, per cluster, which steps of the upgrade finished toward which target version, in which run
    and when, with the EKS update ids. The C(upgrade) playbook records each step as it finishes, and a rerun skips
    the steps recorded as finished (M(lifecycle.eks.eks_checkpoint_info) reads them), so it resumes where the
    cluster stands and never repeats a finished step.
  - The steps, in order, are V(control_plane), V(nodegroups), V(self_managed_nodes), V(cluster_autoscaler),
    V(nvidia_device_plugin), V(addons) and V(fargate_redeploy).
  - One JSON document per cluster, kept in a local directory (O(backend=local), the default), an S3 object
    (O(backend=s3)) or a DynamoDB item (O(backend=dynamodb)), so that a laptop and AWX can both keep it.
  - O(state=present) records O(step) as finished toward O(target_version), with O(data). A checkpoint written for
    another target starts over. Update ids accumulate over the runs of one target; recording a step again with the
    same details changes nothing, so the step keeps the run and time it first finished.
  - O(status=started) records a step a failed task left with EKS updates it had started (their ids in
    C(update_ids) of O(data)), so that reports show them; such a step is never skipped, and a step already finished stays
    finished.
  - O(state=absent) deletes the checkpoint, so that every step runs again; a damaged one too (not JSON, not a
    checkpoint, another cluster's, a newer layout), but not a DynamoDB item lifecycle.eks did not write.
  - In check mode nothing is written or deleted; diff mode shows the document before and after.
  - A local checkpoint of a host reached with the local connection (the C(upgrade) playbook's clusters) is written
    by the action plugin of the same name in the controller's worker, without a module process; otherwise the module
    runs. The result is the same either way.
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  state:
    description:
      - V(present) records O(step) as finished; V(absent) deletes the checkpoint.
    type: str
    choices: [present, absent]
    default: present
  target_version:
    description:
      - The Kubernetes version the run upgrades to, quoted (V('1.30')). Required with O(state=present).
    type: str
  run_id:
    description:
      - "The run recording the step, with O(state=present); a rerun prints C(skipped: STEP finished in run RUN_ID at
        TIME)."
    type: str
  step:
    description:
      - The finished step, with O(state=present).
    type: str
    choices: [control_plane, nodegroups, self_managed_nodes, cluster_autoscaler, nvidia_device_plugin, addons,
              fargate_redeploy]
  status:
    description:
      - V(finished) records O(step) as finished; V(started) as started by a task that then failed.
    type: str
    choices: [finished, started]
    default: finished
  data:
    description:
      - Details of the finished step, such as C(version), C(update_ids) (a list of EKS update ids), or the versions
        node groups or add-ons reached. Any JSON object; the keys C(status), C(run_id), C(finished_at) and
        C(started_at) are the module's.
    type: dict
    default: {}
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
    support: full
notes:
  - With O(backend=local), the module fails when the directory cannot be created or written, naming it.
  - One job at a time per cluster, since two jobs recording the same cluster's steps at once overwrite each other. The
    C(upgrade) playbook claims each cluster first (M(lifecycle.eks.eks_checkpoint_claim)), so two AWX slices or two runs
    never work on one cluster together.
seealso:
  - module: lifecycle.eks.eks_checkpoint_info
  - module: lifecycle.eks.eks_cluster_upgrade
"""

EXAMPLES = r"""
- name: Record the finished control plane step (local directory)
  lifecycle.eks.eks_checkpoint:
    cluster: prod-eu
    path: /var/lib/eks-upgrades/checkpoints
    target_version: "1.30"
    run_id: 20260101T120000Z
    step: control_plane
    data:
      version: "1.30"
      update_ids: [8f6a2c1e-5b1d-4c1e-9d7e-1f2a3b4c5d6e]

- name: Record the finished add-on step in S3
  lifecycle.eks.eks_checkpoint:
    cluster: prod-eu
    backend: s3
    bucket: example-eks-upgrades
    target_version: "1.30"
    run_id: 20260101T120000Z
    step: addons
    data:
      addons: {coredns: v1.11.4-eksbuild.22}

- name: Record the node group updates a failed task had started (shown in reports; the step is not skipped)
  lifecycle.eks.eks_checkpoint:
    cluster: prod-eu
    path: /var/lib/eks-upgrades/checkpoints
    target_version: "1.30"
    run_id: 20260101T120000Z
    step: nodegroups
    status: started
    data:
      update_ids: [5e0c7a2d-8f3b-4d6a-b1c9-0a1b2c3d4e5f]

- name: Start prod-eu's steps afresh (DynamoDB)
  lifecycle.eks.eks_checkpoint:
    cluster: prod-eu
    state: absent
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
  description:
    - The checkpoint after the call (the one it would write in check mode), or null after O(state=absent).
  returned: always
  type: dict
  contains:
    schema_version:
      description: Version of the document's layout.
      type: int
    cluster:
      description: The name the checkpoint is kept under (O(cluster)).
      type: str
    target_version:
      description: The target the finished steps were reached for.
      type: str
    run_id:
      description: The last run that recorded a step.
      type: str
    updated_at:
      description: When a step was last recorded (ISO 8601, UTC).
      type: str
    steps:
      description:
        - The recorded steps by name, each with C(status) (V(finished) or V(started)), C(run_id), C(finished_at)
          (C(started_at) for a started step) and the step's O(data).
      type: dict
  sample:
    schema_version: 1
    cluster: prod-eu
    target_version: "1.30"
    run_id: 20260101T120000Z
    updated_at: "2026-01-01T12:20:41Z"
    steps:
      control_plane: {"status": "finished", "run_id": "20260101T120000Z", "finished_at": "2026-01-01T12:20:41Z",
                      "version": "1.30", "update_ids": ["8f6a2c1e-5b1d-4c1e-9d7e-1f2a3b4c5d6e"]}
stands:
  description:
    - Where the cluster stands by the checkpoint after the call, as M(lifecycle.eks.eks_checkpoint_info) returns it
      (C(found), C(for_target), C(target_version), C(finished_steps), C(last_step), C(run_id), C(finished_at),
      C(updated_at), C(started_steps)).
  returned: always
  type: dict
  sample: {"found": true, "for_target": true, "target_version": "1.30", "finished_steps": ["control_plane"],
           "last_step": "control_plane", "run_id": "20260101T120000Z", "finished_at": "2026-01-01T12:20:41Z",
           "updated_at": "2026-01-01T12:20:41Z"}
diff:
  description: The checkpoint before and after (empty when there is none).
  returned: when diff mode is on
  type: dict
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
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_calls import (
    RECORD_REQUIRED_IF,
    record,
    record_argument_spec,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_store import run_with_store


def main():
    # Local checkpoints on the controller are written by the action plugin of the same name, without this process.
    module = EksAWSModule(argument_spec=record_argument_spec(), required_if=RECORD_REQUIRED_IF,
                          supports_check_mode=True)
    run_with_store(module, lambda module, store, name: record(module.params, store, name, module.check_mode,
                                                              module._diff))


if __name__ == "__main__":
    main()
