"""A fleet in two regions, each cluster's region and kubeconfig given only by the inventory (eks_aws_region,
eks_kubeconfig) through module_defaults: the world exports no region and no kubeconfig, as a user's shell need not."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.integration
REGIONS = {"prod-use1": "us-east-1", "prod-euw1": "eu-west-1"}
AUTOSCALER = "registry.k8s.io/autoscaling/cluster-autoscaler"

# The documented pattern (docs/connection.md): one anchor per connection, set for Ansible's group and ours. No task
# names a region or a kubeconfig, but eks_fleet_preflight's clusters entry (its documented way: one per cluster).
CONNECTION_ONLY_FROM_MODULE_DEFAULTS = """
- name: Region and kubeconfig from module_defaults only
  hosts: eks_clusters
  gather_facts: false
  module_defaults:
    group/aws: &aws_connection
      region: "{{ eks_aws_region }}"
    group/lifecycle.eks.aws: *aws_connection
    group/k8s: &k8s_connection
      kubeconfig: "{{ eks_kubeconfig }}"
    group/lifecycle.eks.k8s: *k8s_connection
  tasks:
    - name: Remove the CoreDNS upstream line
      lifecycle.eks.eks_coredns_corefile:
        cluster_name: "{{ eks_cluster_name }}"
      register: corefile

    - name: Move the Cluster Autoscaler to the next patch
      lifecycle.eks.eks_workload_image:
        cluster_name: "{{ eks_cluster_name }}"
        kind: Deployment
        workload: cluster-autoscaler
        tag: v1.29.6
      register: autoscaler

    - name: Preflight the cluster
      lifecycle.eks.eks_fleet_preflight:
        clusters:
          - name: "{{ inventory_hostname }}"
            cluster_name: "{{ eks_cluster_name }}"
            target_version: "{{ eks_target_version }}"
            kubeconfig: "{{ eks_kubeconfig }}"
            skip_checks: [coredns-upstream]
      register: preflight

    - name: Hand the results to the test
      ansible.builtin.copy:
        content: "{{ {'corefile': corefile, 'autoscaler': autoscaler,
                      'preflight': preflight.clusters[inventory_hostname]} | to_json }}"
        dest: "{{ results_dir }}/{{ inventory_hostname }}.json"
        mode: "0600"
"""


def described(world: Any, name: str, region: str) -> dict[str, Any]:
    return world.client("eks", region).describe_cluster(name=name)["cluster"]


def test_upgrade_playbook_upgrades_each_cluster_in_its_own_region(make_world, run_playbook):
    world = make_world("two-regions")
    run = run_playbook(world, {"eks_waves": ["100%"], "eks_fix_coredns_upstream": True})
    assert run.rc == 0, run.output[-3000:]
    assert run.statuses() == {"prod-use1": "upgraded", "prod-euw1": "upgraded"}
    summary = world.summary()
    for name, region in REGIONS.items():
        assert described(world, name, region)["version"] == "1.30"
        assert summary[name]["nodegroups"]["general"]["version"] == "1.30"
        assert summary[name]["kube_version"].startswith("v1.30.")
        # Found in its region only: every update the run sent went to the cluster's own region.
        other = next(r for r in REGIONS.values() if r != region)
        with pytest.raises(ClientError, match="ResourceNotFoundException"):
            described(world, name, other)
    assert "upstream" not in summary["prod-euw1"]["corefile"]


def test_modules_take_region_and_kubeconfig_from_their_action_groups(make_world, run_playbook, tmp_path):
    world = make_world("two-regions")
    playbook = tmp_path / "connection.yml"
    playbook.write_text(CONNECTION_ONLY_FROM_MODULE_DEFAULTS)
    results_dir = tmp_path / "results"
    results_dir.mkdir()
    run = run_playbook(world, {"results_dir": str(results_dir)}, playbook=str(playbook))
    assert run.rc == 0, run.output[-3000:]
    results = {name: json.loads(Path(results_dir / f"{name}.json").read_text()) for name in REGIONS}
    assert results["prod-euw1"]["corefile"]["changed"] is True
    assert results["prod-use1"]["corefile"] == {**results["prod-use1"]["corefile"], "changed": False,
                                                "had_upstream": False}
    summary = world.summary()
    for name in REGIONS:
        assert results[name]["autoscaler"]["after"] == f"{AUTOSCALER}:v1.29.6"
        assert summary[name]["images"]["kube-system/cluster-autoscaler"] == [f"{AUTOSCALER}:v1.29.6"]
        preflight = results[name]["preflight"]
        assert not preflight.get("failed"), preflight.get("msg")  # a cluster it cannot check fails alone
        assert preflight["cluster"]["version"] == "1.29" and preflight["summary"]["blocked"] is False, preflight
    assert "upstream" not in summary["prod-euw1"]["corefile"]
