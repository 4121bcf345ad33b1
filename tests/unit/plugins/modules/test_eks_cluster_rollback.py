"""eks_cluster_rollback against the emulated world: readiness, rollback, check mode, refusals, idempotence."""
from __future__ import annotations

import datetime
import sys
from typing import Any

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import rollback
from ansible_collections.lifecycle.eks.plugins.modules import eks_cluster_rollback as module
from ansible_collections.lifecycle.eks.plugins.modules import eks_cluster_upgrade
from tests.conftest import mutating_calls
from tests.unit.plugins.modules.helpers import FAST_WAIT, HOUR, faults_once_returned, log_position, records


@pytest.fixture
def args(args):
    """The module takes no Kubernetes option: the shared fixture's arguments without the kubeconfig."""
    return lambda name, **extra: args(name, **dict({"kubeconfig": None}, **extra))


NAME = "healthy-129"
DAYS_8 = 8 * 24 * HOUR


def rollback_args(args, **extra):
    return args(NAME, **dict(FAST_WAIT, **extra))


def upgraded(make_world, **durations: float) -> Any:
    """The healthy cluster, its control plane upgraded in place to 1.30 (node groups still on 1.29)."""
    world = make_world("healthy", **durations)
    world.aws.begin_cluster_update(NAME, "1.30")
    world.state.clock.advance(world.state.cluster_update_s)
    world.aws.advance()
    assert world.summary()[NAME]["version"] == "1.30"
    return world


def sent_versions(world, since=0):
    return records(world, since, operation="UpdateClusterVersion")


def test_rollback_then_rerun_changes_nothing(make_world, run_module, args):
    world = upgraded(make_world)
    result = run_module(module, rollback_args(args))
    assert not result.failed, result.get("msg")
    assert result["changed"] is True
    assert (result["version_before"], result["target_version"], result["version_after"]) == ("1.30", "1.29", "1.29")
    assert result["readiness"]["ready"] is True
    assert {c["status"] for c in result["readiness"]["checks"]} == {"pass"}
    [update] = result["updates"]
    assert (update["type"], update["status"], update["from"], update["to"]) == (
        "VersionRollback", "Successful", "1.30", "1.29")
    assert update["resumed"] is False and update["subject"] == f"cluster {NAME}"
    summary = world.summary()[NAME]
    assert (summary["version"], summary["status"]) == ("1.29", "ACTIVE")
    assert summary["kube_version"].startswith("v1.29.")
    assert summary["updates"][-1]["type"] == "VersionRollback"
    assert [r["status"] for r in sent_versions(world)] == [200]
    # EKS leaves add-ons and node groups as they are; without a record there is nothing to compare with.
    assert {a["name"] for a in result["not_rolled_back"]["addons"]} == {"vpc-cni", "coredns", "kube-proxy"}
    assert result["rollback_record"] is None

    for again_args in (rollback_args(args), rollback_args(args, version="1.29")):
        before = log_position(world)
        again = run_module(module, again_args)
        assert not again.failed, again.get("msg")
        assert again["changed"] is False
        assert again["version_before"] == again["version_after"] == "1.29"
        assert "already" in again["reason"] and again["updates"] == []
        assert mutating_calls(world, before) == []


@pytest.mark.parametrize("check_mode", [True, False])
def test_check_mode_returns_the_verdict_and_the_plan(make_world, run_module, args, check_mode):
    world = upgraded(make_world)
    result = run_module(module, rollback_args(args, version="1.29"), check_mode=check_mode, diff=True)
    assert not result.failed, result.get("msg")
    assert result["changed"] is True
    assert result["diff"] == {"before": {"version": "1.30"}, "after": {"version": "1.29"}}
    assert result["plan"] == {"from_version": "1.30", "to_version": "1.29", "update_type": "VersionRollback",
                              "force": False, "rollback_timeout": None}
    assert result["readiness"]["ready"] is True
    assert result["readiness"]["last_upgrade"]["to_version"] == "1.30"
    if check_mode:
        assert mutating_calls(world) == []
        assert result["updates"] == [] and world.summary()[NAME]["version"] == "1.30"
    else:
        assert [r["operation"] for r in mutating_calls(world)] == ["UpdateClusterVersion"]
        assert world.summary()[NAME]["version"] == "1.29"


