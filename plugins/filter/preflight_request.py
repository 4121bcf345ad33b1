# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter lifecycle.eks.preflight_request: one inventory host's entry of lifecycle.eks.eks_fleet_preflight."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

# (option of the entry, the playbook variable that sets it, its default), as playbooks/upgrade.yml maps them
# for the preflight role.
OPTIONS = (  # type: tuple[tuple[str, str, object], ...]
    ("upgrade_nodegroups", "eks_upgrade_nodegroups", True),
    ("fix_coredns_upstream", "eks_fix_coredns_upstream", False),
    ("nodegroup_launch_templates", "eks_nodegroup_launch_templates", {}),
    ("skip_checks", "eks_preflight_skip", []),
    ("insights_max_age", "eks_insights_max_age", "24h"),
    ("region", "eks_aws_region", None),
    ("kubeconfig", "eks_kubeconfig", None),
    ("context", "eks_kube_context", None),
)


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
    for option, variable, default in OPTIONS:
        value = host_vars.get(variable)
        request[option] = default if value is None else value
    return request


class FilterModule:
    def filters(self):
        return {"preflight_request": preflight_request}
