"""Unit tests of the emulated cluster's store, selectors and patches (no HTTP)."""
from __future__ import annotations

import pytest
from kube_fixtures import (
    COREDNS_IMAGE,
    NODEGROUP_LABEL,
    configmap,
    deployment,
    node,
    seed_eks_defaults,
)

from eksworld.kube_patch import json_patch, merge_patch, strategic_merge_patch
from eksworld.kube_select import FieldSelector, LabelSelector
from eksworld.kube_status import KubeError
from eksworld.kube_store import WATCH_HISTORY, ClusterStore

V124 = "v1.24.17-eks-5e0fdde"


@pytest.fixture
def kube_store() -> ClusterStore:
    store = ClusterStore("alpha", V124, "token")
    seed_eks_defaults(store)
    return store


# ------------------------------------------------------------------ selectors

@pytest.mark.parametrize(("selector", "expected"), [
    ("", True),
    ("app=web", True),
    ("app==web", True),
    ("app!=web", False),
    ("app!=db", True),
    ("tier in (front, back)", True),
    ("tier notin (front)", False),
    ("missing notin (x)", True),
    ("tier", True),
    ("!tier", False),
    ("!missing", True),
    ("app=web,tier in (front),!missing", True),
    ("app=web,tier=back", False),
])
def test_label_selector_operators(selector: str, expected: bool) -> None:
    assert LabelSelector.parse(selector).matches({"app": "web", "tier": "front"}) is expected


def test_label_selector_from_mapping_and_invalid_text() -> None:
    assert LabelSelector.parse({NODEGROUP_LABEL: "ng-1"}).matches({NODEGROUP_LABEL: "ng-1"})
    assert not LabelSelector.parse({NODEGROUP_LABEL: "ng-1"}).matches({})
    with pytest.raises(KubeError) as error:
        LabelSelector.parse("a in b")
    assert error.value.code == 400


def test_field_selector() -> None:
    obj = {"metadata": {"name": "coredns", "namespace": "kube-system"}, "spec": {"nodeName": "n1"}}
    assert FieldSelector.parse("metadata.name=coredns,metadata.namespace==kube-system").matches(obj)
    assert not FieldSelector.parse("metadata.name!=coredns").matches(obj)
    assert FieldSelector.parse("spec.nodeName=n1").matches(obj)


# ------------------------------------------------------------------ patches

def test_merge_patch_merges_maps_replaces_lists_and_deletes_nulls() -> None:
    target = {"a": {"b": 1, "c": 2}, "l": [1, 2], "d": 1}
    assert merge_patch(target, {"a": {"b": 9}, "l": [3], "d": None}) == {"a": {"b": 9, "c": 2}, "l": [3]}
    assert target == {"a": {"b": 1, "c": 2}, "l": [1, 2], "d": 1}  # input untouched


def test_json_patch_operations() -> None:
    doc = {"spec": {"containers": [{"name": "a", "image": "a:1"}]}, "metadata": {"labels": {"x/y": "1"}}}
    result = json_patch(doc, [
        {"op": "test", "path": "/spec/containers/0/name", "value": "a"},
        {"op": "replace", "path": "/spec/containers/0/image", "value": "a:2"},
        {"op": "add", "path": "/spec/containers/-", "value": {"name": "b"}},
        {"op": "copy", "from": "/spec/containers/1", "path": "/spec/sidecar"},
        {"op": "move", "from": "/spec/sidecar", "path": "/spec/moved"},
        {"op": "remove", "path": "/metadata/labels/x~1y"},
    ])
    assert result == {"spec": {"containers": [{"name": "a", "image": "a:2"}, {"name": "b"}], "moved": {"name": "b"}},
                      "metadata": {"labels": {}}}
    with pytest.raises(KubeError) as error:
        json_patch(doc, [{"op": "test", "path": "/spec/containers/0/name", "value": "zzz"}])
    assert error.value.code == 422
    with pytest.raises(KubeError):
        json_patch(doc, [{"op": "remove", "path": "/nope"}])


def test_strategic_merge_patch_merges_containers_volumes_env_by_name() -> None:
    original = deployment("kube-system", "coredns", "coredns:1")
    original["spec"]["template"]["spec"]["containers"].append({"name": "sidecar", "image": "side:1"})
    original["spec"]["template"]["spec"]["tolerations"] = [{"key": "a"}, {"key": "b"}]
    patched = strategic_merge_patch(original, {"spec": {"template": {"spec": {
        "containers": [{"name": "coredns", "image": "coredns:2", "env": [{"name": "NEW", "value": "1"}]}],
        "volumes": [{"name": "extra", "emptyDir": {}}],
        "tolerations": [{"key": "c"}],
    }}}})
    pod = patched["spec"]["template"]["spec"]
    assert [(c["name"], c["image"]) for c in pod["containers"]] == [("coredns", "coredns:2"), ("sidecar", "side:1")]
    assert [e["name"] for e in pod["containers"][0]["env"]] == ["LOG_LEVEL", "NEW"]
    assert [v["name"] for v in pod["volumes"]] == ["config", "extra"]
    assert pod["tolerations"] == [{"key": "c"}]  # no merge key: replaced


