"""Declarative fleet scenarios: a YAML file describes clusters; this seeds both APIs from it.

A scenario file::

    name: demo
    target_version: "1.30"          # default eks_target_version written to the inventory
    # add-on versions EKS offers besides the built-in catalog, world-wide (scenario_addon_catalog.py): a version
    # listing no minor N+1 leaves the add-on without one for it
    addon_catalog: {acme_telemetry-agent: {type: observability, publisher: acme, owner: aws-marketplace,
                    versions: [{version: v2.4.0-eksbuild.1, minors: ["1.29", "1.30"], default_for: ["1.30"]}]}}
    clusters:
      - name: prod-eu
        version: "1.29"             # control plane minor
        origin_version: "1.27"      # first deployed version (drives PSP / CoreDNS legacy seeds)
        target_version: "1.30"      # optional per-cluster override
        region: eu-west-1           # the AWS region it lives in (default the world's, us-east-1): the inventory
                                    # gives the host its eks_aws_region
        upgrade_policy: STANDARD    # upgradePolicy.supportType: STANDARD or EXTENDED (AWS's default)
        deletion_protection: true   # deletionProtection (default false)
        control_plane_scaling_tier: tier-xl   # controlPlaneScalingConfig.tier: standard (default), tier-xl, ...
        subnets: [{cidr: 10.0.1.0/24}, {cidr: 10.0.2.0/24, free_ips: 3}]
        security_group: true        # false: the cluster security group is missing
        # the cluster security group's rules: `inbound` replaces EKS's default (all traffic from itself), `outbound`
        # its all-traffic rule; a rule's peer is `cluster` (the cluster security group, the default) or a CIDR
        cluster_security_group_rules: {inbound: [{protocol: tcp, port: 443}],
                                       outbound: [{protocol: tcp, port: 10250}, {protocol: udp, port: 53}]}
        # more security groups given at cluster creation (securityGroupIds); outbound defaults to all traffic
        additional_security_groups: [{name: ops, inbound: [{protocol: tcp, port: 22, peer: 10.0.0.0/8}]}]
        nodegroups: [{name: general, version: "1.29", desired_size: 2, gpu: false,
                      ami_type: AL2023_x86_64_STANDARD, pdb_blocks_drain: false}]
        # GPU node groups: instance_type, labels, taints, gpus_advertised; the device plugin's scheduling
        # (workloads: nvidia_device_plugin: {version, tolerations, node_selector, affinity, name, namespace, helm...}):
        # scenario_gpu.py
        # a node group with a launch template (an EC2 launch template is created): `versions` gives, per
        # launch template version, the Kubernetes minor of its AMI (ami_type CUSTOM) or null (no AMI: EKS's);
        # the node group uses `version` (default 1)
        #   nodegroups: [{name: custom, ami_type: CUSTOM, launch_template: {name: custom-nodes, version: 1,
        #                                                                     versions: ["1.29", "1.30"]}}]
        # ami_type: the EKS AMI a self-managed node runs (its osImage: AL2_* Amazon Linux 2), default its minor's
        self_managed_nodes: [{name: legacy-1, kubelet: "1.28", ami_type: AL2_x86_64}]
        # self-managed node groups in Auto Scaling groups with a launch template (scenario_self_managed.py)
        self_managed_groups: [{name: workers, ami_family: AL2023_x86_64_STANDARD, kubelet: "1.29", size: 2}]
        fargate_nodes: [{name: web-abc, kubelet: "1.28", namespace: default}]   # a bare pod on its Fargate node
        # Deployments whose pods run on Fargate, one node each (scenario_fargate.py)
        fargate_workloads: [{name: web, namespace: web, replicas: 2, kubelet: "1.28"}]
        # EKS Hybrid Nodes (label eks.amazonaws.com/compute-type: hybrid) and their CNI's DaemonSet (scenario_hybrid.py)
        hybrid_nodes: [{name: mi-0a1b2c3d4e5f60001, kubelet: "1.28", os_image: "Ubuntu 22.04.5 LTS"}]
        hybrid_cni: {name: cilium, version: "1.17.9-0"}  # or {name: calico, version: v3.29.2, namespace: calico-system}
        addons: {vpc-cni: v1.18.5-eksbuild.1, coredns: default, kube-proxy: default}
        # an add-on's version may come with its settings (configurationValues: a mapping or JSON/YAML text)
        #   addons: {coredns: {version: default, configuration_values: {replicaCount: 3},
        #                      service_account_role_arn: "arn:aws:iam::123456789012:role/dns"}}
        self_managed_addons: [kube-proxy]   # run as plain workloads, not EKS add-ons
        workloads: {cluster_autoscaler: v1.28.2, aws_load_balancer_controller: v2.4.1,
                    nvidia_device_plugin: v0.14.0, fluentd: true}
        # the Cluster Autoscaler's ClusterRole (scenario_controllers.py): its name and rules beyond its manifest's
        cluster_autoscaler_rbac: {cluster_role: cluster-autoscaler, extra_rules: []}
        psp_eks_privileged: true    # false: the default policy was deleted (origin below 1.25)
        corefile_upstream: true     # CoreDNS Corefile carries the discontinued `upstream` line
        in_tree_ebs_volumes: 2
        pdbs: [{name: web, namespace: default, max_unavailable: 0}]
        insights: [{name: ..., status: ERROR, kubernetes_version: "1.30", deprecation_details: [...],
                    resources: [/apis/GROUP/VERSION/RESOURCE/NAME], ...}]   # AwsEmulator.add_insight
                                    # category: ROLLBACK_READINESS, kubernetes_version N-1: blocks a rollback
                                    # category: MISCONFIGURATION (version: the cluster's): a configuration insight
                                    # status: PASSING, WARNING, ERROR or UNKNOWN (botocore's enums; others refused)
        insights_refreshed_hours_ago: 30   # insights older than EKS's 24 h cycle (stale)
        update_in_progress: "1.30"  # an UpdateClusterVersion already running
        faults: {throttle_rate: 0.2}
        # Karpenter: its controller Deployment and CRDs (karpenter.sh NodePool, karpenter.k8s.aws EC2NodeClass at
        # api_version v1 or v1beta1); nodes labelled karpenter.sh/nodepool (kubelet: default the cluster version)
        karpenter: {version: "1.1.1", api_version: v1, namespace: kube-system,
                    ec2nodeclasses: [{name: default, ami_family: AL2023, ami_selector_terms: [{alias: al2023@latest}],
                                      amis: [{id: ami-0abc, name: amazon-eks-node-al2023-x86_64-standard-1.29-v2024}]}],
                    nodepools: [{name: default, node_class: default, nodes: 2, kubelet: "1.29",
                                 budgets: [{nodes: "10%"}], do_not_disrupt: false}]}
        # EKS Auto Mode: computeConfig.enabled, its NodePools (karpenter.sh/v1, NodeClass eks.amazonaws.com/v1),
        # nodes labelled eks.amazonaws.com/compute-type=auto; EKS moves their kubelet with the control plane
        auto_mode: {nodes: 2, node_pools: [general-purpose, system], kubelet: "1.29"}   # or: auto_mode: true
        inventory_vars: {eks_nodegroup_launch_templates: {custom: {version: "2"}}}   # host vars in the inventory
"""
from __future__ import annotations

