# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Skew rules and upgrade planning (plugins/module_utils/skew.py).

Table tests replay every example of AWS's "Updating an Amazon EKS cluster Kubernetes version"
procedure; property tests apply random plans hop by hop and check no rule is ever broken.
"""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.lifecycle.eks.plugins.module_utils.skew import (
    ClusterState,
    Node,
    NodeGroup,
    build_upgrade_plan,
    can_move_next_minor,
    highest_reachable_without_node_changes,
    kubelet_allows,
    kubelet_skew_verdicts,
    max_kubelet_skew,
    oldest_kubelet_allowed,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import KubeMinor

PROPERTY = settings(max_examples=200, deadline=None)


def v(text):
    major, minor = text.split(".")
    return KubeMinor(int(major), int(minor))


def ids(findings):
    return [finding.id for finding in findings]


def hop_pairs(plan):
    return [(str(hop.from_version), str(hop.to_version)) for hop in plan.hops]


# --- rule 1: kubelet skew (step 4) ----------------------------------------------------------------

@pytest.mark.parametrize("kubelet, skew", [("1.21", 2), ("1.24", 2), ("1.25", 3), ("1.28", 3), ("1.33", 3)])
def test_max_kubelet_skew(kubelet, skew):
    assert max_kubelet_skew(v(kubelet)) == skew


@pytest.mark.parametrize("control_plane, allowed", [
    ("1.25", True), ("1.26", True), ("1.27", True), ("1.28", True), ("1.29", False), ("1.24", False),
])
def test_kubelet_1_25_allows_up_to_1_28(control_plane, allowed):
    """Step 4: kubelet 1.25 lets the cluster go 1.25 -> 1.26 -> 1.27 -> 1.28."""
    assert kubelet_allows(v("1.25"), v(control_plane)) is allowed


@pytest.mark.parametrize("control_plane, allowed", [
    ("1.21", True), ("1.22", True), ("1.23", True), ("1.24", False),
])
def test_kubelet_1_21_allows_up_to_1_23(control_plane, allowed):
    """Step 4: kubelet 1.21 lets the cluster go to 1.22 and 1.23 but not 1.24."""
    assert kubelet_allows(v("1.21"), v(control_plane)) is allowed


def test_kubelet_1_24_allows_two_minors_only():
    assert kubelet_allows(v("1.24"), v("1.26"))
    assert not kubelet_allows(v("1.24"), v("1.27"))


def test_kubelet_newer_than_control_plane_is_not_allowed():
    assert not kubelet_allows(v("1.30"), v("1.29"))
    assert not kubelet_allows(KubeMinor(2, 0), v("1.29"))


@pytest.mark.parametrize("control_plane, oldest", [
    ("1.28", "1.25"), ("1.27", "1.25"), ("1.26", "1.24"), ("1.23", "1.21"), ("1.30", "1.27"),
])
def test_oldest_kubelet_allowed(control_plane, oldest):
    assert oldest_kubelet_allowed(v(control_plane)) == v(oldest)


# --- the procedure's examples ----------------------------------------------------------------------

def test_1_27_to_1_29_goes_via_1_28():
    """Step 4: "first update your version 1.27 cluster to version 1.28 and then ... to 1.29"."""
    plan = build_upgrade_plan(ClusterState("1.27"), v("1.29"))
    assert plan.feasible and not plan.is_noop
    assert hop_pairs(plan) == [("1.27", "1.28"), ("1.28", "1.29")]


def test_node_at_1_27_under_control_plane_1_28_must_be_updated_before_1_29():
    """Step 1: control plane 1.28 and a node at 1.27: update the nodes to 1.28 before 1.29."""
    state = ClusterState("1.28", nodegroups=[NodeGroup("workers", "1.27")])

    blocked = build_upgrade_plan(state, v("1.29"), upgrade_nodegroups=False)
    assert not blocked.feasible and blocked.hops == ()
    assert ids(blocked.blockers) == ["managed-nodegroup-behind"]
    assert blocked.blockers[0].subject == "workers"
    assert "Update node group workers to 1.28 first" in blocked.blockers[0].remediation
    assert blocked.reachable == v("1.28")

    planned = build_upgrade_plan(state, v("1.29"), upgrade_nodegroups=True)
    assert planned.feasible
    assert [hop.to_dict() for hop in planned.hops] == [
        {"from_version": "1.28", "to_version": "1.29", "nodegroups_before": ["workers"]}]
    assert planned.nodegroups_after == ("workers",)


def test_fargate_node_behind_must_have_its_pod_deleted_first():
    """Step 1: "If you have Fargate nodes with a minor version lower ... first delete the Pod"."""
    state = ClusterState("1.28", fargate_kubelets=[Node("fargate-ip-10-0-1-2", "v1.27.9-eks-5e0fdde")])
    for upgrade_nodegroups in (False, True):
        plan = build_upgrade_plan(state, v("1.29"), upgrade_nodegroups)
        assert ids(plan.blockers) == ["fargate-kubelet-behind"]
        assert "Delete the pod that Fargate node fargate-ip-10-0-1-2 represents" in plan.blockers[0].remediation


def test_kubelet_1_25_lets_the_cluster_reach_1_28_but_not_1_29():
    state = ClusterState("1.25", self_managed_kubelets=[Node("ip-10-0-0-1", "v1.25.16-eks-5e0fdde")])
    assert highest_reachable_without_node_changes(state) == v("1.28")
    plan = build_upgrade_plan(state, v("1.28"))
    assert plan.feasible
    assert hop_pairs(plan) == [("1.25", "1.26"), ("1.26", "1.27"), ("1.27", "1.28")]
    assert ids(plan.warnings) == ["self-managed-kubelet-behind"]

    blocked = build_upgrade_plan(state, v("1.29"))
    assert ids(blocked.blockers) == ["self-managed-kubelet-skew"]
    assert blocked.blockers[0].subject == "ip-10-0-0-1"
    assert "allows 1.28 at most" in blocked.blockers[0].reason
    assert "Update node ip-10-0-0-1 to kubelet 1.26 or later" in blocked.blockers[0].remediation
    assert "Or set the target to 1.28." in blocked.blockers[0].remediation
    assert blocked.reachable == v("1.28")


def test_kubelet_1_21_lets_the_cluster_reach_1_23_but_not_1_24():
    state = ClusterState("1.21", self_managed_kubelets=[Node("ip-10-0-0-1", "v1.21.14-eks-ba74326")])
    assert highest_reachable_without_node_changes(state) == v("1.23")
    assert hop_pairs(build_upgrade_plan(state, v("1.23"))) == [("1.21", "1.22"), ("1.22", "1.23")]
    blocked = build_upgrade_plan(state, v("1.24"))
    assert ids(blocked.blockers) == ["self-managed-kubelet-skew"]
    assert "allows 1.23 at most" in blocked.blockers[0].reason


# --- planner details --------------------------------------------------------------------------------

def test_target_lower_than_current_is_blocked():
    plan = build_upgrade_plan(ClusterState("1.29"), v("1.28"))
    assert not plan.feasible and not plan.is_noop
    assert ids(plan.blockers) == ["target-lower-than-current"]
    assert plan.reachable == v("1.29")


def test_target_equal_to_current_is_a_noop_that_still_lists_node_groups_behind():
    state = ClusterState("1.29", nodegroups=[NodeGroup("old", "1.28"), NodeGroup("new", "1.29")])
    plan = build_upgrade_plan(state, v("1.29"))
    assert plan.is_noop and plan.feasible and plan.hops == ()
    assert plan.nodegroups_after == ("old",)


def test_target_must_be_offered_by_eks():
    known = ["1.28", "1.29", "1.31"]
    plan = build_upgrade_plan(ClusterState("1.28"), v("1.32"), known_versions=known)
    assert ids(plan.blockers) == ["intermediate-version-unknown", "target-unknown"]
    assert [blocker.subject for blocker in plan.blockers] == ["1.30", "1.32"]
    assert "offered: 1.28, 1.29, 1.31" in plan.blockers[1].reason
    assert plan.reachable == v("1.29")
    assert build_upgrade_plan(ClusterState("1.28"), v("1.29"), known_versions=known).feasible


def test_managed_node_groups_follow_every_hop():
    state = ClusterState("1.27", nodegroups=[NodeGroup("a", "1.26"), NodeGroup("b", "1.27")])
    plan = build_upgrade_plan(state, v("1.30"), upgrade_nodegroups=True)
    assert [hop.to_dict() for hop in plan.hops] == [
        {"from_version": "1.27", "to_version": "1.28", "nodegroups_before": ["a"]},
        {"from_version": "1.28", "to_version": "1.29", "nodegroups_before": ["a", "b"]},
        {"from_version": "1.29", "to_version": "1.30", "nodegroups_before": ["a", "b"]},
    ]
    assert plan.nodegroups_after == ("a", "b")
    assert plan.warnings == ()


def test_without_node_upgrades_node_groups_on_the_control_plane_allow_one_hop():
    state = ClusterState("1.27", nodegroups=[NodeGroup("a", "1.27")])
    assert build_upgrade_plan(state, v("1.28")).feasible
    plan = build_upgrade_plan(state, v("1.29"))
    assert ids(plan.blockers) == ["managed-nodegroup-behind"]
    assert "from 1.28 to 1.29" in plan.blockers[0].reason
    assert plan.reachable == v("1.28")


def test_custom_ami_node_group_blocks_when_it_must_move_and_warns_otherwise():
    state = ClusterState("1.28", nodegroups=[NodeGroup("gpu", "1.28", custom_ami=True)])
    blocked = build_upgrade_plan(state, v("1.30"), upgrade_nodegroups=True)
    assert ids(blocked.blockers) == ["custom-ami-nodegroup"]
    assert "launch template" in blocked.blockers[0].remediation
    assert ids(build_upgrade_plan(state, v("1.30")).blockers) == ["managed-nodegroup-behind"]

    plan = build_upgrade_plan(state, v("1.29"), upgrade_nodegroups=True)
    assert plan.feasible and plan.nodegroups_after == ()
    assert ids(plan.warnings) == ["custom-ami-nodegroup"]


def test_custom_ami_with_a_launch_template_version_for_the_target_is_updated_after_the_hop():
    state = ClusterState("1.29", [NodeGroup("custom", "1.29", custom_ami=True, launch_template_minor="1.30")])
    plan = build_upgrade_plan(state, v("1.30"), upgrade_nodegroups=True)
    assert plan.feasible and plan.warnings == ()
    assert plan.nodegroups_after == ("custom",)
    # Without upgrade_nodegroups nothing is updated, so it is left behind (a warning, as before).
    lenient = build_upgrade_plan(state, v("1.30"), upgrade_nodegroups=False)
    assert lenient.nodegroups_after == () and ids(lenient.warnings) == ["custom-ami-nodegroup"]


def test_custom_ami_with_a_launch_template_version_for_a_hop_is_updated_between_hops():
    state = ClusterState("1.29", [NodeGroup("custom", "1.29", custom_ami=True, launch_template_minor="1.30")])
    plan = build_upgrade_plan(state, v("1.31"), upgrade_nodegroups=True)
    assert plan.feasible
    assert [hop.nodegroups_before for hop in plan.hops] == [(), ("custom",)]
    # One launch template version moves it once: it is left on 1.30 once the control plane is on 1.31.
    assert plan.nodegroups_after == ()
    assert ids(plan.warnings) == ["custom-ami-nodegroup"]
    assert "no launch template version for 1.31 is given" in plan.warnings[0].reason


@pytest.mark.parametrize("group, reachable, given", [
    (NodeGroup("custom", "1.29", custom_ami=True, launch_template_minor="1.31"), "1.30", "is for 1.31, not 1.30"),
    (NodeGroup("custom", "1.28", custom_ami=True, launch_template_minor="1.30"), "1.29", "is for 1.30, not 1.29"),
    (NodeGroup("custom", "1.29", custom_ami=True, launch_template_minor="1.28"), "1.30", "is for 1.28, not 1.30"),
    (NodeGroup("custom", "1.29", custom_ami=True), "1.30", None),
    (NodeGroup("custom", "1.29", "DEGRADED", custom_ami=True, launch_template_minor="1.30"), "1.30",
     "(it is DEGRADED: not even its launch template version can be applied now)"),
])
def test_a_launch_template_version_for_another_minor_does_not_unblock(group, reachable, given):
    plan = build_upgrade_plan(ClusterState("1.29", [group]), v("1.31"), upgrade_nodegroups=True)
    assert ids(plan.blockers) == ["custom-ami-nodegroup"]
    assert plan.reachable == v(reachable)
    [blocker] = plan.blockers
    if given is None:
        assert "given for it" not in blocker.reason and "DEGRADED" not in blocker.reason
    elif given.startswith("("):
        assert given in blocker.reason
    else:
        assert "the launch template version given for it " + given in blocker.reason
    assert f"built for Kubernetes {reachable}" in blocker.remediation
    assert "option nodegroup_launch_templates" in blocker.remediation


def test_karpenter_nodes_follow_the_kubelet_skew_rule():
    state = ClusterState("1.29", karpenter_kubelets=[Node("ip-10-0-2-1", "1.27"), Node("ip-10-0-2-2", "1.29")])
    plan = build_upgrade_plan(state, v("1.31"))
    assert ids(plan.blockers) == ["karpenter-kubelet-skew"] and plan.reachable == v("1.30")
    assert "Let Karpenter replace node ip-10-0-2-1" in plan.blockers[0].remediation
    assert ids(plan.warnings) == ["karpenter-node-behind"]  # the 1.29 node, left to drift
    fine = build_upgrade_plan(state, v("1.30"))
    assert fine.feasible and ids(fine.warnings) == ["karpenter-node-behind", "karpenter-node-behind"]
    too_old = ClusterState("1.30", karpenter_kubelets=[Node("ip-10-0-2-1", "1.26")])
    assert ids(build_upgrade_plan(too_old, v("1.30")).warnings) == ["karpenter-kubelet-skew"]
    verdicts = {row["name"]: row for row in kubelet_skew_verdicts(state)}
    assert verdicts["ip-10-0-2-1"]["kind"] == "karpenter"
    assert verdicts["ip-10-0-2-1"]["ready_for_next_minor"] is True  # 1.27 may run under 1.30
    assert highest_reachable_without_node_changes(state) == v("1.30")


def test_node_group_not_active_blocks_when_it_must_move_and_warns_otherwise():
    state = ClusterState("1.28", nodegroups=[NodeGroup("busy", "1.27", status="DEGRADED")])
    blocked = build_upgrade_plan(state, v("1.29"), upgrade_nodegroups=True)
    assert ids(blocked.blockers) == ["nodegroup-not-active"]
    assert "DEGRADED" in blocked.blockers[0].reason

    noop = build_upgrade_plan(state, v("1.28"), upgrade_nodegroups=True)
    assert noop.nodegroups_after == ("busy",)
    assert ids(noop.warnings) == ["nodegroup-not-active"]


def test_fargate_on_the_control_plane_allows_one_hop_then_needs_a_redeploy():
    state = ClusterState("1.28", fargate_kubelets=[Node("fargate-ip-1", "v1.28.5-eks-5e0fdde")])
    one_hop = build_upgrade_plan(state, v("1.29"))
    assert one_hop.feasible
    assert ids(one_hop.warnings) == ["fargate-kubelet-behind"]
    assert "Redeploy the pods running on Fargate" in one_hop.warnings[0].remediation

    two_hops = build_upgrade_plan(state, v("1.30"), upgrade_nodegroups=True)
    assert ids(two_hops.blockers) == ["fargate-kubelet-behind"]
    assert "Upgrade to 1.29 first, redeploy the pods" in two_hops.blockers[0].remediation
    assert two_hops.reachable == v("1.29")


def test_self_managed_kubelet_already_out_of_skew_blocks_any_move():
    state = ClusterState("1.29", self_managed_kubelets=[Node("ancient", "1.24")])
    assert highest_reachable_without_node_changes(state) == v("1.29")
    plan = build_upgrade_plan(state, v("1.30"))
    assert ids(plan.blockers) == ["self-managed-kubelet-skew"]
    assert "Or set the target" not in plan.blockers[0].remediation
    assert ids(build_upgrade_plan(state, v("1.29")).warnings) == ["self-managed-kubelet-skew"]


def test_kubelet_newer_than_control_plane_is_a_warning():
    state = ClusterState("1.29", self_managed_kubelets=[Node("eager", "1.30")])
    plan = build_upgrade_plan(state, v("1.30"))
    assert plan.feasible
    assert ids(plan.warnings) == ["kubelet-newer-than-control-plane"]


def test_every_blocker_is_reported_at_once():
    state = ClusterState(
        "1.28",
        nodegroups=[NodeGroup("ng", "1.27")],
        fargate_kubelets=[Node("fargate-ip-1", "1.27")],
        self_managed_kubelets=[Node("ip-1", "1.24")],
    )
    plan = build_upgrade_plan(state, v("1.29"), known_versions=["1.28"])
    assert ids(plan.blockers) == [
        "target-unknown", "managed-nodegroup-behind", "fargate-kubelet-behind", "self-managed-kubelet-skew"]
    assert plan.warnings == ()


def test_highest_reachable_without_node_changes():
    assert highest_reachable_without_node_changes(ClusterState("1.29")) is None
    assert highest_reachable_without_node_changes(
        ClusterState("1.29", nodegroups=[NodeGroup("a", "1.29")])) == v("1.30")
    assert highest_reachable_without_node_changes(
        ClusterState("1.29", nodegroups=[NodeGroup("a", "1.28")])) == v("1.29")
    assert highest_reachable_without_node_changes(
        ClusterState("1.29", fargate_kubelets=[Node("f", "1.29")],
                     self_managed_kubelets=[Node("s", "1.29")])) == v("1.30")


def test_can_move_next_minor():
    assert can_move_next_minor(ClusterState("1.29", nodegroups=[NodeGroup("a", "1.29")])) == (True, [])
    movable, blockers = can_move_next_minor(ClusterState("1.29", nodegroups=[NodeGroup("a", "1.28")]))
    assert not movable and ids(blockers) == ["managed-nodegroup-behind"]
    movable, blockers = can_move_next_minor(ClusterState("1.29"), known_versions=["1.29"])
    assert not movable and ids(blockers) == ["target-unknown"]


def test_build_upgrade_plan_wants_a_kube_minor_target():
    with pytest.raises(TypeError, match="parse_target_version"):
        build_upgrade_plan(ClusterState("1.29"), "1.30")


def test_kubelet_skew_verdicts():
    state = ClusterState(
        "1.28",
        nodegroups=[NodeGroup("ng", "1.27")],
        fargate_kubelets=[Node("f", "v1.28.3-eks-ae9a62a")],
        self_managed_kubelets=[Node("s", "1.25"), Node("t", "1.24")],
    )
    verdicts = {verdict["name"]: verdict for verdict in kubelet_skew_verdicts(state)}
    assert verdicts["ng"] == {"kind": "managed-nodegroup", "name": "ng", "kubelet": "1.27", "control_plane": "1.28",
                              "skew": 1, "allowed_skew": 3, "ok": True, "ready_for_next_minor": False}
    assert verdicts["f"]["ready_for_next_minor"] and verdicts["f"]["skew"] == 0
    assert verdicts["s"]["ok"] and not verdicts["s"]["ready_for_next_minor"]   # 1.25 allows 1.28, not 1.29
    assert not verdicts["t"]["ok"] and verdicts["t"]["allowed_skew"] == 2      # 1.24 allows 1.26 at most


# --- building the state and serialising the plan -----------------------------------------------------

def test_cluster_state_from_dict_accepts_raw_api_shapes():
    state = ClusterState.from_dict({
        "control_plane": "v1.29.15-eks-8f8d5f6",
        "nodegroups": [
            {"name": "a", "version": "1.29"},
            {"nodegroupName": "b", "version": "1.28", "status": "UPDATING", "amiType": "CUSTOM"},
            NodeGroup("c", "1.29"),
        ],
        "fargate_kubelets": [{"name": "fargate-ip-1", "kubelet": "v1.29.3-eks-ae9a62a"}],
        "self_managed_kubelets": None,
    })
    assert state.control_plane == v("1.29")
    assert state.nodegroups == (
        NodeGroup("a", "1.29"), NodeGroup("b", "1.28", "UPDATING", True), NodeGroup("c", "1.29"))
    assert state.fargate_kubelets == (Node("fargate-ip-1", "1.29"),)
    assert state.self_managed_kubelets == ()


@pytest.mark.parametrize("data, message", [
    ({}, "cluster state needs 'control_plane'"),
    ({"control_plane": "1.29", "nodegroups": [{"version": "1.29"}]}, "node group needs 'name'"),
    ({"control_plane": "1.29", "nodegroups": [{"name": "a"}]}, "node group a needs 'version'"),
    ({"control_plane": "1.29", "fargate_kubelets": [{"name": "f"}]}, "node f needs 'kubelet'"),
])
def test_cluster_state_from_dict_names_what_is_missing(data, message):
    with pytest.raises(ValueError, match=message):
        ClusterState.from_dict(data)


def test_plan_to_dict_is_json_friendly():
    state = ClusterState("1.28", nodegroups=[NodeGroup("a", "1.28")], self_managed_kubelets=[Node("s", "1.27")])
    plan = build_upgrade_plan(state, v("1.29"), upgrade_nodegroups=True)
    data = json.loads(json.dumps(plan.to_dict()))
    assert data["current"] == "1.28" and data["target"] == "1.29" and data["reachable"] == "1.29"
    assert data["feasible"] is True and data["is_noop"] is False
    assert data["hops"] == [{"from_version": "1.28", "to_version": "1.29", "nodegroups_before": []}]
    assert data["nodegroups_after"] == ["a"]
    assert data["blockers"] == []
    assert [warning["id"] for warning in data["warnings"]] == ["self-managed-kubelet-behind"]
    assert set(data["warnings"][0]) == {"id", "reason", "remediation", "subject"}


# --- properties ---------------------------------------------------------------------------------------

@st.composite
def cluster_states(draw, healthy=False):
    """Random clusters, mostly sound so that many plans are feasible and multi-hop.

    ``healthy`` ones can always be upgraded two minors with upgrade_nodegroups: ACTIVE node groups
    without custom AMIs, no Fargate, self-managed kubelets on the control plane's minor.
    """
    control_plane = KubeMinor(1, draw(st.integers(12, 34)))
    behind = st.sampled_from([0, 0, 0, 1, 2, 4])
    count = st.sampled_from([0, 0, 1, 2, 3])
    nodegroups = []
    for index in range(draw(st.integers(1, 3) if healthy else count)):
        custom = not healthy and draw(st.integers(0, 4)) == 0
        # A custom-AMI group may come with a launch template version built for some minor around the path.
        template_minor = control_plane + draw(st.sampled_from([0, 1, 1, 2, 3, -1])) if custom and draw(
            st.booleans()) else None
        nodegroups.append(NodeGroup(
            f"ng-{index}",
            control_plane - draw(behind),
            "ACTIVE" if healthy else draw(st.sampled_from(["ACTIVE"] * 6 + ["UPDATING", "DEGRADED"])),
            custom,
            template_minor,
        ))
    fargate = [] if healthy else [
        Node(f"fargate-{index}", control_plane - draw(st.sampled_from([0, 0, 1])))
        for index in range(draw(st.sampled_from([0, 0, 0, 0, 1, 2])))]
    self_managed = [
        Node(f"ip-{index}", control_plane - (0 if healthy else draw(st.sampled_from([0, 0, 0, 1, 2, 3, 5]))))
        for index in range(draw(count))]
    karpenter = [
        Node(f"karpenter-{index}", control_plane - (0 if healthy else draw(st.sampled_from([0, 0, 1, 2, 3, 4]))))
        for index in range(draw(st.sampled_from([0, 0, 1, 2])))]
    hybrid = [
        Node(f"mi-{index}", control_plane - (0 if healthy else draw(st.sampled_from([0, 0, 1, 2, 3, 4]))))
        for index in range(draw(st.sampled_from([0, 0, 1, 2])))]
    return ClusterState(control_plane, nodegroups, fargate, self_managed, karpenter, hybrid)


@st.composite
def planning_inputs(draw):
    """(state, target, upgrade_nodegroups, known_versions) for build_upgrade_plan."""
    state = draw(cluster_states())
    current = state.control_plane
    target = current + draw(st.sampled_from([2, 3, 1, 4, 0, 6, -1]))
    known = None
    if draw(st.booleans()):
        offered = [current + step for step in range(-2, 8)]
        known = [version for version in offered if draw(st.integers(0, 19)) != 0]
    return state, target, draw(st.sampled_from([True, True, False])), known


@st.composite
def healthy_planning_inputs(draw):
    state = draw(cluster_states(healthy=True))
    return state, state.control_plane + draw(st.integers(1, 2)), True, None


def _legal_hops_oracle(state, target, upgrade_nodegroups, known):
    """How far the control plane gets, checking each hop against the rules directly."""
    control_plane = state.control_plane
    versions = {group.name: group.version for group in state.nodegroups}
    while control_plane < target:
        to_version = control_plane.next()
        if known is not None and str(to_version) not in {str(version) for version in known}:
            break
        for group in state.nodegroups:
            if upgrade_nodegroups and group.status == "ACTIVE" and not group.custom_ami:
                versions[group.name] = max(versions[group.name], control_plane)
            # A custom AMI moves once, with its launch template version, when the control plane is on its minor.
            if (upgrade_nodegroups and group.status == "ACTIVE" and group.custom_ami
                    and group.launch_template_minor == control_plane):
                versions[group.name] = max(versions[group.name], control_plane)
        if any(version < control_plane for version in versions.values()):
            break
        if any(node.kubelet < control_plane for node in state.fargate_kubelets):
            break
        if not all(kubelet_allows(node.kubelet, to_version)
                   for node in state.self_managed_kubelets + state.karpenter_kubelets + state.hybrid_kubelets):
            break
        control_plane = to_version
    return control_plane


@PROPERTY
@given(planning_inputs())
def test_hops_are_single_minors_contiguous_from_current_to_target(inputs):
    state, target, upgrade_nodegroups, known = inputs
    plan = build_upgrade_plan(state, target, upgrade_nodegroups, known)
    for hop in plan.hops:
        assert hop.from_version.distance(hop.to_version) == 1
    if plan.feasible:
        expected = state.control_plane.distance(target)
        assert len(plan.hops) == expected
        if plan.hops:
            assert plan.hops[0].from_version == state.control_plane
            assert plan.hops[-1].to_version == target
            for earlier, later in zip(plan.hops, plan.hops[1:]):
                assert earlier.to_version == later.from_version
    else:
        assert plan.blockers
        assert plan.hops == () and plan.nodegroups_after == () and plan.hybrid_nodes_after == ()


@PROPERTY
@given(planning_inputs())
def test_feasibility_and_reachable_match_a_hop_by_hop_oracle(inputs):
    state, target, upgrade_nodegroups, known = inputs
    plan = build_upgrade_plan(state, target, upgrade_nodegroups, known)
    if target < state.control_plane:
        assert not plan.feasible and plan.reachable == state.control_plane
        return
    assert plan.reachable == _legal_hops_oracle(state, target, upgrade_nodegroups, known)
    assert plan.feasible == (plan.reachable == target) == (not plan.blockers)
    if not plan.feasible:
        assert build_upgrade_plan(state, plan.reachable, upgrade_nodegroups, known).feasible


@PROPERTY
@given(st.one_of(planning_inputs(), healthy_planning_inputs()))
def test_applying_a_plan_never_breaks_a_rule(inputs):
    state, target, upgrade_nodegroups, known = inputs
    plan = build_upgrade_plan(state, target, upgrade_nodegroups, known)
    groups = {group.name: group for group in state.nodegroups}
    versions = {group.name: group.version for group in state.nodegroups}
    control_plane = state.control_plane
    for hop in plan.hops:
        assert hop.from_version == control_plane
        for name in hop.nodegroups_before:
            assert upgrade_nodegroups, "node changes without upgrade_nodegroups"
            assert groups[name].status == "ACTIVE"
            # A custom AMI only with a launch template version built for this minor.
            assert not groups[name].custom_ami or groups[name].launch_template_minor == hop.from_version
            assert versions[name] < hop.from_version
            versions[name] = hop.from_version
        # Rule 2: managed and Fargate nodes on the control plane's minor before it moves.
        assert all(version == control_plane for version in versions.values())
        assert all(node.kubelet == control_plane for node in state.fargate_kubelets)
        control_plane = hop.to_version
        # Rule 1: every kubelet within skew of the new control plane.
        kubelets = list(versions.values()) + [node.kubelet for node in state.fargate_kubelets]
        kubelets += [node.kubelet for node in state.self_managed_kubelets + state.karpenter_kubelets
                     + state.hybrid_kubelets]
        assert all(kubelet_allows(kubelet, control_plane) for kubelet in kubelets)
    if plan.feasible:
        assert control_plane == target
        # Hybrid nodes are never moved by a plan: each behind the target is left to nodeadm.
        assert [node.name for node in plan.hybrid_nodes_after] == [
            node.name for node in state.hybrid_kubelets if node.kubelet < target]
        assert set(plan.nodegroups_after) == {
            name for name, version in versions.items() if version < target and (
                not groups[name].custom_ami or (upgrade_nodegroups and groups[name].status == "ACTIVE"
                                                and groups[name].launch_template_minor == target))}


@PROPERTY
@given(planning_inputs())
def test_without_upgrade_nodegroups_a_plan_changes_no_node(inputs):
    state, target, _upgrade, known = inputs
    plan = build_upgrade_plan(state, target, False, known)
    assert all(hop.nodegroups_before == () for hop in plan.hops)
    highest = highest_reachable_without_node_changes(state)
    if target >= state.control_plane and known is None:
        assert plan.feasible == (highest is None or target <= highest)


@PROPERTY
@given(planning_inputs())
def test_plans_are_deterministic_and_serialisable(inputs):
    state, target, upgrade_nodegroups, known = inputs
    first = build_upgrade_plan(state, target, upgrade_nodegroups, known)
    second = build_upgrade_plan(ClusterState.from_dict(json.loads(json.dumps({
        "control_plane": str(state.control_plane),
        "nodegroups": [{"name": g.name, "version": str(g.version), "status": g.status, "custom_ami": g.custom_ami,
                        "launch_template_minor": None if g.launch_template_minor is None
                        else str(g.launch_template_minor)} for g in state.nodegroups],
        "fargate_kubelets": [{"name": n.name, "kubelet": str(n.kubelet)} for n in state.fargate_kubelets],
        "self_managed_kubelets": [{"name": n.name, "kubelet": str(n.kubelet)} for n in state.self_managed_kubelets],
        "karpenter_kubelets": [{"name": n.name, "kubelet": str(n.kubelet)} for n in state.karpenter_kubelets],
        "hybrid_kubelets": [{"name": n.name, "kubelet": str(n.kubelet)} for n in state.hybrid_kubelets],
    }))), target, upgrade_nodegroups, known)
    assert first == second
    assert json.loads(json.dumps(first.to_dict())) == second.to_dict()
    assert first.is_noop == (target == state.control_plane)
