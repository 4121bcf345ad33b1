"""The upgrade as AWX runs a sliced job: concurrent ansible-runner jobs over the slices of an inventory, then merge.

Each slice is a private data directory laid out as AWX writes it for ansible-runner (env/extravars with AWX's job
variables, env/envvars with the credentials' environment, inventory/ holding only the slice's hosts, project/) and
run by `ansible-runner run`, the
engine of AWX's execution nodes. Checkpoints and claims go to the world's S3, the reports to one directory all slices
share; playbooks/report.yml, the workflow's last node, merges them.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import mutating_calls, without_user_settings
from tests.integration.conftest import FAST, ROOT

# AWX's split of an inventory into slices and the inventory of a slice job, shared with make benchmark --slices.
sys.path.insert(0, str(ROOT / "benchmarks"))
from slices import awx_slice, pared_down  # noqa: E402  (benchmarks/ is not a package)

pytestmark = pytest.mark.integration

CLUSTERS = ["slice-a", "slice-b", "slice-c", "slice-d"]
SLICES = 2
BUCKET = "fleet-checkpoints"
# AWX's job variables: the sliced job is one workflow job (id 40), each slice a job of its own (41, 42).
WORKFLOW_JOB_ID = 40


def survey_defaults() -> dict[str, Any]:
    """The extra variables AWX adds from awx/survey.json's defaults, typed as AWX passes them (multiselect: a list)."""
    spec = json.loads((ROOT / "awx" / "survey.json").read_text())["spec"]
    return {q["variable"]: q["default"].split("\n") if q["type"] == "multiselect" else q["default"]
            for q in spec if "default" in q}


def cluster(name: str) -> dict[str, Any]:
    return {"name": name, "version": "1.29", "nodegroups": [{"name": "general", "version": "1.29"}]}


def private_data_dir(tmp_path: Path, world: Any, ident: str, extravars: dict[str, Any],
                     hosts: list[str] | None = None) -> Path:
    """A private data directory as AWX prepares it for ansible-runner: the inventory of the slice's ``hosts`` (all
    of them when not given)."""
    directory = tmp_path / ident
    (directory / "env").mkdir(parents=True)
    (directory / "inventory").mkdir()
    inventory = yaml.safe_load((tmp_path / "world" / "inventory.yml").read_text())
    (directory / "inventory" / "hosts.yml").write_text(
        yaml.safe_dump(inventory if hosts is None else pared_down(inventory, hosts), sort_keys=False))
    (directory / "project").symlink_to(ROOT)  # AWX checks the project out here; the playbooks run from it
    (directory / "env" / "extravars").write_text(yaml.safe_dump(extravars))
    # What the Amazon Web Services credential injects (the world's endpoint and keys), and the collections path of
    # the execution environment.
    envvars = {**world.env(), "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".build" / "collections"),
               "ANSIBLE_NOCOLOR": "1"}
    (directory / "env" / "envvars").write_text(yaml.safe_dump(envvars))
    return directory


