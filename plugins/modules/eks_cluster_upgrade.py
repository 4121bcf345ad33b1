#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_cluster_upgrade
short_description: Upgrade an EKS control plane to a target Kubernetes version, one minor at a time
version_added: 0.1.0
description:
  - Step 4 of AWS's I(Updating an Amazon EKS cluster Kubernetes version) procedure. The module brings the control
    plane to O(target_version) with one C(UpdateClusterVersion) per minor, waiting on C(DescribeUpdate) after each.
  - Before any change it plans the whole path with the procedure's skew rules. Managed and Fargate nodes must be on
    the control plane's minor before it moves, and kubelets may lag by at most three minors (two for 1.24 and older).
    It refuses a target that is lower than the current version, unknown to EKS, or unreachable within those rules.
  - With O(upgrade_nodegroups=true), managed node groups that the next hop needs on the control plane's minor are
    updated first (C(UpdateNodegroupVersion)), so the cluster never leaves the skew policy.
  - A custom-AMI node group is updated between hops only with a launch template version built for that hop's minor
    (O(nodegroup_launch_templates) with C(kubernetes_version)); the update then carries only the launch template.
    Without one, a path that needs the group updated is refused before any change.
  - Resumes instead of failing when an update is already in progress (a killed run, another operator). A rerun after
    success changes nothing.
  - A C(Failed) update fails the task with AWS's error codes and messages; the cluster stays on its previous version.
  - In check mode, returns the plan and sends no mutating call.
  - Each C(UpdateClusterVersion) carries the cluster name, the version, a C(clientRequestToken) and, only with
    O(force), C(force); nothing else. Settings such as C(deletionProtection) and C(controlPlaneScalingConfig) are
    left as they are, read before and after the hops and returned (RV(settings_left_alone)).
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  target_version:
    description:
      - The Kubernetes version to reach, V(MAJOR.MINOR), quoted in YAML (V('1.30')).
    type: str
    required: true
  upgrade_nodegroups:
    description:
      - Update managed node groups to the control plane's minor before a hop that needs them there.
      - When V(false), a path that needs node group updates is refused before any change.
    type: bool
    default: false
  nodegroup_force:
    description:
      - Send C(force) with node group updates, draining nodes even when PodDisruptionBudgets forbid it.
    type: bool
    default: false
  nodegroup_launch_templates:
    description:
      - Launch template version per node group, as O(lifecycle.eks.eks_nodegroup_upgrade#module:launch_templates).
        A mapping of node group name to its C(version) (such as V('7')) and optionally C(kubernetes_version).
      - An entry is sent with the node group update to its C(kubernetes_version) (without one, to O(target_version));
        between hops, only entries whose C(kubernetes_version) is the hop's minor are used.
      - Every launch template version the run will send is checked (C(DescribeLaunchTemplateVersions)) before the
        first change; not in check mode.
    type: dict
    default: {}
  plan:
    description:
      - The RV(lifecycle.eks.eks_upgrade_preflight#module:plan) a preflight computed for this cluster (from
        M(lifecycle.eks.eks_upgrade_preflight) or an entry of M(lifecycle.eks.eks_fleet_preflight)), passed unchanged.
        The module then follows it instead of gathering the cluster again; it reads only what may have changed
        since (C(DescribeCluster) for its version and status, and the update in progress when the cluster is
        C(UPDATING)).
      - Refused, before any change, when it was computed for another cluster, another O(target_version), other
        O(upgrade_nodegroups) or O(nodegroup_launch_templates), when its hops do not follow from what it records it
        was computed from, or when the control plane's version is no longer the one it starts from (rerun the
        preflight). When the version has moved to O(target_version) already (a rerun), or past a plan computed
        while an update was in progress (such a plan is provisional), the module plans again by itself.
      - Without it the module gathers the cluster and plans by itself.
    type: dict
  force:
    description:
      - Send C(force) with C(UpdateClusterVersion), overriding EKS upgrade-insight readiness errors.
      - An explicit opt-in; insights flagged ERROR usually mean workloads will break on the new version. The result
        records it (RV(force)) and, read just before each hop, the C(UPGRADE_READINESS) insights in C(ERROR) it went
        past (RV(overridden_insights)); this costs one C(ListInsights) per hop, only with O(force).
    type: bool
    default: false
  wait:
    description:
      - Wait for each update to finish. With V(false) the module starts the next hop only and returns its update id.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for each update. On timeout the update carries on in AWS; rerun the task to resume waiting.
    type: int
    default: 3600
  progress:
    description:
      - Record where the hops stand in the checkpoint store while the module runs, so that C(playbooks/status.yml)
        (M(lifecycle.eks.eks_checkpoint_info) with
        O(lifecycle.eks.eks_checkpoint_info#module:read_progress=true)) shows the hop a cluster is on.
      - A record is written when a hop starts and when its phase or update changes (V(node groups) for each node
        group the hop needs updated first, then V(updating) once C(UpdateClusterVersion) is sent, or when the module
        resumes an update in progress), never on a poll. It holds the hop's number and the number of hops (counted
        from the version the control plane had when the module started), the versions, the phase, the EKS update
        id, the node group, when the hop started and the run (RV(lifecycle.eks.eks_checkpoint_info#module:progress)).
      - It is kept beside the checkpoint, never in it (C(progress/CLUSTER.json) of the directory or the S3 prefix,
        the DynamoDB item C(progress/CLUSTER)); the steps a rerun skips are only those the playbook records.
      - The record is deleted when the module ends well; a run cut short (killed, or failed) leaves it, showing
        where it stopped, until a run of the step ends well.
      - A record that cannot be written is a warning, and no other is tried in this run; the upgrade goes on.
        Nothing is written in check mode.
      - With O(progress.backend=local) the module writes the directory of the host it runs on, as
        M(lifecycle.eks.eks_checkpoint) does (the controller, with the local connection of the C(upgrade) playbook).
      - Without it, nothing is recorded.
    type: dict
    suboptions:
      cluster:
        description: The name the checkpoint is kept under (O(lifecycle.eks.eks_checkpoint#module:cluster)).
        type: str
        required: true
      run_id:
        description: The run recording the progress, as the checkpoint records it.
        type: str
        required: true
      backend:
        description: Where checkpoints are kept (O(lifecycle.eks.eks_checkpoint#module:backend)).
        type: str
        choices: [local, s3, dynamodb]
        default: local
      path:
        description: The directory of the checkpoints, with O(progress.backend=local).
        type: path
      bucket:
        description: The S3 bucket, with O(progress.backend=s3).
        type: str
      key_prefix:
        description:
          - The prefix of the checkpoint objects, with O(progress.backend=s3); V(lifecycle-eks/checkpoints/) when
            not set or empty.
        type: str
      table:
        description: The DynamoDB table, with O(progress.backend=dynamodb).
        type: str
      region:
        description: The region of the bucket or the table; the cluster's (O(region)) when not set or empty.
        type: str
extends_documentation_fragment:
  - lifecycle.eks.cluster
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - lifecycle.eks.kube
  - kubernetes.core.k8s_auth_options
  - lifecycle.eks.wait
  - lifecycle.eks.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
notes:
  - Once a cluster is upgraded it cannot be downgraded, but EKS can roll the control plane back one minor within
    7 days (M(lifecycle.eks.eks_cluster_rollback)); each hop's RV(updates[].rollback_record) keeps what such a
    rollback needs. Test your workloads against the new version first.
  - Needs C(eks:DescribeCluster), C(eks:DescribeClusterVersions), C(eks:ListUpdates), C(eks:DescribeUpdate),
    C(eks:UpdateClusterVersion), C(eks:ListNodegroups), C(eks:DescribeNodegroup), C(eks:ListAddons),
    C(eks:DescribeAddon) (and C(eks:UpdateNodegroupVersion) with O(upgrade_nodegroups), C(ec2:DescribeLaunchTemplateVersions)
    with O(nodegroup_launch_templates), C(eks:ListInsights) with O(force)), and Kubernetes C(list nodes).
"""

EXAMPLES = r"""
- name: Upgrade the control plane to 1.30
  lifecycle.eks.eks_cluster_upgrade:
    cluster_name: prod-eu
    target_version: "1.30"

- name: Two hops, bringing node groups up between them
  lifecycle.eks.eks_cluster_upgrade:
    cluster_name: staging
    target_version: "1.31"
    upgrade_nodegroups: true
    wait_timeout: 2700
  register: upgrade

- name: Follow the plan the preflight computed (no second gathering of the cluster)
  lifecycle.eks.eks_cluster_upgrade:
    cluster_name: staging
    target_version: "1.31"
    upgrade_nodegroups: true
    plan: "{{ preflight.plan }}"

- name: Show the plan only
  lifecycle.eks.eks_cluster_upgrade:
    cluster_name: staging
    target_version: "1.31"
  check_mode: true
"""

RETURN = r"""
plan:
  description: The path to O(target_version), as M(lifecycle.eks.eks_version_skew_facts) returns it.
  returned: always
  type: dict
  sample: {"current": "1.28", "target": "1.30", "feasible": true, "hops": [{"from_version": "1.28", "to_version": "1.29", "nodegroups_before": ["general"]}]}
updates:
  description: Every update this run started or resumed, in order (node group updates between hops included).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: EKS update id.
      type: str
    type:
      description: V(VersionUpdate) for the control plane, V(VersionUpdate) with a node group subject for node groups.
      type: str
    subject:
      description: What was updated, C(cluster NAME) or C(node group NG).
      type: str
    from:
      description: Version before the update.
      type: str
    to:
      description: Version the update moves to.
      type: str
    status:
      description: Final status, V(Successful), V(Failed), V(Cancelled), or V(InProgress) when not waited for.
      type: str
    duration_s:
      description: Seconds this run spent on the update.
      type: float
    errors:
      description: AWS's errors of the update (errorCode, errorMessage, resourceIds).
      type: list
    resumed:
      description: Whether the update was already in progress when the module started.
      type: bool
    rollback_record:
      description:
        - On each control plane hop, what a rollback of that hop needs, read just before the hop started.
          EKS can roll the control plane back one minor within 7 days (M(lifecycle.eks.eks_cluster_rollback)), but
          it does not roll add-ons or node groups back; these are their versions before the hop.
      type: dict
      returned: on control plane hops this run started or joined
      contains:
        cluster:
          description: Cluster name.
          type: str
        from_version:
          description: Control plane version before the hop, the version a rollback returns to.
          type: str
        to_version:
          description: Control plane version after the hop.
          type: str
        recorded_at:
          description: When the record was taken (ISO 8601, UTC); the rollback window closes 7 days after the upgrade.
          type: str
        addons:
          description: EKS add-on versions by add-on name.
          type: dict
        nodegroups:
          description: Managed node groups by name, each with C(version) and C(release_version).
          type: dict
      sample:
        cluster: prod-eu
        from_version: "1.29"
        to_version: "1.30"
        recorded_at: "2026-11-24T10:00:00+00:00"
        addons: {"kube-proxy": "v1.29.0-eksbuild.1"}
        nodegroups: {"general": {"version": "1.29", "release_version": "1.29.15-20251103"}}
planned_by:
  description:
    - V(preflight) when the module followed the O(plan) it was given, V(module) when it gathered the cluster and
      planned by itself (no O(plan), or a provisional one the version has moved past).
  returned: always
  type: str
  sample: preflight
force:
  description: Whether O(force) was set, so the report shows that readiness errors were overridden on request.
  returned: always
  type: bool
  sample: true
overridden_insights:
  description:
    - With O(force), the C(UPGRADE_READINESS) insights in C(ERROR) for each hop's version, read just before the hop
      this run started (C(kubernetes_version), C(id), C(name), C(status), C(reason)). Empty without O(force), in
      check mode, and when no insight was in error.
  returned: always
  type: list
  elements: dict
  sample: [{"kubernetes_version": "1.30", "id": "5b2c7f0e-...", "name": "Deprecated APIs removed in Kubernetes v1.30",
            "status": "ERROR", "reason": "Deprecated API usage detected within last 30 days."}]
settings_left_alone:
  description:
    - Cluster settings the upgrade never changes, as C(DescribeCluster) reported them when the module started
      (C(before)) and after the last hop (C(after), the same read when no hop was sent), each with
      C(deletion_protection) and C(control_plane_scaling_tier) (null when EKS does not report it).
    - When they differ, someone else changed them during the upgrade; the module warns.
  returned: always
  type: dict
  sample: {"before": {"deletion_protection": true, "control_plane_scaling_tier": "tier-xl"},
           "after": {"deletion_protection": true, "control_plane_scaling_tier": "tier-xl"}}
version_before:
  description: Control plane version when the module started.
  returned: always
  type: str
  sample: "1.28"
version_after:
  description: Control plane version when the module ended (the planned version in check mode).
  returned: always
  type: str
  sample: "1.30"
diff:
  description: Control plane and node group versions before and after.
  returned: when diff mode is on
  type: dict
progress_writes:
  description:
    - Progress records written into the checkpoint store (O(progress)); 0 without it and in check mode. After a
      write that failed (a warning says why) no other is tried.
  returned: success
  type: int
  sample: 3
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

from ansible_collections.lifecycle.eks.plugins.module_utils import handover, launch_templates
from ansible_collections.lifecycle.eks.plugins.module_utils.aws import Clients
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_progress import (
    NODEGROUPS,
    UPDATING,
    ProgressRecorder,
    progress_argument_spec,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_store import DEFAULT_KEY_PREFIX, open_store
from ansible_collections.lifecycle.eks.plugins.module_utils.cluster_settings import (
    changed_behind_our_back,
    settings_left_alone,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.gather import gather
from ansible_collections.lifecycle.eks.plugins.module_utils.insights import UPGRADE_READINESS, overridden_by_force
from ansible_collections.lifecycle.eks.plugins.module_utils.operations import (
    find_in_progress,
    param,
    record,
    see_through,
    wait_argument_spec,
    wait_options,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.rollback import snapshot
from ansible_collections.lifecycle.eks.plugins.module_utils.runner import eks_module, run
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import parse_kube_version, parse_target_version

RESOURCE_IN_USE = "ResourceInUseException"
OPTION = "nodegroup_launch_templates"


class Upgrade:
    """One run of the module against one cluster."""

    def __init__(self, module, clients):
        self.module = module
        self.clients = clients
        self.name = module.params["cluster_name"]
        self.options = wait_options(module.params)
        self.updates = []
        self.overridden_insights = []  # what force went past, hop by hop
        self.version_before = None  # the control plane's version when the module started: hops count from it
        target = parse_target_version(module.params["target_version"])
        self.target = target
        self.progress = ProgressRecorder(None if module.check_mode else module.params["progress"], target,
                                         lambda params: progress_store(module, params), module.warn)

    def record_progress(self, to_version, phase, update_id=None, nodegroup=None):
        """The progress record of the hop to ``to_version`` (one minor each: its number counts from where the
        control plane was when the module started)."""
        before = parse_kube_version(self.version_before)
        to = parse_kube_version(to_version)
        index, total = before.distance(to), before.distance(self.target)
        if 0 < index <= total:  # an update someone else started past the target is not one of our hops
            self.progress.hop(index, total, str(to + -1), str(to), phase, update_id=update_id, nodegroup=nodegroup)

    def resume_in_progress(self):
        """Wait for a version update already running (ours from a killed run, or another operator's)."""
        update = find_in_progress(self.clients, self.name, update_type="VersionUpdate")
        if update is None:
            return False
        before = self.clients.describe_cluster(self.name)["version"]
        if self.module.check_mode:
            self.updates.append(record(update, "cluster %s" % self.name, before, resumed=True))
            return True
        if param(update, "Version"):
            self.record_progress(param(update, "Version"), UPDATING, update_id=update["id"])
        self.updates.append(self._see_through(update, "cluster %s" % self.name, before, resumed=True))
        return True

    def _see_through(self, update, subject, before, nodegroup=None, resumed=False):
        try:
            return see_through(self.clients, self.name, update, subject, before, self.options,
                               nodegroup=nodegroup, resumed=resumed)
        except ModuleError as exc:
            if "update" in exc.details:
                self.updates.append(exc.details.pop("update"))
            exc.details["result"] = self.partial()
            raise

    def partial(self):
        return {"updates": self.updates, "changed": bool(self.updates)}

    def update_nodegroup(self, group, version, entry=None, hop_to=None):
        """One node group to ``version`` before a hop; a custom AMI by its launch template version only."""
        if group["custom_ami"] and entry is None:  # the plan never asks this: it would have been a blocker
            raise ModuleError("Node group %s of cluster %s uses a custom AMI and no launch template version for %s is "
                              "given (%s)." % (group["name"], self.name, version, OPTION),
                              {"result": self.partial()})
        update = self.clients.update_nodegroup_version(
            self.name, group["name"], version=None if group["custom_ami"] else version,
            launch_template=launch_templates.payload(group, entry) if entry is not None else None,
            force=self.module.params["nodegroup_force"])
        if hop_to is not None:
            self.record_progress(hop_to, NODEGROUPS, update_id=update["id"], nodegroup=group["name"])
        self.updates.append(self._see_through(update, "node group %s" % group["name"], group["version"],
                                              nodegroup=group["name"]))

    def hop(self, from_version, to_version):
        """One UpdateClusterVersion; its update entries carry the rollback record taken just before it."""
        rollback_record = snapshot(self.clients, self.name, from_version, to_version)
        if self.module.params["force"]:
            # Read now: EKS evaluates the insights of the next minor only, so each hop has its own.
            self.overridden_insights.extend(overridden_by_force(self.clients.list_insights(
                self.name, kubernetes_version=to_version, categories=[UPGRADE_READINESS]), to_version))
        first = len(self.updates)
        try:
            self._hop(from_version, to_version)
        finally:
            for entry in self.updates[first:]:
                if entry.get("to") == to_version:
                    entry["rollback_record"] = rollback_record

    def _hop(self, from_version, to_version):
        subject = "cluster %s" % self.name
        try:
            update = self.clients.update_cluster_version(self.name, to_version, force=self.module.params["force"])
        except ModuleError as exc:
            if exc.error_code != RESOURCE_IN_USE:
                exc.details["result"] = self.partial()
                raise
            # Another change is running (a concurrent operator): wait it out, then re-read.
            running = find_in_progress(self.clients, self.name)
            if running is not None:
                if running.get("type") == "VersionUpdate" and param(running, "Version") == to_version:
                    self.record_progress(to_version, UPDATING, update_id=running["id"])
                self.updates.append(self._see_through(running, subject, from_version, resumed=True))
            if self.clients.describe_cluster(self.name)["version"] == to_version:
                return
            update = self.clients.update_cluster_version(self.name, to_version, force=self.module.params["force"])
        self.record_progress(to_version, UPDATING, update_id=update["id"])
        if not self.module.params["wait"]:
            self.updates.append(record(update, subject, from_version, started=time.monotonic()))
            return
        self.updates.append(self._see_through(update, subject, from_version))


def plan_for(clients, module, name, target, cluster, entries):
    """Gather what the planner needs and plan (without a handed-over plan, or when it was provisional)."""
    facts = gather(clients, module.params, name, frozenset(("nodegroups", "nodes")), target=target, cluster=cluster)
    for warning in launch_templates.check_nodegroups(entries, facts["nodegroups"], name, OPTION):
        module.warn(warning)
    known = [v["clusterVersion"] for v in clients.describe_cluster_versions(include_all=True)]
    if str(target) not in known:
        raise ModuleError("Kubernetes %s is unknown to Amazon EKS (known: %s)." % (target, ", ".join(
            sorted(known, key=parse_kube_version))), {"result": {"changed": False}})
    skew_input = launch_templates.with_launch_templates(facts["skew_input"], entries, target)
    return handover.plan_of(skew_input, target, module.params["upgrade_nodegroups"], known), facts["nodegroups"]


def between_hops(plan, groups, entries, target):
    """(group, version, launch template entry or None) of every node group update the hops start with, in order."""
    for hop in plan.hops:
        for name in hop.nodegroups_before:
            entry = entries.get(name)
            applies = entry is not None and entry.applies_to(hop.from_version, target)
            yield hop, groups[name], entry if applies else None


def upgrade(module, clients):
    name = module.params["cluster_name"]
    target = parse_target_version(module.params["target_version"])
    entries = launch_templates.parse(module.params[OPTION], OPTION)  # malformed: refused before any call
    run_ = Upgrade(module, clients)
    # With a handed-over plan this read and, when the cluster is UPDATING, the in-progress update are all that is
    # read again: the rest was gathered by the preflight that computed the plan.
    cluster = clients.describe_cluster(name)
    version_before = run_.version_before = cluster["version"]
    if target < parse_kube_version(version_before):
        raise ModuleError("Target %s is lower than cluster %s's version %s: EKS clusters cannot be downgraded."
                          % (target, name, version_before), {"result": {"changed": False}})
    handed = None
    if module.params["plan"]:
        handed = handover.accept(module.params["plan"], cluster, target, module.params["upgrade_nodegroups"],
                                 entries)
    if cluster.get("status") == "UPDATING" and run_.resume_in_progress():
        cluster = clients.describe_cluster(name)
    if handed is not None and cluster["version"] == str(handed[0].current):
        (plan, nodegroups), planned_by = handed, "preflight"
    else:  # no plan given, or the version moved (an update that was in progress finished): plan here
        (plan, nodegroups), planned_by = plan_for(clients, module, name, target, cluster, entries), "module"
    settings = settings_left_alone(cluster)
    result = {"plan": plan.to_dict(), "version_before": version_before, "updates": run_.updates,
              "force": module.params["force"], "overridden_insights": run_.overridden_insights,
              "planned_by": planned_by, "settings_left_alone": {"before": settings, "after": settings}}
    if not plan.feasible:
        reasons = "; ".join("%s: %s %s" % (b.id, b.reason, b.remediation) for b in plan.blockers)
        raise ModuleError("No legal upgrade path from %s to %s for cluster %s: %s"
                          % (plan.current, target, name, reasons),
                          {"blockers": [b.to_dict() for b in plan.blockers], "result": dict(result, changed=False)})
    before_groups = {ng["name"]: ng["version"] for ng in nodegroups}
    after_groups = dict(before_groups)
    for hop in plan.hops:
        for group in hop.nodegroups_before:
            after_groups[group] = str(hop.from_version)
    changed = bool(plan.hops) or bool(run_.updates)
    result.update(changed=changed, version_after=str(target) if plan.hops else cluster["version"])
    if module._diff:
        result["diff"] = {"before": {"version": version_before, "nodegroups": before_groups},
                          "after": {"version": result["version_after"], "nodegroups": after_groups}}
    if module.check_mode or not plan.hops:
        result["progress_writes"] = run_.progress.writes  # an update resumed above
        run_.progress.finish()
        return result
    hops = plan.hops if module.params["wait"] else plan.hops[:1]
    groups = {ng["name"]: dict(ng) for ng in nodegroups}
    node_updates = list(between_hops(plan, groups, entries, target))
    # Launch template versions that don't exist fail here, before the first change.
    launch_templates.check_versions_exist(clients, name, [(group, entry) for hop, group, entry in node_updates
                                                          if entry is not None and hop in hops], OPTION)
    try:
        for hop in hops:
            first_groups = [u for u in node_updates if u[0] == hop]
            if first_groups:
                run_.record_progress(str(hop.to_version), NODEGROUPS)
            for _hop, group, entry in first_groups:
                run_.update_nodegroup(group, str(hop.from_version), entry, hop_to=str(hop.to_version))
                group["version"] = str(hop.from_version)
            run_.hop(str(hop.from_version), str(hop.to_version))
        after = clients.describe_cluster(name)
        result["version_after"] = after["version"]
    except ModuleError as exc:
        # Any call failing after the first change (a node group update, a read between hops) still reports the
        # updates started so far and the plan; not version_after, which was the planned version.
        exc.details["result"] = dict({k: v for k, v in result.items() if k != "version_after"}, **run_.partial())
        raise
    result["progress_writes"] = run_.progress.writes
    run_.progress.finish()
    result["settings_left_alone"]["after"] = settings_left_alone(after)
    for warning in changed_behind_our_back(name, settings, result["settings_left_alone"]["after"]):
        module.warn(warning)
    return result


def progress_store(module, params):
    """The checkpoint store the ``progress`` option names; S3 and DynamoDB on clients of the store's region (the
    cluster's when not given), counted apart from the cluster's calls."""
    params = dict(params, key_prefix=params.get("key_prefix") or DEFAULT_KEY_PREFIX)
    return open_store(params, lambda: Clients(module, region=params.get("region")))


def main():
    spec = dict(
        target_version=dict(type="str", required=True),
        upgrade_nodegroups=dict(type="bool", default=False),
        nodegroup_force=dict(type="bool", default=False),
        force=dict(type="bool", default=False),
        plan=dict(type="dict"),
        progress=dict(type="dict", options=progress_argument_spec()),
    )
    spec.update(launch_templates.argument_spec(OPTION))
    spec.update(wait_argument_spec())
    module = eks_module(spec)
    run(module, upgrade)


if __name__ == "__main__":
    main()
