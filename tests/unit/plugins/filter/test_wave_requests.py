"""Filters lifecycle.eks.control_plane_request, nodegroups_request and skew_request: a host's eks_wave entry, when the
wave runs that step for it; wave_entries: the entries of the hosts that reached a role's wave task."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.lifecycle.eks.plugins.filter.wave_requests import (
    FilterModule,
    control_plane_request,
    nodegroups_request,
    skew_request,
    wave_entries,
)

READ = {"eks_checkpoint_read": {"changed": False, "skip_steps": {}}}
PLAN = {"cluster": "prod-eu", "target": "1.31", "hops": ["1.30", "1.31"]}


def test_defaults_match_what_the_playbook_gives_the_control_plane_role():
    host = dict(READ, inventory_hostname="prod-eu", eks_target_version=1.3, preflight_result={"plan": PLAN})
    assert control_plane_request(host) == {
        "name": "prod-eu", "cluster_name": "prod-eu", "target_version": "1.3", "plan": PLAN,
        "upgrade_nodegroups": True, "nodegroup_force": False, "nodegroup_launch_templates": {}, "force": False,
        "fix_coredns_upstream": False, "wait_timeout": 3600, "wait_delay": 5.0, "wait_max_delay": 30.0}


def test_every_variable_and_the_progress_store_are_passed_on():
    host = dict(READ, inventory_hostname="eu", eks_cluster_name="prod-eu", eks_target_version="1.31",
                eks_upgrade_nodegroups=False, eks_nodegroup_force=True,
                eks_nodegroup_launch_templates={"gpu": {"version": "7"}}, eks_force=True, eks_wait_timeout=60,
                eks_wait_delay=1, eks_wait_max_delay=2, eks_aws_region="eu-west-1", eks_kubeconfig="/k/eu.yaml",
                eks_kube_context="eu", eks_kube_retry_timeout=30, eks_fix_coredns_upstream="no")
    request = control_plane_request(host, {"run_id": "r1", "backend": "local", "path": "/state"})
    assert request == {
        "name": "eu", "cluster_name": "prod-eu", "target_version": "1.31", "upgrade_nodegroups": False,
        "nodegroup_force": True, "nodegroup_launch_templates": {"gpu": {"version": "7"}}, "force": True,
        "fix_coredns_upstream": "no", "wait_timeout": 60, "wait_delay": 1, "wait_max_delay": 2, "region": "eu-west-1",
        "kubeconfig": "/k/eu.yaml", "context": "eu", "kube_retry_timeout": 30,
        "progress": {"run_id": "r1", "backend": "local", "path": "/state", "cluster": "eu"}}


@pytest.mark.parametrize("host", [
    {},  # no checkpoint read: preflight blocked it, or it failed before
    {"eks_checkpoint_read": {"skipped": True, "changed": False}},
    {"eks_checkpoint_read": {"failed": True, "msg": "unreadable"}},
    {"eks_checkpoint_read": {"skip_steps": {"control_plane": {"version": "1.31"}}}},
], ids=["not-read", "blocked", "read-failed", "finished"])
def test_a_host_the_wave_must_not_upgrade_gets_none(host):
    assert control_plane_request(dict(host, inventory_hostname="eu", eks_target_version="1.31")) is None


def test_the_coredns_fix_goes_with_the_wave_the_module_makes_it_before_its_first_hop():
    request = control_plane_request(dict(READ, inventory_hostname="eu", eks_target_version="1.31",
                                         eks_fix_coredns_upstream=True))
    assert request is not None and request["fix_coredns_upstream"] is True


def test_a_missing_target_is_left_empty_for_the_module_to_fail_that_cluster_alone():
    assert control_plane_request(dict(READ, inventory_hostname="eu"))["target_version"] == ""


STORE = {"run_id": "r1", "backend": "local", "path": "/state"}


def test_the_checkpoint_each_module_records_its_step_in_is_the_hosts_for_its_own_target():
    """As the roles give it (post_upgrade's vars/main.yml, control_plane's task): the store under the host's name, for
    the target its checkpoint is read for; the hosts of one wave may have different targets."""
    eu = dict(UPGRADED, inventory_hostname="eu", eks_target_version="1.31")
    us = dict(UPGRADED, inventory_hostname="us", eks_target_version=1.3)
    assert control_plane_request(eu, None, STORE)["checkpoint"] == dict(STORE, cluster="eu", target_version="1.31")
    assert control_plane_request(us, None, STORE)["checkpoint"] == dict(STORE, cluster="us", target_version="1.3")
    assert "progress" not in control_plane_request(eu, None, STORE)
    assert nodegroups_request(eu, STORE)["checkpoint"] == dict(STORE, cluster="eu", target_version="1.31")
    assert nodegroups_request(us, STORE)["checkpoint"] == dict(STORE, cluster="us", target_version="1.3")
    assert "checkpoint" not in nodegroups_request(eu) and "checkpoint" not in control_plane_request(eu)


def test_bad_input_is_refused():
    with pytest.raises(AnsibleFilterError, match="hostvars"):
        control_plane_request("eu")
    with pytest.raises(AnsibleFilterError, match="progress must be a dict"):
        control_plane_request(dict(READ, inventory_hostname="eu"), progress="local")
    with pytest.raises(AnsibleFilterError, match="checkpoint must be a dict"):
        control_plane_request(dict(READ, inventory_hostname="eu"), checkpoint="local")
    with pytest.raises(AnsibleFilterError, match="nodegroups_request: checkpoint must be a dict"):
        nodegroups_request(dict(UPGRADED, inventory_hostname="eu"), ["local"])


def test_the_filter_is_registered():
    assert FilterModule().filters() == {"control_plane_request": control_plane_request,
                                        "nodegroups_request": nodegroups_request, "skew_request": skew_request,
                                        "wave_entries": wave_entries}


UPGRADED = dict(READ, control_plane_result={"poll_times": [12.5, 20.0], "version_after": "1.31"})


def test_node_group_defaults_match_what_the_playbook_gives_the_post_upgrade_role():
    assert nodegroups_request(dict(UPGRADED, inventory_hostname="prod-eu")) == {
        "name": "prod-eu", "cluster_name": "prod-eu", "force": False, "launch_templates": {},
        "verify_gpu_allocatable": True, "gpu_allocatable_timeout": 600, "wait_timeout": 5400, "wait_delay": 5.0,
        "wait_max_delay": 30.0, "wait_poll_history": [12.5, 20.0]}


def test_node_group_variables_are_passed_on():
    host = dict(UPGRADED, inventory_hostname="eu", eks_cluster_name="prod-eu", eks_nodegroup_force=True,
                eks_nodegroup_launch_templates={"gpu": {"version": "7"}}, eks_verify_gpu_allocatable=False,
                eks_gpu_allocatable_timeout=60, eks_gpu_update_strategy="minimal", eks_wait_timeout=600,
                eks_aws_region="eu-west-1", eks_kubeconfig="/k/eu.yaml")
    request = nodegroups_request(host)
    assert {key: request[key] for key in ("cluster_name", "force", "launch_templates", "verify_gpu_allocatable",
                                          "gpu_allocatable_timeout", "gpu_update_strategy", "wait_timeout",
                                          "region", "kubeconfig")} == {
        "cluster_name": "prod-eu", "force": True, "launch_templates": {"gpu": {"version": "7"}},
        "verify_gpu_allocatable": False, "gpu_allocatable_timeout": 60, "gpu_update_strategy": "minimal",
        "wait_timeout": 600, "region": "eu-west-1", "kubeconfig": "/k/eu.yaml"}


def test_a_control_plane_finished_by_an_earlier_run_still_gets_its_node_groups_updated():
    host = {"inventory_hostname": "eu", "eks_checkpoint_read": {"skip_steps": {"control_plane": {"version": "1.31"}}}}
    assert nodegroups_request(host)["wait_poll_history"] == []


@pytest.mark.parametrize("host", [
    {},  # no checkpoint read: preflight blocked it, or it failed before
    {"eks_checkpoint_read": {"skipped": True}},
    READ,  # the control-plane step did not finish (its task failed: no control_plane_result)
    dict(UPGRADED, eks_claim_renewal={"failed": True, "msg": "taken over"}),
    dict(UPGRADED, eks_checkpoint_read={"skip_steps": {"control_plane": {}, "nodegroups": {}}}),
], ids=["not-read", "blocked", "control-plane-failed", "claim-lost", "finished"])
def test_a_host_whose_node_groups_the_wave_must_not_update_gets_none(host):
    assert nodegroups_request(dict(host, inventory_hostname="eu")) is None


def test_both_filters_refuse_anything_but_a_host_s_variables():
    with pytest.raises(AnsibleFilterError, match="nodegroups_request takes one host's variables"):
        nodegroups_request(["eu"])


def test_the_read_after_the_upgrade_judges_for_the_target_in_check_mode_only():
    host = dict(UPGRADED, inventory_hostname="eu", eks_cluster_name="prod-eu", eks_target_version=1.3,
                eks_aws_region="eu-west-1")
    assert skew_request(host) == {"name": "eu", "cluster_name": "prod-eu", "region": "eu-west-1"}
    assert skew_request(host, True)["target_version"] == "1.3"


@pytest.mark.parametrize("host", [
    {},
    READ,
    dict(UPGRADED, eks_claim_renewal={"failed": True}),
    dict(UPGRADED, eks_self_managed_nodes="yes"),  # the role moves them before its own read
], ids=["not-read", "control-plane-failed", "claim-lost", "self-managed-first"])
def test_a_host_the_wave_must_not_read_gets_none(host):
    assert skew_request(dict(host, inventory_hostname="eu")) is None


# --- wave_entries: the hosts at a role's run_once wave task -------------------------------------------------------

SKIPPED = {"changed": False, "skipped": True, "skip_reason": "Conditional result was False"}
PREPARED = {"eks_addon_update": {"cluster_name": "prod-eu", "version": "default"},
            "eks_workload_image": {"cluster_name": "prod-eu", "kind": "Deployment", "workload": "cluster-autoscaler"}}


def at_the_wave(**extra):
    return dict({"__post_upgrade_wave_entries": PREPARED}, **extra)


def test_a_host_at_the_task_gets_its_prepared_options_its_name_and_its_connection():
    hostvars = {"eu": at_the_wave(eks_aws_region="eu-west-1", eks_kubeconfig="/k/eu.yaml", eks_kube_context="eu"),
                "us": at_the_wave()}
    assert wave_entries(["eu", "us"], hostvars, "eks_workload_image") == [
        dict(PREPARED["eks_workload_image"], name="eu", region="eu-west-1", kubeconfig="/k/eu.yaml", context="eu"),
        dict(PREPARED["eks_workload_image"], name="us")]


def test_an_add_on_entry_gets_the_region_alone_as_its_module_takes_no_kubernetes_option():
    hostvars = {"eu": at_the_wave(eks_aws_region="eu-west-1", eks_kubeconfig="/k/eu.yaml", eks_kube_retry_timeout=9)}
    assert wave_entries(["eu"], hostvars, "eks_addon_update") == [
        dict(PREPARED["eks_addon_update"], name="eu", region="eu-west-1")]


@pytest.mark.parametrize("host", [
    # Failed in its block (before the wave, or at a step of its own since it prepared its entries): waiting for
    # its rescue, which ansible-core marks with ansible_failed_result.
    at_the_wave(ansible_failed_result={"failed": True, "msg": "templating error"}),
    at_the_wave(__post_upgrade_wave_entries={}),  # the step is off for it, or an earlier run finished it
    {},  # the role ran without post_upgrade_wave_steps, or not at all (blocked by preflight)
    at_the_wave(__post_upgrade_wave_entries={"eks_addon_update": "not options"}),
], ids=["failed-in-its-block", "step-off", "not-prepared", "not-options"])
def test_a_host_not_at_the_task_or_without_the_step_gets_no_entry(host):
    assert wave_entries(["eu", "us"], {"eu": host, "us": at_the_wave()}, "eks_addon_update") == [
        dict(PREPARED["eks_addon_update"], name="us")]


def test_inputs_come_from_a_later_result_and_a_null_one_means_no_entry():
    found = {"changed": False, "found": True, "tag": "v1.31.2"}
    hostvars = {"found": at_the_wave(__release=found), "none": at_the_wave(__release=dict(found, tag=None)),
                "skipped": at_the_wave(__release=SKIPPED), "absent": at_the_wave()}
    entries = wave_entries(["found", "none", "skipped", "absent"], hostvars, "eks_workload_image",
                           inputs={"tag": ["__release", "tag"]})
    assert entries == [dict(PREPARED["eks_workload_image"], name="found", tag="v1.31.2")]


def test_wave_entries_refuses_anything_but_a_list_of_host_names():
    with pytest.raises(AnsibleFilterError, match="ansible_play_batch"):
        wave_entries("eu", {}, "eks_addon_update")
