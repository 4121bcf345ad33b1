"""eks_addon_update against the emulated world: version policies, validation, self-managed add-ons."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import addon_update
from ansible_collections.lifecycle.eks.plugins.module_utils.addons import answer_entry
from ansible_collections.lifecycle.eks.plugins.module_utils.aws import Clients
from ansible_collections.lifecycle.eks.plugins.modules import eks_addon_update as module
from tests.conftest import COLLECTIONS, ROOT, mutating_calls
from tests.unit.plugins.modules.helpers import FAST_WAIT, HOUR, faults_once_returned, log_position, records


@pytest.fixture
def args(args):
    """The module takes no Kubernetes option: the shared fixture's arguments without the kubeconfig."""
    return lambda name, **extra: args(name, **dict({"kubeconfig": None}, **extra))


# The control plane moved to 1.30; the add-ons still run 1.29's default versions.
AFTER_CONTROL_PLANE = {"clusters": [{
    "name": "addons-130", "version": "1.30",
    "nodegroups": [{"name": "general", "version": "1.30", "desired_size": 1}],
    "addons": {"vpc-cni": "v1.18.1-eksbuild.3", "coredns": "v1.11.1-eksbuild.4", "kube-proxy": "v1.29.0-eksbuild.1"},
}]}
NAME = "addons-130"


def addon_args(args, name=NAME, **extra):
    return args(name, **dict(FAST_WAIT, **extra))


def by_name(result):
    return {a["name"]: a for a in result["addons"]}


def installed(world, name=NAME):
    eks = world.client("eks")
    names = eks.list_addons(clusterName=name)["addons"]
    return {a: eks.describe_addon(clusterName=name, addonName=a)["addon"] for a in names}


def test_default_policy_picks_the_default_for_the_cluster_version(make_world, run_module, args):
    world = make_world(AFTER_CONTROL_PLANE)
    result = run_module(module, addon_args(args), diff=True)
    assert not result.failed, result.get("msg")
    assert result["changed"] is True
    assert result["cluster_version"] == "1.30"
    addons = by_name(result)
    assert (addons["vpc-cni"]["before"], addons["vpc-cni"]["after"]) == ("v1.18.1-eksbuild.3", "v1.19.0-eksbuild.1")
    assert addons["kube-proxy"]["after"] == "v1.30.0-eksbuild.2"
    assert (addons["coredns"]["changed"], addons["coredns"]["steps"]) == (False, [])
    assert {u["subject"] for u in result["updates"]} == {"add-on vpc-cni", "add-on kube-proxy"}
    assert all(u["status"] == "Successful" for u in result["updates"])
    assert result["diff"]["before"]["vpc-cni"] == {"version": "v1.18.1-eksbuild.3", "configuration_values": None,
                                                   "service_account_role_arn": None}
    assert result["diff"]["after"]["vpc-cni"] == {"version": "v1.19.0-eksbuild.1", "configuration_values": None,
                                                  "service_account_role_arn": None}
    assert addons["vpc-cni"]["changes"] == {"version": {"before": "v1.18.1-eksbuild.3", "after": "v1.19.0-eksbuild.1"}}
    assert addons["coredns"]["changes"] == {}
    summary = world.summary()[NAME]
    assert summary["addons"] == {"vpc-cni": "v1.19.0-eksbuild.1", "coredns": "v1.11.1-eksbuild.4",
                                 "kube-proxy": "v1.30.0-eksbuild.2"}
    assert summary["images"]["kube-system/aws-node"][0].endswith(":v1.19.0-eksbuild.1")

    before = log_position(world)
    again = run_module(module, addon_args(args))
    assert not again.failed, again.get("msg")
    assert again["changed"] is False
    assert again["updates"] == []
    assert mutating_calls(world, before) == []