def test_strategic_merge_patch_directives() -> None:
    original = {"metadata": {"finalizers": ["a", "b"]},
                "spec": {"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}],
                         "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}}
    patched = strategic_merge_patch(original, {
        "metadata": {"finalizers": ["c"], "$deleteFromPrimitiveList/finalizers": ["a"]},
        "spec": {"$setElementOrder/containers": [{"name": "c"}, {"name": "a"}],
                 "containers": [{"name": "b", "$patch": "delete"}],
                 "strategy": {"$retainKeys": ["type"], "type": "Recreate"}},
    })
    assert patched["metadata"]["finalizers"] == ["b", "c"]
    assert [c["name"] for c in patched["spec"]["containers"]] == ["c", "a"]
    assert patched["spec"]["strategy"] == {"type": "Recreate"}
    assert strategic_merge_patch(original, {"spec": {"$patch": "replace", "x": 1}})["spec"] == {"x": 1}


# ------------------------------------------------------------------ store

def test_create_sets_metadata_and_refuses_duplicates(kube_store: ClusterStore) -> None:
    created = kube_store.create(configmap("default", "settings", {"a": "1"}))
    metadata = created["metadata"]
    assert metadata["uid"] and metadata["creationTimestamp"].endswith("Z")
    assert int(metadata["resourceVersion"]) > 0
    assert "generation" not in metadata  # ConfigMaps have none; workloads do
    assert kube_store.get("apps/v1", "Deployment", "kube-system", "coredns")["metadata"]["generation"] == 1
    with pytest.raises(KubeError) as error:
        kube_store.create(configmap("default", "settings", {}))
    assert (error.value.code, error.value.reason) == (409, "AlreadyExists")
    with pytest.raises(KubeError) as error:
        kube_store.create(configmap("nowhere", "settings", {}))
    assert error.value.message == 'namespaces "nowhere" not found'


def test_get_returns_none_when_absent_and_copies(kube_store: ClusterStore) -> None:
    assert kube_store.get("v1", "ConfigMap", "default", "absent") is None
    copy = kube_store.get("v1", "ConfigMap", "kube-system", "coredns")
    copy["data"]["Corefile"] = "changed"
    assert kube_store.get("v1", "ConfigMap", "kube-system", "coredns")["data"]["Corefile"] != "changed"


def test_replace_checks_resource_version_and_noop_keeps_it(kube_store: ClusterStore) -> None:
    current = kube_store.get("v1", "ConfigMap", "kube-system", "coredns")
    assert kube_store.replace(current)["metadata"]["resourceVersion"] == current["metadata"]["resourceVersion"]
    current["data"]["extra"] = "1"
    updated = kube_store.replace(current)
    assert int(updated["metadata"]["resourceVersion"]) > int(current["metadata"]["resourceVersion"])
    with pytest.raises(KubeError) as error:
        kube_store.replace(current)  # stale resourceVersion
    assert error.value.code == 409
    assert "the object has been modified" in error.value.message


def test_spec_change_bumps_generation_and_completes_rollout(kube_store: ClusterStore) -> None:
    patched = kube_store.patch("apps/v1", "Deployment", "kube-system", "coredns", {"spec": {"replicas": 3}})
    assert patched["metadata"]["generation"] == 2
    assert patched["status"]["observedGeneration"] == 2
    assert patched["status"]["updatedReplicas"] == patched["status"]["availableReplicas"] == 3
    labelled = kube_store.patch("apps/v1", "Deployment", "kube-system", "coredns",
                                {"metadata": {"labels": {"x": "y"}}}, patch_type="merge")
    assert labelled["metadata"]["generation"] == 2  # metadata changes are not spec changes


def test_status_subresource_is_separate_from_spec(kube_store: ClusterStore) -> None:
    stuck = kube_store.patch("apps/v1", "Deployment", "kube-system", "coredns",
                             {"status": {"updatedReplicas": 1}, "spec": {"replicas": 9}},
                             patch_type="merge", subresource="status")
    assert stuck["status"]["updatedReplicas"] == 1 and stuck["spec"]["replicas"] == 2
    ignored = kube_store.patch("apps/v1", "Deployment", "kube-system", "coredns",
                               {"status": {"updatedReplicas": 7}}, patch_type="merge")
    assert ignored["status"]["updatedReplicas"] == 1  # the main resource cannot change status


def test_daemonset_status_follows_nodes_but_not_fargate(kube_store: ClusterStore) -> None:
    def desired() -> int:
        return kube_store.get("apps/v1", "DaemonSet", "kube-system", "kube-proxy")["status"]["desiredNumberScheduled"]

    assert desired() == 0
    kube_store.create(node("n1", V124, {NODEGROUP_LABEL: "ng-1"}))
    kube_store.create(node("n2", V124, {NODEGROUP_LABEL: "ng-1"}))
    kube_store.create(node("fargate-web", V124, {"eks.amazonaws.com/compute-type": "fargate"}))
    assert desired() == 2
    kube_store.delete("v1", "Node", None, "n2")
    assert desired() == 1


def test_set_kubelet_versions_updates_matching_nodes(kube_store: ClusterStore) -> None:
    kube_store.create(node("n1", V124, {NODEGROUP_LABEL: "ng-1"}))
    kube_store.create(node("n2", V124, {NODEGROUP_LABEL: "ng-2"}))
    assert kube_store.set_kubelet_versions({NODEGROUP_LABEL: "ng-1"}, "v1.25.16-eks-abc") == 1
    infos = {n["metadata"]["name"]: n["status"]["nodeInfo"] for n in kube_store.list("v1", "Node")}
    assert infos["n1"]["kubeletVersion"] == infos["n1"]["kubeProxyVersion"] == "v1.25.16-eks-abc"
    assert infos["n2"]["kubeletVersion"] == V124


def test_namespace_delete_cascades(kube_store: ClusterStore) -> None:
    kube_store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    kube_store.create(configmap("team", "c", {}))
    kube_store.delete("v1", "Namespace", None, "team")
    assert kube_store.list("v1", "ConfigMap", "team") == []


def test_psp_is_served_below_1_25_only(kube_store: ClusterStore) -> None:
    assert kube_store.get("policy/v1beta1", "PodSecurityPolicy", None, "eks.privileged")
    kube_store.set_version("v1.25.16-eks-abc")
    assert kube_store.minor == 25
    assert kube_store.find_type("policy", "v1beta1", "podsecuritypolicies") is None
    with pytest.raises(KubeError) as error:
        kube_store.get("policy/v1beta1", "PodSecurityPolicy", None, "eks.privileged")
    assert error.value.code == 404
    with pytest.raises(ValueError):
        kube_store.set_version("1.25")


def test_version_info_is_complete(kube_store: ClusterStore) -> None:
    info = kube_store.version_info()
    assert (info["major"], info["minor"], info["gitVersion"]) == ("1", "24", V124)
    assert set(info) >= {"gitCommit", "gitTreeState", "buildDate", "goVersion", "compiler", "platform"}


def test_watch_replays_changes_and_expires_old_versions(kube_store: ClusterStore) -> None:
    cm_type = kube_store.type_for("v1", "ConfigMap")
    start = kube_store.list("v1", "ConfigMap", "kube-system")[0]["metadata"]["resourceVersion"]
    kube_store.create(configmap("kube-system", "new", {}))
    kube_store.patch("v1", "ConfigMap", "kube-system", "new", {"data": {"a": "1"}})
    kube_store.delete("v1", "ConfigMap", "kube-system", "new")
    kube_store.create(configmap("default", "elsewhere", {}))
    events = list(kube_store.api_watch(cm_type, "kube-system", None, None, start, timeout_s=0))
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "new"), ("MODIFIED", "new"), ("DELETED", "new")]

    initial = list(kube_store.api_watch(cm_type, "kube-system", None, "metadata.name=coredns", None,
                                        timeout_s=0, send_initial_events=True))
    assert [e["type"] for e in initial] == ["ADDED", "BOOKMARK"]
    assert initial[1]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}

    for index in range(WATCH_HISTORY + 1):
        kube_store.patch("v1", "ConfigMap", "default", "elsewhere", {"data": {"i": str(index)}})
    expired = list(kube_store.api_watch(cm_type, None, None, None, start, timeout_s=0))
    assert expired[0]["type"] == "ERROR" and expired[0]["object"]["code"] == 410


def test_custom_resource_registration(kube_store: ClusterStore) -> None:
    kube_store.register_resource("karpenter.sh", "v1", "NodePool", "nodepools", namespaced=False)
    created = kube_store.create({"apiVersion": "karpenter.sh/v1", "kind": "NodePool",
                                 "metadata": {"name": "default"}, "spec": {"limits": {"cpu": "100"}}})
    assert created["metadata"]["generation"] == 1
    with pytest.raises(KubeError) as error:
        kube_store.patch("karpenter.sh/v1", "NodePool", None, "default", {"spec": {}}, patch_type="strategic")
    assert error.value.code == 415
    assert kube_store.list("apps/v1", "Deployment", "kube-system", "k8s-app=kube-dns")[0]["spec"][
        "template"]["spec"]["containers"][0]["image"] == COREDNS_IMAGE
