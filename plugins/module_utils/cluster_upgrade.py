# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The control-plane step of one cluster (eks_cluster_upgrade): its options and its run, ``upgrade(module, clients)``.

Here rather than in the module so that lifecycle.eks.eks_wave runs it too, for each cluster of a wave in one process
(module_utils/wave.py): a module file is not shipped with another module, module_utils are.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.lifecycle.eks.plugins.module_utils import handover, launch_templates, step_checkpoint
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_progress import (
    NODEGROUPS,
    UPDATING,
    ProgressRecorder,
    progress_argument_spec,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.cluster_settings import (
    changed_behind_our_back,
    settings_left_alone,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.coredns_corefile import fix_corefile
from ansible_collections.lifecycle.eks.plugins.module_utils.gather import gather
from ansible_collections.lifecycle.eks.plugins.module_utils.insights import UPGRADE_READINESS, overridden_by_force
from ansible_collections.lifecycle.eks.plugins.module_utils.operations import (
    find_in_progress,
    param,
    record,
    see_through,
    see_through_or_report,
    wait_argument_spec,
    wait_options,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.rollback import snapshot
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import parse_kube_version, parse_target_version

RESOURCE_IN_USE = "ResourceInUseException"
OPTION = "nodegroup_launch_templates"


def argument_spec():
    """eks_cluster_upgrade's own options (runner.module_argument_spec adds the cluster and Kubernetes ones)."""
    spec = dict(
        target_version=dict(type="str", required=True),
        upgrade_nodegroups=dict(type="bool", default=False),
        nodegroup_force=dict(type="bool", default=False),
        force=dict(type="bool", default=False),
        fix_coredns_upstream=dict(type="bool", default=False),
        plan=dict(type="dict"),
        progress=dict(type="dict", options=progress_argument_spec()),
    )
    spec.update(step_checkpoint.checkpoint_argument_spec())
    spec.update(launch_templates.argument_spec(OPTION))
    spec.update(wait_argument_spec())
    return spec


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
        self.last_hop_seconds = None  # how long this run's last hop took, as its polls saw it
        target = parse_target_version(module.params["target_version"])
        self.target = target
        self.progress = ProgressRecorder(None if module.check_mode else module.params["progress"], target,
                                         lambda params: step_checkpoint.store_of(module, params), module.warn)

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

    def _see_through(self, update, subject, before, nodegroup=None, resumed=False, first_delay=None):
        try:
            return see_through(self.clients, self.name, update, subject, before, self.options,
                               nodegroup=nodegroup, resumed=resumed, first_delay=first_delay)
        except ModuleError as exc:
            if "update" in exc.details:
                self.updates.append(exc.details.pop("update"))
            exc.details["result"] = self.partial()
            raise

    def partial(self):
        return {"updates": self.updates, "changed": bool(self.updates)}

    def update_nodegroups(self, groups, hop_to):
        """The node groups behind a hop's ``from`` version, ``(group, version, launch template entry or None)``
        each, brought level before it: all started, then waited on, as eks_nodegroup_upgrade does after the hops
        (EKS updates a cluster's node groups side by side). A custom AMI moves by its launch template version only.

        One failing does not leave the others unwatched: each is seen through and reported, then the failures are
        raised together (the hop does not start).
        """
        for group, version, entry in groups:
            if group["custom_ami"] and entry is None:  # the plan never asks this: it would have been a blocker
                raise ModuleError("Node group %s of cluster %s uses a custom AMI and no launch template version for "
                                  "%s is given (%s)." % (group["name"], self.name, version, OPTION),
                                  {"result": self.partial()})
        started, subject = [], "node group %s"
        try:
            for group, version, entry in groups:
                update = self.clients.update_nodegroup_version(
                    self.name, group["name"], version=None if group["custom_ami"] else version,
                    launch_template=launch_templates.payload(group, entry) if entry is not None else None,
                    force=self.module.params["nodegroup_force"])
                self.record_progress(hop_to, NODEGROUPS, update_id=update["id"], nodegroup=group["name"])
                started.append((group, version, update, time.monotonic()))
        except ModuleError as exc:
            self.updates.extend(record(update, subject % group["name"], group["version"], started=at)
                                for group, _version, update, at in started)
            exc.details["result"] = self.partial()
            raise
        failures, aws_errors = [], []
        for group, version, update, at in started:
            seen, error = see_through_or_report(self.clients, self.name, update, subject % group["name"],
                                                group["version"], self.options, nodegroup=group["name"], started=at)
            self.updates.append(seen)
            if error is not None:
                aws_errors.extend(error.details.get("aws_errors") or [])
                failures.append(error)
                continue
            group["version"] = version
        if failures:
            details = dict(failures[0].details, result=self.partial(), aws_errors=aws_errors)
            details.pop("update", None)
            raise ModuleError(" | ".join(exc.message for exc in failures), details)

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
        # The hops of a cluster take about as long as each other: the next is first polled when the one before had
        # taken (its duration as seen), not 5 s in, so that its early polls do not use up the budget (6 a minute)
        # and hold back the poll that sees it end.
        seen = self._see_through(update, subject, from_version, first_delay=self.last_hop_seconds)
        self.last_hop_seconds = seen.get("duration_s")
        self.updates.append(seen)


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


def finished_data(result):
    """The control-plane step's checkpoint record once the control plane runs the target (not after one hop of
    wait=false)."""
    if result["version_after"] != result["plan"]["target"]:
        return None
    return {"version": result["version_after"], "version_before": result["version_before"],
            "update_ids": step_checkpoint.update_ids(result)}


@step_checkpoint.recording("control_plane", finished_data)
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
    version_after = str(target) if plan.hops else cluster["version"]  # planned; read again after the hops below
    diff = {"before": {"version": version_before, "nodegroups": before_groups},
            "after": {"version": version_after, "nodegroups": after_groups}}
    # Procedure step 3: before the control plane moves (an option here rather than a task of its own for each
    # cluster, which playbooks/upgrade.yml would run, or skip, for every cluster of a wave).
    result["coredns_upstream_removed"] = False
    if module.params["fix_coredns_upstream"]:
        corefile = fix_corefile(module.params, clients, True, module.check_mode, True)
        result["coredns_upstream_removed"] = corefile["changed"]
        diff = [diff, corefile["diff"]]  # the Corefile as text, shown line by line
    changed = bool(plan.hops) or bool(run_.updates) or result["coredns_upstream_removed"]
    result.update(changed=changed, version_after=version_after)
    if module._diff:
        result["diff"] = diff
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
            first_groups = [(group, str(hop.from_version), entry) for u_hop, group, entry in node_updates
                            if u_hop == hop]
            if first_groups:
                run_.record_progress(str(hop.to_version), NODEGROUPS)
                run_.update_nodegroups(first_groups, str(hop.to_version))
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