import re
import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from eksworld import catalog
from eksworld.scenario_addon_catalog import addon_catalog_settings
from eksworld.scenario_controllers import autoscaler_objects, autoscaler_rbac_settings
from eksworld.scenario_fargate import fargate_workload_objects
from eksworld.scenario_fields import known_keys, minor_text
from eksworld.scenario_provisioners import auto_mode_settings, karpenter_settings
from eksworld.scenario_hybrid import cni_daemonset, hybrid_cni_settings, hybrid_node, hybrid_node_settings
from eksworld.scenario_gpu import device_plugin_daemon_set, kube_taints, nodegroup_taints, without_gpus
from eksworld.scenario_security_groups import security_group_settings
from eksworld.scenario_self_managed import group_settings as self_managed_group_settings

ECR = "602401143452.dkr.ecr.us-east-1.amazonaws.com"
UPGRADE_POLICIES = ("STANDARD", "EXTENDED")
REGION_NAME = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")
# botocore's ProvisionedControlPlaneTier enum (EKS Provisioned Control Plane).
CONTROL_PLANE_TIERS = ("standard", "tier-xl", "tier-2xl", "tier-4xl", "tier-8xl")
DEFAULT_ADDONS = ("vpc-cni", "coredns", "kube-proxy")
COREFILE = """.:53 {
    errors
    health {
        lameduck 5s
      }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
    }
    prometheus :9153
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
}
"""
# What a 1.17-era Corefile looked like: `upstream` alone on a line near the top of the kubernetes block.
COREFILE_WITH_UPSTREAM = COREFILE.replace(
    "      pods insecure\n", "      pods insecure\n      upstream\n", 1)


