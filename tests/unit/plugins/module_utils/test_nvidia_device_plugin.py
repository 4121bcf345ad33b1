"""The device plugin's release merge (three ways, as kubectl apply), Helm ownership and the plan, on plain data."""
from __future__ import annotations

import copy
import itertools
from typing import Any

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import nvidia_device_plugin as plugin
from ansible_collections.lifecycle.eks.plugins.module_utils import nvidia_device_plugin_manifests as manifests

RELEASES = manifests.releases()
# One release per layout of the static manifest, and the last of each.
LAYOUTS = ["v0.11.0", "v0.12.0", "v0.17.3", "v0.17.4", "v0.18.0", "v0.19.3"]
GPU = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
TEAM = {"key": "team/ml", "operator": "Exists", "effect": "NoSchedule"}


def daemon_set(template: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    return {"metadata": dict({"name": "gpu-plugin", "namespace": "gpu-system"}, **metadata),
            "spec": {"template": template}}


def with_server_defaults(template: dict[str, Any]) -> dict[str, Any]:
    """A template as kube-apiserver returns it: defaults filled in, empty lists left out."""
    served = copy.deepcopy(template)
    spec = served["spec"]
    spec.update(dnsPolicy="ClusterFirst", restartPolicy="Always", schedulerName="default-scheduler",
                securityContext={}, terminationGracePeriodSeconds=30)
    for container in spec["containers"]:
        container.update(imagePullPolicy="IfNotPresent", resources={}, terminationMessagePath="/dev/termination-log",
                         terminationMessagePolicy="File")
        if container.get("env") == []:
            del container["env"]
    for volume in spec.get("volumes", []):
        volume["hostPath"].setdefault("type", "")
    return served


def test_shipped_releases_cover_v0_10_to_v0_19_oldest_first():
    assert RELEASES[0] == "v0.10.0" and RELEASES[-1] == "v0.19.3" and len(RELEASES) == 30
    assert sorted(RELEASES, key=plugin.parse_release) == RELEASES
    assert manifests.pod_template("v0.20.0") is None
    assert manifests.pod_template("v0.17.1")["spec"]["containers"][0]["image"] == \
        "nvcr.io/nvidia/k8s-device-plugin:v0.17.1"
    changed = manifests.pod_template("v0.17.1")
    changed["spec"]["tolerations"].append(TEAM)
    assert TEAM not in manifests.pod_template("v0.17.1")["spec"]["tolerations"]  # each call a copy


@pytest.mark.parametrize("tag, expected", [("v0.17.1", (0, 17, 1)), ("0.17.1", (0, 17, 1)), ("v0.17", None),
                                           ("latest", None), ("v0.17.1-rc.1", None), ("", None), (None, None)])
def test_parse_release(tag, expected):
    assert plugin.parse_release(tag) == expected


@pytest.mark.parametrize("before, after", list(itertools.permutations(LAYOUTS, 2)))
def test_applying_a_release_to_another_gives_exactly_its_manifest(before, after):
    """From the pristine manifest of any release to any other: the other's (an empty env the DaemonSet does not
    have is not written: the API server leaves empty lists out)."""
    merged = plugin.merge_template(manifests.pod_template(before), manifests.pod_template(after),
                                   manifests.pod_template(before))
    expected = manifests.pod_template(after)
    if "env" not in manifests.pod_template(before)["spec"]["containers"][0] \
            and expected["spec"]["containers"][0].get("env") == []:
        del expected["spec"]["containers"][0]["env"]
    assert merged == expected


@pytest.mark.parametrize("release", LAYOUTS)
def test_a_served_template_at_the_release_is_up_to_date(release):
    """Server defaults (imagePullPolicy, hostPath type "", an empty env left out) are no change: idempotent."""
    entry = plugin.plan(daemon_set(with_server_defaults(manifests.pod_template(release))), release)
    assert (entry["action"], entry["changes"]) == ("up_to_date", [])


@pytest.mark.parametrize("before, after", [("v0.14.5", "v0.17.4"), ("v0.11.0", "v0.19.3"), ("v0.17.4", "v0.18.0")])
def test_a_served_template_updated_then_served_again_is_up_to_date(before, after):
    entry = plugin.plan(daemon_set(with_server_defaults(manifests.pod_template(before))), after)
    assert entry["action"] == "update"
    again = plugin.plan(daemon_set(with_server_defaults(entry["template"])), after)
    assert (again["action"], again["changes"]) == ("up_to_date", [])


def test_the_teams_additions_are_kept_and_the_old_manifests_fields_dropped():
    live = manifests.pod_template("v0.11.0")
    live["metadata"]["labels"] = {"app": "gpu-plugin"}
    live["metadata"]["annotations"]["team/owner"] = "ml"
    live["spec"]["tolerations"].append(TEAM)
    live["spec"]["nodeSelector"] = {"gpu": "true"}
    live["spec"]["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {}}}
    container = live["spec"]["containers"][0]
    container["image"] = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/nvidia/k8s-device-plugin:v0.11.0"
    container["resources"] = {"limits": {"memory": "100Mi"}}
    container["env"] = [{"name": "DEVICE_LIST_STRATEGY", "value": "envvar"}]
    container["volumeMounts"].append({"name": "config", "mountPath": "/config"})
    live["spec"]["volumes"].append({"name": "config", "configMap": {"name": "plugin-config"}})
    live["spec"]["containers"].insert(0, {"name": "sidecar", "image": "busybox:1.36"})
    merged = plugin.merge_template(live, manifests.pod_template("v0.17.4"), manifests.pod_template("v0.11.0"))
    assert merged["metadata"] == {"labels": {"app": "gpu-plugin"}, "annotations": {"team/owner": "ml"}}
    spec = merged["spec"]
    assert spec["tolerations"] == [GPU, TEAM]
    assert spec["nodeSelector"] == {"gpu": "true"} and spec["affinity"] == live["spec"]["affinity"]
    assert spec["volumes"] == [{"name": "kubelet-device-plugins-dir",
                                "hostPath": {"path": "/var/lib/kubelet/device-plugins", "type": "Directory"}},
                               {"name": "config", "configMap": {"name": "plugin-config"}}]
    sidecar, container = spec["containers"]
    assert sidecar == {"name": "sidecar", "image": "busybox:1.36"}
    assert container["image"] == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/nvidia/k8s-device-plugin:v0.17.4"
    assert "args" not in container
    assert container["env"] == [{"name": "FAIL_ON_INIT_ERROR", "value": "false"},
                                {"name": "DEVICE_LIST_STRATEGY", "value": "envvar"}]
    assert container["resources"] == {"limits": {"memory": "100Mi"}}
    assert container["volumeMounts"] == [{"name": "kubelet-device-plugins-dir",
                                          "mountPath": "/var/lib/kubelet/device-plugins"},
                                         {"name": "config", "mountPath": "/config"}]


def test_fields_the_team_changed_from_the_old_manifest_are_kept_unless_the_release_sets_them():
    live = manifests.pod_template("v0.11.0")
    live["spec"]["containers"][0]["args"] = ["--fail-on-init-error=false", "--mig-strategy=single"]
    live["spec"]["priorityClassName"] = "team-critical"
    merged = plugin.merge_template(live, manifests.pod_template("v0.12.0"), manifests.pod_template("v0.11.0"))
    assert merged["spec"]["containers"][0]["args"] == ["--fail-on-init-error=false", "--mig-strategy=single"]
    assert merged["spec"]["priorityClassName"] == "system-node-critical"  # the release sets it


def test_without_a_base_nothing_is_removed():
    live = manifests.pod_template("v0.11.0")
    live["spec"]["containers"][0]["image"] = "nvcr.io/nvidia/k8s-device-plugin:v0.9.0"
    merged = plugin.merge_template(live, manifests.pod_template("v0.17.1"), None)
    assert merged["spec"]["containers"][0]["args"] == ["--fail-on-init-error=false"]
    assert {"key": "CriticalAddonsOnly", "operator": "Exists"} in merged["spec"]["tolerations"]
    assert merged["spec"]["containers"][0]["env"] == [{"name": "FAIL_ON_INIT_ERROR", "value": "false"}]
    # the mount at the same path is the release's; the old volume, still named, is kept
    assert [m["name"] for m in merged["spec"]["containers"][0]["volumeMounts"]] == ["device-plugin"]
    assert merged["metadata"]["annotations"] == {"scheduler.alpha.kubernetes.io/critical-pod": ""}


@pytest.mark.parametrize("live, release, base, expected", [
    ([], [GPU], [], [GPU]),
    ([TEAM], [GPU], [], [GPU, TEAM]),                     # added by the team: kept
    ([GPU, TEAM], [GPU], [GPU], [GPU, TEAM]),
    ([GPU], [], [GPU], []),                               # set by the old manifest, dropped by the release
    ([dict(GPU, tolerationSeconds=5)], [GPU], [GPU], [GPU, dict(GPU, tolerationSeconds=5)]),
    (None, None, None, []),
])
def test_merge_entries_of_whole_entries(live, release, base, expected):
    assert plugin.merge_entries(live, release, base, None) == expected


@pytest.mark.parametrize("live, release, base, expected", [
    ([{"name": "A", "value": "1", "x": 0}], [{"name": "A", "value": "1"}], [], [{"name": "A", "value": "1", "x": 0}]),
    ([{"name": "A", "value": "2"}], [{"name": "A", "value": "1"}], [], [{"name": "A", "value": "1"}]),
    ([{"name": "A", "value": "1"}], [], [{"name": "A", "value": "1"}], []),
    ([{"name": "A", "value": "9"}], [], [{"name": "A", "value": "1"}], [{"name": "A", "value": "9"}]),
    ([{"name": "B"}], [], [{"name": "A"}], [{"name": "B"}]),
])
def test_merge_entries_by_key(live, release, base, expected):
    assert plugin.merge_entries(live, release, base, "name") == expected


@pytest.mark.parametrize("live, release, base, expected", [
    ({"a": "1"}, {}, {}, {"a": "1"}),
    ({"a": "1"}, {}, {"a": "1"}, {}),
    ({"a": "2"}, {}, {"a": "1"}, {"a": "2"}),
    ({"a": "2"}, {"a": "3"}, {"a": "1"}, {"a": "3"}),
    (None, {"b": ""}, None, {"b": ""}),
])
def test_merge_map(live, release, base, expected):
    assert plugin.merge_map(live, release, base) == expected


@pytest.mark.parametrize("metadata, expected", [
    ({"labels": {"app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/instance": "nvdp",
                 "helm.sh/chart": "nvidia-device-plugin-0.14.5"}, "namespace": "ns"},
     {"release": "nvdp", "namespace": "ns", "chart": "nvidia-device-plugin", "chart_version": "0.14.5"}),
    ({"annotations": {"meta.helm.sh/release-name": "gpu", "meta.helm.sh/release-namespace": "ops"},
      "namespace": "ns"}, {"release": "gpu", "namespace": "ops", "chart": None, "chart_version": None}),
    ({"labels": {"app.kubernetes.io/managed-by": "kubectl"}, "namespace": "ns"}, None),
    ({"namespace": "ns"}, None),
])
def test_helm_owner(metadata, expected):
    assert plugin.helm_owner(metadata) == expected


def test_helm_remediation_for_another_chart_names_the_image_to_set():
    owner = {"release": "platform", "namespace": "ops", "chart": "gpu-stack", "chart_version": "3.1.0"}
    assert plugin.helm_remediation(owner, "v0.17.1") == (
        "Helm release platform (namespace ops, chart gpu-stack) owns it: set the NVIDIA device plugin image of that "
        "chart to v0.17.1 and upgrade the release.")


def test_plan_of_a_helm_release_changes_nothing():
    labels = {"app.kubernetes.io/managed-by": "Helm", "helm.sh/chart": "nvidia-device-plugin-0.14.5",
              "app.kubernetes.io/instance": "nvdp"}
    entry = plugin.plan(daemon_set(manifests.pod_template("v0.14.5"), labels=labels), "v0.17.1")
    assert entry["action"] == "helm" and entry["changes"] == [] and "template" not in entry
    assert "--version 0.17.1 --reuse-values" in entry["message"]


@pytest.mark.parametrize("live, wanted, action", [
    ("v0.17.2", "v0.17.1", "newer"), ("v0.17.1", "v0.17.1", "up_to_date"), ("v0.17.0", "v0.17.1", "update"),
    ("v0.18.0", "v0.17.4", "newer"), ("v0.17.4", "v0.18.0", "update"),
])
def test_plan_never_downgrades(live, wanted, action):
    assert plugin.plan(daemon_set(manifests.pod_template(live)), wanted)["action"] == action


def test_plan_of_an_unparsable_live_tag_updates():
    live = manifests.pod_template("v0.17.1")
    live["spec"]["containers"][0]["image"] = "nvcr.io/nvidia/k8s-device-plugin:latest"
    entry = plugin.plan(daemon_set(live), "v0.17.1")
    assert entry["action"] == "update" and entry["release_before"] == "latest"
    assert [c["field"] for c in entry["changes"]] == ["spec.containers[nvidia-device-plugin-ctr].image"]


def test_template_changes_name_each_field_with_before_and_after():
    before = manifests.pod_template("v0.17.3")
    after = manifests.pod_template("v0.17.4")
    changes = plugin.template_changes(before, after)
    assert [c["field"] for c in changes] == [
        "spec.volumes", "spec.containers[nvidia-device-plugin-ctr].image",
        "spec.containers[nvidia-device-plugin-ctr].volumeMounts"]
    assert changes[1] == {"field": "spec.containers[nvidia-device-plugin-ctr].image",
                          "before": "nvcr.io/nvidia/k8s-device-plugin:v0.17.3",
                          "after": "nvcr.io/nvidia/k8s-device-plugin:v0.17.4"}
    assert plugin.template_changes(after, after) == []
