"""Filters lifecycle.eks.post_upgrade_result, post_upgrade_messages and cluster_autoscaler_result: what the
post_upgrade role publishes of its steps (skipped or not), what it tells people to do, and its Cluster Autoscaler
step's result."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.lifecycle.eks.plugins.filter.post_upgrade_result import (
    FilterModule,
    cluster_autoscaler_result,
    post_upgrade_messages,
    post_upgrade_result,
    post_upgrade_wave_entries,
)

# A registered result of a skipped task, and the role's stand-in for an opt-in step not included (vars/main.yml).
SKIPPED = {"skipped": True, "changed": False, "false_condition": "post_upgrade_addons | bool"}
NOT_INCLUDED = {"skipped": True, "changed": False}
SKEW = {"changed": False, "kube_retries": 1,
        "ansible_facts": {"eks_version_skew": {"node_provisioners": {"messages": ["Karpenter drifts 3 nodes."]}}}}
NODEGROUPS = {"changed": True, "nodegroups": [{"name": "general"}], "updates": [{"id": "u1"}],
              "needs_action": [{"name": "custom"}],
              "needs_launch_template": [{"name": "gpu", "remediation": "Create v8."}],
              "kube_retries": 2}
ADDONS = {"changed": True, "addons": [{"name": "vpc-cni"}], "updates": [{"id": "u2"}], "kube_retries": 100}
STALE = [{"name": "sm-1", "kind": "self_managed"}, {"name": "fargate-1", "kind": "fargate"},
         {"name": "hybrid-1", "kind": "hybrid"}, {"name": "sm-2", "kind": "self_managed"},
         {"name": "managed-1", "kind": "managed"}]


def result(**given):
    arguments = {"nodegroups": SKIPPED, "planned_nodegroups": [], "skew": SKEW, "self_managed": NOT_INCLUDED,
                 "stale_nodes": [], "cluster_autoscaler": NOT_INCLUDED, "nvidia_device_plugin": NOT_INCLUDED,
                 "addons": SKIPPED}
    arguments.update(given)
    return post_upgrade_result("1.31", **arguments)


def test_every_step_skipped_publishes_nothing_done_and_nothing_to_do():
    published = result()
    assert published == {
        "control_plane_version": "1.31", "nodegroups": [], "planned_nodegroups": [], "nodegroup_updates": [],
        "nodegroups_needing_action": [], "nodegroups_needing_launch_template": [],
        "node_provisioners": {"messages": ["Karpenter drifts 3 nodes."]}, "self_managed_nodes": {},
        "self_managed_nodes_to_update": [], "fargate_pods_to_redeploy": [], "hybrid_nodes_to_upgrade": [],
        "cluster_autoscaler": {}, "nvidia_device_plugin": {}, "addons": [], "addon_updates": [], "kube_retries": 1}
    assert post_upgrade_messages(published) == ["Karpenter drifts 3 nodes."]


def test_absent_node_group_and_add_on_results_publish_nothing_either():
    # The playbook passes `| default({})` for the registered results a --start-at-task run may lack.
    assert result(nodegroups={}, addons={}) == result() == result(nodegroups=None, addons=None)


def test_the_steps_that_ran_are_published_with_their_kube_retries_added_up():
    self_managed = {"changed": True, "groups": [{"name": "asg"}], "kube_retries": 4}
    autoscaler = {"changed": True, "found": True, "tag": "v1.31.1", "warnings": [], "kube_retries": 8}
    device_plugin = {"changed": False, "found": True, "kube_retries": 16}
    published = result(nodegroups=NODEGROUPS, planned_nodegroups=[{"name": "general"}], self_managed=self_managed,
                       stale_nodes=STALE, cluster_autoscaler=autoscaler, nvidia_device_plugin=device_plugin,
                       addons=ADDONS)
    assert published == {
        "control_plane_version": "1.31", "nodegroups": [{"name": "general"}],
        "planned_nodegroups": [{"name": "general"}],
        "nodegroup_updates": [{"id": "u1"}], "nodegroups_needing_action": [{"name": "custom"}],
        "nodegroups_needing_launch_template": [{"name": "gpu", "remediation": "Create v8."}],
        "node_provisioners": {"messages": ["Karpenter drifts 3 nodes."]}, "self_managed_nodes": self_managed,
        "self_managed_nodes_to_update": ["sm-1", "sm-2"], "fargate_pods_to_redeploy": ["fargate-1"],
        "hybrid_nodes_to_upgrade": ["hybrid-1"], "cluster_autoscaler": autoscaler,
        "nvidia_device_plugin": device_plugin, "addons": [{"name": "vpc-cni"}], "addon_updates": [{"id": "u2"}],
        # Not the add-on step's: eks_addon_update calls AWS only.
        "kube_retries": 1 + 2 + 4 + 8 + 16}


def test_a_skipped_test_needs_a_dict():
    with pytest.raises(AnsibleFilterError, match="expects a dictionary"):
        result(self_managed="skipped")


def test_nothing_remains():
    nothing = dict(result(), node_provisioners={"messages": []})
    assert post_upgrade_messages(nothing) == []


def test_each_message_in_order():
    warnings = [{"message": "No release for 1.31.", "remediation": "Set eks_cluster_autoscaler_versions."},
                {"message": "The shipped table answered.", "remediation": "Check the registry."}]
    published = result(nodegroups=NODEGROUPS, stale_nodes=STALE, cluster_autoscaler={"warnings": warnings})
    assert post_upgrade_messages(published) == [
        "No release for 1.31.", "The shipped table answered.",
        "Set eks_cluster_autoscaler_versions.", "Check the registry.",
        "Create v8.", "launch_templates is set by eks_nodegroup_launch_templates in the inventory.",
        "Karpenter drifts 3 nodes.",
        "Self-managed nodes below 1.31: sm-1, sm-2 (replace them with nodes on 1.31, see 'Self-managed node "
        "updates').",
        "Hybrid nodes below 1.31: hybrid-1 (on each, one at a time, after kubectl drain, as root: nodeadm upgrade 1.31 "
        "--config-source file://nodeConfig.yaml; lifecycle.eks runs nothing on them).",
        "Fargate pods to redeploy (their kubelet stays old until then): fargate-1"]


@pytest.mark.parametrize("kind, starts", [
    ("self_managed", "Self-managed nodes below 1.30: a, b ("), ("hybrid", "Hybrid nodes below 1.30: a, b ("),
    ("fargate", "Fargate pods to redeploy (their kubelet stays old until then): a, b"),
])
def test_one_line_per_kind_of_node_left_behind(kind, starts):
    published = dict(result(stale_nodes=[{"name": "a", "kind": kind}, {"name": "b", "kind": kind}]),
                     control_plane_version="1.30", node_provisioners={"messages": []})
    [message] = post_upgrade_messages(published)
    assert message.startswith(starts)


def test_the_fargate_line_follows_the_pods_the_redeploy_step_left():
    # fargate.yml replaces fargate_pods_to_redeploy with those left after its restarts.
    published = dict(result(stale_nodes=STALE), fargate_pods_to_redeploy=[], node_provisioners={"messages": []})
    assert [message.split(" ", 1)[0] for message in post_upgrade_messages(published)] == ["Self-managed", "Hybrid"]


RELEASE = {"changed": False, "found": True, "tag": "v1.31.1", "source": "registry", "repository": "registry.k8s.io/as",
           "kubernetes_version": "1.31", "warnings_found": [], "image": "registry.k8s.io/as:v1.30.0", "kube_retries": 2}
IMAGE = {"changed": True, "before": "registry.k8s.io/as:v1.30.0", "after": "registry.k8s.io/as:v1.31.1",
         "kube_retries": 3}


def test_the_autoscaler_step_skipped_when_the_lookup_was():
    assert cluster_autoscaler_result(SKIPPED, SKIPPED) == {"skipped": True, "changed": False}


def test_the_autoscaler_image_set_with_the_release_found():
    assert cluster_autoscaler_result(RELEASE, IMAGE) == dict(
        IMAGE, tag="v1.31.1", source="registry", repository="registry.k8s.io/as", kubernetes_version="1.31",
        warnings=[], kube_retries=5)
    assert list(cluster_autoscaler_result(RELEASE, IMAGE))[:3] == ["changed", "before", "after"]


def test_the_autoscaler_image_left_as_read_when_no_tag_was_found():
    warnings = [{"message": "No release", "remediation": "Set it"}]
    release = {"changed": False, "found": False, "tag": None, "kubernetes_version": "1.31", "warnings_found": warnings}
    assert cluster_autoscaler_result(release, SKIPPED) == {
        "changed": False, "found": False, "before": None, "after": None, "tag": None, "source": None,
        "repository": None, "kubernetes_version": "1.31", "warnings": warnings, "kube_retries": 0}
    found = cluster_autoscaler_result(RELEASE, SKIPPED)
    assert (found["before"], found["after"], found["kube_retries"]) == (RELEASE["image"], RELEASE["image"], 2)


def test_the_filters_are_exported():
    assert FilterModule().filters() == {"post_upgrade_result": post_upgrade_result,
                                        "post_upgrade_messages": post_upgrade_messages,
                                        "cluster_autoscaler_result": cluster_autoscaler_result,
                                        "post_upgrade_wave_entries": post_upgrade_wave_entries}


AUTOSCALER = {"enabled": True, "versions": {}, "registry": "", "registry_ca_path": "", "registry_validate_certs": True,
              "registry_timeout": 10}
ADDON_SETTINGS = {"enabled": True, "version": "default", "resolve_conflicts": "PRESERVE", "wait_timeout": 5400,
                  "wait_delay": 5.0, "wait_max_delay": 30.0, "wait_poll_history": [1.0], "addon_catalog": {}}
RELEASE_OPTIONS = {
    "cluster_name": "prod", "kubernetes_version": "1.31",
    "release_option_name": "eks_cluster_autoscaler_versions['1.31'] (post_upgrade_cluster_autoscaler_versions)",
    "registry_validate_certs": True, "registry_timeout": 10}
IMAGE_OPTIONS = {"cluster_name": "prod", "kind": "Deployment", "namespace": "kube-system",
                 "workload": "cluster-autoscaler"}
ADDON_OPTIONS = {"cluster_name": "prod", "version": "default", "resolve_conflicts": "PRESERVE", "wait_timeout": 5400,
                 "wait_delay": 5.0, "wait_max_delay": 30.0, "wait_poll_history": [1.0]}


def entries(check_mode=False, skip_steps=(), autoscaler=None, addons=None, checkpoint=None):
    return post_upgrade_wave_entries("1.31", "prod", check_mode, list(skip_steps), dict(AUTOSCALER, **autoscaler or {}),
                                     dict(ADDON_SETTINGS, **addons or {}), checkpoint=checkpoint)


def test_each_step_gets_the_options_its_own_task_sends_and_no_more():
    assert entries() == {"eks_cluster_autoscaler_release": RELEASE_OPTIONS, "eks_workload_image": IMAGE_OPTIONS,
                         "eks_addon_update": ADDON_OPTIONS}


def test_a_step_that_is_off_or_finished_has_no_entry():
    assert set(entries(autoscaler={"enabled": False})) == {"eks_addon_update"}
    # Role variables from the inventory may be strings; the roles' argument specs let these through as booleans.
    assert set(entries(autoscaler={"enabled": "no"}, addons={"enabled": "yes"})) == {"eks_addon_update"}
    assert set(entries(addons={"enabled": False})) == {"eks_cluster_autoscaler_release", "eks_workload_image"}
    assert set(entries(skip_steps=["cluster_autoscaler"])) == {"eks_addon_update"}
    assert set(entries(skip_steps=["addons", "nodegroups"])) == {"eks_cluster_autoscaler_release", "eks_workload_image"}
    assert entries(autoscaler={"enabled": False}, addons={"enabled": False}) == {}


def test_a_release_pinned_for_the_minor_and_a_mirror_are_sent_only_when_set():
    pinned = entries(autoscaler={"versions": {"1.30": "v1.30.2", "1.31": "v1.31.5"}, "registry": "mirror.example/ca",
                                 "registry_ca_path": "/etc/ca.pem"})
    expected = dict(RELEASE_OPTIONS, release="v1.31.5", registry="mirror.example/ca", registry_ca_path="/etc/ca.pem")
    assert pinned["eks_cluster_autoscaler_release"] == expected
    other_minor = entries(autoscaler={"versions": {"1.30": "v1.30.2"}, "registry": None, "registry_ca_path": None})
    assert other_minor["eks_cluster_autoscaler_release"] == RELEASE_OPTIONS


def test_check_mode_plans_the_add_ons_for_the_minor_and_the_catalog_and_checkpoint_go_when_given():
    planned = entries(check_mode=True, addons={"addon_catalog": {"vpc-cni": {}}}, checkpoint={"cluster": "prod"})
    assert planned["eks_addon_update"] == dict(ADDON_OPTIONS, cluster_version="1.31", addon_catalog={"vpc-cni": {}},
                                               checkpoint={"cluster": "prod"})