def load(path: str | Path) -> dict[str, Any]:
    """Read and validate a scenario file; errors name the file and the field."""
    return normalize(yaml.safe_load(Path(path).read_text()), str(path))


def normalize(data: Any, path: str = "scenario") -> dict[str, Any]:
    """Validate a scenario (as loaded from YAML) and expand its `count` entries."""
    if not isinstance(data, dict) or not isinstance(data.get("clusters"), list) or not data["clusters"]:
        raise ValueError(f"{path}: a scenario needs a non-empty 'clusters' list")
    data["clusters"] = _expand_counts(data["clusters"])
    names = [c.get("name") for c in data["clusters"]]
    if any(not n for n in names) or len(set(names)) != len(names):
        raise ValueError(f"{path}: every cluster needs a unique 'name'")
    data.setdefault("name", Path(path).stem)
    try:
        addon_catalog_settings(data.get("addon_catalog"))
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    for cluster in data["clusters"]:
        cluster["version"] = str(cluster.get("version", "1.29"))
        if not re.fullmatch(r"1\.\d{2}", cluster["version"]):
            raise ValueError(f"{path}: cluster {cluster['name']}: version must look like '1.29' (quoted)")
        region = cluster.get("region")
        if region is not None and not (isinstance(region, str) and REGION_NAME.fullmatch(region)):
            raise ValueError(f"{path}: cluster {cluster['name']}: region must be an AWS region name such as "
                             f"'eu-west-1', got {region!r}")
        if cluster.setdefault("upgrade_policy", "EXTENDED") not in UPGRADE_POLICIES:
            raise ValueError(f"{path}: cluster {cluster['name']}: upgrade_policy must be STANDARD or EXTENDED, "
                             f"got {cluster['upgrade_policy']!r}")
        if not isinstance(cluster.setdefault("deletion_protection", False), bool):
            raise ValueError(f"{path}: cluster {cluster['name']}: deletion_protection must be true or false, "
                             f"got {cluster['deletion_protection']!r}")
        if cluster.setdefault("control_plane_scaling_tier", "standard") not in CONTROL_PLANE_TIERS:
            raise ValueError(f"{path}: cluster {cluster['name']}: control_plane_scaling_tier must be one of "
                             f"{', '.join(CONTROL_PLANE_TIERS)}, got {cluster['control_plane_scaling_tier']!r}")
        try:
            for addon, wanted in (cluster.get("addons") or {}).items():
                addon_settings(addon, wanted)
        except ValueError as exc:
            raise ValueError(f"{path}: cluster {cluster['name']}: {exc}") from None
        age = cluster.get("insights_refreshed_hours_ago")
        if age is not None and (isinstance(age, bool) or not isinstance(age, (int, float)) or age < 0):
            raise ValueError(f"{path}: cluster {cluster['name']}: insights_refreshed_hours_ago must be a number of "
                             f"hours (0 or more); got {age!r}")
        try:
            for ng in cluster.get("nodegroups") or []:
                _check_launch_template(ng)
                nodegroup_taints(ng)
            if (cluster.get("workloads") or {}).get("nvidia_device_plugin"):
                device_plugin_daemon_set(cluster["workloads"]["nvidia_device_plugin"])
            karpenter_settings(cluster)
            auto_mode_settings(cluster)
            security_group_settings(cluster)
            hybrid_node_settings(cluster)
            hybrid_cni_settings(cluster)
            autoscaler_rbac_settings(cluster)
            self_managed_group_settings(cluster)
        except ValueError as exc:
            raise ValueError(f"{path}: cluster {cluster['name']}: {exc}") from None
        if not isinstance(cluster.get("inventory_vars", {}), dict):
            raise ValueError(f"{path}: cluster {cluster['name']}: inventory_vars must be a mapping of host variables")
    return data




