"""Controllers that must move before the control plane, against the emulated world: eks_upgrade_preflight and
eks_fleet_preflight find Karpenter, the AWS Load Balancer Controller and the Cluster Autoscaler by image and judge
them with the dated compatibility tables (scenarios controllers-*.yml)."""
from __future__ import annotations

import datetime

import pytest

from ansible_collections.lifecycle.eks.plugins.modules import eks_fleet_preflight as fleet
from ansible_collections.lifecycle.eks.plugins.modules import eks_upgrade_preflight as single
from tests.conftest import mutating_calls
from tests.integration.permissions import rbac_rules, role_rules
from tests.unit.plugins.modules.helpers import log_position, records

RECORDED = datetime.date(2026, 12, 5)  # the day controller_table.py was recorded


def day(days_after_recording):
    return (RECORDED + datetime.timedelta(days=days_after_recording)).isoformat()


def by_id(result):
    return {c["id"]: c for c in result["checks"]}


def preflight(run_module, args, name, target, **extra):
    result = run_module(single, args(name, target_version=target, today=extra.pop("today", day(0)),
                                     skip_checks=["kubectl-client"], **extra))
    assert not result.failed, result.get("msg")
    return result


def test_karpenter_1_1_1_blocks_the_hop_to_1_32_and_1_2_0_passes(make_world, run_module, args):
    world = make_world("controllers-karpenter-132")
    before = log_position(world)
    blocked = preflight(run_module, args, "karpenter-111-131", "1.32")
    check = by_id(blocked)["controller-compatibility"]
    assert check["status"] == "fail"
    assert check["message"] == ("Karpenter 1.1.1 (karpenter/karpenter) does not support Kubernetes 1.32: it must move "
                                "before the control plane, to 1.2.0 or later before the hop to 1.32.")
    assert check["remediation"] == "Install Karpenter 1.2.0 or later before the hop to 1.32."
    assert blocked["summary"]["blocked"] is True
    assert blocked["summary"]["failed_checks"] == ["controller-compatibility"]
    # the report entry: the controller found by its image in namespace karpenter, and what to install first
    assert [(c["controller"], c["workload"], c["image"], c["version"], c["status"], c["install"])
            for c in blocked["controllers"]] == [
        ("karpenter", "karpenter/karpenter", "public.ecr.aws/karpenter/controller:1.1.1", "1.1.1", "fail",
         [{"before_hop": "1.32", "version": "1.2.0"}])]
    passing = preflight(run_module, args, "karpenter-120-131", "1.32")
    assert by_id(passing)["controller-compatibility"] == dict(
        by_id(passing)["controller-compatibility"], status="pass",
        message="Karpenter 1.2.0 (karpenter/karpenter) supports Kubernetes 1.32.")
    assert passing["summary"]["blocked"] is False, passing["summary"]
    assert passing["controllers"][0]["install"] == []
    # staying on 1.31, 1.1.1 is fine
    stays = preflight(run_module, args, "karpenter-111-131", "1.31")
    assert by_id(stays)["controller-compatibility"]["status"] == "pass"
    assert mutating_calls(world, before) == []


def test_the_fleet_preflight_judges_each_cluster_as_the_single_one_does(make_world, run_module, args, kubeconfig):
    world = make_world("controllers-karpenter-132")
    names = ("karpenter-111-131", "karpenter-120-131")
    result = run_module(fleet, {"today": day(0), "region": world.region, "clusters": [
        {"name": name, "target_version": "1.32", "kubeconfig": kubeconfig(name), "skip_checks": ["kubectl-client"]}
        for name in names]}, check_mode=True)
    assert not result.failed, result.get("msg")
    assert result["summary"]["blocked"] == ["karpenter-111-131"]
    for name in names:
        one = preflight(run_module, args, name, "1.32")
        mine = result["clusters"][name]
        assert mine["checks"] == one["checks"] and mine["controllers"] == one["controllers"], name
    assert result["clusters"]["karpenter-111-131"]["summary"]["failed_checks"] == ["controller-compatibility"]


