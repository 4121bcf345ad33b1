"""eks_wave: one step of many clusters in one call, each cluster's entry what the module alone would return."""
from __future__ import annotations

import json
import sys

from ansible_collections.lifecycle.eks.plugins.module_utils import wave
from ansible_collections.lifecycle.eks.plugins.modules import eks_addon_update as addon_module
from ansible_collections.lifecycle.eks.plugins.modules import eks_cluster_autoscaler_release as autoscaler_module
from ansible_collections.lifecycle.eks.plugins.modules import eks_cluster_upgrade as single
from ansible_collections.lifecycle.eks.plugins.modules import eks_version_skew_facts as skew_module
from ansible_collections.lifecycle.eks.plugins.modules import eks_wave
from ansible_collections.lifecycle.eks.plugins.modules import eks_workload_image as image_module
from tests.conftest import mutating_calls
from tests.unit.plugins.modules.helpers import FAST_WAIT, log_position, records, warning_texts


def entry(name, kubeconfig, **extra):
    return dict({"name": name, "cluster_name": name, "target_version": "1.30", "kubeconfig": kubeconfig(name)},
                **dict(FAST_WAIT, **extra))


def run_wave(run_module, clusters, region="us-east-1", check_mode=False, step="eks_cluster_upgrade", **options):
    return run_module(eks_wave, dict({"module": step, "region": region, "clusters": clusters}, **options),
                      check_mode=check_mode)


def test_clusters_of_two_regions_upgrade_in_one_call_each_with_its_own_result(
        make_world, run_module, kubeconfig, args):
    world = make_world("two-regions")
    before = log_position(world)
    result = run_wave(run_module, [entry("prod-use1", kubeconfig),
                                   entry("prod-euw1", kubeconfig, region="eu-west-1")])
    assert not result.failed, result.get("msg")
    assert result["changed"] is True
    assert result["summary"] == {"clusters": 2, "failed": [], "changed": ["prod-use1", "prod-euw1"]}
    for name in ("prod-use1", "prod-euw1"):
        cluster = result["clusters"][name]
        assert cluster["wave_module"] == "eks_cluster_upgrade"
        assert (cluster["version_before"], cluster["version_after"]) == ("1.29", "1.30")
        [update] = cluster["updates"]
        assert update["subject"] == f"cluster {name}" and update["status"] == "Successful"
        assert world.summary()[name]["version"] == "1.30"
        # Its own counters and its own poll budget's send times, for the next step on the cluster.
        assert 0 < cluster["api_calls"] < result["api_calls"]
        assert cluster["poll_times"]
    assert result["api_calls"] == sum(result["clusters"][name]["api_calls"] for name in ("prod-use1", "prod-euw1"))
    assert result["api_calls"] == len([r for r in records(world, before) if r["service"] != "k8s"])

    # The module alone, on a cluster the wave upgraded, returns the same keys (and changes nothing).
    alone = run_module(single, args("prod-use1", target_version="1.30", **FAST_WAIT))
    assert not alone.failed, alone.get("msg")
    assert set(alone) - {"invocation"} == set(result["clusters"]["prod-use1"]) - {"wave_module"}


def test_a_cluster_with_wrong_options_or_unknown_fails_alone(make_world, run_module, kubeconfig):
    world = make_world("healthy")
    result = run_wave(run_module, [entry("healthy-129", kubeconfig),
                                   dict(entry("healthy-129", kubeconfig), name="typo", upgrade_nodegroups="maybe",
                                        wait_delay="soon"),
                                   dict(entry("healthy-129", kubeconfig), name="ghost", cluster_name="ghost"),
                                   dict(entry("healthy-129", kubeconfig), name="old", target_version="1.2x")])
    assert not result.failed, result.get("msg")
    assert result["summary"]["changed"] == ["healthy-129"]
    assert result["summary"]["failed"] == ["typo", "ghost", "old"]
    typo = result["clusters"]["typo"]["msg"]
    assert "Options of cluster typo for eks_cluster_upgrade" in typo
    assert "upgrade_nodegroups" in typo and "wait_delay" in typo
    assert "ghost" in result["clusters"]["ghost"]["msg"]
    assert "1.2x" in result["clusters"]["old"]["msg"]
    assert world.summary()["healthy-129"]["version"] == "1.30"
    assert all(entry_["wave_module"] == "eks_cluster_upgrade" for entry_ in result["clusters"].values())


