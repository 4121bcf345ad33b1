#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_wave
short_description: Run one step of many EKS clusters in one call, each cluster as the step's module would run alone
version_added: 0.2.0
description:
  - Runs O(module) for every cluster of O(clusters), in one process and concurrently, exactly as the module would
    run for each cluster alone (the same options, checked the same way, the same calls, waits and result). Meant for
    a playbook's wave of clusters, with C(run_once); each host then takes its own entry (the
    P(lifecycle.eks.wave_entry#filter) filter) and reports it (changed, failed, warnings, diff) as the module's own
    task would have, with M(lifecycle.eks.eks_wave_result) or with the module's own task and its C(wave_result)
    option (M(lifecycle.eks.eks_cluster_upgrade), M(lifecycle.eks.eks_nodegroup_upgrade),
    M(lifecycle.eks.eks_version_skew_facts)). C(playbooks/upgrade.yml) runs its control-plane and node group steps
    and the read after them so, and the C(lifecycle.eks.post_upgrade) role its Cluster Autoscaler and add-on steps
    (C(post_upgrade_wave_steps)).
  - One process for the wave instead of one per cluster saves a module process's start (about a second of CPU) and
    its memory (about 90 MiB) per cluster, and the clusters' waits on their updates overlap in it. Each cluster keeps
    its own budget of C(DescribeUpdate) polls (6 in any window of twice the longest wait delay), its own API call
    counts and its own warnings.
  - A cluster whose options are wrong, whose region is unknown or whose run fails gets C(failed) and C(msg) in its
    entry, with the updates it had started; the other clusters run all the same. The module itself fails only when
    its own options are wrong.
  - Check mode and diff mode apply to every cluster as they would to the module alone.
  - Facts a module returns (C(ansible_facts), such as M(lifecycle.eks.eks_version_skew_facts)'s C(eks_version_skew))
    stay in the cluster's entry; M(lifecycle.eks.eks_wave_result) sets them on the cluster's host, as the module's
    own task would have. This module sets no fact.
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  module:
    description:
      - The step to run for each cluster, by its module's name.
    type: str
    required: true
    choices: [eks_addon_update, eks_cluster_autoscaler_release, eks_cluster_upgrade, eks_nodegroup_upgrade,
              eks_version_skew_facts, eks_workload_image]
  clusters:
    description:
      - One entry per cluster, each with the options O(module) takes for one cluster (for
        M(lifecycle.eks.eks_cluster_upgrade), C(cluster_name), C(target_version), C(plan)...; for
        M(lifecycle.eks.eks_nodegroup_upgrade), C(cluster_name), C(wait_poll_history)...), plus C(name) and,
        optionally, C(region).
      - C(name) is the key of the cluster's entry in RV(clusters), for instance its inventory host name. Unique.
      - C(region) is the cluster's AWS region when it is not O(region). The other AWS connection options (profile,
        credentials, endpoint) are this module's, for every cluster.
      - Options marked C(no_log) in O(module) (Kubernetes tokens and passwords) are hidden in this module's result
        as they would be in the module's.
    type: list
    elements: dict
    required: true
  max_concurrent_clusters:
    description:
      - How many clusters run at the same time. Each waits on its updates in a thread; above this number, the others
        wait for a place, so their updates start later.
    type: int
    default: 256
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - lifecycle.eks.attributes
  - lifecycle.eks.wave
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
notes:
  - In the action group C(group/lifecycle.eks.aws) (its AWS options are every cluster's defaults), not in
    C(group/lifecycle.eks.k8s), since Kubernetes connection options belong to one cluster; give each cluster its own
    in O(clusters). The E(K8S_AUTH_*) environment variables apply to every cluster without one.
seealso:
  - module: lifecycle.eks.eks_wave_result
  - module: lifecycle.eks.eks_cluster_upgrade
  - module: lifecycle.eks.eks_nodegroup_upgrade
  - module: lifecycle.eks.eks_version_skew_facts
  - module: lifecycle.eks.eks_cluster_autoscaler_release
  - module: lifecycle.eks.eks_workload_image
  - module: lifecycle.eks.eks_addon_update
  - module: lifecycle.eks.eks_fleet_preflight
"""

EXAMPLES = r"""
- name: Upgrade the control planes of the wave in one call
  lifecycle.eks.eks_wave:
    module: eks_cluster_upgrade
    region: eu-west-1
    clusters: "{{ ansible_play_batch | map('extract', hostvars) | map('lifecycle.eks.control_plane_request') | select | list }}"
    # Each host reads its own entry, rather than each carrying the whole wave.
    store_entries: true
  run_once: true
  register: wave_control_plane

- name: Report each cluster's upgrade as its own task would have
  lifecycle.eks.eks_wave_result:
    result: "{{ wave_control_plane | lifecycle.eks.wave_entry(inventory_hostname) }}"
  register: control_plane

- name: Or run the step's own task, which reports the wave's entry when there is one and runs the module otherwise
  lifecycle.eks.eks_cluster_upgrade:
    cluster_name: "{{ inventory_hostname }}"
    target_version: "1.31"
    wave_result: "{{ wave_control_plane | lifecycle.eks.wave_entry(inventory_hostname) }}"
  register: control_plane

- name: Two clusters by hand, one in another region
  lifecycle.eks.eks_wave:
    module: eks_cluster_upgrade
    region: eu-west-1
    clusters:
      - name: prod-eu
        target_version: "1.31"
      - name: prod-us
        region: us-east-1
        cluster_name: prod
        target_version: "1.31"
        upgrade_nodegroups: true
  run_once: true
"""

RETURN = r"""
clusters:
  description:
    - The result of O(module) for each cluster, by C(name), as the module would have returned it alone (its RETURN
      values), plus C(wave_module), the module's name.
    - A cluster that failed has C(failed=true) and C(msg), and what it had done (C(updates)) when it got that far.
    - C(warnings), when the run warned.
  returned: unless O(store_entries)
  type: dict
  sample:
    prod-eu:
      changed: true
      version_before: "1.30"
      version_after: "1.31"
      wave_module: eks_cluster_upgrade
stored_entries:
  description:
    - Where the entries of the clusters are kept (O(store_entries)), for the P(lifecycle.eks.wave_entry#filter) filter.
  returned: when O(store_entries)
  type: dict
  contains:
    path:
      description: The directory of the entries, one file per cluster, removed when the run ends.
      type: str
    count:
      description: How many entries it holds.
      type: int
  sample: {path: /root/.ansible/tmp/ansible-local-4242xyz/lifecycle-eks-wave-abc123, count: 2}
summary:
  description: How many clusters ran, and which failed and which changed.
  returned: always
  type: dict
  contains:
    clusters:
      description: The number of clusters.
      type: int
    failed:
      description: The clusters that failed, by C(name).
      type: list
      elements: str
    changed:
      description: The clusters the step changed, by C(name).
      type: list
      elements: str
  sample: {clusters: 2, failed: [], changed: [prod-eu]}
api_calls:
  description: AWS API calls of every cluster, in all.
  returned: always
  type: int
api_retries:
  description: Retries after throttling or server errors, in all.
  returned: always
  type: int
"""

from ansible_collections.lifecycle.eks.plugins.module_utils.aws import EksAWSModule
from ansible_collections.lifecycle.eks.plugins.module_utils.kube import require_kubernetes
from ansible_collections.lifecycle.eks.plugins.module_utils.wave import STEPS, run_wave


def main():
    module = EksAWSModule(argument_spec=dict(
        module=dict(type="str", required=True, choices=sorted(STEPS)),
        clusters=dict(type="list", elements="dict", required=True),
        max_concurrent_clusters=dict(type="int", default=256),
        store_entries=dict(type="bool", default=False),  # the action keeps them (plugin_utils/wave_action.py)
    ), supports_check_mode=True)
    if STEPS[module.params["module"]][2]:
        require_kubernetes(module)
    params = module.params
    names = [entry.get("name") for entry in params["clusters"]]
    if not all(isinstance(name, str) and name for name in names):
        module.fail_json(msg="Every clusters[] entry needs a name (a non-empty string): the key of its result.")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        module.fail_json(msg="clusters[].name must be unique; repeated: %s." % ", ".join(duplicates))
    if params["max_concurrent_clusters"] < 1:
        module.fail_json(msg="max_concurrent_clusters must be 1 or more; got %d." % params["max_concurrent_clusters"])

    results = run_wave(module, params["module"], params["clusters"], params["max_concurrent_clusters"])
    module.exit_json(
        changed=any(result.get("changed") for result in results.values()),
        clusters=results,
        summary={"clusters": len(names), "failed": [name for name in names if results[name].get("failed")],
                 "changed": [name for name in names if results[name].get("changed")]},
        api_calls=sum(result.get("api_calls", 0) for result in results.values()),
        api_retries=sum(result.get("api_retries", 0) for result in results.values()))


if __name__ == "__main__":
    main()
