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
  - A node group created with a launch template is updated to the launch template version given for it in
    O(launch_templates) as well, with C(launchTemplate) (its template's id, and the version). With an EKS-managed AMI
    the request carries the Kubernetes version too. With a custom AMI (C(amiType) C(CUSTOM)) it carries only the
    launch template, as EKS requires (C(You cannot specify the field kubernetesVersion when using custom AMIs.)); the
    nodes run what the AMI of that version is built for.
  - A custom-AMI node group below the version with no (new) launch template version for it is not updated and no call
    is made for it. It is reported in RV(needs_launch_template) with its template, the version it uses and what to
    create. Every launch template version to send is checked first (C(DescribeLaunchTemplateVersions)), so a
    missing one fails the task before any update.
  - On an EKS Auto Mode cluster (C(computeConfig.enabled)) EKS updates the Auto Mode nodes itself; only the managed
    node groups, if any, are updated here (RV(auto_mode)).
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
  launch_templates:
    description:
      - Launch template version per node group, for node groups created with a launch template. A mapping of node
        group name to a mapping with C(version), the launch template version number such as V('7') (or to the number
        alone), and optionally C(kubernetes_version), the Kubernetes minor the version is for (its AMI's minor). The
        version is then used only for an update to that minor.
      - Custom-AMI node groups move to a new minor only with a new launch template version whose AMI is built for it.
      - A version that does not exist, an entry for a node group created without a launch template, or a malformed
        entry fails the task before any update; a node group name the cluster lacks is warned about and ignored.
    type: dict
    default: {}
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

- name: Move a custom-AMI node group to launch template version 7 (its AMI built for 1.30)
  lifecycle.eks.eks_nodegroup_upgrade:
    cluster_name: prod-eu
    launch_templates:
      gpu-custom: {version: "7", kubernetes_version: "1.30"}
      general: "4"
  register: nodegroups

- name: Say which launch template versions to create
  ansible.builtin.debug:
    msg: "{{ nodegroups.needs_launch_template | map(attribute='remediation') | list }}"
"""

RETURN = r"""
nodegroups:
  description:
    - One entry per node group considered; C(action) is V(update), V(resume), V(skip), V(needs_action) or
      V(needs_launch_template); C(launch_template_version) is the version sent, when one is.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "general", "before": "1.29", "after": "1.30", "changed": true, "action": "update",
            "update_id": "3f1d...", "launch_template_version": "4"}]
updates:
  description:
    - The updates started or resumed (id, subject, from, to, status, duration_s, errors, resumed).
    - A failed task lists them too, with C(changed), also when a later call of the same task failed (the node
      groups already updating carry on in AWS, status V(InProgress)).
  returned: always
  type: list
  elements: dict
needs_action:
  description: Node groups that could not be updated as asked, with why (custom AMIs, not ACTIVE).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "custom", "reason": "custom AMI: node group custom (1.29) reaches 1.30 only with a launch template
            version whose AMI is built for 1.30, and no launch template version is given for it"}]
needs_launch_template:
  description: Custom-AMI node groups that need a new launch template version to reach the version; none was updated.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Node group name.
      type: str
    launch_template:
      description: Its launch template (C(id), C(name)) and the C(version) it uses now.
      type: dict
    version:
      description: The node group's Kubernetes version.
      type: str
    kubernetes_version:
      description: The version it is to reach.
      type: str
    ami:
      description: The AMI it runs (C(releaseVersion) of a custom-AMI node group).
      type: str
    reason:
      description: Why it was not updated.
      type: str
    remediation:
      description: The launch template version to create and the option to set.
      type: str
  sample:
    - name: custom
      launch_template: {"id": "lt-0abc12345def67890", "name": "custom-nodes", "version": "1"}
      version: "1.29"
      kubernetes_version: "1.30"
      ami: ami-0abc12345def67890
      reason: "custom AMI: node group custom (1.29) reaches 1.30 only with a launch template version ..."
      remediation: "Create a version of launch template custom-nodes (lt-0abc12345def67890) whose AMI is built for
        Kubernetes 1.30 (for example the EKS optimized AMI of SSM parameter
        /aws/service/eks/optimized-ami/1.30/amazon-linux-2023/x86_64/standard/recommended/image_id, ...), then set
        launch_templates: {custom: {version: 'NEW_VERSION'}} ..."
auto_mode:
  description: Whether EKS Auto Mode is on for the cluster (EKS updates the Auto Mode nodes itself).
  returned: always
  type: bool
poll_times:
  description:
    - Times (seconds since the epoch) of the DescribeUpdate polls the limit of 6 per window still counts, this
      task's and those of O(wait_poll_history). The next step on the cluster takes them as its O(wait_poll_history).
  returned: always
  type: list
  elements: float
  sample: [1764921600.125, 1764921605.25]
