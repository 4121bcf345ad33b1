# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's required module_utils header, kept for ansible-test sanity.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

# Version-skew rules of AWS's "Updating an Amazon EKS cluster Kubernetes version" procedure and the
# upgrade planner built on them. Pure and deterministic: callers gather the cluster's state, this
# module says which path is legal and what blocks it. "Step N" below is the procedure's step.
#
# Rules encoded:
#   1. kubelet skew (step 4): a kubelet on 1.25 or newer may be up to three minors older than the
#      control plane, one on 1.24 or older at most two; never newer.
#   2. managed node groups and Fargate nodes must be on the control plane's minor before it moves
#      (step 1). AWS refuses UpdateClusterVersion for node groups behind; a Fargate pod behind must
#      be deleted and redeployed, and existing Fargate pods never change kubelet (step 5).
#   3. the control plane moves one minor at a time (step 4).
#   4. self-managed nodes: the same minor is recommended (a warning); rule 1 over the whole path
#      is the hard limit. Karpenter's nodes are held to the same rule: Karpenter replaces them
#      (drift) on its own schedule, not when the plan needs it. So are EKS Hybrid Nodes (on-premises
#      machines, label eks.amazonaws.com/compute-type: hybrid): AWS gives them the upstream skew
#      policy, and only ``nodeadm upgrade`` run on each machine moves them, which no plan does.
#
# Decision: node groups that are not ACTIVE are never updated by a plan (a busy or degraded group
# can't be updated), nor are custom-AMI node groups (UpdateNodegroupVersion takes no version for
# custom AMIs) unless they are given a launch template version built for a minor M
# (``launch_template_minor``): the plan may then update such a group once, to M, when the control
# plane is on M. They are blockers when the path needs them updated before a control-plane hop,
# and warnings when only the final "update your nodes" step (step 5) would touch them.

from collections import namedtuple

from ansible_collections.lifecycle.eks.plugins.module_utils.versions import (
    KubeMinor,
    parse_kube_version,
)

# Step 4: "If the kubelet ... is on Kubernetes version 1.25 or newer, you can update your cluster
# up to three versions ahead"; older kubelets allow two.
THREE_MINOR_SKEW_SINCE = KubeMinor(1, 25)

MANAGED_NODEGROUP = "managed-nodegroup"
FARGATE = "fargate"
SELF_MANAGED = "self-managed"
KARPENTER = "karpenter"
HYBRID = "hybrid"
# What runs an in-place upgrade of a hybrid node, on the machine, as root ("Upgrade hybrid nodes for your cluster");
# nodeConfig.yaml is the NodeConfig the node was joined with.
NODEADM_UPGRADE = "nodeadm upgrade %s --config-source file://nodeConfig.yaml"


def max_kubelet_skew(kubelet_minor):
    """How many minors a kubelet may lag the control plane (step 4, rule 1)."""
    return 3 if kubelet_minor >= THREE_MINOR_SKEW_SINCE else 2


def kubelet_allows(kubelet_minor, control_plane_minor):
    """Whether a kubelet may run against a control plane: not newer, not too far behind (rule 1)."""
    if kubelet_minor.major != control_plane_minor.major:
        return False
    return 0 <= kubelet_minor.distance(control_plane_minor) <= max_kubelet_skew(kubelet_minor)


def oldest_kubelet_allowed(control_plane_minor):
    """The oldest kubelet minor that rule 1 lets run against ``control_plane_minor``."""
    if control_plane_minor.minor >= 3 and kubelet_allows(control_plane_minor - 3, control_plane_minor):
        return control_plane_minor - 3
    return control_plane_minor - min(2, control_plane_minor.minor)


def _require(data, key, what):
    if data.get(key) is None:
        raise ValueError(f"{what} needs {key!r}: {data!r}")
    return data[key]


