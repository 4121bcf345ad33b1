# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight checks of AWS's "Updating an Amazon EKS cluster Kubernetes version" procedure.

Pure: every check reads the facts gathered by gather.py and returns a verdict; nothing here does I/O,
so each rule is tested exhaustively. A check result is a dict::

    {"id": "subnet-free-ips", "status": "pass"|"warn"|"fail"|"skipped", "message": ...,
     "remediation": ..., "step": "Introduction: five free IP addresses"}
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.lifecycle.eks.plugins.module_utils import (
    addons,
    controller_compat,
    hybrid_nodes,
    insight_checks,
    security_group_rules,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.coredns_corefile import has_upstream
from ansible_collections.lifecycle.eks.plugins.module_utils.gpu import device_plugin_check
from ansible_collections.lifecycle.eks.plugins.module_utils.launch_templates import template_label
from ansible_collections.lifecycle.eks.plugins.module_utils.node_provisioners import analyze as analyze_provisioners
from ansible_collections.lifecycle.eks.plugins.module_utils.skew import ClusterState, build_upgrade_plan
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import (
    VersionError,
    image_tag,
    kubectl_compatible,
    parse_kube_version,
    parse_target_version,
    semver_at_least,
)

PASS, WARN, FAIL, SKIPPED = "pass", "warn", "fail", "skipped"
MIN_FREE_IPS = 5

# id -> procedure step it implements (docs/procedure-map.md mirrors this table)
CHECK_STEPS = {
    "control-plane-node-minor": "Step 1: compare control plane and node versions",
    "kubelet-skew-path": "Step 4: review the kube-apiserver / kubelet version skew",
    "al2-node-groups": "Beyond the procedure: no Amazon Linux 2 EKS AMI for Kubernetes 1.33 and later (AL2 support "
                       "ended 2025-11-26)",
    "fargate-pods-behind": "Step 1: Fargate nodes below the control plane: delete the pods first",
    "psp-eks-privileged": "Step 2: the eks.privileged Pod security policy",
    "coredns-upstream": "Step 3: remove the discontinued `upstream` line from CoreDNS",
    "ebs-csi-driver": "Step 4, Important: EBS CSI driver before 1.23",
    "fluentd-container-insights": "Step 4, Important: migrate Fluentd to Fluent Bit before 1.24",
    "vpc-cni-version": "Step 4: VPC CNI earlier than 1.8.0",
    "aws-load-balancer-controller": "Step 4: AWS Load Balancer Controller 2.4.7 before 1.25",
    "subnet-free-ips": "Introduction: up to five available IP addresses in the cluster subnets",
    "cluster-security-group": "Introduction: the cluster security group must exist",
    "security-group-rules": "Introduction: security group rules must allow the required cluster communication",
    "upgrade-insights": "EKS upgrade insights for the target version",
    "configuration-insights": "EKS configuration insights (MISCONFIGURATION) of the cluster being upgraded",
    "addon-compatibility": "Beyond the procedure: every installed EKS add-on has a version compatible with each minor "
                           "of the path",
    "target-version": "Step 4: an Amazon EKS supported version, one minor at a time",
    "kubectl-client": "Step 9: kubectl within one minor of the control plane",
    "pdb-drain-blockers": "Step 5: node updates drain nodes; PodDisruptionBudgets can stall them",
    "cluster-status": "Step 4: the cluster must be ACTIVE to start an update",
    "karpenter-ami-pinned": "Step 5: update your nodes (Karpenter: EC2NodeClass AMI selection for the new minor)",
    "karpenter-drift": "Step 5: update your nodes (Karpenter replaces drifted nodes within disruption budgets)",
    "auto-mode": "Step 5: update your nodes (EKS Auto Mode updates its own nodes)",
    "hybrid-nodes": "Beyond the procedure: EKS Hybrid Nodes follow the kubelet skew policy and are upgraded on the "
                    "machine with nodeadm",
    "hybrid-nodes-cni": "Beyond the procedure: the CNI of EKS Hybrid Nodes (Cilium, Calico) must support the target",
    "controller-compatibility": "Beyond the procedure: Karpenter, the AWS Load Balancer Controller and the Cluster "
                                "Autoscaler support a range of Kubernetes minors (their compatibility tables)",
    "controller-table-age": "Beyond the procedure: the controller compatibility tables are dated; an old one does "
                            "not know recent releases",
    "cluster-autoscaler-rbac": "Step 6: the Cluster Autoscaler release for the new minor needs the rules of its "
                               "manifest's ClusterRole",
    "gpu-device-plugin-scheduling": "Beyond the procedure: the NVIDIA device plugin must run on the GPU nodes a node "
                                    "group update launches (their taints tolerated), and only there",
}


def _result(check_id, status, message, remediation=""):
    return {"id": check_id, "status": status, "message": message, "remediation": remediation,
            "step": CHECK_STEPS[check_id]}


def _path_crosses(current, target, minor_text):
    """True when moving from current to target passes through (lands on) the given minor."""
    boundary = parse_kube_version(minor_text)
    return current < boundary <= target


def _cluster_state(facts):
    return ClusterState.from_dict(facts["skew_input"])


def _plan_blockers(facts, target, upgrade_nodegroups, ids):
    """The upgrade plan's blockers with the given ids (the path, not only the next hop)."""
    plan = build_upgrade_plan(_cluster_state(facts), target, upgrade_nodegroups=upgrade_nodegroups)
    return [b for b in plan.blockers if b.id in ids]


def check_cluster_status(facts, target):
    status = facts["cluster"]["status"]
    if status == "ACTIVE":
        return _result("cluster-status", PASS, "Cluster is ACTIVE.")
    if status == "UPDATING":
        return _result("cluster-status", WARN, "Cluster is UPDATING: an update is already in progress; "
                       "the upgrade will wait for it and resume.")
    return _result("cluster-status", FAIL, "Cluster status is %s, not ACTIVE." % status,
                   "Wait until the cluster is ACTIVE or repair it before upgrading.")


def check_target_version(facts, target):
    current = parse_kube_version(facts["cluster"]["version"])
    known = facts.get("known_versions")
    if target < current:
        return _result("target-version", FAIL, "Target %s is lower than the control plane's %s; EKS clusters "
                       "cannot be downgraded." % (target, current), "Choose a target at or above %s." % current)
    if known is not None and str(target) not in known:
        return _result("target-version", FAIL, "Kubernetes %s is not offered by Amazon EKS (offered: %s)."
                       % (target, ", ".join(known)), "Choose one of the offered versions.")
    if target == current:
        return _result("target-version", PASS, "Control plane already on %s." % target)
    return _result("target-version", PASS, "Target %s is %d minor(s) ahead of %s: %d hop(s), one minor at a time."
                   % (target, current.distance(target), current, current.distance(target)))


NODEGROUP_BLOCKERS = frozenset(("managed-nodegroup-behind", "custom-ami-nodegroup", "nodegroup-not-active"))


def check_node_minor(facts, target, upgrade_nodegroups):
    current = parse_kube_version(facts["cluster"]["version"])
    behind = [ng["name"] for ng in facts["nodegroups"] if parse_kube_version(ng["version"]) < current]
    message = "Managed node groups %s are behind the control plane (%s)." % (", ".join(behind), current)
    if behind and not upgrade_nodegroups and target > current:
        return _result("control-plane-node-minor", FAIL, message,
                       "Update them to %s first (upgrade_nodegroups: true lets the upgrade do it)." % current)
    # Later hops too: node groups the plan can't update (custom AMI, not ACTIVE, or upgrade_nodegroups off
    # on a multi-hop path) stop the control plane part way.
    blockers = _plan_blockers(facts, target, upgrade_nodegroups, NODEGROUP_BLOCKERS)
    if blockers:
        return _result("control-plane-node-minor", FAIL, " ".join(b.reason for b in blockers),
                       " ".join(b.remediation for b in blockers))
    if behind and target > current:
        return _result("control-plane-node-minor", WARN, message + " They will be updated before the next hop.")
    if behind:
        return _result("control-plane-node-minor", WARN, message + " No control-plane hop is pending.",
                       "Update them to %s (the upgrade does with upgrade_nodegroups: true)." % current)
    return _result("control-plane-node-minor", PASS, "All managed node groups are on %s." % current)


def check_kubelet_skew(facts, target, upgrade_nodegroups):
    plan = build_upgrade_plan(_cluster_state(facts), target, upgrade_nodegroups=upgrade_nodegroups)
    skew_blockers = [b for b in plan.blockers if b.id in ("self-managed-kubelet-skew", "karpenter-kubelet-skew")]
    if skew_blockers:
        return _result("kubelet-skew-path", FAIL, " ".join(b.reason for b in skew_blockers),
                       " ".join(b.remediation for b in skew_blockers))
    hybrid = {node["name"] for node in hybrid_nodes.nodes(facts)}  # check hybrid-nodes judges them
    warnings = [w for w in plan.warnings if w.subject not in hybrid]
    if warnings:
        return _result("kubelet-skew-path", WARN, " ".join(w.reason for w in warnings),
                       " ".join(w.remediation for w in warnings))
    return _result("kubelet-skew-path", PASS, "Every kubelet stays within the skew policy along the whole path.")


# Amazon Linux 2 EKS AMIs: none is published for Kubernetes 1.33 and later, and their support ended on 2025-11-26
# (Amazon EKS AMI deprecation FAQs). AL2023 EKS AMIs start at 1.23.
FIRST_MINOR_WITHOUT_AL2 = "1.33"
AL2_END_OF_SUPPORT = "2025-11-26"
FIRST_AL2023_MINOR = "1.23"
# AL2 amiType -> (its AL2023 successor, the Bottlerocket alternative)
AL2_REPLACEMENTS = {
    "AL2_x86_64": ("AL2023_x86_64_STANDARD", "BOTTLEROCKET_x86_64"),
    "AL2_ARM_64": ("AL2023_ARM_64_STANDARD", "BOTTLEROCKET_ARM_64"),
    "AL2_x86_64_GPU": ("AL2023_x86_64_NVIDIA", "BOTTLEROCKET_x86_64_NVIDIA"),
}
# A node's status.nodeInfo.osImage: "Amazon Linux 2" on AL2, "Amazon Linux 2023.6.20250107" on AL2023.
_AL2_OS_IMAGE = re.compile(r"^Amazon Linux 2(?!\d)")
NODEADM = ("AL2023 nodes are configured by nodeadm (a NodeConfig in the user data), not /etc/eks/bootstrap.sh")


def _al2_group_remediation(group):
    al2023, bottlerocket = AL2_REPLACEMENTS[group["ami_type"]]
    # botocore's EKS model: amiType is a member of CreateNodegroup only, not of UpdateNodegroupConfig or
    # UpdateNodegroupVersion, so a managed node group keeps its AMI type for life.
    text = ("Node group %s: create a node group with amiType %s (or %s) next to %s, move its workloads there (cordon "
            "and drain %s's nodes), then delete %s."
            % (group["name"], al2023, bottlerocket, group["name"], group["name"], group["name"]))
    if group.get("launch_template"):
        text += (" Node group %s uses launch template %s: %s; rewrite any bootstrap user data of the new group's "
                 "launch template as a NodeConfig." % (group["name"], template_label(group["launch_template"]),
                                                       NODEADM))
    return text


def check_al2_nodes(facts, target):
    """Managed node groups on an AL2 amiType and self-managed nodes on Amazon Linux 2: blocked on a path to 1.33 or
    later (there the nodes could never follow the control plane), a warning below it (support ended)."""
    current = parse_kube_version(facts["cluster"]["version"])
    groups = sorted((ng for ng in facts["nodegroups"] if ng.get("ami_type") in AL2_REPLACEMENTS),
                    key=lambda ng: ng["name"])
    self_managed = sorted(n["name"] for n in facts["nodes"]
                          if n["kind"] == "self_managed" and _AL2_OS_IMAGE.match(n.get("os_image") or ""))
    if not groups and not self_managed:
        return _result("al2-node-groups", PASS, "No managed node group on an Amazon Linux 2 AMI type and no "
                       "self-managed node on Amazon Linux 2.")
    found = []
    if groups:
        found.append("managed node group(s) %s" % ", ".join(
            "%s (%s: move to %s, or %s)" % ((ng["name"], ng["ami_type"]) + AL2_REPLACEMENTS[ng["ami_type"]])
            for ng in groups))
    if self_managed:
        found.append("self-managed node(s) %s (osImage Amazon Linux 2)" % ", ".join(self_managed))
    facts_text = ("Amazon Linux 2 EKS AMIs reached end of support on %s and there is no Amazon Linux 2 EKS AMI for "
                  "Kubernetes %s and later: %s." % (AL2_END_OF_SUPPORT, FIRST_MINOR_WITHOUT_AL2, "; ".join(found)))
    fixes = [_al2_group_remediation(ng) for ng in groups]
    if groups:
        fixes.append("EKS can't change a managed node group's AMI type in place: UpdateNodegroupConfig and "
                     "UpdateNodegroupVersion take no amiType, only CreateNodegroup does.")
    if self_managed:
        fixes.append("Replace self-managed node(s) %s with nodes of an AL2023 (or Bottlerocket) EKS optimized AMI for "
                     "Kubernetes %s (SSM parameters under /aws/service/eks/optimized-ami/%s/amazon-linux-2023/); %s."
                     % (", ".join(self_managed), current, current, NODEADM))
    if current < parse_kube_version(FIRST_AL2023_MINOR):
        fixes.append("AL2023 EKS AMIs start at Kubernetes %s: migrate once the cluster is on %s or later."
                     % (FIRST_AL2023_MINOR, FIRST_AL2023_MINOR))
    last_al2_minor = parse_kube_version(FIRST_MINOR_WITHOUT_AL2) - 1
    if target > last_al2_minor:
        if current <= last_al2_minor:
            fixes.append("Stop at %s (target %s) until they are replaced." % (last_al2_minor, last_al2_minor))
        return _result("al2-node-groups", FAIL, "%s This blocks the path to %s: those nodes could never follow the "
                       "control plane there." % (facts_text, target), " ".join(fixes))
    return _result("al2-node-groups", WARN, facts_text + " The path to %s stays on minors Amazon Linux 2 AMIs exist "
                   "for; move before going to %s." % (target, FIRST_MINOR_WITHOUT_AL2), " ".join(fixes))


def check_fargate(facts, target):
    current = parse_kube_version(facts["cluster"]["version"])
    old = [n["name"] for n in facts["nodes"] if n["kind"] == "fargate" and parse_kube_version(n["kubelet"]) < current]
    if old:
        # They only block a control-plane hop; with none pending they are a post-upgrade task.
        return _result("fargate-pods-behind", FAIL if target > current else WARN,
                       "Fargate nodes %s run a kubelet older than %s." % (", ".join(old), current),
                       "Delete (redeploy) the pods those Fargate nodes represent; they come back on %s. "
                       "lifecycle.eks.eks_fargate_redeploy restarts the Deployments, StatefulSets and DaemonSets "
                       "that own them (playbooks/upgrade.yml does so before the control plane moves with "
                       "eks_fargate_redeploy: true); pods without an owner are yours to recreate." % current)
    # Existing Fargate pods keep their kubelet, so a multi-hop path stops after the first hop.
    blockers = _plan_blockers(facts, target, False, ("fargate-kubelet-behind",))
    if blockers:
        return _result("fargate-pods-behind", FAIL, " ".join(b.reason for b in blockers),
                       " ".join(b.remediation for b in blockers))
    return _result("fargate-pods-behind", PASS, "No Fargate node is below the control plane's minor.")


def check_psp(facts, target):
    current = parse_kube_version(facts["cluster"]["version"])
    present = facts.get("psp_eks_privileged")
    if current >= parse_kube_version("1.25") or present is None:
        return _result("psp-eks-privileged", PASS, "PodSecurityPolicy is not served on %s: nothing to check." % current)
    if present:
        return _result("psp-eks-privileged", PASS, "The default eks.privileged Pod security policy is in place.")
    return _result("psp-eks-privileged", FAIL, "PodSecurityPolicy eks.privileged not found.",
                   "Restore the Amazon EKS default Pod security policy (see 'Amazon EKS default Pod security "
                   "policy') before updating.")


def check_coredns_upstream(facts, target, fix_enabled):
    corefile = facts.get("corefile")
    if corefile is None:
        return _result("coredns-upstream", PASS, "No coredns ConfigMap in kube-system: nothing to check.")
    # The same line the fix removes (coredns_corefile.py): the check and the fix never disagree.
    if not has_upstream(corefile):
        return _result("coredns-upstream", PASS, "The CoreDNS Corefile has no `upstream` line.")
    if fix_enabled:
        return _result("coredns-upstream", WARN, "The CoreDNS Corefile has the discontinued `upstream` line; "
                       "it will be removed first (fix_coredns_upstream).")
    return _result("coredns-upstream", FAIL, "The CoreDNS Corefile has the discontinued `upstream` line.",
                   "Remove the line (nothing else), or set fix_coredns_upstream: true.")


def _workloads_matching(facts, pattern):
    regex = re.compile(pattern)
    return {key: w for key, w in facts.get("workloads", {}).items()
            if regex.search(key) or any(regex.search(image) for image in w["images"])}


def check_ebs_csi(facts, target):
    current = parse_kube_version(facts["cluster"]["version"])
    if not _path_crosses(current, target, "1.23"):
        return _result("ebs-csi-driver", PASS, "The path does not cross 1.23.")
    volumes = facts.get("in_tree_ebs_volumes") or []
    if not volumes:
        return _result("ebs-csi-driver", PASS, "No in-tree EBS volumes.")
    has_driver = any(a["name"] == "aws-ebs-csi-driver" for a in facts.get("addons", [])) or bool(
        _workloads_matching(facts, r"ebs-csi"))
    if has_driver:
        return _result("ebs-csi-driver", PASS, "%d in-tree EBS volume(s) and the EBS CSI driver is installed."
                       % len(volumes))
    return _result("ebs-csi-driver", FAIL, "%d in-tree EBS volume(s) (%s) and no Amazon EBS CSI driver."
                   % (len(volumes), ", ".join(volumes[:5])),
                   "Install the Amazon EBS CSI driver (EKS add-on aws-ebs-csi-driver) before updating to 1.23.")


def check_fluentd(facts, target):
    current = parse_kube_version(facts["cluster"]["version"])
    if not _path_crosses(current, target, "1.24"):
        return _result("fluentd-container-insights", PASS, "The path does not cross 1.24.")
    found = sorted(_workloads_matching(facts, r"fluentd"))
    if not found:
        return _result("fluentd-container-insights", PASS, "No Fluentd DaemonSet found.")
    return _result("fluentd-container-insights", FAIL, "Fluentd runs in %s; 1.24 uses containerd, whose "
                   "non-JSON logs break Fluentd's parsers." % ", ".join(found),
                   "Migrate to Fluent Bit (Container Insights) before updating to 1.24.")


def _image_version(workload, repository):
    """The tag of the workload's ``repository`` image (any image if none is), or None."""
    images = [i for i in workload["images"] if repository in i.split("@", 1)[0].rsplit("/", 1)[-1]]
    for image in images or workload["images"]:
        tag = image_tag(image)
        if tag:
            return tag
    return None


def _at_least(tag, minimum):
    """True/False, or None when the tag is absent or not a version (digest-only, "latest")."""
    try:
        return semver_at_least(tag, minimum) if tag else None
    except VersionError:
        return None


def check_vpc_cni(facts, target):
    found = _workloads_matching(facts, r"^kube-system/aws-node$")
    if not found:
        return _result("vpc-cni-version", PASS, "Amazon VPC CNI (aws-node) not found: nothing to check.")
    tag = _image_version(next(iter(found.values())), "amazon-k8s-cni")
    recent = _at_least(tag, "1.8.0")
    if recent is None:
        return _result("vpc-cni-version", WARN, "Amazon VPC CNI version unknown (image tag %s)." % tag,
                       "Make sure the VPC CNI plugin is 1.8.0 or later before updating the cluster.")
    if not recent:
        return _result("vpc-cni-version", FAIL, "Amazon VPC CNI is %s, earlier than 1.8.0." % tag,
                       "Update the VPC CNI plugin to the latest version before updating the cluster.")
    return _result("vpc-cni-version", PASS, "Amazon VPC CNI is %s." % tag)


def check_lb_controller(facts, target):
    current = parse_kube_version(facts["cluster"]["version"])
    found = _workloads_matching(facts, r"aws-load-balancer-controller")
    if not found:
        return _result("aws-load-balancer-controller", PASS, "AWS Load Balancer Controller not deployed.")
    tag = _image_version(next(iter(found.values())), "aws-load-balancer-controller")
    recent = _at_least(tag, "2.4.7")
    if _path_crosses(current, target, "1.25") and recent is None:
        return _result("aws-load-balancer-controller", WARN,
                       "AWS Load Balancer Controller version unknown (image tag %s); 1.25 needs 2.4.7 or later." % tag,
                       "Make sure the controller is 2.4.7 or later before updating to 1.25.")
    if _path_crosses(current, target, "1.25") and not recent:
        return _result("aws-load-balancer-controller", FAIL,
                       "AWS Load Balancer Controller is %s; 1.25 needs 2.4.7 or later." % tag,
                       "Update the controller to 2.4.7 or later before updating to 1.25.")
    return _result("aws-load-balancer-controller", PASS, "AWS Load Balancer Controller is %s." % tag)


def check_subnets(facts, target):
    subnets = facts.get("subnets", [])
    missing = facts.get("missing_subnets", [])
    short = ["%s (%d free)" % (s["id"], s["available_ips"]) for s in subnets if s["available_ips"] < MIN_FREE_IPS]
    if missing:
        return _result("subnet-free-ips", FAIL, "Cluster subnets no longer exist: %s." % ", ".join(missing),
                       "Recreate the subnets or update the cluster's subnets before upgrading.")
    if short:
        return _result("subnet-free-ips", FAIL, "Cluster subnets with fewer than %d free IP addresses: %s."
                       % (MIN_FREE_IPS, ", ".join(short)),
                       "Free IP addresses in those subnets (EKS creates new network interfaces there), "
                       "or add subnets to the cluster.")
    return _result("subnet-free-ips", PASS, "All %d cluster subnets have at least %d free IP addresses."
                   % (len(subnets), MIN_FREE_IPS))


def check_security_group(facts, target):
    group = facts.get("cluster_security_group")
    if group is None:
        return _result("cluster-security-group", PASS, "No cluster security group recorded on the cluster.")
    if group["exists"]:
        return _result("cluster-security-group", PASS, "Cluster security group %s exists." % group["id"])
    return _result("cluster-security-group", FAIL, "Cluster security group %s does not exist." % group["id"],
                   "Restore a security group allowing the required cluster communication.")


def check_addon_compatibility(facts, target):
    """Installed EKS add-ons along the path (addons.path_verdict says how each hop is judged)."""
    return _result("addon-compatibility", *addons.path_verdict(facts, target))


def check_kubectl(facts, target):
    client = facts.get("kubectl_client")
    if not client:
        return _result("kubectl-client", WARN, "kubectl not found on the controller.",
                       "Install kubectl %s (within one minor of the cluster) for manual operations." % target)
    try:
        client_minor = parse_kube_version(client)
    except VersionError:
        return _result("kubectl-client", WARN, "kubectl reports version %r, not a Kubernetes version." % client,
                       "Install a released kubectl within one minor of %s." % target)
    if kubectl_compatible(client_minor, target):
        return _result("kubectl-client", PASS, "kubectl %s works with %s." % (client_minor, target))
    return _result("kubectl-client", WARN, "kubectl %s is more than one minor away from %s." % (client_minor, target),
                   "Install a kubectl within one minor of %s." % target)


def check_pdbs(facts, target):
    blocking = ["%s/%s" % (p["namespace"], p["name"]) for p in facts.get("pdbs", []) if p["disruptions_allowed"] == 0]
    if not blocking:
        return _result("pdb-drain-blockers", PASS, "No PodDisruptionBudget blocks node drains.")
    return _result("pdb-drain-blockers", WARN, "PodDisruptionBudgets allowing no disruption: %s; node group "
                   "updates will fail with PodEvictionFailure after 15 minutes." % ", ".join(blocking),
                   "Relax them during the node update window, or set force on the node group updates "
                   "(nodegroup_force of eks_cluster_upgrade; drains regardless).")


def _karpenter(facts, target):
    """The Karpenter part of the node provisioners analysis, or None when it was not read."""
    if facts.get("karpenter") is None:
        return None
    return analyze_provisioners(facts, target)["karpenter"]


def check_karpenter_ami(facts, target):
    karpenter = _karpenter(facts, target)
    if karpenter is None or not karpenter["detected"]:
        return _result("karpenter-ami-pinned", PASS, "Karpenter not found: no NodePool or EC2NodeClass, no controller.")
    attention = [c for c in karpenter["node_classes"] if c["needs_attention"]]
    if not attention:
        listed = "; ".join("%s: %s" % (c["name"], "; ".join(c["selects"])) for c in karpenter["node_classes"])
        return _result("karpenter-ami-pinned", PASS, "Karpenter's EC2NodeClasses select AMIs for %s (%s)."
                       % (target, listed or "none"))
    return _result("karpenter-ami-pinned", WARN, "Karpenter EC2NodeClasses not following %s: %s." % (target, " ".join(
        "%s (NodePools %s): %s." % (c["name"], ", ".join(c["node_pools"]) or "none", "; ".join(c["selects"]))
        for c in attention)), " ".join(c["remediation"] for c in attention))


def check_karpenter_drift(facts, target):
    karpenter = _karpenter(facts, target)
    if karpenter is None or not karpenter["detected"]:
        return _result("karpenter-drift", PASS, "Karpenter not found: no node to replace through drift.")
    drift = karpenter["drift"]
    replaced = "After the upgrade to %s Karpenter replaces %d node(s) through drift%s." % (
        target, len(drift["replaced"]), (" (%s)" % "; ".join(
            "NodePool %s: %d, budget %s" % (p["name"], len(p["replaced"]), p["budget"])
            for p in karpenter["node_pools"] if p["replaced"])) if drift["replaced"] else "")
    problems, fixes = [], []
    blocked = [p for p in karpenter["node_pools"] if p["blocked"]]
    if blocked:
        problems.append("Drift is blocked by a disruption budget of 0 nodes in NodePool(s) %s (%d node(s))."
                        % (", ".join(p["name"] for p in blocked), sum(len(p["blocked"]) for p in blocked)))
        fixes.append("Allow drift in the disruption budgets of NodePool(s) %s (spec.disruption.budgets: nodes above 0 "
                     "for reason Drifted) during the upgrade window." % ", ".join(p["name"] for p in blocked))
    kept = sorted(name for p in karpenter["node_pools"] for name in p["do_not_disrupt"])
    if kept:
        problems.append("Node(s) %s carry karpenter.sh/do-not-disrupt and are not replaced." % ", ".join(kept))
        fixes.append("Remove the karpenter.sh/do-not-disrupt annotation from %s (or replace them yourself) after "
                     "the upgrade." % ", ".join(kept))
    pinned = [p for p in karpenter["node_pools"] if p["ami"] in ("pinned", "no-build", "unknown") and p["behind"]]
    if pinned:
        problems.append("%d node(s) of NodePool(s) %s stay below %s: their EC2NodeClass does not select an AMI for it "
                        "(see karpenter-ami-pinned)." % (sum(len(p["behind"]) for p in pinned),
                                                         ", ".join(p["name"] for p in pinned), target))
    if problems:
        return _result("karpenter-drift", WARN, replaced + " " + " ".join(problems), " ".join(fixes))
    return _result("karpenter-drift", PASS, replaced)


def check_auto_mode(facts, target):
    auto = analyze_provisioners(facts, target)["auto_mode"]
    if not auto["enabled"]:
        return _result("auto-mode", PASS, "EKS Auto Mode is not enabled.")
    return _result("auto-mode", PASS, auto["message"])


def run_checks(facts, target_text, upgrade_nodegroups=False, fix_coredns_upstream=False, skip=(),
               table_max_age=None):
    """Every check, in procedure order; skipped ones are recorded, not dropped. ``table_max_age`` (seconds): how old
    a compatibility table may be before its check warns (facts["today"], an ISO date, is the day judged)."""
    try:
        target = parse_target_version(target_text)
    except VersionError as exc:
        return [_result("target-version", FAIL, str(exc), "Give the target as MAJOR.MINOR, quoted: '1.30'.")]
    checks = [
        ("cluster-status", lambda: check_cluster_status(facts, target)),
        ("target-version", lambda: check_target_version(facts, target)),
        ("control-plane-node-minor", lambda: check_node_minor(facts, target, upgrade_nodegroups)),
        ("fargate-pods-behind", lambda: check_fargate(facts, target)),
        ("kubelet-skew-path", lambda: check_kubelet_skew(facts, target, upgrade_nodegroups)),
        ("al2-node-groups", lambda: check_al2_nodes(facts, target)),
        ("psp-eks-privileged", lambda: check_psp(facts, target)),
        ("coredns-upstream", lambda: check_coredns_upstream(facts, target, fix_coredns_upstream)),
        ("ebs-csi-driver", lambda: check_ebs_csi(facts, target)),
        ("fluentd-container-insights", lambda: check_fluentd(facts, target)),
        ("vpc-cni-version", lambda: check_vpc_cni(facts, target)),
        ("aws-load-balancer-controller", lambda: check_lb_controller(facts, target)),
        ("subnet-free-ips", lambda: check_subnets(facts, target)),
        ("cluster-security-group", lambda: check_security_group(facts, target)),
        ("security-group-rules", lambda: _result("security-group-rules", *security_group_rules.verdict(facts))),
        ("upgrade-insights", lambda: _result("upgrade-insights", *insight_checks.readiness_verdict(facts, target))),
        ("configuration-insights", lambda: _result("configuration-insights",
                                                   *insight_checks.configuration_verdict(facts))),
        ("addon-compatibility", lambda: check_addon_compatibility(facts, target)),
        ("kubectl-client", lambda: check_kubectl(facts, target)),
        ("pdb-drain-blockers", lambda: check_pdbs(facts, target)),
        ("karpenter-ami-pinned", lambda: check_karpenter_ami(facts, target)),
        ("karpenter-drift", lambda: check_karpenter_drift(facts, target)),
        ("auto-mode", lambda: check_auto_mode(facts, target)),
        ("hybrid-nodes", lambda: _result("hybrid-nodes", *hybrid_nodes.skew_verdict(
            facts, target, upgrade_nodegroups))),
        ("hybrid-nodes-cni", lambda: _result("hybrid-nodes-cni", *hybrid_nodes.cni_verdict(
            facts, target, facts.get("today"), table_max_age))),
        ("controller-compatibility", lambda: _result("controller-compatibility",
                                                     *controller_compat.check_compatibility(facts, target))),
        ("controller-table-age", lambda: _result("controller-table-age", *controller_compat.check_table_age(facts))),
        ("cluster-autoscaler-rbac", lambda: _result("cluster-autoscaler-rbac",
                                                    *controller_compat.check_autoscaler_rbac(facts, target))),
        ("gpu-device-plugin-scheduling", lambda: _result("gpu-device-plugin-scheduling",
                                                         *device_plugin_check(facts, target))),
    ]
    results = []
    for check_id, run in checks:
        if check_id in skip:
            results.append(_result(check_id, SKIPPED, "Skipped on request (skip_checks).", ""))
        else:
            results.append(run())
    return results


def summarize(results):
    """Counts per status and whether the cluster is blocked (any fail)."""
    counts = {PASS: 0, WARN: 0, FAIL: 0, SKIPPED: 0}
    for result in results:
        counts[result["status"]] += 1
    return {"counts": counts, "blocked": counts[FAIL] > 0,
            "failed_checks": [r["id"] for r in results if r["status"] == FAIL]}
