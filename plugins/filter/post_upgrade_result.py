# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters lifecycle.eks.post_upgrade_result, post_upgrade_messages, cluster_autoscaler_result and
post_upgrade_wave_entries: what the post_upgrade role publishes of its steps, what it tells people to do, its Cluster
Autoscaler step's result, and the options of the steps it runs for the wave in one call.

Python rather than Jinja in the role's per-host tasks: ansible-core compiles a task's templates again in each forked
worker, while the collection's filters are loaded once in ansible-playbook's main process before the workers fork."""
from __future__ import annotations

from collections.abc import MutableMapping

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean


def _skipped(result):
    """Ansible's `skipped` test: a registered result whose task did not run (or the role's stand-in for it)."""
    if not isinstance(result, MutableMapping):
        raise AnsibleFilterError("The 'skipped' test expects a dictionary")
    return bool(result.get("skipped"))


def _ran(result):
    """The registered result, or an empty dict when its task was skipped."""
    return {} if _skipped(result) else result


def _names_of_kind(nodes, kind):
    return [node["name"] for node in nodes if node.get("kind") == kind]


def post_upgrade_result(minor, nodegroups, planned_nodegroups, skew, self_managed, stale_nodes, cluster_autoscaler,
                        nvidia_device_plugin, addons):
    """post_upgrade_result from the steps' registered results (a skipped step's, or an empty dict, gives nothing)
    and the nodes still behind the control plane's ``minor``."""
    nodegroups, addons = dict(nodegroups or {}), dict(addons or {})
    stale_nodes = list(stale_nodes)
    steps = [nodegroups, self_managed, skew, cluster_autoscaler, nvidia_device_plugin]
    return {
        "control_plane_version": minor,
        "nodegroups": nodegroups.get("nodegroups", []),
        "planned_nodegroups": planned_nodegroups,
        "nodegroup_updates": nodegroups.get("updates", []),
        "nodegroups_needing_action": nodegroups.get("needs_action", []),
        "nodegroups_needing_launch_template": nodegroups.get("needs_launch_template", []),
        "node_provisioners": skew["ansible_facts"]["eks_version_skew"]["node_provisioners"],
        "self_managed_nodes": _ran(self_managed),
        "self_managed_nodes_to_update": _names_of_kind(stale_nodes, "self_managed"),
        "fargate_pods_to_redeploy": _names_of_kind(stale_nodes, "fargate"),
        # EKS Hybrid Nodes: upgraded on each machine with nodeadm, which nothing here runs
        "hybrid_nodes_to_upgrade": _names_of_kind(stale_nodes, "hybrid"),
        "cluster_autoscaler": _ran(cluster_autoscaler),
        "nvidia_device_plugin": _ran(nvidia_device_plugin),
        "addons": addons.get("addons", []),
        "addon_updates": addons.get("updates", []),
        "kube_retries": sum(step.get("kube_retries", 0) for step in steps),
    }


def post_upgrade_messages(result):
    """What remains for people to do after post_upgrade (``result`` is post_upgrade_result): what to set when no
    Cluster Autoscaler release was found or the shipped table answered, which launch template versions to create,
    what Karpenter and EKS Auto Mode do with their nodes, and what to do with self-managed and hybrid nodes and
    Fargate pods. Empty when nothing remains."""
    minor = result["control_plane_version"]
    autoscaler_warnings = result["cluster_autoscaler"].get("warnings", [])
    launch_templates = result["nodegroups_needing_launch_template"]
    messages = [warning["message"] for warning in autoscaler_warnings]
    messages += [warning["remediation"] for warning in autoscaler_warnings]
    messages += [group["remediation"] for group in launch_templates]
    if launch_templates:
        messages.append("launch_templates is set by eks_nodegroup_launch_templates in the inventory.")
    messages += result["node_provisioners"]["messages"]
    if result["self_managed_nodes_to_update"]:
        messages.append("Self-managed nodes below %s: %s (replace them with nodes on %s, see 'Self-managed node "
                        "updates')." % (minor, ", ".join(map(str, result["self_managed_nodes_to_update"])), minor))
    if result["hybrid_nodes_to_upgrade"]:
        messages.append("Hybrid nodes below %s: %s (on each, one at a time, after kubectl drain, as root: nodeadm "
                        "upgrade %s --config-source file://nodeConfig.yaml; lifecycle.eks runs nothing on them)."
                        % (minor, ", ".join(map(str, result["hybrid_nodes_to_upgrade"])), minor))
    if result["fargate_pods_to_redeploy"]:
        messages.append("Fargate pods to redeploy (their kubelet stays old until then): %s"
                        % ", ".join(map(str, result["fargate_pods_to_redeploy"])))
    return messages