def test_node_groups_upgraded_too_are_refused_with_what_to_do(make_world, run_module, args):
    world = upgraded(make_world)
    with world.state.lock:
        world.aws.eks.update_nodegroup_version(NAME, "general")
    world.state.clock.advance(world.state.nodegroup_update_s)
    before = log_position(world)
    for check_mode in (True, False):
        result = run_module(module, rollback_args(args), check_mode=check_mode)
        assert result.failed
        assert result["msg"].startswith(f"Rollback of cluster {NAME} from 1.30 to 1.29 refused: nodegroups-not-ahead:")
        assert "general (1.30)" in result["msg"]
        assert f"update-nodegroup-version --cluster-name {NAME} --nodegroup-name NAME --kubernetes-version 1.29" \
            in result["msg"]
        assert result["changed"] is False and result["readiness"]["ready"] is False
        # EKS's own insight agrees (kubelet version skew), reported too.
        assert [i["name"] for i in result["readiness"]["blocking_insights"]] == ["Kubelet version skew"]
    assert mutating_calls(world, before) == []


def test_window_closed_is_refused(make_world, run_module, args, monkeypatch):
    world = upgraded(make_world)
    world.state.clock.advance(DAYS_8)
    monkeypatch.setattr(rollback, "utcnow",
                        lambda: datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=DAYS_8))
    before = log_position(world)
    result = run_module(module, rollback_args(args))
    assert result.failed
    assert "rollback-window: the 7-day rollback window closed about" in result["msg"]
    assert "fix forward on 1.30" in result["msg"]
    assert mutating_calls(world, before) == []


def test_eks_refusal_after_the_window_says_why(make_world, run_module, args):
    """The local clock thinks the window is open (EKS counts from the end of the upgrade): AWS's error, explained."""
    world = upgraded(make_world)
    world.state.clock.advance(DAYS_8)
    result = run_module(module, rollback_args(args))
    assert result.failed
    assert result["msg"].startswith(f"Failed to roll back cluster {NAME} to Kubernetes 1.29: "
                                    "InvalidParameterException: Unsupported Kubernetes minor version update from "
                                    "1.30 to 1.29")
    assert "7-day window closed" in result["msg"]
    assert result["error_code"] == "InvalidParameterException" and result["changed"] is False
    assert [r["status"] for r in sent_versions(world)] == [400]
    assert world.summary()[NAME]["version"] == "1.30"


def test_rollback_readiness_error_is_refused_unless_forced(make_world, run_module, args):
    world = upgraded(make_world)
    world.aws.add_insight(NAME, "API compatibility", category="ROLLBACK_READINESS", kubernetes_version="1.29",
                          status="ERROR", reason="apps/v1 field in use is unknown to 1.29.")
    result = run_module(module, rollback_args(args))
    assert result.failed
    assert "rollback-insights: ROLLBACK_READINESS insights in ERROR: API compatibility: apps/v1 field" in result["msg"]
    assert "accept the risk with force" in result["msg"]
    assert mutating_calls(world) == []

    forced = run_module(module, rollback_args(args, force=True, rollback_timeout=240))
    assert not forced.failed, forced.get("msg")
    insights_check = [c for c in forced["readiness"]["checks"] if c["id"] == "rollback-insights"][0]
    assert insights_check["status"] == "overridden"
    assert forced["plan"]["force"] is True and forced["plan"]["rollback_timeout"] == 240
    assert world.summary()[NAME]["version"] == "1.29"


def test_cluster_never_upgraded_is_refused(make_world, run_module, args):
    world = make_world("healthy")
    result = run_module(module, rollback_args(args))
    assert result.failed
    assert result["msg"].startswith(f"Rollback of cluster {NAME} from 1.29 to 1.28 refused: in-place-upgrade: no "
                                    f"in-place upgrade of cluster {NAME} to 1.29 is on record")
    assert mutating_calls(world) == []


@pytest.mark.parametrize("extra, message", [
    ({"version": "1.3"}, "quote the version"),
    ({"version": "v1.29"}, "without the 'v'"),
    ({"version": "1.31"}, "newer than its version 1.30"),
    ({"version": "1.28"}, "one minor only, to 1.29"),
    ({"rollback_timeout": 60}, "rollback_timeout must be between 120 and 10080 minutes"),
    ({"rollback_records": [{"from_version": "1.29"}]}, "rollback_records[0] is not a rollback record"),
    ({"cluster_name": "ghost", "kubeconfig": None}, "Failed to describe cluster ghost: ResourceNotFoundException"),
])
def test_bad_input_is_refused_before_any_change(make_world, run_module, args, extra, message):
    world = upgraded(make_world)
    result = run_module(module, rollback_args(args, **extra))
    assert result.failed
    assert message in result["msg"]
    assert mutating_calls(world) == []
    assert world.summary()[NAME]["version"] == "1.30"


