#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_addon_update
short_description: Update EKS add-ons to versions compatible with the cluster's Kubernetes version
version_added: 0.1.0
description:
  - Step 8 of AWS's I(Updating an Amazon EKS cluster Kubernetes version) procedure. The module updates the Amazon VPC
    CNI, CoreDNS, kube-proxy and any other EKS add-on to a version compatible with the control plane.
  - For each add-on it picks the target version from C(DescribeAddonVersions) for the cluster's version. That is the
    version EKS marks default, the newest one, or an explicit version checked for compatibility.
  - With O(addon_catalog) (the add-on catalog a preflight read once for the region), the add-ons it has are not
    looked up again; only the others are (one C(DescribeAddonVersions) each).
  - Updates with the chosen O(resolve_conflicts) (V(PRESERVE) unless told otherwise). The add-on's configuration
    values and service account role, read with C(DescribeAddon), are sent again with every C(UpdateAddon) so that the
    update keeps them; values given in O(addons) replace them. The module waits for each update and reports what
    changed (version, configuration values, service account role) before and after, also in diff mode.
  - The VPC CNI is moved one minor version at a time, as AWS requires. Add-ons are never downgraded.
  - An add-on update already in progress (a step a run without waiting started, or another operator's) is waited
    for first, and the steps after it start from the version it sets.
  - Add-ons that run self-managed (not as EKS add-ons) are reported with the version AWS recommends, not skipped
    silently.
  - Every add-on is validated before any update starts. An unknown add-on or an incompatible version fails the task
    and changes nothing. Check mode sends no mutating call.
  - Only versions EKS supports on the cluster's minor are sent (C(DescribeAddonVersions) compatibilities), since EKS
    refuses any other (C(Addon version specified is not supported)). A version only a later minor supports, such as
    one for the minor the control plane has not reached yet, is refused naming the minors it supports and when it can
    be applied. So is an update of an add-on's settings alone while it runs a version the cluster's minor does not
    support (after a control-plane rollback, say), since that update is sent at the version it runs.
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  addons:
    description:
      - The add-ons to update. Every EKS add-on installed on the cluster plus V(vpc-cni), V(coredns) and V(kube-proxy)
        when unset.
    type: list
    elements: dict
    suboptions:
      name:
        description: Add-on name, for example V(vpc-cni).
        type: str
        required: true
      version:
        description:
          - V(default), V(latest) or an explicit add-on version such as V(v1.18.5-eksbuild.1).
          - Defaults to O(version).
        type: str
      configuration_values:
        description:
          - The add-on's whole new configuration, a JSON or YAML mapping as a string (V('{}') for none).
          - When unset, the configuration the add-on has is sent again unchanged.
        type: str
      service_account_role_arn:
        description:
          - New IAM role ARN for the add-on's service account.
          - When unset, the role the add-on has is sent again unchanged.
        type: str
  version:
    description:
      - Version policy for add-ons that do not name one. V(default) is the version EKS marks default for the cluster's
        Kubernetes version. V(latest) is the newest compatible one.
    type: str
    choices: [default, latest]
    default: default
  cluster_version:
    description:
      - Choose versions for this Kubernetes version instead of the cluster's current one.
      - For planning in check mode, before the control plane has moved. A real run refuses a version other than the
        cluster's, since EKS only accepts add-on versions compatible with the running control plane.
    type: str
  addon_catalog:
    description:
      - The add-on catalog to choose versions from, instead of one C(DescribeAddonVersions) per add-on. Per add-on
        name, C(versions) (every version of the add-on, each with the Kubernetes minors it is compatible with) and
        C(defaults) (per minor, the version EKS marks default there).
      - The C(addon_catalog) that M(lifecycle.eks.eks_fleet_preflight) returns for the cluster (with
        O(lifecycle.eks.eks_fleet_preflight#module:read_addon_catalog)), or M(lifecycle.eks.eks_upgrade_preflight);
        C(playbooks/upgrade.yml) passes the one its preflight read. It is as EKS listed it then; versions published
        since are not seen.
      - An add-on it does not have is looked up with C(DescribeAddonVersions), as without it. An add-on whose entry
        has no version is unknown to Amazon EKS.
    type: dict
  resolve_conflicts:
    description:
      - How EKS treats fields changed in the cluster since the add-on was installed.
      - V(PRESERVE) keeps your changes; V(OVERWRITE) replaces them with EKS's; V(NONE) fails on conflicts.
    type: str
    choices: [PRESERVE, OVERWRITE, NONE]
    default: PRESERVE
  wait:
    description:
      - Wait for each update to reach ACTIVE.
      - With V(false) the module starts the next step of each add-on only and returns its update id, since EKS refuses
        an update of an add-on while another one runs. RV(addons[].remaining_steps) lists the steps left; rerun the
        task once the update ended to start the next one (a rerun while it runs reports it and starts nothing).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for each add-on update.
    type: int
    default: 1200
extends_documentation_fragment:
  - lifecycle.eks.cluster
  - lifecycle.eks.step_checkpoint
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - lifecycle.eks.wait
  - lifecycle.eks.attributes
  - lifecycle.eks.wave_result
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
"""

EXAMPLES = r"""
- name: Update every installed EKS add-on to its default version
  lifecycle.eks.eks_addon_update:
    cluster_name: prod-eu

- name: Pin CoreDNS, take the newest VPC CNI, overwrite conflicting fields
  lifecycle.eks.eks_addon_update:
    cluster_name: prod-eu
    addons:
      - name: coredns
        version: v1.11.4-eksbuild.22
      - name: vpc-cni
        version: latest
    resolve_conflicts: OVERWRITE

- name: Choose the versions from the catalog the wave's preflight read for the region (no DescribeAddonVersions)
  lifecycle.eks.eks_addon_update:
    cluster_name: prod-eu
    addon_catalog: "{{ fleet_preflight.clusters['prod-eu'].addon_catalog }}"

- name: Give CoreDNS three replicas; its service account role and the rest are kept
  lifecycle.eks.eks_addon_update:
    cluster_name: prod-eu
    addons:
      - name: coredns
        configuration_values: '{"replicaCount": 3}'
  diff: true
"""

RETURN = r"""
checkpoint_recorded:
  description:
    - The record the module wrote in the checkpoint (O(checkpoint)), once every managed add-on reached its version;
      null without O(checkpoint), in check mode, or when the step did not finish.
  returned: always
  type: dict
  contains:
    step:
      description: The step recorded.
      type: str
    location:
      description: Where the checkpoint is kept.
      type: str
    changed:
      description: Whether the record changed the checkpoint (false when this run had recorded the same already).
      type: bool
addons:
  description: One entry per add-on.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Add-on name.
      type: str
    managed:
      description: Whether it is an EKS add-on. Self-managed ones are reported, not updated.
      type: bool
    before:
      description: Version before (null for self-managed add-ons).
      type: str
    after:
      description:
        - Version the add-on runs when the module ends (the planned one in check mode). With O(wait=false), the
          version before the update still running.
      type: str
    steps:
      description:
        - Versions applied in order (several for the VPC CNI across minors), the one of an update already in
          progress first.
      type: list
      elements: str
    remaining_steps:
      description:
        - Steps not started because O(wait=false) (empty when waiting); rerun the task to start the next one.
        - Absent for self-managed add-ons.
      type: list
      elements: str
      sample: ["v1.20.1-eksbuild.3"]
    recommended:
      description: The version EKS recommends for the cluster's Kubernetes version.
      type: str
    changed:
      description: Whether the add-on was (or would be) updated.
      type: bool
    changes:
      description:
        - What the update changes, per field (V(version), V(configuration_values), V(service_account_role_arn)), each
          with C(before) and C(after). Empty when nothing changes; absent for self-managed add-ons.
      type: dict
      sample: {"version": {"before": "v1.10.1-eksbuild.38", "after": "v1.11.4-eksbuild.22"}}
  sample:
    - name: coredns
      managed: true
      before: v1.10.1-eksbuild.38
      after: v1.11.4-eksbuild.22
      steps: [v1.11.4-eksbuild.22]
      remaining_steps: []
      changed: true
      changes: {"version": {"before": "v1.10.1-eksbuild.38", "after": "v1.11.4-eksbuild.22"}}
    - {"name": "kube-proxy", "managed": false, "before": null, "after": null, "recommended": "v1.30.14-eksbuild.8", "changed": false}
updates:
  description:
    - The add-on updates started or resumed (id, subject, from, to, status, duration_s, errors, resumed).
    - A failed task lists them too, with C(changed).
  returned: always
  type: list
  elements: dict
cluster_version:
  description: The cluster's Kubernetes version the versions were chosen for.
  returned: always
  type: str
diff:
  description:
    - Per EKS add-on, its C(version), C(configuration_values) and C(service_account_role_arn) before and after.
  returned: in diff mode
  type: dict
  sample:
    before: {"coredns": {"version": "v1.10.1-eksbuild.38", "configuration_values": '{"replicaCount": 3}',
                         "service_account_role_arn": null}}
    after: {"coredns": {"version": "v1.11.4-eksbuild.22", "configuration_values": '{"replicaCount": 3}',
                        "service_account_role_arn": null}}
poll_times:
  description:
    - Times (seconds since the epoch) at which DescribeUpdate requests left for this cluster, this task's (retries
      included) and those of O(wait_poll_history), which the limit of 6 per window counts. The next step on the
      cluster takes them as its O(wait_poll_history).
  returned: always
  type: list
  elements: float
  sample: [1764921600.125, 1764921605.25]
"""

from ansible_collections.lifecycle.eks.plugins.module_utils.addon_update import argument_spec, update_addons
from ansible_collections.lifecycle.eks.plugins.module_utils.runner import eks_module, run, with_wave_result


def main():
    run(eks_module(with_wave_result(argument_spec()), uses_kubernetes=False), update_addons)


if __name__ == "__main__":
    main()