def test_latest_moves_the_vpc_cni_one_minor_at_a_time(make_world, run_module, args):
    world = make_world(AFTER_CONTROL_PLANE)
    result = run_module(module, addon_args(args, version="latest", addons=[{"name": "vpc-cni"}, {"name": "coredns"}]))
    assert not result.failed, result.get("msg")
    addons = by_name(result)
    assert addons["vpc-cni"]["steps"] == ["v1.19.6-eksbuild.1", "v1.20.1-eksbuild.3"]
    assert addons["coredns"]["after"] == "v1.11.4-eksbuild.22"
    sent = [r["operation"] for r in mutating_calls(world)]
    assert sent == ["UpdateAddon"] * 3
    assert [(u["from"], u["to"]) for u in result["updates"][:2]] == [
        ("v1.18.1-eksbuild.3", "v1.19.6-eksbuild.1"), ("v1.19.6-eksbuild.1", "v1.20.1-eksbuild.3")]
    assert world.summary()[NAME]["addons"]["vpc-cni"] == "v1.20.1-eksbuild.3"


def test_explicit_compatible_version(make_world, run_module, args):
    world = make_world(AFTER_CONTROL_PLANE)
    result = run_module(module, addon_args(args, addons=[{"name": "coredns", "version": "v1.11.4-eksbuild.2"}]))
    assert not result.failed, result.get("msg")
    assert [a["name"] for a in result["addons"]] == ["coredns"]
    assert world.summary()[NAME]["addons"]["coredns"] == "v1.11.4-eksbuild.2"


def test_explicit_incompatible_version_changes_nothing(make_world, run_module, args):
    world = make_world(AFTER_CONTROL_PLANE)
    addons = [{"name": "kube-proxy"}, {"name": "coredns", "version": "v1.12.3-eksbuild.1"}]
    result = run_module(module, addon_args(args, addons=addons))
    assert result.failed
    assert result["changed"] is False
    assert ("v1.12.3-eksbuild.1 is not supported by Amazon EKS on Kubernetes 1.30 (it supports 1.33, 1.34), so EKS "
            "would refuse it") in result["msg"]
    assert "v1.11.4-eksbuild.22" in result["msg"]
    assert mutating_calls(world) == []


def test_unknown_add_on(make_world, run_module, args):
    world = make_world(AFTER_CONTROL_PLANE)
    result = run_module(module, addon_args(args, addons=[{"name": "no-such-addon"}]))
    assert result.failed
    assert "no-such-addon is unknown to Amazon EKS for Kubernetes 1.30" in result["msg"]
    assert mutating_calls(world) == []


def test_self_managed_add_on_is_reported(make_world, run_module, args):
    world = make_world("vpc-cni-17")
    result = run_module(module, addon_args(args, "old-cni-123"))
    assert not result.failed, result.get("msg")
    cni = by_name(result)["vpc-cni"]
    assert cni["managed"] is False
    assert cni["changed"] is False
    assert cni["recommended"] == "v1.15.0-eksbuild.2"
    assert "not an EKS add-on" in cni["message"]
    assert "vpc-cni" not in {u["subject"].split()[-1] for u in result["updates"]}
    assert not [r for r in mutating_calls(world) if "vpc-cni" in str(r)]


def test_configuration_values_are_preserved(make_world, run_module, args):
    world = make_world(AFTER_CONTROL_PLANE)
    config = '{"controller":{"replicaCount":3}}'
    world.aws.create_addon(NAME, "aws-ebs-csi-driver", "v1.28.0-eksbuild.1", configuration_values=config,
                           service_account_role_arn="arn:aws:iam::123456789012:role/ebs")
    result = run_module(module, addon_args(args, addons=[{"name": "aws-ebs-csi-driver"}]))
    assert not result.failed, result.get("msg")
    assert by_name(result)["aws-ebs-csi-driver"]["after"] == "v1.31.0-eksbuild.1"
    ebs = installed(world)["aws-ebs-csi-driver"]
    assert ebs["addonVersion"] == "v1.31.0-eksbuild.1"
    assert ebs["configurationValues"] == config
    assert ebs["serviceAccountRoleArn"] == "arn:aws:iam::123456789012:role/ebs"