def test_rollback_in_progress_is_resumed(make_world, run_module, args, finish_when_waited):
    world = upgraded(make_world)
    world.state.cluster_update_s = HOUR
    update_id = world.aws.begin_cluster_update(NAME, "1.29", update_type="VersionRollback")
    planned = run_module(module, rollback_args(args), check_mode=True)
    assert not planned.failed, planned.get("msg")
    [update] = planned["updates"]
    assert (update["id"], update["status"], update["resumed"]) == (
        update_id, "InProgress", True)
    finish_when_waited(world)
    result = run_module(module, rollback_args(args))
    assert not result.failed, result.get("msg")
    [update] = result["updates"]
    assert (update["id"], update["status"], update["resumed"]) == (
        update_id, "Successful", True)
    assert result["changed"] is True and result["version_after"] == "1.29"
    assert mutating_calls(world) == []


def test_wait_false_starts_the_rollback(make_world, run_module, args):
    world = upgraded(make_world)
    world.state.cluster_update_s = HOUR
    result = run_module(module, rollback_args(args, wait=False))
    assert not result.failed, result.get("msg")
    assert result["updates"][0]["status"] == "InProgress" and result["version_after"] == "1.30"
    assert world.summary()[NAME]["status"] == "UPDATING"


def test_failed_rollback_reports_aws_errors(make_world, run_module, args):
    world = upgraded(make_world)
    world.state.faults.set(NAME, fail_updates="ClusterUnreachable")
    result = run_module(module, rollback_args(args))
    assert result.failed
    assert "ended Failed: ClusterUnreachable" in result["msg"]
    [update] = result["updates"]
    assert (update["type"], update["status"]) == ("VersionRollback", "Failed")
    assert [e["errorCode"] for e in result["aws_errors"]] == ["ClusterUnreachable"]
    assert result["changed"] is True
    assert world.summary()[NAME]["version"] == "1.30"


def test_the_upgrade_record_shows_what_stays(make_world, run_module, args):
    """The record eks_cluster_upgrade took before the hop, compared with the add-ons after the upgrade."""
    world = make_world("healthy")
    upgrade = run_module(eks_cluster_upgrade, args(NAME, target_version="1.30", **FAST_WAIT))
    assert not upgrade.failed, upgrade.get("msg")
    record = upgrade["updates"][0]["rollback_record"]
    kube_proxy_before = record["addons"]["kube-proxy"]
    with world.state.lock:
        world.aws.eks.update_addon(NAME, "kube-proxy", "v1.30.0-eksbuild.2")
    world.state.clock.advance(1)
    result = run_module(module, rollback_args(args, rollback_records=[record]), check_mode=True)
    assert not result.failed, result.get("msg")
    assert result["rollback_record"] == record
    rows = {a["name"]: a for a in result["not_rolled_back"]["addons"]}
    assert rows["kube-proxy"] == {"name": "kube-proxy", "version": "v1.30.0-eksbuild.2",
                                  "before_upgrade": kube_proxy_before}
    assert result["not_rolled_back"]["advice"] == [
        f"add-on kube-proxy stays on v1.30.0-eksbuild.2 (it was {kube_proxy_before} before the upgrade): EKS does not "
        f"roll add-ons back; if v1.30.0-eksbuild.2 does not support Kubernetes 1.29, update it to a compatible "
        f"version such as {kube_proxy_before}"]


def test_needs_no_kubernetes_library(make_world, run_module, args, monkeypatch):
    upgraded(make_world)
    monkeypatch.setitem(sys.modules, "kubernetes", None)  # as if not installed
    result = run_module(module, rollback_args(args), check_mode=True)
    assert not result.failed, result.get("msg")
    assert (result["changed"], result["target_version"]) == (True, "1.29")


def test_a_failing_read_after_the_rollback_still_reports_it(make_world, run_module, args, monkeypatch,
                                                            no_aws_retries):
    """EKS answers 500 to the DescribeCluster after the rollback ended: the failure lists the rollback."""
    world = upgraded(make_world)
    faults_once_returned(monkeypatch, module, "see_through", world, NAME, error_rate=1.0)
    result = run_module(module, rollback_args(args))
    assert result.failed
    assert result["msg"].startswith("Failed to describe cluster %s" % NAME)
    assert result.get("changed") is True
    [update] = result.get("updates", [])
    assert (update["type"], update["status"], update["to"]) == ("VersionRollback", "Successful", "1.29")
    world.state.faults.clear()
    assert world.summary()[NAME]["version"] == "1.29"