class NodeGroup(namedtuple("NodeGroup", "name version status custom_ami launch_template_minor")):
    """A managed node group as DescribeNodegroup reports it; ``version`` is a KubeMinor.

    ``launch_template_minor`` (a KubeMinor or None): a custom-AMI group was given a launch template
    version whose AMI is built for that minor, so a plan may update it there.
    """

    __slots__ = ()

    def __new__(cls, name, version, status="ACTIVE", custom_ami=False, launch_template_minor=None):
        minor = parse_kube_version(launch_template_minor) if launch_template_minor is not None else None
        return super().__new__(cls, name, parse_kube_version(version), status, bool(custom_ami), minor)

    @classmethod
    def from_dict(cls, data):
        """From ``{name, version, status, custom_ami, launch_template_minor}`` or DescribeNodegroup's ``nodegroup``.

        DescribeNodegroup spells them nodegroupName and amiType (CUSTOM for custom AMIs).
        """
        name = data.get("name", data.get("nodegroupName"))
        if name is None:
            raise ValueError(f"node group needs 'name' (or 'nodegroupName'): {data!r}")
        custom_ami = data.get("custom_ami", data.get("amiType") == "CUSTOM")
        return cls(name, _require(data, "version", f"node group {name}"),
                   data.get("status") or "ACTIVE", custom_ami, data.get("launch_template_minor"))


class Node(namedtuple("Node", "name kubelet")):
    """A Kubernetes node (a Fargate pod or a self-managed instance); ``kubelet`` is a KubeMinor."""

    __slots__ = ()

    def __new__(cls, name, kubelet):
        return super().__new__(cls, name, parse_kube_version(kubelet))

    @classmethod
    def from_dict(cls, data):
        """From ``{name, kubelet}``; kubelet may be a raw kubeletVersion such as v1.29.3-eks-ae9a62a."""
        name = _require(data, "name", "node")
        return cls(name, _require(data, "kubelet", f"node {name}"))


class ClusterState(namedtuple("ClusterState", "control_plane nodegroups fargate_kubelets self_managed_kubelets "
                                              "karpenter_kubelets hybrid_kubelets")):
    """What the planner needs to know about one cluster (step 1: control plane and node versions)."""

    __slots__ = ()

    def __new__(cls, control_plane, nodegroups=(), fargate_kubelets=(), self_managed_kubelets=(),
                karpenter_kubelets=(), hybrid_kubelets=()):
        return super().__new__(cls, parse_kube_version(control_plane), tuple(nodegroups), tuple(fargate_kubelets),
                               tuple(self_managed_kubelets), tuple(karpenter_kubelets), tuple(hybrid_kubelets))

    @classmethod
    def from_dict(cls, data):
        """From JSON-ish data: version strings in any form, nodes as dicts or ready-made tuples.

        ``{"control_plane": "1.29", "nodegroups": [{"name", "version", "status", "custom_ami",
        "launch_template_minor"}], "fargate_kubelets": [{"name", "kubelet"}], "self_managed_kubelets": [...],
        "karpenter_kubelets": [...], "hybrid_kubelets": [...]}``
        """
        return cls(
            _require(data, "control_plane", "cluster state"),
            [_as(NodeGroup, item) for item in data.get("nodegroups") or ()],
            [_as(Node, item) for item in data.get("fargate_kubelets") or ()],
            [_as(Node, item) for item in data.get("self_managed_kubelets") or ()],
            [_as(Node, item) for item in data.get("karpenter_kubelets") or ()],
            [_as(Node, item) for item in data.get("hybrid_kubelets") or ()],
        )


def _as(kind, item):
    return item if isinstance(item, kind) else kind.from_dict(item)


class Finding(namedtuple("Finding", "id reason remediation subject")):
    """A blocker or a warning: a stable id, why, what to do, and what it is about.

    ``subject`` is the node group or node name, the version for version findings, or
    "control-plane" for a target below the current version.
    """

    __slots__ = ()

    def to_dict(self):
        return dict(self._asdict())


# Blockers and warnings share one shape; this name reads better where only blockers are meant.
Blocker = Finding


