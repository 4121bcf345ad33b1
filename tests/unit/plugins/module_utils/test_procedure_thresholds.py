# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every threshold of AWS's "Updating an Amazon EKS cluster Kubernetes version", pinned on both sides.

One table per threshold: the last value that passes and the first that does not (and, where the rule
depends on the path, the versions just before and just after it). The pure check and skew functions
are called directly, so a constant or comparison moved by one fails here; tests/mutation/flip_thresholds.py
moves each of them and expects these tables to notice.
"""
import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import checks
from ansible_collections.lifecycle.eks.plugins.module_utils.checks import FAIL, PASS, WARN
from ansible_collections.lifecycle.eks.plugins.module_utils.gather import skew_input
from ansible_collections.lifecycle.eks.plugins.module_utils.skew import (
    ClusterState,
    build_upgrade_plan,
    kubelet_allows,
    kubelet_skew_verdicts,
    max_kubelet_skew,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.verdicts import skew_facts
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import (
    kubectl_compatible,
    parse_kube_version,
    parse_target_version,
    semver_at_least,
)

CNI_IMAGE = "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:%s"
LBC_IMAGE = "public.ecr.aws/eks/aws-load-balancer-controller:%s"
FLUENTD = {"amazon-cloudwatch/fluentd-cloudwatch": {
    "kind": "DaemonSet", "images": ["fluent/fluentd-kubernetes-daemonset:v1.16-debian-cloudwatch-1"]}}


def facts_for(version, nodegroups=(), nodes=(), **extra):
    """The facts gather.py returns, reduced to what the check under test reads."""
    facts = {"cluster": {"name": "demo", "version": version, "platform_version": "eks.7", "status": "ACTIVE"},
             "nodegroups": [{"name": name, "version": ng_version, "status": "ACTIVE", "custom_ami": False}
                            for name, ng_version in nodegroups],
             "nodes": [{"name": name, "kind": kind, "kubelet": "v%s.5-eks-ae9a62a" % kubelet, "minor": kubelet,
                        "nodegroup": None, "gpu": False} for name, kind, kubelet in nodes],
             "workloads": {}}
    facts.update(extra)
    facts["skew_input"] = skew_input(facts)
    return facts


def target(text):
    return parse_target_version(text)


# --- Introduction: "up to five available IP addresses" in every cluster subnet ------------------------------

@pytest.mark.parametrize("free, status", [
    (4, FAIL),
    (5, PASS),
], ids=["4-free-ips-fail", "5-free-ips-pass"])
def test_five_free_ips(free, status):
    subnets = [{"id": "subnet-0a1", "available_ips": 250, "az": "us-east-1a"},
               {"id": "subnet-0b2", "available_ips": free, "az": "us-east-1b"}]
    result = checks.check_subnets(facts_for("1.29", subnets=subnets, missing_subnets=[]), target("1.30"))
    assert result["status"] == status, result
    assert ("subnet-0b2 (%d free)" % free in result["message"]) == (status == FAIL)


# --- Step 4: VPC CNI "earlier than 1.8.0" ------------------------------------------------------------------

@pytest.mark.parametrize("tag, status", [
    ("v1.7.0", FAIL),
    ("v1.7.5-eksbuild.1", FAIL),
    ("v1.7.10", FAIL),            # numeric, not text, order
    ("v1.8.0", PASS),
    ("v1.8.0-eksbuild.1", PASS),  # an EKS build of 1.8.0 is 1.8.0
    ("v1.10.0", PASS),
], ids=["1.7.0-fail", "1.7.5-eksbuild-fail", "1.7.10-fail", "1.8.0-pass", "1.8.0-eksbuild-pass", "1.10.0-pass"])
def test_vpc_cni_1_8_0(tag, status):
    facts = facts_for("1.29", workloads={"kube-system/aws-node": {"kind": "DaemonSet", "images": [CNI_IMAGE % tag]}})
    result = checks.check_vpc_cni(facts, target("1.30"))
    assert result["status"] == status, result
    assert semver_at_least(tag, "1.8.0") == (status == PASS)


# --- Step 4: AWS Load Balancer Controller 2.4.7 or later before updating to 1.25 ----------------------------

@pytest.mark.parametrize("tag, current, goal, status", [
    ("v2.4.6", "1.24", "1.25", FAIL),     # the path reaches 1.25
    ("v2.4.7", "1.24", "1.25", PASS),
    ("v2.4.10", "1.24", "1.25", PASS),    # numeric, not text, order
    ("v2.4.6", "1.23", "1.26", FAIL),     # crosses 1.25 on the way
    ("v2.4.6", "1.23", "1.24", PASS),     # stops before 1.25
    ("v2.4.6", "1.24", "1.24", PASS),
    ("v2.4.6", "1.25", "1.26", PASS),     # already past 1.25
], ids=["2.4.6-to-1.25-fail", "2.4.7-to-1.25-pass", "2.4.10-to-1.25-pass", "2.4.6-1.23-to-1.26-fail",
        "2.4.6-to-1.24-pass", "2.4.6-stays-1.24-pass", "2.4.6-1.25-to-1.26-pass"])
def test_load_balancer_controller_2_4_7_before_1_25(tag, current, goal, status):
    controller = {"kube-system/aws-load-balancer-controller": {"kind": "Deployment", "images": [LBC_IMAGE % tag]}}
    result = checks.check_lb_controller(facts_for(current, workloads=controller), target(goal))
    assert result["status"] == status, result


# --- Step 4: kubelet skew: three minors for a kubelet on 1.25 or newer, two for 1.24 and older -------------

@pytest.mark.parametrize("kubelet, goal, blocked", [
    ("1.24", "1.26", False),
    ("1.24", "1.27", True),
    ("1.25", "1.28", False),
    ("1.25", "1.29", True),
], ids=["kubelet-1.24-to-1.26-ok", "kubelet-1.24-to-1.27-blocked", "kubelet-1.25-to-1.28-ok",
        "kubelet-1.25-to-1.29-blocked"])
@pytest.mark.parametrize("kind", ["self_managed", "karpenter"])
def test_kubelet_skew_against_the_target(kind, kubelet, goal, blocked):
    facts = facts_for(kubelet, nodes=[("node-1", kind, kubelet)])
    result = checks.check_kubelet_skew(facts, target(goal), False)
    assert result["status"] == (FAIL if blocked else WARN), result   # WARN: behind the target, within the skew
    plan = build_upgrade_plan(ClusterState.from_dict(facts["skew_input"]), target(goal))
    assert plan.feasible is not blocked
    assert str(plan.reachable) == (str(parse_kube_version(kubelet) + max_kubelet_skew(parse_kube_version(kubelet)))
                                   if blocked else goal)


@pytest.mark.parametrize("kubelet, control_plane, allowed", [
    ("1.24", "1.26", True),
    ("1.24", "1.27", False),
    ("1.25", "1.28", True),
    ("1.25", "1.29", False),
    ("1.26", "1.25", False),      # never newer than the control plane
], ids=["1.24-on-1.26", "1.24-on-1.27", "1.25-on-1.28", "1.25-on-1.29", "1.26-on-1.25"])
def test_kubelet_allowed_skew(kubelet, control_plane, allowed):
    minor = parse_kube_version(kubelet)
    assert max_kubelet_skew(minor) == (3 if minor >= parse_kube_version("1.25") else 2)
    assert kubelet_allows(minor, parse_kube_version(control_plane)) is allowed


@pytest.mark.parametrize("kubelet, control_plane, ok, ready", [
    ("1.24", "1.25", True, True),
    ("1.24", "1.26", True, False),     # 1.27 would be three minors ahead of a 1.24 kubelet
    ("1.25", "1.27", True, True),
    ("1.25", "1.28", True, False),
], ids=["1.24-on-1.25-ready", "1.24-on-1.26-not-ready", "1.25-on-1.27-ready", "1.25-on-1.28-not-ready"])
def test_kubelet_skew_verdicts(kubelet, control_plane, ok, ready):
    facts = facts_for(control_plane, nodes=[("node-1", "self_managed", kubelet)])
    for verdicts in (kubelet_skew_verdicts(ClusterState.from_dict(facts["skew_input"])), skew_facts(facts)["skew"]):
        assert [(v["allowed_skew"], v["ok"], v["ready_for_next_minor"]) for v in verdicts] == [
            (3 if parse_kube_version(kubelet) >= parse_kube_version("1.25") else 2, ok, ready)]


# --- Step 1: managed and Fargate nodes on the control plane's minor before it moves -------------------------

@pytest.mark.parametrize("version, status", [
    ("1.28", FAIL),
    ("1.29", PASS),
], ids=["nodegroup-1.28-fail", "nodegroup-1.29-pass"])
def test_managed_node_groups_on_the_control_plane_minor(version, status):
    facts = facts_for("1.29", nodegroups=[("general", version)])
    assert checks.check_node_minor(facts, target("1.30"), False)["status"] == status


@pytest.mark.parametrize("kubelet, status", [
    ("1.28", FAIL),
    ("1.29", PASS),
], ids=["fargate-1.28-fail", "fargate-1.29-pass"])
def test_fargate_nodes_on_the_control_plane_minor(kubelet, status):
    facts = facts_for("1.29", nodes=[("fargate-ip-10-0-9-1", "fargate", kubelet)])
    assert checks.check_fargate(facts, target("1.30"))["status"] == status


# --- Step 4, Important: EBS CSI driver before 1.23 ------------------------------------------------------------

@pytest.mark.parametrize("current, goal, status", [
    ("1.22", "1.22", PASS),
    ("1.22", "1.23", FAIL),
    ("1.21", "1.24", FAIL),
    ("1.23", "1.24", PASS),
], ids=["1.22-stays-pass", "1.22-to-1.23-fail", "1.21-to-1.24-fail", "1.23-to-1.24-pass"])
def test_ebs_csi_before_1_23(current, goal, status):
    facts = facts_for(current, in_tree_ebs_volumes=["pv-data-1"], addons=[])
    assert checks.check_ebs_csi(facts, target(goal))["status"] == status


# --- Step 4, Important: Fluentd migrated to Fluent Bit before 1.24 ----------------------------------------------

@pytest.mark.parametrize("current, goal, status", [
    ("1.23", "1.23", PASS),
    ("1.23", "1.24", FAIL),
    ("1.22", "1.25", FAIL),
    ("1.24", "1.25", PASS),
], ids=["1.23-stays-pass", "1.23-to-1.24-fail", "1.22-to-1.25-fail", "1.24-to-1.25-pass"])
def test_fluentd_before_1_24(current, goal, status):
    assert checks.check_fluentd(facts_for(current, workloads=dict(FLUENTD)), target(goal))["status"] == status


# --- Step 2: the eks.privileged Pod security policy, while PodSecurityPolicy is served (below 1.25) ------------

@pytest.mark.parametrize("current, status", [
    ("1.24", FAIL),
    ("1.25", PASS),
], ids=["1.24-checked-fail", "1.25-not-served-pass"])
def test_psp_below_1_25(current, status):
    facts = facts_for(current, psp_eks_privileged=False)
    assert checks.check_psp(facts, target(str(parse_kube_version(current).next())))["status"] == status


# --- Step 3: a CoreDNS Corefile line that only has the word `upstream` -----------------------------------------

@pytest.mark.parametrize("corefile, status", [
    ("    upstream\n", FAIL),
    ("  errors\n    upstream", FAIL),        # the last line, no newline after it
    ("    upstream\n    cache 30\n", FAIL),
    # The option with addresses: CoreDNS refuses it as it refuses the bare one (the fix removes it too).
    ("    upstream 8.8.8.8\n", FAIL),
    ("    # upstream\n", PASS),
    ("    upstreams\n", PASS),
    ("    proxy . /etc/resolv.conf upstream\n", PASS),
], ids=["bare-line-fail", "bare-last-line-no-newline-fail", "bare-line-then-more-fail", "with-address-pass",
        "comment-pass", "longer-word-pass", "word-in-a-line-pass"])
def test_coredns_upstream_line(corefile, status):
    result = checks.check_coredns_upstream(facts_for("1.29", corefile=corefile), target("1.30"), False)
    assert result["status"] == status, result


# --- Step 9: kubectl within one minor of the control plane ----------------------------------------------------

@pytest.mark.parametrize("client, status", [
    ("v1.28.15", WARN),
    ("v1.29.3", PASS),
    ("v1.30.2", PASS),
    ("v1.31.0", PASS),
    ("v1.32.0", WARN),
], ids=["kubectl-1.28-warn", "kubectl-1.29-pass", "kubectl-1.30-pass", "kubectl-1.31-pass", "kubectl-1.32-warn"])
def test_kubectl_within_one_minor(client, status):
    result = checks.check_kubectl(facts_for("1.29", kubectl_client=client), target("1.30"))
    assert result["status"] == status, result
    assert kubectl_compatible(client, "1.30") is (status == PASS)
