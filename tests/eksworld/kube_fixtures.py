"""Complete Kubernetes objects as an EKS cluster holds them, for the kube emulator's tests.

The official client validates what it reads (a Node without all ten nodeInfo fields fails to
deserialise), so seeds must be as complete as real objects.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping

from eksworld.kube_store import ClusterStore
from eksworld.kube_types import JsonObject

ECR = "602401143452.dkr.ecr.us-west-2.amazonaws.com"  # where EKS pulls its system images
NODEGROUP_LABEL = "eks.amazonaws.com/nodegroup"
COREDNS_IMAGE = f"{ECR}/eks/coredns:v1.8.7-eksbuild.3"
COREFILE = """.:53 {
    errors
    health
    kubernetes cluster.local in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
    }
    forward . /etc/resolv.conf
    cache 30
}
"""


def _digest(*parts: str, length: int = 32) -> str:
    """Stable pseudo-random hex so seeded IDs do not change between runs."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def namespace(name: str) -> JsonObject:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def node(name: str, kubelet_version: str, labels: Mapping[str, str] | None = None) -> JsonObject:
    """A Node as an EKS worker registers it (kubelet_version like "v1.24.17-eks-5e0fdde")."""
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                                              **(labels or {})}},
        "spec": {"providerID": f"aws:///us-west-2a/i-{_digest('instance', name, length=17)}"},
        "status": {
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                            "message": "kubelet is posting ready status"}],
            "addresses": [{"type": "InternalIP", "address": "10.0.0.1"}, {"type": "Hostname", "address": name}],
            "nodeInfo": {
                "architecture": "amd64", "bootID": _digest("boot", name),
                "containerRuntimeVersion": "containerd://1.7.11",
                "kernelVersion": "5.10.205-195.807.amzn2.x86_64",
                "kubeProxyVersion": kubelet_version, "kubeletVersion": kubelet_version,
                "machineID": _digest("machine", name), "operatingSystem": "linux",
                "osImage": "Amazon Linux 2", "systemUUID": _digest("uuid", name),
            },
        },
    }


def _workload(kind: str, namespace_name: str, name: str, image: str,
              labels: Mapping[str, str] | None) -> JsonObject:
    selector = dict(labels or {"k8s-app": name})
    return {
        "apiVersion": "apps/v1", "kind": kind,
        "metadata": {"name": name, "namespace": namespace_name, "labels": dict(selector)},
        "spec": {"selector": {"matchLabels": selector},
                 "template": {"metadata": {"labels": dict(selector)},
                              "spec": {"containers": [{"name": name, "image": image,
                                                       "env": [{"name": "LOG_LEVEL", "value": "info"}]}],
                                       "volumes": [{"name": "config", "configMap": {"name": name}}]}}},
    }


def deployment(namespace_name: str, name: str, image: str, replicas: int = 2,
               labels: Mapping[str, str] | None = None) -> JsonObject:
    obj = _workload("Deployment", namespace_name, name, image, labels)
    obj["spec"]["replicas"] = replicas
    return obj


def daemonset(namespace_name: str, name: str, image: str) -> JsonObject:
    return _workload("DaemonSet", namespace_name, name, image, None)


def configmap(namespace_name: str, name: str, data: Mapping[str, str]) -> JsonObject:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": namespace_name}, "data": dict(data)}


def persistent_volume(name: str, volume_id: str) -> JsonObject:
    """An in-tree EBS volume (awsElasticBlockStore), as gp2 provisioned them before the CSI driver."""
    return {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name},
            "spec": {"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"],
                     "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "gp2",
                     "awsElasticBlockStore": {"volumeID": volume_id, "fsType": "ext4"}},
            "status": {"phase": "Bound"}}


def pod_disruption_budget(namespace_name: str, name: str, disruptions_allowed: int) -> JsonObject:
    """A PDB with the status its controller would report (the emulator runs no PDB controller)."""
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": name, "namespace": namespace_name},
            "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": name}}},
            "status": {"observedGeneration": 1, "disruptionsAllowed": disruptions_allowed,
                       "currentHealthy": 1 + disruptions_allowed, "desiredHealthy": 1,
                       "expectedPods": 1 + disruptions_allowed}}


def eks_privileged_psp() -> JsonObject:
    """The PodSecurityPolicy every EKS cluster created before 1.25 carries."""
    return {
        "apiVersion": "policy/v1beta1", "kind": "PodSecurityPolicy",
        "metadata": {"name": "eks.privileged",
                     "labels": {"eks.amazonaws.com/component": "pod-security-policy"}},
        "spec": {"privileged": True, "allowPrivilegeEscalation": True, "allowedCapabilities": ["*"],
                 "volumes": ["*"], "hostNetwork": True, "hostPorts": [{"min": 0, "max": 65535}],
                 "hostIPC": True, "hostPID": True, "runAsUser": {"rule": "RunAsAny"},
                 "seLinux": {"rule": "RunAsAny"}, "supplementalGroups": {"rule": "RunAsAny"},
                 "fsGroup": {"rule": "RunAsAny"}, "readOnlyRootFilesystem": False},
    }


def seed_eks_defaults(store: ClusterStore) -> None:
    """What a new EKS 1.24 cluster holds: system namespaces, CoreDNS, kube-proxy, VPC CNI, gp2,
    eks.privileged."""
    for name in ("default", "kube-system", "kube-public", "kube-node-lease"):
        store.create(namespace(name))
    store.create(configmap("kube-system", "coredns", {"Corefile": COREFILE}))
    store.create(deployment("kube-system", "coredns", COREDNS_IMAGE, 2,
                            labels={"k8s-app": "kube-dns", "eks.amazonaws.com/component": "coredns"}))
    store.create(daemonset("kube-system", "kube-proxy", f"{ECR}/eks/kube-proxy:v1.24.17-minimal-eksbuild.2"))
    store.create(daemonset("kube-system", "aws-node", f"{ECR}/amazon-k8s-cni:v1.18.3-eksbuild.1"))
    store.create({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                  "metadata": {"name": "gp2",
                               "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
                  "provisioner": "kubernetes.io/aws-ebs", "parameters": {"type": "gp2", "fsType": "ext4"},
                  "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer"})
    if store.minor < 25:
        store.create(eks_privileged_psp())
