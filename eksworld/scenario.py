"""Declarative fleet scenarios: a YAML file describes clusters; this seeds both APIs from it.

A scenario file::

    name: demo
    target_version: "1.30"          # default eks_target_version written to the inventory
    clusters:
      - name: prod-eu
        version: "1.29"             # control plane minor
        origin_version: "1.27"      # first deployed version (drives PSP / CoreDNS legacy seeds)
        target_version: "1.30"      # optional per-cluster override
        upgrade_policy: STANDARD    # upgradePolicy.supportType: STANDARD or EXTENDED (AWS's default)
        subnets: [{cidr: 10.0.1.0/24}, {cidr: 10.0.2.0/24, free_ips: 3}]
        security_group: true        # false: the cluster security group is missing
        nodegroups: [{name: general, version: "1.29", desired_size: 2, gpu: false,
                      ami_type: AL2023_x86_64_STANDARD, pdb_blocks_drain: false}]
        self_managed_nodes: [{name: legacy-1, kubelet: "1.28"}]
        fargate_nodes: [{name: web-abc, kubelet: "1.28", namespace: default}]
        addons: {vpc-cni: v1.18.5-eksbuild.1, coredns: default, kube-proxy: default}
        # an add-on's version may come with its settings (configurationValues: a mapping or JSON/YAML text)
        #   addons: {coredns: {version: default, configuration_values: {replicaCount: 3},
        #                      service_account_role_arn: "arn:aws:iam::123456789012:role/dns"}}
        self_managed_addons: [kube-proxy]   # run as plain workloads, not EKS add-ons
        workloads: {cluster_autoscaler: v1.28.2, aws_load_balancer_controller: v2.4.1,
                    nvidia_device_plugin: v0.14.0, fluentd: true}
        psp_eks_privileged: true    # false: the default policy was deleted (origin below 1.25)
        corefile_upstream: true     # CoreDNS Corefile carries the discontinued `upstream` line
        in_tree_ebs_volumes: 2
        pdbs: [{name: web, namespace: default, max_unavailable: 0}]
        insights: [{name: ..., status: ERROR, kubernetes_version: "1.30", deprecation_details: [...],
                    resources: [/apis/GROUP/VERSION/RESOURCE/NAME], ...}]   # AwsEmulator.add_insight
                                    # category: ROLLBACK_READINESS, kubernetes_version N-1: blocks a rollback
        insights_refreshed_hours_ago: 30   # insights older than EKS's 24 h cycle (stale)
        update_in_progress: "1.30"  # an UpdateClusterVersion already running
        faults: {throttle_rate: 0.2}
"""
from __future__ import annotations

import re
import copy
import json
from pathlib import Path
from typing import Any

import yaml

from eksworld import catalog

ECR = "602401143452.dkr.ecr.us-east-1.amazonaws.com"
UPGRADE_POLICIES = ("STANDARD", "EXTENDED")
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
    for cluster in data["clusters"]:
        cluster["version"] = str(cluster.get("version", "1.29"))
        if not re.fullmatch(r"1\.\d{2}", cluster["version"]):
            raise ValueError(f"{path}: cluster {cluster['name']}: version must look like '1.29' (quoted)")
        if cluster.setdefault("upgrade_policy", "EXTENDED") not in UPGRADE_POLICIES:
            raise ValueError(f"{path}: cluster {cluster['name']}: upgrade_policy must be STANDARD or EXTENDED, "
                             f"got {cluster['upgrade_policy']!r}")
        try:
            for addon, wanted in (cluster.get("addons") or {}).items():
                addon_settings(addon, wanted)
        except ValueError as exc:
            raise ValueError(f"{path}: cluster {cluster['name']}: {exc}") from None
        age = cluster.get("insights_refreshed_hours_ago")
        if age is not None and (isinstance(age, bool) or not isinstance(age, (int, float)) or age < 0):
            raise ValueError(f"{path}: cluster {cluster['name']}: insights_refreshed_hours_ago must be a number of "
                             f"hours (0 or more); got {age!r}")
    return data


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


def _node(name: str, kubelet: str, labels: dict[str, str], zone: str = "us-east-1a",
          instance_type: str = "m5.large", gpu: bool = False) -> dict[str, Any]:
    git = catalog.git_version(kubelet)
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
            "nodeInfo": {"kubeletVersion": git, "kubeProxyVersion": git,
                         "containerRuntimeVersion": "containerd://1.7.22", "osImage": "Amazon Linux 2023",
                         "kernelVersion": "6.1.112-122.189.amzn2023.x86_64", "operatingSystem": "linux",
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


def resolve_addon_version(addon: str, wanted: str | None, minor: str) -> str:
    if wanted in ("default", "latest", None):
        version = (catalog.latest_addon_version(addon, minor) if wanted == "latest"
                   else catalog.default_addon_version(addon, minor))
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
        for _ in range(int(ng.get("desired_size", 2))):
            node_index += 1
            labels = {"eks.amazonaws.com/nodegroup": ng["name"], "eks.amazonaws.com/capacityType": "ON_DEMAND",
                      "eks.amazonaws.com/nodegroup-image": "ami-0c2b8ca1dad447f8a"}
            if gpu:
                labels["k8s.amazonaws.com/accelerator"] = "nvidia-tesla-v100"
            objects.append(_node(f"ip-10-0-1-{node_index}.ec2.internal", str(ng.get("version", version)),
                                 labels, instance_type="p3.2xlarge" if gpu else "m5.large", gpu=gpu))
    for node in cluster.get("self_managed_nodes", []):
        objects.append(_node(node["name"], str(node["kubelet"]), {"alpha.eksctl.io/nodegroup-name": "self-managed"}))
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
        objects.append(_workload(kind, name, "kube-system", container, addon_image(
            addon, resolve_addon_version(addon, addon_settings(addon, wanted)[0], version))))
    workloads = cluster.get("workloads") or {}
    if workloads.get("cluster_autoscaler"):
        objects.append(_workload("Deployment", "cluster-autoscaler", "kube-system", "cluster-autoscaler",
                                 f"registry.k8s.io/autoscaling/cluster-autoscaler:{workloads['cluster_autoscaler']}",
                                 {"app": "cluster-autoscaler"}, replicas=1))
    if workloads.get("aws_load_balancer_controller"):
        objects.append(_workload("Deployment", "aws-load-balancer-controller", "kube-system",
                                 "aws-load-balancer-controller",
                                 f"public.ecr.aws/eks/aws-load-balancer-controller:{workloads['aws_load_balancer_controller']}",
                                 {"app.kubernetes.io/name": "aws-load-balancer-controller"}))
    if workloads.get("nvidia_device_plugin"):
        objects.append(_workload("DaemonSet", "nvidia-device-plugin-daemonset", "kube-system",
                                 "nvidia-device-plugin-ctr",
                                 f"nvcr.io/nvidia/k8s-device-plugin:{workloads['nvidia_device_plugin']}",
                                 {"name": "nvidia-device-plugin-ds"}))
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


def _with_namespaces(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Namespaces first: every namespace an object lives in exists, as on a real cluster."""
    declared = {o["metadata"]["name"] for o in objects if o["kind"] == "Namespace"}
    needed = sorted({o["metadata"]["namespace"] for o in objects if o["metadata"].get("namespace")} - declared)
    namespaces = [o for o in objects if o["kind"] == "Namespace"]
    namespaces += [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}} for ns in needed]
    return namespaces + [o for o in objects if o["kind"] != "Namespace"]