def test_check_mode_predicts_and_changes_nothing(make_world, run_module, kubeconfig):
    world = make_world("healthy")
    before = log_position(world)
    result = run_wave(run_module, [entry("healthy-129", kubeconfig)], check_mode=True)
    assert not result.failed, result.get("msg")
    assert result["changed"] is True
    assert result["clusters"]["healthy-129"]["version_after"] == "1.30"
    assert mutating_calls(world, before) == []
    assert world.summary()["healthy-129"]["version"] == "1.29"


def test_secret_options_of_a_cluster_never_show(make_world, run_module, kubeconfig):
    make_world("healthy")
    secret = "tok-3f9d2a7c5e"
    result = run_wave(run_module, [entry("healthy-129", kubeconfig, api_key=secret)], check_mode=True)
    assert secret not in json.dumps(result)


def test_a_crash_of_one_cluster_keeps_the_others_results_and_warnings_stay_with_their_cluster(
        make_world, run_module, kubeconfig, monkeypatch):
    make_world("two-regions")
    spec, body, needs_kubernetes = wave.STEPS["eks_cluster_upgrade"]

    def crash_in_ireland(module, clients):
        if module.region == "eu-west-1":
            raise KeyError("nodegroup")
        module.warn("looked at %s" % module.params["cluster_name"])
        return body(module, clients)

    monkeypatch.setitem(wave.STEPS, "eks_cluster_upgrade", (spec, crash_in_ireland, needs_kubernetes))
    result = run_wave(run_module, [entry("prod-use1", kubeconfig),
                                   entry("prod-euw1", kubeconfig, region="eu-west-1")], max_concurrent_clusters=1)
    assert not result.failed, result.get("msg")
    ireland = result["clusters"]["prod-euw1"]
    assert ireland["failed"] is True
    assert ireland["msg"] == "eks_cluster_upgrade crashed on cluster prod-euw1: KeyError: 'nodegroup'"
    assert "Traceback" in ireland["exception"]
    assert result["clusters"]["prod-use1"]["version_after"] == "1.30"
    assert warning_texts(result["clusters"]["prod-use1"]) == ["looked at prod-use1"]
    assert "warnings" not in ireland


def test_wrong_wave_options_fail_before_any_call(make_world, run_module, kubeconfig):
    world = make_world("healthy")
    before = log_position(world)
    twice = [dict(entry("healthy-129", kubeconfig), name="a")] * 2
    cases = {
        "Every clusters[] entry needs a name": [{"cluster_name": "healthy-129", "target_version": "1.30"}],
        "clusters[].name must be unique; repeated: a": twice,
    }
    for message, clusters in cases.items():
        result = run_wave(run_module, clusters)
        assert result.failed and message in result["msg"]
    result = run_wave(run_module, [entry("healthy-129", kubeconfig)], max_concurrent_clusters=0)
    assert result.failed and "max_concurrent_clusters must be 1 or more; got 0" in result["msg"]
    assert records(world, before) == []


def test_node_groups_of_a_wave_catch_up_in_one_call_without_the_kubernetes_library(
        make_world, run_module, monkeypatch):
    world = make_world("nodes-behind")
    monkeypatch.setitem(sys.modules, "kubernetes", None)  # needed only to verify GPU node groups
    result = run_module(eks_wave, {"module": "eks_nodegroup_upgrade", "region": world.region, "clusters": [
        dict({"name": "behind", "cluster_name": "nodes-behind-129", "wait_poll_history": [1.0]}, **FAST_WAIT),
        {"name": "typo", "cluster_name": "nodes-behind-129", "gpu_update_strategy": "fastest"}]})
    assert not result.failed, result.get("msg")
    behind = result["clusters"]["behind"]
    assert behind["wave_module"] == "eks_nodegroup_upgrade" and behind["changed"] is True
    assert {entry["name"]: (entry["before"], entry["after"]) for entry in behind["nodegroups"]} == {
        "general": ("1.28", "1.29"), "batch": ("1.29", "1.29")}
    assert {name: group["version"] for name, group in world.summary()["nodes-behind-129"]["nodegroups"].items()} == {
        "general": "1.29", "batch": "1.29"}
    assert "gpu_update_strategy" in result["clusters"]["typo"]["msg"]
    assert result["summary"] == {"clusters": 2, "failed": ["typo"], "changed": ["behind"]}


