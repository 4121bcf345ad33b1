"""The floor of the preflight benchmark: the same facts, read by plain boto3 + kubernetes in one process.

For each cluster of an eksworld inventory, on a thread pool across clusters: DescribeCluster,
ListNodegroups + DescribeNodegroup, ListInsights, DescribeSubnets, DescribeSecurityGroups,
DescribeClusterVersions, ListAddons, and on its Kubernetes API: list nodes, deployments, daemonsets,
PodDisruptionBudgets, read ConfigMap kube-system/coredns. No checks are evaluated: this is what the
reads alone cost, with the interpreter, boto3 and the kubernetes client loaded once.

    AWS_ENDPOINT_URL=... python benchmarks/floor.py --inventory .world/x/inventory.yml [--workers 16]

Prints one JSON object: clusters, seconds (wall, from process start), errors, facts summary.
"""
from __future__ import annotations

import time

PROCESS_START = time.time()

import argparse  # noqa: E402
import concurrent.futures  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from typing import Any  # noqa: E402

import boto3  # noqa: E402
import kubernetes  # noqa: E402
import yaml  # noqa: E402
from botocore.config import Config  # noqa: E402


def clusters_of(inventory: str) -> list[dict[str, Any]]:
    """Each cluster's name, kubeconfig and region, as the inventory gives them to the playbooks."""
    data = yaml.safe_load(open(inventory, encoding="utf-8"))  # noqa: SIM115
    group = data["all"]["children"]["eks_clusters"]
    region = (group.get("vars") or {}).get("eks_aws_region")
    return [{"name": vars_.get("eks_cluster_name", host), "kubeconfig": vars_["eks_kubeconfig"],
             "region": vars_.get("eks_aws_region", region)}
            for host, vars_ in group["hosts"].items()]


def gather(eks: Any, ec2: Any, cluster: dict[str, Any]) -> dict[str, Any]:
    name = cluster["name"]
    described = eks.describe_cluster(name=name)["cluster"]
    vpc = described.get("resourcesVpcConfig") or {}
    nodegroups = [eks.describe_nodegroup(clusterName=name, nodegroupName=ng)["nodegroup"]
                  for ng in eks.list_nodegroups(clusterName=name)["nodegroups"]]
    insights = eks.list_insights(clusterName=name, filter={"categories": ["UPGRADE_READINESS"]})["insights"]
    subnets = ec2.describe_subnets(SubnetIds=vpc.get("subnetIds") or [])["Subnets"]
    group = vpc.get("clusterSecurityGroupId")
    groups = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"] if group else []
    versions = eks.describe_cluster_versions(includeAll=True)["clusterVersions"]
    addons = eks.list_addons(clusterName=name)["addons"]

    api = kubernetes.config.new_client_from_config(config_file=cluster["kubeconfig"], persist_config=False)
    core = kubernetes.client.CoreV1Api(api)
    apps = kubernetes.client.AppsV1Api(api)
    policy = kubernetes.client.PolicyV1Api(api)
    nodes = core.list_node().items
    deployments = apps.list_deployment_for_all_namespaces().items
    daemonsets = apps.list_daemon_set_for_all_namespaces().items
    coredns = core.read_namespaced_config_map("coredns", "kube-system")
    pdbs = policy.list_pod_disruption_budget_for_all_namespaces().items
    api.close()
    return {"version": described["version"], "nodegroups": len(nodegroups), "insights": len(insights),
            "subnets": len(subnets), "security_groups": len(groups), "known_versions": len(versions),
            "addons": len(addons), "nodes": len(nodes), "workloads": len(deployments) + len(daemonsets),
            "corefile": bool((coredns.data or {}).get("Corefile")), "pdbs": len(pdbs)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inventory", required=True)
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args(argv)
    clusters = clusters_of(args.inventory)
    config = Config(max_pool_connections=args.workers * 2, retries={"mode": "standard"})
    session = boto3.Session()
    clients = {region: (session.client("eks", region_name=region, config=config),
                        session.client("ec2", region_name=region, config=config))
               for region in {c["region"] for c in clusters}}
    errors: dict[str, str] = {}
    facts: dict[str, Any] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.workers) as pool:
        futures = {pool.submit(gather, *clients[c["region"]], c): c["name"] for c in clusters}
        for future in concurrent.futures.as_completed(futures):
            try:
                facts[futures[future]] = future.result()
            except Exception as exc:  # report, do not stop: the benchmark shows the error count
                errors[futures[future]] = repr(exc)
    print(json.dumps({"clusters": len(clusters), "ok": len(facts), "errors": errors,
                      "seconds": round(time.time() - PROCESS_START, 3), "workers": args.workers,
                      "sample": facts[sorted(facts)[0]] if facts else None}))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
