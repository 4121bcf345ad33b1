"""The emulated Kubernetes API through real clients: the official Python client (typed and
dynamic), kubectl, and raw HTTP for what clients hide (keep-alive cost, status codes)."""
from __future__ import annotations

import contextlib
import http.client
import json
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import kubernetes
import pytest
import urllib3
from kube_fixtures import (
    COREDNS_IMAGE,
    NODEGROUP_LABEL,
    configmap,
    node,
    persistent_volume,
    pod_disruption_budget,
    seed_eks_defaults,
)
from kubernetes.client import ApiException
from kubernetes.dynamic import DynamicClient

from eksworld.kube import KubeEmulator, write_kubeconfig
from eksworld.kube_store import ClusterStore
from eksworld.state import WorldState

V124 = "v1.24.17-eks-5e0fdde"
V125 = "v1.25.16-eks-59bf375"
TOKEN = "kube-test-token-3b8f1d0c9a7e"
KUBECTL = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "kubectl")


@dataclass
class KubeCluster:
    """One seeded virtual cluster and the ways to reach it."""

    emulator: KubeEmulator
    state: WorldState
    store: ClusterStore
    kubeconfig: Path
    api: kubernetes.client.ApiClient
    tmp_path: Path

    def kubectl(self, *args: str, kubeconfig: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([KUBECTL, "--kubeconfig", str(kubeconfig or self.kubeconfig),
                               "--cache-dir", str(self.tmp_path / "kubectl-cache"), *args],
                              capture_output=True, text=True, timeout=30)


@pytest.fixture(scope="module")
def kube_server() -> Iterator[KubeEmulator]:
    emulator = KubeEmulator(WorldState())
    emulator.start()
    yield emulator
    emulator.stop()


def _seed(store: ClusterStore) -> None:
    seed_eks_defaults(store)
    for index, group in enumerate(["ng-1", "ng-1", "ng-2"]):
        store.create(node(f"ip-10-0-1-{index}.ec2.internal", V124, {NODEGROUP_LABEL: group}))


@pytest.fixture
def kube_cluster(kube_server: KubeEmulator, tmp_path: Path) -> Iterator[KubeCluster]:
    kube_server.reset()
    kube_server.before_request = None
    state = kube_server.state
    state.faults.clear()
    state.log.clear()
    store = kube_server.add_cluster("alpha", V124, token=TOKEN)
    _seed(store)
    kubeconfig = write_kubeconfig(tmp_path / "alpha.yaml", "alpha", kube_server.url_for("alpha"), TOKEN)
    api = kubernetes.config.new_client_from_config(config_file=str(kubeconfig))
    yield KubeCluster(kube_server, state, store, kubeconfig, api, tmp_path)
    api.close()


def _client_with_token(cluster: KubeCluster, token: str, name: str = "other") -> kubernetes.client.ApiClient:
    path = write_kubeconfig(cluster.tmp_path / f"{name}.yaml", "alpha", cluster.emulator.url_for("alpha"), token)
    return kubernetes.config.new_client_from_config(config_file=str(path))


def _status(error: ApiException) -> dict:
    return json.loads(error.body)


# ------------------------------------------------------------------ official typed client

def test_kubeconfig_is_a_normal_token_kubeconfig(kube_cluster: KubeCluster) -> None:
    import yaml

    config = yaml.safe_load(kube_cluster.kubeconfig.read_text())
    assert config["current-context"] == "alpha"
    assert config["clusters"][0]["cluster"] == {"server": kube_cluster.emulator.url_for("alpha")}
    assert config["users"][0]["user"] == {"token": TOKEN}
    assert kube_cluster.kubeconfig.stat().st_mode & 0o077 == 0


def test_list_nodes_with_label_selectors(kube_cluster: KubeCluster) -> None:
    core = kubernetes.client.CoreV1Api(kube_cluster.api)
    assert len(core.list_node().items) == 3
    assert len(core.list_node(label_selector=f"{NODEGROUP_LABEL}=ng-1").items) == 2
    assert len(core.list_node(label_selector=f"{NODEGROUP_LABEL} notin (ng-1)").items) == 1
    assert len(core.list_node(label_selector=f"!{NODEGROUP_LABEL}").items) == 0
    nodes = core.list_node(field_selector="metadata.name=ip-10-0-1-2.ec2.internal")
    assert [n.status.node_info.kubelet_version for n in nodes.items] == [V124]
    assert nodes.kind == "NodeList" and nodes.api_version == "v1" and nodes.metadata.resource_version


def test_configmap_read_and_patch_types(kube_cluster: KubeCluster) -> None:
    core = kubernetes.client.CoreV1Api(kube_cluster.api)
    assert "forward ." in core.read_namespaced_config_map("coredns", "kube-system").data["Corefile"]
    patched = core.patch_namespaced_config_map("coredns", "kube-system", {"data": {"extra": "1"}})
    assert set(patched.data) == {"Corefile", "extra"}
    merged = core.patch_namespaced_config_map("coredns", "kube-system", {"data": {"extra": None}},
                                              _content_type="application/merge-patch+json")
    assert set(merged.data) == {"Corefile"}
    json_patched = core.patch_namespaced_config_map(
        "coredns", "kube-system", [{"op": "add", "path": "/data/k", "value": "v"}])
    assert json_patched.data["k"] == "v"
    with pytest.raises(ApiException) as error:
        core.patch_namespaced_config_map("coredns", "kube-system", {"data": {}},
                                         _content_type="application/apply-patch+yaml")
    assert error.value.status == 415 and _status(error.value)["kind"] == "Status"


def test_deployment_read_patch_replace_roll_out(kube_cluster: KubeCluster) -> None:
    apps = kubernetes.client.AppsV1Api(kube_cluster.api)
    coredns = apps.read_namespaced_deployment("coredns", "kube-system")
    assert coredns.metadata.generation == coredns.status.observed_generation == 1
    patched = apps.patch_namespaced_deployment("coredns", "kube-system", {"spec": {"template": {"spec": {
        "containers": [{"name": "coredns", "image": "coredns:v1.9.3"}]}}}})
    container = patched.spec.template.spec.containers[0]
    assert (container.image, [e.name for e in container.env]) == ("coredns:v1.9.3", ["LOG_LEVEL"])
    assert patched.metadata.generation == patched.status.observed_generation == 2
    assert patched.status.updated_replicas == patched.status.available_replicas == 2

    patched.spec.template.spec.containers[0].image = "coredns:v1.10.1"
    replaced = apps.replace_namespaced_deployment("coredns", "kube-system", patched)
    assert replaced.metadata.generation == replaced.status.observed_generation == 3
    assert replaced.metadata.uid == coredns.metadata.uid
    with pytest.raises(ApiException) as error:
        apps.replace_namespaced_deployment("coredns", "kube-system", patched)  # stale resourceVersion
    assert error.value.status == 409 and _status(error.value)["reason"] == "Conflict"

    scale = apps.read_namespaced_deployment_scale("coredns", "kube-system")
    assert (scale.spec.replicas, scale.status.selector) == (2, "eks.amazonaws.com/component=coredns,k8s-app=kube-dns")
    scaled = apps.patch_namespaced_deployment_scale("coredns", "kube-system", {"spec": {"replicas": 0}})
    assert scaled.kind == "Scale" and scaled.spec.replicas == 0
    assert apps.read_namespaced_deployment("coredns", "kube-system").status.ready_replicas == 0


def test_daemonsets_pdbs_storage_and_volumes(kube_cluster: KubeCluster) -> None:
    kube_cluster.store.create(pod_disruption_budget("default", "web", disruptions_allowed=0))
    kube_cluster.store.create(persistent_volume("pvc-1", "vol-0abc"))
    apps = kubernetes.client.AppsV1Api(kube_cluster.api)
    daemonsets = apps.list_daemon_set_for_all_namespaces().items
    assert {d.metadata.name: d.status.desired_number_scheduled for d in daemonsets} == {"aws-node": 3, "kube-proxy": 3}
    pdbs = kubernetes.client.PolicyV1Api(kube_cluster.api).list_pod_disruption_budget_for_all_namespaces()
    assert [(p.metadata.name, p.status.disruptions_allowed) for p in pdbs.items] == [("web", 0)]
    classes = kubernetes.client.StorageV1Api(kube_cluster.api).list_storage_class().items
    assert [(c.metadata.name, c.provisioner) for c in classes] == [("gp2", "kubernetes.io/aws-ebs")]
    volumes = kubernetes.client.CoreV1Api(kube_cluster.api).list_persistent_volume().items
    assert volumes[0].spec.aws_elastic_block_store.volume_id == "vol-0abc"


def test_version_follows_set_version(kube_cluster: KubeCluster) -> None:
    version = kubernetes.client.VersionApi(kube_cluster.api)
    assert (version.get_code().minor, version.get_code().git_version) == ("24", V124)
    kube_cluster.store.set_version(V125)
    assert (version.get_code().minor, version.get_code().git_version) == ("25", V125)


def test_create_conflict_not_found_and_delete(kube_cluster: KubeCluster) -> None:
    core = kubernetes.client.CoreV1Api(kube_cluster.api)
    body = kubernetes.client.V1ConfigMap(metadata=kubernetes.client.V1ObjectMeta(name="c1"), data={"a": "b"})
    created = core.create_namespaced_config_map("default", body)
    assert (created.kind, created.metadata.namespace) == ("ConfigMap", "default")
    with pytest.raises(ApiException) as error:
        core.create_namespaced_config_map("default", body)
    assert error.value.status == 409 and _status(error.value)["reason"] == "AlreadyExists"
    with pytest.raises(ApiException) as error:
        kubernetes.client.AppsV1Api(kube_cluster.api).read_namespaced_deployment("missing", "kube-system")
    assert _status(error.value) == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'deployments.apps "missing" not found', "reason": "NotFound", "code": 404,
        "details": {"name": "missing", "group": "apps", "kind": "deployments"}}
    dry = kubernetes.client.V1ConfigMap(metadata=kubernetes.client.V1ObjectMeta(name="dry"))
    assert core.create_namespaced_config_map("default", dry, dry_run="All").metadata.name == "dry"
    assert [c.metadata.name for c in core.list_namespaced_config_map("default").items] == ["c1"]
    assert core.delete_namespaced_config_map("c1", "default")["status"] == "Success"
    with pytest.raises(ApiException) as error:
        core.read_namespaced_config_map("c1", "default")
    assert error.value.status == 404


