"""The floor of the upgrade benchmark: the same upgrade, made by plain boto3 in one process.

For each cluster of an eksworld inventory, on a thread pool across clusters: a managed node group behind the control
plane is brought level first (EKS refuses a hop until it is), then one hop at a time up to the target:
UpdateClusterVersion and its wait, then UpdateNodegroupVersion of each managed node group and its wait; then each
add-on not on the target's default version: UpdateAddon and its wait (DescribeAddonVersions once per region and
add-on name). Waits poll DescribeUpdate every --poll-seconds (10: the most the collection's budget of 6 polls per
cluster in any 60 s allows). No check is made and nothing is reported: this is what the calls and waits alone cost,
with boto3 loaded once.

    AWS_ENDPOINT_URL=... python benchmarks/upgrade_floor.py --inventory .world/x/inventory.yml --target 1.31

Prints one JSON object: clusters, at_target, errors, seconds (wall, from process start).
"""
from __future__ import annotations

import time

PROCESS_START = time.time()

import argparse  # noqa: E402
import concurrent.futures  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from typing import Any  # noqa: E402

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from floor import clusters_of  # noqa: E402


def minor(version: str) -> int:
    return int(version.split(".")[1])


def wait(eks: Any, poll: float, **update: str) -> None:
    """Poll DescribeUpdate (name=..., updateId=..., and nodegroupName or addonName) until the update ends."""
    while True:
        time.sleep(poll)
        status = eks.describe_update(**update)["update"]["status"]
        if status == "Successful":
            return
        if status in ("Failed", "Cancelled"):
            raise RuntimeError(f"update {update} ended {status}")


class Catalog:
    """DescribeAddonVersions once per region and add-on name: the default version on the target."""

    def __init__(self, target: str) -> None:
        self.target = target
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], tuple[threading.Lock, list[str | None]]] = {}

    def default_version(self, eks: Any, region: str, addon: str) -> str | None:
        with self._lock:
            lock, found = self._entries.setdefault((region, addon), (threading.Lock(), []))
        with lock:  # the other clusters wait for the first one's answer
            if not found:
                found.append(self._lookup(eks, addon))
            return found[0]

    def _lookup(self, eks: Any, addon: str) -> str | None:
        answer = eks.describe_addon_versions(addonName=addon, kubernetesVersion=self.target)["addons"]
        versions = answer[0]["addonVersions"] if answer else []
        for version in versions:
            for compatibility in version.get("compatibilities") or []:
                if compatibility.get("clusterVersion") == self.target and compatibility.get("defaultVersion"):
                    return version["addonVersion"]
        return versions[0]["addonVersion"] if versions else None


def update_nodegroup(eks: Any, name: str, nodegroup: str, version: str, poll: float) -> None:
    update = eks.update_nodegroup_version(clusterName=name, nodegroupName=nodegroup, version=version)["update"]
    wait(eks, poll, name=name, nodegroupName=nodegroup, updateId=update["id"])


def upgrade(eks: Any, region: str, name: str, target: str, catalog: Catalog, poll: float) -> str:
    version = eks.describe_cluster(name=name)["cluster"]["version"]
    nodegroups = eks.list_nodegroups(clusterName=name)["nodegroups"]
    for nodegroup in nodegroups:  # one behind the control plane first: EKS refuses the hop until it is level
        if eks.describe_nodegroup(clusterName=name, nodegroupName=nodegroup)["nodegroup"]["version"] != version:
            update_nodegroup(eks, name, nodegroup, version, poll)
    while minor(version) < minor(target):
        version = f"1.{minor(version) + 1}"
        update = eks.update_cluster_version(name=name, version=version)["update"]
        wait(eks, poll, name=name, updateId=update["id"])
        for nodegroup in nodegroups:
            update_nodegroup(eks, name, nodegroup, version, poll)
    for addon in eks.list_addons(clusterName=name)["addons"]:
        wanted = catalog.default_version(eks, region, addon)
        current = eks.describe_addon(clusterName=name, addonName=addon)["addon"]["addonVersion"]
        if wanted and wanted != current:
            update = eks.update_addon(clusterName=name, addonName=addon, addonVersion=wanted,
                                      resolveConflicts="PRESERVE")["update"]
            wait(eks, poll, name=name, addonName=addon, updateId=update["id"])
    return version


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inventory", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--workers", type=int, default=100, help="clusters upgraded at once (the playbook's forks)")
    parser.add_argument("--poll-seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    clusters = clusters_of(args.inventory)
    config = Config(max_pool_connections=args.workers, retries={"mode": "standard"})
    session = boto3.Session()
    clients = {region: session.client("eks", region_name=region, config=config)
               for region in {c["region"] for c in clusters}}
    catalog = Catalog(args.target)
    errors: dict[str, str] = {}
    versions: dict[str, str] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.workers) as pool:
        futures = {pool.submit(upgrade, clients[c["region"]], c["region"], c["name"], args.target, catalog,
                               args.poll_seconds): c["name"] for c in clusters}
        for future in concurrent.futures.as_completed(futures):
            try:
                versions[futures[future]] = future.result()
            except Exception as exc:  # report, do not stop: the benchmark shows the error count
                errors[futures[future]] = repr(exc)
    print(json.dumps({"clusters": len(clusters), "at_target": sum(v == args.target for v in versions.values()),
                      "errors": errors, "seconds": round(time.time() - PROCESS_START, 3)}))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