@pytest.mark.parametrize("days,max_age,status", [(180, None, "pass"), (181, None, "warn"), (10, 10, "pass"),
                                                 (11, 10, "warn")])
def test_the_table_age_is_judged_against_today(make_world, run_module, args, days, max_age, status):
    make_world("controllers-karpenter-132")
    extra = {} if max_age is None else {"compatibility_table_max_age": "%dd" % max_age}
    result = preflight(run_module, args, "karpenter-120-131", "1.32", today=day(days), **extra)
    check = by_id(result)["controller-table-age"]
    assert check["status"] == status
    assert "Karpenter compatibility table: https://karpenter.sh/docs/upgrading/compatibility/" in check["message"]
    assert "(recorded 2026-12-05, %d day(s) ago)" % days in check["message"]
    assert result["summary"]["blocked"] is False  # an old table warns, it does not block


@pytest.mark.parametrize("extra, message", [
    ({"today": "05/12/2026"}, "today '05/12/2026' is not a date: write it as YYYY-MM-DD"),
    ({"compatibility_table_max_age": "-1d"}, "compatibility_table_max_age must be a duration such as 24h"),
])
def test_bad_table_options_fail_before_any_call(make_world, run_module, args, extra, message):
    world = make_world("controllers-karpenter-132")
    result = run_module(single, args("karpenter-111-131", target_version="1.32", **extra))
    assert result.failed
    assert message in result["msg"]
    assert records(world) == []
    if "today" in extra:
        result = run_module(fleet, {"today": extra["today"], "clusters": [
            {"name": "karpenter-111-131", "target_version": "1.32"}]})
        assert result.failed and message in result["msg"]
        assert records(world) == []


def test_the_cluster_autoscaler_clusterrole_is_checked_against_the_release_for_the_target(make_world, run_module,
                                                                                          args):
    world = make_world("controllers-autoscaler-133")
    before = log_position(world)
    manifest = preflight(run_module, args, "ca-manifest-132", "1.33")
    check = by_id(manifest)["cluster-autoscaler-rbac"]
    assert check["status"] == "warn"
    assert check["message"] == ("kube-system/cluster-autoscaler (service account kube-system/cluster-autoscaler): "
                                "ClusterRole cluster-autoscaler lacks what Cluster Autoscaler 1.33.0 needs: "
                                "storage.k8s.io volumeattachments: get, list, watch.")
    assert "cluster-autoscaler-1.33.0/cluster-autoscaler/cloudprovider/aws/examples/" in check["remediation"]
    compatibility = by_id(manifest)["controller-compatibility"]
    assert compatibility["status"] == "pass"
    assert "AWS Load Balancer Controller v2.8.2 (kube-system/aws-load-balancer-controller) supports Kubernetes 1.33" \
        in compatibility["message"]
    assert "Cluster Autoscaler v1.32.1 (kube-system/cluster-autoscaler)" in compatibility["message"]
    assert manifest["summary"]["blocked"] is False
    # a Helm release's ClusterRole, found through its binding, with the rule
    helm = preflight(run_module, args, "ca-helm-132", "1.33")
    assert by_id(helm)["cluster-autoscaler-rbac"]["status"] == "pass"
    assert "ClusterRole autoscaler-aws-cluster-autoscaler" in by_id(helm)["cluster-autoscaler-rbac"]["message"]
    # the rules were read through the ClusterRoleBindings, once per cluster, within docs/rbac.yaml; nothing changed
    reads = [r["operation"] for r in records(world, before, service="k8s") if "clusterrole" in r["operation"]]
    assert reads == ["list clusterrolebindings", "get clusterroles"] * 2, reads
    assert rbac_rules(records(world, before)) <= role_rules()
    assert mutating_calls(world, before) == []


def test_no_clusterrole_read_without_a_cluster_autoscaler(make_world, run_module, args):
    world = make_world("controllers-karpenter-132")
    before = log_position(world)
    result = preflight(run_module, args, "karpenter-120-131", "1.32")
    assert by_id(result)["cluster-autoscaler-rbac"]["status"] == "pass"
    assert not [r for r in records(world, before, service="k8s") if "clusterrole" in r["operation"]]
