"""One emulated world: the AWS API (moto + EKS extensions) and per-cluster Kubernetes APIs, kept consistent.

When an EKS update completes, the Kubernetes side follows (the API server's /version, node kubelets,
add-on workload images), so tools see what they would see on a real cluster. On an EKS Auto Mode cluster
the auto nodes follow the control plane's minor (EKS replaces them itself); Karpenter's nodes do not move
(no Karpenter controller runs here: its drift is what the collection reports, not what the world does).
"""
from __future__ import annotations

import base64
import json
import os
import secrets
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

import yaml

from eksworld import catalog, scenario, scenario_gpu, scenario_provisioners, scenario_self_managed
from eksworld.aws import AwsEmulator
from eksworld.aws_seeding import WorldSeeding
from eksworld.kube import KubeEmulator, write_kubeconfig
from eksworld.registry import RegistryEmulator, inventory_vars, mirror_autoscaler
from eksworld.scenario_addon_catalog import addon_catalog_settings
from eksworld.kube_scheduling import daemon_pod_fits
from eksworld.scenario_security_groups import resolve_peers, security_group_settings
from eksworld.state import WorldState

# Long and distinctive on purpose: Ansible masks no_log values in output by substring, and a short
# fake secret would star out unrelated text.
FAKE_ACCESS_KEY = "AKIAEKSWORLDEMULATOR0"
FAKE_SECRET_KEY = "eksworld-emulator-secret-access-key-not-a-real-one"
REGION = "us-east-1"