class Hop(namedtuple("Hop", "from_version to_version nodegroups_before")):
    """One control-plane update (rule 3) after bringing ``nodegroups_before`` to ``from_version`` (rule 2)."""

    __slots__ = ()

    def to_dict(self):
        return {
            "from_version": str(self.from_version),
            "to_version": str(self.to_version),
            "nodegroups_before": list(self.nodegroups_before),
        }


class Plan(namedtuple("Plan", "current target hops nodegroups_after blockers warnings reachable hybrid_nodes_after")):
    """An upgrade path from ``current`` to ``target``.

    ``hops``, ``nodegroups_after`` and ``hybrid_nodes_after`` are empty unless the plan is feasible.
    ``nodegroups_after`` is step 5 (update your nodes): node groups still behind the target once the
    control plane is there; the control-plane path never depends on it. ``hybrid_nodes_after``: the
    hybrid nodes (Nodes) behind the target, each upgraded on its machine with ``nodeadm upgrade``
    (``NODEADM_UPGRADE``), which no plan runs. ``reachable`` is the highest version a legal path
    reaches towards the target in this run (the current version when the target is lower).
    """

    __slots__ = ()

    @property
    def feasible(self):
        return not self.blockers

    @property
    def is_noop(self):
        return self.target == self.current

    def to_dict(self):
        return {
            "current": str(self.current),
            "target": str(self.target),
            "feasible": self.feasible,
            "is_noop": self.is_noop,
            "reachable": str(self.reachable),
            "hops": [hop.to_dict() for hop in self.hops],
            "nodegroups_after": list(self.nodegroups_after),
            "hybrid_nodes_after": [{"name": node.name, "kubelet": str(node.kubelet),
                                    "command": NODEADM_UPGRADE % self.target} for node in self.hybrid_nodes_after],
            "blockers": [blocker.to_dict() for blocker in self.blockers],
            "warnings": [warning.to_dict() for warning in self.warnings],
        }


def _plan_can_update(group):
    """Whether a plan may update this node group itself to any minor (see the decision at the top)."""
    return group.status == "ACTIVE" and not group.custom_ami


def _launch_template_update(group, current, target):
    """The minor M a plan may bring a custom-AMI group to with its launch template version, or None.

    The group is updated once, when the control plane is on M. Until then it keeps its version, and
    every hop before M needs it on that hop's minor (rule 2): M is usable only between the current
    version and the highest the group permits on its own. An M beyond the target never comes.
    """
    minor = group.launch_template_minor
    if not group.custom_ami or group.status != "ACTIVE" or minor is None or target is None:
        return None
    if current <= minor <= max(current, group.version.next()) and minor <= target:
        return minor
    return None


def _node_limits(state, upgrade_nodegroups, target=None):
    """(kind, node, highest control-plane version it permits) for every node that limits the path.

    Node groups the plan updates itself don't limit it. Other managed and Fargate nodes must be on
    the control plane's minor before each hop (rule 2), so they permit one hop past their own
    version (past M for a custom-AMI group the plan updates to M); a self-managed or Karpenter
    kubelet permits its skew (rule 1). Never below the current version: staying put is not a move.
    """
    current = state.control_plane
    for group in state.nodegroups:
        if upgrade_nodegroups and _plan_can_update(group):
            continue
        limit = max(current, group.version.next())
        minor = _launch_template_update(group, current, target) if upgrade_nodegroups else None
        yield MANAGED_NODEGROUP, group, max(limit, minor.next()) if minor is not None else limit
    for node in state.fargate_kubelets:
        yield FARGATE, node, max(current, node.kubelet.next())
    for kind, nodes in ((SELF_MANAGED, state.self_managed_kubelets), (KARPENTER, state.karpenter_kubelets),
                        (HYBRID, state.hybrid_kubelets)):
        for node in nodes:
            yield kind, node, max(current, node.kubelet + max_kubelet_skew(node.kubelet))


