"""eks_addon_update sends only versions EKS supports on the cluster's minor: what it would refuse ("Addon version
specified is not supported") is refused first, naming the minors the version supports, and nothing changes."""
from __future__ import annotations

import pytest

from ansible_collections.lifecycle.eks.plugins.modules import eks_addon_update as module
from ansible_collections.lifecycle.eks.plugins.modules import eks_upgrade_preflight as preflight
from tests.conftest import mutating_calls
from tests.unit.plugins.modules.helpers import FAST_WAIT

# After a rollback from 1.33 (EKS rolls back the control plane only): CoreDNS still runs a 1.33 build, which EKS lists
# for 1.33 and 1.34 only; the VPC CNI runs 1.32's default.
ROLLED_BACK = {"clusters": [{
    "name": "rolled-back-132", "version": "1.32",
    "nodegroups": [{"name": "general", "version": "1.32", "desired_size": 1}],
    "addons": {"vpc-cni": "v1.19.0-eksbuild.1", "coredns": "v1.12.1-eksbuild.2", "kube-proxy": "default"},
}]}
# Before the hop to 1.30: CoreDNS on a build EKS lists for 1.27 to 1.29 (preflight: move it to v1.11.4-eksbuild.22).
BEFORE_HOP = {"clusters": [{
    "name": "coredns-behind-129", "version": "1.29",
    "nodegroups": [{"name": "general", "version": "1.29", "desired_size": 1}],
    "addons": {"coredns": "v1.10.1-eksbuild.38"},
}]}


@pytest.fixture
def args(args):
    """The module takes no Kubernetes option: the shared fixture's arguments without the kubeconfig."""
    return lambda name, **extra: args(name, **dict({"kubeconfig": None}, **dict(FAST_WAIT, **extra)))


def test_new_settings_on_a_version_the_minor_does_not_support_are_refused_before_any_update(
        make_world, run_module, args):
    world = make_world(ROLLED_BACK)
    addons = [{"name": "vpc-cni", "version": "latest"},
              {"name": "coredns", "configuration_values": '{"replicaCount": 3}'}]
    result = run_module(module, args("rolled-back-132", addons=addons))
    assert result.failed
    assert result["changed"] is False
    assert mutating_calls(world) == []  # not even the VPC CNI, listed first
    assert ("Add-on coredns runs v1.12.1-eksbuild.2, which Amazon EKS does not support on Kubernetes 1.32 (it supports "
            "1.33, 1.34)") in result["msg"]
    assert "Addon version specified is not supported" in result["msg"]
    assert world.summary()["rolled-back-132"]["addons"]["vpc-cni"] == "v1.19.0-eksbuild.1"


def test_a_version_only_the_next_minor_supports_is_refused_naming_the_minors_it_supports(
        make_world, run_module, args):
    world = make_world(ROLLED_BACK)
    result = run_module(module, args("rolled-back-132", addons=[
        {"name": "kube-proxy"}, {"name": "vpc-cni", "version": "v1.20.1-eksbuild.3"},
        {"name": "coredns", "version": "v1.12.3-eksbuild.1"}]))
    assert result.failed
    assert result["changed"] is False
    assert mutating_calls(world) == []
    assert ("Add-on coredns version v1.12.3-eksbuild.1 is not supported by Amazon EKS on Kubernetes 1.32 (it supports "
            "1.33, 1.34), so EKS would refuse it (\"Addon version specified is not supported\")") in result["msg"]
    assert "update it once the control plane is on 1.33" in result["msg"]
    assert "Versions supported on 1.32: v1.11.4-eksbuild.22, v1.11.4-eksbuild.2, v1.11.1-eksbuild.4." in result["msg"]


def test_a_version_no_minor_supports_is_named_as_such(make_world, run_module, args):
    world = make_world(BEFORE_HOP)
    unlisted = [{"name": "coredns", "version": "v9.9.9-eksbuild.1"}]
    result = run_module(module, args("coredns-behind-129", addons=unlisted))
    assert result.failed
    assert "Add-on coredns version v9.9.9-eksbuild.1 is not a version Amazon EKS lists for coredns" in result["msg"]
    assert mutating_calls(world) == []


def test_the_version_preflight_names_is_accepted_before_the_hop_and_then_the_hop_passes(
        make_world, run_module, args, kubeconfig):
    world = make_world(BEFORE_HOP)
    check = {"cluster_name": "coredns-behind-129", "kubeconfig": kubeconfig("coredns-behind-129"),
             "target_version": "1.30", "skip_checks": ["kubectl-client"], "insights_max_age": "0s",
             "region": world.region}
    before = run_module(preflight, check, check_mode=True)
    [problem] = before["addon_compatibility"]
    assert (problem["verdict"], problem["move_to"], problem["move_now"]) == ("move-first", "v1.11.4-eksbuild.22", True)
    move = [{"name": "coredns", "version": problem["move_to"]}]
    updated = run_module(module, args("coredns-behind-129", addons=move))
    assert not updated.failed, updated.get("msg")
    assert world.summary()["coredns-behind-129"]["addons"]["coredns"] == "v1.11.4-eksbuild.22"
    after = run_module(preflight, check)  # refreshes the insights (insights_max_age 0s): EKS re-evaluates them
    checks = {c["id"]: c for c in after["checks"]}
    assert checks["addon-compatibility"]["status"] == "pass", checks["addon-compatibility"]
    assert checks["upgrade-insights"]["status"] == "pass", checks["upgrade-insights"]
    assert after["addon_compatibility"] == [] and after["summary"]["blocked"] is False
