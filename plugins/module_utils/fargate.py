# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's module_utils boilerplate (coding, __future__, __metaclass__)
"""Which Fargate pods lag the control plane, which workload owns each, and in which order to restart them.

Steps 1 and 5 of the upgrade procedure: each Fargate pod is its own node, whose kubelet is the control plane's
version when the pod starts and never changes; a pod whose node lags must be redeployed. Pure logic, no I/O:
eks_fargate_redeploy reads the cluster and acts on this plan.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lifecycle.eks.plugins.module_utils.versions import parse_kube_version

COMPUTE_TYPE_LABEL = "eks.amazonaws.com/compute-type"
# What `kubectl rollout restart` sets on the pod template: a new template, so a rollout of new pods.
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
# The kinds `kubectl rollout restart` restarts.
RESTARTABLE = ("Deployment", "StatefulSet", "DaemonSet")
NOT_RESTARTABLE_REASONS = {
    "Job": "a Job's pods run to completion; its next pods start on the new kubelet",
    "ReplicaSet": "a ReplicaSet without a Deployment has no rollout: delete its pods and it recreates them",
}


def is_fargate_node(name, labels):
    """A Fargate node: labelled eks.amazonaws.com/compute-type=fargate, or named fargate-* without that label."""
    compute_type = (labels or {}).get(COMPUTE_TYPE_LABEL)
    return compute_type == "fargate" or (compute_type is None and name.startswith("fargate-"))


def lagging_nodes(nodes, minor):
    """The names of ``nodes`` ({name: kubelet version}) whose kubelet minor is below ``minor``."""
    wanted = parse_kube_version(minor)
    return sorted(name for name, kubelet in nodes.items() if parse_kube_version(kubelet) < wanted)


def controller_of(owner_references):
    """The controlling owner ({kind, name}) among a pod's or ReplicaSet's ownerReferences, or None.

    An object has at most one controller; an owner reference without ``controller`` only keeps the object from
    being garbage-collected and does not recreate it, so it is no owner to restart.
    """
    for reference in owner_references or ():
        if reference.get("controller"):
            return {"kind": reference["kind"], "name": reference["name"]}
    return None


def resolve_owner(namespace, pod_owners, replica_set_owners):
    """The workload to restart for a pod: ({kind, namespace, name}, reason it cannot be restarted or None),
    or (None, None) for a bare pod.

    ``pod_owners`` are the pod's ownerReferences; ``replica_set_owners(name)`` the ownerReferences of the
    ReplicaSet of that name in ``namespace`` (None when it does not exist), read only for pods a ReplicaSet owns.
    """
    owner = controller_of(pod_owners)
    if owner is None:
        return None, None
    if owner["kind"] == "ReplicaSet":
        references = replica_set_owners(owner["name"])
        if references is None:
            return dict(owner, namespace=namespace), "its ReplicaSet no longer exists"
        deployment = controller_of(references)
        if deployment is not None:
            owner = deployment
    workload = dict(owner, namespace=namespace)
    if owner["kind"] in RESTARTABLE:
        return workload, None
    return workload, NOT_RESTARTABLE_REASONS.get(owner["kind"], "%s is not a kind kubectl rollout restart restarts (%s)"
                                                 % (owner["kind"], ", ".join(RESTARTABLE)))


def owner_key(owner):
    return owner["kind"], owner["namespace"], owner["name"]


def plan_redeploy(pods, replica_set_owners):
    """Group lagging Fargate pods by what to do with them.

    ``pods``: [{namespace, name, node, kubelet, owners (ownerReferences)}]. Returns {"restart": [{kind, namespace,
    name, pods: [namespace/name], nodes}], "not_restartable": [... with reason], "bare_pods": [{namespace, name,
    node, kubelet}]}, each sorted by namespace and name, so that reruns and reports read the same.
    """
    restart, not_restartable, bare = {}, {}, []
    for pod in sorted(pods, key=lambda p: (p["namespace"], p["name"])):
        owner, reason = resolve_owner(pod["namespace"], pod.get("owners"),
                                      lambda name, namespace=pod["namespace"]: replica_set_owners(namespace, name))
        if owner is None:
            bare.append({key: pod[key] for key in ("namespace", "name", "node", "kubelet")})
            continue
        groups = restart if reason is None else not_restartable
        entry = groups.setdefault(owner_key(owner), dict(owner, pods=[], nodes=[]))
        if reason is not None:
            entry["reason"] = reason
        entry["pods"].append("%s/%s" % (pod["namespace"], pod["name"]))
        entry["nodes"].append(pod["node"])

    def ordered(groups):
        return [groups[key] for key in sorted(groups, key=lambda k: (k[1], k[2], k[0]))]

    return {"restart": ordered(restart), "not_restartable": ordered(not_restartable), "bare_pods": bare}


def batches(items, max_concurrent):
    """``items`` in consecutive groups of at most ``max_concurrent``: never more restarting at once."""
    if isinstance(max_concurrent, bool) or not isinstance(max_concurrent, int) or max_concurrent < 1:
        raise ValueError("max_concurrent must be a positive integer, got %r" % (max_concurrent,))
    return [items[start:start + max_concurrent] for start in range(0, len(items), max_concurrent)]


def restart_patch(timestamp):
    """The patch `kubectl rollout restart` sends: the pod template's restartedAt annotation."""
    return {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: timestamp}}}}}