def test_new_configuration_values_alone_update_the_add_on(make_world, run_module, args):
    world = make_world(AFTER_CONTROL_PLANE)
    config = '{"replicaCount": 3}'
    result = run_module(module, addon_args(args, addons=[{"name": "coredns", "configuration_values": config}]))
    assert not result.failed, result.get("msg")
    coredns = by_name(result)["coredns"]
    assert (coredns["changed"], coredns["steps"]) == (True, ["v1.11.1-eksbuild.4"])
    assert installed(world)["coredns"]["configurationValues"] == config
    before = log_position(world)
    again = run_module(module, addon_args(args, addons=[{"name": "coredns", "configuration_values": config}]))
    assert again["changed"] is False
    assert mutating_calls(world, before) == []


def test_check_mode_sends_nothing(make_world, run_module, args):
    world = make_world(AFTER_CONTROL_PLANE)
    result = run_module(module, addon_args(args), check_mode=True)
    assert not result.failed, result.get("msg")
    assert result["changed"] is True
    assert result["updates"] == []
    assert by_name(result)["vpc-cni"]["after"] == "v1.19.0-eksbuild.1"
    assert mutating_calls(world) == []


def test_needs_no_kubernetes_library(make_world, run_module, args, monkeypatch):
    make_world(AFTER_CONTROL_PLANE)
    monkeypatch.setitem(sys.modules, "kubernetes", None)  # as if not installed
    result = run_module(module, addon_args(args), check_mode=True)
    assert not result.failed, result.get("msg")
    assert by_name(result)["vpc-cni"]["after"] == "v1.19.0-eksbuild.1"


def test_a_run_never_imports_kubernetes(make_world, args):
    """The whole run, in a new interpreter as Ansible runs a module: the kubernetes client is not imported."""
    make_world(AFTER_CONTROL_PLANE)
    code = """if True:
        import json, sys
        from tests.conftest import module_args
        from ansible_collections.lifecycle.eks.plugins.modules import eks_addon_update
        try:
            with module_args(json.loads(sys.argv[1])):
                eks_addon_update.main()
        except SystemExit:
            pass
        print(sorted(name for name in sys.modules if name.split(".")[0] == "kubernetes"))
    """
    env = dict(os.environ, PYTHONPATH=os.pathsep.join((str(COLLECTIONS), str(ROOT))))
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(dict(addon_args(args), _ansible_check_mode=True))],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    result_line, imported = proc.stdout.strip().splitlines()
    result = json.loads(result_line)
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is True
    assert imported == "[]"


def region_catalog(world, names):
    """{add-on: catalog entry} as a preflight reads it for the region (one DescribeAddonVersions per name)."""
    eks = world.client("eks")
    return {n: answer_entry(eks.describe_addon_versions(addonName=n)["addons"]) for n in names}


def outcome(result):
    """What the module decided and reports, without its call counts and the arguments it was given."""
    return {k: v for k, v in result.items() if k not in ("api_calls", "invocation")}


def test_a_given_catalog_is_not_read_again_and_chooses_as_the_lookups_do(make_world, run_module, args):
    world = make_world(AFTER_CONTROL_PLANE)
    catalog = region_catalog(world, ("vpc-cni", "coredns", "kube-proxy"))
    before = log_position(world)
    looked_up = run_module(module, addon_args(args, version="latest"), check_mode=True, diff=True)
    assert len(records(world, before, operation="DescribeAddonVersions")) == 3  # one per add-on, without it
    before = log_position(world)
    given = run_module(module, addon_args(args, version="latest", addon_catalog=catalog), check_mode=True, diff=True)
    assert not given.failed, given.get("msg")
    assert records(world, before, operation="DescribeAddonVersions") == []
    assert outcome(given) == outcome(looked_up)
    assert given["api_calls"] == looked_up["api_calls"] - 3
    assert by_name(given)["vpc-cni"]["steps"] == ["v1.19.6-eksbuild.1", "v1.20.1-eksbuild.3"]

    before = log_position(world)
    applied = run_module(module, addon_args(args, version="latest", addon_catalog=catalog))
    assert not applied.failed, applied.get("msg")
    assert records(world, before, operation="DescribeAddonVersions") == []
    assert world.summary()[NAME]["addons"] == {a["name"]: a["after"] for a in given["addons"]}


