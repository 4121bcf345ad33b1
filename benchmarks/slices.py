"""The upgrade as AWX runs a sliced job, measured: N concurrent `ansible-runner run` jobs, each over its slice of the
inventory (AWX's round-robin split, each job given an inventory of its own hosts only), sharing a checkpoint store
in the world's S3 and one report directory, then playbooks/report.yml merging the slices' reports.

    .venv/bin/python benchmarks/fleet.py --clusters 1000 --slices 4 --skip-preflight --skip-upgrade

It runs the slices on a fresh world, then slice 1 alone on another fresh world (the same clusters): the sliced
wall time against one slice's. On one machine the slices share its cores; on AWX each runs on an execution node.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import yaml

BUCKET = "lifecycle-eks-benchmark"
WORKFLOW_JOB_ID = 900


def awx_slice(hosts: list[str], number: int, count: int) -> list[str]:
    """The hosts of slice ``number`` (1-based) of ``count``, as AWX splits an inventory."""
    return hosts[number - 1::count]


def pared_down(inventory: dict[str, Any], hosts: list[str]) -> dict[str, Any]:
    """The inventory AWX writes for a slice job: only the slice's hosts, in their groups."""
    groups = {}
    for name, group in inventory["all"]["children"].items():
        kept = {host: hostvars for host, hostvars in (group.get("hosts") or {}).items() if host in hosts}
        if kept:
            groups[name] = {**group, "hosts": kept}
    return {"all": {"children": groups}}


def private_data_dir(directory: Path, repo: Path, inventory: dict[str, Any], extravars: dict[str, Any],
                     envvars: dict[str, str]) -> Path:
    """A private data directory laid out as AWX prepares it for ansible-runner."""
    (directory / "env").mkdir(parents=True)
    (directory / "inventory").mkdir()
    (directory / "inventory" / "hosts.yml").write_text(yaml.safe_dump(inventory, sort_keys=False))
    (directory / "project").symlink_to(repo)
    (directory / "env" / "extravars").write_text(yaml.safe_dump(extravars))
    (directory / "env" / "envvars").write_text(yaml.safe_dump(envvars))
    return directory


