#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_cluster_rollback
short_description: Roll an EKS control plane back one minor version after an in-place upgrade
version_added: 0.1.0
description:
  - Amazon EKS can roll a control plane back to the previous minor version within 7 days of an in-place upgrade
    (C(UpdateClusterVersion) to N-1, an update of type C(VersionRollback)). This module checks that the cluster is
    ready for it, rolls it back, and waits for the update.
  - 'Readiness: the cluster is C(ACTIVE) with no update in progress; the last version change is a successful
    in-place C(VersionUpdate) to the current version, started less than 7 days ago; no C(ROLLBACK_READINESS)
    insight is C(ERROR) (unless O(force)); no managed node group is newer than the rollback version. When node
    groups were already upgraded, the rollback is refused and the message says how to roll them back first.'
  - EKS does not roll add-ons or node groups back. RV(not_rolled_back) lists them, compared with the rollback record
    of the upgrade (O(rollback_records)) when given.
  - Idempotent. A cluster already on O(version), or already rolled back when O(version) is unset, is left alone.
    A rollback already in progress is waited for, never sent twice.
  - In check mode, returns the readiness verdict and the plan and sends no mutating call.
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  version:
    description:
      - The version to roll back to, V(MAJOR.MINOR), quoted in YAML (V('1.29')). It must be one minor below the
        cluster's version; a cluster already on it is not changed.
      - When unset, one minor below the cluster's version, and a cluster whose last version change was a rollback
        is not changed.
    type: str
  force:
    description:
      - Send C(force) with C(UpdateClusterVersion), overriding C(ROLLBACK_READINESS) insights in C(ERROR).
      - It overrides nothing else. The 7-day window, the in-place upgrade and the node group versions are still
        required.
    type: bool
    default: false
  rollback_timeout:
    description:
      - Minutes EKS lets the rollback run before cancelling it (C(rollbackConfig.timeoutMinutes), 120 to 10080).
        EKS's default (720) when unset.
      - Needs botocore 1.43 or later.
    type: int
  rollback_records:
    description:
      - Rollback records of the upgrade, as M(lifecycle.eks.eks_cluster_upgrade) returns them in
        RV(lifecycle.eks.eks_cluster_upgrade#module:updates[].rollback_record) (and the upgrade report keeps them).
      - The record of the hop being rolled back is returned in RV(rollback_record) and compared with the add-on and
        node group versions now in RV(not_rolled_back).
    type: list
    elements: dict
    default: []
  wait:
    description:
      - Wait for the rollback to finish. With V(false) the module starts it and returns its update id.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for the rollback. On timeout the update carries on in AWS; rerun the task to resume waiting.
    type: int
    default: 3600
extends_documentation_fragment:
  - lifecycle.eks.cluster
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - lifecycle.eks.wait
  - lifecycle.eks.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
notes:
  - The 7-day window is measured from the creation of the upgrade's update (EKS reports no end time), so the module
    may refuse a little before EKS would.
  - Self-managed nodes, hybrid nodes and Fargate pods are not checked; EKS's kubelet version skew insight covers
    them.
  - Needs C(eks:DescribeCluster), C(eks:ListUpdates), C(eks:DescribeUpdate), C(eks:ListInsights),
    C(eks:ListNodegroups), C(eks:DescribeNodegroup), C(eks:ListAddons), C(eks:DescribeAddon) and
    C(eks:UpdateClusterVersion) (C(docs/iam-policy-rollback.json)).
seealso:
  - module: lifecycle.eks.eks_cluster_upgrade
  - name: Roll back a cluster to a previous Kubernetes version
    description: Amazon EKS user guide.
    link: https://docs.aws.amazon.com/eks/latest/userguide/rollback-cluster.html
"""

EXAMPLES = r"""
- name: Roll the control plane back to 1.29
  lifecycle.eks.eks_cluster_rollback:
    cluster_name: prod-eu
    version: "1.29"

- name: Only check whether a rollback is possible, and show the plan
  lifecycle.eks.eks_cluster_rollback:
    cluster_name: prod-eu
  check_mode: true
  register: rollback

- name: Roll back despite rollback-readiness errors, with the upgrade's records for comparison
  lifecycle.eks.eks_cluster_rollback:
    cluster_name: prod-eu
    force: true
    rollback_timeout: 240
    rollback_records: "{{ (lookup('ansible.builtin.file', 'reports/clusters/prod-eu.json') | from_json).control_plane.updates
                          | selectattr('rollback_record', 'defined') | map(attribute='rollback_record') | list }}"
