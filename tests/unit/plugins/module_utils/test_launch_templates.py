# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Launch template versions of node groups (plugins/module_utils/launch_templates.py), and node kinds (gather)."""
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.lifecycle.eks.plugins.module_utils import launch_templates as lt
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.gather import classify_node, skew_input
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import KubeMinor

V130 = KubeMinor(1, 30)


def group(name, version="1.29", custom=False, template=None, release="ami-0abc"):
    return {"name": name, "version": version, "custom_ami": custom, "launch_template": template,
            "release_version": release if custom else "%s.15-20251103" % version, "status": "ACTIVE"}


CUSTOM = group("custom", custom=True, template={"name": "custom-nodes", "id": "lt-0abc", "version": "1"})
TUNED = group("tuned", template={"name": "tuned-nodes", "version": "3"})
PLAIN = group("general")


# --- parse ------------------------------------------------------------------------------------------

def test_parse_accepts_both_forms():
    entries = lt.parse({"custom": {"version": "7", "kubernetes_version": "1.30"}, "tuned": 4, "other": "12"})
    assert entries == {"custom": lt.Entry("custom", "7", V130), "tuned": lt.Entry("tuned", "4", None),
                       "other": lt.Entry("other", "12", None)}
    assert lt.parse(None) == {} and lt.parse({}) == {}


@pytest.mark.parametrize("value, message", [
    ("custom=7", "launch_templates must be a mapping of node group name to launch template version"),
    ({"custom": "$Latest"}, "launch_templates.custom.version must be a launch template version number such as '7'; "
                            "got '$Latest' ($Latest and $Default are not accepted"),
    ({"custom": "$Default"}, "got '$Default'"),
    ({"custom": "07"}, "got '07'"),
    ({"custom": 0}, "got 0"),
    ({"custom": -3}, "got -3"),
    ({"custom": True}, "got True"),
    ({"custom": 7.0}, "got 7.0"),
    ({"custom": ["7"]}, "got ['7']"),
    ({"custom": {}}, "launch_templates.custom needs a version"),
    ({"custom": None}, "launch_templates.custom needs a version"),
    ({"custom": {"version": "7", "template": "x"}}, "launch_templates.custom: unknown key(s) template"),
    ({"custom": {"version": "7", "kubernetes_version": "v1.30"}},
     "launch_templates.custom.kubernetes_version: target version 'v1.30' is not in EKS's MAJOR.MINOR form"),
    ({"custom": {"version": "7", "kubernetes_version": 1.3}},
     "launch_templates.custom.kubernetes_version: target version 1.3 does not exist on EKS"),
])
def test_parse_refuses_malformed_entries_saying_what_to_write(value, message):
    with pytest.raises(ModuleError) as error:
        lt.parse(value)
    assert message in error.value.message


def test_parse_names_the_option():
    with pytest.raises(ModuleError) as error:
        lt.parse({"ng": "x"}, "nodegroup_launch_templates")
    assert error.value.message.startswith("nodegroup_launch_templates.ng.version must be")


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=12), st.integers(1, 10**6), max_size=5))
def test_parse_round_trips_any_version_number(value):
    entries = lt.parse(value)
    assert {name: entry.version for name, entry in entries.items()} == {k: str(v) for k, v in value.items()}
    assert all(entry.kubernetes_version is None for entry in entries.values())


# --- entries against the cluster's node groups ---------------------------------------------------------

def test_entry_applies_to_its_minor_or_the_target():
    pinned, loose = lt.Entry("a", "2", V130), lt.Entry("b", "3", None)
    assert pinned.applies_to(V130, KubeMinor(1, 31)) and not pinned.applies_to(KubeMinor(1, 31), KubeMinor(1, 31))
    assert loose.applies_to(V130, V130) and not loose.applies_to(KubeMinor(1, 29), V130)
    assert (pinned.minor(KubeMinor(1, 31)), loose.minor(V130)) == (V130, V130)


