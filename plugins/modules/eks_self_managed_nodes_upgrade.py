#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_self_managed_nodes_upgrade
short_description: Move self-managed EKS node groups (Auto Scaling groups) to the EKS AMI of the control plane's minor
version_added: 0.2.0
description:
  - Steps 1 and 5 of AWS's I(Updating an Amazon EKS cluster Kubernetes version) procedure, for self-managed nodes
    (AWS's I(Self-managed node updates)) in Auto Scaling groups with a launch template.
  - The groups are those tagged C(kubernetes.io/cluster/CLUSTER) (V(owned) or V(shared)) and those holding the EC2
    instances of the cluster's self-managed nodes (their C(providerID), C(DescribeAutoScalingInstances)), or those
    named in O(auto_scaling_groups). Groups of EKS managed node groups (tag C(eks:nodegroup-name)) are left to
    M(lifecycle.eks.eks_nodegroup_upgrade).
  - The AMI family of a group (Amazon Linux 2023 standard, NVIDIA or Neuron, Amazon Linux 2, Bottlerocket, Windows; x86_64
    or arm64) comes from its AMI's name when Amazon owns it (C(DescribeImages)), else from the public SSM parameters
    of the nodes' minor that hold that AMI. The AMI for the new minor is the value of that family's public SSM
    parameter (for example C(/aws/service/eks/optimized-ami/1.30/amazon-linux-2023/x86_64/standard/recommended/image_id)
    or C(/aws/service/bottlerocket/aws-k8s-1.30/x86_64/latest/image_id)).
  - A group whose AMI is older gets a new launch template version copied from the one it uses with only the AMI
    changed (C(SourceVersion)); the group is pointed at it (unless it follows V($Latest)) and its instances are
    replaced by an instance refresh (C(StartInstanceRefresh), rolling, O(min_healthy_percentage)), waited for.
  - A refresh already running on a group (started by an interrupted run, or anyone) is waited for, never started
    twice. A group already on the AMI with every instance launched from its launch template version is left alone,
    so a rerun changes nothing.
  - A custom AMI (neither Amazon-owned under an EKS AMI name nor in the SSM parameters) is not replaced; it is
    reported in RV(custom_amis) with the minor and the family to build from.
  - An instance refresh does not drain nodes. Each group's termination lifecycle hooks are reported in
    RV(groups[].drain). With one, a handler such as AWS Node Termination Handler in queue mode drains each node before
    it goes; without, the module warns that nodes are terminated undrained.
  - As with managed node groups, PodDisruptionBudgets allowing no disruption of pods on a group's nodes keep the group
    from being replaced (RV(blocked)) unless O(force).
  - Check mode reads only and says what would be done; it sends no mutating call. With O(version) ahead of the
    control plane it plans for that minor (the upgrade's check mode, before the control plane moves).
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  version:
    description:
      - Kubernetes minor to move the nodes to, V(MAJOR.MINOR). Defaults to the control plane's.
      - A minor ahead of the control plane is refused, except in check mode.
    type: str
  auto_scaling_groups:
    description:
      - Names of the Auto Scaling groups to update. When unset, those tagged C(kubernetes.io/cluster/CLUSTER) and those
        holding the cluster's self-managed nodes.
    type: list
    elements: str
  min_healthy_percentage:
    description:
      - Share of the group's capacity that must stay healthy during the instance refresh (its C(MinHealthyPercentage)).
    type: int
    default: 90
  instance_warmup:
    description:
      - Seconds a new instance needs before it counts as healthy (C(InstanceWarmup)); the group's default when unset.
    type: int
  force:
    description:
      - Replace the nodes of a group even when PodDisruptionBudgets allow no disruption of pods on them.
    type: bool
    default: false
  wait:
    description:
      - Wait for the instance refreshes to end.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for each instance refresh.
    type: int
    default: 5400
extends_documentation_fragment:
  - lifecycle.eks.cluster
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - lifecycle.eks.wait
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
- name: Move the self-managed nodes to the control plane's minor
  lifecycle.eks.eks_self_managed_nodes_upgrade:
    cluster_name: prod-eu
    min_healthy_percentage: 90
  register: self_managed

- name: Say which custom AMIs to build
  ansible.builtin.debug:
    msg: "{{ self_managed.custom_amis | map(attribute='remediation') | list }}"

- name: What would change for two groups (no call that changes anything)
  lifecycle.eks.eks_self_managed_nodes_upgrade:
    cluster_name: prod-eu
    auto_scaling_groups: [workers-a, workers-b]
  check_mode: true
  diff: true
"""

RETURN = r"""
groups:
  description:
    - One entry per Auto Scaling group considered. C(action) is V(update) (new launch template version and instance
      refresh), V(refresh) (instances left on an older version), V(resume) (a refresh was running), V(skip),
      V(custom_ami), V(blocked) or V(needs_action).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Auto Scaling group name.
      type: str
    action:
      description: What was (or in check mode would be) done.
      type: str
    reason:
      description: Why, when nothing is done or the action needs one.
      type: str
    family:
      description: The EKS AMI family (EKS amiType names, such as V(AL2023_x86_64_STANDARD) or V(BOTTLEROCKET_x86_64)).
      type: str
    before:
      description: C(ami), C(launch_template_version) (the number the group's version resolved to) and
        C(kubernetes_version) (the lowest kubelet minor of its nodes).
      type: dict
    after:
      description: The same after the action (in check mode, what it would be).
      type: dict
    nodes:
      description: Kubernetes nodes of the group's instances (before the refresh).
      type: list
      elements: str
    drain:
      description: C(hooks) (termination lifecycle hooks), C(drained) and a C(note) on how nodes are drained.
      type: dict
    instance_refresh:
      description: C(id), C(status), C(status_reason), C(percentage_complete), C(instances_to_update) and
        C(failed_instances) (instances still on an older launch template version once it ended).
      type: dict
  sample:
    - name: workers
      action: update
      family: AL2023_x86_64_STANDARD
      before: {ami: ami-0aaa, launch_template_version: 1, kubernetes_version: "1.29"}
      after: {ami: ami-0bbb, launch_template_version: 2, kubernetes_version: "1.30"}
      instance_refresh: {id: 0e1f..., status: Successful, percentage_complete: 100, failed_instances: []}
updates:
  description:
    - The instance refreshes started or resumed (C(id), C(subject), C(status), C(percentage_complete),
      C(failed_instances), C(resumed)); a failed task lists them too.
  returned: always
  type: list
  elements: dict
custom_amis:
  description: Groups on a custom AMI, not replaced, with C(kubernetes_version) and C(family) to build and a
    C(remediation).
  returned: always
  type: list
  elements: dict
blocked:
  description: Groups not replaced because PodDisruptionBudgets allow no disruption of pods on their nodes
    (C(name), C(pdbs)).
  returned: always
  type: list
  elements: dict
needs_action:
  description: Groups that could not be handled (no launch template, no EKS AMI of their family for the minor), with
    why.
  returned: always
  type: list
  elements: dict
kubernetes_version:
  description: The minor the groups were moved (or in check mode planned) to.
  returned: always
  type: str
  sample: "1.30"
poll_times:
  description: Times (seconds since the epoch) of the DescribeUpdate requests the limit of 6 per window counts.
  returned: always
  type: list
  elements: float
"""

import time

from ansible_collections.lifecycle.eks.plugins.module_utils import self_managed as logic
from ansible_collections.lifecycle.eks.plugins.module_utils.aws_autoscaling import (
    REFRESH_IN_PROGRESS_CODE,
    NodeGroupCalls,
    wait_for_refresh,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.gather import classify_node
from ansible_collections.lifecycle.eks.plugins.module_utils.kube import KubeApis, k8s_call, kube_client
from ansible_collections.lifecycle.eks.plugins.module_utils.operations import wait_argument_spec, wait_options
from ansible_collections.lifecycle.eks.plugins.module_utils.runner import eks_module, run
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import parse_kube_version, parse_target_version

ACTING = ("update", "refresh", "resume")


def kube_view(apis):
    """Nodes by EC2 instance id, and the pods and PodDisruptionBudgets a drain would meet."""
    nodes = {}
    for node in k8s_call("list nodes", apis.core.list_node).items:
        instance_id = (node.spec.provider_id or "").rpartition("/")[2]
        if instance_id.startswith("i-"):
            nodes[instance_id] = classify_node(node)
    pods = [{"namespace": p.metadata.namespace, "labels": p.metadata.labels or {}, "node": p.spec.node_name}
            for p in k8s_call("list pods", apis.core.list_pod_for_all_namespaces).items]
    pdbs = [{"namespace": p.metadata.namespace, "name": p.metadata.name,
             "selector": (p.spec.selector.match_labels if p.spec.selector else None) or {},
             "disruptions_allowed": p.status.disruptions_allowed if p.status else None}
            for p in k8s_call("list PodDisruptionBudgets",
                              apis.policy.list_pod_disruption_budget_for_all_namespaces).items]
    return nodes, pods, pdbs


def find_groups(calls, cluster, names, nodes):
    """The groups named, else those tagged for the cluster and those holding its self-managed nodes' instances
    (found by their providerID: a group created without the tag)."""
    if names:
        groups = calls.describe_groups(names=names)
        missing = sorted(set(names) - {g["AutoScalingGroupName"] for g in groups})
        if missing:
            raise ModuleError("Auto Scaling group(s) %s, named in auto_scaling_groups, do not exist in this region."
                              % ", ".join(missing))
        return groups
    tagged = calls.describe_groups(tag=(logic.cluster_tag(cluster), ("owned", "shared")))
    known = {i["InstanceId"] for g in tagged for i in g.get("Instances") or []}
    loose = [i for i, node in nodes.items() if node["kind"] == logic.SELF_MANAGED_KIND and i not in known]
    holding = sorted(set(calls.groups_of_instances(loose).values()) if loose else ())
    if holding:
        tagged += calls.describe_groups(names=holding)
    return [g for g in tagged if not any(t["Key"] == logic.MANAGED_NODEGROUP_TAG for t in g.get("Tags") or [])]


def gather(calls, groups, nodes, pods, pdbs, target, control_plane):
    """The facts logic.decide reads, per group."""
    facts = []
    for group in groups:
        template = logic.group_launch_template(group)
        members = [nodes[i["InstanceId"]] for i in group.get("Instances") or [] if i["InstanceId"] in nodes]
        minors = sorted(parse_kube_version(n["kubelet"]) for n in members)
        fact = {"group": group, "name": group["AutoScalingGroupName"], "launch_template": template,
                "nodes": sorted(n["name"] for n in members),
                "node_minor": str(minors[0]) if minors else str(control_plane),
                "os_image": members[0]["os_image"] if members else None,
                "refresh": calls.latest_instance_refresh(group["AutoScalingGroupName"]),
                "hooks": calls.describe_lifecycle_hooks(group["AutoScalingGroupName"]),
                "blockers": logic.pdb_blockers(pdbs, pods, [n["name"] for n in members])}
        if template is not None:
            [version] = calls.launch_template_versions(template, [template["version"]])
            [latest] = calls.launch_template_versions(template, [logic.LATEST])
            fact.update(version_number=version["VersionNumber"], image_id=version["LaunchTemplateData"].get("ImageId"),
                        latest={"number": latest["VersionNumber"],
                                "image_id": latest["LaunchTemplateData"].get("ImageId")},
                        outdated=logic.outdated_instances(group, version["VersionNumber"]))
        facts.append(fact)
    images = {i["ImageId"]: i for i in calls.describe_images([f.get("image_id") for f in facts])}
    for fact in facts:
        if fact["launch_template"] is not None:
            fact["ami"] = logic.identify_ami(fact["image_id"], images.get(fact["image_id"]), {}, fact["node_minor"])
    # AMIs not recognised by name: looked up in the SSM parameters of their nodes' minor.
    unknown = {f["node_minor"] for f in facts if f.get("ami") and not f["ami"]["published"]}
    wanted = {logic.ssm_parameter(family, minor): (family, minor) for minor in unknown for family in logic.FAMILIES}
    values = calls.get_parameters(wanted) if wanted else {}
    for fact in facts:
        if fact.get("ami") and not fact["ami"]["published"]:
            published = {family: values.get(logic.ssm_parameter(family, fact["node_minor"]))
                         for family in logic.FAMILIES}
            fact["ami"] = logic.identify_ami(fact["image_id"], images.get(fact["image_id"]), published,
                                             fact["node_minor"])
    targets = {logic.ssm_parameter(f["ami"]["family"], target) for f in facts
               if f.get("ami") and f["ami"]["published"]}
    values = calls.get_parameters(targets) if targets else {}
    for fact in facts:
        if fact.get("ami") and fact["ami"]["published"]:
            fact["target_ami"] = values.get(logic.ssm_parameter(fact["ami"]["family"], target))
    return facts


def refresh_record(refresh, group, failed=None, resumed=False):
    return {"id": refresh.get("InstanceRefreshId"), "type": "InstanceRefresh",
            "subject": "Auto Scaling group %s" % group, "status": refresh.get("Status"),
            "status_reason": refresh.get("StatusReason"), "percentage_complete": refresh.get("PercentageComplete"),
            "instances_to_update": refresh.get("InstancesToUpdate"), "failed_instances": failed or [],
            "resumed": resumed}


def entry_of(fact, action, reason, target):
    ami = fact.get("ami") or {}
    before = {"ami": fact.get("image_id"), "launch_template_version": fact.get("version_number"),
              "kubernetes_version": fact["node_minor"]}
    entry = {"name": fact["name"], "action": action, "changed": action in ACTING, "family": ami.get("family"),
             "before": before, "after": dict(before), "nodes": fact["nodes"], "drain": logic.drain_note(fact["hooks"]),
             "launch_template": fact["launch_template"]}
    if reason:
        entry["reason"] = reason
    if action == "update":
        reuse = fact["latest"]["image_id"] == fact["target_ami"] and fact["latest"]["number"] > fact["version_number"]
        entry["after"] = {"ami": fact["target_ami"],
                          "launch_template_version": fact["latest"]["number"] + (0 if reuse else 1),
                          "kubernetes_version": str(target)}
    elif action in ("refresh", "resume"):
        entry["after"] = dict(before, kubernetes_version=str(target) if ami.get("published") else before[
            "kubernetes_version"])
    return entry


def act(calls, fact, entry, params):
    """The mutating calls of one group (not in check mode); returns the refresh to wait for and whether resumed."""
    name = fact["name"]
    if entry["action"] == "resume":
        return fact["refresh"]["InstanceRefreshId"], True
    if entry["action"] == "update":
        template, latest = fact["launch_template"], fact["latest"]
        if latest["image_id"] == fact["target_ami"] and latest["number"] > fact["version_number"]:
            number = latest["number"]  # created by an interrupted run: used, not created twice
        else:
            number = calls.create_launch_template_version(
                template, fact["version_number"], fact["target_ami"],
                "lifecycle.eks: %s with EKS AMI %s for Kubernetes %s" % (
                    "version %s" % fact["version_number"], fact["target_ami"], entry["after"]["kubernetes_version"]))
        entry["after"]["launch_template_version"] = number
        pinned = logic.new_group_version(template["version"], number)
        if pinned is not None:
            calls.set_launch_template_version(name, template, pinned)
    try:
        return calls.start_instance_refresh(name, params["min_healthy_percentage"], params["instance_warmup"]), False
    except ModuleError as exc:
        if exc.error_code != REFRESH_IN_PROGRESS_CODE:
            raise
        running = calls.latest_instance_refresh(name)
        return running["InstanceRefreshId"], True


def upgrade_self_managed(module, clients):
    params = module.params
    name = params["cluster_name"]
    if not 0 <= params["min_healthy_percentage"] <= 100:
        raise ModuleError("min_healthy_percentage must be between 0 and 100, got %s." % params["min_healthy_percentage"])
    cluster = clients.describe_cluster(name)
    control_plane = parse_kube_version(cluster["version"])
    target = parse_target_version(params["version"]) if params["version"] else control_plane
    if target > control_plane and not module.check_mode:
        raise ModuleError("Nodes cannot go ahead of the control plane: %s is newer than cluster %s's %s."
                          % (target, name, control_plane))
    calls = NodeGroupCalls(clients)
    nodes, pods, pdbs = kube_view(KubeApis(kube_client(params, clients=clients, cluster=cluster)))
    groups = find_groups(calls, name, params["auto_scaling_groups"], nodes)
    facts = gather(calls, groups, nodes, pods, pdbs, target, control_plane)
    entries, updates = [], []
    result = {"changed": False, "groups": entries, "updates": updates, "custom_amis": [], "blocked": [],
              "needs_action": [], "kubernetes_version": str(target)}
    for fact in facts:
        action, reason = logic.decide(fact, target, force=params["force"])
        entry = entry_of(fact, action, reason, target)
        entries.append(entry)
        if action == "custom_ami":
            result["custom_amis"].append(dict(logic.build_hint(fact, target), name=fact["name"], ami=fact["image_id"]))
        elif action == "blocked":
            result["blocked"].append({"name": fact["name"], "pdbs": fact["blockers"], "reason": reason})
        elif action == "needs_action":
            result["needs_action"].append({"name": fact["name"], "reason": reason})
        if action in ACTING and not entry["drain"]["drained"]:
            module.warn("Auto Scaling group %s: %s." % (fact["name"], entry["drain"]["note"]))
    result["changed"] = any(e["changed"] for e in entries)
    if module._diff:
        result["diff"] = {"before": {e["name"]: e["before"] for e in entries},
                          "after": {e["name"]: e["after"] for e in entries}}
    if module.check_mode:
        return result
    started = []
    try:
        for fact, entry in zip(facts, entries):
            if entry["action"] in ACTING:
                refresh_id, resumed = act(calls, fact, entry, params)
                entry["instance_refresh"] = {"id": refresh_id, "status": "InProgress"}
                started.append((fact, entry, refresh_id, resumed))
    except ModuleError as exc:
        updates.extend(refresh_record({"InstanceRefreshId": rid, "Status": "InProgress"}, f["name"], resumed=r)
                       for f, _e, rid, r in started)
        exc.details["result"] = result
        raise
    failures = []
    options = wait_options(params)
    for fact, entry, refresh_id, resumed in started:
        begun = time.monotonic()
        try:
            refresh = (wait_for_refresh(calls, fact["name"], refresh_id, logic.REFRESH_RUNNING, **options)
                       if params["wait"] else calls.instance_refresh(fact["name"], refresh_id))
        except ModuleError as exc:
            refresh = exc.details.get("instance_refresh") or {"InstanceRefreshId": refresh_id, "Status": "InProgress"}
            updates.append(refresh_record(refresh, fact["name"], resumed=resumed))
            failures.append(exc.message)
            continue
        failed = []
        if refresh.get("Status") not in logic.REFRESH_RUNNING:
            [group] = calls.describe_groups(names=[fact["name"]])
            failed = logic.outdated_instances(group, entry["after"]["launch_template_version"])
        record = refresh_record(refresh, fact["name"], failed, resumed)
        record["duration_s"] = round(time.monotonic() - begun, 1)
        updates.append(record)
        entry["instance_refresh"] = {key: record[key] for key in (
            "id", "status", "status_reason", "percentage_complete", "instances_to_update", "failed_instances")}
        if refresh.get("Status") not in logic.REFRESH_RUNNING and refresh.get("Status") != logic.REFRESH_SUCCESSFUL:
            failures.append("instance refresh %s of Auto Scaling group %s ended %s: %s (instances not replaced: %s)"
                            % (refresh_id, fact["name"], refresh.get("Status"), refresh.get("StatusReason")
                               or "no reason given", ", ".join(failed) or "none"))
    if failures:
        raise ModuleError("Self-managed node update failed: " + " | ".join(failures), {"result": result})
    return result


def main():
    spec = dict(
        version=dict(type="str"),
        auto_scaling_groups=dict(type="list", elements="str"),
        min_healthy_percentage=dict(type="int", default=90),
        instance_warmup=dict(type="int"),
        force=dict(type="bool", default=False),
    )
    spec.update(wait_argument_spec(timeout=5400))
    module = eks_module(spec)
    run(module, upgrade_self_managed)


if __name__ == "__main__":
    main()
