#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_fleet_preflight
short_description: Run the preflight checks of many EKS clusters in one call
version_added: 0.2.0
description:
  - Runs, for every cluster of O(clusters), exactly what M(lifecycle.eks.eks_upgrade_preflight) runs for one, in one
    process and concurrently. Meant for a playbook's wave of clusters, with C(run_once); each host then picks its
    own entry of C(clusters) (C(playbooks/upgrade.yml) does so).
  - One module process for the wave instead of one per cluster saves the start-up of a module process (about a
    second of CPU) per cluster, and the reads the clusters of a region have in common are made once or batched
    (C(DescribeClusterVersions) once, the subnets and cluster security groups of all clusters in two filtered
    calls, C(DescribeAddonVersions) once per add-on name of the clusters whose add-ons check C(addon-compatibility)
    judges).
  - A cluster that cannot be read, or whose options are wrong, gets C(failed) and C(msg) in its entry; the other
    clusters are checked all the same. The module itself fails only when its own options are wrong.
  - Changes nothing in the clusters (an insights refresh only re-evaluates the insights); in check mode it sends no
    mutating call at all.
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  clusters:
    description:
      - The clusters to check, each with the options M(lifecycle.eks.eks_upgrade_preflight) takes for one cluster.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - The key of this cluster's entry in the C(clusters) returned, for instance the inventory host name. Unique.
        type: str
        required: true
      cluster_name:
        description:
          - The EKS cluster name. Defaults to O(clusters[].name).
        type: str
      target_version:
        description:
          - The Kubernetes version the cluster is to reach, V(MAJOR.MINOR), quoted in YAML (V('1.30')).
        type: str
        required: true
      upgrade_nodegroups:
        description:
          - Whether the upgrade will update managed node groups between hops; node groups behind then warn.
        type: bool
        default: false
      fix_coredns_upstream:
        description:
          - Whether the upgrade will remove the CoreDNS C(upstream) line; its presence then warns.
        type: bool
        default: false
      nodegroup_launch_templates:
        description:
          - The launch template versions the upgrade will send, per node group, as
            O(lifecycle.eks.eks_upgrade_preflight#module:nodegroup_launch_templates) takes them.
        type: dict
        default: {}
      skip_checks:
        description:
          - Check ids not to run. Each skip is recorded as status V(skipped).
        type: list
        elements: str
        default: []
      insights_max_age:
        description:
          - How old upgrade insights may be before they are refreshed (outside check mode), as V(24h), V(90m), V(2d).
        type: str
        default: 24h
      control_plane_hourly_rates:
        description:
          - US dollars per cluster hour in standard and extended support (C(standard), C(extended)), as
            O(lifecycle.eks.eks_upgrade_preflight#module:control_plane_hourly_rates) takes them; AWS's V(0.10) and
            V(0.60) by default.
        type: dict
        default: {}
      compatibility_table_max_age:
        description:
          - How old a compatibility table shipped with the collection (the CNI releases for EKS Hybrid Nodes, the
            controller tables) may be on O(today) before its check warns, as V(180d), V(90d).
        type: str
        default: 180d
      region:
        description:
          - The cluster's AWS region, when it is not O(region).
        type: str
      kubeconfig:
        description:
          - The kubeconfig to reach the cluster's Kubernetes API. When neither this nor O(clusters[].context) is
            set, nor a kubernetes.core E(K8S_AUTH_*) variable that names a cluster (E(K8S_AUTH_KUBECONFIG),
            E(K8S_AUTH_CONTEXT), E(K8S_AUTH_HOST)...), the module authenticates to EKS itself (endpoint, CA and a
            token signed for the cluster).
        type: path
      context:
        description:
          - The kubeconfig context of the cluster.
        type: str
      kube_retry_timeout:
        description:
          - How long, in seconds, this cluster's Kubernetes API is retried after it stops answering (connection
            errors, 429 and 5xx answers), as O(lifecycle.eks.eks_upgrade_preflight#module:kube_retry_timeout).
            Each cluster has its own budget, so one whose API is down fails in this time and the others go on.
          - When unset, the E(LIFECYCLE_EKS_KUBE_RETRY_TIMEOUT) environment variable is used.
        type: int
        default: 300
  max_concurrent_clusters:
    description:
      - How many clusters are read at the same time. Each cluster's own reads are concurrent as well.
    type: int
    default: 16
  read_addon_catalog:
    description:
      - Also read the add-on catalog (C(DescribeAddonVersions)) of each cluster's installed add-ons and of V(vpc-cni),
        V(coredns) and V(kube-proxy) when check C(addon-compatibility) does not need it (no hop pending, or EKS's add-on
        compatibility insight vouches for a one-hop path), once per region and add-on name, and return it in the
        cluster's C(addon_catalog).
      - For the add-on step after the upgrade, M(lifecycle.eks.eks_addon_update) takes it as its
        O(lifecycle.eks.eks_addon_update#module:addon_catalog) instead of looking each add-on up again on each cluster.
        C(playbooks/upgrade.yml) sets it.
      - Nothing is read for a cluster whose checks skip C(addon-compatibility).
    type: bool
    default: false
extends_documentation_fragment:
  - lifecycle.eks.preflight
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - lifecycle.eks.attributes
  - lifecycle.eks.wave
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
notes:
  - In the action group C(group/lifecycle.eks.aws) (its AWS options are every cluster's defaults), not in
    C(group/lifecycle.eks.k8s) on purpose, since Kubernetes connection options (kubeconfig, context) belong to one
    cluster. Give each cluster its own in O(clusters). The E(K8S_AUTH_*) environment variables apply to every
    cluster without one.
"""

EXAMPLES = r"""
- name: Preflight the whole wave in one call
  lifecycle.eks.eks_fleet_preflight:
    region: eu-west-1
    clusters: "{{ ansible_play_batch | map('extract', hostvars, 'eks_preflight_request') | list }}"
  run_once: true
  register: fleet_preflight

- name: Stop a cluster its checks block
  ansible.builtin.fail:
    msg: "{{ fleet_preflight.clusters[inventory_hostname].summary.failed_checks }}"
  when: fleet_preflight.clusters[inventory_hostname].summary.blocked | default(false)

- name: Two clusters in different regions, with kubeconfigs
  lifecycle.eks.eks_fleet_preflight:
    region: eu-west-1
    clusters:
      - name: prod-eu
        target_version: "1.30"
        kubeconfig: ~/.kube/prod-eu.yaml
      - name: prod-us
        target_version: "1.30"
        region: us-east-1
        kubeconfig: ~/.kube/prod-us.yaml
  register: fleet_preflight
"""

RETURN = r"""
clusters:
  description:
    - One entry per cluster, under its O(clusters[].name), with what M(lifecycle.eks.eks_upgrade_preflight) returns
      (C(checks), C(summary), C(plan), C(cluster), C(insights), C(configuration_insights),
      C(rollback_insights), C(insights_freshness), C(deprecated_apis), C(addon_compatibility), C(addon_catalog),
      C(node_provisioners), C(hybrid_nodes), C(controllers), C(support), C(target_support), C(ansible_facts),
      C(api_calls), C(api_retries)) and its C(warnings).
    - A cluster that could not be checked has C(failed=true) and C(msg) instead.
  returned: unless O(store_entries)
  type: dict
  sample:
    prod-eu:
      changed: false
      checks: [{"id": "subnet-free-ips", "status": "pass", "message": "...", "remediation": "...", "step": "..."}]
      summary: {"counts": {"pass": 18, "warn": 1, "fail": 0, "skipped": 0}, "blocked": false, "failed_checks": []}
      warnings: []
      api_calls: 8
      api_retries: 0
    prod-us:
      failed: true
      msg: "Failed to describe cluster prod-us: ResourceNotFoundException: No cluster found for name: prod-us."
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
  description: The clusters checked, those blocked by a failed check, and those that could not be checked.
  returned: always
  type: dict
  sample: {"clusters": 2, "blocked": ["prod-eu"], "failed": ["prod-us"]}
shared_api_calls:
  description:
    - AWS API calls made once for several clusters (C(DescribeClusterVersions), subnets, security groups, the add-on
      catalog).
  returned: always
  type: int
api_calls:
  description: AWS API calls made in all, shared ones included.
  returned: always
  type: int
api_retries:
  description: Retries after throttling or server errors, in all.
  returned: always
  type: int
"""

import concurrent.futures
import contextlib

from ansible_collections.lifecycle.eks.plugins.module_utils.aws import Clients, EksAWSModule
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError, kube_argument_spec
from ansible_collections.lifecycle.eks.plugins.module_utils.gather import RegionReads
from ansible_collections.lifecycle.eks.plugins.module_utils.kube import require_kubernetes
from ansible_collections.lifecycle.eks.plugins.module_utils.preflight import (
    call_argument_spec,
    cluster_argument_spec,
    kubectl_client_version,
    plan_inputs,
    preflight_cluster,
    validate_call_options,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.runner import failed_result
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import VersionError

CLUSTER_OPTIONS = dict(
    name=dict(type="str", required=True),
    cluster_name=dict(type="str"),
    region=dict(type="str"),
    kubeconfig=dict(type="path"),
    context=dict(type="str"),
    kube_retry_timeout=kube_argument_spec()["kube_retry_timeout"],
    **cluster_argument_spec()
)
SHARED_OPTIONS = ("insights_refresh_timeout", "wait_delay", "wait_max_delay", "today")


def cluster_params(spec, params):
    """The options eks_upgrade_preflight would get for this cluster."""
    merged = dict(spec, cluster_name=spec["cluster_name"] or spec["name"])
    merged.update((key, params[key]) for key in SHARED_OPTIONS)
    return merged


def failure(exc, clients=None):
    """A cluster's entry when it could not be checked: what eks_upgrade_preflight would fail with."""
    return dict(failed_result(exc, clients), failed=True)


class Region:
    """The clusters of one region: their Clients (each counting its own calls) and the reads they share."""

    def __init__(self, module, region):
        self.clients = Clients(module, region=region)
        self.shared = RegionReads(self.clients, addon_step=module.params["read_addon_catalog"])


def check_region(region, members, kubectl_client, workers):
    """Results of one region's clusters: ``members`` maps name -> (params, inputs)."""
    own = {name: region.clients.counting_apart() for name in members}
    results = {}

    def describe(name):
        try:
            return name, own[name].describe_cluster(members[name][0]["cluster_name"])
        except ModuleError as exc:
            results[name] = failure(exc, own[name])
            return name, None

    def check(name, cluster):
        params, inputs = members[name]
        try:
            result, warnings = preflight_cluster(own[name], params, inputs, kubectl_client, shared=region.shared,
                                                 cluster=cluster)
        except (ModuleError, VersionError) as exc:
            return name, failure(exc, own[name])
        result["warnings"] = warnings
        result.update(own[name].stats.as_dict())
        return name, result

    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        described = {name: cluster for name, cluster in pool.map(describe, sorted(members)) if cluster}
        if described:
            # When the batch fails, each cluster reads its own subnets and group (and reports the error if it recurs).
            with contextlib.suppress(ModuleError):
                region.shared.prefetch(list(described.values()))
            results.update(pool.map(lambda name: check(name, described[name]), sorted(described)))
    return results


def main():
    spec = dict(
        clusters=dict(type="list", elements="dict", required=True, options=CLUSTER_OPTIONS),
        max_concurrent_clusters=dict(type="int", default=16),
        read_addon_catalog=dict(type="bool", default=False),
        store_entries=dict(type="bool", default=False),  # the action keeps them (plugin_utils/wave_action.py)
        **call_argument_spec()
    )
    module = EksAWSModule(argument_spec=spec, supports_check_mode=True)
    require_kubernetes(module)
    params = module.params

    names = [c["name"] for c in params["clusters"]]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        module.fail_json(msg="clusters[].name must be unique; repeated: %s." % ", ".join(duplicates))
    if params["max_concurrent_clusters"] < 1:
        module.fail_json(msg="max_concurrent_clusters must be 1 or more; got %d." % params["max_concurrent_clusters"])
    try:
        validate_call_options(params)
    except ModuleError as exc:
        module.fail_json(msg=str(exc))

    results = {}
    by_region = {}
    for entry in params["clusters"]:
        merged = cluster_params(entry, params)
        try:
            inputs = plan_inputs(merged, module.check_mode)
        except (ModuleError, VersionError) as exc:
            results[entry["name"]] = failure(exc)
            continue
        by_region.setdefault(entry["region"] or params["region"], {})[entry["name"]] = (merged, inputs)

    kubectl_client = kubectl_client_version(module, params["kubectl_path"]) if by_region else None
    shared_calls = {"api_calls": 0, "api_retries": 0}
    for region_name, members in sorted(by_region.items(), key=lambda item: item[0] or ""):
        try:
            region = Region(module, region_name)
        except ModuleError as exc:
            results.update((name, failure(exc)) for name in members)
            continue
        results.update(check_region(region, members, kubectl_client,
                                    params["max_concurrent_clusters"]))
        for key, value in region.clients.stats.as_dict().items():
            shared_calls[key] = shared_calls.get(key, 0) + value

    for name in names:
        for warning in results[name].get("warnings") or []:
            module.warn("%s: %s" % (name, warning))
    summary = {"clusters": len(names),
               "blocked": [n for n in names if (results[n].get("summary") or {}).get("blocked")],
               "failed": [n for n in names if results[n].get("failed")]}
    module.exit_json(changed=False, clusters=results, summary=summary, shared_api_calls=shared_calls["api_calls"],
                     api_calls=shared_calls["api_calls"] + sum(r.get("api_calls", 0) for r in results.values()),
                     api_retries=shared_calls["api_retries"] + sum(r.get("api_retries", 0) for r in results.values()))


if __name__ == "__main__":
    main()