def test_check_nodegroups():
    entries = lt.parse({"custom": "2", "tuned": "4", "ghost": "1"})
    warnings = lt.check_nodegroups(entries, [CUSTOM, TUNED, PLAIN], "prod")
    assert warnings == ["launch_templates names node group(s) ghost that cluster prod does not have (its node "
                        "groups: custom, general, tuned); ignored."]
    assert lt.check_nodegroups(entries, [CUSTOM, TUNED], "prod", every_group=False) == []
    with pytest.raises(ModuleError) as error:
        lt.check_nodegroups(lt.parse({"general": "2", "custom": "2"}), [CUSTOM, PLAIN], "prod", "opt")
    assert error.value.message == ("opt gives launch template versions for node group(s) general of cluster prod, "
                                   "created without a launch template; EKS can't add one to an existing node group. "
                                   "Remove them from opt.")


def test_payload_names_the_template_by_id_else_name():
    assert lt.payload(CUSTOM, lt.Entry("custom", "2", None)) == {"id": "lt-0abc", "version": "2"}
    assert lt.payload(TUNED, lt.Entry("tuned", "4", None)) == {"name": "tuned-nodes", "version": "4"}


@pytest.mark.parametrize("template, label", [
    ({"name": "n", "id": "lt-1"}, "n (lt-1)"), ({"id": "lt-1"}, "lt-1"), ({"name": "n"}, "n"), (None, "(unknown)")])
def test_template_label(template, label):
    assert lt.template_label(template) == label


@pytest.mark.parametrize("entry, why", [
    (None, "no launch template version is given for it"),
    (lt.Entry("custom", "1", None), "launch template version 1, given for it, is the one it already uses"),
    (lt.Entry("custom", "5", KubeMinor(1, 31)), "launch template version 5, given for it, is for Kubernetes 1.31 "
                                                "(kubernetes_version)"),
])
def test_needs_launch_template(entry, why):
    needs = lt.needs_launch_template(CUSTOM, V130, entry)
    assert needs["name"] == "custom" and needs["kubernetes_version"] == "1.30" and needs["version"] == "1.29"
    assert needs["launch_template"] == {"id": "lt-0abc", "name": "custom-nodes", "version": "1"}
    assert needs["ami"] == "ami-0abc"
    assert needs["reason"] == ("custom AMI: node group custom (1.29) reaches 1.30 only with a launch template version "
                               "whose AMI is built for 1.30, and " + why)
    assert needs["remediation"] == (
        "Create a version of launch template custom-nodes (lt-0abc) whose AMI is built for Kubernetes 1.30 (for "
        "example the EKS optimized AMI of SSM parameter "
        "/aws/service/eks/optimized-ami/1.30/amazon-linux-2023/x86_64/standard/recommended/image_id, or your own AMI "
        "built for 1.30), then set launch_templates: {custom: {version: 'NEW_VERSION'}} and run again.")


def test_with_launch_templates_marks_custom_groups_only():
    facts = {"cluster": {"version": "1.29"}, "nodegroups": [CUSTOM, TUNED, PLAIN], "nodes": []}
    base = skew_input(facts)
    entries = lt.parse({"custom": "2", "tuned": "4"})
    marked = lt.with_launch_templates(base, entries, V130)
    assert [g.get("launch_template_minor") for g in marked["nodegroups"]] == ["1.30", None, None]
    pinned = lt.with_launch_templates(base, lt.parse({"custom": {"version": "2", "kubernetes_version": "1.31"}}), V130)
    assert pinned["nodegroups"][0]["launch_template_minor"] == "1.31"
    assert lt.with_launch_templates(base, entries, None) == base   # no target: nothing to plan
    assert "launch_template_minor" not in base["nodegroups"][0]    # the input is left alone


# --- check_versions_exist ----------------------------------------------------------------------------

class FakeClients:
    """describe_launch_template_versions answering from a table of templates and their versions."""

    def __init__(self, templates, error_code="InvalidLaunchTemplateId.VersionNotFound"):
        self.templates = templates
        self.error_code = error_code
        self.calls = []

    def describe_launch_template_versions(self, template, versions):
        self.calls.append((dict(template), list(versions)))
        key = template.get("id") or template.get("name")
        found = self.templates.get(key, {})
        if versions[0] not in found:
            raise ModuleError("Failed to describe version %s of launch template %s: %s: Could not find the specified "
                              "version" % (versions[0], key, self.error_code), {"error_code": self.error_code})
        return [{"VersionNumber": int(versions[0]), "LaunchTemplateData": found[versions[0]]}]


