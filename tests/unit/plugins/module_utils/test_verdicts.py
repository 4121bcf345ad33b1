# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The eks_version_skew fact (plugins/module_utils/verdicts.py) over small hand-built facts."""
import json

from ansible_collections.lifecycle.eks.plugins.module_utils.gather import skew_input
from ansible_collections.lifecycle.eks.plugins.module_utils.verdicts import skew_facts
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import KubeMinor


def make_facts(version, nodegroups=(), nodes=(), addons=None):
    facts = {"cluster": {"name": "demo", "arn": "arn:aws:eks:us-east-1:111122223333:cluster/demo",
                         "version": version, "platform_version": "eks.7", "status": "ACTIVE", "subnet_ids": []},
             "nodegroups": [{"name": name, "version": ng_version, "status": status, "custom_ami": False,
                             "release_version": None} for name, ng_version, status in nodegroups],
             "nodes": [{"name": name, "kind": kind, "kubelet": "v%s.3-eks-ae9a62a" % kubelet, "minor": kubelet,
                        "nodegroup": None, "gpu": False} for name, kind, kubelet in nodes]}
    if addons is not None:
        facts["addons"] = addons
    facts["skew_input"] = skew_input(facts)
    return facts


FACTS = make_facts(
    "1.29",
    nodegroups=[("general", "1.29", "ACTIVE"), ("batch", "1.28", "ACTIVE")],
    nodes=[("ip-10-0-1-1", "managed", "1.29"), ("ip-10-0-1-2", "managed", "1.29"), ("ip-10-0-2-1", "managed", "1.28"),
           ("fargate-ip-10-0-9-1", "fargate", "1.29"), ("ip-10-0-3-1", "self_managed", "1.27")],
    addons=[{"name": "vpc-cni", "version": "v1.18.5-eksbuild.1", "status": "ACTIVE"}],
)


def test_skew_facts_without_target():
    fact = skew_facts(FACTS)
    assert fact["control_plane"] == {"name": "demo", "version": "1.29", "platform_version": "eks.7",
                                     "status": "ACTIVE"}
    assert fact["nodegroups"] is FACTS["nodegroups"] and fact["nodes"] is FACTS["nodes"]
    assert fact["kubelet_versions"] == {"1.29": 3, "1.28": 1, "1.27": 1}
    assert fact["addons"] == FACTS["addons"]
    assert fact["next_minor"] == "1.30"
    # batch (1.28) must reach 1.29 before the control plane moves (step 1)
    assert fact["can_upgrade_next_minor"] is False
    assert [b["id"] for b in fact["blockers"]] == ["managed-nodegroup-behind"]
    assert fact["blockers"][0]["subject"] == "batch"
    assert fact["highest_reachable_without_node_changes"] == "1.29"
    assert "plan" not in fact
    skew = {(s["kind"], s["name"]): s for s in fact["skew"]}
    assert skew[("managed-nodegroup", "batch")]["skew"] == 1
    assert skew[("managed-nodegroup", "batch")]["ready_for_next_minor"] is False
    assert skew[("self-managed", "ip-10-0-3-1")] == {
        "kind": "self-managed", "name": "ip-10-0-3-1", "kubelet": "1.27", "control_plane": "1.29", "skew": 2,
        "allowed_skew": 3, "ok": True, "ready_for_next_minor": True}
    json.dumps(fact)  # the module returns it as a fact


def test_skew_facts_with_target_adds_the_plan():
    blocked = skew_facts(FACTS, KubeMinor(1, 30))
    assert blocked["plan"]["feasible"] is False and blocked["plan"]["target"] == "1.30"
    planned = skew_facts(FACTS, KubeMinor(1, 30), upgrade_nodegroups=True)
    assert planned["plan"]["feasible"] is True
    assert planned["plan"]["hops"] == [{"from_version": "1.29", "to_version": "1.30", "nodegroups_before": ["batch"]}]


def test_skew_facts_of_a_cluster_without_nodes():
    fact = skew_facts(make_facts("1.30"))
    assert fact["kubelet_versions"] == {} and fact["skew"] == [] and fact["addons"] == []
    assert fact["can_upgrade_next_minor"] is True and fact["blockers"] == []
    assert fact["highest_reachable_without_node_changes"] is None
    assert fact["next_minor"] == "1.31"


def test_skew_facts_of_a_cluster_ready_for_the_next_minor():
    facts = make_facts("1.30", nodegroups=[("general", "1.30", "ACTIVE")], nodes=[("ip-1", "managed", "1.30")])
    fact = skew_facts(facts, KubeMinor(1, 30))
    assert fact["can_upgrade_next_minor"] is True
    assert fact["highest_reachable_without_node_changes"] == "1.31"
    assert fact["plan"]["is_noop"] is True and fact["plan"]["hops"] == []