def highest_reachable_without_node_changes(state):
    """The highest control-plane version reachable without touching any node, or None if unbounded.

    None means the cluster has no nodes at all: only the target and EKS's versions bound it.
    """
    limits = [limit for _kind, _node, limit in _node_limits(state, upgrade_nodegroups=False)]
    return min(limits) if limits else None


def can_move_next_minor(state, known_versions=None):
    """Whether the control plane may move one minor now without node changes, and what blocks it."""
    plan = build_upgrade_plan(state, state.control_plane.next(), False, known_versions)
    return plan.feasible, list(plan.blockers)


def build_upgrade_plan(state, target, upgrade_nodegroups=False, known_versions=None):
    """Plan the upgrade of ``state``'s control plane to ``target`` (a KubeMinor), one minor per hop.

    ``upgrade_nodegroups`` lets hops update managed node groups to their ``from_version`` first;
    without it a feasible plan changes no node. ``known_versions`` (the Kubernetes versions EKS
    offers, as KubeMinor or strings) rejects paths through versions it lacks. Blocker ids:
    target-lower-than-current, target-unknown, intermediate-version-unknown,
    managed-nodegroup-behind, custom-ami-nodegroup, nodegroup-not-active, fargate-kubelet-behind,
    self-managed-kubelet-skew, karpenter-kubelet-skew, hybrid-kubelet-skew.
    """
    if not isinstance(target, KubeMinor):
        raise TypeError(f"target must be a KubeMinor (see parse_target_version), got {target!r}")
    current = state.control_plane
    if target < current:
        blocker = Finding(
            "target-lower-than-current",
            f"target {target} is lower than the control plane's {current}: an upgraded cluster "
            "can't be downgraded",
            f"Set the target to {current} or later.",
            "control-plane",
        )
        return Plan(current, target, (), (), (blocker,), (), current, ())

    reachable = target
    blockers = []
    if known_versions is not None:
        known = frozenset(parse_kube_version(version) for version in known_versions)
        for version in _path_versions(current, target):
            if version not in known:
                reachable = min(reachable, version - 1)
                blockers.append(_unknown_version_blocker(version, current, target, known))
    blocked_nodes = set()
    for kind, node, limit in _node_limits(state, upgrade_nodegroups, target):
        if limit < target:
            reachable = min(reachable, limit)
            blocked_nodes.add((kind, node.name))
            blockers.append(_node_blocker(kind, node, limit, state, target, upgrade_nodegroups))
    warnings = _warnings(state, target, blocked_nodes, upgrade_nodegroups)
    if blockers:
        return Plan(current, target, (), (), tuple(blockers), warnings, reachable, ())
    return Plan(current, target, _hops(state, target, upgrade_nodegroups),
                _nodegroups_after(state, target, upgrade_nodegroups), (), warnings, reachable,
                tuple(node for node in state.hybrid_kubelets if node.kubelet < target))


def _path_versions(current, target):
    """The versions the control plane passes through, one minor at a time (rule 3)."""
    return [current + step for step in range(1, current.distance(target) + 1)]


def _hops(state, target, upgrade_nodegroups):
    """One hop per minor (rule 3); with ``upgrade_nodegroups``, every node group below a hop's
    ``from_version`` is brought to it first (rule 2), a custom-AMI one by its launch template version.
    A feasible plan has no other custom-AMI group below a hop's ``from_version`` (it would block).
    """
    hops = []
    for to_version in _path_versions(state.control_plane, target):
        from_version = to_version - 1
        before = tuple(group.name for group in state.nodegroups
                       if upgrade_nodegroups and group.version < from_version)
        hops.append(Hop(from_version, to_version, before))
    return tuple(hops)


def _updated_after(group, state, target, upgrade_nodegroups):
    """Whether step 5 brings this node group to the target (a custom AMI: with a launch template version for it)."""
    if not group.custom_ami:
        return True
    return upgrade_nodegroups and _launch_template_update(group, state.control_plane, target) == target