"""

RETURN = r"""
version_before:
  description: Control plane version when the module started.
  returned: always
  type: str
  sample: "1.30"
version_after:
  description: Control plane version when the module ended (the planned version in check mode).
  returned: always
  type: str
  sample: "1.29"
target_version:
  description: The version a rollback goes (or went) to.
  returned: always
  type: str
  sample: "1.29"
reason:
  description: Why nothing was done.
  returned: when the cluster is already on the version or already rolled back
  type: str
  sample: cluster prod-eu was already rolled back to 1.29 (update 5b7c...)
readiness:
  description: The readiness verdict.
  returned: when a rollback was assessed (also when it is refused)
  type: dict
  contains:
    ready:
      description: Whether every check passed (or was overridden).
      type: bool
    current_version:
      description: The control plane version.
      type: str
    target_version:
      description: One minor below.
      type: str
    force:
      description: Whether O(force) overrides the insights.
      type: bool
    checks:
      description:
        - One per check, C(id) (V(cluster-active), V(no-update-in-progress), V(in-place-upgrade),
          V(rollback-window), V(nodegroups-not-ahead), V(rollback-insights)), C(status) (V(pass), V(fail),
          V(overridden), V(skipped)), C(message), and C(remediation) when it fails.
      type: list
      elements: dict
    last_upgrade:
      description: The in-place upgrade being rolled back (C(id), C(to_version), C(created_at), C(window_closes_at)).
      type: dict
    blocking_insights:
      description: C(ROLLBACK_READINESS) insights in C(ERROR) (C(id), C(name), C(kubernetes_version), C(reason)).
      type: list
      elements: dict
  sample:
    ready: false
    current_version: "1.30"
    target_version: "1.29"
    force: false
    checks:
      - {"id": "rollback-window", "status": "fail", "message": "the 7-day rollback window closed about 2026-11-20T10:00:00+00:00",
         "remediation": "EKS no longer rolls this cluster back: fix forward on 1.30, or move the workloads to a new 1.29 cluster"}
plan:
  description: What the rollback sends.
  returned: when the cluster is ready for a rollback
  type: dict
  sample: {"from_version": "1.30", "to_version": "1.29", "update_type": "VersionRollback", "force": false, "rollback_timeout": null}
updates:
  description:
    - The rollback update this run started or resumed, as M(lifecycle.eks.eks_cluster_upgrade) reports updates
      (C(id), C(type) V(VersionRollback), C(subject), C(from), C(to), C(status), C(duration_s), C(errors), C(resumed)).
    - Empty when nothing was sent, in check mode (except a rollback already in progress, with its status).
  returned: always
  type: list
  elements: dict
  sample:
    - {"id": "5b7c...", "type": "VersionRollback", "subject": "cluster prod-eu", "from": "1.30", "to": "1.29",
       "status": "Successful", "resumed": false, "errors": []}
rollback_record:
  description: The upgrade's rollback record of the hop being rolled back, from O(rollback_records), or null.
  returned: when a rollback was assessed
  type: dict
not_rolled_back:
  description: What EKS leaves as it is, compared with RV(rollback_record) when there is one.
  returned: when a rollback was assessed
  type: dict
  contains:
    addons:
      description: EKS add-ons (C(name), C(version), C(before_upgrade)).
      type: list
      elements: dict
    nodegroups:
      description: Managed node groups (C(name), C(version), C(release_version), C(before_upgrade)).
      type: list
      elements: dict
    advice:
      description: What to do about them, one sentence each.
      type: list
      elements: str
diff:
  description: Control plane version before and after.
  returned: when diff mode is on
  type: dict
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

import time

