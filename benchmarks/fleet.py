"""Fleet benchmark: lifecycle.eks on a 100-cluster emulated fleet, measured against a plain boto3 floor.

    make benchmark            # = .venv/bin/python benchmarks/fleet.py
    .venv/bin/python benchmarks/fleet.py --clusters 20 --cluster-update-seconds 10   # a quicker look

One run, one emulated world (eksworld, started as a separate process so that its CPU is not ours):

1. Preflight in check mode for the whole fleet through ansible-playbook (benchmarks/preflight.yml: the
   preflight role with the variables mapped as playbooks/upgrade.yml maps them, one wave, forks = fleet
   size), against the same facts read by benchmarks/floor.py (plain boto3 + kubernetes, one process, a
   thread pool across clusters). Wall and CPU time of both, their ratios, AWS and Kubernetes API calls
   per cluster (from the world's request log).
2. The full upgrade (playbooks/upgrade.yml, eks_waves=["100%"], forks = fleet size) with an emulated
   control-plane update of D seconds per hop: fleet wall time / (D x hops of the deepest cluster).
3. Controller memory (RSS of the ansible-playbook process tree sampled every 0.5 s from /proc: peak
   total and per cluster), API calls per cluster for the upgrade, DescribeUpdate polls per cluster per
   minute of waiting, and a task profile (tasks per cluster, module start-up cost).
4. The emulated Kubernetes API's cost of one GET over a kept-alive connection (benchmarks/kube_api_latency.py),
   so a slow emulator is told apart from a slow collection, and the emulated world's CPU during each run.
5. With --slices N: the upgrade as an AWX job sliced N ways, through ansible-runner (benchmarks/slices.py).

Output: one `name value unit` line per figure, then a short summary. Everything (request breakdowns,
task timings, logs) is also written under --out (default .world/benchmark). Timings on a shared machine
are noisy: CPU seconds are given next to wall seconds because they do not depend on other load.
"""
from __future__ import annotations

import argparse
import bisect
import collections
import contextlib
import ctypes
import json
import os
import re
import resource
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

import kube_api_latency  # benchmarks/ is on sys.path when this file is run
import slices

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
PAGE = os.sysconf("SC_PAGE_SIZE")
UPDATE_OPERATIONS = frozenset(("UpdateClusterVersion", "UpdateNodegroupVersion", "UpdateAddon"))
POLL_OPERATION = "DescribeUpdate"
# A real EKS control-plane hop takes about 8-10 minutes (AWS's guide: "can take several minutes"); 8 min.
REAL_HOP_SECONDS = 480.0
TARGETS = {  # name: (limit, comparison) as in the issues (issue 14: a fleet of 1,000 clusters)
    "preflight_calls_per_cluster": (12, "<="),
    "preflight_wall_ratio": (3, "<="),
    "upgrade_max_polls_per_cluster_per_min": (6, "<="),
    "upgrade_cpu_per_cluster": (3, "<="),
    "upgrade_peak_pss_per_cluster": (25, "<="),
}
# upgrade_ratio's limit depends on the emulated hop time D (issue 14: 3x at D = 20 s, 1.5x at D = 60 s).
UPGRADE_RATIO_TARGETS = {20.0: 3, 60.0: 1.5}


# -- output ------------------------------------------------------------------------------------------
class Figures:
    """`name value unit` lines, printed as they come and kept for the JSON file and the summary."""

    def __init__(self) -> None:
        self.values: dict[str, tuple[float | int | str, str]] = {}

    def add(self, name: str, value: float | int | str, unit: str) -> None:
        if isinstance(value, float):
            value = round(value, 3 if abs(value) < 10 else 1)
        self.values[name] = (value, unit)
        print(f"{name} {value} {unit}", flush=True)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, (default,))[0]


def log(message: str) -> None:
    print(f"# {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


# -- the emulated world ------------------------------------------------------------------------------
class World:
    """`python -m eksworld serve` in its own process; the admin API of its AWS endpoint."""

    def __init__(self, repo: Path, scenario: Path, out: Path, durations: dict[str, float]) -> None:
        self.out = out
        cmd = [sys.executable, "-m", "eksworld", "serve", "--scenario", str(scenario), "--out", str(out),
               "--cluster-update-seconds", str(durations["cluster"]),
               "--nodegroup-update-seconds", str(durations["nodegroup"]),
               "--addon-update-seconds", str(durations["addon"])]
        env = {**os.environ, "PYTHONPATH": str(repo)}
        self.log_file = open(out.parent / f"{out.name}-world.log", "w", encoding="utf-8")  # noqa: SIM115
        self.proc = subprocess.Popen(cmd, cwd=repo, env=env, stdout=subprocess.PIPE, stderr=self.log_file,
                                     text=True)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        match = re.search(r"AWS (\S+)", line)
        if not match:
            self.proc.kill()
            raise SystemExit(f"eksworld did not start: {line!r} (see {self.log_file.name})")
        self.url = match.group(1)
        self.env = dict(re.findall(r"export (\w+)=(.*)", (out / "env.sh").read_text()))
        self.env["EKSWORLD_ADMIN_URL"] = self.url
        self.inventory = out / "inventory.yml"
        # The fleet's region, as the playbooks read it (the world exports none).
        inventory = yaml.safe_load(self.inventory.read_text())
        self.region = inventory["all"]["children"]["eks_clusters"]["vars"]["eks_aws_region"]

    def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read() or b"null")

    def requests(self) -> list[dict[str, Any]]:
        return self.admin("GET", "/_world/requests")

    def clear_requests(self) -> None:
        self.admin("DELETE", "/_world/requests")

    def state(self) -> dict[str, Any]:
        return self.admin("GET", "/_world/state")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log_file.close()