def _left_to_step_5(group, state, target, upgrade_nodegroups):
    """Whether the plan brings this node group to the target itself, so it needs no warning."""
    return _plan_can_update(group) or (group.custom_ami and _updated_after(group, state, target, upgrade_nodegroups))


def _nodegroups_after(state, target, upgrade_nodegroups=False):
    """Step 5: node groups to bring to the target once the control plane is there."""
    return tuple(group.name for group in state.nodegroups
                 if group.version < target and _updated_after(group, state, target, upgrade_nodegroups))


def _unknown_version_blocker(version, current, target, known):
    if version == target:
        offered = ", ".join(str(item) for item in sorted(known)) or "none"
        return Finding(
            "target-unknown",
            f"EKS does not offer Kubernetes {version} (offered: {offered})",
            "Choose a target EKS offers.",
            str(version),
        )
    return Finding(
        "intermediate-version-unknown",
        f"the path from {current} to {target} passes through {version}, which EKS does not offer; "
        "the control plane moves one minor at a time (step 4)",
        f"Set the target to {version - 1} at most.",
        str(version),
    )


def _node_blocker(kind, node, limit, state, target, upgrade_nodegroups):
    """Why ``node`` stops the control plane at ``limit``, and what to do about it."""
    current = state.control_plane
    or_lower_target = f" Or set the target to {limit}." if limit > current else ""
    if kind in (SELF_MANAGED, HYBRID):
        skew = max_kubelet_skew(node.kubelet)
        return Finding(
            f"{kind}-kubelet-skew",
            f"{kind} node {node.name} runs kubelet {node.kubelet}, which may be at most {skew} "
            f"minors older than the control plane (step 4, version skew): it allows {node.kubelet + skew} "
            f"at most, not {target}",
            (f"Update node {node.name} to kubelet {oldest_kubelet_allowed(target)} or later (best: "
             f"{current}, the control plane's version) first." if kind == SELF_MANAGED
             else _hybrid_skew_remediation(node, current, target)) + or_lower_target,
            node.name,
        )
    if kind == KARPENTER:
        skew = max_kubelet_skew(node.kubelet)
        return Finding(
            "karpenter-kubelet-skew",
            f"Karpenter node {node.name} runs kubelet {node.kubelet}, which may be at most {skew} minors "
            f"older than the control plane (step 4, version skew): it allows {node.kubelet + skew} at most, "
            f"not {target}",
            f"Let Karpenter replace node {node.name} with one on {current} first (drift: its EC2NodeClass "
            f"must select an AMI for {current}, and its NodePool's disruption budgets must allow the "
            f"replacement), or delete the node.{or_lower_target}",
            node.name,
        )
    if kind == FARGATE:
        if node.kubelet < current:
            return Finding(
                "fargate-kubelet-behind",
                f"Fargate node {node.name} runs kubelet {node.kubelet}, behind the control plane's "
                f"{current}: Fargate nodes must be on the control plane's minor before it moves (step 1)",
                f"Delete the pod that Fargate node {node.name} represents, then run again; redeployed "
                f"pods get kubelet {current}.",
                node.name,
            )
        return Finding(
            "fargate-kubelet-behind",
            f"Fargate node {node.name} keeps kubelet {node.kubelet} once the control plane reaches "
            f"{limit} (existing Fargate pods aren't changed, step 5), so the control plane can't go on "
            f"to {limit.next()} (step 1)",
            f"Upgrade to {limit} first, redeploy the pods running on Fargate so they get kubelet "
            f"{limit}, then run again.",
            node.name,
        )
    return _nodegroup_blocker(node, limit, upgrade_nodegroups, or_lower_target)


def _hybrid_skew_remediation(node, current, target):
    """nodeadm takes a hybrid node to the control plane's minor at most: now, and again on the way if needed."""
    if node.kubelet < current:
        text = (f"Upgrade hybrid node {node.name} to {current} first, on the machine: drain it, then run "
                f"`{NODEADM_UPGRADE % current}`.")
    else:
        text = f"Hybrid node {node.name} is on the control plane's {current} (nodeadm can't take it further)."
    reach = current + max_kubelet_skew(current)
    if reach < target:
        text += (f" On {current} it lets the control plane reach {reach}: upgrade the node there again "
                 f"(`{NODEADM_UPGRADE % reach}`) before going on to {target}.")
    return text


