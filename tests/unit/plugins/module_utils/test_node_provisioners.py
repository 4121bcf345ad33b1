# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Karpenter and EKS Auto Mode analysis (plugins/module_utils/node_provisioners.py), over facts shaped like gather's.

Every AMI selector term kind, every disruption budget shape, both NodePool API versions and Auto Mode, then
properties over random fleets of NodePools and nodes: each node below the target is accounted for exactly once.
"""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.lifecycle.eks.plugins.module_utils import node_provisioners as np
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import KubeMinor

PROPERTY = settings(max_examples=150, deadline=None)
RELEASES = {"1.29": "2024-01-23T00:00:00+00:00", "1.30": "2024-05-23T00:00:00+00:00",
            "1.31": "2024-09-26T00:00:00+00:00"}
V130 = KubeMinor(1, 30)


def node(name, kind, minor, nodepool=None, do_not_disrupt=False):
    return {"name": name, "kind": kind, "kubelet": "v%s.5-eks-ae9a62a" % minor, "minor": minor, "nodegroup": None,
            "nodepool": nodepool, "do_not_disrupt": do_not_disrupt, "gpu": False}


def node_class(name, terms=(), family=None, amis=()):
    return np.summarize_ec2nodeclass({"metadata": {"name": name}, "spec": dict(
        {"amiSelectorTerms": list(terms)} if terms else {}, **({"amiFamily": family} if family else {})),
        "status": {"amis": list(amis)}})


def node_pool(name, node_class_name="default", budgets=None, group="karpenter.k8s.aws"):
    disruption = {"consolidationPolicy": "WhenEmptyOrUnderutilized"}
    if budgets is not None:
        disruption["budgets"] = budgets
    return np.summarize_nodepool({"metadata": {"name": name}, "spec": {
        "template": {"spec": {"nodeClassRef": {"group": group, "kind": "EC2NodeClass", "name": node_class_name}}},
        "disruption": disruption}})


def facts(version="1.29", nodes=(), pools=(), classes=(), auto_mode=None, nodegroups=(), workloads=None,
          karpenter=True, api_versions=None):
    data = {"cluster": {"name": "demo", "version": version,
                        "auto_mode": auto_mode or {"enabled": False, "node_pools": []}},
            "nodes": list(nodes), "nodegroups": list(nodegroups), "version_release_dates": RELEASES}
    if karpenter:
        data["karpenter"] = {"api_versions": api_versions if api_versions is not None else (
            {"karpenter.sh": "v1", "karpenter.k8s.aws": "v1"} if (pools or classes) else {}),
            "nodepools": list(pools), "ec2nodeclasses": list(classes)}
    if workloads is not None:
        data["workloads"] = workloads
    return data


# --- names and terms ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, minor", [
    ("amazon-eks-node-al2023-x86_64-standard-1.29-v20240807", "1.29"),
    ("amazon-eks-node-1.30-v20240807", "1.30"),
    ("bottlerocket-aws-k8s-1.29-x86_64-v1.20.3-abc", "1.29"),
    ("Windows_Server-2019-English-Core-EKS_Optimized-1.31-2024.08.13", "1.31"),
    ("/aws/service/eks/optimized-ami/1.29/amazon-linux-2023/x86_64/standard/recommended/image_id", "1.29"),
    ("ubuntu-eks/k8s_1.30/images/hvm-ssd/ubuntu-jammy", "1.30"),
    ("my-golden-ami-v1.20.3", None),       # a release, not a Kubernetes minor
    ("node-1.29-to-1.30", None),            # two minors: can't tell
    ("", None),
    (None, None),
])
def test_minor_in_name(text, minor):
    assert np.minor_in_name(text) == minor


PINNED_AMI = {"id": "ami-0aaa", "name": "amazon-eks-node-al2023-x86_64-standard-1.29-v20240807"}
NEW_AMI = {"id": "ami-0bbb", "name": "amazon-eks-node-al2023-x86_64-standard-1.30-v20240807"}


@pytest.mark.parametrize("term, verdict, says", [
    ({"alias": "al2023@latest"}, np.FOLLOWS, "the newest EKS optimized AMI"),
    ({"alias": "bottlerocket@latest"}, np.FOLLOWS, "alias bottlerocket@latest"),
    ({"alias": "al2023@v20240807"}, np.RELEASE, "AMI release v20240807, built for the cluster's version"),
    ({"alias": "al2023@v20240523"}, np.RELEASE, "AMI release v20240523"),   # the day 1.30 came out
    ({"alias": "al2023@v20240315"}, np.NO_BUILD,
     "AMI release v20240315, older than Kubernetes 1.30 (EKS release 2024-05-23), has no AMI for 1.30"),
    ({"alias": "bottlerocket@v1.20.3"}, np.RELEASE, "not verified to exist for 1.30"),
    ({"alias": "al2023"}, np.UNKNOWN, "not FAMILY@VERSION"),
    ({"id": "ami-0aaa"}, np.PINNED, "AMI ami-0aaa, built for Kubernetes 1.29"),
    ({"id": "ami-0bbb"}, np.CURRENT, "AMI ami-0bbb, built for Kubernetes 1.30"),
    ({"id": "ami-0ccc"}, np.UNKNOWN, "AMI ami-0ccc (built for an unknown Kubernetes minor)"),
    ({"name": "amazon-eks-node-al2023-x86_64-standard-1.29-*"}, np.PINNED, "built for Kubernetes 1.29"),
    ({"name": "amazon-eks-node-al2023-x86_64-standard-1.31-v20241109"}, np.CURRENT, "built for Kubernetes 1.31"),
    ({"name": "golden-*", "owner": "self"}, np.UNKNOWN, "AMI name golden-*"),
    ({"ssmParameter": "/aws/service/eks/optimized-ami/1.29/amazon-linux-2023/x86_64/standard/recommended/image_id"},
     np.PINNED, "built for Kubernetes 1.29"),
    ({"ssmParameter": "/platform/amis/eks-nodes"}, np.UNKNOWN, "SSM parameter /platform/amis/eks-nodes"),
    ({"tags": {"team": "platform", "env": "prod"}}, np.UNKNOWN, "AMIs tagged env=prod, team=platform"),
    ({}, np.UNKNOWN, "selector term {}"),
])
def test_judge_term(term, verdict, says):
    found, text = np.judge_term(term, {"amis": [PINNED_AMI, NEW_AMI]}, V130, RELEASES)
    assert found == verdict
    assert says in text


@pytest.mark.parametrize("terms, needed", [
    ([{"alias": "al2023@v20240315"}], True),
    ([{"alias": "al2023@latest"}, {"alias": "bottlerocket@v1.20.3"}], False),
    ([{"id": "ami-0aaa"}], False),
    ([], False),
])
def test_needs_release_dates(terms, needed):
    assert np.needs_release_dates({"ec2nodeclasses": [node_class("c", terms)]}) is needed
    assert np.needs_release_dates(None) is False


def test_a_dated_alias_is_not_checked_without_release_dates():
    verdict, text = np.judge_term({"alias": "al2023@v20240315"}, {}, V130, {})
    assert verdict == np.RELEASE and "not verified to exist for 1.30" in text


@pytest.mark.parametrize("terms, family, verdict", [
    ([], "AL2", np.FOLLOWS),                      # v1beta1 style: amiFamily alone follows the cluster version
    ([], "Custom", np.UNKNOWN),
    ([], None, np.UNKNOWN),
    ([{"id": "ami-0aaa"}, {"alias": "al2023@latest"}], None, np.FOLLOWS),   # terms are ORed: the best one counts
    ([{"id": "ami-0aaa"}, {"alias": "al2023@v20240315"}], None, np.NO_BUILD),
    ([{"id": "ami-0aaa"}, {"tags": {"a": "b"}}], None, np.UNKNOWN),
    ([{"id": "ami-0aaa"}, {"id": "ami-0bbb"}], None, np.CURRENT),
    ([{"id": "ami-0aaa"}], "AL2023", np.PINNED),
])
def test_judge_node_class_takes_the_best_term(terms, family, verdict):
    judged = np.judge_node_class(node_class("default", terms, family, [PINNED_AMI, NEW_AMI]), V130, RELEASES)
    assert judged["verdict"] == verdict
    assert judged["needs_attention"] == (verdict in (np.PINNED, np.NO_BUILD, np.UNKNOWN))
    assert len(judged["selects"]) == max(len(terms), 1)
    if judged["needs_attention"]:
        assert judged["remediation"].startswith("Point amiSelectorTerms of EC2NodeClass default at AMIs built for "
                                                "Kubernetes 1.30 before the upgrade")
    else:
        assert judged["remediation"] == ""


@pytest.mark.parametrize("family, alias", [("Bottlerocket", "bottlerocket@latest"), ("AL2", "al2@latest"),
                                           ("Ubuntu", "al2023@latest"), (None, "al2023@latest")])
def test_remediation_names_the_alias_of_the_family(family, alias):
    judged = np.judge_node_class(node_class("c", [{"id": "ami-0aaa"}], family, [PINNED_AMI]), V130, RELEASES)
    assert "(alias %s," % alias in judged["remediation"]


# --- disruption budgets -------------------------------------------------------------------------------

@pytest.mark.parametrize("budgets, state, limit", [
    (None, "allowed", "10%"),                                                        # Karpenter's default
    ([{"nodes": "20%"}], "allowed", "20%"),
    ([{"nodes": "0"}], "blocked", "0"),
    ([{"nodes": "0%"}], "blocked", "0"),
    ([{"nodes": "0", "reasons": ["Drifted"]}], "blocked", "0"),
    ([{"nodes": "0", "reasons": ["Underutilized", "Empty"]}], "allowed", "100%"),  # doesn't limit drift
    ([{"nodes": "0", "reasons": ["Underutilized"]}, {"nodes": "5"}], "allowed", "5"),
    ([{"nodes": "2"}, {"nodes": "20%", "reasons": ["Drifted"]}], "allowed", "2 and 20%"),
    ([{"nodes": "0", "schedule": "0 9 * * 1-5", "duration": "8h"}, {"nodes": "20%"}], "windowed",
     "20% outside the window(s) 0 9 * * 1-5 for 8h"),
    ([{"nodes": "0", "schedule": "@daily", "duration": "10m"}], "windowed",
     "100% outside the window(s) @daily for 10m"),
    ([], "allowed", "100%"),
])
def test_drift_budget(budgets, state, limit):
    assert np.drift_budget(budgets) == (state, limit)


# --- summaries of the custom objects ------------------------------------------------------------------

def test_summaries_read_v1_and_v1beta1_objects():
    v1beta1 = np.summarize_nodepool({"metadata": {"name": "old"}, "spec": {"template": {"spec": {"nodeClassRef": {
        "apiVersion": "karpenter.k8s.aws/v1beta1", "kind": "EC2NodeClass", "name": "default"}}},
        "disruption": {"consolidationPolicy": "WhenUnderutilized", "budgets": [{"nodes": "5"}]}}})
    assert v1beta1 == {"name": "old", "node_class": "default", "node_class_group": "karpenter.k8s.aws",
                       "node_class_kind": "EC2NodeClass", "budgets": [{"nodes": "5"}],
                       "consolidation_policy": "WhenUnderutilized"}
    assert np.summarize_nodepool({"metadata": {"name": "bare"}})["node_class_group"] is None
    assert np.summarize_ec2nodeclass({"metadata": {"name": "bare"}}) == {
        "name": "bare", "ami_family": None, "ami_selector_terms": [], "amis": []}
    full = node_class("c", [{"alias": "al2023@latest"}], "AL2023", [{"id": "ami-1", "name": "n", "requirements": []}])
    assert full["amis"] == [{"id": "ami-1", "name": "n"}]


def test_controller_of_finds_the_karpenter_image():
    assert np.controller_of({"kube-system/karpenter": {"kind": "Deployment", "images": [
        "public.ecr.aws/karpenter/controller:1.0.6@sha256:abc"]}}) == {
        "workload": "kube-system/karpenter", "image": "public.ecr.aws/karpenter/controller:1.0.6@sha256:abc",
        "version": "1.0.6"}
    assert np.controller_of({"karpenter/karpenter": {"images": ["registry.example/mirror/karpenter:v0.37.0"]}})[
        "version"] == "v0.37.0"
    assert np.controller_of({"kube-system/coredns": {"images": ["coredns:v1.11"]}}) is None
    assert np.controller_of(None) is None


# --- the whole analysis ---------------------------------------------------------------------------------

def karpenter_fleet():
    classes = [node_class("latest", [{"alias": "al2023@latest"}]),
               node_class("old-release", [{"alias": "al2023@v20240315"}]),
               node_class("pinned", [{"id": "ami-0aaa"}], "AL2023", [PINNED_AMI])]
    pools = [node_pool("web", "latest"), node_pool("frozen", "latest", [{"nodes": "0", "reasons": ["Drifted"]}]),
             node_pool("default", "old-release"), node_pool("batch", "pinned"), node_pool("ghost", "missing")]
    nodes = [node("web-1", "karpenter", "1.29", "web"), node("web-2", "karpenter", "1.29", "web", True),
             node("web-3", "karpenter", "1.30", "web"), node("frozen-1", "karpenter", "1.29", "frozen"),
             node("default-1", "karpenter", "1.29", "default"), node("batch-1", "karpenter", "1.28", "batch"),
             node("ghost-1", "karpenter", "1.29", "ghost"), node("system-1", "managed", "1.29")]
    workloads = {"kube-system/karpenter": {"images": ["public.ecr.aws/karpenter/controller:1.1.1"]}}
    return facts(nodes=nodes, pools=pools, classes=classes, workloads=workloads)


def test_karpenter_fleet_before_the_upgrade():
    section = np.analyze(karpenter_fleet(), V130)
    assert section["target"] == "1.30"
    assert section["node_kinds"] == {"karpenter": 7, "managed": 1}
    karpenter = section["karpenter"]
    assert (karpenter["read"], karpenter["detected"], karpenter["api_version"], karpenter["nodes"]) == (
        True, True, "v1", 7)
    assert karpenter["controller"]["version"] == "1.1.1"
    assert {c["name"]: c["verdict"] for c in karpenter["node_classes"]} == {
        "latest": np.FOLLOWS, "old-release": np.NO_BUILD, "pinned": np.PINNED}
    assert {c["name"]: c["node_pools"] for c in karpenter["node_classes"]} == {
        "latest": ["web", "frozen"], "old-release": ["default"], "pinned": ["batch"]}
    assert karpenter["pinned_node_classes"] == ["old-release", "pinned"]
    pools = {p["name"]: p for p in karpenter["node_pools"]}
    assert (pools["web"]["replaced"], pools["web"]["do_not_disrupt"], pools["web"]["stay"]) == (
        ["web-1"], ["web-2"], ["web-2"])
    assert (pools["web"]["budget"], pools["web"]["budget_state"]) == ("10%", "allowed")
    assert pools["web"]["behind"] == ["web-1", "web-2"] and pools["web"]["nodes"] == 3
    assert (pools["frozen"]["blocked"], pools["frozen"]["replaced"]) == (["frozen-1"], [])
    assert pools["default"]["stay"] == ["default-1"] and pools["default"]["ami"] == np.NO_BUILD
    assert pools["batch"]["stay"] == ["batch-1"] and "pins an AMI built for an older minor" in pools["batch"]["message"]
    assert pools["ghost"]["stay"] == ["ghost-1"]
    assert "refers to EC2NodeClass missing, which does not exist" in pools["ghost"]["message"]
    assert karpenter["drift"] == {"replaced": ["web-1"], "blocked": ["frozen-1"],
                                  "stay": ["batch-1", "default-1", "ghost-1", "web-2"]}
    messages = section["messages"]
    assert messages[0].startswith("EC2NodeClass old-release (NodePools default): alias al2023@v20240315")
    assert any(m.startswith("NodePool web: Karpenter replaces 1 node(s) below 1.30 through drift (budget 10%); 1 kept")
               for m in messages)
    assert any("a disruption budget of 0 nodes for Drifted blocks it" in m for m in messages)
    assert section["auto_mode"]["enabled"] is False and section["auto_mode"]["message"] == ""
    json.dumps(section)  # plain data for the report


def test_after_the_upgrade_the_control_plane_version_is_the_target():
    section = np.analyze(karpenter_fleet())   # no target: judged against the cluster's own version, 1.29
    assert section["target"] == "1.29"
    # batch's pinned AMI is built for 1.29: its 1.28 node drifts to it.
    assert section["karpenter"]["drift"] == {"replaced": ["batch-1"], "blocked": [], "stay": []}
    pools = {p["name"]: p for p in section["karpenter"]["node_pools"]}
    assert pools["web"]["message"] == "NodePool web: none of its 3 node(s) is below 1.29."


def test_auto_mode_cluster():
    auto_pools = [node_pool("general-purpose", "default", group="eks.amazonaws.com"),
                  node_pool("system", "default", group="eks.amazonaws.com")]
    section = np.analyze(facts(
        nodes=[node("i-01", "auto", "1.29", "general-purpose"), node("i-02", "auto", "1.30", "system")],
        pools=auto_pools, api_versions={"karpenter.sh": "v1"},
        auto_mode={"enabled": True, "node_pools": ["general-purpose", "system"]}), V130)
    assert section["karpenter"]["detected"] is False  # Auto Mode's own NodePools are not Karpenter's
    assert section["karpenter"]["node_pools"] == []
    auto = section["auto_mode"]
    assert (auto["enabled"], auto["node_pools"], auto["nodes"], auto["behind"], auto["managed_nodegroups"]) == (
        True, ["general-purpose", "system"], 2, ["i-01"], 0)
    assert auto["message"].startswith("EKS Auto Mode is enabled (NodePools general-purpose, system): EKS replaces "
                                      "its 2 node(s) with nodes on 1.30 itself")
    assert "(1 still below 1.30)" in auto["message"]
    assert auto["message"].endswith("No managed node group: no node group step to run.")
    assert section["messages"] == [auto["message"]]
    with_groups = np.analyze(facts(auto_mode={"enabled": True, "node_pools": []}, nodegroups=[{"name": "ng"}]), V130)
    assert "No managed node group" not in with_groups["auto_mode"]["message"]
    assert "NodePools none" in with_groups["auto_mode"]["message"]


@pytest.mark.parametrize("data, detected", [
    (facts(), False),
    (facts(karpenter=False), False),
    (facts(workloads={"kube-system/karpenter": {"images": ["public.ecr.aws/karpenter/controller:1.0.0"]}}), True),
    (facts(nodes=[node("n", "karpenter", "1.29", "p")]), True),
    (facts(api_versions={"karpenter.sh": "v1", "karpenter.k8s.aws": "v1"}), True),   # CRDs, no object yet
    (facts(api_versions={"karpenter.sh": "v1"}), False),                              # Auto Mode's CRD only
])
def test_karpenter_detection(data, detected):
    section = np.analyze(data, V130)
    assert section["karpenter"]["detected"] is detected
    assert section["karpenter"]["read"] is ("karpenter" in data)


# --- properties -------------------------------------------------------------------------------------

TERMS = [{"alias": "al2023@latest"}, {"alias": "al2023@v20240315"}, {"alias": "al2023@v20240807"},
         {"id": "ami-0aaa"}, {"id": "ami-0bbb"}, {"tags": {"a": "b"}}]
BUDGETS = [None, [{"nodes": "0"}], [{"nodes": "20%"}], [{"nodes": "0", "reasons": ["Empty"]}],
           [{"nodes": "0", "schedule": "@daily", "duration": "1h"}]]


@st.composite
def fleets(draw):
    class_count = draw(st.integers(0, 3))
    classes = [node_class("c%d" % i, draw(st.lists(st.sampled_from(TERMS), max_size=2)),
                          draw(st.sampled_from([None, "AL2023"])), [PINNED_AMI, NEW_AMI]) for i in range(class_count)]
    pools = [node_pool("p%d" % i, "c%d" % draw(st.integers(0, 3)), draw(st.sampled_from(BUDGETS)))
             for i in range(draw(st.integers(0, 3)))]
    nodes = [node("n%d" % i, "karpenter", draw(st.sampled_from(["1.27", "1.28", "1.29", "1.30"])),
                  "p%d" % draw(st.integers(0, 3)), draw(st.integers(0, 4)) == 0)
             for i in range(draw(st.integers(0, 8)))]
    return facts(nodes=nodes, pools=pools, classes=classes), KubeMinor(1, draw(st.integers(29, 31)))


@PROPERTY
@given(fleets())
def test_every_node_below_the_target_is_accounted_for_once(fleet):
    data, target = fleet
    karpenter = np.analyze(data, target)["karpenter"]
    pool_names = {p["name"] for p in karpenter["node_pools"]}
    behind = sorted(n["name"] for n in data["nodes"]
                    if n["nodepool"] in pool_names and KubeMinor(1, int(n["minor"].split(".")[1])) < target)
    drift = karpenter["drift"]
    assert sorted(drift["replaced"] + drift["blocked"] + drift["stay"]) == behind
    kept = {n["name"] for n in data["nodes"] if n["do_not_disrupt"]}
    assert not kept & set(drift["replaced"] + drift["blocked"])
    for pool in karpenter["node_pools"]:
        if pool["ami"] in (np.PINNED, np.NO_BUILD, np.UNKNOWN) or pool["budget_state"] == "blocked":
            assert pool["replaced"] == []
        if pool["budget_state"] != "blocked":
            assert pool["blocked"] == []
    attention = {c["name"] for c in karpenter["node_classes"] if c["needs_attention"]}
    assert set(karpenter["pinned_node_classes"]) == attention
    assert json.loads(json.dumps(karpenter)) == karpenter


@PROPERTY
@given(fleets())
def test_analysis_is_deterministic_and_never_changes_its_input(fleet):
    data, target = fleet
    before = json.dumps(data, sort_keys=True)
    assert np.analyze(data, target) == np.analyze(json.loads(before), target)
    assert json.dumps(data, sort_keys=True) == before