def test_delete_collection_by_label(kube_cluster: KubeCluster) -> None:
    for name, team in (("a", "red"), ("b", "red"), ("c", "blue")):
        obj = configmap("default", name, {})
        obj["metadata"]["labels"] = {"team": team}
        kube_cluster.store.create(obj)
    core = kubernetes.client.CoreV1Api(kube_cluster.api)
    core.delete_collection_namespaced_config_map("default", label_selector="team=red")
    assert [c.metadata.name for c in core.list_namespaced_config_map("default").items] == ["c"]


def test_authentication(kube_cluster: KubeCluster) -> None:
    bad = _client_with_token(kube_cluster, "wrong-token")
    with pytest.raises(ApiException) as error:
        kubernetes.client.CoreV1Api(bad).list_node()
    assert error.value.status == 401 and _status(error.value)["reason"] == "Unauthorized"
    iam = _client_with_token(kube_cluster, "k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8_QWN0aW9u", "iam")
    assert len(kubernetes.client.CoreV1Api(iam).list_node().items) == 3
    assert all(TOKEN not in repr(record) for record in kube_cluster.state.log.records())
    bad.close()
    iam.close()


def test_watch_streams_changes(kube_cluster: KubeCluster) -> None:
    core = kubernetes.client.CoreV1Api(kube_cluster.api)
    start = core.list_namespaced_config_map("kube-system").metadata.resource_version
    kube_cluster.store.create(configmap("kube-system", "new", {"a": "1"}))
    watch = kubernetes.watch.Watch()
    events = []
    for event in watch.stream(core.list_namespaced_config_map, "kube-system", resource_version=start,
                              timeout_seconds=5):
        events.append((event["type"], event["object"].metadata.name))
        watch.stop()
    assert events == [("ADDED", "new")]