def _nodegroup_blocker(group, limit, upgrade_nodegroups, or_lower_target):
    rule = (f"AWS refuses to move the control plane from {limit} to {limit.next()} until every "
            f"managed node group is on {limit} (step 1)")
    if group.custom_ami:
        given = ""
        if group.launch_template_minor is not None and group.status != "ACTIVE":
            given = f" (it is {group.status}: not even its launch template version can be applied now)"
        elif group.launch_template_minor is not None:
            given = (f" (the launch template version given for it is for {group.launch_template_minor}, "
                     f"not {limit})")
        return Finding(
            "custom-ami-nodegroup" if upgrade_nodegroups else "managed-nodegroup-behind",
            f"managed node group {group.name} ({group.version}) uses a custom AMI, which the plan can "
            f"only update with a launch template version built for {limit}{given}; {rule}",
            f"Create a launch template version whose AMI is built for Kubernetes {limit} and give it for "
            f"node group {group.name} with kubernetes_version {limit} (option nodegroup_launch_templates; "
            f"launch_templates of eks_nodegroup_upgrade), or update the node group "
            f"yourself, then run again.{or_lower_target}",
            group.name,
        )
    if upgrade_nodegroups:
        return Finding(
            "nodegroup-not-active",
            f"managed node group {group.name} ({group.version}) is {group.status}, so it can't be "
            f"updated to {limit}; {rule}",
            f"Wait until node group {group.name} is ACTIVE (fix its health issues if it is DEGRADED), "
            f"then run again.{or_lower_target}",
            group.name,
        )
    return Finding(
        "managed-nodegroup-behind",
        f"managed node group {group.name} is on {group.version}; {rule}",
        f"Update node group {group.name} to {limit} first, or let the plan do it (upgrade node "
        f"groups).{or_lower_target}",
        group.name,
    )


def _warnings(state, target, blocked_nodes, upgrade_nodegroups=False):
    """Legal but notable: nodes left behind the target, or newer than the control plane.

    Node groups the plan can update get no warning: ``nodegroups_after`` lists them.
    """
    current = state.control_plane
    warnings = []
    for kind, node, version in _all_kubelets(state):
        if (kind, node.name) in blocked_nodes:
            continue
        if version > current:
            warnings.append(Finding(
                "kubelet-newer-than-control-plane",
                f"{kind} {node.name} runs {version}, newer than the control plane's {current}; a "
                "kubelet must not be newer than the control plane (step 4, version skew)",
                f"Replace {node.name} with nodes on {current} or older.",
                node.name,
            ))
        elif version < target and (kind != MANAGED_NODEGROUP or not _left_to_step_5(node, state, target,
                                                                                    upgrade_nodegroups)):
            warnings.append(_behind_warning(kind, node, version, current, target))
    return tuple(warnings)


def _all_kubelets(state):
    for group in state.nodegroups:
        yield MANAGED_NODEGROUP, group, group.version
    for node in state.fargate_kubelets:
        yield FARGATE, node, node.kubelet
    for node in state.self_managed_kubelets:
        yield SELF_MANAGED, node, node.kubelet
    for node in state.karpenter_kubelets:
        yield KARPENTER, node, node.kubelet
    for node in state.hybrid_kubelets:
        yield HYBRID, node, node.kubelet


