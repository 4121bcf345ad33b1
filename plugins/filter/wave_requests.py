# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters lifecycle.eks.control_plane_request, nodegroups_request and skew_request: one inventory host's entry of
lifecycle.eks.eks_wave for a step of playbooks/upgrade.yml, or None when the wave must not run that step for it; and
lifecycle.eks.wave_entries: the entries a role's own tasks prepared, of the hosts at the role's wave task."""
from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.lifecycle.eks.plugins.plugin_utils.role_options import role_defaults

# (option of the module, the inventory variable that sets it, the role option reading that variable, whose default
# from the role's meta/argument_specs.yml is the one used here), for each step.
CONTROL_PLANE = (
    ("upgrade_nodegroups", "eks_upgrade_nodegroups", "control_plane_upgrade_nodegroups"),
    ("nodegroup_force", "eks_nodegroup_force", "control_plane_nodegroup_force"),
    ("nodegroup_launch_templates", "eks_nodegroup_launch_templates", "control_plane_nodegroup_launch_templates"),
    ("force", "eks_force", "control_plane_force"),
    ("fix_coredns_upstream", "eks_fix_coredns_upstream", "control_plane_fix_coredns_upstream"),
    ("wait_timeout", "eks_wait_timeout", "control_plane_wait_timeout"),
    ("wait_delay", "eks_wait_delay", "control_plane_wait_delay"),
    ("wait_max_delay", "eks_wait_max_delay", "control_plane_wait_max_delay"),
)
NODEGROUPS = (
    ("force", "eks_nodegroup_force", "post_upgrade_nodegroup_force"),
    ("launch_templates", "eks_nodegroup_launch_templates", "post_upgrade_nodegroup_launch_templates"),
    ("verify_gpu_allocatable", "eks_verify_gpu_allocatable", "post_upgrade_verify_gpu_allocatable"),
    ("gpu_allocatable_timeout", "eks_gpu_allocatable_timeout", "post_upgrade_gpu_allocatable_timeout"),
    ("gpu_update_strategy", "eks_gpu_update_strategy", "post_upgrade_gpu_update_strategy"),
    ("wait_timeout", "eks_wait_timeout", "post_upgrade_wait_timeout"),
    ("wait_delay", "eks_wait_delay", "post_upgrade_wait_delay"),
    ("wait_max_delay", "eks_wait_max_delay", "post_upgrade_wait_max_delay"),
)
# Connection settings, set by the playbook's module_defaults from these variables when they are set: AWS's
# (group/lifecycle.eks.aws) and Kubernetes' (group/lifecycle.eks.k8s).
AWS_CONNECTION = (("region", "eks_aws_region"),)
KUBERNETES_CONNECTION = (("kubeconfig", "eks_kubeconfig"), ("context", "eks_kube_context"),
                         ("kube_retry_timeout", "eks_kube_retry_timeout"))
# The steps whose modules take no Kubernetes option.
AWS_ONLY = ("eks_addon_update",)


def _result(host_vars, name):
    value = host_vars.get(name)
    return value if isinstance(value, dict) else {}


def _host(host_vars, filter_name):
    try:
        return host_vars["inventory_hostname"]
    except (KeyError, TypeError) as exc:
        raise AnsibleFilterError("%s takes one host's variables (hostvars[HOST])." % filter_name) from exc


def _checkpoint_read(host_vars):
    """The host's checkpoint read, when it got that far: not blocked by preflight (the read is skipped), nor failed
    before (not read) or reading it."""
    read = _result(host_vars, "eks_checkpoint_read")
    if not read or read.get("skipped") or read.get("failed"):
        return None
    return read


def _opted_in(host_vars, variable, role, role_option):
    """The inventory variable as a boolean, else the default of the role option reading it."""
    value = host_vars.get(variable)
    return boolean(role_defaults(role)[role_option] if value is None else value, strict=False)


def _connection(host_vars, kubernetes=True):
    """The connection options the playbook's module_defaults give the host's modules, from the same variables."""
    options = AWS_CONNECTION + (KUBERNETES_CONNECTION if kubernetes else ())
    return {option: host_vars[variable] for option, variable in options if host_vars.get(variable) is not None}


def _request(host_vars, host, role, options):
    """The entry's name, cluster and options: each inventory variable, else its role option's default."""
    request = {"name": host, "cluster_name": host_vars.get("eks_cluster_name") or host}
    defaults = role_defaults(role)
    for option, variable, role_option in options:
        value = host_vars.get(variable)
        request[option] = defaults[role_option] if value is None else value
    request.update(_connection(host_vars))
    return request


def _store_option(value, filter_name, option, what):
    if value is not None and not isinstance(value, dict):
        raise AnsibleFilterError("%s: %s must be a dict (%s), not %s." % (filter_name, option, what,
                                                                          type(value).__name__))
    return value or {}


def _with_checkpoint(request, host_vars, host, checkpoint):
    """The module records its finished step itself (module_utils/step_checkpoint.py) under the host's name, for the
    host's own target (its checkpoint is read for it): a wave's hosts may have different ones."""
    if checkpoint:
        request["checkpoint"] = dict(checkpoint, cluster=host, target_version=_target(host_vars))
    return request


def _target(host_vars):
    """The host's eks_target_version as the playbook passes it (``| default('') | string``)."""
    target = host_vars.get("eks_target_version")
    return "" if target is None else str(target)


