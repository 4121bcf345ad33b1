"""A halted rollout, a killed run resumed, a wait past its timeout, bad input refused before any mutating call.

Apart from test_reliability.py (one wave of faults) so that the two halves run on different pytest workers.
"""
from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import mutating_calls, without_user_settings
from tests.integration.test_reliability import (
    cluster_updates,
    finish_updates_once_polled,
    kill_tree,
    write_inventory,
)

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def test_failure_above_max_fail_percentage_stops_the_rollout(make_world, run_playbook):
    world = make_world({"target_version": "1.30", "clusters": [
        {"name": name, "version": "1.29", "nodegroups": [{"name": "general", "version": "1.29"}]}
        for name in ("canary", "later-a", "later-b")]})
    world.state.faults.set("canary", fail_updates="InsufficientFreeAddresses")
    run = run_playbook(world, {"eks_waves": [1, "100%"], "eks_max_fail_percentage": 0})
    assert run.rc != 0
    assert run.statuses() == {"canary": "failed", "later-a": "not-run", "later-b": "not-run"}
    assert cluster_updates(world, "later-a") == [] and cluster_updates(world, "later-b") == []


def test_interrupted_run_resumes_the_update_without_starting_another(make_world, run_playbook, tmp_path):
    world = make_world("healthy", cluster_update_s=3600.0)
    env = {**without_user_settings(os.environ), **world.env(),
           "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".build" / "collections"),
           "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg")}
    command = [str(ROOT / ".venv" / "bin" / "ansible-playbook"), "-i", str(tmp_path / "world" / "inventory.yml"),
               str(ROOT / "playbooks" / "upgrade.yml"), "-e",
               json.dumps({"eks_report_dir": str(tmp_path / "killed"), "eks_wait_delay": 0.2})]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.time() + 240
    while not cluster_updates(world, "healthy-129") and time.time() < deadline:
        time.sleep(0.2)
    assert cluster_updates(world, "healthy-129"), "the first run never started the update"
    kill_tree(process.pid)  # killed while waiting on the update, modules included
    process.wait()
    assert world.summary()["healthy-129"]["status"] == "UPDATING"

    finish_updates_once_polled(world, "healthy-129", len(world.state.log.records()), listed_first=True)
    run = run_playbook(world)
    assert run.rc == 0, run.output[-3000:]
    assert len(cluster_updates(world, "healthy-129")) == 1, "the rerun must not send a second UpdateClusterVersion"
    updates = run.cluster_report("healthy-129")["control_plane"]["updates"]
    assert updates, run.cluster_report("healthy-129")
    assert updates[0]["resumed"] is True and updates[0]["status"] == "Successful"
    assert world.summary()["healthy-129"]["version"] == "1.30"


def test_wait_timeout_names_the_update_and_how_to_resume(make_world, run_playbook):
    world = make_world("healthy", cluster_update_s=120.0)
    run = run_playbook(world, {"eks_wait_timeout": 2})
    message = run.cluster_report("healthy-129")["failure"]["msg"]
    update_id = cluster_updates(world, "healthy-129")
    assert update_id
    assert "Timed out" in message and "Rerun" in message, message
    update = world.summary()["healthy-129"]["updates"][-1]
    assert update["id"] in message


BAD_INPUT = {
    # host: (variables, text the failure or blocker must contain)
    "yaml-float": ({"eks_target_version": "1.3"}, "'1.30'"),
    "word": ({"eks_target_version": "latest"}, "MAJOR.MINOR"),
    "v-prefix": ({"eks_target_version": "v1.29"}, "without the 'v'"),
    "patch": ({"eks_target_version": "1.29.1"}, "patch"),
    "empty": ({"eks_target_version": ""}, "eks_target_version"),
    "lower": ({"eks_target_version": "1.28"}, "lower"),
    "unknown-version": ({"eks_target_version": "1.40"}, "not offered"),
    "skew-no-nodes": ({"eks_target_version": "1.31", "eks_upgrade_nodegroups": False}, "node group"),
    "unknown-cluster": ({"eks_cluster_name": "no-such-cluster"}, "No cluster found"),
    "wrong-region": ({"eks_aws_region": "eu-west-3"}, "No cluster found"),
    "missing-kubeconfig": ({"eks_kubeconfig": "/nonexistent/kubeconfig"}, "not found"),
    # Read by the post_upgrade role only, after the control plane moved, until the play checked the roles' inputs first.
    "addon-conflicts": ({"eks_addon_resolve_conflicts": "KEEP"}, "eks_addon_resolve_conflicts"),
    "autoscaler-versions": ({"eks_cluster_autoscaler_versions": "1.9.3"}, "eks_cluster_autoscaler_versions"),
    "wait-timeout": ({"eks_wait_timeout": "soon"}, "eks_wait_timeout"),
    "s3-without-bucket": ({"eks_checkpoint_backend": "s3"}, "set eks_checkpoint_s3_bucket"),
    "no-such-backend": ({"eks_checkpoint_backend": "etcd"}, "must be local, s3 or dynamodb, not etcd"),
}


def test_bad_input_is_refused_before_any_mutating_call(make_world, run_playbook, tmp_path):
    world = make_world("healthy")
    kubeconfig = str(tmp_path / "world" / "kubeconfigs" / "healthy-129.yaml")
    hosts = {name: {"eks_cluster_name": "healthy-129", "eks_kubeconfig": kubeconfig, "eks_target_version": "1.30",
                    **variables} for name, (variables, _expected) in BAD_INPUT.items()}
    write_inventory(tmp_path / "world" / "inventory.yml", hosts)
    before = len(world.state.log.records())
    run = run_playbook(world, {"eks_waves": ["100%"], "eks_max_fail_percentage": 100})
    assert mutating_calls(world, before) == []
    assert run.rc != 0
    for host, (_variables, expected) in BAD_INPUT.items():
        report = run.cluster_report(host)
        assert report["status"] in ("failed", "blocked"), (host, report["status"])
        said = report["failure"].get("msg", "") + " ".join(
            b["message"] + " " + b["remediation"] for b in report["blockers"])
        assert expected in said, (host, said)


@pytest.mark.parametrize("playbook, variable, value", [
    ("playbooks/upgrade.yml", "eks_waves", [1, "0%"]),
    ("playbooks/rollback.yml", "eks_rollback_serial", 0),
])
def test_bad_waves_are_refused_before_any_call(make_world, run_playbook, playbook, variable, value):
    world = make_world("healthy")
    before = len(world.state.log.records())
    run = run_playbook(world, {variable: value, "eks_target_version": "1.30"}, playbook=playbook)
    assert run.rc != 0
    assert f"{variable} must be a wave size or a list of them" in run.output, run.output[-2000:]
    assert world.state.log.records()[before:] == []