def _behind_warning(kind, node, version, current, target):
    if kind in (SELF_MANAGED, HYBRID) and not kubelet_allows(version, current):
        return Finding(
            f"{kind}-kubelet-skew",
            f"{kind} node {node.name} runs kubelet {version}, already too far behind the "
            f"control plane's {current} (step 4, version skew)",
            f"Update node {node.name} to {current}." if kind == SELF_MANAGED else
            f"Upgrade hybrid node {node.name} to {current} on the machine: drain it, then run "
            f"`{NODEADM_UPGRADE % current}`.",
            node.name,
        )
    if kind == HYBRID:
        return Finding(
            "hybrid-kubelet-behind",
            f"hybrid node {node.name} runs kubelet {version}, behind the target {target}; EKS Hybrid Nodes are "
            "upgraded on the machine with nodeadm, which the plan does not run (step 5)",
            f"After the upgrade, upgrade hybrid node {node.name} to {target} on the machine, one node at a time: "
            f"drain it, then run `{NODEADM_UPGRADE % target}`.",
            node.name,
        )
    if kind == SELF_MANAGED:
        return Finding(
            "self-managed-kubelet-behind",
            f"self-managed node {node.name} runs kubelet {version}, behind the target {target}; AWS "
            "recommends self-managed nodes on the control plane's version (steps 1 and 5)",
            f"Update node {node.name} to {target} after the upgrade (plans don't touch self-managed "
            "nodes).",
            node.name,
        )
    if kind == KARPENTER and not kubelet_allows(version, current):
        return Finding(
            "karpenter-kubelet-skew",
            f"Karpenter node {node.name} runs kubelet {version}, already too far behind the control "
            f"plane's {current} (step 4, version skew)",
            f"Let Karpenter replace node {node.name} with one on {current} (drift), or delete it.",
            node.name,
        )
    if kind == KARPENTER:
        return Finding(
            "karpenter-node-behind",
            f"Karpenter node {node.name} runs kubelet {version}, behind the target {target}; Karpenter "
            "replaces it (drift) once the control plane is there, if its EC2NodeClass selects an AMI for "
            "the new minor and its NodePool's disruption budgets allow it (step 5)",
            f"Check node_provisioners in the report: unpin the EC2NodeClass AMI selection for {target} "
            "where it is pinned, and let the drift finish.",
            node.name,
        )
    if kind == FARGATE:
        return Finding(
            "fargate-kubelet-behind",
            f"Fargate node {node.name} runs kubelet {version} and keeps it after the upgrade to "
            f"{target}: existing Fargate pods aren't changed (step 5)",
            f"Redeploy the pods running on Fargate after the upgrade so they get kubelet {target}.",
            node.name,
        )
    if node.custom_ami:
        return Finding(
            "custom-ami-nodegroup",
            f"managed node group {node.name} ({version}) uses a custom AMI and no launch template "
            f"version for {target} is given, so the plan leaves it behind the target {target} (step 5: "
            "update your nodes)",
            f"Create a launch template version whose AMI is built for Kubernetes {target} and give it for "
            f"node group {node.name} (option nodegroup_launch_templates; launch_templates of "
            "eks_nodegroup_upgrade), or update the node group yourself after the upgrade.",
            node.name,
        )
    return Finding(
        "nodegroup-not-active",
        f"managed node group {node.name} is {node.status}; updating it to {target} after the control "
        "plane (step 5) may fail",
        f"Wait until node group {node.name} is ACTIVE before its update.",
        node.name,
    )


def kubelet_skew_verdicts(state):
    """Per node group and node: its skew to the control plane, the skew rule 1 allows, and whether
    it is ready for the next minor (rule 2 for managed and Fargate nodes, rule 1 for self-managed).
    """
    current = state.control_plane
    verdicts = []
    for kind, node, version in _all_kubelets(state):
        ready = (kubelet_allows(version, current.next()) if kind in (SELF_MANAGED, KARPENTER, HYBRID)
                 else version == current)
        verdicts.append({
            "kind": kind,
            "name": node.name,
            "kubelet": str(version),
            "control_plane": str(current),
            "skew": version.distance(current),
            "allowed_skew": max_kubelet_skew(version),
            "ok": kubelet_allows(version, current),
            "ready_for_next_minor": ready,
        })
    return verdicts