def control_plane_request(host_vars, progress=None, checkpoint=None):
    """The eks_cluster_upgrade entry of a host, or None when the wave must not upgrade its control plane: preflight
    blocked it or it failed before (no checkpoint read), or its checkpoint says the step is finished. ``progress``
    (the store's settings and the run id) and ``checkpoint`` (the same) are given under the host's name,
    ``checkpoint`` for its target."""
    host = _host(host_vars, "control_plane_request")
    progress = _store_option(progress, "control_plane_request", "progress",
                             "the checkpoint store's settings and the run id")
    checkpoint = _store_option(checkpoint, "control_plane_request", "checkpoint",
                               "the checkpoint store's settings and the run id")
    read = _checkpoint_read(host_vars)
    if read is None or "control_plane" in (read.get("skip_steps") or {}):
        return None
    request = _request(host_vars, host, "control_plane", CONTROL_PLANE)
    request["target_version"] = _target(host_vars)
    plan = _result(host_vars, "preflight_result").get("plan")
    if plan:
        request["plan"] = plan
    if progress:
        request["progress"] = dict(progress, cluster=host)
    return _with_checkpoint(request, host_vars, host, checkpoint)


def _past_control_plane(host_vars, read):
    """Whether the host's control-plane step finished, in this run (control_plane_result) or before (its
    checkpoint), and its claim was renewed after it (or not claimed)."""
    finished = "control_plane" in (read.get("skip_steps") or {})
    if not (_result(host_vars, "control_plane_result") or finished):
        return False
    return not _result(host_vars, "eks_claim_renewal").get("failed")


def nodegroups_request(host_vars, checkpoint=None):
    """The eks_nodegroup_upgrade entry of a host, or None when the wave must not update its node groups: no checkpoint
    read (blocked, or failed before), its control plane step neither finished now (control_plane_result) nor before
    (the checkpoint), the renewal of its claim failed, or its checkpoint says the node group step is finished.
    ``checkpoint`` (the store's settings and the run id) is given under the host's name, for its target."""
    host = _host(host_vars, "nodegroups_request")
    checkpoint = _store_option(checkpoint, "nodegroups_request", "checkpoint",
                               "the checkpoint store's settings and the run id")
    read = _checkpoint_read(host_vars)
    if read is None:
        return None
    if "nodegroups" in (read.get("skip_steps") or {}) or not _past_control_plane(host_vars, read):
        return None
    control_plane = _result(host_vars, "control_plane_result")
    request = _request(host_vars, host, "post_upgrade", NODEGROUPS)
    if not request["gpu_update_strategy"]:
        del request["gpu_update_strategy"]  # the role omits it: each node group's own strategy stays
    # The control-plane step's polls: the cluster's budget of DescribeUpdate polls per minute goes on.
    request["wait_poll_history"] = control_plane.get("poll_times") or []
    return _with_checkpoint(request, host_vars, host, checkpoint)


def skew_request(host_vars, check_mode=False):
    """The eks_version_skew_facts entry of a host (the post-upgrade read), or None when the wave must not read it: no
    checkpoint read, its control-plane step not finished (or its claim lost), or it moves self-managed node groups
    (eks_self_managed_nodes), which the post_upgrade role does before its own read. Read-only: a host whose node
    group step then fails had a read for nothing, nothing else. In check mode the read judges for the target."""
    host = _host(host_vars, "skew_request")
    read = _checkpoint_read(host_vars)
    if read is None or not _past_control_plane(host_vars, read):
        return None
    if _opted_in(host_vars, "eks_self_managed_nodes", "post_upgrade", "post_upgrade_self_managed_nodes"):
        return None
    request = _request(host_vars, host, "post_upgrade", ())
    target = host_vars.get("eks_target_version")
    if check_mode and target is not None and str(target):
        request["target_version"] = str(target)
    return request


def wave_entries(hosts, hostvars, step, prepared="__post_upgrade_wave_entries", inputs=None):
    """The eks_wave entries of ``step`` for those of ``hosts`` (ansible_play_batch) at the wave's task.

    A host of the batch is at the task unless it failed in its block: then it waits for its rescue, and ansible-core
    gave it ``ansible_failed_result``. Its entry is the one its role prepared in its own context (the fact
    ``prepared``, {step: options}; none, no entry), with its inventory host name and connection. ``inputs`` (option:
    [registered result, key]) takes options from a result the host registered since, the release an earlier step
    found for instance; a missing or null value means no entry.
    """
    if not isinstance(hosts, list) or not all(isinstance(host, str) for host in hosts):
        raise AnsibleFilterError("wave_entries takes the list of inventory host names (ansible_play_batch).")
    entries = []
    for host in hosts:
        host_vars = hostvars[host]
        options = (host_vars.get(prepared) or {}).get(step)
        if "ansible_failed_result" in host_vars or not isinstance(options, dict):
            continue
        entry = dict(options)
        for option, (result, key) in (inputs or {}).items():
            entry[option] = _result(host_vars, result).get(key)
        if any(entry[option] is None for option in inputs or {}):
            continue
        entries.append(dict(entry, name=host, **_connection(host_vars, step not in AWS_ONLY)))
    return entries


class FilterModule:
    def filters(self):
        return {"control_plane_request": control_plane_request, "nodegroups_request": nodegroups_request,
                "skew_request": skew_request, "wave_entries": wave_entries}
