"""eks_addon_update moves the VPC CNI across v1.17 (its only EKS build, v1.17.1-eksbuild.1) one minor at a time."""
from __future__ import annotations

import pytest

from ansible_collections.lifecycle.eks.plugins.modules import eks_addon_update as module
from tests.conftest import mutating_calls
from tests.unit.plugins.modules.helpers import FAST_WAIT


@pytest.fixture
def args(args):
    """The module takes no Kubernetes option: the shared fixture's arguments without the kubeconfig."""
    return lambda name, **extra: args(name, **dict({"kubeconfig": None}, **extra))


NAME = "cni-116"
# The control plane moved to 1.26, whose default VPC CNI is v1.18.1-eksbuild.3; the add-on still runs v1.16.0.
CLUSTER_ON_1_16 = {"clusters": [{
    "name": NAME, "version": "1.26", "nodegroups": [{"name": "general", "version": "1.26", "desired_size": 1}],
    "addons": {"vpc-cni": "v1.16.0-eksbuild.1", "coredns": "default", "kube-proxy": "default"},
}]}


def test_vpc_cni_stops_at_v1_17_on_its_way_to_v1_18(make_world, run_module, args):
    world = make_world(CLUSTER_ON_1_16)
    result = run_module(module, args(NAME, addons=[{"name": "vpc-cni"}], **FAST_WAIT))
    assert not result.failed, result.get("msg")
    cni = next(a for a in result["addons"] if a["name"] == "vpc-cni")
    assert cni["steps"] == ["v1.17.1-eksbuild.1", "v1.18.1-eksbuild.3"]
    assert [(u["from"], u["to"], u["status"]) for u in result["updates"]] == [
        ("v1.16.0-eksbuild.1", "v1.17.1-eksbuild.1", "Successful"),
        ("v1.17.1-eksbuild.1", "v1.18.1-eksbuild.3", "Successful")]
    assert [r["operation"] for r in mutating_calls(world)] == ["UpdateAddon", "UpdateAddon"]
    assert world.summary()[NAME]["addons"]["vpc-cni"] == "v1.18.1-eksbuild.3"