def test_an_add_on_the_catalog_lacks_is_looked_up_alone(make_world, run_module, args, monkeypatch):
    world = make_world(AFTER_CONTROL_PLANE)
    catalog = region_catalog(world, ("coredns", "kube-proxy"))
    expected = run_module(module, addon_args(args), check_mode=True)
    looked_up = []
    describe = Clients.describe_addon_versions

    def recording(self, kubernetes_version=None, addon_name=None):
        looked_up.append(addon_name)
        return describe(self, kubernetes_version, addon_name)

    monkeypatch.setattr(Clients, "describe_addon_versions", recording)
    before = log_position(world)
    partial = run_module(module, addon_args(args, addon_catalog=catalog), check_mode=True)
    assert not partial.failed, partial.get("msg")
    assert outcome(partial) == outcome(expected)
    assert len(records(world, before, operation="DescribeAddonVersions")) == 1
    assert looked_up == ["vpc-cni"]
    assert by_name(partial)["vpc-cni"]["after"] == "v1.19.0-eksbuild.1"


def test_a_catalog_entry_without_versions_is_an_unknown_add_on(make_world, run_module, args):
    world = make_world(AFTER_CONTROL_PLANE)
    empty = {"versions": {}, "defaults": {}}  # what a preflight records for a name EKS does not list
    result = run_module(module, addon_args(args, addons=[{"name": "no-such-addon"}],
                                           addon_catalog={"no-such-addon": empty}))
    assert result.failed
    assert "no-such-addon is unknown to Amazon EKS for Kubernetes 1.30" in result["msg"]
    assert records(world, operation="DescribeAddonVersions") == []


def test_a_malformed_catalog_fails_before_any_call(make_world, run_module, args):
    world = make_world(AFTER_CONTROL_PLANE)
    before = log_position(world)
    result = run_module(module, addon_args(args, addon_catalog={"coredns": {"versions": ["v1.11.4-eksbuild.22"]},
                                                                "kube-proxy": {"versions": {}}}))
    assert result.failed
    assert result["msg"].startswith("addon_catalog entries coredns must each be {versions: {VERSION: [MINOR, ...]}")
    assert records(world, before) == []


def test_cluster_version_plans_ahead_in_check_mode_only(make_world, run_module, args):
    world = make_world(AFTER_CONTROL_PLANE)
    planned = run_module(module, addon_args(args, cluster_version="1.31"), check_mode=True)
    assert not planned.failed, planned.get("msg")
    assert planned["cluster_version"] == "1.31"
    assert by_name(planned)["kube-proxy"]["after"] == "v1.31.0-eksbuild.2"
    refused = run_module(module, addon_args(args, cluster_version="1.31"))
    assert refused.failed
    assert "only check mode may plan" in refused["msg"]
    same = run_module(module, addon_args(args, cluster_version="1.30"), check_mode=True)
    assert same["cluster_version"] == "1.30"
    assert mutating_calls(world) == []


def test_wait_false_returns_started_updates(make_world, run_module, args):
    world = make_world(AFTER_CONTROL_PLANE, addon_update_s=HOUR)
    result = run_module(module, addon_args(args, wait=False, addons=[{"name": "kube-proxy"}]))
    assert not result.failed, result.get("msg")
    [update] = result["updates"]
    assert update["status"] == "InProgress" and update["to"] == "v1.30.0-eksbuild.2"
    assert len(records(world, operation="UpdateAddon")) == 1


