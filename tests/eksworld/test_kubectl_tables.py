"""A seeded world as a real kubectl prints it: the columns and cells kube-apiserver's printers give."""
from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import boto3
import pytest

from eksworld.shapecheck import attach_shape_checker

KUBECTL = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "kubectl")
FLEET = {"target_version": "1.23", "clusters": [
    {"name": "old", "version": "1.22", "nodegroups": [{"name": "general", "version": "1.22", "desired_size": 2}],
     "self_managed_nodes": [{"name": "legacy-1", "kubelet": "1.22"}]},
    {"name": "new", "version": "1.30", "nodegroups": [{"name": "general", "version": "1.30", "desired_size": 1}]},
]}


def columns(table: str) -> list[dict[str, str]]:
    """Rows of kubectl's aligned table output by column header (cells may hold spaces: "Amazon Linux 2")."""
    header, *lines = table.rstrip("\n").split("\n")
    found = list(re.finditer(r"\S+(?: \S+)*", header))  # kubectl pads with 3+ spaces: "NODE SELECTOR" is one
    starts, names = [match.start() for match in found], [match.group() for match in found]
    bounds = list(zip(starts, starts[1:] + [None]))
    return [{name: line[start:end].strip() for name, (start, end) in zip(names, bounds)} for line in lines]


@dataclass
class Seeded:
    world: Any
    out: Path

    def kubectl(self, cluster: str, *args: str) -> str:
        result = subprocess.run([KUBECTL, "--kubeconfig", str(self.out / "kubeconfigs" / f"{cluster}.yaml"),
                                 "--cache-dir", str(self.out / "kubectl-cache"), *args],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """One world for the module (kubectl only reads it)."""
    from eksworld import scenario
    from eksworld.world import World

    started = World().start()
    try:
        started.seed(scenario.normalize(FLEET))
        out = tmp_path_factory.mktemp("kubectl-tables")
        started.write_outputs(out)
        yield Seeded(started, out)
    finally:
        started.stop()


def test_get_nodes_wide_shows_addresses_and_the_image_of_the_minor(world: Seeded) -> None:
    old = columns(world.kubectl("old", "get", "nodes", "-o", "wide"))
    assert list(old[0]) == ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE",
                            "KERNEL-VERSION", "CONTAINER-RUNTIME"]
    managed = [row for row in old if row["NAME"].startswith("ip-")]
    assert [row["INTERNAL-IP"] for row in managed] == ["10.0.1.1", "10.0.1.2"]  # the address in the node's name
    legacy = next(row for row in old if row["NAME"] == "legacy-1")
    assert re.fullmatch(r"10\.\d+\.\d+\.\d+", legacy["INTERNAL-IP"]), legacy
    assert len({row["INTERNAL-IP"] for row in old}) == len(old)
    # No AL2023 EKS AMI exists for Kubernetes 1.22 (they start at 1.23): 1.22 nodes run Amazon Linux 2.
    assert {(row["OS-IMAGE"], row["EXTERNAL-IP"]) for row in old} == {("Amazon Linux 2", "<none>")}
    assert all(row["KERNEL-VERSION"].endswith(".amzn2.x86_64") for row in old)
    assert {row["CONTAINER-RUNTIME"].split(":")[0] for row in old} == {"docker"}  # dockershim until 1.24
    new = columns(world.kubectl("new", "get", "nodes", "-o", "wide"))
    assert [(row["OS-IMAGE"], row["CONTAINER-RUNTIME"].split(":")[0]) for row in new] == [
        ("Amazon Linux 2023", "containerd")]


def test_node_group_ami_type_matches_its_nodes(world: Seeded) -> None:
    env = world.world.env()
    eks = boto3.client("eks", endpoint_url=world.world.aws_url, region_name=world.world.region,
                       aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])
    attach_shape_checker(eks)
    ami_types = {cluster: eks.describe_nodegroup(clusterName=cluster, nodegroupName="general")["nodegroup"]["amiType"]
                 for cluster in ("old", "new")}
    assert ami_types == {"old": "AL2_x86_64", "new": "AL2023_x86_64_STANDARD"}


def test_get_psp_prints_its_columns(world: Seeded) -> None:
    rows = columns(world.kubectl("old", "get", "psp"))
    assert rows == [{"NAME": "eks.privileged", "PRIV": "true", "CAPS": "*", "SELINUX": "RunAsAny",
                     "RUNASUSER": "RunAsAny", "FSGROUP": "RunAsAny", "SUPGROUP": "RunAsAny",
                     "READONLYROOTFS": "false", "VOLUMES": "*"}]


def test_get_workloads_prints_kubectls_columns(world: Seeded) -> None:
    listed = columns(world.kubectl("new", "-n", "kube-system", "get", "daemonsets", "-o", "wide"))
    daemonsets = {row["NAME"]: row for row in listed}
    assert list(daemonsets["aws-node"]) == ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE",
                                            "NODE SELECTOR", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]
    assert (daemonsets["aws-node"]["NODE SELECTOR"], daemonsets["aws-node"]["SELECTOR"]) == (
        "<none>", "k8s-app=aws-node")
    coredns = columns(world.kubectl("new", "-n", "kube-system", "get", "deployment", "coredns", "-o", "wide"))[0]
    assert list(coredns) == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]
    assert coredns["CONTAINERS"] == "coredns" and "/eks/coredns:v1." in coredns["IMAGES"]


def test_scenario_refuses_al2023_below_its_first_minor(make_world: Callable[..., Any]) -> None:
    fleet = {"clusters": [{"name": "c", "version": "1.22",
                           "nodegroups": [{"name": "g", "version": "1.22", "ami_type": "AL2023_x86_64_STANDARD"}]}]}
    with pytest.raises(ValueError, match="AL2023_x86_64_STANDARD.*1.23"):
        make_world(fleet)
