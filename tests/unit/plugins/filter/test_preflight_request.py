"""Filter lifecycle.eks.preflight_request: a host's eks_* variables as its eks_fleet_preflight entry."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.lifecycle.eks.plugins.filter.preflight_request import FilterModule, preflight_request


def test_defaults_match_what_the_playbook_gives_the_preflight_role():
    assert preflight_request({"inventory_hostname": "prod-eu", "eks_target_version": 1.3}) == {
        "name": "prod-eu", "cluster_name": "prod-eu", "target_version": "1.3", "upgrade_nodegroups": True,
        "fix_coredns_upstream": False, "nodegroup_launch_templates": {}, "skip_checks": [], "insights_max_age": "24h",
        "control_plane_hourly_rates": {}, "compatibility_table_max_age": "180d",
        "region": None, "kubeconfig": None, "context": None}


def test_every_variable_is_passed_on():
    host = {"inventory_hostname": "eu", "eks_cluster_name": "prod-eu", "eks_target_version": "1.30",
            "eks_upgrade_nodegroups": False, "eks_fix_coredns_upstream": True,
            "eks_nodegroup_launch_templates": {"gpu": {"version": "7"}}, "eks_preflight_skip": ["kubectl-client"],
            "eks_insights_max_age": "6h", "eks_control_plane_hourly_rates": {"extended": 0.7},
            "eks_compatibility_table_max_age": "30d",
            "eks_aws_region": "eu-west-1", "eks_kubeconfig": "/k/eu.yaml", "eks_kube_context": "eu",
            "eks_kube_retry_timeout": 45}
    assert preflight_request(host) == {
        "name": "eu", "cluster_name": "prod-eu", "target_version": "1.30", "upgrade_nodegroups": False,
        "fix_coredns_upstream": True, "nodegroup_launch_templates": {"gpu": {"version": "7"}},
        "skip_checks": ["kubectl-client"], "insights_max_age": "6h", "control_plane_hourly_rates": {"extended": 0.7},
        "compatibility_table_max_age": "30d",
        "region": "eu-west-1",
        "kubeconfig": "/k/eu.yaml", "context": "eu", "kube_retry_timeout": 45}


def test_an_unset_retry_budget_is_left_out_for_the_module_s_environment_fallback():
    """LIFECYCLE_EKS_KUBE_RETRY_TIMEOUT applies only to an option not given (None given is no fallback)."""
    assert "kube_retry_timeout" not in preflight_request({"inventory_hostname": "eu", "eks_kube_retry_timeout": None})


def test_a_missing_target_is_left_empty_for_the_module_to_fail_that_cluster_alone():
    assert preflight_request({"inventory_hostname": "eu"})["target_version"] == ""


def test_anything_but_a_host_s_variables_is_refused():
    with pytest.raises(AnsibleFilterError, match="hostvars"):
        preflight_request("eu")
    assert FilterModule().filters()["preflight_request"] is preflight_request
