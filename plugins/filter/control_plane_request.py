# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter lifecycle.eks.control_plane_request: one inventory host's eks_cluster_upgrade entry of lifecycle.eks.eks_wave,
or None when playbooks/upgrade.yml does not upgrade its control plane in the wave."""
from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.lifecycle.eks.plugins.plugin_utils.role_options import role_defaults

# (option of eks_cluster_upgrade, the inventory variable that sets it): the lifecycle.eks.control_plane role reads
# the same variables for its control_plane_<option>, whose defaults are the ones used here.
OPTIONS = (
    ("upgrade_nodegroups", "eks_upgrade_nodegroups"),
    ("nodegroup_force", "eks_nodegroup_force"),
    ("nodegroup_launch_templates", "eks_nodegroup_launch_templates"),
    ("force", "eks_force"),
    ("wait_timeout", "eks_wait_timeout"),
    ("wait_delay", "eks_wait_delay"),
    ("wait_max_delay", "eks_wait_max_delay"),
)
# Connection settings, set by the playbook's module_defaults from these variables when they are set.
CONNECTION = (("region", "eks_aws_region"), ("kubeconfig", "eks_kubeconfig"), ("context", "eks_kube_context"),
              ("kube_retry_timeout", "eks_kube_retry_timeout"))


def _result(host_vars, name):
    value = host_vars.get(name)
    return value if isinstance(value, dict) else {}


def control_plane_request(host_vars, progress=None):
    """The clusters[] entry of eks_wave (eks_cluster_upgrade) for a host, or None when its control plane is not
    upgraded in the wave: preflight blocked it or it failed before (no checkpoint read), its checkpoint says the
    step is finished, or it removes the CoreDNS upstream line first (the role does that before the upgrade)."""
    try:
        host = host_vars["inventory_hostname"]
    except (KeyError, TypeError) as exc:
        raise AnsibleFilterError("control_plane_request takes one host's variables (hostvars[HOST]).") from exc
    if progress is not None and not isinstance(progress, dict):
        raise AnsibleFilterError("control_plane_request: progress must be a dict (the checkpoint store's settings and "
                                 "the run id), not %s." % type(progress).__name__)
    checkpoint = _result(host_vars, "eks_checkpoint_read")
    if not checkpoint or checkpoint.get("skipped") or checkpoint.get("failed"):
        return None
    if "control_plane" in (checkpoint.get("skip_steps") or {}):
        return None
    defaults = role_defaults("control_plane")
    coredns = host_vars.get("eks_fix_coredns_upstream")
    if boolean(defaults["control_plane_fix_coredns_upstream"] if coredns is None else coredns, strict=False):
        return None
    target = host_vars.get("eks_target_version")
    request = {"name": host, "cluster_name": host_vars.get("eks_cluster_name") or host,
               "target_version": "" if target is None else str(target)}
    plan = _result(host_vars, "preflight_result").get("plan")
    if plan:
        request["plan"] = plan
    for option, variable in OPTIONS:
        value = host_vars.get(variable)
        request[option] = defaults["control_plane_" + option] if value is None else value
    for option, variable in CONNECTION:
        if host_vars.get(variable) is not None:
            request[option] = host_vars[variable]
    if progress:
        request["progress"] = dict(progress, cluster=host)
    return request


class FilterModule:
    def filters(self):
        return {"control_plane_request": control_plane_request}