def test_wait_false_starts_one_vpc_cni_step_and_a_rerun_continues(make_world, run_module, args):
    """Without waiting, only the first of the VPC CNI's minor steps is sent (a second UpdateAddon while the first
    runs is refused by EKS); the result says which steps remain, and each rerun takes the next one."""
    world = make_world(AFTER_CONTROL_PLANE, addon_update_s=HOUR)
    cni = [{"name": "vpc-cni"}]
    started = run_module(module, addon_args(args, wait=False, version="latest", addons=cni))
    assert not started.failed, started.get("msg")
    assert started["changed"] is True
    [update] = started["updates"]
    assert (update["from"], update["to"], update["status"]) == ("v1.18.1-eksbuild.3", "v1.19.6-eksbuild.1",
                                                                "InProgress")
    entry = by_name(started)["vpc-cni"]
    assert entry["steps"] == ["v1.19.6-eksbuild.1", "v1.20.1-eksbuild.3"]
    assert entry["remaining_steps"] == ["v1.20.1-eksbuild.3"]
    assert entry["after"] == "v1.18.1-eksbuild.3"  # the version it runs until the started update ends
    assert len(records(world, operation="UpdateAddon")) == 1

    position = log_position(world)
    still_running = run_module(module, addon_args(args, wait=False, version="latest", addons=cni))
    assert not still_running.failed, still_running.get("msg")
    [resumed] = still_running["updates"]
    assert (resumed["id"], resumed["resumed"], resumed["status"]) == (update["id"], True, "InProgress")
    assert by_name(still_running)["vpc-cni"]["remaining_steps"] == ["v1.20.1-eksbuild.3"]
    assert mutating_calls(world, position) == []

    world.state.clock.advance(HOUR)  # the first step ends
    position = log_position(world)
    next_step = run_module(module, addon_args(args, wait=False, version="latest", addons=cni))
    assert not next_step.failed, next_step.get("msg")
    [update] = next_step["updates"]
    assert (update["from"], update["to"], update["resumed"]) == ("v1.19.6-eksbuild.1", "v1.20.1-eksbuild.3", False)
    assert by_name(next_step)["vpc-cni"]["remaining_steps"] == []
    assert [r["operation"] for r in mutating_calls(world, position)] == ["UpdateAddon"]

    world.state.clock.advance(HOUR)
    done = run_module(module, addon_args(args, wait=False, version="latest", addons=cni))
    assert not done.failed, done.get("msg")
    assert done["changed"] is False and done["updates"] == []
    assert world.summary()[NAME]["addons"]["vpc-cni"] == "v1.20.1-eksbuild.3"


def test_a_rerun_waits_for_the_running_step_then_sends_the_rest(make_world, run_module, args, finish_when_waited):
    world = make_world(AFTER_CONTROL_PLANE, addon_update_s=HOUR)
    cni = [{"name": "vpc-cni"}]
    started = run_module(module, addon_args(args, wait=False, version="latest", addons=cni))
    assert not started.failed, started.get("msg")
    finish_when_waited(world)
    position = log_position(world)
    rest = run_module(module, addon_args(args, version="latest", addons=cni))
    assert not rest.failed, rest.get("msg")
    assert [(u["to"], u["resumed"], u["status"]) for u in rest["updates"]] == [
        ("v1.19.6-eksbuild.1", True, "Successful"), ("v1.20.1-eksbuild.3", False, "Successful")]
    assert by_name(rest)["vpc-cni"]["after"] == "v1.20.1-eksbuild.3"
    assert by_name(rest)["vpc-cni"]["remaining_steps"] == []
    assert [r["operation"] for r in mutating_calls(world, position)] == ["UpdateAddon"]
    assert world.summary()[NAME]["addons"]["vpc-cni"] == "v1.20.1-eksbuild.3"


def test_failed_update_call_keeps_the_partial_result(make_world, run_module, args, monkeypatch, no_aws_retries):
    """EKS answers 500 after the first add-on was updated: the task fails and reports that update."""
    world = make_world(AFTER_CONTROL_PLANE)
    faults_once_returned(monkeypatch, addon_update, "see_through", world, NAME, error_rate=1.0)
    result = run_module(module, addon_args(args, addons=[{"name": "vpc-cni"}, {"name": "kube-proxy"}]))
    assert result.failed
    assert result["msg"].startswith("Failed to update add-on kube-proxy of cluster addons-130: ")
    assert [(u["subject"], u["status"]) for u in result["updates"]] == [("add-on vpc-cni", "Successful")]
    assert result["changed"] is True
    world.state.faults.clear()
    assert world.summary()[NAME]["addons"]["kube-proxy"] == "v1.29.0-eksbuild.1"