def test_check_versions_exist_returns_the_amis():
    clients = FakeClients({"lt-0abc": {"2": {"ImageId": "ami-0new"}}, "tuned-nodes": {"4": {}}})
    images = lt.check_versions_exist(clients, "prod", [(CUSTOM, lt.Entry("custom", "2", None)),
                                                       (TUNED, lt.Entry("tuned", "4", None))])
    assert images == {"custom": "ami-0new", "tuned": None}
    assert clients.calls == [({"name": "custom-nodes", "id": "lt-0abc", "version": "1"}, ["2"]),
                             ({"name": "tuned-nodes", "version": "3"}, ["4"])]
    assert lt.check_versions_exist(clients, "prod", []) == {}


@pytest.mark.parametrize("code", sorted(lt.NOT_FOUND_CODES))
def test_check_versions_exist_names_what_is_missing(code):
    with pytest.raises(ModuleError) as error:
        lt.check_versions_exist(FakeClients({}, code), "prod", [(CUSTOM, lt.Entry("custom", "9", None))], "opt")
    assert error.value.message.startswith("Launch template version 9 of custom-nodes (lt-0abc), given in opt for node "
                                          "group custom of cluster prod, does not exist (Failed to describe")
    assert error.value.error_code == code


def test_check_versions_exist_passes_other_errors_on():
    with pytest.raises(ModuleError) as error:
        lt.check_versions_exist(FakeClients({}, "UnauthorizedOperation"), "prod",
                                [(CUSTOM, lt.Entry("custom", "9", None))])
    assert error.value.error_code == "UnauthorizedOperation"
    assert error.value.message.startswith("Failed to describe")


# --- node kinds (gather.classify_node) -------------------------------------------------------------------

def k8s_node(name, labels, annotations=None, kubelet="v1.29.15-eks-abc1234", os_image="Amazon Linux 2023"):
    return SimpleNamespace(metadata=SimpleNamespace(name=name, labels=labels, annotations=annotations),
                           status=SimpleNamespace(node_info=SimpleNamespace(kubelet_version=kubelet, os_image=os_image),
                                                  capacity={}))


@pytest.mark.parametrize("labels, kind", [
    ({"eks.amazonaws.com/compute-type": "fargate"}, "fargate"),
    ({"eks.amazonaws.com/nodegroup": "general"}, "managed"),
    ({"eks.amazonaws.com/compute-type": "auto", "karpenter.sh/nodepool": "general-purpose"}, "auto"),
    ({"karpenter.sh/nodepool": "default"}, "karpenter"),
    ({"eks.amazonaws.com/compute-type": "hybrid"}, "hybrid"),  # EKS Hybrid Nodes (nodeadm)
    ({"alpha.eksctl.io/nodegroup-name": "legacy"}, "self_managed"),
    (None, "self_managed"),
])
def test_classify_node(labels, kind):
    found = classify_node(k8s_node("n1", labels, {"karpenter.sh/do-not-disrupt": "true"}))
    assert (found["kind"], found["minor"], found["do_not_disrupt"]) == (kind, "1.29", True)
    assert found["nodepool"] == (labels or {}).get("karpenter.sh/nodepool")
    assert classify_node(k8s_node("n2", labels))["do_not_disrupt"] is False


def test_classify_node_keeps_the_os_image():
    """The al2-node-groups check tells self-managed Amazon Linux 2 nodes by it (status.nodeInfo.osImage)."""
    assert classify_node(k8s_node("s1", {}, os_image="Amazon Linux 2"))["os_image"] == "Amazon Linux 2"


def test_skew_input_holds_karpenter_nodes_apart():
    facts = {"cluster": {"version": "1.29"}, "nodegroups": [], "nodes": [
        classify_node(k8s_node("k1", {"karpenter.sh/nodepool": "default"}, kubelet="v1.28.3-eks-1")),
        classify_node(k8s_node("s1", {})),
        classify_node(k8s_node("a1", {"eks.amazonaws.com/compute-type": "auto"})),
        classify_node(k8s_node("mi-1", {"eks.amazonaws.com/compute-type": "hybrid"}, kubelet="v1.27.9-eks-2"))]}
    state = skew_input(facts)
    assert state["karpenter_kubelets"] == [{"name": "k1", "kubelet": "v1.28.3-eks-1"}]
    assert [n["name"] for n in state["self_managed_kubelets"]] == ["s1"]
    assert state["hybrid_kubelets"] == [{"name": "mi-1", "kubelet": "v1.27.9-eks-2"}]
