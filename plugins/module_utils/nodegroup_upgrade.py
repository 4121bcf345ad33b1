# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""eks_nodegroup_upgrade's body: one cluster's managed node groups to a version, run by the module alone or by
lifecycle.eks.eks_wave for a wave of clusters (module_utils/wave.py)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.lifecycle.eks.plugins.module_utils import gpu, gpu_kube, launch_templates, step_checkpoint
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.gather import summarize_nodegroup
from ansible_collections.lifecycle.eks.plugins.module_utils.kube import KubeApis, kube_client, require_kubernetes
from ansible_collections.lifecycle.eks.plugins.module_utils.operations import (
    find_in_progress,
    record,
    see_through,
    see_through_or_report,
    wait_argument_spec,
    wait_options,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import parse_kube_version, parse_target_version

STRATEGY_HEADER = "updateConfig.updateStrategy of the GPU node groups to update"


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


def plan_entry(group, action, reason, template, version, strategy, needs_action, needs_template):
    """The result entry of one node group, as planned (check mode stops there)."""
    entry = {"name": group["name"], "before": group["version"], "after": group["version"],
             "changed": action in ("update", "resume"), "action": action, "gpu": gpu.is_gpu_nodegroup(group)}
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
        if strategy and entry["gpu"]:
            entry["update_strategy"] = {"before": gpu.update_strategy_of(group["update_config"]), "after": strategy}
    return entry


def diff_of(results, strategy):
    versions = {"before": {e["name"]: e["before"] for e in results}, "after": {e["name"]: e["after"] for e in results}}
    if not strategy:
        return versions
    strategies = [e for e in results if "update_strategy" in e]
    return [versions, {"before_header": STRATEGY_HEADER, "after_header": STRATEGY_HEADER,
                       "before": {e["name"]: e["update_strategy"]["before"] for e in strategies},
                       "after": {e["name"]: e["update_strategy"]["after"] for e in strategies}}]


def set_update_strategies(clients, name, decisions, results, updates, options):
    """UpdateNodegroupConfig for each GPU node group whose update strategy changes, each seen through before the
    node group's version update (EKS runs one update of a node group at a time)."""
    started = []
    for (group, _action, _reason, _template), entry in zip(decisions, results):
        change = entry.get("update_strategy")
        if change and change["before"] != change["after"]:
            config = gpu.update_config_with(group["update_config"], change["after"])
            started.append((group, clients.update_nodegroup_config(name, group["name"], config), time.monotonic()))
    for group, update, started_at in started:
        updates.append(see_through(clients, name, update, "node group %s update strategy" % group["name"],
                                   gpu.update_strategy_of(group["update_config"]), options,
                                   nodegroup=group["name"], started=started_at))


class GpuVerification:
    """The GPU node groups to verify after their update: those whose GPU nodes advertised nvidia.com/gpu before it.

    The Kubernetes client is built only when a GPU node group is updated.
    """

    def __init__(self, module, clients, cluster, results):
        params = module.params
        self.timeout = params["gpu_allocatable_timeout"]
        self.skipped = {}
        self.apis = None
        updated = [e for e in results if e["gpu"] and e["action"] in ("update", "resume")]
        if not updated or not params["verify_gpu_allocatable"] or not params["wait"]:
            for entry in updated:
                entry["gpu_allocatable"] = {"status": "not verified", "reason": "verify_gpu_allocatable is false"
                                            if not params["verify_gpu_allocatable"] else "wait is false"}
            return
        require_kubernetes(module)  # needed for GPU node groups only
        self.apis = KubeApis(kube_client(params, clients=clients, cluster=cluster))
        for entry in updated:
            nodes = gpu_kube.gpu_nodes_of(gpu_kube.nodegroup_nodes(self.apis, entry["name"]), True)
            if not any(n["allocatable"] for n in nodes):
                self.skipped[entry["name"]] = (
                    "no GPU node of the node group advertised %s allocatable before the update (no device plugin, or "
                    "GPUs handed out by a DRA driver)" % gpu.GPU_RESOURCE if nodes
                    else "the node group had no GPU node")

    def after_update(self, entry, missing):
        """Verify one GPU node group after its update succeeded; its nodes without GPUs go into ``missing``."""
        if self.apis is None or not entry["gpu"]:
            return
        if entry["name"] in self.skipped:
            entry["gpu_allocatable"] = {"status": "not verified", "reason": self.skipped[entry["name"]]}
            return
        entry["gpu_allocatable"] = gpu_kube.verify_allocatable(self.apis, entry["name"], self.timeout)
        missing.extend(dict(m, nodegroup=entry["name"]) for m in entry["gpu_allocatable"].get("missing", []))

    def failure(self, missing):
        groups = sorted({m["nodegroup"] for m in missing})
        return ("GPU nodes of node group(s) %s do not advertise %s allocatable %d s after the update: %s. A GPU is "
                "usable once the NVIDIA device plugin runs on its node: make its DaemonSet tolerate the GPU nodes' "
                "taints and select them (check gpu-device-plugin-scheduling of eks_upgrade_preflight says how)."
                % (", ".join(groups), gpu.GPU_RESOURCE, self.timeout,
                   "; ".join("%s (%s)" % (m["node"], "; ".join(m["reasons"])) for m in missing)))


def finished_data(result):
    """The node group step's checkpoint record, unless node groups are left behind (a custom AMI without a launch
    template version for the minor...): those need people first."""
    if result["needs_action"] or result["needs_launch_template"]:
        return None
    return {"nodegroups": {group["name"]: group["after"] for group in result["nodegroups"]},
            "update_ids": step_checkpoint.update_ids(result)}


@step_checkpoint.recording("nodegroups", finished_data)
def upgrade_nodegroups(module, clients):
    params = module.params
    entries = launch_templates.parse(params["launch_templates"])  # malformed: refused before any call
    strategy = (params["gpu_update_strategy"] or "").upper() or None
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
        if action == "update" and entry is not None
        and entry.version != (group["launch_template"] or {}).get("version")])
    options = wait_options(params)
    updates, needs_action, needs_template, started, missing = [], [], [], [], []
    results = [plan_entry(group, action, reason, template, version, strategy, needs_action, needs_template)
               for group, action, reason, template in decisions]
    result = {"changed": any(e["changed"] for e in results), "nodegroups": results, "updates": updates,
              "needs_action": needs_action, "needs_launch_template": needs_template, "gpu_nodes_missing": missing,
              "auto_mode": bool((cluster.get("computeConfig") or {}).get("enabled"))}
    if module._diff:
        result["diff"] = diff_of(results, strategy)
    if module.check_mode:
        return result
    try:
        verification = GpuVerification(module, clients, cluster, results)
        set_update_strategies(clients, name, decisions, results, updates, options)
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
            started.append((group, update, action == "resume", time.monotonic(), entry))
    except ModuleError as exc:
        # The node groups already updating are reported as a run without waiting reports them.
        updates.extend(record(update, "node group %s" % group["name"], group["version"], resumed=resumed)
                       for group, update, resumed, _at, _entry in started)
        exc.details["result"] = result
        raise
    failures, aws_errors = [], []
    for group, update, resumed, started_at, entry in started:
        subject = "node group %s" % group["name"]
        if not params["wait"]:
            updates.append(record(update, subject, group["version"], resumed=resumed))
            continue
        seen, error = see_through_or_report(clients, name, update, subject, group["version"], options,
                                            nodegroup=group["name"], resumed=resumed, started=started_at)
        updates.append(seen)
        if error is not None:
            aws_errors.extend(error.details.get("aws_errors") or [])
            failures.append(error.message)
            continue
        try:
            verification.after_update(entry, missing)
        except ModuleError as exc:  # the Kubernetes API failed: the update itself succeeded
            failures.append(exc.message)
    if missing:
        failures.append(verification.failure(missing))
    if failures:
        raise ModuleError("Node group update failed: " + " | ".join(failures),
                          {"result": result, "aws_errors": aws_errors})
    return result


def argument_spec():
    """eks_nodegroup_upgrade's own options (runner.module_argument_spec adds the cluster and Kubernetes ones)."""
    spec = dict(
        nodegroups=dict(type="list", elements="str"),
        version=dict(type="str"),
        release_version=dict(type="str"),
        force=dict(type="bool", default=False),
        verify_gpu_allocatable=dict(type="bool", default=True),
        gpu_allocatable_timeout=dict(type="int", default=600),
        gpu_update_strategy=dict(type="str", choices=["default", "minimal"]),
    )
    spec.update(launch_templates.argument_spec("launch_templates"))
    spec.update(wait_argument_spec(timeout=5400))
    spec.update(step_checkpoint.checkpoint_argument_spec())
    return spec
