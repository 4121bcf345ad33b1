#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: eks_fargate_redeploy
short_description: Redeploy the workloads whose Fargate pods run a kubelet older than the control plane
version_added: 0.2.0
description:
  - Steps 1 and 5 of AWS's I(Updating an Amazon EKS cluster Kubernetes version) procedure. On Fargate each pod is
    its own node, whose kubelet is the control plane's version when the pod starts and never changes. Before the
    control plane moves, a Fargate pod on an older minor must go ("delete the Pod that's represented by the
    node"); after an upgrade, existing Fargate pods keep their old kubelet until they are redeployed.
  - Finds the Fargate nodes (label C(eks.amazonaws.com/compute-type=fargate), or named C(fargate-*) without that
    label) whose kubelet minor is below O(kubelet_minor), the pods on them, and the workload that owns each pod
    (a ReplicaSet's Deployment, a StatefulSet, a DaemonSet).
  - Restarts each owner as C(kubectl rollout restart) does, by setting the pod template's
    C(kubectl.kubernetes.io/restartedAt) annotation. Its controller then replaces the pods as its update strategy
    allows, and Fargate starts the new pods on the control plane's version.
  - Waits for each rollout to finish with the judgement of M(lifecycle.eks.eks_workload_image) (kubernetes.core's
    readiness checks, and every pod updated and available, none unavailable). At most O(max_concurrent) owners
    restart at once; the next ones start when those are finished. A rollout that does not finish in
    O(wait_timeout) fails the module, naming the pods that are not ready and why; the owners restarted before are
    in the result.
  - Bare pods (no owner) are reported in RV(bare_pods), never deleted, since nothing would recreate them. Pods of other
    owners (a Job, a ReplicaSet without a Deployment, a custom controller) are reported in RV(not_restartable)
    with the reason.
  - Idempotent. The restarted pods run on new Fargate nodes at the control plane's minor, so a second run finds
    nothing to restart. Check mode reads only and returns the owners it would restart; diff mode shows each
    owner's restartedAt annotation before and after.
author:
  - lifecycle.eks contributors (!UNKNOWN)
options:
  kubelet_minor:
    description:
      - The Kubernetes minor the Fargate pods must run, for example V(1.30). Pods on an older kubelet are
        redeployed. At most the control plane's minor (new Fargate pods start on it).
      - When unset, the control plane's minor (as EKS DescribeCluster reports it).
    type: str
  max_concurrent:
    description:
      - How many owners restart at once, at most. Each batch is waited to readiness before the next starts.
    type: int
    default: 1
  wait_timeout:
    description:
      - Seconds to wait for each batch of restarts. With V(0), the rollouts are checked once after the change.
    type: int
    default: 600
extends_documentation_fragment:
  - lifecycle.eks.cluster
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - lifecycle.eks.kube
  - kubernetes.core.k8s_auth_options
  - lifecycle.eks.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
notes:
  - Permissions (docs/rbac.yaml) list nodes and pods, get ReplicaSets, and get and patch the Deployments,
    StatefulSets and DaemonSets it restarts.
"""

EXAMPLES = r"""
- name: Redeploy the workloads of Fargate pods left on an older kubelet after an upgrade, two at a time
  lifecycle.eks.eks_fargate_redeploy:
    cluster_name: prod-eu
    max_concurrent: 2
  register: fargate

- name: Show the bare Fargate pods, which only their owner can redeploy
  ansible.builtin.debug:
    msg: "{{ fargate.bare_pods | map(attribute='name') | list }}"
  when: fargate.bare_pods | length > 0
"""

RETURN = r"""
kubelet_minor:
  description: The minor the Fargate pods are judged against.
  returned: always
  type: str
  sample: "1.30"
lagging_nodes:
  description: The Fargate nodes whose kubelet minor is below RV(kubelet_minor), when the module started.
  returned: always
  type: list
  elements: str
  sample: [fargate-ip-10-0-9-12.ec2.internal]
restarted:
  description:
    - The owners restarted (in check mode, the owners it would restart), in order, each with the lagging pods and
      nodes it had and the restartedAt value set (not in check mode).
  returned: always
  type: list
  elements: dict
  sample: [{"kind": "Deployment", "namespace": "web", "name": "web", "pods": ["web/web-7d9f8c-abcde"],
            "nodes": ["fargate-ip-10-0-9-12.ec2.internal"], "restarted_at": "2026-12-05T11:40:00Z"}]
not_restartable:
  description: Owners of lagging pods that a rollout restart does not apply to, each with the reason.
  returned: always
  type: list
  elements: dict
  sample: [{"kind": "Job", "namespace": "batch", "name": "nightly", "pods": ["batch/nightly-x2k4p"],
            "nodes": ["fargate-ip-10-0-9-13.ec2.internal"],
            "reason": "a Job's pods run to completion; its next pods start on the new kubelet"}]
bare_pods:
  description: Lagging pods without an owner, reported and left alone (deleting one would lose it).
  returned: always
  type: list
  elements: dict
  sample: [{"namespace": "web", "name": "one-off-report", "node": "fargate-one-off-report",
            "kubelet": "v1.29.8-eks-a737599"}]
pods_not_ready:
  description: When a rollout did not finish in time, the pods not ready, with their owner and why.
  returned: when a rollout did not finish in time (the module fails)
  type: list
  elements: dict
  sample: [{"name": "web-6b9f7c5d8-x2k4p", "namespace": "web", "owner": "Deployment web/web", "phase": "Running",
            "containers": [{"name": "app", "reason": "CrashLoopBackOff", "restarts": 5}]}]
kube_retries:
  description: Kubernetes API requests retried (see O(kube_retry_timeout)).
  returned: always
  type: int
  sample: 0
"""

import time

from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.fargate import (
    RESTARTED_AT,
    batches,
    is_fargate_node,
    lagging_nodes,
    owner_key,
    plan_redeploy,
    restart_patch,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.kube import KubeApis, k8s_call, kube_client, not_found_is_none
from ansible_collections.lifecycle.eks.plugins.module_utils.rollout import readers, wait_for_rollouts
from ansible_collections.lifecycle.eks.plugins.module_utils.runner import eks_module, run
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import VersionError, parse_kube_version


def _label(owner):
    return "%s %s/%s" % owner_key(owner)


def _wanted_minor(params, control_plane):
    if not params["kubelet_minor"]:
        return control_plane
    try:
        minor = parse_kube_version(params["kubelet_minor"])
    except VersionError as exc:
        raise ModuleError("kubelet_minor: %s" % exc) from exc
    if minor > control_plane:
        raise ModuleError("kubelet_minor %s is above the control plane's %s: new Fargate pods start on %s, so they "
                          "could never reach it. Set kubelet_minor to %s or less, or leave it unset."
                          % (minor, control_plane, control_plane, control_plane))
    return minor


def _lagging_pods(apis, minor):
    """The lagging Fargate nodes and the pods on them ({namespace, name, node, kubelet, owners})."""
    fargate = {node.metadata.name: node.status.node_info.kubelet_version
               for node in k8s_call("list nodes", apis.core.list_node).items
               if is_fargate_node(node.metadata.name, node.metadata.labels)
               and node.status and node.status.node_info}  # a node whose kubelet has not reported runs no pod yet
    lagging = lagging_nodes(fargate, minor)
    if not lagging:
        return lagging, []
    on_lagging = set(lagging)
    pods = [{"namespace": pod.metadata.namespace, "name": pod.metadata.name, "node": pod.spec.node_name,
             "kubelet": fargate[pod.spec.node_name],
             "owners": [{"kind": o.kind, "name": o.name, "controller": bool(o.controller)}
                        for o in pod.metadata.owner_references or ()]}
            for pod in k8s_call("list pods", apis.core.list_pod_for_all_namespaces).items
            if pod.spec.node_name in on_lagging]
    return lagging, pods


def _replica_set_owners(apis):
    def read(namespace, name):
        replica_set = not_found_is_none("read ReplicaSet %s/%s" % (namespace, name),
                                        apis.apps.read_namespaced_replica_set, name, namespace)
        if replica_set is None:
            return None
        return [{"kind": o.kind, "name": o.name, "controller": bool(o.controller)}
                for o in replica_set.metadata.owner_references or ()]
    return read


def _current_restarts(apis, plan):
    """Each owner to restart with its current restartedAt; owners gone since their pods started move to
    not_restartable."""
    found = []
    for owner in plan["restart"]:
        obj = not_found_is_none("read " + _label(owner), readers(apis, owner["kind"])[0], owner["name"],
                                owner["namespace"])
        if obj is None:
            plan["not_restartable"].append(dict(owner, reason="%s not found" % _label(owner)))
            continue
        annotations = (obj.spec.template.metadata.annotations if obj.spec.template.metadata else None) or {}
        found.append((owner, annotations.get(RESTARTED_AT)))
    return found


def redeploy(module, clients):
    params = module.params
    if params["max_concurrent"] < 1:
        raise ModuleError("max_concurrent must be 1 or more, got %d." % params["max_concurrent"])
    if params["wait_timeout"] < 0:
        raise ModuleError("wait_timeout must be 0 or more seconds, got %d." % params["wait_timeout"])
    cluster = clients.describe_cluster(params["cluster_name"])
    minor = _wanted_minor(params, parse_kube_version(cluster["version"]))
    apis = KubeApis(kube_client(params, clients=clients, cluster=cluster))
    lagging, pods = _lagging_pods(apis, minor)
    plan = plan_redeploy(pods, _replica_set_owners(apis))
    owners = _current_restarts(apis, plan)
    restarted = [owner for owner, _before in owners]
    result = {"changed": bool(owners), "kubelet_minor": str(minor), "lagging_nodes": lagging,
              "restarted": restarted, "not_restartable": plan["not_restartable"], "bare_pods": plan["bare_pods"]}
    timestamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    if module._diff:
        result["diff"] = {"before": {_label(owner): {RESTARTED_AT: before} for owner, before in owners},
                          "after": {_label(owner): {RESTARTED_AT: timestamp} for owner, _before in owners}}
    if module.check_mode or not owners:
        return result
    done = []
    for batch in batches(restarted, params["max_concurrent"]):
        try:
            for owner in batch:
                k8s_call("restart " + _label(owner), readers(apis, owner["kind"])[1], owner["name"],
                         owner["namespace"], restart_patch(timestamp))
                done.append(dict(owner, restarted_at=timestamp))
            wait_for_rollouts(apis, [owner_key(owner) for owner in batch],
                              "Restart of %s" % ", ".join(_label(owner) for owner in batch), params["wait_timeout"])
        except ModuleError as exc:
            # What was restarted stays restarted: the failure reports it as a success would.
            exc.details["result"] = dict(result, changed=bool(done), restarted=done)
            raise
    result["restarted"] = done
    return result


def main():
    module = eks_module(dict(
        kubelet_minor=dict(type="str"),
        max_concurrent=dict(type="int", default=1),
        wait_timeout=dict(type="int", default=600),
    ))
    run(module, redeploy)


if __name__ == "__main__":
    main()