class World:
    def __init__(self, cluster_update_s: float = 2.0, nodegroup_update_s: float = 1.0,
                 addon_update_s: float = 0.5, region: str = REGION, insights_refresh_s: float = 1.0,
                 instance_refresh_s: float = 0.5) -> None:
        self.state = WorldState(cluster_update_s=cluster_update_s, nodegroup_update_s=nodegroup_update_s,
                                addon_update_s=addon_update_s, insights_refresh_s=insights_refresh_s,
                                instance_refresh_s=instance_refresh_s)
        self.region = region
        self.aws = AwsEmulator(self.state, region=region, admin_app=self._admin_app)
        self.kube = KubeEmulator(self.state, before_request=self.advance, outage=self._kube_outage)
        self.registry = RegistryEmulator()  # an image registry's tags list (eksworld/registry.py)
        self.tokens: dict[str, str] = {}
        self.clusters: dict[str, dict[str, Any]] = {}
        self.scenario: dict[str, Any] = {}
        # k8s_outage_requests fault: Kubernetes requests each cluster's API still fails after its update completed.
        self._outage_left: dict[str, int] = {}
        self._outage_served: dict[str, int] = {}
        # GPU node groups whose new nodes wait for a device plugin to advertise their GPUs: (cluster, group) -> due
        self._gpu_registrations: dict[tuple[str, str], float] = {}
        self.state.events.subscribe("cluster_version_changed", self._on_cluster_version)
        self.state.events.subscribe("cluster_version_changed", self._replace_api_servers)
        self.state.events.subscribe("nodegroup_version_changed", self._on_nodegroup_version)
        self.state.events.subscribe("nodegroup_config_changed", self._on_nodegroup_config)
        self.state.events.subscribe("addon_version_changed", self._on_addon_version)
        self.state.events.subscribe("instance_refresh_completed", self._on_instance_refresh)

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", aws_port: int = 0, kube_port: int = 0) -> World:
        # https with a throwaway CA, as a real EKS endpoint: kubectl never sends a token over plain http.
        self.kube.start(host, kube_port, tls=True)
        self.registry.start(host)
        self.aws.start(host, aws_port)
        # moto keeps its backends per process: a world starts from an empty AWS account.
        self.aws.reset()
        return self

    def stop(self) -> None:
        self.aws.stop()
        self.kube.stop()
        self.registry.stop()

    def __enter__(self) -> World:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def aws_url(self) -> str:
        return self.aws.url

    def advance(self) -> None:
        """Complete every emulated update that is due (called before each request)."""
        with self.state.lock:
            self.aws.advance()
            self._register_gpus()

    def env(self) -> dict[str, str]:
        """Environment that points boto3 / Ansible at this world: its endpoint and fake credentials, nothing more.

        No region: a real user has to give one (the inventory's eks_aws_region, module_defaults), and a world that
        exported it would hide a playbook or module that forgets it.
        """
        return {"AWS_ENDPOINT_URL": self.aws_url, "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_KEY}

    def client(self, service: str, region: str | None = None) -> Any:
        """A boto3 client on this world, in `region` (default the world's), as a test or a tool reads it."""
        import boto3

        return boto3.client(service, endpoint_url=self.aws_url, region_name=region or self.region,
                            aws_access_key_id=FAKE_ACCESS_KEY, aws_secret_access_key=FAKE_SECRET_KEY)

    # -- seeding ---------------------------------------------------------------------------------
    def seed(self, data: dict[str, Any]) -> None:
        """Create every cluster of a scenario on both APIs."""
        self.scenario = data
        self.state.addon_catalog = addon_catalog_settings(data.get("addon_catalog"))
        self.registry.configure(data.get("registry"))
        for cluster in data["clusters"]:
            self.add_cluster(cluster)

    def add_cluster(self, cluster: dict[str, Any]) -> None:
        name, version = cluster["name"], cluster["version"]
        auto = scenario_provisioners.auto_mode_settings(cluster)
        token = f"eksworld-token-{secrets.token_hex(12)}"
        self.tokens[name] = token
        self.clusters[name] = cluster
        aws = self.aws_of(name)
        store = self.kube.add_cluster(name, git_version=catalog.git_version(version), token=token)
        for registration in scenario_provisioners.custom_resource_types(cluster):
            store.register_resource(**registration)
        for obj in scenario.kube_objects(cluster):
            store.create(obj)
        mirror_autoscaler(store, cluster, self.registry)
        network = aws.create_network(name, subnets=cluster.get("subnets") or
                                          [{"cidr": "10.0.1.0/24"}, {"cidr": "10.0.2.0/24"}],
                                          security_group=True)
        group_id, groups = network["security_group_id"], security_group_settings(cluster)
        aws.set_security_group_rules(group_id, *(resolve_peers(groups["cluster"][key], group_id)
                                                      for key in ("inbound", "outbound")))
        additional = []
        for spec in groups["additional"]:
            additional.append(aws.create_security_group(network["vpc_id"], f"{name}-{spec['name']}"))
            aws.set_security_group_rules(additional[-1], *(resolve_peers(spec[key], group_id)
                                                                for key in ("inbound", "outbound")))
        aws.create_cluster(name, version=version, subnet_ids=network["subnet_ids"],
                                security_group_ids=[group_id, *additional],
                                cluster_security_group_id=network["security_group_id"],
                                endpoint=self.kube.url_for(name),
                                certificate_authority_data=base64.b64encode(self._ca_pem().encode()).decode(),
                                tags={"lifecycle.eks/origin-version": str(cluster.get("origin_version", version))},
                                upgrade_policy=cluster.get("upgrade_policy", "EXTENDED"),
                                deletion_protection=bool(cluster.get("deletion_protection", False)),
                                control_plane_tier=cluster.get("control_plane_scaling_tier", "standard"),
                                auto_mode_node_pools=(auto or {}).get("node_pools"))
        if cluster.get("security_group") is False:
            aws.delete_security_group(network["security_group_id"])
        for ng in cluster.get("nodegroups", []):
            ng_version = str(ng.get("version", version))
            ami_type = ng.get("ami_type") or catalog.default_ami_type(ng_version, gpu=bool(ng.get("gpu")))
            aws.create_nodegroup(
                name, ng["name"], version=ng_version,
                release_version=None if ami_type == "CUSTOM" else catalog.ami_release_version(ng_version),
                ami_type=ami_type, instance_types=[scenario.nodegroup_instance_type(ng)],
                labels=ng.get("labels"), taints=scenario_gpu.nodegroup_taints(ng),
                desired_size=int(ng.get("desired_size", 2)), pdb_blocks_drain=bool(ng.get("pdb_blocks_drain")),
                launch_template=ng.get("launch_template"))
        if cluster.get("self_managed_groups"):
            with self.state.lock:
                seeded = scenario_self_managed.seed_groups(self.region_of(name), cluster, network["subnet_ids"])
            for obj in scenario_self_managed.node_objects(seeded):
                store.create(obj)
        fargate = (cluster.get("fargate_nodes") or []) + (cluster.get("fargate_workloads") or [])
        if fargate:
            aws.create_fargate_profile(name, fargate[0].get("profile", "fp-default"),
                                       selectors=[{"namespace": fargate[0].get("namespace", "default")}])
        self_managed = set(cluster.get("self_managed_addons") or [])
        addons = {**{a: "default" for a in scenario.DEFAULT_ADDONS}, **(cluster.get("addons") or {})}
        for addon, wanted in addons.items():
            if addon in self_managed:
                continue
            wanted_version, config, role = scenario.addon_settings(addon, wanted)
            aws.create_addon(name, addon, scenario.resolve_addon_version(addon, wanted_version, version,
                                                                         self.state.addon_catalog),
                                  configuration_values=config, service_account_role_arn=role)
        for insight in cluster.get("insights", []):
            aws.add_insight(name, **insight)
        if cluster.get("insights_refreshed_hours_ago") is not None:
            aws.age_insights(name, float(cluster["insights_refreshed_hours_ago"]))
        if cluster.get("update_in_progress"):
            aws.begin_cluster_update(name, str(cluster["update_in_progress"]))
        for key, value in (cluster.get("faults") or {}).items():
            self.state.faults.set(name, **{key: value})

    def region_of(self, cluster: str) -> str:
        """The region a cluster lives in: its scenario's `region`, else the world's (also for a name it lacks)."""
        return str((self.clusters.get(cluster) or {}).get("region") or self.region)

    def aws_of(self, cluster: str) -> WorldSeeding:
        """The AWS seeding API and accessors in the cluster's region."""
        return self.aws.in_region(self.region_of(cluster))

    def _ca_pem(self) -> str:
        """The CA of the Kubernetes endpoints, which EKS reports as certificateAuthority.data."""
        if self.kube.ca_pem is None:
            raise RuntimeError("start the world (https endpoints) before adding clusters")
        return self.kube.ca_pem

    # -- consistency between the two APIs --------------------------------------------------------
    def _on_cluster_version(self, cluster: str, version: str, platform_version: str | None = None) -> None:
        store = self.kube.cluster(cluster)
        store.set_version(catalog.git_version(version))
        if scenario_provisioners.auto_mode_settings(self.clusters.get(cluster) or {"version": version}):
            # EKS Auto Mode replaces its nodes with ones on the control plane's minor.
            store.set_kubelet_versions({"eks.amazonaws.com/compute-type": "auto"}, catalog.git_version(version))

    def _on_nodegroup_version(self, cluster: str, nodegroup: str, version: str, release_version: str | None = None,
                              kubelet_version: str | None = None, labels: dict[str, str] | None = None,
                              taints: list[dict[str, str]] | None = None) -> None:
        """The node group's nodes replaced: the new kubelet (a custom AMI's nodes run the kubelet of that AMI,
        whatever the node group's version says), the node group's labels and taints, and on GPU nodes no GPU
        advertised until a device plugin runs there (_register_gpus)."""
        git_version = catalog.git_version(kubelet_version or version)
        gpu = self._nodegroup_spec(cluster, nodegroup).get("gpu")

        def replaced(node: dict[str, Any]) -> None:
            node_info = node["status"].setdefault("nodeInfo", {})
            node_info["kubeletVersion"] = node_info["kubeProxyVersion"] = git_version
            self._configured(node, labels, taints)
            if gpu:
                scenario_gpu.without_gpus(node)

        self.kube.cluster(cluster).update_nodes({"eks.amazonaws.com/nodegroup": nodegroup}, replaced)
        if gpu:
            self._gpu_registrations[(cluster, nodegroup)] = self.state.clock.now() + self.state.gpu_register_s

    def _on_nodegroup_config(self, cluster: str, nodegroup: str, labels: dict[str, str] | None = None,
                             taints: list[dict[str, str]] | None = None) -> None:
        """UpdateNodegroupConfig: EKS applies the node group's labels and taints to its nodes in place."""
        self.kube.cluster(cluster).update_nodes({"eks.amazonaws.com/nodegroup": nodegroup},
                                                lambda node: self._configured(node, labels, taints))

    @staticmethod
    def _configured(node: dict[str, Any], labels: dict[str, str] | None, taints: list[dict[str, str]] | None) -> None:
        node["metadata"]["labels"] = {**node["metadata"].get("labels", {}), **(labels or {})}
        if taints is None:
            return
        if taints:
            node.setdefault("spec", {})["taints"] = scenario_gpu.kube_taints(taints)
        else:
            node.get("spec", {}).pop("taints", None)

    def _nodegroup_spec(self, cluster: str, nodegroup: str) -> dict[str, Any]:
        return next((ng for ng in (self.clusters.get(cluster) or {}).get("nodegroups", []) if ng["name"] == nodegroup),
                    {})

    def _register_gpus(self) -> None:
        """A GPU node gets its nvidia.com/gpu capacity and allocatable once an NVIDIA device plugin DaemonSet would
        run a pod on it (gpu_register_s after the node joined); until then, or never, none."""
        now = self.state.clock.now()
        for (cluster, nodegroup), due in list(self._gpu_registrations.items()):
            if due > now:
                continue
            store = self.kube.cluster(cluster)
            plugins = [spec for spec in (d["spec"]["template"]["spec"] for d in store.list("apps/v1", "DaemonSet"))
                       if any(c.get("image", "").rsplit("/", 1)[-1].startswith("k8s-device-plugin:")
                              for c in spec.get("containers", []))]
            selector = {"eks.amazonaws.com/nodegroup": nodegroup}
            nodes = store.list("v1", "Node", label_selector=selector)
            waiting = {n["metadata"]["name"] for n in nodes if not any(daemon_pod_fits(p, n) for p in plugins)}
            ready = {n["metadata"]["name"] for n in nodes} - waiting
            store.update_nodes(selector, partial(_register_if_ready, ready))
            if not waiting:
                del self._gpu_registrations[(cluster, nodegroup)]

    def _on_instance_refresh(self, region: str, group: str, cluster: str | None, replaced: list[tuple[str, str]],
                             image_id: str) -> None:
        # The new instances join as nodes with the kubelet of their AMI; the old ones' nodes are gone.
        if cluster in self.clusters:
            scenario_self_managed.replace_nodes(self.kube.cluster(cluster), region, replaced, image_id)

    def _on_addon_version(self, cluster: str, addon: str, version: str) -> None:
        if addon not in scenario.ADDON_WORKLOADS:
            return
        kind, name, container = scenario.ADDON_WORKLOADS[addon]
        store = self.kube.cluster(cluster)
        obj = store.get("apps/v1", kind, "kube-system", name)
        if obj is None:
            return
        for spec in obj["spec"]["template"]["spec"]["containers"]:
            if spec["name"] == container:
                spec["image"] = scenario.addon_image(addon, version)
        store.replace(obj)

    # -- fault hooks: API server instances replaced by an update -----------------------------------
    def _replace_api_servers(self, cluster: str, **_: Any) -> None:
        """An update completed: the new API server instances take the remaining outage requests, with a new
        certificate from the same CA, behind the same endpoint (as EKS keeps the endpoint's name and CA)."""
        spec = self.state.faults.spec_for(cluster)
        if spec.k8s_outage_requests <= 0:
            return
        self._outage_left[cluster] = spec.k8s_outage_requests
        self.kube.rotate_certificate()

    def _kube_outage(self, cluster: str) -> str | None:
        """How the cluster's Kubernetes API fails this request: while an update runs and for the
        k8s_outage_requests requests after it, alternately a dropped connection and a 503."""
        if self.state.faults.spec_for(cluster).k8s_outage_requests <= 0:
            return None
        with self.state.lock:
            if self._outage_left.get(cluster, 0) > 0:
                self._outage_left[cluster] -= 1
            elif self.aws_of(cluster).cluster_summary(cluster)["status"] != "UPDATING":
                return None
            self._outage_served[cluster] = self._outage_served.get(cluster, 0) + 1
            return "drop" if self._outage_served[cluster] % 2 else "503"

    # -- files for Ansible -----------------------------------------------------------------------
    def write_outputs(self, out_dir: str | Path) -> Path:
        """Write inventory.yml, kubeconfigs/<cluster>.yaml, env.sh and world.json; return the inventory path."""
        out = Path(out_dir).resolve()
        (out / "kubeconfigs").mkdir(parents=True, exist_ok=True)
        hosts: dict[str, dict[str, Any]] = {}
        default_target = self.scenario.get("target_version")
        for name, cluster in self.clusters.items():
            kubeconfig = out / "kubeconfigs" / f"{name}.yaml"
            write_kubeconfig(str(kubeconfig), name, self.kube.url_for(name), self.tokens[name], ca_pem=self.kube.ca_pem)
            kubeconfig.chmod(0o600)
            host: dict[str, Any] = {"eks_cluster_name": name, "eks_kubeconfig": str(kubeconfig)}
            if cluster.get("region"):  # the group's region is the world's; a cluster elsewhere says its own
                host["eks_aws_region"] = cluster["region"]
            target = cluster.get("target_version", default_target)
            if target:
                host["eks_target_version"] = str(target)
            host.update(cluster.get("inventory_vars") or {})
            hosts[name] = host
        group_vars = {"ansible_connection": "local",
                      "ansible_python_interpreter": "{{ ansible_playbook_python }}",
                      "eks_aws_region": self.region, **inventory_vars(self.registry, out)}
        inventory = {"all": {"children": {"eks_clusters": {"hosts": hosts, "vars": group_vars}}}}
        path = out / "inventory.yml"
        path.write_text("# Written by eksworld for scenario " + str(self.scenario.get("name")) + "\n"
                        + yaml.safe_dump(inventory, sort_keys=False))
        # For a human's shell: the region is the inventory's, per cluster; the AWS CLI needs one of its own.
        (out / "env.sh").write_text("".join(f"export {k}={v}\n" for k, v in self.env().items())
                                    + "# For the AWS CLI (the playbooks read eks_aws_region from the inventory):\n"
                                    f"# export AWS_REGION={self.region}\n")
        (out / "world.json").write_text(json.dumps({"aws_url": self.aws_url, "kube_url": self.kube.url,
                                                    "pid": os.getpid(), "inventory": str(path),
                                                    "clusters": sorted(self.clusters)}, indent=2))
        return path

    # -- what tests assert on --------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        """The observable state of every cluster, from both APIs."""
        self.advance()
        result: dict[str, Any] = {}
        for name in self.clusters:
            store = self.kube.cluster(name)
            images = {}
            for kind in ("Deployment", "DaemonSet"):
                for obj in store.list("apps/v1", kind):
                    key = f"{obj['metadata']['namespace']}/{obj['metadata']['name']}"
                    images[key] = [c["image"] for c in obj["spec"]["template"]["spec"]["containers"]]
            corefile = store.get("v1", "ConfigMap", "kube-system", "coredns")
            result[name] = {
                **self.aws_of(name).cluster_summary(name),
                "kubelets": {n["metadata"]["name"]: n["status"]["nodeInfo"]["kubeletVersion"]
                             for n in store.list("v1", "Node")},
                "kube_version": store.version_info()["gitVersion"],
                "images": images,
                "corefile": corefile["data"]["Corefile"] if corefile else None,
            }
        return result

    # -- admin HTTP API (served by the AWS server under /_world/) -------------------------------
    def _admin_app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}") if length else {}
        status, payload = "200 OK", {}
        try:
            payload = self._admin(method, path, query, body)
        except (KeyError, ValueError, TypeError) as exc:
            status, payload = "400 Bad Request", {"error": str(exc)}
        data = json.dumps(payload, default=str).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    def _admin(self, method: str, path: str, query: dict[str, str], body: dict[str, Any]) -> Any:
        if path == "/_world/requests" and method == "GET":
            return self.state.log.as_dicts(int(query.get("since", 0)))
        if path == "/_world/requests" and method == "DELETE":
            self.state.log.clear()
            return {}
        if path == "/_world/faults" and method == "GET":
            return self.state.faults.as_dict()
        if path == "/_world/faults" and method == "POST":
            cluster = body.pop("cluster", None)
            self.state.faults.set(cluster, **body)
            return self.state.faults.as_dict()
        if path == "/_world/faults" and method == "DELETE":
            self.state.faults.clear()
            return {}
        if path == "/_world/state" and method == "GET":
            return self.summary()
        if path == "/_world/durations" and method == "POST":
            for key in ("cluster_update_s", "nodegroup_update_s", "addon_update_s", "insights_refresh_s",
                        "gpu_register_s", "instance_refresh_s"):
                if key in body:
                    setattr(self.state, key, float(body[key]))
            return {}
        raise ValueError(f"unknown admin call {method} {path}")


def _register_if_ready(ready: set[str], node: dict[str, Any]) -> None:
    if node["metadata"]["name"] in ready and scenario_gpu.GPU_RESOURCE not in node["status"].get("allocatable", {}):
        scenario_gpu.with_gpus(node)


def start_from_file(path: str | Path, out_dir: str | Path, aws_port: int = 0, **durations: float) -> World:
    """Start a world seeded from a scenario file and write its inventory and kubeconfigs."""
    world = World(region=REGION, **durations).start(aws_port=aws_port)
    world.seed(scenario.load(path))
    world.write_outputs(out_dir)
    return world