def _check_launch_template(ng: dict[str, Any]) -> None:
    spec = ng.get("launch_template")
    if spec is None:
        return
    what = f"node group {ng.get('name')}: launch_template"
    known_keys(spec, ("name", "version", "versions"), what)
    if not spec.get("name"):
        raise ValueError(f"{what} needs a 'name'")
    versions = spec.get("versions")
    if versions is not None:
        if not isinstance(versions, list) or not versions:
            raise ValueError(f"{what}: versions must be a non-empty list (a Kubernetes minor or null per version)")
        for minor in versions:
            if minor is not None:
                minor_text(minor, f"{what}: versions entry")
    number = str(spec.get("version", 1))
    if not number.isdigit() or int(number) < 1 or (versions is not None and int(number) > len(versions)):
        raise ValueError(f"{what}: version {number} is not a version number of the template "
                         f"({len(versions) if versions is not None else 'any'} version(s))")


def _expand_counts(clusters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An entry with `count: N` stands for N identical clusters named NAME-001 ... NAME-N."""
    expanded = []
    for cluster in clusters:
        count = int(cluster.get("count", 0))
        if not count:
            expanded.append(cluster)
            continue
        template = {k: v for k, v in cluster.items() if k != "count"}
        expanded.extend({**copy.deepcopy(template), "name": f"{cluster['name']}-{i:03d}"}
                        for i in range(1, count + 1))
    return expanded


def _minor(version: str) -> int:
    return int(str(version).split(".")[1])


def _node_address(name: str) -> str:
    """The private IPv4 address of a node: the one its EC2 name spells (ip-10-0-1-5...), else a stable one."""
    spelled = re.match(r"(?:fargate-)?ip-(\d+)-(\d+)-(\d+)-(\d+)\b", name)
    if spelled:
        return ".".join(spelled.groups())
    digest = hashlib.sha1(name.encode()).digest()
    return f"10.0.{64 + digest[0] % 64}.{1 + digest[1] % 254}"


# The k8s.amazonaws.com/accelerator label of GPU nodes (EKS's Cluster Autoscaler docs), per instance family.
ACCELERATORS = {"p3": "nvidia-tesla-v100", "g4dn": "nvidia-tesla-t4", "g5": "nvidia-a10g"}


def nodegroup_instance_type(ng: dict[str, Any]) -> str:
    return str(ng.get("instance_type") or ("p3.2xlarge" if ng.get("gpu") else "m5.large"))


def _node(name: str, kubelet: str, labels: dict[str, str], zone: str = "us-east-1a",
          instance_type: str = "m5.large", gpu: bool = False, ami_type: str | None = None) -> dict[str, Any]:
    """A Node as kubelet registers it on EC2; `ami_type` (a node group's) picks its OS image, else the minor's."""
    git = catalog.git_version(kubelet)
    address = _node_address(name)
    capacity = {"cpu": "2", "memory": "7934464Ki", "pods": "29"}
    if gpu:
        capacity["nvidia.com/gpu"] = "1"
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": {
            "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
            "topology.kubernetes.io/zone": zone, "node.kubernetes.io/instance-type": instance_type,
            **labels}},
        "spec": {"providerID": f"aws:///{zone}/i-0{abs(hash(name)) % 10**16:016x}"},
        "status": {
            "capacity": capacity, "allocatable": capacity,
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                            "message": "kubelet is posting ready status",
                            "lastHeartbeatTime": "2026-11-01T00:00:00Z",
                            "lastTransitionTime": "2026-11-01T00:00:00Z"}],
            "addresses": [{"type": "InternalIP", "address": address},
                          {"type": "InternalDNS", "address": f"ip-{address.replace('.', '-')}.ec2.internal"},
                          {"type": "Hostname", "address": name}],
            "nodeInfo": {"kubeletVersion": git, "kubeProxyVersion": git,
                         **catalog.node_system_info(kubelet, ami_type), "operatingSystem": "linux",
                         "architecture": "amd64", "machineID": "ec2" + name[-8:], "systemUUID": "ec2" + name[-8:],
                         "bootID": "boot-" + name[-8:]}},
    }


def _workload(kind: str, name: str, namespace: str, container: str, image: str,
              labels: dict[str, str] | None = None, replicas: int = 2) -> dict[str, Any]:
    match = {"k8s-app": name, **(labels or {})}
    spec: dict[str, Any] = {
        "selector": {"matchLabels": match},
        "template": {"metadata": {"labels": match},
                     "spec": {"containers": [{"name": container, "image": image}]}},
    }
    if kind == "Deployment":
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": kind,
            "metadata": {"name": name, "namespace": namespace, "labels": match}, "spec": spec}


def addon_image(addon: str, version: str) -> str:
    """The image EKS runs for an add-on version (what `kubectl describe` shows)."""
    if addon == "vpc-cni":
        return f"{ECR}/amazon-k8s-cni:{version}"
    if addon == "coredns":
        return f"{ECR}/eks/coredns:{version}"
    if addon == "kube-proxy":
        return f"{ECR}/eks/kube-proxy:{version.replace('-eksbuild', '-minimal-eksbuild')}"
    if addon == "aws-ebs-csi-driver":
        return f"public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:{version.split('-')[0]}"
    raise ValueError(f"no image known for add-on {addon}")


ADDON_WORKLOADS = {  # add-on -> (kind, name, container)
    "vpc-cni": ("DaemonSet", "aws-node", "aws-node"),
    "coredns": ("Deployment", "coredns", "coredns"),
    "kube-proxy": ("DaemonSet", "kube-proxy", "kube-proxy"),
    "aws-ebs-csi-driver": ("Deployment", "ebs-csi-controller", "ebs-plugin"),
}


ADDON_SETTINGS = ("version", "configuration_values", "service_account_role_arn")


def addon_settings(addon: str, wanted: Any) -> tuple[str | None, str | None, str | None]:
    """(version, configurationValues text, serviceAccountRoleArn) of an `addons` entry: a version, or a mapping."""
    if wanted is None or isinstance(wanted, str):
        return wanted, None, None
    if not isinstance(wanted, dict) or set(wanted) - set(ADDON_SETTINGS):
        raise ValueError(f"add-on {addon}: give a version or a mapping of {', '.join(ADDON_SETTINGS)}; got {wanted!r}")
    config = wanted.get("configuration_values")
    if config is not None and not isinstance(config, str):
        config = json.dumps(config, sort_keys=True)
    role = wanted.get("service_account_role_arn")
    version = wanted.get("version")
    return (None if version is None else str(version)), config, (None if role is None else str(role))


def resolve_addon_version(addon: str, wanted: str | None, minor: str,
                          addon_catalog: catalog.AddonCatalog = catalog.BUILT_IN) -> str:
    if wanted in ("default", "latest", None):
        version = (addon_catalog.latest_version(addon, minor) if wanted == "latest"
                   else addon_catalog.default_version(addon, minor))
        if version is None:
            raise ValueError(f"add-on {addon} has no {wanted or 'default'} version for Kubernetes {minor}")
        return version
    return str(wanted)


def kube_objects(cluster: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Kubernetes object a real EKS cluster of this shape would hold."""
    version = cluster["version"]
    origin = str(cluster.get("origin_version", version))
    objects: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}
        for ns in ("default", "kube-system", "kube-public", "kube-node-lease")]
    node_index = 0
    for ng in cluster.get("nodegroups", []):
        gpu = bool(ng.get("gpu"))
        ng_version = str(ng.get("version", version))
        ami_type = ng.get("ami_type") or catalog.default_ami_type(ng_version, gpu=gpu)
        for _ in range(int(ng.get("desired_size", 2))):
            node_index += 1
            labels = {"eks.amazonaws.com/nodegroup": ng["name"], "eks.amazonaws.com/capacityType": "ON_DEMAND",
                      "eks.amazonaws.com/nodegroup-image": "ami-0c2b8ca1dad447f8a"}
            if gpu:
                labels["k8s.amazonaws.com/accelerator"] = ACCELERATORS.get(
                    nodegroup_instance_type(ng).split(".")[0], "nvidia")
            node = _node(f"ip-10-0-1-{node_index}.ec2.internal", ng_version, {**labels, **(ng.get("labels") or {})},
                         instance_type=nodegroup_instance_type(ng), gpu=gpu, ami_type=ami_type)
            taints = kube_taints(nodegroup_taints(ng))
            if taints:
                node["spec"]["taints"] = taints
            if gpu and ng.get("gpus_advertised") is False:
                without_gpus(node)
            objects.append(node)
    for node in cluster.get("self_managed_nodes", []):
        objects.append(_node(node["name"], str(node["kubelet"]), {"alpha.eksctl.io/nodegroup-name": "self-managed"},
                             ami_type=node.get("ami_type")))
    for node in cluster.get("fargate_nodes", []):
        name = f"fargate-{node['name']}"
        objects.append(_node(name, str(node["kubelet"]), {
            "eks.amazonaws.com/compute-type": "fargate",
            "eks.amazonaws.com/fargate-profile": node.get("profile", "fp-default")}))
        profile = node.get("profile", "fp-default")
        objects.append({"apiVersion": "v1", "kind": "Pod",
                        "metadata": {"name": node["name"], "namespace": node.get("namespace", "default"),
                                     "labels": {"eks.amazonaws.com/fargate-profile": profile}},
                        "spec": {"nodeName": name, "containers": [{"name": "app", "image": "nginx:1.27"}]},
                        "status": {"phase": "Running"}})
    objects += fargate_workload_objects(cluster, _node)
    objects += _karpenter_objects(cluster) + _auto_mode_objects(cluster)
    for node in hybrid_node_settings(cluster):
        objects.append(hybrid_node(_node(node["name"], node["kubelet"], {}), node["os_image"]))
    cni = hybrid_cni_settings(cluster)
    if cni:
        objects.append(cni_daemonset(cni))
    corefile = COREFILE_WITH_UPSTREAM if cluster.get("corefile_upstream") else COREFILE
    objects.append({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": "coredns", "namespace": "kube-system",
                                 "labels": {"eks.amazonaws.com/component": "coredns", "k8s-app": "kube-dns"}},
                    "data": {"Corefile": corefile}})
    addons = {**{a: "default" for a in DEFAULT_ADDONS}, **(cluster.get("addons") or {})}
    for addon, wanted in addons.items():
        if addon not in ADDON_WORKLOADS:
            continue
        kind, name, container = ADDON_WORKLOADS[addon]
        workload = _workload(kind, name, "kube-system", container, addon_image(
            addon, resolve_addon_version(addon, addon_settings(addon, wanted)[0], version)))
        if kind == "DaemonSet":  # EKS's node agents (aws-node, kube-proxy) tolerate every taint
            workload["spec"]["template"]["spec"]["tolerations"] = [{"operator": "Exists"}]
        objects.append(workload)
    workloads = cluster.get("workloads") or {}
    objects += autoscaler_objects(cluster, _workload)
    if workloads.get("aws_load_balancer_controller"):
        objects.append(_workload("Deployment", "aws-load-balancer-controller", "kube-system",
                                 "aws-load-balancer-controller",
                                 f"public.ecr.aws/eks/aws-load-balancer-controller:{workloads['aws_load_balancer_controller']}",
                                 {"app.kubernetes.io/name": "aws-load-balancer-controller"}))
    if workloads.get("nvidia_device_plugin"):
        objects.append(device_plugin_daemon_set(workloads["nvidia_device_plugin"]))
    if workloads.get("fluentd"):
        objects.append(_workload("DaemonSet", "fluentd-cloudwatch", "amazon-cloudwatch", "fluentd-cloudwatch",
                                 "fluent/fluentd-kubernetes-daemonset:v1.7.3-debian-cloudwatch-1.0",
                                 {"k8s-app": "fluentd-cloudwatch"}))
    if _minor(origin) < 25 and _minor(version) < 25 and cluster.get("psp_eks_privileged", True):
        objects.append({"apiVersion": "policy/v1beta1", "kind": "PodSecurityPolicy",
                        "metadata": {"name": "eks.privileged",
                                     "labels": {"eks.amazonaws.com/component": "pod-security-policy"}},
                        "spec": {"privileged": True, "allowPrivilegeEscalation": True,
                                 "allowedCapabilities": ["*"], "volumes": ["*"], "hostNetwork": True,
                                 "hostPorts": [{"min": 0, "max": 65535}], "hostIPC": True, "hostPID": True,
                                 "runAsUser": {"rule": "RunAsAny"}, "seLinux": {"rule": "RunAsAny"},
                                 "supplementalGroups": {"rule": "RunAsAny"}, "fsGroup": {"rule": "RunAsAny"},
                                 "readOnlyRootFilesystem": False}})
    volumes = int(cluster.get("in_tree_ebs_volumes", 0))
    if volumes:
        objects.append({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                        "metadata": {"name": "gp2", "annotations": {
                            "storageclass.kubernetes.io/is-default-class": "true"}},
                        "provisioner": "kubernetes.io/aws-ebs", "parameters": {"type": "gp2", "fsType": "ext4"},
                        "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer"})
    for index in range(volumes):
        objects.append({"apiVersion": "v1", "kind": "PersistentVolume",
                        "metadata": {"name": f"pvc-0ebs{index:04d}",
                                     "annotations": {"pv.kubernetes.io/provisioned-by": "kubernetes.io/aws-ebs"}},
                        "spec": {"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"],
                                 "storageClassName": "gp2", "persistentVolumeReclaimPolicy": "Delete",
                                 "awsElasticBlockStore": {"volumeID": f"aws://us-east-1a/vol-0{index:016x}",
                                                          "fsType": "ext4"}},
                        "status": {"phase": "Bound"}})
    for pdb in cluster.get("pdbs", []):
        spec: dict[str, Any] = {"selector": {"matchLabels": {"app": pdb["name"]}}}
        if "max_unavailable" in pdb:
            spec["maxUnavailable"] = pdb["max_unavailable"]
        else:
            spec["minAvailable"] = pdb.get("min_available", 1)
        objects.append({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                        "metadata": {"name": pdb["name"], "namespace": pdb.get("namespace", "default")},
                        "spec": spec,
                        "status": {"currentHealthy": 2, "desiredHealthy": 2, "disruptionsAllowed": 0
                                   if pdb.get("max_unavailable", 1) == 0 else 1, "expectedPods": 2,
                                   "observedGeneration": 1}})
    return _with_namespaces(objects)