def start_runner(directory: Path, ident: str, playbook: str) -> subprocess.Popen[str]:
    runner = Path(sys.executable).parent / "ansible-runner"
    command = [str(runner), "run", str(directory), "--playbook", playbook, "--ident", ident]
    env = {**without_user_settings(os.environ), "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def artifact_stats(directory: Path, ident: str) -> dict[str, Any]:
    """What AWX shows as the job's artifacts: set_stats data of the playbook_on_stats event ansible-runner wrote."""
    artifacts = directory / "artifacts" / ident
    assert (artifacts / "status").read_text() in {"successful", "failed"}
    events = [json.loads(path.read_text()) for path in (artifacts / "job_events").glob("*.json")]
    [stats] = [event for event in events if event.get("event") == "playbook_on_stats"]
    return stats["event_data"]["artifact_data"]


def test_a_sliced_job_upgrades_every_cluster_once_and_the_merge_counts_each_once(make_world, tmp_path):
    world = make_world({"target_version": "1.30", "clusters": [cluster(name) for name in CLUSTERS]},
                       cluster_update_s=0.3, nodegroup_update_s=0.2, addon_update_s=0.1)
    world.client("s3").create_bucket(Bucket=BUCKET)
    shared_reports = tmp_path / "shared-reports"
    # The survey's answers as AWX passes them: its defaults (waves as the strings of a multiselect, booleans as
    # "true"/"false"), the store every slice shares, and AWX's own job variables.
    variables = {**survey_defaults(), **FAST, "eks_report_dir": str(shared_reports), "eks_checkpoint_backend": "s3",
                 "eks_checkpoint_s3_bucket": BUCKET, "eks_waves": ["100%"],
                 "awx_workflow_job_id": WORKFLOW_JOB_ID, "awx_job_template_name": "EKS upgrade"}
    since = len(world.state.log.records())

    slices = {}
    for number in range(1, SLICES + 1):
        ident = f"slice-{number}"
        hosts = awx_slice(CLUSTERS, number, SLICES)
        directory = private_data_dir(tmp_path, world, ident, {**variables, "awx_job_id": WORKFLOW_JOB_ID + number},
                                     hosts)
        slices[ident] = (directory, hosts, start_runner(directory, ident, "playbooks/upgrade.yml"))
    for ident, (_directory, _hosts, process) in slices.items():
        output, _errors = process.communicate(timeout=600)
        assert process.returncode == 0, f"{ident}:\n{output[-4000:]}"

    # Every cluster reached the target, each by exactly one control plane update (no slice met another's cluster).
    state = world.summary()
    assert {name: state[name]["version"] for name in CLUSTERS} == dict.fromkeys(CLUSTERS, "1.30")
    updates = [r["cluster"] for r in mutating_calls(world, since) if r["operation"] == "UpdateClusterVersion"]
    assert sorted(updates) == sorted(CLUSTERS)
    # One run id for every slice (AWX's workflow job), in the reports and the S3 checkpoints; no claim left behind.
    s3 = world.client("s3")
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))
    assert keys == [f"lifecycle-eks/checkpoints/{name}.json" for name in CLUSTERS]
    for name in CLUSTERS:
        report = json.loads((shared_reports / "clusters" / f"{name}.json").read_text())
        assert (report["run_id"], report["status"]) == (f"awx-{WORKFLOW_JOB_ID}", "upgraded")
        recorded = json.loads(s3.get_object(Bucket=BUCKET, Key=f"lifecycle-eks/checkpoints/{name}.json")["Body"].read())
        assert {step["run_id"] for step in recorded["steps"].values()} == {f"awx-{WORKFLOW_JOB_ID}"}

    # Each slice job's artifacts hold the fleet stats AWX shows: its own clusters upgraded, under the shared run id.
    for ident, (directory, hosts, _process) in slices.items():
        published = artifact_stats(directory, ident)["eks_fleet_summary"]
        assert published["run_id"] == f"awx-{WORKFLOW_JOB_ID}"
        assert {name: published["clusters"][name] for name in hosts} == dict.fromkeys(hosts, "upgraded")

    # The workflow's last node: one job over the whole inventory merges the slices' reports, each cluster once.
    merge = private_data_dir(tmp_path, world, "merge", {"eks_report_dir": str(shared_reports),
                                                        "awx_job_id": WORKFLOW_JOB_ID + 10})
    process = start_runner(merge, "merge", "playbooks/report.yml")
    output, _errors = process.communicate(timeout=300)
    assert process.returncode == 0, output[-4000:]
    fleet = json.loads((shared_reports / "fleet-summary.json").read_text())
    assert sorted(row["cluster"] for row in fleet["clusters"]) == CLUSTERS
    assert (fleet["run_id"], fleet["total"], fleet["counts"], fleet["ok"]) == (
        f"awx-{WORKFLOW_JOB_ID}", 4, {"upgraded": 4}, True)
    assert "| slice-c | upgraded | 1.29 | 1.30 |" in (shared_reports / "fleet-summary.md").read_text()
    # The HTML summary's timeline, as Ansible rendered it: one row per cluster, its hop, node group and add-ons.
    page = (shared_reports / "fleet-summary.html").read_text()
    assert sorted(re.findall(r'<div class="tl-row upgraded" data-cluster="([^"]+)"', page)) == CLUSTERS
    assert page.count('class="tl-seg tl-hop"') == 4 and page.count('class="tl-seg tl-nodegroup"') == 4
    merged = artifact_stats(merge, "merge")["eks_fleet_summary"]
    assert merged == {"run_id": f"awx-{WORKFLOW_JOB_ID}", "target_version": "1.30", "counts": {"upgraded": 4},
                      "ok": True, "clusters": dict.fromkeys(CLUSTERS, "upgraded")}


def test_a_job_meeting_a_cluster_another_job_holds_leaves_it_alone(make_world, tmp_path):
    """Two runs meet a cluster: the one whose claim loses fails for it, changes nothing, and keeps the others going."""
    world = make_world({"target_version": "1.30", "clusters": [cluster("held"), cluster("free")]})
    world.client("s3").create_bucket(Bucket=BUCKET)
    # Another job (AWX job 7 of run awx-6) is upgrading `held`: its claim is in the shared store.
    claim = {"schema_version": 1, "cluster": "held", "run_id": "awx-6", "holder": "awx-job-7",
             "target_version": "1.30", "claimed_at": "2026-12-05T10:00:00Z"}
    world.client("s3").put_object(Bucket=BUCKET, Key="lifecycle-eks/checkpoints/claims/held.json",
                                  Body=json.dumps(claim).encode())
    reports = tmp_path / "shared-reports"
    (reports / "clusters").mkdir(parents=True)
    theirs = {"cluster": "held", "run_id": "awx-6", "status": "upgraded"}
    (reports / "clusters" / "held.json").write_text(json.dumps(theirs))
    since = len(world.state.log.records())

    directory = private_data_dir(tmp_path, world, "other-run", {
        **FAST, "eks_report_dir": str(reports), "eks_checkpoint_backend": "s3", "eks_checkpoint_s3_bucket": BUCKET,
        "eks_waves": ["100%"], "eks_max_fail_percentage": 100, "awx_job_id": 9})
    process = start_runner(directory, "other-run", "playbooks/upgrade.yml")
    output, _errors = process.communicate(timeout=600)
    assert process.returncode != 0
    assert "Cluster held is claimed by another job: run awx-6, awx-job-7, since 2026-12-05T10:00:00Z" in output
    assert "Clusters not upgraded: held" in output
    assert {r["cluster"] for r in mutating_calls(world, since) if r["cluster"]} == {"free"}
    assert world.summary()["free"]["version"] == "1.30" and world.summary()["held"]["version"] == "1.29"
    # The holder's report and claim are untouched; this job's own claim of `free` was released.
    assert json.loads((reports / "clusters" / "held.json").read_text()) == theirs
    keys = sorted(o["Key"] for o in world.client("s3").list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == ["lifecycle-eks/checkpoints/claims/held.json", "lifecycle-eks/checkpoints/free.json"]
