# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Self-managed node groups (Auto Scaling groups with a launch template): which EKS AMI family a group runs, the
public SSM parameter of that family for a minor, and what to do with each group. Pure: no I/O.

AWS's "Self-managed node updates": the nodes reach the control plane's minor by running the EKS-optimized AMI
built for it. AWS publishes the current one per family and minor as public SSM parameters; an AMI that is none of
them (a custom AMI) is the operator's to build.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# The AMI families by EKS's amiType names, and the SSM parameter AWS publishes the recommended AMI of each under.
_EKS = "/aws/service/eks/optimized-ami/{minor}/"
_WINDOWS = "/aws/service/ami-windows-latest/Windows_Server-{year}-English-{edition}-EKS_Optimized-{minor}/image_id"
SSM_PARAMETERS = {
    "AL2023_x86_64_STANDARD": _EKS + "amazon-linux-2023/x86_64/standard/recommended/image_id",
    "AL2023_ARM_64_STANDARD": _EKS + "amazon-linux-2023/arm64/standard/recommended/image_id",
    "AL2023_x86_64_NVIDIA": _EKS + "amazon-linux-2023/x86_64/nvidia/recommended/image_id",
    "AL2023_ARM_64_NVIDIA": _EKS + "amazon-linux-2023/arm64/nvidia/recommended/image_id",
    "AL2023_x86_64_NEURON": _EKS + "amazon-linux-2023/x86_64/neuron/recommended/image_id",
    "AL2_x86_64": _EKS + "amazon-linux-2/recommended/image_id",
    "AL2_ARM_64": _EKS + "amazon-linux-2-arm64/recommended/image_id",
    "AL2_x86_64_GPU": _EKS + "amazon-linux-2-gpu/recommended/image_id",
    "BOTTLEROCKET_x86_64": "/aws/service/bottlerocket/aws-k8s-{minor}/x86_64/latest/image_id",
    "BOTTLEROCKET_ARM_64": "/aws/service/bottlerocket/aws-k8s-{minor}/arm64/latest/image_id",
    "BOTTLEROCKET_x86_64_NVIDIA": "/aws/service/bottlerocket/aws-k8s-{minor}-nvidia/x86_64/latest/image_id",
    "BOTTLEROCKET_ARM_64_NVIDIA": "/aws/service/bottlerocket/aws-k8s-{minor}-nvidia/arm64/latest/image_id",
    "WINDOWS_CORE_2019_x86_64": _WINDOWS.replace("{year}", "2019").replace("{edition}", "Core"),
    "WINDOWS_FULL_2019_x86_64": _WINDOWS.replace("{year}", "2019").replace("{edition}", "Full"),
    "WINDOWS_CORE_2022_x86_64": _WINDOWS.replace("{year}", "2022").replace("{edition}", "Core"),
    "WINDOWS_FULL_2022_x86_64": _WINDOWS.replace("{year}", "2022").replace("{edition}", "Full"),
}
FAMILIES = tuple(SSM_PARAMETERS)
_ARCH = {"x86_64": "x86_64", "arm64": "ARM_64", "aarch64": "ARM_64"}
# The names AWS gives its EKS AMIs (DescribeImages): family and minor from the name.
_AL2023_NAME = re.compile(r"^amazon-eks-node-al2023-(x86_64|arm64)-(standard|nvidia|neuron)-(1\.\d+)-v\d")
_AL2_NAME = re.compile(r"^amazon-eks-(arm64-|gpu-)?node-(1\.\d+)-v\d")
_BOTTLEROCKET_NAME = re.compile(r"^bottlerocket-aws-k8s-(1\.\d+)(-nvidia)?-(x86_64|aarch64)-v\d")
_WINDOWS_NAME = re.compile(r"^Windows_Server-(2019|2022)-English-(Core|Full)-EKS_Optimized-(1\.\d+)(-|$)")
# The owner alias DescribeImages reports for AMIs Amazon publishes: a copy in anyone's account has no alias.
AMAZON_OWNER_ALIAS = "amazon"
# A Node's osImage, for a custom AMI's build hint: (prefix, family to build from).
_OS_IMAGE_FAMILIES = (("Bottlerocket", "BOTTLEROCKET_x86_64"), ("Amazon Linux 2023", "AL2023_x86_64_STANDARD"),
                      ("Amazon Linux 2", "AL2_x86_64"), ("Windows Server 2019", "WINDOWS_CORE_2019_x86_64"),
                      ("Windows Server 2022", "WINDOWS_CORE_2022_x86_64"))
