"""playbooks/upgrade.yml with eks_fargate_redeploy on Fargate pods behind the control plane (issue 13, Fargate pods).

Scenario fargate-owned-and-bare: a 1.29 cluster whose Deployment and StatefulSet run Fargate pods on 1.28 kubelets
(check fargate-pods-behind blocks the hop) and a bare Fargate pod on 1.29. One world, three runs: check mode (no
mutating call, the owners it would restart), the real run (the owners restarted before the control plane moves, the
checks run again and pass, the hop to 1.30, the owners restarted again after it; the bare pod reported, never
deleted), and the rerun (nothing changes).
"""
from __future__ import annotations

import pytest

from tests.conftest import mutating_calls
from tests.integration.permissions import FARGATE_REDEPLOY_RULES, rbac_rules, role_rules

pytestmark = pytest.mark.integration

CLUSTER = "fargate-apps"
OPTIONS = {"eks_waves": ["100%"], "eks_max_fail_percentage": 100, "eks_fargate_redeploy": True,
           "eks_fargate_max_concurrent": 1, "eks_preflight_skip": ["kubectl-client"]}
OWNERS = [("StatefulSet", "web", "db"), ("Deployment", "web", "web")]


def owners(result):
    return [(o["kind"], o["namespace"], o["name"]) for o in result["restarted"]]


def web_pods(world):
    """{pod: kubelet of its Fargate node} in namespace web."""
    store = world.kube.cluster(CLUSTER)
    kubelets = {n["metadata"]["name"]: n["status"]["nodeInfo"]["kubeletVersion"] for n in store.list("v1", "Node")}
    return {p["metadata"]["name"]: kubelets[p["spec"]["nodeName"]] for p in store.list("v1", "Pod", "web")}


def test_fargate_pods_behind_are_redeployed_before_and_after_the_control_plane_moves(make_world, run_playbook):
    world = make_world("fargate-owned-and-bare")
    before = web_pods(world)

    planned = run_playbook(world, OPTIONS, check=True, diff=True)
    assert mutating_calls(world) == [], "check mode must send no mutating call"
    report = planned.cluster_report(CLUSTER)
    assert report["status"] == "blocked", planned.output[-3000:]
    assert [b["id"] for b in report["blockers"]] == ["fargate-pods-behind"]
    assert owners(report["preflight"]["fargate_redeploy"]) == OWNERS
    assert web_pods(world) == before

    run = run_playbook(world, OPTIONS)
    assert run.statuses() == {CLUSTER: "upgraded"}, run.output[-3000:]
    state = world.summary()[CLUSTER]
    assert state["version"] == "1.30"
    after = web_pods(world)
    # Every owned pod is a new one on a Fargate node at 1.30 (db-0 keeps its name); the bare pod is untouched.
    assert after.pop("one-off-report") == before["one-off-report"]
    assert sorted(after) == sorted(["db-0"] + [p for p in after if p.startswith("web-")])
    assert len(after) == 3 and all(kubelet.startswith("v1.30.") for kubelet in after.values()), after
    assert not {p for p in after if p.startswith("web-")} & set(before)
    report = run.cluster_report(CLUSTER)
    # Before the hop: restarted onto 1.29, then the checks passed.
    assert owners(report["preflight"]["fargate_redeploy"]) == OWNERS
    assert report["preflight"]["fargate_redeploy"]["kubelet_minor"] == "1.29"
    assert "fargate-pods-behind" in [c["id"] for c in report["preflight"]["checks"] if c["status"] == "pass"]
    # After it: restarted again onto 1.30; the bare pod is reported as the one Fargate pod left to redeploy.
    redeploy = report["post_upgrade"]["fargate_redeploy"]
    assert owners(redeploy) == OWNERS and redeploy["kubelet_minor"] == "1.30"
    assert [(p["namespace"], p["name"]) for p in redeploy["bare_pods"]] == [("web", "one-off-report")]
    assert report["post_upgrade"]["fargate_pods_to_redeploy"] == ["fargate-one-off-report"]
    assert "fargate_redeploy" in report["checkpoint"]["finished_steps"], report["checkpoint"]
    restarts = [r["operation"] for r in mutating_calls(world) if r["service"] == "k8s"]
    assert sorted(restarts) == ["patch deployments"] * 2 + ["patch statefulsets"] * 2
    used = rbac_rules(world.state.log.as_dicts())
    assert FARGATE_REDEPLOY_RULES <= used <= role_rules()

    position = len(world.state.log.records())
    rerun = run_playbook(world, OPTIONS)
    assert rerun.statuses() == {CLUSTER: "finished"}, rerun.output[-3000:]
    assert mutating_calls(world, position) == [], "a rerun must change nothing"
    assert web_pods(world) == {**after, "one-off-report": before["one-off-report"]}
