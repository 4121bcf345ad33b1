# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""eks_version_skew_facts's body: one cluster's versions and skew verdicts, read by the module alone or by
lifecycle.eks.eks_wave for a wave of clusters (module_utils/wave.py)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lifecycle.eks.plugins.module_utils import launch_templates
from ansible_collections.lifecycle.eks.plugins.module_utils.gather import SKEW_PARTS, gather
from ansible_collections.lifecycle.eks.plugins.module_utils.verdicts import skew_facts
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import parse_target_version


def argument_spec():
    """eks_version_skew_facts's own options (runner.module_argument_spec adds the cluster and Kubernetes ones)."""
    return dict(target_version=dict(type="str"), upgrade_nodegroups=dict(type="bool", default=False),
                **launch_templates.argument_spec("nodegroup_launch_templates"))


def read_skew(module, clients):
    """The host fact eks_version_skew of one cluster (read-only)."""
    params = module.params
    target = parse_target_version(params["target_version"]) if params["target_version"] is not None else None
    entries = launch_templates.parse(params["nodegroup_launch_templates"], "nodegroup_launch_templates")
    facts = gather(clients, params, params["cluster_name"], SKEW_PARTS, target=target)
    for warning in launch_templates.check_nodegroups(entries, facts["nodegroups"], params["cluster_name"],
                                                     "nodegroup_launch_templates"):
        module.warn(warning)
    facts["skew_input"] = launch_templates.with_launch_templates(facts["skew_input"], entries, target)
    fact = skew_facts(facts, target, params["upgrade_nodegroups"])
    return {"changed": False, "ansible_facts": {"eks_version_skew": fact}}