# Instance refresh statuses (botocore's InstanceRefreshStatus): those a refresh is still running in, and success.
REFRESH_RUNNING = ("Pending", "InProgress", "Cancelling", "RollbackInProgress", "Baking")
REFRESH_SUCCESSFUL = "Successful"
# Where an Auto Scaling group names its launch template version: a number, or one of these.
LATEST, DEFAULT = "$Latest", "$Default"
# AWS's lifecycle transition of an instance about to be terminated (a hook a termination handler drains on).
TERMINATING_TRANSITION = "autoscaling:EC2_INSTANCE_TERMINATING"
# The tags EKS puts on the Auto Scaling groups of its managed node groups: those groups are eks_nodegroup_upgrade's.
MANAGED_NODEGROUP_TAG = "eks:nodegroup-name"
# The kind gather.classify_node gives a node of no managed node group, Fargate, Karpenter, Auto Mode or hybrid.
SELF_MANAGED_KIND = "self_managed"


def cluster_tag(cluster):
    """The tag self-managed node groups of ``cluster`` carry (value owned or shared), as eksctl and AWS's
    CloudFormation template set it."""
    return "kubernetes.io/cluster/%s" % cluster


def ssm_parameter(family, minor):
    """The public SSM parameter holding the recommended EKS AMI of ``family`` for ``minor``."""
    if family not in SSM_PARAMETERS:
        raise ValueError("unknown AMI family %r (known: %s)" % (family, ", ".join(FAMILIES)))
    return SSM_PARAMETERS[family].format(minor=minor)


def family_from_name(name):
    """(family, minor) of an EKS AMI from its name, or (None, None) for a name AWS does not give its EKS AMIs."""
    name = name or ""
    found = _AL2023_NAME.match(name)
    if found:
        arch, flavour, minor = found.groups()
        return "AL2023_%s_%s" % (_ARCH[arch], flavour.upper()), minor
    found = _AL2_NAME.match(name)
    if found:
        variant, minor = found.groups()
        return {None: "AL2_x86_64", "arm64-": "AL2_ARM_64", "gpu-": "AL2_x86_64_GPU"}[variant], minor
    found = _BOTTLEROCKET_NAME.match(name)
    if found:
        minor, nvidia, arch = found.groups()
        return "BOTTLEROCKET_%s%s" % (_ARCH[arch], "_NVIDIA" if nvidia else ""), minor
    found = _WINDOWS_NAME.match(name)
    if found:
        year, edition, minor = found.groups()[:3]
        return "WINDOWS_%s_%s_x86_64" % (edition.upper(), year), minor
    return None, None


def family_from_os_image(os_image):
    """The family a node's osImage suggests (a custom AMI's likely base), or None."""
    for prefix, family in _OS_IMAGE_FAMILIES:
        if (os_image or "").startswith(prefix):
            return family
    return None


def identify_ami(image_id, image, published, published_minor=None):
    """What the AMI a group runs is: ``{"image_id", "family", "minor", "published", "how"}``.

    ``image`` is its DescribeImages entry (None when EC2 no longer lists it, e.g. deregistered); ``published`` maps
    each family to the recommended AMI AWS publishes for ``published_minor`` (the nodes' minor). An AMI is EKS's
    when Amazon owns it and its name is an EKS AMI's, or when it is one of those; anything else is custom
    (``family`` then only hints, by its name, what it was built from).
    """
    name = (image or {}).get("Name")
    family, minor = family_from_name(name)
    if family and (image or {}).get("ImageOwnerAlias") == AMAZON_OWNER_ALIAS:
        return {"image_id": image_id, "family": family, "minor": minor, "published": True,
                "how": "name of an Amazon-owned AMI (%s)" % name}
    for candidate in FAMILIES:
        if image_id and published.get(candidate) == image_id:
            return {"image_id": image_id, "family": candidate, "minor": published_minor, "published": True,
                    "how": "value of SSM parameter %s" % ssm_parameter(candidate, published_minor)}
    return {"image_id": image_id, "family": family, "minor": minor, "published": False,
            "how": "neither an Amazon-owned EKS AMI nor the value of an EKS SSM parameter for %s" % published_minor}


def resolve_version(named, default_number, latest_number):
    """The launch template version number an Auto Scaling group's ``Version`` names ($Latest, $Default, a number;
    unset is $Default, as Auto Scaling reads it)."""
    text = str(named or DEFAULT)
    if text == LATEST:
        return int(latest_number)
    if text == DEFAULT:
        return int(default_number)
    return int(text)


def group_launch_template(group):
    """The launch template an Auto Scaling group uses: ``{"id", "name", "version"}``, or None (a launch
    configuration, or a mixed instances policy: not handled here)."""
    spec = group.get("LaunchTemplate")
    if not spec:
        return None
    return {"id": spec.get("LaunchTemplateId"), "name": spec.get("LaunchTemplateName"),
            "version": spec.get("Version") or DEFAULT}


def outdated_instances(group, version_number):
    """Ids of the group's instances launched from another launch template version than ``version_number``."""
    outdated = []
    for instance in group.get("Instances") or []:
        used = (instance.get("LaunchTemplate") or {}).get("Version")
        if str(used) != str(version_number):
            outdated.append(instance["InstanceId"])
    return sorted(outdated)