def test_custom_resources_registered_later(kube_cluster: KubeCluster) -> None:
    kube_cluster.emulator.register_resource("karpenter.sh", "v1", "NodePool", "nodepools", namespaced=False)
    custom = kubernetes.client.CustomObjectsApi(kube_cluster.api)
    custom.create_cluster_custom_object("karpenter.sh", "v1", "nodepools", {
        "apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "default"},
        "spec": {"template": {"spec": {"expireAfter": "720h"}}}})
    custom.patch_cluster_custom_object("karpenter.sh", "v1", "nodepools", "default",
                                       {"spec": {"limits": {"cpu": "100"}}})
    pools = custom.list_cluster_custom_object("karpenter.sh", "v1", "nodepools")
    assert pools["items"][0]["kind"] == "NodePool"  # custom resources keep kind in lists
    assert pools["items"][0]["spec"]["limits"] == {"cpu": "100"}
    assert pools["items"][0]["metadata"]["generation"] == 2
    later = kube_cluster.emulator.add_cluster("beta", V124)  # registrations apply to new clusters too
    assert later.find_type("karpenter.sh", "v1", "nodepools") is not None


# ------------------------------------------------------------------ dynamic client (kubernetes.core)

def test_dynamic_client_discovery_and_get(kube_cluster: KubeCluster) -> None:
    dynamic = DynamicClient(kube_cluster.api, cache_file=str(kube_cluster.tmp_path / "discovery.json"))
    deployments = dynamic.resources.get(api_version="apps/v1", kind="Deployment")
    assert (deployments.namespaced, deployments.name, deployments.group_version) == (True, "deployments", "apps/v1")
    assert "status" in deployments.subresources
    coredns = deployments.get(name="coredns", namespace="kube-system")
    assert coredns.spec.template.spec.containers[0].image == COREDNS_IMAGE
    listed = dynamic.resources.get(api_version="v1", kind="Node").get(label_selector=f"{NODEGROUP_LABEL}=ng-2")
    assert [item.metadata.name for item in listed.items] == ["ip-10-0-1-2.ec2.internal"]
    psp = dynamic.resources.get(api_version="policy/v1beta1", kind="PodSecurityPolicy")
    assert psp.get(name="eks.privileged").spec.privileged is True
    groups = {resource.group_version for resource in dynamic.resources.search() if resource.kind.endswith("List")
              is False}
    assert {"v1", "apps/v1", "policy/v1", "policy/v1beta1", "storage.k8s.io/v1"} <= groups