def _karpenter_objects(cluster: dict[str, Any]) -> list[dict[str, Any]]:
    """Karpenter's controller, EC2NodeClasses, NodePools and the nodes it launched for them."""
    karpenter = karpenter_settings(cluster)
    if karpenter is None:
        return []
    version = karpenter["api_version"]
    objects = [_workload("Deployment", "karpenter", karpenter["namespace"], "controller",
                         f"public.ecr.aws/karpenter/controller:{karpenter['version']}",
                         {"app.kubernetes.io/name": "karpenter"})]
    for node_class in karpenter["ec2nodeclasses"]:
        spec: dict[str, Any] = {
            "role": f"KarpenterNodeRole-{cluster['name']}",
            "subnetSelectorTerms": [{"tags": {"karpenter.sh/discovery": cluster["name"]}}],
            "securityGroupSelectorTerms": [{"tags": {"karpenter.sh/discovery": cluster["name"]}}],
        }
        if node_class.get("ami_family"):
            spec["amiFamily"] = node_class["ami_family"]
        if node_class.get("ami_selector_terms") is not None:
            spec["amiSelectorTerms"] = node_class["ami_selector_terms"]
        obj: dict[str, Any] = {"apiVersion": f"karpenter.k8s.aws/{version}", "kind": "EC2NodeClass",
                               "metadata": {"name": node_class["name"]}, "spec": spec}
        if node_class.get("amis") is not None:
            obj["status"] = {"amis": node_class["amis"]}
        objects.append(obj)
    index = 0
    for pool in karpenter["nodepools"]:
        node_class = pool.get("node_class", "default")
        ref = ({"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": node_class} if version == "v1"
               else {"apiVersion": "karpenter.k8s.aws/v1beta1", "kind": "EC2NodeClass", "name": node_class})
        disruption: dict[str, Any] = {"consolidationPolicy": "WhenEmptyOrUnderutilized" if version == "v1"
                                      else "WhenUnderutilized"}
        if pool.get("budgets") is not None:
            disruption["budgets"] = pool["budgets"]
        objects.append({"apiVersion": f"karpenter.sh/{version}", "kind": "NodePool", "metadata": {"name": pool["name"]},
                        "spec": {"template": {"spec": {"nodeClassRef": ref, "requirements": [
                            {"key": "karpenter.sh/capacity-type", "operator": "In", "values": ["on-demand"]}]}},
                                 "disruption": disruption}})
        for _ in range(int(pool.get("nodes", 1))):
            index += 1
            node = _node(f"ip-10-0-2-{index}.ec2.internal", str(pool.get("kubelet") or cluster["version"]), {
                "karpenter.sh/nodepool": pool["name"], "karpenter.k8s.aws/ec2nodeclass": node_class,
                "karpenter.sh/capacity-type": "on-demand", "karpenter.sh/registered": "true",
                "karpenter.sh/initialized": "true"})
            if pool.get("do_not_disrupt"):
                node["metadata"]["annotations"] = {"karpenter.sh/do-not-disrupt": "true"}
            objects.append(node)
    return objects


