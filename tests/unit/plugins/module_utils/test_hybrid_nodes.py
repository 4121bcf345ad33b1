# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EKS Hybrid Nodes: the skew rule applied to them (skew.py), the nodeadm upgrade each needs, and their CNI against
the dated table of CNI releases (hybrid_nodes.py); both sides of every threshold."""
import datetime
import re

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import hybrid_nodes
from ansible_collections.lifecycle.eks.plugins.module_utils.checks import FAIL, PASS, WARN, run_checks
from ansible_collections.lifecycle.eks.plugins.module_utils.hybrid_nodes import (
    CNI_TABLE,
    cni_verdict,
    detect_cnis,
    image_repository,
    node_entries,
    skew_verdict,
    stale_table,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.skew import (
    ClusterState,
    Node,
    build_upgrade_plan,
    kubelet_skew_verdicts,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import KubeMinor, parse_semver
from tests.unit.plugins.module_utils.test_checks import make_facts, node

DAY = 86400


def v(text):
    major, minor = text.split(".")
    return KubeMinor(int(major), int(minor))


def ids(findings):
    return [finding.id for finding in findings]


def command(version):
    return "nodeadm upgrade %s --config-source file://nodeConfig.yaml" % version


def hybrid_facts(version, kubelets, workloads=None):
    """A healthy cluster (test_checks.make_facts) with hybrid nodes mi-1, mi-2... on the given kubelet minors."""
    nodes = [node("ip-10-0-1-10.ec2.internal", "managed", version, "general")]
    nodes += [node("mi-%d" % index, "hybrid", kubelet, os_image="Ubuntu 22.04.5 LTS")
              for index, kubelet in enumerate(kubelets, 1)]
    facts = make_facts(version, nodes=nodes)
    facts["workloads"].update(workloads or {})
    return facts


def cilium(tag, namespace="kube-system", name="cilium", repository="quay.io/cilium/cilium"):
    image = repository if tag is None else "%s:%s" % (repository, tag)
    return {"%s/%s" % (namespace, name): {"kind": "DaemonSet", "images": [image]}}


def calico(tag, namespace="calico-system"):
    return {"%s/calico-node" % namespace: {"kind": "DaemonSet", "images": ["quay.io/calico/node:%s" % tag]}}


# --- the skew rule on hybrid nodes (skew.py) ----------------------------------------------------------

@pytest.mark.parametrize("target, feasible", [("1.31", True), ("1.32", False)])
def test_a_hybrid_node_may_lag_the_control_plane_three_minors(target, feasible):
    """AWS: hybrid nodes may be up to three minors older than the control plane; kubelet 1.28 allows 1.31."""
    plan = build_upgrade_plan(ClusterState("1.30", hybrid_kubelets=[Node("mi-1", "1.28")]), v(target))
    assert plan.feasible is feasible
    if feasible:
        assert ids(plan.warnings) == ["hybrid-kubelet-behind"]
        assert plan.to_dict()["hybrid_nodes_after"] == [{"name": "mi-1", "kubelet": "1.28", "command": command(target)}]
    else:
        assert ids(plan.blockers) == ["hybrid-kubelet-skew"] and plan.reachable == v("1.31")
        assert plan.hybrid_nodes_after == ()
        blocker = plan.blockers[0]
        assert blocker.subject == "mi-1"
        assert "hybrid node mi-1 runs kubelet 1.28, which may be at most 3 minors older" in blocker.reason
        assert blocker.remediation == (
            "Upgrade hybrid node mi-1 to 1.30 first, on the machine: drain it, then run `%s`. Or set the target to "
            "1.31." % command("1.30"))


def test_nodeadm_never_goes_past_the_control_plane_so_a_long_path_needs_a_second_upgrade():
    behind = build_upgrade_plan(ClusterState("1.29", hybrid_kubelets=[Node("mi-1", "1.27")]), v("1.33"))
    assert ids(behind.blockers) == ["hybrid-kubelet-skew"]
    assert behind.blockers[0].remediation.startswith("Upgrade hybrid node mi-1 to 1.29 first")
    assert "On 1.29 it lets the control plane reach 1.32: upgrade the node there again (`%s`) before going on to " \
           "1.33." % command("1.32") in behind.blockers[0].remediation
    on_it = build_upgrade_plan(ClusterState("1.29", hybrid_kubelets=[Node("mi-1", "1.29")]), v("1.33"))
    assert on_it.blockers[0].remediation.startswith(
        "Hybrid node mi-1 is on the control plane's 1.29 (nodeadm can't take it further). On 1.29 it lets")
    assert on_it.reachable == v("1.32")
    assert build_upgrade_plan(ClusterState("1.29", hybrid_kubelets=[Node("mi-1", "1.29")]), v("1.32")).feasible


def test_a_hybrid_node_already_out_of_skew_warns_in_place_and_blocks_any_move():
    state = ClusterState("1.30", hybrid_kubelets=[Node("mi-1", "1.26")])  # 1.26 allows 1.29 at most
    stay = build_upgrade_plan(state, v("1.30"))
    assert ids(stay.warnings) == ["hybrid-kubelet-skew"]
    assert command("1.30") in stay.warnings[0].remediation
    assert ids(build_upgrade_plan(state, v("1.31")).blockers) == ["hybrid-kubelet-skew"]


def test_a_hybrid_node_newer_than_the_control_plane_is_a_warning():
    plan = build_upgrade_plan(ClusterState("1.30", hybrid_kubelets=[Node("mi-1", "1.31")]), v("1.31"))
    assert plan.feasible and ids(plan.warnings) == ["kubelet-newer-than-control-plane"]
    assert plan.hybrid_nodes_after == ()


@pytest.mark.parametrize("kubelet, ready", [("1.28", True), ("1.27", False)])
def test_kubelet_skew_verdicts_of_a_hybrid_node(kubelet, ready):
    """Under 1.30 both are within skew; ready for the next minor (1.31) only when the kubelet allows it: 1.28 + 3."""
    row = kubelet_skew_verdicts(ClusterState("1.30", hybrid_kubelets=[Node("mi-1", kubelet)]))[0]
    assert (row["kind"], row["allowed_skew"], row["ok"]) == ("hybrid", 3, True)
    assert row["ready_for_next_minor"] is ready


# --- hybrid-nodes: the check and the per-node entries ---------------------------------------------------

def test_no_hybrid_node_passes_both_checks_and_lists_nothing():
    facts = make_facts("1.29")
    assert skew_verdict(facts, v("1.30"), False)[0] == PASS
    assert cni_verdict(facts, v("1.30"), "2030-01-01", 1)[0] == PASS  # the table is not used: its age is not judged
    assert node_entries(facts, v("1.30")) == []


@pytest.mark.parametrize("target, status", [("1.32", WARN), ("1.33", FAIL)])
def test_hybrid_nodes_check_on_both_sides_of_the_skew(target, status):
    facts = hybrid_facts("1.31", ["1.31", "1.29"])
    found, message, remediation = skew_verdict(facts, v(target), True)
    assert found == status
    assert message.startswith("Hybrid nodes: mi-1 (kubelet 1.31, Ubuntu 22.04.5 LTS); mi-2 (kubelet 1.29, Ubuntu")
    assert remediation.endswith(hybrid_nodes.NOT_RUN)
    if status == FAIL:
        assert "it allows 1.32 at most, not 1.33" in message and command("1.31") in remediation
    else:
        assert "After the upgrade, upgrade hybrid node mi-2 to 1.32" in remediation and command("1.32") in remediation
    # kubelet-skew-path leaves them to this check: it names no hybrid node
    skew_path = [r for r in run_checks(facts, target, upgrade_nodegroups=True) if r["id"] == "kubelet-skew-path"][0]
    assert skew_path["status"] == PASS and "mi-" not in skew_path["message"]


def test_hybrid_nodes_on_the_target_pass():
    assert skew_verdict(hybrid_facts("1.30", ["1.30"]), v("1.30"), False)[0] == PASS


@pytest.mark.parametrize("kubelet, blocks, before", [
    ("1.28", False, None),                    # 1.28 allows 1.31: upgraded after the upgrade only
    ("1.27", True, command("1.30")),          # 1.27 allows 1.30: to the control plane's 1.30 first
])
def test_node_entries_say_which_nodeadm_upgrade_each_node_needs(kubelet, blocks, before):
    entry = node_entries(hybrid_facts("1.30", [kubelet]), v("1.31"))[0]
    assert entry["name"] == "mi-1" and entry["os_image"] == "Ubuntu 22.04.5 LTS"
    assert entry["blocks_target"] is blocks and entry["before_upgrade"] == before
    assert entry["after_upgrade"] == command("1.31")


def test_node_entries_of_a_node_on_the_target_or_a_lower_target_need_nothing():
    assert node_entries(hybrid_facts("1.30", ["1.30"]), v("1.30"))[0]["after_upgrade"] is None
    assert node_entries(hybrid_facts("1.30", ["1.29"]), v("1.29"))[0]["after_upgrade"] is None


# --- the CNI of hybrid nodes: detection --------------------------------------------------------------

@pytest.mark.parametrize("image, repository", [
    ("quay.io/cilium/cilium:v1.17.9", "quay.io/cilium/cilium"),
    ("public.ecr.aws/eks/cilium/cilium:1.17.9-0@sha256:0123", "public.ecr.aws/eks/cilium/cilium"),
    ("registry.local:5000/calico/node", "registry.local:5000/calico/node"),
    ("cilium", "cilium"),
])
def test_image_repository(image, repository):
    assert image_repository(image) == repository


def test_detect_cnis_finds_the_agents_only():
    workloads = {}
    workloads.update(cilium("1.17.9-0", repository="public.ecr.aws/eks/cilium/cilium"))
    workloads.update(cilium("v1.17.9", name="cilium-envoy", repository="quay.io/cilium/cilium-envoy"))
    workloads.update(calico("v3.29.2", namespace="kube-system"))
    workloads.update(calico("v3.29.2", namespace="tigera-operator"))  # not where calico-node runs
    workloads["kube-system/cilium-operator"] = {"kind": "Deployment", "images": ["quay.io/cilium/cilium:v1.17.9"]}
    assert detect_cnis(workloads) == [
        {"cni": "cilium", "workload": "kube-system/cilium", "version": "1.17.9-0", "series": "1.17"},
        {"cni": "calico", "workload": "kube-system/calico-node", "version": "v3.29.2", "series": "3.29"}]


@pytest.mark.parametrize("tag", [None, "latest"])
def test_detect_cnis_without_a_version(tag):
    assert detect_cnis(cilium(tag))[0]["series"] is None


# --- the CNI of hybrid nodes: the table and its verdicts -----------------------------------------------

def test_the_table_names_its_source_and_date_and_each_row_its_basis():
    assert re.match(r"^https://docs\.aws\.amazon\.com/eks/.+/hybrid-nodes-cni\.html$", CNI_TABLE["source"])
    recorded = datetime.date.fromisoformat(CNI_TABLE["recorded"])
    for row in CNI_TABLE["releases"]:
        assert row.cni in hybrid_nodes.CNI_NAMES and row.basis
        assert parse_semver(row.series)[2] == 0 and v(row.newest) > v("1.25")
        # a row is never newer than the table: its basis is dated on or before the table's date
        assert all(datetime.date.fromisoformat(day) <= recorded for day in re.findall(r"\d{4}-\d{2}-\d{2}", row.basis))
    assert len({(row.cni, row.series) for row in CNI_TABLE["releases"]}) == len(CNI_TABLE["releases"])


@pytest.mark.parametrize("row", CNI_TABLE["releases"], ids=lambda row: "%s-%s" % (row.cni, row.series))
def test_every_row_on_both_sides_of_its_newest_minor(row):
    """The newest minor a release supports passes; one more is a failure when a newer release in the table supports
    it, unknown (a warning) when none does."""
    newest = v(row.newest)
    workloads = cilium(row.series + ".3") if row.cni == "cilium" else calico("v%s.3" % row.series)
    facts = hybrid_facts(str(newest - 1), [str(newest - 1)], workloads)
    assert cni_verdict(facts, newest)[0] == PASS
    status, message, remediation = cni_verdict(facts, newest + 1)
    later = [r for r in CNI_TABLE["releases"] if r.cni == row.cni and v(r.newest) > newest]
    assert status == (FAIL if later else WARN), message
    assert "supports Kubernetes up to %s on hybrid nodes" % newest in message
    if later:
        assert "Or set the target to %s." % newest in remediation


def test_a_cni_too_old_for_the_hop_fails_naming_the_release_to_install():
    facts = hybrid_facts("1.31", ["1.31"], cilium("v1.16.7"))
    status, message, remediation = cni_verdict(facts, v("1.33"))
    assert status == FAIL
    assert message.startswith("Cilium v1.16.7 (DaemonSet kube-system/cilium) supports Kubernetes up to 1.32 on hybrid "
                              "nodes, so the hop to 1.33 needs a newer Cilium first")
    assert remediation.startswith("Upgrade Cilium to 1.17.x or later before the hop to 1.33")
    assert "Or set the target to 1.32." in remediation


def test_a_target_no_release_in_the_table_supports_still_names_the_release_that_goes_furthest():
    status, _message, remediation = cni_verdict(hybrid_facts("1.31", ["1.31"], cilium("v1.16.7")), v("1.35"))
    assert status == FAIL
    assert remediation.startswith("Upgrade Cilium to 1.17.x or later before the hop to 1.33")
    assert "No Cilium release in the table supports 1.35" in remediation


@pytest.mark.parametrize("workloads, text", [
    (cilium("v1.19.1"), "Cilium 1.19.x is not in the table"),
    (cilium(None), "its version is unknown"),
    (calico("v3.29.2"), "no Calico release in the table (recorded 2025-11-10) supports 1.33"),
    ({}, "no Cilium DaemonSet in kube-system nor Calico DaemonSet"),
])
def test_what_the_table_can_not_tell_is_a_warning(workloads, text):
    status, message, remediation = cni_verdict(hybrid_facts("1.32", ["1.32"], workloads), v("1.33"))
    assert status == WARN and text in message and remediation


def test_no_hop_judges_no_cni():
    assert cni_verdict(hybrid_facts("1.32", ["1.31"], cilium("v1.16.7")), v("1.32"))[0] == PASS


def test_two_cnis_give_the_worse_verdict():
    workloads = dict(cilium("v1.18.3"), **calico("v3.29.2"))
    status, message, _remediation = cni_verdict(hybrid_facts("1.32", ["1.32"], workloads), v("1.33"))
    assert status == WARN and message.startswith("Cilium v1.18.3") and "Calico v3.29.2" in message


@pytest.mark.parametrize("days, stale", [(180, False), (181, True)])
def test_the_table_warns_once_older_than_the_max_age(days, stale):
    today = (datetime.date.fromisoformat(CNI_TABLE["recorded"]) + datetime.timedelta(days=days)).isoformat()
    found = stale_table(today, 180 * DAY)
    assert (found is not None) is stale
    facts = hybrid_facts("1.31", ["1.31"], cilium("v1.17.9"))
    status, message, remediation = cni_verdict(facts, v("1.32"), today, 180 * DAY)
    assert status == (WARN if stale else PASS)
    if stale:
        assert "recorded on %s, 181 days ago (more than compatibility_table_max_age, 180 days)" % (
            CNI_TABLE["recorded"]) in message
        assert CNI_TABLE["source"] in remediation


def test_the_table_age_is_not_judged_without_a_day_or_a_max_age():
    assert stale_table(None, DAY) is None and stale_table("2099-01-01", None) is None


def test_run_checks_judges_the_table_age_with_the_day_of_the_facts():
    facts = hybrid_facts("1.31", ["1.31"], cilium("v1.17.9"))
    facts["today"] = "2099-01-01"
    found = {r["id"]: r for r in run_checks(facts, "1.32", table_max_age=365 * DAY)}
    assert found["hybrid-nodes-cni"]["status"] == WARN
    assert {r["id"]: r for r in run_checks(facts, "1.32")}["hybrid-nodes-cni"]["status"] == PASS
