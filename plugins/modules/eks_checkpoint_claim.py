#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_checkpoint_claim
short_description: Claim a cluster for one job before upgrading it, or release the claim
version_added: 0.1.0
description:
  - Two jobs that meet the same cluster at once (two AWX job slices, two runs launched together) must not both update
    it. Before the C(upgrade) playbook reads a cluster's checkpoint it claims the cluster in the checkpoint store, and
    it releases the claim when the cluster's upgrade ends; the job that loses fails for that cluster, naming the job
    that holds it, and changes nothing.
  - The claim is created with a conditional write, so that of two jobs claiming at once exactly one wins, whatever the
    backend; a local directory (on a volume the jobs share) links a complete file into place, S3 writes with
    C(If-None-Match) V(*), DynamoDB with C(attribute_not_exists).
  - A claim belongs to O(run_id) and O(holder) together. The job holding it may claim again (a rerun of the same job
    resumes), which renews its lease; another job, even of the same run (another slice), may not.
  - A claim is a lease of O(lease) seconds. A killed job's claim expires, and the next job to claim the cluster takes
    it over; before that, rerun the killed job, or claim with O(takeover=true) once no job works on the cluster.
  - An expired claim, or one taken over, is replaced on the condition that it is still the claim read (S3
    C(If-Match) on its ETag, a DynamoDB condition on its content, a lock on the local file), and released on the
    same condition; of two jobs taking one claim over, exactly one wins.
  - In check mode nothing is written or deleted; the result says whether the claim would be won.
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  state:
    description:
      - V(present) claims the cluster for this job; V(absent) releases this job's claim.
    type: str
    choices: [present, absent]
    default: present
  run_id:
    description:
      - The run claiming the cluster (the C(upgrade) playbook's run id).
    type: str
    required: true
  holder:
    description:
      - Which job of the run holds the claim; the C(upgrade) playbook uses the AWX job id (C(awx-job-ID)), or the run id
        outside AWX. Defaults to O(run_id).
    type: str
  target_version:
    description:
      - The version the job upgrades the cluster to, recorded in the claim for the loser's message.
    type: str
  takeover:
    description:
      - Overwrite (O(state=present)) or delete (O(state=absent)) another job's claim. Only once that job no longer runs.
    type: bool
    default: false
  lease:
    description:
      - Seconds the claim holds from now (O(state=present)); the holder renews it by claiming again. Longer than a step
        of the upgrade takes on one cluster (the C(upgrade) playbook renews the claim between the control plane and the
        post-upgrade steps), since another job may take an expired claim over. At least 60.
    type: int
    default: 21600
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
notes:
  - The claim is kept beside the checkpoint, under C(claims/) (C(<path>/claims/<cluster>.json),
    C(<key_prefix>claims/<cluster>.json), or the DynamoDB item whose key is C(claims/<cluster>)).
  - With O(backend=local), jobs on different machines share claims only through a directory they all mount.
seealso:
  - module: lifecycle.eks.eks_checkpoint
  - module: lifecycle.eks.eks_checkpoint_info
"""

EXAMPLES = r"""
- name: Claim prod-eu for this AWX job (S3)
  lifecycle.eks.eks_checkpoint_claim:
    cluster: prod-eu
    backend: s3
    bucket: example-eks-upgrades
    run_id: awx-412
    holder: awx-job-413
    target_version: "1.30"
    lease: 14400

- name: Release the claim when the cluster's upgrade ends
  lifecycle.eks.eks_checkpoint_claim:
    cluster: prod-eu
    backend: s3
    bucket: example-eks-upgrades
    run_id: awx-412
    holder: awx-job-413
    state: absent
"""

RETURN = r"""
location:
  description: Where the claim is kept (a file path, C(s3://BUCKET/KEY) or C(dynamodb://TABLE/claims/CLUSTER)).
  returned: always
  type: str
  sample: /srv/eks/checkpoints/claims/prod-eu.json
claim:
  description:
    - The claim after the call (C(cluster), C(run_id), C(holder), C(target_version), C(claimed_at), C(expires_at)),
      null after a release. When the claim is lost, the winner's claim.
  returned: always
  type: dict
  sample: {"schema_version": 1, "cluster": "prod-eu", "run_id": "awx-412", "holder": "awx-job-413",
           "target_version": "1.30", "claimed_at": "2026-01-01T12:00:00Z", "expires_at": "2026-01-01T18:00:00Z"}
taken_over:
  description: The claim of another job this call replaced or deleted (expired, or O(takeover=true)), or null.
  returned: always
  type: dict
renewed:
  description: Whether this job already held the claim and renewed its lease.
  returned: always
  type: bool
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
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_calls import claim, claim_argument_spec
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_store import STORE_REQUIRED_IF, run_with_store


def main():
    # Local claims on the controller are taken by the action plugin of the same name, without this process.
    module = EksAWSModule(argument_spec=claim_argument_spec(), required_if=STORE_REQUIRED_IF, supports_check_mode=True)
    run_with_store(module, lambda module, store, name: claim(module.params, store, name, module.check_mode,
                                                             module.warn))


if __name__ == "__main__":
    main()
