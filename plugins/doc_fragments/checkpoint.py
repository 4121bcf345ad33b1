# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's plugin boilerplate (coding, __future__, __metaclass__)
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # Where a checkpoint is kept: the options of eks_checkpoint and eks_checkpoint_info
    # (checkpoint_store.store_argument_spec()).
    DOCUMENTATION = r"""
options:
  cluster:
    description:
      - The name the checkpoint is kept under, one per cluster. The C(upgrade) playbook uses the inventory host name,
        as its reports do, so two clusters of the same name in different regions keep separate checkpoints.
      - 1 to 200 letters, digits, V(.), V(_) or V(-), starting with a letter or a digit.
    type: str
    required: true
  backend:
    description:
      - Where checkpoints are kept.
      - V(local) keeps C(<path>/<cluster>.json), replaced atomically (a temporary file renamed over it).
      - V(s3) keeps the object C(<key_prefix><cluster>.json) of O(bucket).
      - V(dynamodb) keeps an item of O(table), whose partition key is the string attribute C(cluster) (no sort key);
        the document is the JSON text of its attribute C(checkpoint).
      - With V(s3) and V(dynamodb) the AWS options apply to S3 or DynamoDB, and O(region) is the region of the bucket
        or the table; E(AWS_ENDPOINT_URL_S3) and E(AWS_ENDPOINT_URL_DYNAMODB) are honoured. With V(local) neither
        boto3 nor AWS credentials are needed.
    type: str
    choices: [local, s3, dynamodb]
    default: local
  path:
    description:
      - The directory of the checkpoints, with O(backend=local); created when the first step is recorded.
      - Ignored by the other backends.
    type: path
  bucket:
    description:
      - The S3 bucket, with O(backend=s3). Ignored by the other backends.
    type: str
  key_prefix:
    description:
      - The prefix of the checkpoint objects in O(bucket), with O(backend=s3); a V(/) is added when it lacks one.
    type: str
    default: lifecycle-eks/checkpoints/
  table:
    description:
      - The DynamoDB table, with O(backend=dynamodb). Ignored by the other backends.
    type: str
notes:
  - The checkpoint document is C({schema_version, cluster, target_version, run_id, updated_at, steps}); each finished
    step (V(control_plane), V(nodegroups), V(cluster_autoscaler), V(nvidia_device_plugin), V(addons)) has C(status)
    V(finished), C(run_id), C(finished_at) and the details recorded with it. C(docs/checkpoints.md) of the collection
    explains how the C(upgrade) playbook uses checkpoints and how AWX keeps them.
  - O(backend=s3) needs C(s3:GetObject), C(s3:PutObject) and C(s3:DeleteObject) on the prefix, and C(s3:ListBucket)
    on the bucket (without it S3 answers C(AccessDenied) instead of C(NoSuchKey) for a cluster without checkpoint).
    O(backend=dynamodb) needs C(dynamodb:GetItem), C(dynamodb:PutItem) and C(dynamodb:DeleteItem) on the table.
    See C(docs/iam-policy-checkpoints-s3.json) and C(docs/iam-policy-checkpoints-dynamodb.json).
"""
