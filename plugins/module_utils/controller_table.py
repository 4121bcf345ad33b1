# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's module_utils boilerplate (coding, __future__, __metaclass__)
"""The dated compatibility tables of the controllers an EKS upgrade must account for, each with its source.

Data only (controller_compat.py judges with it). Every row says which controller versions (from, inclusive, to,
exclusive; None: no upper bound) support which Kubernetes minors (from and to, inclusive; None: no upper bound), where
that comes from and the day it was recorded. Update a table by reading its source again: change the rows, the
RECORDED day and, in tests/unit/plugins/module_utils/test_controller_compat.py, the rows it checks.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

KARPENTER = "karpenter"
LOAD_BALANCER_CONTROLLER = "aws-load-balancer-controller"
CLUSTER_AUTOSCALER = "cluster-autoscaler"

# What people call them, in messages.
NAMES = {KARPENTER: "Karpenter", LOAD_BALANCER_CONTROLLER: "AWS Load Balancer Controller",
         CLUSTER_AUTOSCALER: "Cluster Autoscaler"}

# When a controller must move relative to a control-plane hop. Karpenter and the AWS Load Balancer Controller support
# a range of minors, so a release that supports the next minor is installed before the hop. A Cluster Autoscaler
# release is built for one minor only (1.N.x for Kubernetes 1.N), so it moves right after each hop (the procedure's
# step 6; the post_upgrade role sets it).
BEFORE_HOP = "before"
AFTER_HOP = "after"
ORDER = {KARPENTER: BEFORE_HOP, LOAD_BALANCER_CONTROLLER: BEFORE_HOP, CLUSTER_AUTOSCALER: AFTER_HOP}

Row = namedtuple("Row", "controller versions_from versions_to kubernetes_from kubernetes_to source recorded")

# Karpenter: karpenter.sh's compatibility matrix is generated from compatibility.yaml in aws/karpenter-provider-aws
# (appVersion, minK8sVersion, maxK8sVersion per Karpenter minor); rows read from it at its v1.14.0 release
# (commit 692ccdd, 2026-07-11), consecutive Karpenter minors with the same Kubernetes range merged. 1.0.0 to 1.0.4
# stop at 1.30, 1.0.5 reaches 1.31, as the matrix's ">= 1.0.5" for 1.31 says.
KARPENTER_SOURCE = ("https://karpenter.sh/docs/upgrading/compatibility/ (generated from https://github.com/aws/"
                    "karpenter-provider-aws/blob/main/hack/docs/compatibilitymatrix_gen/compatibility.yaml)")
KARPENTER_RECORDED = "2026-12-05"
_KARPENTER = (
    ("0.21.0", "0.25.0", "1.21", "1.24"),
    ("0.25.0", "0.28.0", "1.21", "1.25"),
    ("0.28.0", "0.31.0", "1.23", "1.27"),
    ("0.31.0", "0.34.0", "1.23", "1.28"),
    ("0.34.0", "0.37.0", "1.23", "1.29"),
    ("0.37.0", "0.38.0", "1.23", "1.30"),
    ("1.0.0", "1.0.5", "1.25", "1.30"),
    ("1.0.5", "1.2.0", "1.25", "1.31"),
    ("1.2.0", "1.5.0", "1.25", "1.32"),
    ("1.5.0", "1.6.0", "1.26", "1.33"),
    ("1.6.0", "1.9.0", "1.26", "1.34"),
    ("1.9.0", "1.13.0", "1.26", "1.35"),
    ("1.13.0", "1.15.0", "1.26", "1.36"),
)

# AWS Load Balancer Controller: "Supported Kubernetes versions" of its installation guide (docs/deploy/installation.md,
# as of its v3.5.0 release, 2026-08-17): v2.0.0~v2.1.3 1.15-1.21, v2.2.0~v2.3.1 1.16-1.21, v2.4.0+ 1.19+, v2.5.0+
# 1.22+. It names no upper bound for v2.4.0 and later. The EKS procedure's own rule (2.4.7 or later before 1.25) is
# check aws-load-balancer-controller's, not this table's.
LOAD_BALANCER_CONTROLLER_SOURCE = ("https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/"
                                   "installation/#supported-kubernetes-versions")
LOAD_BALANCER_CONTROLLER_RECORDED = "2026-12-05"
_LOAD_BALANCER_CONTROLLER = (
    ("2.0.0", "2.2.0", "1.15", "1.21"),
    ("2.2.0", "2.4.0", "1.16", "1.21"),
    ("2.4.0", "2.5.0", "1.19", None),
    ("2.5.0", None, "1.22", None),
)

# Cluster Autoscaler: its README's "Releases" section: "Starting from Kubernetes 1.12, versioning scheme was changed to
# match Kubernetes minor releases exactly" (1.N.x for Kubernetes 1.N); releases exist up to cluster-autoscaler-1.36.0
# (2026-07-01).
CLUSTER_AUTOSCALER_SOURCE = "https://github.com/kubernetes/autoscaler/tree/master/cluster-autoscaler#releases"
CLUSTER_AUTOSCALER_RECORDED = "2026-12-05"
CLUSTER_AUTOSCALER_MINORS = range(12, 37)

# The latest patch release of each Cluster Autoscaler minor: the offline fallback of the post_upgrade role's step 6,
# which reads the image registry's tags first (eks_cluster_autoscaler_release). 1.31 to 1.36 read from the release
# preparation pull requests of kubernetes/autoscaler ("prepare v1.31.5 / v1.32.4 release", #8637 and #8638,
# 2025-10-08; "Update version.go to 1.33.6 / 1.34.5 / 1.35.2 / 1.36.1", #10030, #10029, #10028 and #10027,
# 2026-07-22); 1.23 to 1.30 as the table this one replaces had them (no later patch of those minors found).
# Starts at 1.23 as that table did.
CLUSTER_AUTOSCALER_RELEASES_SOURCE = "https://github.com/kubernetes/autoscaler/releases"
CLUSTER_AUTOSCALER_RELEASES_RECORDED = "2026-12-05"
CLUSTER_AUTOSCALER_RELEASES = {
    "1.23": "v1.23.1", "1.24": "v1.24.3", "1.25": "v1.25.3", "1.26": "v1.26.8", "1.27": "v1.27.8",
    "1.28": "v1.28.7", "1.29": "v1.29.5", "1.30": "v1.30.4", "1.31": "v1.31.5", "1.32": "v1.32.4",
    "1.33": "v1.33.6", "1.34": "v1.34.5", "1.35": "v1.35.2", "1.36": "v1.36.1",
}

SOURCES = {KARPENTER: (KARPENTER_SOURCE, KARPENTER_RECORDED),
           LOAD_BALANCER_CONTROLLER: (LOAD_BALANCER_CONTROLLER_SOURCE, LOAD_BALANCER_CONTROLLER_RECORDED),
           CLUSTER_AUTOSCALER: (CLUSTER_AUTOSCALER_SOURCE, CLUSTER_AUTOSCALER_RECORDED)}


def _rows(controller, ranges):
    source, recorded = SOURCES[controller]
    return tuple(Row(controller, *entry, source=source, recorded=recorded) for entry in ranges)


TABLE = (_rows(KARPENTER, _KARPENTER) + _rows(LOAD_BALANCER_CONTROLLER, _LOAD_BALANCER_CONTROLLER)
         + _rows(CLUSTER_AUTOSCALER, [("1.%d.0" % minor, "1.%d.0" % (minor + 1), "1.%d" % minor, "1.%d" % minor)
                                      for minor in CLUSTER_AUTOSCALER_MINORS]))

# The ClusterRole each Cluster Autoscaler release needs: the ClusterRole `cluster-autoscaler` of the AWS example
# manifest cloudprovider/aws/examples/cluster-autoscaler-autodiscover.yaml at the release's tag
# (cluster-autoscaler-1.N.0), read for 1.23 to 1.36: 1.23 to 1.32 ship the same rules; 1.33 adds volumeattachments;
# 1.36 adds resource.k8s.io's deviceclasses, resourceslices and resourceclaims (dynamic resource allocation).
CLUSTER_AUTOSCALER_MANIFEST = ("https://github.com/kubernetes/autoscaler/blob/cluster-autoscaler-%s/cluster-autoscaler/"
                               "cloudprovider/aws/examples/cluster-autoscaler-autodiscover.yaml")
CLUSTER_AUTOSCALER_RULES_SOURCE = ("https://github.com/kubernetes/autoscaler/tree/master/cluster-autoscaler/cloudprovider/"
                                   "aws/examples (cluster-autoscaler-autodiscover.yaml at each release's tag)")
CLUSTER_AUTOSCALER_RULES_RECORDED = "2026-12-05"
_READ = ["watch", "list", "get"]
_CA_RULES_1_23 = (
    {"apiGroups": [""], "resources": ["events", "endpoints"], "verbs": ["create", "patch"]},
    {"apiGroups": [""], "resources": ["pods/eviction"], "verbs": ["create"]},
    {"apiGroups": [""], "resources": ["pods/status"], "verbs": ["update"]},
    {"apiGroups": [""], "resources": ["endpoints"], "resourceNames": ["cluster-autoscaler"],
     "verbs": ["get", "update"]},
    {"apiGroups": [""], "resources": ["nodes"], "verbs": ["watch", "list", "get", "update"]},
    {"apiGroups": [""], "resources": ["namespaces", "pods", "services", "replicationcontrollers",
                                      "persistentvolumeclaims", "persistentvolumes"], "verbs": _READ},
    {"apiGroups": ["extensions"], "resources": ["replicasets", "daemonsets"], "verbs": _READ},
    {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"], "verbs": ["watch", "list"]},
    {"apiGroups": ["apps"], "resources": ["statefulsets", "replicasets", "daemonsets"], "verbs": _READ},
    {"apiGroups": ["storage.k8s.io"], "resources": ["storageclasses", "csinodes", "csidrivers", "csistoragecapacities"],
     "verbs": _READ},
    {"apiGroups": ["batch", "extensions"], "resources": ["jobs"], "verbs": ["get", "list", "watch", "patch"]},
    {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["create"]},
    {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "resourceNames": ["cluster-autoscaler"],
     "verbs": ["get", "update"]},
)
_CA_RULES_1_33 = _CA_RULES_1_23 + (
    {"apiGroups": ["storage.k8s.io"], "resources": ["volumeattachments"], "verbs": _READ},)
_CA_RULES_1_36 = _CA_RULES_1_33 + (
    {"apiGroups": ["resource.k8s.io"], "resources": ["deviceclasses", "resourceslices", "resourceclaims"],
     "verbs": _READ},)
# (first minor, last minor, rules)
CLUSTER_AUTOSCALER_RULES = (("1.23", "1.32", _CA_RULES_1_23), ("1.33", "1.35", _CA_RULES_1_33),
                            ("1.36", "1.36", _CA_RULES_1_36))