from ansible_collections.lifecycle.eks.plugins.module_utils import rollback
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.operations import (
    record,
    see_through,
    wait_argument_spec,
    wait_options,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.runner import eks_module, run
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import parse_kube_version, parse_target_version

DOWNGRADE_REFUSED = "Unsupported Kubernetes minor version update"


def _wait(module, clients, name, update, before, resumed, result):
    """See the rollback through; a failure carries what was started."""
    subject = "cluster %s" % name
    if not module.params["wait"]:
        return record(update, subject, before, resumed=resumed, started=time.monotonic())
    try:
        return see_through(clients, name, update, subject, before, wait_options(module.params), resumed=resumed)
    except ModuleError as exc:
        entry = exc.details.pop("update", None)
        exc.details["result"] = dict(result, changed=True, updates=[entry] if entry else [])
        raise


def _version_now(clients, name, result):
    """The control plane version once the rollback was sent; a failing read still reports the rollback."""
    try:
        return clients.describe_cluster(name)["version"]
    except ModuleError as exc:
        exc.details["result"] = dict({k: v for k, v in result.items() if k != "version_after"}, changed=True)
        raise


def _send(clients, module, name, target, result):
    params = module.params
    try:
        return clients.update_cluster_version(name, str(target), force=params["force"],
                                              rollback_timeout=params["rollback_timeout"],
                                              action="roll back cluster %s to Kubernetes %s" % (name, target))
    except ModuleError as exc:
        message = exc.message
        if exc.error_code == "InvalidParameterException" and DOWNGRADE_REFUSED in message:
            message += (". EKS no longer offers this rollback: its 7-day window closed (EKS measures it from the end "
                        "of the upgrade), or the cluster was not upgraded in place")
        raise ModuleError(message, dict(exc.details, result=dict(result, changed=False))) from exc


def roll_back(module, clients):
    params = module.params
    name = params["cluster_name"]
    expected = parse_target_version(params["version"]) if params["version"] is not None else None
    rollback.check_timeout(params["rollback_timeout"])
    records = rollback.validate_records(params["rollback_records"])
    cluster = clients.describe_cluster(name)
    current = parse_kube_version(cluster["version"])
    updates = rollback.version_history(clients, name)
    action, target, detail = rollback.situation(name, current, expected, updates)
    result = {"changed": False, "version_before": str(current), "version_after": str(current),
              "target_version": str(target), "updates": []}
    if module._diff:
        result["diff"] = {"before": {"version": str(current)}, "after": {"version": str(current)}}
    if action == "none":
        result["reason"] = detail
        return result
    if module._diff:
        result["diff"]["after"]["version"] = str(target)
    result.update(changed=True, version_after=str(target))
    if action == "resume":
        result["updates"] = [record(detail, "cluster %s" % name, str(current), resumed=True) if module.check_mode
                             else _wait(module, clients, name, detail, str(current), True, result)]
        if not module.check_mode:
            result["version_after"] = _version_now(clients, name, result)
        return result
    addons, nodegroups = rollback.read_versions(clients, name)
    insights = clients.list_insights(name, categories=[rollback.ROLLBACK_READINESS])
    readiness = rollback.assess(cluster, target, updates, insights, nodegroups, rollback.utcnow(), params["force"])
    rollback_record = rollback.select_record(records, current, target)
    result.update(readiness=readiness, rollback_record=rollback_record,
                  not_rolled_back=rollback.left_behind(rollback_record, addons, nodegroups, target))
    if not readiness["ready"]:
        result.update(changed=False, version_after=str(current))
        result.pop("diff", None)
        raise ModuleError(rollback.refusal(name, readiness), {"result": result})
    result["plan"] = {"from_version": str(current), "to_version": str(target), "update_type": rollback.VERSION_ROLLBACK,
                      "force": params["force"], "rollback_timeout": params["rollback_timeout"]}
    if module.check_mode:
        return result
    update = _send(clients, module, name, target, result)
    result["updates"] = [_wait(module, clients, name, update, str(current), False, result)]
    result["version_after"] = _version_now(clients, name, result)
    return result


def main():
    spec = dict(
        version=dict(type="str"),
        force=dict(type="bool", default=False),
        rollback_timeout=dict(type="int"),
        rollback_records=dict(type="list", elements="dict", default=[]),
    )
    spec.update(wait_argument_spec())
    module = eks_module(spec, uses_kubernetes=False)
    run(module, roll_back)


if __name__ == "__main__":
    main()