def test_wait_timeout_reports_the_update_still_running(make_world, run_module, args):
    world = make_world(AFTER_CONTROL_PLANE, addon_update_s=HOUR)
    result = run_module(module, addon_args(args, wait_timeout=0, addons=[{"name": "kube-proxy"}]))
    assert result.failed
    assert "Rerun" in result["msg"] and result["update_id"] in result["msg"]
    assert [(u["id"], u["status"]) for u in result["updates"]] == [(result["update_id"], "InProgress")]
    assert result["changed"] is True
    assert len(records(world, operation="UpdateAddon")) == 1


# --- settings carried forward (configuration values, service account role) and resolve_conflicts ----------

CNI_ROLE = "arn:aws:iam::123456789012:role/AmazonEKSVPCCNIRole"
CNI_CONFIG = '{"env": {"ENABLE_PREFIX_DELEGATION": "true"}}'
WITH_SETTINGS = {"clusters": [{
    "name": NAME, "version": "1.30", "nodegroups": [{"name": "general", "version": "1.30", "desired_size": 1}],
    "addons": {"vpc-cni": {"version": "v1.18.1-eksbuild.3", "configuration_values": CNI_CONFIG,
                           "service_account_role_arn": CNI_ROLE},
               "coredns": {"version": "v1.11.1-eksbuild.4", "configuration_values": {"replicaCount": 3}},
               "kube-proxy": "v1.29.0-eksbuild.1"},
}]}


def sent_params(world, addon):
    """The params of each AddonUpdate the world received for an add-on, in order."""
    return [u["params"] for u in world.summary()[NAME]["updates"] if u["addon"] == addon]


def test_scenario_seeds_addon_settings(make_world):
    world = make_world(WITH_SETTINGS)
    cni, coredns = installed(world)["vpc-cni"], installed(world)["coredns"]
    assert (cni["configurationValues"], cni["serviceAccountRoleArn"]) == (CNI_CONFIG, CNI_ROLE)
    assert coredns["configurationValues"] == '{"replicaCount": 3}' and "serviceAccountRoleArn" not in coredns


def test_settings_are_sent_again_with_every_update(make_world, run_module, args):
    world = make_world(WITH_SETTINGS)
    result = run_module(module, addon_args(args, version="latest", addons=[{"name": "vpc-cni"}, {"name": "coredns"}]),
                        diff=True)
    assert not result.failed, result.get("msg")
    # The VPC CNI moves one minor at a time: each of its updates carries the configuration and the role.
    cni_updates = sent_params(world, "vpc-cni")
    assert [p["AddonVersion"] for p in cni_updates] == ["v1.19.6-eksbuild.1", "v1.20.1-eksbuild.3"]
    assert all((p["ConfigurationValues"], p["ServiceAccountRoleArn"], p["ResolveConflicts"]) ==
               (CNI_CONFIG, CNI_ROLE, "PRESERVE") for p in cni_updates)
    [dns] = sent_params(world, "coredns")
    assert dns["ConfigurationValues"] == '{"replicaCount": 3}' and "ServiceAccountRoleArn" not in dns
    after = installed(world)
    assert (after["vpc-cni"]["configurationValues"], after["vpc-cni"]["serviceAccountRoleArn"]) == (CNI_CONFIG,
                                                                                                    CNI_ROLE)
    assert after["coredns"]["configurationValues"] == '{"replicaCount": 3}'
    # Only the version changed, and the diff says so.
    addons = by_name(result)
    assert addons["vpc-cni"]["changes"] == {"version": {"before": "v1.18.1-eksbuild.3", "after": "v1.20.1-eksbuild.3"}}
    assert result["diff"]["before"]["vpc-cni"] == {"version": "v1.18.1-eksbuild.3", "configuration_values": CNI_CONFIG,
                                                   "service_account_role_arn": CNI_ROLE}
    assert result["diff"]["after"]["vpc-cni"] == dict(result["diff"]["before"]["vpc-cni"],
                                                      version="v1.20.1-eksbuild.3")