def run_slices(world: Any, run_measured: Any, repo: Path, out: Path, env: dict[str, str], count: int,
               only: int | None = None) -> dict[str, Any]:
    """Run the ``count`` slices concurrently (or slice ``only`` alone) and merge; wall time, CPU, outcome.
    ``run_measured`` is fleet.py's."""
    boto3.client("s3", endpoint_url=world.env["AWS_ENDPOINT_URL"], region_name=world.region,
                 aws_access_key_id=world.env["AWS_ACCESS_KEY_ID"],
                 aws_secret_access_key=world.env["AWS_SECRET_ACCESS_KEY"]).create_bucket(Bucket=BUCKET)
    inventory = yaml.safe_load(world.inventory.read_text())
    hosts = list(inventory["all"]["children"]["eks_clusters"]["hosts"])
    reports = out / "reports"
    variables = {"eks_report_dir": str(reports), "eks_checkpoint_backend": "s3", "eks_checkpoint_s3_bucket": BUCKET,
                 "eks_waves": ["100%"], "awx_workflow_job_id": WORKFLOW_JOB_ID,
                 "awx_job_template_name": "lifecycle.eks benchmark"}
    runner = str(Path(sys.executable).parent / "ansible-runner")
    jobs = []
    for number in ([only] if only else range(1, count + 1)):
        mine = awx_slice(hosts, number, count)
        directory = private_data_dir(out / f"slice-{number}", repo, pared_down(inventory, mine),
                                     {**variables, "awx_job_id": WORKFLOW_JOB_ID + number},
                                     {**world.env, "ANSIBLE_FORKS": str(len(mine)), "ANSIBLE_NOCOLOR": "1",
                                      "ANSIBLE_COLLECTIONS_PATH": env["ANSIBLE_COLLECTIONS_PATH"]})
        jobs.append((number, directory, mine))
    script = ("import json, subprocess, sys\n"
              "procs = [subprocess.Popen(json.loads(a), stdout=subprocess.DEVNULL) for a in sys.argv[1:]]\n"
              "sys.exit(max(p.wait() for p in procs))\n")
    commands = [json.dumps([runner, "run", str(directory), "--playbook", "playbooks/upgrade.yml", "--ident",
                      f"slice-{number}"]) for number, directory, _hosts in jobs]
    # One measured command starting the jobs at once: their CPU and memory are counted as one tree's.
    measured = run_measured([sys.executable, "-c", script, *commands], env, out / "slices.log", repo,
                            world_pid=world.proc.pid)
    states = world.state()
    reached = [name for _n, _d, mine in jobs for name in mine]
    target = {name: str(inventory["all"]["children"]["eks_clusters"]["hosts"][name].get("eks_target_version"))
              for name in reached}
    at_target = sum(1 for name in reached if states[name]["version"] == target[name])
    merged = None
    if only is None:
        merge_dir = private_data_dir(out / "merge", repo, inventory, {"eks_report_dir": str(reports)},
                                     {**world.env, "ANSIBLE_COLLECTIONS_PATH": env["ANSIBLE_COLLECTIONS_PATH"]})
        started = time.monotonic()
        subprocess.run([runner, "run", str(merge_dir), "--playbook", "playbooks/report.yml", "--ident", "merge"],
                       env=env, stdout=subprocess.DEVNULL, check=False)
        fleet = json.loads((reports / "fleet-summary.json").read_text())
        merged = {"wall": time.monotonic() - started, "total": fleet["total"], "counts": fleet["counts"],
                  "each_cluster_once": sorted(row["cluster"] for row in fleet["clusters"]) == sorted(hosts)}
    return {"rc": measured["rc"], "wall": measured["wall"], "cpu": measured["cpu"], "world_cpu": measured["world_cpu"],
            "clusters": len(reached), "at_target": at_target, "merged": merged,
            "peak_pss": measured["sampler"].peak_pss}


def measure(start_world: Any, run_measured: Any, base_env: dict[str, str], repo: Path, out: Path, count: int,
            figures: Any) -> dict:
    """The sliced upgrade, then slice 1 alone, each on a fresh world from ``start_world(name)``; figures added."""
    results = {}
    for label, only in (("sliced", None), ("one_slice", 1)):
        world = start_world(f"world-{label}")
        try:
            results[label] = run_slices(world, run_measured, repo, out / label, {**base_env, **world.env}, count, only)
        finally:
            world.stop()
    sliced, alone = results["sliced"], results["one_slice"]
    figures.add("slices_count", count, "slices")
    figures.add("slices_rc", sliced["rc"], "rc")
    figures.add("slices_clusters_at_target", sliced["at_target"], "clusters")
    figures.add("slices_wall", sliced["wall"], "s")
    figures.add("slices_cpu_per_cluster", sliced["cpu"] / max(sliced["clusters"], 1), "cpu_s")
    figures.add("slices_peak_pss_per_cluster", sliced["peak_pss"] / 2**20 / max(sliced["clusters"], 1), "MiB")
    figures.add("slices_emulator_cpu_share", sliced["world_cpu"] / max(sliced["world_cpu"] + sliced["cpu"], 1e-9),
                "fraction")
    figures.add("slices_merge_wall", sliced["merged"]["wall"], "s")
    figures.add("slices_merged_total", sliced["merged"]["total"], "clusters")
    figures.add("slices_merged_each_cluster_once", int(sliced["merged"]["each_cluster_once"]), "bool")
    figures.add("one_slice_wall", alone["wall"], "s")
    figures.add("one_slice_clusters_at_target", alone["at_target"], "clusters")
    figures.add("slices_wall_vs_one_slice", sliced["wall"] / alone["wall"] if alone["wall"] else 0.0, "x")
    return results
