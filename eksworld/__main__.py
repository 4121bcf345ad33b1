"""Command line: start a world from a scenario, or run a command against one.

    python -m eksworld serve --scenario tests/scenarios/demo.yml --out .world/demo
    python -m eksworld run --scenario tests/scenarios/demo.yml --out .world/demo -- ansible-playbook ...
    python -m eksworld selfcheck
"""
from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from eksworld import scenario
from eksworld.world import World, start_from_file

SCENARIOS = Path(__file__).resolve().parent.parent / "tests" / "scenarios"


def _durations(args: argparse.Namespace) -> dict[str, float]:
    return {"cluster_update_s": args.cluster_update_seconds, "nodegroup_update_s": args.nodegroup_update_seconds,
            "addon_update_s": args.addon_update_seconds, "insights_refresh_s": args.insights_refresh_seconds}


def serve(args: argparse.Namespace) -> int:
    world = start_from_file(args.scenario, args.out, aws_port=args.aws_port, **_durations(args))
    print(f"eksworld: AWS {world.aws_url}  Kubernetes {world.kube.url}  inventory {Path(args.out) / 'inventory.yml'}",
          flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    world.stop()
    return 0


def run(args: argparse.Namespace) -> int:
    """Start the world, run the command with the world's environment, stop the world."""
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        print("eksworld run: give a command after --", file=sys.stderr)
        return 2
    world = start_from_file(args.scenario, args.out, aws_port=args.aws_port, **_durations(args))
    try:
        env = {**os.environ, **world.env(), "EKSWORLD_INVENTORY": str(Path(args.out).resolve() / "inventory.yml"),
               "EKSWORLD_ADMIN_URL": world.aws_url}
        return subprocess.call(command, env=env)
    finally:
        world.stop()


def selfcheck(args: argparse.Namespace) -> int:
    """Start every shipped scenario and read each cluster back through boto3 and the Kubernetes client."""
    import kubernetes

    failures = 0
    for path in sorted(SCENARIOS.glob("*.yml")):
        out = Path(args.out) / path.stem
        with World(cluster_update_s=0.2) as world:
            world.seed(scenario.load(path))
            world.write_outputs(out)
            # Each cluster in its own region: every region the scenario uses, each asked with its name given.
            eks = {region: world.client("eks", region) for region in map(world.region_of, world.clusters)}
            names = sorted(name for client in eks.values() for name in client.list_clusters(maxResults=100)["clusters"])
            for name in names:
                version = eks[world.region_of(name)].describe_cluster(name=name)["cluster"]["version"]
                api = kubernetes.config.new_client_from_config(config_file=str(out / "kubeconfigs" / f"{name}.yaml"))
                kube_version = kubernetes.client.VersionApi(api).get_code().git_version
                nodes = kubernetes.client.CoreV1Api(api).list_node().items
                ok = kube_version.startswith(f"v{version}.")
                failures += not ok
                if args.verbose or not ok:
                    print(f"  {'ok ' if ok else 'BAD'} {path.stem}/{name}: EKS {version}, API {kube_version}, "
                          f"{len(nodes)} nodes")
            print(f"scenario {path.stem}: {len(names)} clusters started and read back")
    print("selfcheck: " + ("passed" if not failures else f"{failures} failures"))
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="eksworld", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="action", required=True)
    for name, handler in (("serve", serve), ("run", run)):
        cmd = sub.add_parser(name)
        cmd.add_argument("--scenario", required=True)
        cmd.add_argument("--out", required=True)
        cmd.add_argument("--cluster-update-seconds", type=float, default=5.0)
        cmd.add_argument("--nodegroup-update-seconds", type=float, default=2.0)
        cmd.add_argument("--addon-update-seconds", type=float, default=1.0)
        cmd.add_argument("--insights-refresh-seconds", type=float, default=2.0)
        # A fixed port lets a tool that reads AWS_ENDPOINT_URL before the world starts (molecule) find it.
        cmd.add_argument("--aws-port", type=int, default=0, help="AWS endpoint port (default: any free port)")
        if name == "run":
            cmd.add_argument("command", nargs=argparse.REMAINDER)
        cmd.set_defaults(handler=handler)
    check = sub.add_parser("selfcheck")
    check.add_argument("--out", default=".world/selfcheck")
    check.add_argument("--verbose", action="store_true")
    check.set_defaults(handler=selfcheck)
    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