def test_psp_disappears_at_1_25(kube_cluster: KubeCluster) -> None:
    kube_cluster.store.set_version(V125)
    dynamic = DynamicClient(kube_cluster.api, cache_file=str(kube_cluster.tmp_path / "discovery-125.json"))
    assert not dynamic.resources.search(kind="PodSecurityPolicy")
    assert {r.api_version for r in dynamic.resources.search(group="policy")} == {"v1"}
    connection = _raw_connection(kube_cluster)
    assert _raw_get(connection, "/apis/policy/v1beta1")[0] == 404
    assert _raw_get(connection, "/apis/policy/v1beta1/podsecuritypolicies/eks.privileged")[0] == 404
    status, groups = _raw_get(connection, "/apis/policy")
    assert status == 200 and [v["version"] for v in groups["versions"]] == ["v1"]


def test_discovery_documents_are_consistent(kube_cluster: KubeCluster) -> None:
    connection = _raw_connection(kube_cluster)
    assert _raw_get(connection, "/api")[1]["versions"] == ["v1"]
    status, group_list = _raw_get(connection, "/apis")
    assert status == 200 and group_list["kind"] == "APIGroupList"
    for group in group_list["groups"]:
        assert group["preferredVersion"] == group["versions"][0]
        for version in group["versions"]:
            assert version["groupVersion"] == f"{group['name']}/{version['version']}"
            status, resources = _raw_get(connection, f"/apis/{version['groupVersion']}")
            assert status == 200 and resources["groupVersion"] == version["groupVersion"]
            for resource in resources["resources"]:
                assert {"name", "kind", "namespaced", "verbs", "singularName"} <= set(resource)
    policy = next(g for g in group_list["groups"] if g["name"] == "policy")
    assert [v["version"] for v in policy["versions"]] == ["v1", "v1beta1"]