def _auto_mode_objects(cluster: dict[str, Any]) -> list[dict[str, Any]]:
    """EKS Auto Mode's built-in NodePools and NodeClass, and its nodes (named after their EC2 instances)."""
    auto = auto_mode_settings(cluster)
    if auto is None:
        return []
    objects: list[dict[str, Any]] = [{"apiVersion": "eks.amazonaws.com/v1", "kind": "NodeClass",
                                      "metadata": {"name": "default"},
                                      "spec": {"role": f"AmazonEKSAutoNodeRole-{cluster['name']}"}}]
    for pool in auto["node_pools"]:
        objects.append({"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": pool}, "spec": {
            "template": {"spec": {"nodeClassRef": {"group": "eks.amazonaws.com", "kind": "NodeClass",
                                                   "name": "default"}}},
            "disruption": {"consolidationPolicy": "WhenEmptyOrUnderutilized", "budgets": [{"nodes": "10%"}]}}})
    pools = auto["node_pools"] or ["general-purpose"]
    for index in range(auto["nodes"]):
        name = "i-0" + hashlib.sha1(f"{cluster['name']}/{index}".encode()).hexdigest()[:16]
        objects.append(_node(name, auto["kubelet"], {
            "eks.amazonaws.com/compute-type": "auto", "karpenter.sh/nodepool": pools[index % len(pools)],
            "eks.amazonaws.com/nodeclass": "default"}))
    return objects


def _with_namespaces(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Namespaces first: every namespace an object lives in exists, as on a real cluster."""
    declared = {o["metadata"]["name"] for o in objects if o["kind"] == "Namespace"}
    needed = sorted({o["metadata"]["namespace"] for o in objects if o["metadata"].get("namespace")} - declared)
    namespaces = [o for o in objects if o["kind"] == "Namespace"]
    namespaces += [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}} for ns in needed]
    return namespaces + [o for o in objects if o["kind"] != "Namespace"]
