# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The eks_version_skew fact: verdicts of the skew rules over gathered facts (pure)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lifecycle.eks.plugins.module_utils.node_provisioners import analyze as analyze_provisioners
from ansible_collections.lifecycle.eks.plugins.module_utils.skew import (
    ClusterState,
    build_upgrade_plan,
    can_move_next_minor,
    highest_reachable_without_node_changes,
    kubelet_skew_verdicts,
)


def skew_facts(facts, target=None, upgrade_nodegroups=False, known_versions=None):
    """The eks_version_skew fact from gathered facts (pure); ``known_versions`` (EKS's) rejects paths through
    versions EKS lacks, as the control-plane step does."""
    state = ClusterState.from_dict(facts["skew_input"])
    may_move, blockers = can_move_next_minor(state)
    reachable = highest_reachable_without_node_changes(state)
    kubelets = {}
    for node in facts["nodes"]:
        kubelets[node["minor"]] = kubelets.get(node["minor"], 0) + 1
    result = {
        "control_plane": {key: facts["cluster"][key] for key in ("name", "version", "platform_version", "status")},
        "nodegroups": facts["nodegroups"],
        "nodes": facts["nodes"],
        "kubelet_versions": kubelets,
        "addons": facts.get("addons", []),
        "skew": kubelet_skew_verdicts(state),
        "can_upgrade_next_minor": may_move,
        "next_minor": str(state.control_plane.next()),
        "highest_reachable_without_node_changes": str(reachable) if reachable is not None else None,
        "blockers": [b.to_dict() for b in blockers],
        # Karpenter and EKS Auto Mode: judged against the target, else the control plane's version.
        "node_provisioners": analyze_provisioners(facts, target),
    }
    if target is not None:
        result["plan"] = build_upgrade_plan(state, target, upgrade_nodegroups=upgrade_nodegroups,
                                            known_versions=known_versions).to_dict()
    return result