# ------------------------------------------------------------------ kubectl

def test_kubectl_get_version_set_image_rollout(kube_cluster: KubeCluster) -> None:
    version = json.loads(kube_cluster.kubectl("version", "-o", "json").stdout)
    assert version["serverVersion"]["gitVersion"] == V124
    nodes = json.loads(kube_cluster.kubectl("get", "nodes", "-o", "json").stdout)
    assert [n["status"]["nodeInfo"]["kubeletVersion"] for n in nodes["items"]] == [V124] * 3
    table = kube_cluster.kubectl("get", "nodes").stdout
    assert table.split("\n")[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    result = kube_cluster.kubectl("-n", "kube-system", "set", "image", "deployment/coredns",
                                  "coredns=example/coredns:v1.9.3")
    assert result.returncode == 0, result.stderr
    coredns = kube_cluster.store.get("apps/v1", "Deployment", "kube-system", "coredns")
    assert coredns["spec"]["template"]["spec"]["containers"][0]["image"] == "example/coredns:v1.9.3"
    assert coredns["metadata"]["generation"] == 2
    rollout = kube_cluster.kubectl("-n", "kube-system", "rollout", "status", "deployment/coredns", "--timeout=10s")
    assert "successfully rolled out" in rollout.stdout, rollout.stderr
    scaled = kube_cluster.kubectl("-n", "kube-system", "scale", "deployment/coredns", "--replicas=3")
    assert scaled.returncode == 0, scaled.stderr
    assert kube_cluster.store.get("apps/v1", "Deployment", "kube-system", "coredns")["spec"]["replicas"] == 3
    missing = kube_cluster.kubectl("-n", "kube-system", "get", "configmap", "nope")
    assert 'configmaps "nope" not found' in missing.stderr


def test_kubectl_get_psp_before_and_after_1_25(kube_cluster: KubeCluster) -> None:
    result = kube_cluster.kubectl("get", "psp", "eks.privileged")
    assert result.returncode == 0 and "eks.privileged" in result.stdout, result.stderr
    kube_cluster.store.set_version(V125)
    fresh = subprocess.run([KUBECTL, "--kubeconfig", str(kube_cluster.kubeconfig), "--cache-dir",
                            str(kube_cluster.tmp_path / "cache-125"), "get", "psp", "eks.privileged"],
                           capture_output=True, text=True, timeout=30)
    assert fresh.returncode != 0 and 'the server doesn\'t have a resource type "psp"' in fresh.stderr


# ------------------------------------------------------------------ faults, log, hooks

def test_unreachable_cluster_drops_connections(kube_cluster: KubeCluster) -> None:
    other = kube_cluster.emulator.add_cluster("beta", V124, token=TOKEN)
    seed_eks_defaults(other)
    kube_cluster.state.faults.set("alpha", k8s_unreachable=True)
    kube_cluster.api.configuration.retries = False
    with pytest.raises((urllib3.exceptions.MaxRetryError, urllib3.exceptions.ProtocolError)):
        kubernetes.client.CoreV1Api(kube_cluster.api).list_node()
    record = kube_cluster.state.log.records()[-1]
    assert (record.cluster, record.status, record.injected) == ("alpha", 0, "unreachable")
    beta = kubernetes.config.new_client_from_config(config_file=str(write_kubeconfig(
        kube_cluster.tmp_path / "beta.yaml", "beta", kube_cluster.emulator.url_for("beta"), TOKEN)))
    assert kubernetes.client.CoreV1Api(beta).list_namespace().items  # other clusters unaffected
    beta.close()


def test_error_rate_and_latency_faults(kube_cluster: KubeCluster) -> None:
    core = kubernetes.client.CoreV1Api(kube_cluster.api)
    kube_cluster.state.faults.set("alpha", k8s_error_rate=1.0)
    with pytest.raises(ApiException) as error:
        core.list_node()
    assert error.value.status == 500 and _status(error.value)["reason"] == "InternalError"
    assert kube_cluster.state.log.records()[-1].injected == "5xx"
    kube_cluster.state.faults.clear()
    kube_cluster.state.faults.set("alpha", latency_s=0.2)
    started = time.monotonic()
    core.list_node()
    assert time.monotonic() - started >= 0.2
    assert kube_cluster.state.log.records()[-1].injected == "latency"


def test_request_log_names_operations(kube_cluster: KubeCluster) -> None:
    core = kubernetes.client.CoreV1Api(kube_cluster.api)
    apps = kubernetes.client.AppsV1Api(kube_cluster.api)
    calls = []
    kube_cluster.emulator.before_request = lambda: calls.append(1)
    core.list_node()
    apps.patch_namespaced_deployment("coredns", "kube-system", {"metadata": {"labels": {"a": "b"}}})
    kubernetes.client.VersionApi(kube_cluster.api).get_code()
    with pytest.raises(ApiException):
        core.read_namespaced_config_map("absent", "kube-system")
    records = [(r.service, r.operation, r.cluster, r.mutating, r.status) for r in kube_cluster.state.log.records()]
    assert records == [("k8s", "list nodes", "alpha", False, 200),
                       ("k8s", "patch deployments", "alpha", True, 200),
                       ("k8s", "get version", "alpha", False, 200),
                       ("k8s", "get configmaps", "alpha", False, 404)]
    assert len(calls) == 4


def test_unknown_cluster_and_path(kube_cluster: KubeCluster) -> None:
    connection = _raw_connection(kube_cluster)
    status, body = _raw_get(connection, "/k8s/nowhere/api/v1/nodes", absolute=True)
    assert status == 404 and body["kind"] == "Status"
    assert _raw_get(connection, "/api/v1/widgets")[0] == 404
    assert kube_cluster.state.log.records()[0].cluster == "nowhere"


def test_gets_share_one_kept_alive_connection(kube_cluster: KubeCluster) -> None:
    """Clients reuse one connection (what a GET costs over it is a figure of `make benchmark`)."""
    connection = _raw_connection(kube_cluster)
    _raw_get(connection, "/api/v1/namespaces/kube-system/configmaps/coredns")
    first_socket = connection.sock
    for _ in range(20):
        status, _ = _raw_get(connection, "/api/v1/namespaces/kube-system/configmaps/coredns")
        assert status == 200
    assert first_socket is not None and connection.sock is first_socket  # http.client reopens a closed one
    connection.close()


def test_stop_ends_watches_restart_serves_again(tmp_path: Path) -> None:
    emulator = KubeEmulator(WorldState())
    emulator.start()
    _seed(emulator.add_cluster("alpha", V124, token=TOKEN))
    api = kubernetes.config.new_client_from_config(config_file=str(write_kubeconfig(
        tmp_path / "a.yaml", "alpha", emulator.url_for("alpha"), TOKEN)))
    core = kubernetes.client.CoreV1Api(api)
    since = core.list_namespace().metadata.resource_version
    ended = threading.Event()

    def watch_namespaces() -> None:
        with contextlib.suppress(Exception):  # the server going away may surface as an error
            list(kubernetes.watch.Watch().stream(core.list_namespace, resource_version=since, timeout_seconds=30))
        ended.set()

    threading.Thread(target=watch_namespaces, daemon=True).start()
    _wait_for(lambda: any(r.operation == "watch namespaces" for r in emulator.state.log.records()))
    assert not ended.is_set()  # the watch is open: only stop() can end it now
    emulator.stop()
    assert ended.wait(5)
    api.close()

    emulator.start()  # clusters survive a restart, on a new port
    api = kubernetes.config.new_client_from_config(config_file=str(write_kubeconfig(
        tmp_path / "b.yaml", "alpha", emulator.url_for("alpha"), TOKEN)))
    assert len(kubernetes.client.CoreV1Api(api).list_node().items) == 3
    emulator.remove_cluster("alpha")
    with pytest.raises(ApiException) as error:
        kubernetes.client.CoreV1Api(api).list_node()
    assert error.value.status == 404
    api.close()
    emulator.stop()


def _wait_for(condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
    """Poll until `condition` holds; the timeout only turns a hang into a failure."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met"
        time.sleep(0.01)


def _raw_connection(cluster: KubeCluster) -> http.client.HTTPConnection:
    url = urlsplit(cluster.emulator.url)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=5)


def _raw_get(connection: http.client.HTTPConnection, path: str, absolute: bool = False) -> tuple[int, dict]:
    """GET on one kept-alive connection, relative to /k8s/alpha unless `absolute`."""
    connection.request("GET", path if absolute else f"/k8s/alpha{path}",
                       headers={"Authorization": f"Bearer {TOKEN}"})
    response = connection.getresponse()
    return response.status, json.loads(response.read())


# ------------------------------------------------------------------ https, as EKS endpoints

@pytest.fixture
def kube_tls_cluster(tmp_path: Path) -> Iterator[tuple[KubeEmulator, Path]]:
    emulator = KubeEmulator(WorldState())
    emulator.start(tls=True)
    _seed(emulator.add_cluster("alpha", V124, token=TOKEN))
    kubeconfig = write_kubeconfig(tmp_path / "tls.yaml", "alpha", emulator.url_for("alpha"), TOKEN,
                                  ca_pem=emulator.ca_pem)
    yield emulator, kubeconfig
    emulator.stop()


def test_https_with_ca_token_and_anonymous(kube_tls_cluster: tuple[KubeEmulator, Path], tmp_path: Path) -> None:
    emulator, kubeconfig = kube_tls_cluster
    assert emulator.url.startswith("https://")
    api = kubernetes.config.new_client_from_config(config_file=str(kubeconfig))
    assert len(kubernetes.client.CoreV1Api(api).list_node().items) == 3
    api.close()

    def kubectl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([KUBECTL, "--kubeconfig", str(kubeconfig), "--cache-dir", str(tmp_path / "c"), *args],
                              capture_output=True, text=True, timeout=30)

    assert kubectl("get", "nodes", "-o", "name").stdout.count("node/") == 3  # kubectl sends tokens over TLS only
    assert "Unauthorized" in kubectl("--token", "wrong", "get", "nodes").stderr

    anonymous = kubernetes.client.Configuration()
    anonymous.host = emulator.url_for("alpha")
    anonymous.ssl_ca_cert = str(tmp_path / "ca.pem")
    (tmp_path / "ca.pem").write_text(emulator.ca_pem or "")
    with kubernetes.client.ApiClient(anonymous) as client:
        assert kubernetes.client.VersionApi(client).get_code().minor == "24"  # public, as on EKS
        with pytest.raises(ApiException) as error:
            kubernetes.client.CoreV1Api(client).list_node()
    assert error.value.status == 403