def test_the_read_after_the_upgrade_returns_each_cluster_s_facts_as_the_module_alone(
        make_world, run_module, kubeconfig, args):
    make_world("nodes-behind")
    result = run_wave(run_module, [{"name": "behind", "cluster_name": "nodes-behind-129",
                                    "kubeconfig": kubeconfig("nodes-behind-129")}], check_mode=True,
                      step="eks_version_skew_facts")
    assert not result.failed, result.get("msg")
    assert "ansible_facts" not in result  # the wave sets no fact: each host's eks_wave_result does
    alone = run_module(skew_module, args("nodes-behind-129"), check_mode=True)
    assert result["clusters"]["behind"]["ansible_facts"] == alone["ansible_facts"]
    assert result["clusters"]["behind"]["changed"] is False


def _as_alone(result):
    """A result without what differs between two runs of the same step: counters, timings, the wave's tag."""
    volatile = ("api_calls", "api_retries", "kube_retries", "poll_times", "wave_module", "invocation", "duration_s")
    return {key: value for key, value in result.items() if key not in volatile}


def test_the_autoscaler_and_add_on_steps_return_for_each_cluster_what_their_module_alone_returns(
        make_world, run_module, kubeconfig, args):
    world = make_world("healthy")
    name = "healthy-129"
    release = {"name": "eu", "cluster_name": name, "kubeconfig": kubeconfig(name), "kubernetes_version": "1.30",
               "release": "v1.30.2"}
    image = {"name": "eu", "cluster_name": name, "kubeconfig": kubeconfig(name), "kind": "Deployment",
             "workload": "cluster-autoscaler", "tag": "v1.30.2"}
    addons = dict({"name": "eu", "cluster_name": name, "cluster_version": "1.30"}, **FAST_WAIT)
    for step, options, module in (("eks_cluster_autoscaler_release", release, autoscaler_module),
                                  ("eks_workload_image", image, image_module),
                                  ("eks_addon_update", addons, addon_module)):
        batched = run_wave(run_module, [options], check_mode=True, step=step)
        assert not batched.failed, batched.get("msg")
        own = {key: value for key, value in options.items() if key not in ("name", "kubeconfig", "cluster_name")}
        alone = run_module(module, args(name, **own) if step != "eks_addon_update"
                           else args(name, kubeconfig=None, **own), check_mode=True)
        assert not alone.failed, alone.get("msg")
        assert _as_alone(batched["clusters"]["eu"]) == _as_alone(dict(alone)), step
    assert batched["clusters"]["eu"]["changed"] is True  # the add-ons planned for 1.30, nothing sent
    before = log_position(world)
    result = run_wave(run_module, [image], step="eks_workload_image")
    assert result["clusters"]["eu"]["changed"] is True
    assert world.summary()[name]["images"]["kube-system/cluster-autoscaler"] == [
        "registry.k8s.io/autoscaling/cluster-autoscaler:v1.30.2"]
    assert [r["operation"] for r in records(world, before) if r["service"] == "k8s"].count("patch deployments") == 1


def test_an_add_on_entry_with_a_kubernetes_option_fails_alone_naming_it(make_world, run_module, kubeconfig):
    make_world("healthy")
    result = run_wave(run_module, [{"name": "eu", "cluster_name": "healthy-129", "kubeconfig": kubeconfig("eu")},
                                   dict({"name": "us", "cluster_name": "healthy-129"}, **FAST_WAIT)],
                      check_mode=True, step="eks_addon_update")
    assert result["clusters"]["eu"]["failed"] is True and "kubeconfig" in result["clusters"]["eu"]["msg"]
    assert not result["clusters"]["us"].get("failed"), result["clusters"]["us"].get("msg")
