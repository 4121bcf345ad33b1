# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter lifecycle.eks.preflight_request: one inventory host's entry of lifecycle.eks.eks_fleet_preflight."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.lifecycle.eks.plugins.plugin_utils.role_options import role_defaults

# (option of the entry, the inventory variable that sets it): the lifecycle.eks.preflight role reads the same
# variables for its preflight_<option>, whose defaults are the ones used here.
OPTIONS = (
    ("upgrade_nodegroups", "eks_upgrade_nodegroups"),
    ("fix_coredns_upstream", "eks_fix_coredns_upstream"),
    ("nodegroup_launch_templates", "eks_nodegroup_launch_templates"),
    ("skip_checks", "eks_preflight_skip"),
    ("insights_max_age", "eks_insights_max_age"),
    ("control_plane_hourly_rates", "eks_control_plane_hourly_rates"),
    ("compatibility_table_max_age", "eks_compatibility_table_max_age"),
)
# Connection settings, set by the playbook's module_defaults from these variables when they are set.
CONNECTION = (("region", "eks_aws_region"), ("kubeconfig", "eks_kubeconfig"), ("context", "eks_kube_context"))
# Given only when set: the module's LIFECYCLE_EKS_KUBE_RETRY_TIMEOUT fallback applies to an option left out, not to
# one given as None.
SET_ONLY = (("kube_retry_timeout", "eks_kube_retry_timeout"),)


def preflight_request(host_vars):
    """The clusters[] entry of eks_fleet_preflight for a host, from its eks_* variables."""
    try:
        host = host_vars["inventory_hostname"]
    except (KeyError, TypeError) as exc:
        raise AnsibleFilterError("preflight_request takes one host's variables (hostvars[HOST]).") from exc
    # A host without eks_target_version gets an empty one: eks_fleet_preflight then fails that cluster alone,
    # saying so, rather than the whole wave.
    target = host_vars.get("eks_target_version")
    request = {"name": host, "cluster_name": host_vars.get("eks_cluster_name") or host,
               "target_version": "" if target is None else str(target)}
    defaults = role_defaults("preflight")
    for option, variable in OPTIONS:
        value = host_vars.get(variable)
        request[option] = defaults["preflight_" + option] if value is None else value
    for option, variable in CONNECTION:
        request[option] = host_vars.get(variable)
    for option, variable in SET_ONLY:
        if host_vars.get(variable) is not None:
            request[option] = host_vars[variable]
    return request


class FilterModule:
    def filters(self):
        return {"preflight_request": preflight_request}
