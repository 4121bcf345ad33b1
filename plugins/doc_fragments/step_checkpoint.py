# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's plugin boilerplate (coding, __future__, __metaclass__)
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    # The step modules that record their own finished step (module_utils/step_checkpoint.py).
    DOCUMENTATION = r"""
options:
  checkpoint:
    description:
      - Record the finished step in the cluster's checkpoint (docs/checkpoints.md), as M(lifecycle.eks.eks_checkpoint)
        would with these settings, once the module ends well (no task after it is needed). Run for a whole wave by
        M(lifecycle.eks.eks_wave), the wave's records are written there, concurrently, in its one process.
      - The step is recorded only when it finished; what it records is in RV(checkpoint_recorded).
      - A record that cannot be written fails the module, with what the step did as its result, so the next run
        repeats the step rather than trusting it finished.
      - Nothing is written in check mode. Without it, nothing is recorded.
      - With O(checkpoint.backend=local) the module writes the directory of the host it runs on, as
        M(lifecycle.eks.eks_checkpoint) does (the controller, with the local connection of the C(upgrade) playbook).
    type: dict
    suboptions:
      cluster:
        description: The name the checkpoint is kept under (O(lifecycle.eks.eks_checkpoint#module:cluster)).
        type: str
        required: true
      run_id:
        description: The run recording the step (O(lifecycle.eks.eks_checkpoint#module:run_id)).
        type: str
        required: true
      target_version:
        description: The run's target version (O(lifecycle.eks.eks_checkpoint#module:target_version)).
        type: str
        required: true
      backend:
        description: Where checkpoints are kept (O(lifecycle.eks.eks_checkpoint#module:backend)).
        type: str
        choices: [local, s3, dynamodb]
        default: local
      path:
        description: The directory of the checkpoints, with O(checkpoint.backend=local).
        type: path
      bucket:
        description: The S3 bucket, with O(checkpoint.backend=s3).
        type: str
      key_prefix:
        description:
          - The prefix of the checkpoint objects, with O(checkpoint.backend=s3); V(lifecycle-eks/checkpoints/) when
            not set or empty.
        type: str
      table:
        description: The DynamoDB table, with O(checkpoint.backend=dynamodb).
        type: str
      region:
        description: The region of the bucket or the table; the cluster's (O(region)) when not set or empty.
        type: str
"""
