# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""GPU nodes and the NVIDIA device plugin. Pure: gpu_kube.py reads, this judges.

A GPU's ``nvidia.com/gpu`` appears in a node's ``status.allocatable`` only while an NVIDIA device plugin pod runs
on the node. A managed node group update replaces every node: the new nodes get the node group's labels and
taints (DescribeNodegroup ``labels``, ``taints``), and the device plugin DaemonSet must schedule there again. Two
ways it does not, both hit by eksctl users: the DaemonSet does not tolerate the GPU node group's taint
(``nvidia.com/gpu:NoSchedule``; eksctl copied node group taints into its tolerations for AL2 AMI types only, so
AL2023 GPU node groups lost it: eksctl#8550), or it selects no GPU label and lands on every node (eksctl#8858).

Which node is a GPU node: its labels (``nvidia.com/gpu.present=true`` of GPU feature discovery, the PCI vendor
label of node feature discovery, ``eks.amazonaws.com/instance-gpu-manufacturer=nvidia`` of EKS Auto Mode,
``karpenter.k8s.aws/instance-gpu-manufacturer=nvidia`` of Karpenter, ``k8s.amazonaws.com/accelerator`` of the
EKS Cluster Autoscaler docs), an NVIDIA instance family (p*, g* but g4ad, AMD's) in
``node.kubernetes.io/instance-type``, or an ``nvidia.com/gpu`` capacity. A managed node group is a GPU node group
by its instance types, or, when they are in a launch template, by an NVIDIA AMI type.

Scheduling is Kubernetes': a DaemonSet pod runs on a node when the node matches its ``nodeSelector`` and required
node affinity, and it tolerates every NoSchedule and NoExecute taint of the node (the DaemonSet controller adds
tolerations of the node condition taints to every daemon pod).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lifecycle.eks.plugins.module_utils.versions import parse_kube_version

GPU_RESOURCE = "nvidia.com/gpu"
NODEGROUP_LABEL = "eks.amazonaws.com/nodegroup"
INSTANCE_TYPE_LABELS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
# A label -> the values that say "an NVIDIA GPU" (None: any value), in the order a remediation suggests them.
GPU_LABELS = (
    ("nvidia.com/gpu.present", ("true",)),
    ("eks.amazonaws.com/instance-gpu-manufacturer", ("nvidia",)),
    ("karpenter.k8s.aws/instance-gpu-manufacturer", ("nvidia",)),
    ("feature.node.kubernetes.io/pci-10de.present", ("true",)),
    ("k8s.amazonaws.com/accelerator", None),
)
# EKS AMI types with the NVIDIA driver (botocore's AMITypes; AL2_x86_64_GPU serves Inferentia instances too).
NVIDIA_AMI_TYPES = frozenset(("AL2_x86_64_GPU", "AL2023_x86_64_NVIDIA", "AL2023_ARM_64_NVIDIA",
                              "BOTTLEROCKET_x86_64_NVIDIA", "BOTTLEROCKET_ARM_64_NVIDIA",
                              "BOTTLEROCKET_x86_64_NVIDIA_FIPS", "BOTTLEROCKET_ARM_64_NVIDIA_FIPS"))
# GPU instance families whose GPUs are not NVIDIA's.
NOT_NVIDIA_FAMILIES = frozenset(("g4ad",))
# The image of NVIDIA's device plugin (nvcr.io/nvidia/k8s-device-plugin, nvidia/k8s-device-plugin, mirrors).
DEVICE_PLUGIN_IMAGE = "k8s-device-plugin"
# DescribeNodegroup taint effects -> Kubernetes'.
EFFECTS = {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute", "PREFER_NO_SCHEDULE": "PreferNoSchedule"}
BLOCKING_EFFECTS = frozenset(("NoSchedule", "NoExecute"))
# What the DaemonSet controller adds to every daemon pod (pkg/controller/daemon/util AddOrUpdateDaemonPodTolerations).
DAEMON_POD_TOLERATIONS = tuple(
    {"key": "node.kubernetes.io/" + key, "operator": "Exists", "effect": effect}
    for key, effect in (("not-ready", "NoExecute"), ("unreachable", "NoExecute"), ("disk-pressure", "NoSchedule"),
                        ("memory-pressure", "NoSchedule"), ("pid-pressure", "NoSchedule"),
                        ("unschedulable", "NoSchedule")))
MAX_NAMED = 10
# Labels of one node, not of the node group: left out of the nodes a node group launches next.
NODE_OWN_LABELS = frozenset(("kubernetes.io/hostname",))


def instance_type_of(labels):
    return next((labels[key] for key in INSTANCE_TYPE_LABELS if labels.get(key)), None)


def nvidia_instance_type(instance_type):
    """Whether an EC2 instance type carries NVIDIA GPUs: the p and g families, but AMD's g4ad."""
    family = (instance_type or "").split(".", 1)[0].lower()
    return family[:1] in ("p", "g") and family not in NOT_NVIDIA_FAMILIES


def gpu_label(labels):
    """The label that says the node has an NVIDIA GPU, as "key=value", or None."""
    for key, values in GPU_LABELS:
        value = labels.get(key)
        if value is not None and (values is None or value.lower() in values):
            return "%s=%s" % (key, value)
    return None


def is_gpu_node(labels, capacity=0):
    """An NVIDIA GPU node: by a GPU label, an NVIDIA instance type, or an nvidia.com/gpu capacity."""
    return bool(gpu_label(labels) or nvidia_instance_type(instance_type_of(labels)) or capacity)


def is_gpu_nodegroup(group):
    """A managed node group of NVIDIA GPU nodes (a summarize_nodegroup() entry)."""
    if group.get("instance_types"):
        return any(nvidia_instance_type(t) for t in group["instance_types"])
    return group.get("ami_type") in NVIDIA_AMI_TYPES or bool(gpu_label(group.get("labels") or {}))


def resource_count(quantity):
    """An extended resource's quantity ("1", "8") as a number; 0 when absent or not a whole number."""
    try:
        return max(int(str(quantity)), 0) if quantity is not None else 0
    except ValueError:
        return 0


def kube_taint(taint):
    """A DescribeNodegroup taint ({key, value, effect: NO_SCHEDULE}) as a node carries it."""
    return {"key": taint.get("key"), "value": taint.get("value") or "",
            "effect": EFFECTS.get(taint.get("effect"), taint.get("effect"))}


def taint_text(taint):
    value = taint.get("value")
    return "%s%s:%s" % (taint.get("key"), "=" + value if value else "", taint.get("effect"))


def tolerates(toleration, taint):
    """Kubernetes' ToleratesTaint: the effect (any when empty), the key (any with an empty key and Exists), the
    value (Equal, the default operator) or any value (Exists)."""
    if toleration.get("effect") and toleration["effect"] != taint.get("effect"):
        return False
    if toleration.get("key") and toleration["key"] != taint.get("key"):
        return False
    if (toleration.get("operator") or "Equal") == "Exists":
        return True
    return bool(toleration.get("key")) and (toleration.get("value") or "") == (taint.get("value") or "")


def untolerated_taints(tolerations, taints):
    """The node's NoSchedule and NoExecute taints a daemon pod with these tolerations does not tolerate."""
    every = list(tolerations or []) + list(DAEMON_POD_TOLERATIONS)
    return [t for t in taints or [] if t.get("effect") in BLOCKING_EFFECTS
            and not any(tolerates(toleration, t) for toleration in every)]


def requirement_matches(requirement, labels):
    """A NodeSelectorRequirement: In, NotIn, Exists, DoesNotExist, Gt, Lt (NotIn and DoesNotExist match a node
    without the label; Gt and Lt compare whole numbers)."""
    key, operator, values = requirement.get("key"), requirement.get("operator"), requirement.get("values") or []
    value = labels.get(key)
    if operator == "In":
        return value in values
    if operator == "NotIn":
        return value not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    if operator in ("Gt", "Lt") and value is not None and len(values) == 1:
        try:
            number, bound = int(value), int(values[0])
        except ValueError:
            return False
        return number > bound if operator == "Gt" else number < bound
    return False


def term_matches(term, node):
    """A NodeSelectorTerm: all its expressions (labels) and fields (metadata.name); an empty term matches nothing."""
    expressions, fields = term.get("match_expressions") or [], term.get("match_fields") or []
    if not expressions and not fields:
        return False
    names = {"metadata.name": node.get("name")}
    return all(requirement_matches(r, node.get("labels") or {}) for r in expressions) and \
        all(requirement_matches(r, names) for r in fields)


def selection_misses(scheduling, node):
    """Why the pod's nodeSelector and required node affinity leave the node out (empty: they select it)."""
    labels = node.get("labels") or {}
    reasons = ["nodeSelector %s=%s (the node has %s)" % (key, value, labels.get(key, "no such label"))
               for key, value in sorted((scheduling.get("node_selector") or {}).items()) if labels.get(key) != value]
    terms = scheduling.get("node_affinity")
    if terms is not None and not any(term_matches(term, node) for term in terms):
        reasons.append("required node affinity (%s)" % " or ".join(term_text(t) for t in terms) if terms
                       else "required node affinity with no term")
    return reasons


def term_text(term):
    parts = ["%s %s%s" % (r.get("key"), r.get("operator"), " [%s]" % ", ".join(r["values"]) if r.get("values") else "")
             for r in (term.get("match_expressions") or []) + (term.get("match_fields") or [])]
    return " and ".join(parts) or "an empty term"


def why_not_scheduled(scheduling, node):
    """Why a daemon pod with this scheduling would not run on the node, as sentences (empty: it runs there)."""
    reasons = ["its %s does not select the node" % r for r in selection_misses(scheduling, node)]
    reasons += ["it does not tolerate the node's taint %s" % taint_text(t)
                for t in untolerated_taints(scheduling.get("tolerations"), node.get("taints"))]
    return reasons


def is_device_plugin(images):
    """NVIDIA's device plugin: an image named k8s-device-plugin, in any registry (not AWS's aws-efa-k8s-device-plugin
    or aws-neuron-k8s-device-plugin)."""
    return any((image or "").rsplit("/", 1)[-1].split("@", 1)[0].split(":", 1)[0] == DEVICE_PLUGIN_IMAGE
               for image in images)


def nodegroup_templates(group, nodes):
    """The nodes a managed node group launches next, one per instance type: the labels every current node of the
    group shares (those the node group, the AMI and node feature discovery set), the node group's labels, its name
    and the instance type; the node group's taints (DescribeNodegroup), which EKS gives every new node."""
    shared = None
    for node in nodes:
        items = set((node.get("labels") or {}).items())
        shared = items if shared is None else shared & items
    base = {key: value for key, value in shared or () if key not in NODE_OWN_LABELS}
    base.update(group.get("labels") or {})
    base[NODEGROUP_LABEL] = group["name"]
    taints = [kube_taint(t) for t in group.get("taints") or []]
    name = "new nodes of node group %s" % group["name"]
    types = group.get("instance_types") or [instance_type_of(base)]
    return [{"name": name if len(types) == 1 else "%s (%s)" % (name, t), "template": True,
             "labels": dict(base, **{INSTANCE_TYPE_LABELS[0]: t}) if t else base, "taints": taints} for t in types]


def scheduling_facts(nodes, nodegroups, device_plugins):
    """Where the NVIDIA device plugin DaemonSets run and where they do not.

    ``nodes`` as gpu_kube.node_view() makes them, ``nodegroups`` summarize_nodegroup() entries (with labels and
    taints), ``device_plugins`` [{name, scheduling}]. Judged for the current nodes and the nodes each managed
    node group launches next: ``misses`` are GPU nodes (or node groups' new nodes) no device plugin runs on,
    with why; ``extra`` the other nodes one runs on. Fargate nodes run no DaemonSet and are left out.
    """
    nodes = [n for n in nodes if not n.get("fargate")]
    by_group = {}
    for node in nodes:
        by_group.setdefault((node.get("labels") or {}).get(NODEGROUP_LABEL), []).append(node)
    gpu_groups = sorted(g["name"] for g in nodegroups if is_gpu_nodegroup(g))
    targets = [dict(n, gpu=is_gpu_node(n.get("labels") or {}, n.get("capacity"))
                    or (n.get("labels") or {}).get(NODEGROUP_LABEL) in gpu_groups) for n in nodes]
    for group in sorted(nodegroups, key=lambda g: g["name"]):
        targets += [dict(t, gpu=group["name"] in gpu_groups)
                    for t in nodegroup_templates(group, by_group.get(group["name"], []))]
    misses, extra = [], []
    for target in targets:
        reasons = {p["name"]: why_not_scheduled(p["scheduling"], target) for p in device_plugins}
        runs = [name for name, why in reasons.items() if not why]
        if target["gpu"] and not runs:
            misses.append({"node": target["name"], "template": bool(target.get("template")),
                           "reasons": ["%s: %s" % (name, "; ".join(why)) for name, why in sorted(reasons.items())],
                           "taints": [t for p in device_plugins for t in
                                      untolerated_taints(p["scheduling"].get("tolerations"), target.get("taints"))]})
        elif not target["gpu"] and runs:
            extra.append({"node": target["name"], "template": bool(target.get("template")), "device_plugins": runs})
    gpu_nodes = [t for t in targets if t["gpu"] and not t.get("template")]
    return {"gpu_nodegroups": gpu_groups,
            "gpu_nodes": [{"name": n["name"], "nodegroup": (n.get("labels") or {}).get(NODEGROUP_LABEL),
                           "allocatable": n.get("allocatable", 0)} for n in gpu_nodes],
            "gpu_instance_types": sorted({instance_type_of(t.get("labels") or {}) for t in targets if t["gpu"]}
                                         - {None}),
            "gpu_labels": sorted({gpu_label(t.get("labels") or {}) for t in targets if t["gpu"]} - {None}),
            "device_plugins": sorted(p["name"] for p in device_plugins), "misses": misses, "extra": extra}


def _named(names):
    names = list(names)
    shown = ", ".join(names[:MAX_NAMED])
    return shown + (" and %d more" % (len(names) - MAX_NAMED) if len(names) > MAX_NAMED else "")


def selector_suggestion(facts):
    """A required node affinity only the GPU nodes match: a GPU label they carry, else their instance types."""
    if facts["gpu_labels"]:
        key, value = facts["gpu_labels"][0].split("=", 1)
        return "%s In [%s]" % (key, value)
    if facts["gpu_instance_types"]:
        return "%s In [%s]" % (INSTANCE_TYPE_LABELS[0], ", ".join(facts["gpu_instance_types"]))
    return "nvidia.com/gpu.present In [true] (a label to set on the GPU node groups)"


def device_plugin_verdict(facts, strict):
    """(status, message, remediation) of check gpu-device-plugin-scheduling; ``strict``: GPU nodes are about to
    be replaced (a hop or a node group update pending), so a device plugin that would miss them fails."""
    if not facts["gpu_nodegroups"] and not facts["gpu_nodes"]:
        return "pass", "No GPU node and no GPU node group.", ""
    if not facts["device_plugins"]:
        advertised = [n["name"] for n in facts["gpu_nodes"] if n["allocatable"]]
        if advertised:
            return "pass", ("No NVIDIA device plugin DaemonSet (image %s) found, but GPU nodes %s advertise %s "
                            "allocatable: not judged." % (DEVICE_PLUGIN_IMAGE, _named(advertised), GPU_RESOURCE)), ""
        return "warn", ("GPU node groups %s and GPU nodes %s, but no NVIDIA device plugin DaemonSet (image %s): their "
                        "GPUs are not advertised as %s allocatable (unless a DRA driver hands them out)." % (
                            _named(facts["gpu_nodegroups"]) or "none", _named(n["name"] for n in facts["gpu_nodes"])
                            or "none", DEVICE_PLUGIN_IMAGE, GPU_RESOURCE)), (
            "Install the NVIDIA device plugin (https://github.com/NVIDIA/k8s-device-plugin), tolerating the GPU "
            "nodes' taints and selecting GPU nodes only.")
    plugins = _named(facts["device_plugins"])
    fixes, problems = [], []
    if facts["misses"]:
        problems.append("The NVIDIA device plugin (DaemonSet %s) would not run on %s, so their GPUs would not be "
                        "advertised as %s allocatable%s." % (
                            plugins, "; ".join("%s (%s)" % (m["node"], "; ".join(m["reasons"]))
                                               for m in facts["misses"][:MAX_NAMED]), GPU_RESOURCE,
                            ": the node group update replaces the nodes" if strict else ""))
        taints = {(t["key"], t["effect"]): t for m in facts["misses"] for t in m["taints"]}
        if taints:
            fixes.append("Add to the DaemonSet's pod template tolerations: %s." % ", ".join(
                "{key: %s, operator: Exists, effect: %s}" % key for key in sorted(taints)))
        if any("does not select" in r for m in facts["misses"] for r in m["reasons"]):
            fixes.append("Make its nodeSelector and required node affinity select the GPU nodes, for example "
                         "%s." % selector_suggestion(facts))
    if facts["extra"]:
        problems.append("The NVIDIA device plugin (DaemonSet %s) also runs on nodes without an NVIDIA GPU: %s "
                        "(there it idles or crash-loops, eksctl#8858)." % (
                            plugins, _named(e["node"] for e in facts["extra"])))
        fixes.append("Restrict it to GPU nodes with a required node affinity on %s." % selector_suggestion(facts))
    if not problems:
        groups = _named(facts["gpu_nodegroups"]) or "none"
        return "pass", ("The NVIDIA device plugin (DaemonSet %s) runs on every GPU node, and on the new nodes of GPU "
                        "node groups %s, and on no other node." % (plugins, groups)), ""
    status = "fail" if facts["misses"] and strict else "warn"
    return status, " ".join(problems), " ".join(fixes)


def device_plugin_check(facts, target):
    """(status, message, remediation) of check gpu-device-plugin-scheduling over gathered facts: failing only while
    GPU nodes are about to be replaced (a hop is pending, or a GPU node group is below the target KubeMinor)."""
    gpu = facts.get("gpu") or {"gpu_nodegroups": [], "gpu_nodes": []}
    behind = any(parse_kube_version(ng["version"]) < target for ng in facts["nodegroups"]
                 if ng["name"] in gpu["gpu_nodegroups"])
    return device_plugin_verdict(gpu, strict=target > parse_kube_version(facts["cluster"]["version"]) or behind)


def not_advertised_reasons(device_plugins, node):
    """Why a GPU node advertises no nvidia.com/gpu allocatable, from where the device plugins would run."""
    if not device_plugins:
        return ["no NVIDIA device plugin DaemonSet (image %s) in the cluster" % DEVICE_PLUGIN_IMAGE]
    reasons = {p["name"]: why_not_scheduled(p["scheduling"], node) for p in device_plugins}
    running = sorted(name for name, why in reasons.items() if not why)
    if running:
        return ["%s schedules there, but no GPU is registered yet: see its pod's log on the node" % _named(running)]
    return ["%s: %s" % (name, "; ".join(why)) for name, why in sorted(reasons.items())]


# NodegroupUpdateConfig.updateStrategy (botocore): DEFAULT launches new nodes first; MINIMAL terminates old ones first.
UPDATE_STRATEGIES = ("DEFAULT", "MINIMAL")


def update_config_with(update_config, strategy):
    """The updateConfig to send for ``strategy``: EKS wants maxUnavailable or maxUnavailablePercentage with it, so
    the node group's own (EKS's default: maxUnavailable 1) goes along unchanged."""
    kept = {key: update_config[key] for key in ("maxUnavailable", "maxUnavailablePercentage")
            if update_config.get(key) is not None}
    return dict(kept or {"maxUnavailable": 1}, updateStrategy=strategy)


def update_strategy_of(update_config):
    return (update_config or {}).get("updateStrategy") or "DEFAULT"
