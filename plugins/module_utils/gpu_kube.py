# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GPU nodes and NVIDIA device plugin DaemonSets read through kube.py, and the wait for GPUs after a node group
update. The judging is gpu.py's."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.lifecycle.eks.plugins.module_utils import gpu
from ansible_collections.lifecycle.eks.plugins.module_utils.kube import k8s_call

FARGATE_LABEL = ("eks.amazonaws.com/compute-type", "fargate")
FIRST_DELAY = 0.2
MAX_DELAY = 10.0


def node_view(node):
    """A Node (the typed API's V1Node) as gpu.py reads it: name, labels, taints, GPU capacity and allocatable."""
    labels = dict(node.metadata.labels or {})
    status = node.status
    return {"name": node.metadata.name, "labels": labels,
            "taints": [{"key": t.key, "value": t.value or "", "effect": t.effect}
                       for t in (node.spec.taints if node.spec else None) or []],
            "capacity": gpu.resource_count(((status.capacity if status else None) or {}).get(gpu.GPU_RESOURCE)),
            "allocatable": gpu.resource_count(((status.allocatable if status else None) or {}).get(gpu.GPU_RESOURCE)),
            "fargate": labels.get(FARGATE_LABEL[0]) == FARGATE_LABEL[1]}


def _requirements(items):
    return [{"key": r.key, "operator": r.operator, "values": list(r.values or [])} for r in items or []]


def pod_scheduling(pod_spec):
    """What decides where a pod template's pods run: nodeSelector, required node affinity terms (None: no
    affinity), tolerations."""
    affinity = pod_spec.affinity.node_affinity if pod_spec.affinity else None
    required = affinity.required_during_scheduling_ignored_during_execution if affinity else None
    return {"node_selector": dict(pod_spec.node_selector or {}),
            "node_affinity": None if required is None else [
                {"match_expressions": _requirements(term.match_expressions),
                 "match_fields": _requirements(term.match_fields)} for term in required.node_selector_terms or []],
            "tolerations": [{"key": t.key, "operator": t.operator, "value": t.value, "effect": t.effect}
                            for t in pod_spec.tolerations or []]}


def device_plugin_entry(daemon_set):
    """{name, images, scheduling} of a DaemonSet running NVIDIA's device plugin, else None."""
    spec = daemon_set.spec.template.spec
    images = [c.image for c in spec.containers]
    if not gpu.is_device_plugin(images):
        return None
    return {"name": "%s/%s" % (daemon_set.metadata.namespace, daemon_set.metadata.name), "images": images,
            "scheduling": pod_scheduling(spec)}


def device_plugin_daemon_sets(apis):
    """The DaemonSets (typed V1DaemonSet) running NVIDIA's device plugin, in any namespace and under any name."""
    items = k8s_call("list DaemonSets", apis.apps.list_daemon_set_for_all_namespaces).items
    return [item for item in items if gpu.is_device_plugin([c.image for c in item.spec.template.spec.containers])]


def device_plugins(apis):
    return [device_plugin_entry(item) for item in device_plugin_daemon_sets(apis)]


def nodegroup_nodes(apis, nodegroup):
    items = k8s_call("list the nodes of node group " + nodegroup, apis.core.list_node,
                     label_selector="%s=%s" % (gpu.NODEGROUP_LABEL, nodegroup)).items
    return [node_view(n) for n in items]


def gpu_nodes_of(nodes, gpu_group):
    """The GPU nodes among a node group's nodes: in a GPU node group, those of no known other instance type."""
    return [n for n in nodes if gpu.is_gpu_node(n["labels"], n["capacity"])
            or (gpu_group and gpu.instance_type_of(n["labels"]) is None)]


def wait_for_gpu_allocatable(apis, nodegroup, timeout, clock=time.monotonic, sleep=time.sleep):
    """Poll the node group's GPU nodes until each advertises nvidia.com/gpu allocatable, for up to ``timeout``
    seconds (0: look once). Returns (the GPU nodes as last read, those not advertising)."""
    deadline = clock() + timeout
    delay = FIRST_DELAY
    while True:
        nodes = gpu_nodes_of(nodegroup_nodes(apis, nodegroup), True)
        missing = [n for n in nodes if not n["allocatable"]]
        remaining = deadline - clock()
        if not missing or remaining <= 0:
            return nodes, missing
        sleep(min(delay, remaining))
        delay = min(delay * 2, MAX_DELAY)


def verify_allocatable(apis, nodegroup, timeout):
    """After a GPU node group's update: {status: advertised | missing, nodes: {node: GPUs allocatable}, missing:
    [{node, reasons}]}; the reasons say where the device plugin DaemonSets would not run, and why."""
    nodes, missing = wait_for_gpu_allocatable(apis, nodegroup, timeout)
    record = {"status": "missing" if missing else "advertised",
              "nodes": {n["name"]: n["allocatable"] for n in nodes}}
    if missing:
        plugins = device_plugins(apis)
        record["missing"] = [{"node": n["name"], "reasons": gpu.not_advertised_reasons(plugins, n)} for n in missing]
    return record