"""

import time

from ansible_collections.lifecycle.eks.plugins.module_utils import launch_templates
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


def decide(group, version, params, entries):
    """What to do with one node group: (action, reason, launch template entry to send or explain).

    Actions: update, resume, skip, needs_action (not ACTIVE) or needs_launch_template (a custom AMI
    with no new launch template version for ``version``, a KubeMinor).
    """
    given = entries.get(group["name"])
    entry = given if given is not None and given.applies_to(version, version) else None
    if group["status"] == "UPDATING":
        return "resume", "an update is already in progress", None
    if group["status"] not in ("ACTIVE", "DEGRADED"):
        return "needs_action", "node group is %s, not ACTIVE" % group["status"], None
    in_use = (group["launch_template"] or {}).get("version")
    on_version = group["version"] == str(version)
    template_done = entry is None or entry.version == in_use
    with_template = " with launch template version %s" % in_use if in_use else ""
    if group["custom_ami"]:
        if not template_done:
            return "update", None, entry
        if on_version:
            return "skip", "already on %s%s" % (version, with_template), None
        return "needs_launch_template", None, given
    on_release = not params["release_version"] or group["release_version"] == params["release_version"]
    if on_version and on_release and template_done:
        return "skip", "already on %s%s" % (version, with_template), None
    return "update", None, entry


def upgrade_nodegroups(module, clients):
    params = module.params
    entries = launch_templates.parse(params["launch_templates"])  # malformed: refused before any call
    name = params["cluster_name"]
    cluster = clients.describe_cluster(name)
    control_plane = parse_kube_version(cluster["version"])
    version = parse_target_version(params["version"]) if params["version"] else control_plane
    if version > control_plane:
        raise ModuleError("Node groups cannot go ahead of the control plane: %s is newer than cluster %s's %s."
                          % (version, name, control_plane))
    names = params["nodegroups"] or clients.list_nodegroups(name)
    groups = [summarize_nodegroup(clients.describe_nodegroup(name, n)) for n in names]
    for warning in launch_templates.check_nodegroups(entries, groups, name, every_group=not params["nodegroups"]):
        module.warn(warning)
    decisions = [(group,) + decide(group, version, params, entries) for group in groups]
    # A launch template version that does not exist fails here, before any update (check mode too).
    launch_templates.check_versions_exist(clients, name, [
        (group, entry) for group, action, _reason, entry in decisions
        if action == "update" and entry is not None and entry.version != (group["launch_template"] or {}).get("version")])
    options = wait_options(params)
    results, updates, needs_action, needs_template, started = [], [], [], [], []
    result = {"changed": False, "nodegroups": results, "updates": updates, "needs_action": needs_action,
              "needs_launch_template": needs_template,
              "auto_mode": bool((cluster.get("computeConfig") or {}).get("enabled"))}
    for group, action, reason, template in decisions:
        entry = {"name": group["name"], "before": group["version"], "after": group["version"],
                 "changed": action in ("update", "resume"), "action": action}
        if action == "needs_launch_template":
            detail = launch_templates.needs_launch_template(group, version, template)
            needs_template.append(detail)
            reason = detail["reason"]
        if reason:
            entry["reason"] = reason
        if action in ("needs_action", "needs_launch_template"):
            needs_action.append({"name": group["name"], "reason": reason})
        if action == "update":
            entry["after"] = str(version)
            if template is not None:
                entry["launch_template_version"] = template.version
        results.append(entry)
    result["changed"] = any(e["changed"] for e in results)
    if module._diff:
        result["diff"] = {"before": {e["name"]: e["before"] for e in results},
                          "after": {e["name"]: e["after"] for e in results}}
    if module.check_mode:
        return result
    try:
        for (group, action, _reason, template), entry in zip(decisions, results):
            if action == "resume":
                update = find_in_progress(clients, name, nodegroup=group["name"])
                if update is None:  # it finished meanwhile
                    continue
            elif action == "update":
                custom = group["custom_ami"]  # EKS takes neither version nor releaseVersion for a custom AMI
                update = clients.update_nodegroup_version(
                    name, group["name"], version=None if custom else str(version),
                    release_version=None if custom else params["release_version"],
                    launch_template=launch_templates.payload(group, template) if template is not None else None,
                    force=params["force"])
            else:
                continue
            entry["update_id"] = update["id"]
            started.append((group, update, action == "resume", time.monotonic()))
    except ModuleError as exc:
        # The node groups already updating are reported as a run without waiting reports them.
        updates.extend(record(update, "node group %s" % group["name"], group["version"], resumed=resumed)
                       for group, update, resumed, _at in started)
        exc.details["result"] = result
        raise
    failures, aws_errors = [], []
    for group, update, resumed, started_at in started:
        subject = "node group %s" % group["name"]
        if not params["wait"]:
            updates.append(record(update, subject, group["version"], resumed=resumed))
            continue
        try:
            updates.append(see_through(clients, name, update, subject, group["version"], options,
                                       nodegroup=group["name"], resumed=resumed, started=started_at))
        except ModuleError as exc:
            updates.append(exc.details.get("update")
                           or record(update, subject, group["version"], resumed=resumed, started=started_at))
            aws_errors.extend(exc.details.get("aws_errors") or [])
            failures.append(exc.message)
    if failures:
        raise ModuleError("Node group update failed: " + " | ".join(failures),
                          {"result": result, "aws_errors": aws_errors})
    return result


def main():
    spec = dict(
        nodegroups=dict(type="list", elements="str"),
        version=dict(type="str"),
        release_version=dict(type="str"),
        force=dict(type="bool", default=False),
    )
    spec.update(launch_templates.argument_spec("launch_templates"))
    spec.update(wait_argument_spec(timeout=5400))
    module = eks_module(spec, uses_kubernetes=False)
    run(module, upgrade_nodegroups)


if __name__ == "__main__":
    main()