def cluster_autoscaler_result(release, image):
    """The Cluster Autoscaler step's result (__post_upgrade_autoscaler): the image step's, or what the release lookup
    read of the image when none was set, with the release found; skipped when the lookup was."""
    if _skipped(release):
        return {"skipped": True, "changed": False}
    if _skipped(image):
        # No tag found (or check mode's plan without one): the image stays as the lookup read it.
        step = {"changed": False, "found": release["found"], "before": release.get("image"),
                "after": release.get("image")}
    else:
        step = dict(image)
    step.update({"tag": release.get("tag"), "source": release.get("source"), "repository": release.get("repository"),
                 "kubernetes_version": release["kubernetes_version"], "warnings": release["warnings_found"],
                 "kube_retries": release.get("kube_retries", 0) + image.get("kube_retries", 0)})
    return step


AUTOSCALER_IMAGE = {"kind": "Deployment", "namespace": "kube-system", "workload": "cluster-autoscaler"}


def post_upgrade_wave_entries(minor, cluster_name, check_mode, skip_steps, autoscaler, addons, checkpoint=None):
    """This host's options of the steps the role runs for the wave in one call each (lifecycle.eks.wave_entries reads
    them), as the step's own task would send them: {module: options}. An option the task omits is left out; a step it
    skips (off, or finished by an earlier run) has no entry. ``autoscaler`` and ``addons`` are the role's settings of
    each step (``enabled`` and the options); ``checkpoint``, the store the add-on step records itself in, or None.
    The Cluster Autoscaler image's tag comes later, from the release found (wave_entries' inputs)."""
    entries = {}
    if boolean(autoscaler["enabled"], strict=False) and "cluster_autoscaler" not in skip_steps:
        pinned = autoscaler["versions"] or {}
        release = {"cluster_name": cluster_name, "kubernetes_version": minor,
                   "release_option_name": "eks_cluster_autoscaler_versions['%s'] "
                                          "(post_upgrade_cluster_autoscaler_versions)" % minor,
                   "registry_validate_certs": autoscaler["registry_validate_certs"],
                   "registry_timeout": autoscaler["registry_timeout"]}
        if minor in pinned:
            release["release"] = pinned[minor]
        for option in ("registry", "registry_ca_path"):
            if autoscaler[option]:
                release[option] = autoscaler[option]
        entries["eks_cluster_autoscaler_release"] = release
        entries["eks_workload_image"] = dict(AUTOSCALER_IMAGE, cluster_name=cluster_name)
    if boolean(addons["enabled"], strict=False) and "addons" not in skip_steps:
        options = {key: value for key, value in addons.items() if key not in ("enabled", "addon_catalog")}
        options["cluster_name"] = cluster_name
        if check_mode:
            options["cluster_version"] = minor
        if addons.get("addon_catalog"):
            options["addon_catalog"] = addons["addon_catalog"]
        if checkpoint is not None:
            options["checkpoint"] = checkpoint
        entries["eks_addon_update"] = options
    return entries


class FilterModule:
    def filters(self):
        return {"post_upgrade_result": post_upgrade_result, "post_upgrade_messages": post_upgrade_messages,
                "cluster_autoscaler_result": cluster_autoscaler_result,
                "post_upgrade_wave_entries": post_upgrade_wave_entries}