def warm_up(world: World) -> None:
    """First calls start moto's backends (the first EC2 call takes ~1 s): charge that to nobody."""
    code = (f"import boto3; s = boto3.Session(region_name={world.region!r});"
            "e = s.client('eks'); c = s.client('ec2');"
            "n = e.list_clusters(maxResults=1)['clusters'][0]; e.describe_cluster(name=n);"
            "c.describe_subnets(MaxResults=5); c.describe_security_groups(MaxResults=5)")
    subprocess.run([sys.executable, "-c", code], env={**os.environ, **world.env}, check=True)


# -- process tree sampling ---------------------------------------------------------------------------
TICKS = os.sysconf("SC_CLK_TCK")
# plugins/plugin_utils/module_host.py MARKER: the module host outlives the worker that starts it; its parent is then
# this process (adopt_orphans), and it and its forks count as the run's module processes.
MODULE_HOST_MARKER = b"lifecycle-eks-module-host"


def _processes() -> dict[int, tuple[int, int, str, float]]:
    """pid -> (ppid, rss bytes, kind, own CPU seconds) for every process we can read."""
    found: dict[int, tuple[int, int, str, float]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
            with open(f"/proc/{entry.name}/statm", "rb") as handle:
                rss = int(handle.read().split()[1]) * PAGE
            with open(f"/proc/{entry.name}/cmdline", "rb") as handle:
                cmdline = handle.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2:].split()
        ppid = int(fields[1])
        cpu = (int(fields[11]) + int(fields[12])) / TICKS
        argv0 = cmdline.split(b"\0", 1)[0]
        # Modules run as `python3` reading the AnsiballZ payload on stdin (pipelining) or as AnsiballZ_*.py, or in
        # the module host (the server and its forks, which share its command line).
        kind = ("ansible" if b"ansible-playbook" in cmdline
                else "host" if MODULE_HOST_MARKER in cmdline
                else "module" if b"AnsiballZ_" in cmdline or re.search(rb"python[\d.]*$", argv0)
                else "other")
        found[int(entry.name)] = (ppid, rss, kind, cpu)
    return found


def _pss(pid: int) -> int:
    """Proportional set size in bytes (shared pages split between the processes sharing them)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            match = re.search(rb"^Pss:\s+(\d+) kB", handle.read(), re.MULTILINE)
    except OSError:
        return 0
    return int(match.group(1)) * 1024 if match else 0


class TreeSampler(threading.Thread):
    """Every `interval` s: total RSS of a process and its descendants, by kind; keeps the peaks.

    RSS counts the pages forked workers share copy-on-write once per process, so it overstates what
    the tree really uses; a slower second thread sums PSS (smaps_rollup, costly to read) every
    `pss_interval` s for a truer peak.
    """

    def __init__(self, root: int, keep: set[int], interval: float = 0.5, pss_interval: float = 10.0) -> None:
        super().__init__(daemon=True)
        self.root, self.interval, self.pss_interval = root, interval, pss_interval
        self.keep = keep  # our children that are not the command's (the world)
        self.stop_event = threading.Event()
        self.tree: list[int] = []
        self.peak_pss = 0
        self.main_cpu = 0.0
        self.module_cpu: dict[int, float] = {}
        self.samples = 0
        self.peak_total = 0
        self.peak_main = 0
        self.peak_processes = 0
        self.peak_modules = 0
        self.peak_workers = 0
        self.max_module_rss = 0
        self.max_worker_rss = 0
        self.timeline: list[tuple[float, int, int, int]] = []

    def run(self) -> None:
        pss = threading.Thread(target=self._pss_loop, daemon=True)
        pss.start()
        while not self.stop_event.is_set():
            self.sample()
            self.stop_event.wait(self.interval)
        pss.join()

    def _pss_loop(self) -> None:
        while not self.stop_event.wait(self.pss_interval):
            self.peak_pss = max(self.peak_pss, sum(_pss(pid) for pid in list(self.tree)))

    def sample(self) -> None:
        procs = _processes()
        children: dict[int, list[int]] = collections.defaultdict(list)
        for pid, (ppid, _rss, _kind, _cpu) in procs.items():
            children[ppid].append(pid)
        if self.root not in procs:
            return
        # The command's tree, and what it left running detached (adopted by us: adopt_orphans).
        orphans = [pid for pid in children.get(os.getpid(), ()) if pid != self.root and pid not in self.keep]
        tree, stack = [], [self.root, *orphans]
        while stack:
            pid = stack.pop()
            tree.append(pid)
            stack.extend(children.get(pid, ()))
        self.tree = tree
        self.main_cpu = procs[self.root][3]
        for pid in tree:
            if procs[pid][2] in ("module", "host"):
                self.module_cpu[pid] = procs[pid][3]
        total = sum(procs[p][1] for p in tree)
        modules = [procs[p][1] for p in tree if procs[p][2] in ("module", "host")]
        workers = [procs[p][1] for p in tree if procs[p][2] == "ansible" and p != self.root]
        self.samples += 1
        self.peak_total = max(self.peak_total, total)
        self.peak_main = max(self.peak_main, procs[self.root][1])
        self.peak_processes = max(self.peak_processes, len(tree))
        self.peak_modules = max(self.peak_modules, len(modules))
        self.peak_workers = max(self.peak_workers, len(workers))
        self.max_module_rss = max([self.max_module_rss, *modules])
        self.max_worker_rss = max([self.max_worker_rss, *workers])
        self.timeline.append((round(time.time(), 2), total, len(workers), len(modules)))


PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h


def adopt_orphans() -> None:
    """Become the subreaper of what the measured commands start: a process one of them leaves running detached (a
    server its worker started, which outlives the worker) is re-parented to us instead of init, so the sampler
    still sees it and its CPU reaches RUSAGE_CHILDREN once we reap it (``reap_adopted``)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def adopted(keep: set[int]) -> list[int]:
    """Our children other than ``keep`` (the world): processes a measured command left behind."""
    me = os.getpid()
    return [pid for pid, (ppid, _rss, _kind, _cpu) in _processes().items() if ppid == me and pid not in keep]


