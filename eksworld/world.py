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
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

import yaml

from eksworld import catalog, scenario
from eksworld.aws import AwsEmulator
from eksworld.aws_seeding import WorldSeeding
from eksworld.kube import KubeEmulator, write_kubeconfig
from eksworld.scenario_addon_catalog import addon_catalog_settings
from eksworld.scenario_security_groups import resolve_peers, security_group_settings
from eksworld.state import WorldState

# Long and distinctive on purpose: Ansible masks no_log values in output by substring, and a short
# fake secret would star out unrelated text.
FAKE_ACCESS_KEY = "AKIAEKSWORLDEMULATOR0"
FAKE_SECRET_KEY = "eksworld-emulator-secret-access-key-not-a-real-one"
REGION = "us-east-1"


class World:
    def __init__(self, cluster_update_s: float = 2.0, nodegroup_update_s: float = 1.0,
                 addon_update_s: float = 0.5, region: str = REGION, insights_refresh_s: float = 1.0) -> None:
        self.state = WorldState(cluster_update_s=cluster_update_s, nodegroup_update_s=nodegroup_update_s,
                                addon_update_s=addon_update_s, insights_refresh_s=insights_refresh_s)
        self.region = region
        self.aws = AwsEmulator(self.state, region=region, admin_app=self._admin_app)
        self.kube = KubeEmulator(self.state, before_request=self.advance, outage=self._kube_outage)
        self.tokens: dict[str, str] = {}
        self.clusters: dict[str, dict[str, Any]] = {}
        self.scenario: dict[str, Any] = {}
        # k8s_outage_requests fault: Kubernetes requests each cluster's API still fails after its update completed.
        self._outage_left: dict[str, int] = {}
        self._outage_served: dict[str, int] = {}
        self.state.events.subscribe("cluster_version_changed", self._on_cluster_version)
        self.state.events.subscribe("cluster_version_changed", self._replace_api_servers)
        self.state.events.subscribe("nodegroup_version_changed", self._on_nodegroup_version)
        self.state.events.subscribe("addon_version_changed", self._on_addon_version)

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", aws_port: int = 0, kube_port: int = 0) -> World:
        # https with a throwaway CA, as a real EKS endpoint: kubectl never sends a token over plain http.
        self.kube.start(host, kube_port, tls=True)
        self.aws.start(host, aws_port)
        # moto keeps its backends per process: a world starts from an empty AWS account.
        self.aws.reset()
        return self

    def stop(self) -> None:
        self.aws.stop()
        self.kube.stop()

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
        for cluster in data["clusters"]:
            self.add_cluster(cluster)

    def add_cluster(self, cluster: dict[str, Any]) -> None:
        name, version = cluster["name"], cluster["version"]
        auto = scenario.auto_mode_settings(cluster)
        token = f"eksworld-token-{secrets.token_hex(12)}"
        self.tokens[name] = token
        self.clusters[name] = cluster
        aws = self.aws_of(name)
        store = self.kube.add_cluster(name, git_version=catalog.git_version(version), token=token)
        for registration in scenario.custom_resource_types(cluster):
            store.register_resource(**registration)
        for obj in scenario.kube_objects(cluster):
            store.create(obj)
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
                ami_type=ami_type, instance_types=["p3.2xlarge"] if ng.get("gpu") else ["m5.large"],
                desired_size=int(ng.get("desired_size", 2)), pdb_blocks_drain=bool(ng.get("pdb_blocks_drain")),
                launch_template=ng.get("launch_template"))
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
        if scenario.auto_mode_settings(self.clusters.get(cluster) or {"version": version}):
            # EKS Auto Mode replaces its nodes with ones on the control plane's minor.
            store.set_kubelet_versions({"eks.amazonaws.com/compute-type": "auto"}, catalog.git_version(version))

    def _on_nodegroup_version(self, cluster: str, nodegroup: str, version: str, release_version: str | None = None,
                              kubelet_version: str | None = None) -> None:
        # A custom AMI's nodes run the kubelet of that AMI, whatever the node group's version says.
        self.kube.cluster(cluster).set_kubelet_versions({"eks.amazonaws.com/nodegroup": nodegroup},
                                                        catalog.git_version(kubelet_version or version))

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
        certificate from the same CA and, with k8s_outage_new_endpoint, at a new address."""
        spec = self.state.faults.spec_for(cluster)
        if spec.k8s_outage_requests <= 0:
            return
        self._outage_left[cluster] = spec.k8s_outage_requests
        self.kube.rotate_certificate()
        if spec.k8s_outage_new_endpoint:
            endpoint = self.kube.move_cluster(cluster)
            with self.state.lock:  # what DescribeCluster reports from now on
                self.aws_of(cluster).eks.cluster(cluster).endpoint = endpoint

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
                      "eks_aws_region": self.region}
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
            for key in ("cluster_update_s", "nodegroup_update_s", "addon_update_s", "insights_refresh_s"):
                if key in body:
                    setattr(self.state, key, float(body[key]))
            return {}
        raise ValueError(f"unknown admin call {method} {path}")


def start_from_file(path: str | Path, out_dir: str | Path, aws_port: int = 0, **durations: float) -> World:
    """Start a world seeded from a scenario file and write its inventory and kubeconfigs."""
    world = World(region=REGION, **durations).start(aws_port=aws_port)
    world.seed(scenario.load(path))
    world.write_outputs(out_dir)
    return world
