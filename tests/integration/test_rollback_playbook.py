"""playbooks/rollback.yml end to end: upgrade a small fleet, then check mode, then roll back or refuse each cluster."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import mutating_calls
from tests.integration.permissions import aws_actions, policy_actions

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration

# EKS rolls node groups back never, and a kubelet may not be newer than the API server: after upgrade.yml
# brings managed node groups to 1.30, only a cluster without them can roll back at once.
SELF_MANAGED = {"version": "1.29", "nodegroups": [],
                "self_managed_nodes": [{"name": "ip-10-0-9-1.ec2.internal", "kubelet": "1.29"}]}
FLEET = {"target_version": "1.30", "clusters": [
    {"name": "rb-ok", **SELF_MANAGED},
    {"name": "rb-insight", **SELF_MANAGED, "insights": [{
        "name": "API compatibility", "category": "ROLLBACK_READINESS", "kubernetes_version": "1.29",
        "status": "ERROR", "reason": "Custom resources stored with a 1.30-only field."}]},
    {"name": "rb-nodegroups", "version": "1.29", "nodegroups": [{"name": "general", "version": "1.29"}]},
]}
ROLLBACK = {"eks_rollback_serial": "100%", "eks_rollback_max_fail_percentage": 100}


def rollback_updates(world: Any, since: int = 0) -> list[dict[str, Any]]:
    return [r for r in world.state.log.as_dicts(since) if r["operation"] == "UpdateClusterVersion"]


def test_upgrade_then_check_then_roll_back_one_and_refuse_two(make_world, run_playbook):
    world = make_world(FLEET)
    upgrade = run_playbook(world, {"eks_waves": ["100%"]})
    assert upgrade.rc == 0, upgrade.output[-3000:]
    assert set(upgrade.statuses().values()) == {"upgraded"}
    # The upgrade report holds, per hop, what a rollback needs.
    hop = upgrade.cluster_report("rb-nodegroups")["control_plane"]["updates"][-1]
    record = hop["rollback_record"]
    assert (record["from_version"], record["to_version"]) == ("1.29", "1.30")
    assert record["nodegroups"]["general"]["version"] == "1.29"
    assert record["addons"]["kube-proxy"].startswith("v1.29.")
    assert {name: c["version"] for name, c in world.summary().items()} == dict.fromkeys(
        ("rb-ok", "rb-insight", "rb-nodegroups"), "1.30")
    rollback_vars = {**ROLLBACK, "eks_upgrade_report_dir": str(upgrade.report_dir)}

    start = len(world.state.log.records())
    checked = run_playbook(world, rollback_vars, check=True, diff=True, playbook="playbooks/rollback.yml")
    assert mutating_calls(world, start) == []
    assert (checked.report_dir / "rollback-summary.json").is_file(), checked.output[-4000:]
    planned = json.loads((checked.report_dir / "rollback-summary.json").read_text())
    assert planned["clusters"] == {"rb-ok": "planned", "rb-insight": "refused", "rb-nodegroups": "refused"}, \
        checked.output[-3000:]
    assert checked.rc != 0  # refusals fail the run, after every cluster was assessed
    ok_plan = checked.cluster_report("rb-ok")
    assert ok_plan["plan"]["to_version"] == "1.29" and ok_plan["readiness"]["ready"] is True
    assert ok_plan["rollback_record"]["from_version"] == "1.29"  # found in the upgrade report
    check_mode_calls = aws_actions(world.state.log.as_dicts(start))
    assert check_mode_calls <= policy_actions("iam-policy-readonly.json")

    start = len(world.state.log.records())
    run = run_playbook(world, rollback_vars, playbook="playbooks/rollback.yml")
    summary = json.loads((run.report_dir / "rollback-summary.json").read_text())
    assert summary["clusters"] == {"rb-ok": "rolled-back", "rb-insight": "refused", "rb-nodegroups": "refused"}, \
        run.output[-3000:]
    assert run.rc != 0
    state = world.summary()
    assert (state["rb-ok"]["version"], state["rb-ok"]["kube_version"][:6]) == ("1.29", "v1.29.")
    assert state["rb-insight"]["version"] == state["rb-nodegroups"]["version"] == "1.30"
    sent = rollback_updates(world, start)
    assert [(r["cluster"], r["status"]) for r in sent] == [("rb-ok", 200)]
    assert state["rb-ok"]["updates"][-1]["type"] == "VersionRollback"

    done = run.cluster_report("rb-ok")
    [update] = done["updates"]
    assert (update["type"], update["status"], update["from"], update["to"]) == (
        "VersionRollback", "Successful", "1.30", "1.29")
    assert (done["version_before"], done["version_after"]) == ("1.30", "1.29")
    # What EKS did not roll back, against the record: add-ons the upgrade moved to 1.30 builds.
    assert any(a.startswith("add-on kube-proxy stays on v1.30.") for a in done["not_rolled_back"]["advice"])

    refused = run.cluster_report("rb-insight")
    assert refused["failure"]["msg"].startswith("Rollback of cluster rb-insight from 1.30 to 1.29 refused: "
                                                "rollback-insights:")
    assert "Custom resources stored with a 1.30-only field." in refused["failure"]["msg"]
    assert "force" in refused["failure"]["msg"]
    groups = run.cluster_report("rb-nodegroups")
    message = groups["failure"]["msg"]
    assert "nodegroups-not-ahead: managed node groups general (1.30) were upgraded past 1.29" in message
    assert "--kubernetes-version 1.29" in message
    assert "Clusters not rolled back: rb-insight, rb-nodegroups" in run.output

    # IAM: what the rollback playbook calls is what docs/iam-policy-rollback.json grants, within the upgrade policy.
    rollback_calls = aws_actions(world.state.log.as_dicts(start))
    assert rollback_calls == policy_actions("iam-policy-rollback.json")
    assert rollback_calls <= policy_actions("iam-policy.json")