def reap_adopted(keep: set[int]) -> None:
    """Wait for the processes a finished command left behind (they end when its main process is gone)."""
    for pid in adopted(keep):
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def own_cpu(pid: int) -> float:
    """CPU seconds a live process has used (user + system), from /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(b")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def run_measured(cmd: list[str], env: dict[str, str], log_path: Path, cwd: Path,
                 sample: bool = True, world_pid: int | None = None) -> dict[str, Any]:
    """Run a command; its wall time, CPU time (its whole tree, from rusage, what it left running included), memory
    peaks, and the CPU the world (``world_pid``) spent meanwhile."""
    keep = {world_pid} if world_pid else set()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    world_before = own_cpu(world_pid) if world_pid else 0.0
    start = time.monotonic()
    with open(log_path, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        sampler = TreeSampler(proc.pid, keep) if sample else None
        if sampler:
            sampler.start()
        rc = proc.wait()
    wall = time.monotonic() - start
    reap_adopted(keep)
    if sampler:
        sampler.stop_event.set()
        sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"rc": rc, "wall": wall, "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "world_cpu": (own_cpu(world_pid) - world_before) if world_pid else 0.0, "sampler": sampler}


# -- the request log ---------------------------------------------------------------------------------
def count_calls(records: list[dict[str, Any]], clusters: int) -> dict[str, Any]:
    aws = [r for r in records if r["service"] != "k8s"]
    k8s = [r for r in records if r["service"] == "k8s"]
    by_op = collections.Counter(f"{r['service']}:{r['operation']}" for r in records)
    return {"total": len(records), "aws": len(aws), "k8s": len(k8s),
            "per_cluster": len(records) / clusters, "aws_per_cluster": len(aws) / clusters,
            "k8s_per_cluster": len(k8s) / clusters, "mutating": sum(r["mutating"] for r in records),
            "errors": sum(1 for r in records if r["status"] >= 400 or r["status"] == 0),
            "by_operation": dict(by_op.most_common())}


def polling(records: list[dict[str, Any]]) -> dict[str, Any]:
    """DescribeUpdate polls against the time spent waiting, per cluster.

    A cluster waits from an Update* call until the last DescribeUpdate that follows it before any other
    kind of call (several add-on updates waited on together form one window).
    """
    per_cluster: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for record in records:
        if record["cluster"]:
            per_cluster[record["cluster"]].append(record)
    polls, waited, worst_window, worst_rate, longest_wait = 0, 0.0, 0, 0.0, 0.0
    for calls in per_cluster.values():
        calls.sort(key=lambda r: r["seq"])
        start = end = None
        poll_times = []
        cluster_wait = 0.0
        for record in calls:
            operation = record["operation"]
            if operation in UPDATE_OPERATIONS:
                if start is None:
                    start = end = record["ts"]
            elif operation == POLL_OPERATION:
                poll_times.append(record["ts"])
                if start is not None:
                    end = record["ts"]
            elif start is not None:
                cluster_wait += end - start
                start = end = None
        if start is not None:
            cluster_wait += end - start
        polls += len(poll_times)
        waited += cluster_wait
        longest_wait = max(longest_wait, cluster_wait)
        worst_window = max(worst_window, most_in_a_window(poll_times))  # as they arrived at the world
        if cluster_wait > 0:
            worst_rate = max(worst_rate, len(poll_times) / (cluster_wait / 60))
    return {"polls": polls, "wait_minutes": waited / 60, "per_cluster_per_min": polls / (waited / 60) if waited else 0,
            "max_in_60s_window": worst_window, "worst_cluster_per_min": worst_rate, "longest_wait_s": longest_wait,
            "clusters": len(per_cluster)}


# -- the task profile (benchmarks/callback_plugins/bench_timer.py) -------------------------------------
def most_in_a_window(times: list[float], window: float = 60.0) -> int:
    ordered = sorted(times)
    return max((bisect.bisect_left(ordered, start + window) - index for index, start in enumerate(ordered)), default=0)


def polls_sent(path: Path) -> dict[str, Any]:
    """The most DescribeUpdate polls any cluster sent in 60 s, from the modules' own ledger (``poll_times``: send
    times, retries included, handed from step to step): what the budget of 6 per 60 s limits. The world's arrival
    times (``polling``) add its own queueing on a loaded machine, so they may show one more."""
    per_host: dict[str, set[float]] = collections.defaultdict(set)
    for line in path.read_text().splitlines():
        record = json.loads(line) if line.strip() else {}
        per_host[record.get("host", "")].update(record.get("poll_times") or [])
    return {"max_in_60s_window": max((most_in_a_window(list(times)) for times in per_host.values()), default=0),
            "clusters": sum(1 for times in per_host.values() if times)}


def task_profile(path: Path, hosts: int) -> dict[str, Any]:
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    tasks = [r for r in records if r["event"] == "task" and r["host"] != "localhost"]
    per_task: dict[str, list[float]] = collections.defaultdict(list)
    for record in tasks:
        if record["duration"] is not None and record["status"] != "skipped":
            per_task[record["task"]].append(record["duration"])
    executed = [r for r in tasks if r["status"] != "skipped"]
    modules = [r for r in executed if r["action"].startswith("lifecycle.eks.")]
    # Tasks of ours that start no module run here: a wave's entry reported (eks_wave_result, or a step's own task
    # given its wave_result), the report written and the checkpoint actions, which work on the controller with the
    # local backend the benchmark uses.
    no_module = {"lifecycle.eks." + name for name in ("eks_wave_result", "eks_checkpoint", "eks_checkpoint_info",
                                                      "eks_checkpoint_claim", "eks_report_write")}
    return {
        "module_runs_per_cluster": len([r for r in modules if r["action"] not in no_module
                                        and not r.get("wave_entry")]) / hosts,
        "tasks_per_cluster": len(tasks) / hosts,
        "executed_per_cluster": len(executed) / hosts,
        "skipped_per_cluster": (len(tasks) - len(executed)) / hosts,
        "module_tasks_per_cluster": len(modules) / hosts,
        "module_seconds_per_cluster": sum(r["duration"] or 0 for r in modules) / hosts,
        "other_task_seconds_per_cluster": sum(r["duration"] or 0 for r in executed
                                              if not r["action"].startswith("lifecycle.eks.")) / hosts,
        "mean_duration_by_task": {name: round(sum(d) / len(d), 3) for name, d in
                                  sorted(per_task.items(), key=lambda kv: -sum(kv[1]))},
    }


STARTUP_STEPS = {
    "module_startup_base": "from ansible.module_utils.basic import AnsibleModule",
    "module_startup_boto3": ("from ansible.module_utils.basic import AnsibleModule\n"
                             "import boto3\ns = boto3.Session(region_name='us-east-1')\n"
                             "s.client('eks'); s.client('ec2')"),
    "module_startup_full": ("from ansible.module_utils.basic import AnsibleModule\n"
                            "import boto3\ns = boto3.Session(region_name='us-east-1')\n"
                            "s.client('eks'); s.client('ec2')\n"
                            "import kubernetes\n"
                            "from ansible_collections.lifecycle.eks.plugins.module_utils import gather, kube, runner\n"
                            "kube.KubeApis(kubernetes.client.ApiClient())"),
}


def module_startup(collections_path: Path) -> dict[str, float]:
    """CPU seconds a fresh interpreter spends before a preflight-like module can make its first call."""
    result = {}
    env = {**os.environ, "PYTHONPATH": str(collections_path)}
    for name, body in STARTUP_STEPS.items():
        code = f"import time\n{body}\nimport sys; sys.stdout.write(str(time.process_time()))"
        best = min(float(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                        check=True).stdout) for _ in range(2))
        result[name] = best
    return result


# -- the fleet ---------------------------------------------------------------------------------------
def scaled_scenario(source: Path, clusters: int | None, dest: Path) -> tuple[Path, dict[str, Any]]:
    """The scenario, or a copy with its `count`s scaled down to about `clusters` clusters (same mix)."""
    data = yaml.safe_load(source.read_text())
    if clusters:
        total = sum(int(c.get("count", 1)) for c in data["clusters"])
        for entry in data["clusters"]:
            if "count" in entry:
                entry["count"] = max(1, round(int(entry["count"]) * clusters / total))
        dest.write_text(yaml.safe_dump(data, sort_keys=False))
        source = dest
    return source, data


def minor(version: str) -> int:
    return int(str(version).split(".")[1])


def machine() -> dict[str, Any]:
    mem_total = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    mem_kib = int(mem_total.group(1)) if mem_total else 0
    model = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    return {"nproc": os.cpu_count(), "ram_gib": mem_kib / 2**20, "cpu": model.group(1) if model else "?",
            "load": os.getloadavg()[0]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", type=Path, default=ROOT,
                        help="collection checkout to measure (default: this one; e.g. a scratch copy)")
    parser.add_argument("--scenario", type=Path, default=ROOT / "tests/scenarios/fleet-100.yml")
    parser.add_argument("--clusters", type=int, help="scale the scenario down to about this many clusters")
    parser.add_argument("--out", type=Path, default=ROOT / ".world/benchmark")
    parser.add_argument("--cluster-update-seconds", type=float, default=20.0, help="D, per control-plane hop")
    parser.add_argument("--nodegroup-update-seconds", type=float, default=1.0)
    parser.add_argument("--addon-update-seconds", type=float, default=0.5)
    parser.add_argument("--forks", type=int, help="default: the number of clusters (one wave, all at once)")
    parser.add_argument("--waves", default='["100%"]', help="eks_waves for the upgrade (JSON)")
    parser.add_argument("--extra-vars", default="{}",
                        help='more variables for the upgrade (JSON), e.g. \'{"eks_wave_steps": false}\' to compare')
    parser.add_argument("--floor-workers", type=int, default=16)
    parser.add_argument("--skip-preflight", action="store_true")
    parser.add_argument("--skip-upgrade", action="store_true")
    parser.add_argument("--slices", type=int, default=0,
                        help="also run the upgrade as an AWX job sliced N ways through ansible-runner (slices.py)")
    args = parser.parse_args(argv)

    repo = args.repo.resolve()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    collections_path = repo / ".build/collections"
    link = collections_path / "ansible_collections/lifecycle/eks"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(repo)
    scenario, data = scaled_scenario(args.scenario.resolve(), args.clusters, out / "scenario.yml")
    target = str(data["target_version"])
    durations = {"cluster": args.cluster_update_seconds, "nodegroup": args.nodegroup_update_seconds,
                 "addon": args.addon_update_seconds}
    figures = Figures()
    info: dict[str, Any] = {"args": {k: str(v) for k, v in vars(args).items()}}
    started = time.monotonic()

    host = machine()
    figures.add("machine_nproc", host["nproc"], "cores")
    figures.add("machine_ram", host["ram_gib"], "GiB")
    figures.add("machine_load_at_start", host["load"], "load1")
    info["machine"] = host

    startup = module_startup(collections_path)
    for name, value in startup.items():
        figures.add(name, value, "cpu_s")
    figures.add(kube_api_latency.FIGURE, kube_api_latency.keep_alive_get_ms(), "ms")

    adopt_orphans()
    world = World(repo, scenario, out / "world", durations)
    try:
        warm_up(world)
        before = world.state()
        clusters = len(before)
        forks = args.forks or clusters
        hops = {name: max(0, minor(target) - minor(c["version"])) for name, c in before.items()}
        figures.add("fleet_clusters", clusters, "clusters")
        figures.add("fleet_deepest_hops", max(hops.values()), "hops")
        figures.add("ansible_forks", forks, "forks")
        ansible_env = {**os.environ, **world.env,
                       "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
                       "ANSIBLE_COLLECTIONS_PATH": str(collections_path),
                       "ANSIBLE_CONFIG": str(repo / "ansible.cfg"),
                       "ANSIBLE_FORKS": str(forks),
                       "ANSIBLE_CALLBACK_PLUGINS": str(HERE / "callback_plugins"),
                       "ANSIBLE_CALLBACKS_ENABLED": "bench_timer",
                       "ANSIBLE_NOCOLOR": "1"}
        playbook = str(BIN / "ansible-playbook")

        if not args.skip_preflight:
            preflight(world, figures, info, ansible_env, playbook, repo, out, clusters, args.floor_workers)
        if not args.skip_upgrade:
            upgrade(world, figures, info, ansible_env, playbook, repo, out, clusters, hops, target, args)
    finally:
        world.stop()
    if not args.skip_upgrade:
        upgrade_floor(repo, scenario, out, durations, target, figures, info, forks)
    if args.slices:
        log(f"the upgrade as an AWX job sliced {args.slices} ways (ansible-runner), then one slice alone")
        base_env = {k: v for k, v in ansible_env.items() if k not in world.env}
        base_env.pop("ANSIBLE_CALLBACKS_ENABLED", None)
        info["slices"] = slices.measure(lambda name: World(repo, scenario, out / name, durations), run_measured,
                                        base_env, repo, out / "slices", args.slices, figures)
    figures.add("benchmark_total_wall", time.monotonic() - started, "s")
    figures.add("machine_load_at_end", os.getloadavg()[0], "load1")
    info["figures"] = {k: {"value": v, "unit": u} for k, (v, u) in figures.values.items()}
    (out / "results.json").write_text(json.dumps(info, indent=2, default=str))
    summarize(figures, out)
    return 0


def preflight(world: World, figures: Figures, info: dict[str, Any], env: dict[str, str], playbook: str,
              repo: Path, out: Path, clusters: int, floor_workers: int) -> None:
    floor_cmd = [sys.executable, str(HERE / "floor.py"), "--inventory", str(world.inventory),
                 "--workers", str(floor_workers)]
    floor_runs = []
    for attempt in (1, 2):  # before and after the playbook: the floor is short, average out the noise
        if attempt == 2:
            log("preflight through ansible-playbook (check mode)")
            world.clear_requests()
            env_run = {**env, "BENCH_TIMER_OUT": str(out / "preflight-tasks.jsonl")}
            (out / "preflight-tasks.jsonl").unlink(missing_ok=True)
            ansible = run_measured([playbook, "-i", str(world.inventory), str(HERE / "preflight.yml"), "--check"],
                                   env_run, out / "preflight-ansible.log", repo, world_pid=world.proc.pid)
            records = world.requests()
            (out / "preflight-requests.json").write_text(json.dumps(records))
            ansible_calls = count_calls(records, clusters)
        log(f"floor (plain boto3 + kubernetes), run {attempt}")
        world.clear_requests()
        floor = run_measured(floor_cmd, {**os.environ, **world.env}, out / f"floor-{attempt}.log", repo,
                             sample=False, world_pid=world.proc.pid)
        floor["calls"] = count_calls(world.requests(), clusters)
        floor["output"] = (out / f"floor-{attempt}.log").read_text()
        floor_runs.append(floor)
    floor_wall = sum(f["wall"] for f in floor_runs) / len(floor_runs)
    floor_cpu = sum(f["cpu"] for f in floor_runs) / len(floor_runs)
    sampler = ansible["sampler"]
    profile = task_profile(out / "preflight-tasks.jsonl", clusters)
    figures.add("preflight_ansible_rc", ansible["rc"], "rc")
    figures.add("preflight_floor_rc", max(f["rc"] for f in floor_runs), "rc")
    figures.add("preflight_ansible_wall", ansible["wall"], "s")
    figures.add("preflight_floor_wall", floor_wall, "s")
    figures.add("preflight_wall_ratio", ansible["wall"] / floor_wall, "x")
    figures.add("preflight_ansible_cpu", ansible["cpu"], "cpu_s")
    figures.add("preflight_floor_cpu", floor_cpu, "cpu_s")
    figures.add("preflight_cpu_ratio", ansible["cpu"] / floor_cpu, "x")
    figures.add("preflight_ansible_cpu_per_cluster", ansible["cpu"] / clusters, "cpu_s")
    figures.add("preflight_calls_per_cluster", ansible_calls["per_cluster"], "calls")
    figures.add("preflight_aws_calls_per_cluster", ansible_calls["aws_per_cluster"], "calls")
    figures.add("preflight_k8s_calls_per_cluster", ansible_calls["k8s_per_cluster"], "calls")
    figures.add("preflight_floor_calls_per_cluster", floor_runs[0]["calls"]["per_cluster"], "calls")
    figures.add("preflight_floor_aws_calls_per_cluster", floor_runs[0]["calls"]["aws_per_cluster"], "calls")
    figures.add("preflight_floor_k8s_calls_per_cluster", floor_runs[0]["calls"]["k8s_per_cluster"], "calls")
    figures.add("preflight_tasks_per_cluster", profile["tasks_per_cluster"], "tasks")
    figures.add("preflight_module_tasks_per_cluster", profile["module_tasks_per_cluster"], "tasks")
    process_figures(figures, "preflight", ansible, clusters)
    info["preflight"] = {"ansible": {k: v for k, v in ansible.items() if k != "sampler"},
                         "ansible_calls": ansible_calls, "profile": profile,
                         "floor": [{k: v for k, v in f.items() if k != "sampler"} for f in floor_runs],
                         "memory": memory_info(sampler)}


def process_figures(figures: Figures, prefix: str, result: dict[str, Any], clusters: int) -> None:
    """Memory peaks and where the CPU went, for one ansible-playbook run."""
    sampler: TreeSampler = result["sampler"]
    figures.add(f"{prefix}_peak_rss_total", sampler.peak_total / 2**20, "MiB")
    figures.add(f"{prefix}_peak_rss_per_cluster", sampler.peak_total / 2**20 / clusters, "MiB")
    figures.add(f"{prefix}_peak_pss_total", sampler.peak_pss / 2**20, "MiB")
    figures.add(f"{prefix}_peak_pss_per_cluster", sampler.peak_pss / 2**20 / clusters, "MiB")
    figures.add(f"{prefix}_peak_rss_controller_main", sampler.peak_main / 2**20, "MiB")
    figures.add(f"{prefix}_max_rss_worker", sampler.max_worker_rss / 2**20, "MiB")
    figures.add(f"{prefix}_max_rss_module", sampler.max_module_rss / 2**20, "MiB")
    figures.add(f"{prefix}_peak_processes", sampler.peak_processes, "processes")
    figures.add(f"{prefix}_peak_concurrent_modules", sampler.peak_modules, "processes")
    modules = sum(sampler.module_cpu.values())
    figures.add(f"{prefix}_cpu_controller_main", sampler.main_cpu, "cpu_s")
    figures.add(f"{prefix}_cpu_modules_sampled", modules, "cpu_s")
    figures.add(f"{prefix}_cpu_workers_and_rest", result["cpu"] - sampler.main_cpu - modules, "cpu_s")
    emulator_figures(figures, prefix, result)


def emulator_figures(figures: Figures, prefix: str, result: dict[str, Any]) -> None:
    """The emulated world's CPU while a run_measured command ran (another process, not in its CPU), and its share."""
    figures.add(f"{prefix}_cpu_emulator", result["world_cpu"], "cpu_s")
    figures.add(f"{prefix}_emulator_cpu_share", result["world_cpu"] / max(result["world_cpu"] + result["cpu"], 1e-9),
                "fraction")


