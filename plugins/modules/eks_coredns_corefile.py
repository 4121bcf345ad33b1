#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_coredns_corefile
short_description: Remove the discontinued upstream line from the CoreDNS Corefile of an EKS cluster
version_added: 0.1.0
description:
  - Step 3 of AWS's I(Updating an Amazon EKS cluster Kubernetes version) procedure, for clusters first deployed
    before Kubernetes 1.18. The module removes a line of the C(coredns) ConfigMap in C(kube-system) that holds only
    the word C(upstream), and changes nothing else in the file.
  - The line is found whatever its indentation (spaces or tabs), trailing blanks or comment, line end (LF, CRLF, or
    none when it ends the Corefile). An C(upstream) line with addresses goes too. CoreDNS ignores them since 1.5 and
    refuses the option in any form since 1.7, and CoreDNS's own Corefile migration drops it the same way.
  - Idempotent. Diff mode shows the Corefile before and after; check mode changes nothing.
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  state:
    description:
      - V(absent) removes the C(upstream) line; V(check) only reports whether it is there.
    type: str
    choices: [absent, check]
    default: absent
extends_documentation_fragment:
  - lifecycle.eks.cluster
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
    support: full
"""

EXAMPLES = r"""
- name: Remove the upstream line from CoreDNS
  lifecycle.eks.eks_coredns_corefile:
    cluster_name: legacy
  diff: true
"""

RETURN = r"""
had_upstream:
  description: Whether the Corefile had the C(upstream) line.
  returned: always
  type: bool
  sample: true
corefile:
  description: The Corefile after the change (the planned one in check mode).
  returned: always
  type: str
"""

from ansible_collections.lifecycle.eks.plugins.module_utils.coredns_corefile import fix_corefile
from ansible_collections.lifecycle.eks.plugins.module_utils.runner import eks_module, run


def remove_upstream(module, clients):
    return fix_corefile(module.params, clients, module.params["state"] == "absent", module.check_mode, module._diff)


def main():
    module = eks_module(dict(state=dict(type="str", choices=["absent", "check"], default="absent")))
    run(module, remove_upstream)


if __name__ == "__main__":
    main()
