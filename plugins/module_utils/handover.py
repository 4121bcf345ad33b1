# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's module_utils boilerplate (coding, __future__, __metaclass__)
"""The plan preflight hands to eks_cluster_upgrade: its hops and what they were computed from (pure).

Preflight gathers everything once; the control-plane step then re-reads only what may have changed since
(DescribeCluster: version and status; an update in progress) instead of gathering again. The plan carries its
inputs (``computed_from``), so the step checks that the plan is for this cluster, this target and these options,
and re-derives the hops from those inputs: an edited or mismatched plan is refused, not followed.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.skew import ClusterState, build_upgrade_plan
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import VersionError, parse_kube_version

BASIS_KEYS = ("cluster", "version", "status", "target", "upgrade_nodegroups", "launch_templates", "known_versions",
              "skew_input", "nodegroups")
# What the control-plane step needs of each node group between hops (launch_templates.payload, check_versions_exist).
NODEGROUP_KEYS = ("name", "version", "status", "custom_ami", "launch_template")
REDO = "Run the preflight again and pass its plan, or leave plan out to let the module plan by itself."


def entries_as_data(entries):
    """Launch template entries (launch_templates.parse) as plain data, to record and compare."""
    return {name: {"version": entry.version, "kubernetes_version": None if entry.kubernetes_version is None
                   else str(entry.kubernetes_version)} for name, entry in sorted(entries.items())}


def plan_of(skew_input, target, upgrade_nodegroups, known_versions):
    """The planner over gathered inputs; what preflight and the control-plane step both compute with."""
    return build_upgrade_plan(ClusterState.from_dict(skew_input), target, upgrade_nodegroups=upgrade_nodegroups,
                              known_versions=[parse_kube_version(v) for v in known_versions])


def with_basis(plan, facts, target, upgrade_nodegroups, entries):
    """``plan`` (skew.Plan.to_dict()) as preflight returns it, with ``computed_from``: the inputs it came from."""
    return dict(plan, computed_from={
        "cluster": facts["cluster"]["name"], "version": facts["cluster"]["version"],
        "status": facts["cluster"]["status"], "target": str(target), "upgrade_nodegroups": bool(upgrade_nodegroups),
        "launch_templates": entries_as_data(entries), "known_versions": list(facts["known_versions"]),
        "skew_input": facts["skew_input"],
        "nodegroups": [{key: group.get(key) for key in NODEGROUP_KEYS} for group in facts["nodegroups"]]})


def accept(handed, cluster, target, upgrade_nodegroups, entries, option="plan"):
    """``(plan, nodegroups)`` of a handed-over plan checked against this call and a fresh DescribeCluster.

    Returns None when the version has moved since the plan while an update was in progress (the plan was
    provisional), or has reached the target (a rerun): the caller then plans by itself. Raises ModuleError naming
    what differs otherwise.
    """
    basis = handed.get("computed_from") if isinstance(handed, dict) else None
    missing = [key for key in BASIS_KEYS if key not in (basis or {})]
    if missing:
        raise ModuleError("%s is not a plan made by lifecycle.eks.eks_upgrade_preflight or eks_fleet_preflight (its "
                          "computed_from lacks %s): pass the preflight's plan unchanged, or leave %s out."
                          % (option, ", ".join(missing), option))
    name = cluster["name"]
    refusals = []
    if basis["cluster"] != name:
        refusals.append("it was computed for cluster %s, not %s" % (basis["cluster"], name))
    if basis["target"] != str(target):
        refusals.append("it goes to %s, not to target_version %s" % (basis["target"], target))
    if basis["upgrade_nodegroups"] != bool(upgrade_nodegroups):
        refusals.append("it was computed with upgrade_nodegroups=%s, this call has %s"
                        % (basis["upgrade_nodegroups"], bool(upgrade_nodegroups)))
    if basis["launch_templates"] != entries_as_data(entries):
        refusals.append("it was computed with other nodegroup_launch_templates (%s) than this call's (%s)"
                        % (basis["launch_templates"] or "none", entries_as_data(entries) or "none"))
    if not refusals and cluster["version"] != basis["version"]:
        if basis["status"] == "UPDATING" or cluster["version"] == str(target):
            return None  # provisional, or a rerun after the plan was carried out: nothing stale to follow
        refusals.append("it starts from %s, but cluster %s is at %s now" % (basis["version"], name, cluster["version"]))
    if refusals:
        raise ModuleError("The %s given can't be followed: %s. %s" % (option, "; ".join(refusals), REDO),
                          {"result": {"changed": False}})
    try:
        plan = plan_of(basis["skew_input"], target, basis["upgrade_nodegroups"], basis["known_versions"])
    except (KeyError, TypeError, ValueError, VersionError) as exc:
        raise ModuleError("The %s given can't be followed: its computed_from is malformed (%s). %s"
                          % (option, exc, REDO), {"result": {"changed": False}}) from exc
    derived = plan.to_dict()
    if any(handed.get(key) != derived[key] for key in ("current", "target", "hops", "nodegroups_after")):
        raise ModuleError("The %s given can't be followed: its hops do not follow from what it was computed from "
                          "(was it edited?). %s" % (option, REDO), {"result": {"changed": False}})
    return plan, [dict(group) for group in basis["nodegroups"]]