def test_given_settings_replace_the_installed_ones_and_show_in_the_diff(make_world, run_module, args):
    world = make_world(WITH_SETTINGS)
    new_role = "arn:aws:iam::123456789012:role/cni-v2"
    requested = [{"name": "vpc-cni", "service_account_role_arn": new_role},
                 {"name": "coredns", "configuration_values": "replicaCount: 4\n"}]
    planned = run_module(module, addon_args(args, addons=requested), check_mode=True, diff=True)
    assert not planned.failed, planned.get("msg")
    assert mutating_calls(world) == []
    changes = {name: a["changes"] for name, a in by_name(planned).items()}
    assert changes["vpc-cni"] == {
        "version": {"before": "v1.18.1-eksbuild.3", "after": "v1.19.0-eksbuild.1"},
        "service_account_role_arn": {"before": CNI_ROLE, "after": new_role}}
    assert changes["coredns"] == {"configuration_values": {"before": '{"replicaCount": 3}',
                                                           "after": "replicaCount: 4\n"}}
    assert planned["diff"]["after"]["coredns"] == {"version": "v1.11.1-eksbuild.4",
                                                   "configuration_values": "replicaCount: 4\n",
                                                   "service_account_role_arn": None}

    result = run_module(module, addon_args(args, addons=requested, resolve_conflicts="OVERWRITE"))
    assert not result.failed, result.get("msg")
    [cni] = sent_params(world, "vpc-cni")
    assert (cni["ServiceAccountRoleArn"], cni["ConfigurationValues"], cni["ResolveConflicts"]) == (
        new_role, CNI_CONFIG, "OVERWRITE")
    [dns] = sent_params(world, "coredns")  # settings alone: updated at its current version
    assert (dns["AddonVersion"], dns["ConfigurationValues"]) == ("v1.11.1-eksbuild.4", "replicaCount: 4\n")
    assert installed(world)["vpc-cni"]["serviceAccountRoleArn"] == new_role
    before = log_position(world)
    again = run_module(module, addon_args(args, addons=requested))
    assert again["changed"] is False and mutating_calls(world, before) == []


@pytest.mark.parametrize("addons, message", [
    ([{"name": "coredns", "configuration_values": "{not json"}],
     "configuration_values of add-on coredns must be a JSON or YAML mapping"),
    ([{"name": "coredns", "configuration_values": "[1, 2]"}],
     "configuration_values of add-on coredns must be a JSON or YAML mapping"),
    ([{"name": "coredns", "configuration_values": ""}], "'{}' for none); got ''."),
    ([{"name": "vpc-cni", "service_account_role_arn": "AmazonEKSVPCCNIRole"}],
     "service_account_role_arn of add-on vpc-cni must be an IAM role ARN such as arn:aws:iam::123456789012:role/NAME"),
    ([{"name": "vpc-cni", "service_account_role_arn": "arn:aws:iam::123456789012:user/cni"}],
     "must be an IAM role ARN"),
    ([{"name": "coredns"}, {"name": "coredns", "version": "latest"}], "Add-on coredns is listed twice in addons."),
    ([{"name": " "}], "An entry of addons has an empty name."),
])
def test_bad_addon_settings_fail_before_any_call(make_world, run_module, args, addons, message):
    world = make_world(AFTER_CONTROL_PLANE)
    result = run_module(module, addon_args(args, addons=addons))
    assert result.failed
    assert message in result["msg"]
    assert result["changed"] is False
    assert records(world) == []


def test_resolve_conflicts_choices(make_world, run_module, args):
    make_world(AFTER_CONTROL_PLANE)
    result = run_module(module, addon_args(args, resolve_conflicts="MERGE"))
    assert result.failed
    assert result["msg"] == "value of resolve_conflicts must be one of: PRESERVE, OVERWRITE, NONE, got: MERGE"