def memory_info(sampler: TreeSampler) -> dict[str, Any]:
    return {"samples": sampler.samples, "peak_total_mib": sampler.peak_total / 2**20,
            "peak_pss_mib": sampler.peak_pss / 2**20, "main_cpu_s": sampler.main_cpu,
            "module_processes": len(sampler.module_cpu), "module_cpu_s": sum(sampler.module_cpu.values()),
            "peak_main_mib": sampler.peak_main / 2**20, "peak_processes": sampler.peak_processes,
            "peak_workers": sampler.peak_workers, "peak_modules": sampler.peak_modules,
            "max_worker_rss_mib": sampler.max_worker_rss / 2**20, "max_module_rss_mib": sampler.max_module_rss / 2**20,
            "timeline": sampler.timeline[:: max(1, len(sampler.timeline) // 200)]}


def upgrade(world: World, figures: Figures, info: dict[str, Any], env: dict[str, str], playbook: str,
            repo: Path, out: Path, clusters: int, hops: dict[str, int], target: str,
            args: argparse.Namespace) -> None:
    log(f"full upgrade through ansible-playbook (D = {args.cluster_update_seconds} s per hop)")
    world.clear_requests()
    tasks_file = out / "upgrade-tasks.jsonl"
    tasks_file.unlink(missing_ok=True)
    cmd = [playbook, "-i", str(world.inventory), str(repo / "playbooks/upgrade.yml"),
           "-e", json.dumps({**json.loads(args.extra_vars), "eks_waves": json.loads(args.waves),
                             "eks_report_dir": str(out / "reports")})]
    result = run_measured(cmd, {**env, "BENCH_TIMER_OUT": str(tasks_file)}, out / "upgrade-ansible.log", repo,
                          world_pid=world.proc.pid)
    records = world.requests()
    (out / "upgrade-requests.json").write_text(json.dumps(records))
    after = world.state()
    calls = count_calls(records, clusters)
    polls = polling(records)
    sent = polls_sent(tasks_file)
    profile = task_profile(tasks_file, clusters)
    sampler = result["sampler"]
    ideal = args.cluster_update_seconds * max(hops.values())
    at_target = clusters_at_target(after, target)
    figures.add("upgrade_rc", result["rc"], "rc")
    figures.add("upgrade_clusters_at_target", at_target, "clusters")
    figures.add("upgrade_update_seconds_D", args.cluster_update_seconds, "s")
    figures.add("upgrade_wall", result["wall"], "s")
    figures.add("upgrade_ideal_wall", ideal, "s")
    figures.add("upgrade_ratio", result["wall"] / ideal if ideal else 0.0, "x")
    # What we add on top of the waits does not grow with D (it is task and module CPU, mostly), so the
    # same fleet with AWS's real hop time costs about the same overhead over a much longer ideal wall.
    overhead = max(result["wall"] - ideal, 0.0)
    figures.add("upgrade_overhead_wall", overhead, "s")
    if ideal:
        real_ideal = REAL_HOP_SECONDS * max(hops.values())
        figures.add("upgrade_ratio_projected_real_hop", (real_ideal + overhead) / real_ideal, "x")
    # The part of the ratio no CPU could remove: the longest time one cluster spent between starting
    # updates and seeing them end (the poll schedule rounds each wait up; some updates run one after another).
    figures.add("upgrade_longest_cluster_wait", polls["longest_wait_s"], "s")
    figures.add("upgrade_ratio_waits_only", polls["longest_wait_s"] / ideal if ideal else 0.0, "x")
    figures.add("upgrade_cpu", result["cpu"], "cpu_s")
    figures.add("upgrade_cpu_per_cluster", result["cpu"] / clusters, "cpu_s")
    figures.add("upgrade_calls_per_cluster", calls["per_cluster"], "calls")
    figures.add("upgrade_aws_calls_per_cluster", calls["aws_per_cluster"], "calls")
    figures.add("upgrade_k8s_calls_per_cluster", calls["k8s_per_cluster"], "calls")
    figures.add("upgrade_mutating_calls_per_cluster", calls["mutating"] / clusters, "calls")
    figures.add("upgrade_polls_per_cluster", polls["polls"] / clusters, "polls")
    figures.add("upgrade_wait_minutes_per_cluster", polls["wait_minutes"] / clusters, "min")
    figures.add("upgrade_polls_per_cluster_per_min", polls["per_cluster_per_min"], "polls/min")
    figures.add("upgrade_max_polls_per_cluster_per_min", sent["max_in_60s_window"], "polls/60s")
    figures.add("upgrade_max_polls_arrived_per_min", polls["max_in_60s_window"], "polls/60s")
    figures.add("upgrade_tasks_per_cluster", profile["tasks_per_cluster"], "tasks")
    figures.add("upgrade_executed_tasks_per_cluster", profile["executed_per_cluster"], "tasks")
    figures.add("upgrade_module_tasks_per_cluster", profile["module_tasks_per_cluster"], "tasks")
    figures.add("upgrade_module_runs_per_cluster", profile["module_runs_per_cluster"], "runs")
    figures.add("upgrade_module_seconds_per_cluster", profile["module_seconds_per_cluster"], "s")
    process_figures(figures, "upgrade", result, clusters)
    info["upgrade"] = {"result": {k: v for k, v in result.items() if k != "sampler"}, "calls": calls,
                       "polling": polls, "polls_sent": sent, "profile": profile, "memory": memory_info(sampler),
                       "hops": hops, "ideal_s": ideal}


def clusters_at_target(state: dict[str, Any], target: str) -> int:
    return sum(1 for c in state.values() if c["version"] == target
               and all(ng["version"] == target for ng in c["nodegroups"].values()))


def upgrade_floor(repo: Path, scenario: Path, out: Path, durations: dict[str, float], target: str,
                  figures: Figures, info: dict[str, Any], workers: int) -> None:
    """The same upgrade by plain boto3 (upgrade_floor.py) on a new world of the same scenario: the floor the
    playbook's wall time and CPU are compared with."""
    log("the same upgrade by plain boto3 (benchmarks/upgrade_floor.py), on a new world")
    world = World(repo, scenario, out / "floor-world", durations)
    try:
        warm_up(world)
        cmd = [sys.executable, str(HERE / "upgrade_floor.py"), "--inventory", str(world.inventory),
               "--target", target, "--workers", str(workers)]
        result = run_measured(cmd, {**os.environ, **world.env}, out / "upgrade-floor.log", repo, sample=False,
                              world_pid=world.proc.pid)
        at_target = clusters_at_target(world.state(), target)
    finally:
        world.stop()
    clusters = figures.get("fleet_clusters")
    figures.add("upgrade_floor_rc", result["rc"], "rc")
    figures.add("upgrade_floor_clusters_at_target", at_target, "clusters")
    figures.add("upgrade_floor_wall", result["wall"], "s")
    figures.add("upgrade_floor_cpu_per_cluster", result["cpu"] / clusters, "cpu_s")
    emulator_figures(figures, "upgrade_floor", result)
    if figures.get("upgrade_wall") is not None:
        figures.add("upgrade_wall_vs_floor", figures.get("upgrade_wall") / result["wall"], "x")
        figures.add("upgrade_cpu_vs_floor", figures.get("upgrade_cpu") / result["cpu"], "x")
    info["upgrade_floor"] = {k: v for k, v in result.items() if k != "sampler"}


def summarize(figures: Figures, out: Path) -> None:
    get = figures.get
    lines = ["", "Summary"]
    if get("preflight_ansible_wall") is not None:
        lines.append(
            f"- Preflight, {get('fleet_clusters')} clusters: ansible-playbook {get('preflight_ansible_wall')} s "
            f"({get('preflight_ansible_cpu')} CPU s) vs plain boto3 floor {get('preflight_floor_wall')} s "
            f"({get('preflight_floor_cpu')} CPU s): {get('preflight_wall_ratio')}x wall, "
            f"{get('preflight_cpu_ratio')}x CPU; {get('preflight_calls_per_cluster')} API calls per cluster "
            f"(floor {get('preflight_floor_calls_per_cluster')}).")
    if get("upgrade_wall") is not None:
        lines.append(
            f"- Upgrade: {get('upgrade_wall')} s for a fleet whose deepest cluster needs "
            f"{get('fleet_deepest_hops')} hops of {get('upgrade_update_seconds_D')} s: ratio {get('upgrade_ratio')}; "
            f"{get('upgrade_clusters_at_target')}/{get('fleet_clusters')} clusters at target; "
            f"{get('upgrade_cpu_per_cluster')} CPU s and {get('upgrade_calls_per_cluster')} API calls per cluster; "
            f"{get('upgrade_polls_per_cluster_per_min')} polls per cluster per minute of waiting "
            f"(at most {get('upgrade_max_polls_per_cluster_per_min')} in any 60 s).")
        lines.append(
            f"- Controller memory: peak {get('upgrade_peak_rss_total')} MiB RSS for the process tree "
            f"({get('upgrade_peak_rss_per_cluster')} MiB per cluster; PSS {get('upgrade_peak_pss_total')} MiB, "
            f"{get('upgrade_peak_pss_per_cluster')} MiB per cluster; main process "
            f"{get('upgrade_peak_rss_controller_main')} MiB, a worker up to {get('upgrade_max_rss_worker')} MiB, "
            f"a module up to {get('upgrade_max_rss_module')} MiB).")
        lines.append(
            f"- Upgrade CPU: {get('upgrade_cpu')} s in all: controller main process "
            f"{get('upgrade_cpu_controller_main')}, "
            f"module processes >= {get('upgrade_cpu_modules_sampled')} (sampled), forked workers and the rest "
            f"{get('upgrade_cpu_workers_and_rest')}; {get('upgrade_tasks_per_cluster')} tasks per cluster of which "
            f"{get('upgrade_module_tasks_per_cluster')} are lifecycle.eks tasks and "
            f"{get('upgrade_module_runs_per_cluster')} start a module run.")
    if get("upgrade_floor_wall") is not None:
        lines.append(
            f"- Upgrade floor (plain boto3, one process, the same updates and waits): {get('upgrade_floor_wall')} s, "
            f"{get('upgrade_floor_clusters_at_target')}/{get('fleet_clusters')} at target, "
            f"{get('upgrade_floor_cpu_per_cluster')} CPU s per cluster; the playbook took "
            f"{get('upgrade_wall_vs_floor')}x its wall time and {get('upgrade_cpu_vs_floor')}x its CPU.")
    if get("slices_wall") is not None:
        lines.append(
            f"- AWX job sliced {get('slices_count')} ways (ansible-runner): {get('slices_wall')} s, "
            f"{get('slices_clusters_at_target')} clusters at target, {get('slices_cpu_per_cluster')} CPU s per "
            f"cluster; one slice alone {get('one_slice_wall')} s ({get('slices_wall_vs_one_slice')}x); merged "
            f"summary {get('slices_merged_total')} clusters, each once: "
            f"{bool(get('slices_merged_each_cluster_once'))}.")
    lines.append(f"- Emulated Kubernetes API: {get(kube_api_latency.FIGURE)} ms per GET over keep-alive.")
    lines.append(f"- Module start-up: {get('module_startup_full')} CPU s per module process before its first call "
                 f"(Ansible basics {get('module_startup_base')}, + boto3 clients {get('module_startup_boto3')}).")
    targets = dict(TARGETS)
    if get("upgrade_update_seconds_D") in UPGRADE_RATIO_TARGETS:
        targets["upgrade_ratio"] = (UPGRADE_RATIO_TARGETS[get("upgrade_update_seconds_D")], "<=")
    for name, (limit, _op) in targets.items():
        value = get(name)
        if value is not None:
            lines.append(f"- target {name} <= {limit}: {value} -> {'met' if value <= limit else 'MISSED'}")
    lines.append(f"Details: {out / 'results.json'} (request and task breakdowns), logs in {out}.")
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