def decide(facts, target_minor, force=False):
    """What to do with one Auto Scaling group: ``(action, reason)``.

    ``facts`` (gathered by the module): ``launch_template`` (group_launch_template), ``version_number`` (what it
    resolves to), ``ami`` (identify_ami of its AMI, with ``image_id``), ``target_ami`` (the recommended AMI of the
    family for ``target_minor``, None when AWS publishes none), ``outdated`` (outdated_instances), ``refresh`` (the
    group's latest instance refresh or None), ``blockers`` (PodDisruptionBudgets blocking its nodes' drain).

    Actions: resume (a refresh is running: waited, never started twice), needs_action (not handled: no launch
    template, or no EKS AMI of its family for the minor), custom_ami (reported with what to build), blocked
    (PodDisruptionBudgets, unless ``force``), skip (on the AMI, every instance launched from its version), refresh
    (on the AMI, instances left on older versions), update (a new launch template version, then a refresh).
    """
    refresh = facts.get("refresh") or {}
    if refresh.get("Status") in REFRESH_RUNNING:
        return "resume", "instance refresh %s is %s" % (refresh.get("InstanceRefreshId"), refresh.get("Status"))
    if facts.get("launch_template") is None:
        return "needs_action", ("it has no launch template (a launch configuration or a mixed instances policy); "
                                "move it to a launch template, or replace its nodes by hand")
    ami = facts["ami"]
    if not ami["published"]:
        return "custom_ami", "custom AMI %s (%s)" % (ami["image_id"], ami["how"])
    target_ami = facts.get("target_ami")
    if not target_ami:
        parameter = ssm_parameter(ami["family"], target_minor)
        return "needs_action", ("AWS publishes no %s AMI for Kubernetes %s (SSM parameter %s not found); move the "
                                "group to another AMI family" % (ami["family"], target_minor, parameter))
    if ami.get("image_id") == target_ami and not facts.get("outdated"):
        return "skip", "already on %s (%s), every instance launched from launch template version %s" % (
            target_ami, target_minor, facts["version_number"])
    if facts.get("blockers") and not force:
        return "blocked", ("PodDisruptionBudget(s) %s allow no disruption of pods on its nodes; set force to "
                           "replace the nodes regardless" % ", ".join(facts["blockers"]))
    if ami.get("image_id") == target_ami:
        return "refresh", "on %s, but instance(s) %s run an older launch template version" % (
            target_ami, ", ".join(facts["outdated"]))
    return "update", None


def new_group_version(named, new_number):
    """What UpdateAutoScalingGroup sets as the group's launch template version after ``new_number`` was created,
    or None when the group already follows it ($Latest)."""
    return None if str(named) == LATEST else str(new_number)


def pdb_blockers(pdbs, pods, node_names):
    """The PodDisruptionBudgets ("namespace/name") that allow no disruption and select a pod on ``node_names``.

    ``pdbs``: {namespace, name, selector (matchLabels), disruptions_allowed}; ``pods``: {namespace, labels, node}.
    """
    nodes = set(node_names)
    blocking = set()
    for pdb in pdbs:
        if pdb.get("disruptions_allowed") != 0:
            continue
        selector = pdb.get("selector") or {}
        for pod in pods:
            if pod.get("node") in nodes and pod.get("namespace") == pdb["namespace"] and selector and all(
                    (pod.get("labels") or {}).get(key) == value for key, value in selector.items()):
                blocking.add("%s/%s" % (pdb["namespace"], pdb["name"]))
    return sorted(blocking)


def drain_note(hooks):
    """How the nodes of a group are drained when the refresh terminates them: an instance refresh itself does not
    drain; a termination lifecycle hook lets a handler (AWS Node Termination Handler in queue mode) do it."""
    terminating = sorted(h["LifecycleHookName"] for h in hooks or []
                         if h.get("LifecycleTransition") == TERMINATING_TRANSITION)
    if terminating:
        return {"hooks": terminating, "drained": True,
                "note": "termination lifecycle hook(s) %s: a handler listening to them (such as AWS Node "
                        "Termination Handler in queue mode) drains each node before it goes" % ", ".join(terminating)}
    return {"hooks": [], "drained": False,
            "note": "no termination lifecycle hook: the instance refresh terminates nodes without draining them "
                    "(pods are evicted by the node's shutdown only); add a hook and a termination handler to drain"}


def build_hint(facts, target_minor):
    """What to build for a custom-AMI group: the minor and the family its AMI (or its nodes' OS) comes from."""
    ami = facts["ami"]
    family = ami.get("family") or family_from_os_image(facts.get("os_image"))
    base = (" from the EKS %s AMI (SSM parameter %s)" % (family, ssm_parameter(family, target_minor))
            if family else "")
    template = facts.get("launch_template") or {}
    return {"kubernetes_version": str(target_minor), "family": family,
            "remediation": "Build an AMI for Kubernetes %s%s, create a version of launch template %s with it, and "
                           "roll the group's nodes (its AMI %s is custom: it is not replaced)."
                           % (target_minor, base, template.get("name") or template.get("id"), ami.get("image_id"))}
