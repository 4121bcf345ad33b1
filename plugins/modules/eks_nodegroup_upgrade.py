#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_nodegroup_upgrade
short_description: Update EKS managed node groups to the control plane's Kubernetes version
version_added: 0.1.0
description:
  - Step 5 of AWS's I(Updating an Amazon EKS cluster Kubernetes version) procedure. The module updates managed node
    groups to the same minor as the control plane, with C(UpdateNodegroupVersion), and waits for each update.
  - Node groups already on the version are left alone; a node group already updating is waited for, not updated twice.
  - Node groups with a custom AMI cannot take a version; they need a new launch template version
    (O(launch_template_version)). Without one they are reported in RV(needs_action), not updated.
  - A C(PodEvictionFailure) (a PodDisruptionBudget blocking the drain) fails the task with the node names AWS reports;
    O(force) drains regardless.
  - Check mode returns what would be updated and sends no mutating call.
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  nodegroups:
    description:
      - Names of the node groups to update. All node groups of the cluster when unset.
    type: list
    elements: str
  version:
    description:
      - Kubernetes version to move the node groups to, V(MAJOR.MINOR). Defaults to the control plane's version.
      - A version ahead of the control plane is refused.
    type: str
  release_version:
    description:
      - An EKS optimized AMI release version (for example V(1.30.14-20250715)). The latest for the version when unset.
    type: str
  launch_template_version:
    description:
      - New launch template version for node groups that use a launch template with a custom AMI.
    type: str
  force:
    description:
      - Drain nodes even when PodDisruptionBudgets prevent it (C(force) of C(UpdateNodegroupVersion)).
    type: bool
    default: false
  wait:
    description:
      - Wait for the updates to finish.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for each node group update (AWS drains each node for up to 15 minutes).
    type: int
    default: 5400
  wait_delay:
    description:
      - Seconds before the first poll; later polls back off up to O(wait_max_delay).
    type: float
    default: 5.0
  wait_max_delay:
    description:
      - Longest delay between two polls, in seconds.
    type: float
    default: 30.0
extends_documentation_fragment:
  - lifecycle.eks.cluster
  - lifecycle.eks.aws
  - lifecycle.eks.kube
  - lifecycle.eks.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
"""

EXAMPLES = r"""
- name: Bring every managed node group to the control plane's version
  lifecycle.eks.eks_nodegroup_upgrade:
    cluster_name: prod-eu

- name: Update one node group, draining through PodDisruptionBudgets
  lifecycle.eks.eks_nodegroup_upgrade:
    cluster_name: prod-eu
    nodegroups: [batch]
    force: true
"""

RETURN = r"""
nodegroups:
  description: One entry per node group considered.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "general", "before": "1.29", "after": "1.30", "changed": true, "update_id": "3f1d..."}]
updates:
  description: The updates started or resumed (id, subject, from, to, status, duration_s, errors, resumed).
  returned: always
  type: list
  elements: dict
needs_action:
  description: Node groups that could not be updated as asked, with what to do (custom AMIs, not ACTIVE).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "custom", "reason": "custom AMI: create a launch template version with a 1.30 AMI and pass launch_template_version"}]
"""

from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.gather import summarize_nodegroup
from ansible_collections.lifecycle.eks.plugins.module_utils.operations import (
    find_in_progress,
    record,
    see_through,
    wait_argument_spec,
    wait_options,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.runner import eks_module, run
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import parse_kube_version, parse_target_version


def decide(group, version, params):
    """What to do with one node group: (action, reason); action is update, resume, skip or needs_action."""
    if group["status"] == "UPDATING":
        return "resume", "an update is already in progress"
    if group["status"] not in ("ACTIVE", "DEGRADED"):
        return "needs_action", "node group is %s, not ACTIVE" % group["status"]
    on_version = group["version"] == version and (not params["release_version"]
                                                  or group["release_version"] == params["release_version"])
    if on_version and not params["launch_template_version"]:
        return "skip", "already on %s" % version
    if group["custom_ami"] and not params["launch_template_version"]:
        return "needs_action", ("custom AMI: create a launch template version with a %s AMI and pass "
                                "launch_template_version" % version)
    return "update", None


def upgrade_nodegroups(module, clients):
    params = module.params
    name = params["cluster_name"]
    cluster = clients.describe_cluster(name)
    control_plane = parse_kube_version(cluster["version"])
    version = parse_target_version(params["version"]) if params["version"] else control_plane
    if version > control_plane:
        raise ModuleError("Node groups cannot go ahead of the control plane: %s is newer than cluster %s's %s."
                          % (version, name, control_plane))
    names = params["nodegroups"] or clients.list_nodegroups(name)
    groups = [summarize_nodegroup(clients.describe_nodegroup(name, n)) for n in names]
    options = wait_options(params)
    entries, updates, needs_action, started = [], [], [], []
    for group in groups:
        action, reason = decide(group, str(version), params)
        entry = {"name": group["name"], "before": group["version"], "after": group["version"],
                 "changed": action in ("update", "resume"), "action": action}
        if reason:
            entry["reason"] = reason
        if action == "needs_action":
            needs_action.append({"name": group["name"], "reason": reason})
        if action == "update":
            entry["after"] = str(version)
        entries.append(entry)
        if module.check_mode or action not in ("update", "resume"):
            continue
        if action == "resume":
            update = find_in_progress(clients, name, nodegroup=group["name"])
            if update is None:  # it finished meanwhile
                continue
        else:
            launch_template = None
            if params["launch_template_version"] and group["launch_template"]:
                launch_template = {"version": params["launch_template_version"]}
                for key in ("id", "name"):
                    if group["launch_template"].get(key):
                        launch_template[key] = group["launch_template"][key]
                        break
            update = clients.update_nodegroup_version(
                name, group["name"], version=None if group["custom_ami"] else str(version),
                release_version=params["release_version"], launch_template=launch_template, force=params["force"])
        entry["update_id"] = update["id"]
        started.append((group, update, action == "resume"))
    failures = []
    for group, update, resumed in started:
        subject = "node group %s" % group["name"]
        if not params["wait"]:
            updates.append(record(update, subject, group["version"], resumed=resumed))
            continue
        try:
            updates.append(see_through(clients, name, update, subject, group["version"], options,
                                       nodegroup=group["name"], resumed=resumed))
        except ModuleError as exc:
            updates.append(exc.details.get("update") or {"id": update["id"], "subject": subject})
            failures.append(exc.message)
    changed = any(e["changed"] for e in entries)
    result = {"changed": changed, "nodegroups": entries, "updates": updates, "needs_action": needs_action}
    if module._diff:
        result["diff"] = {"before": {e["name"]: e["before"] for e in entries},
                          "after": {e["name"]: e["after"] for e in entries}}
    if failures:
        raise ModuleError("Node group update failed: " + " | ".join(failures), {"result": result})
    return result


def main():
    spec = dict(
        nodegroups=dict(type="list", elements="str"),
        version=dict(type="str"),
        release_version=dict(type="str"),
        launch_template_version=dict(type="str"),
        force=dict(type="bool", default=False),
    )
    spec.update(wait_argument_spec(timeout=5400))
    module = eks_module(spec)
    run(module, upgrade_nodegroups)


if __name__ == "__main__":
    main()
