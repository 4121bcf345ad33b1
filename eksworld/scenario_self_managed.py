"""Self-managed node groups of a scenario's cluster: Auto Scaling groups with a launch template, the EKS AMIs AWS
publishes for them (EC2 images owned by Amazon and the public SSM parameters naming them), and their nodes.

    self_managed_groups:
      - name: workers                   # the Auto Scaling group (tagged kubernetes.io/cluster/CLUSTER: owned)
        ami_family: AL2023_x86_64_STANDARD   # an EKS amiType name (BOTTLEROCKET_x86_64, AL2_x86_64, ...) or CUSTOM
        kubelet: "1.29"                 # the minor its AMI is for (default the cluster's)
        size: 2                         # instances (and nodes)
        template_version: "1"           # what the group names: a version number, $Latest or $Default
        termination_hook: true          # a termination lifecycle hook (a termination handler drains on it)
        pods: [web]                     # per node, a pod labelled app: NAME in default (PodDisruptionBudgets select)
        refresh_in_progress: false      # an instance refresh already running (an interrupted run's)
        refresh_fails: false            # instance refreshes end Failed, half the instances replaced
        tagged: true                    # false: no kubernetes.io/cluster/CLUSTER tag (found by its nodes only)

EKS AMIs are published (image and SSM parameter) for the group's family from its minor to the newest the catalog
knows; AL2 ones up to the last minor AWS built them for. A CUSTOM group's AMI is a private image.
"""
from __future__ import annotations

import re
from typing import Any

from moto.backends import get_backend

from eksworld import aws_autoscaling, catalog
from eksworld.aws_region import ACCOUNT_ID
from eksworld.moto_hooks import add_public_parameter, complete_image, mark_launch_version
from eksworld.scenario_fields import known_keys, minor_text

GROUP_KEYS = ("name", "ami_family", "kubelet", "size", "template_version", "termination_hook", "pods",
              "refresh_in_progress", "refresh_fails", "tagged")
CUSTOM = "CUSTOM"
VERSION_NAMES = ("$Latest", "$Default")
_EKS = "/aws/service/eks/optimized-ami/{minor}/"
# family -> (SSM parameter, AMI name, Node osImage); as AWS names them (plugins/module_utils/self_managed.py reads them)
FAMILIES = {
    "AL2023_x86_64_STANDARD": (_EKS + "amazon-linux-2023/x86_64/standard/recommended/image_id",
                               "amazon-eks-node-al2023-x86_64-standard-{minor}-v20251103", "Amazon Linux 2023"),
    "AL2023_ARM_64_STANDARD": (_EKS + "amazon-linux-2023/arm64/standard/recommended/image_id",
                               "amazon-eks-node-al2023-arm64-standard-{minor}-v20251103", "Amazon Linux 2023"),
    "AL2023_x86_64_NVIDIA": (_EKS + "amazon-linux-2023/x86_64/nvidia/recommended/image_id",
                             "amazon-eks-node-al2023-x86_64-nvidia-{minor}-v20251103", "Amazon Linux 2023"),
    "AL2_x86_64": (_EKS + "amazon-linux-2/recommended/image_id", "amazon-eks-node-{minor}-v20251103",
                   "Amazon Linux 2"),
    "BOTTLEROCKET_x86_64": ("/aws/service/bottlerocket/aws-k8s-{minor}/x86_64/latest/image_id",
                            "bottlerocket-aws-k8s-{minor}-x86_64-v1.50.0-2f4a6b3c", "Bottlerocket OS 1.50.0"),
    "BOTTLEROCKET_ARM_64": ("/aws/service/bottlerocket/aws-k8s-{minor}/arm64/latest/image_id",
                            "bottlerocket-aws-k8s-{minor}-aarch64-v1.50.0-2f4a6b3c", "Bottlerocket OS 1.50.0"),
    "WINDOWS_CORE_2022_x86_64": (
        "/aws/service/ami-windows-latest/Windows_Server-2022-English-Core-EKS_Optimized-{minor}/image_id",
        "Windows_Server-2022-English-Core-EKS_Optimized-{minor}-2025.11.11", "Windows Server 2022 Datacenter"),
}
_MINOR = re.compile(r"1\.\d+")


def group_settings(cluster: dict[str, Any]) -> list[dict[str, Any]]:
    """The cluster's `self_managed_groups`, validated, with defaults."""
    groups = cluster.get("self_managed_groups") or []
    if not isinstance(groups, list):
        raise ValueError(f"self_managed_groups must be a list of groups, got {groups!r}")
    settled = []
    for group in groups:
        group = known_keys(group, GROUP_KEYS, "a self_managed_groups entry")
        name = group.get("name")
        if not name:
            raise ValueError("every self_managed_groups entry needs a 'name'")
        family = group.get("ami_family", "AL2023_x86_64_STANDARD")
        if family != CUSTOM and family not in FAMILIES:
            raise ValueError(f"self-managed group {name}: ami_family must be {CUSTOM} or one of "
                             f"{', '.join(FAMILIES)}, got {family!r}")
        kubelet = minor_text(group.get("kubelet", cluster["version"]), f"self-managed group {name}: kubelet")
        if not catalog.is_known_minor(kubelet):
            raise ValueError(f"self-managed group {name}: no EKS AMI exists for Kubernetes {kubelet}")
        size = group.get("size", 2)
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValueError(f"self-managed group {name}: size must be a number of instances, got {size!r}")
        version = str(group.get("template_version", "1"))
        if version not in ("1", *VERSION_NAMES):
            raise ValueError(f"self-managed group {name}: template_version must be 1, $Latest or $Default, "
                             f"got {version!r}")
        pods = group.get("pods") or []
        if not isinstance(pods, list) or not all(isinstance(p, str) and p for p in pods):
            raise ValueError(f"self-managed group {name}: pods must be a list of app names, got {pods!r}")
        settled.append({"name": str(name), "ami_family": family, "kubelet": kubelet, "size": size,
                        "template_version": version, "termination_hook": bool(group.get("termination_hook", True)),
                        "pods": pods, "refresh_in_progress": bool(group.get("refresh_in_progress")),
                        "refresh_fails": bool(group.get("refresh_fails")), "tagged": bool(group.get("tagged", True))})
    return settled


def publish_eks_amis(region: str, family: str, first_minor: str) -> dict[str, str]:
    """Register the EKS AMIs of `family` (Amazon-owned) and their SSM parameters, from `first_minor` to the newest
    minor (AL2 up to its last); {minor: image id}. Published once per region and family."""
    ec2, ssm = get_backend("ec2")[ACCOUNT_ID][region], get_backend("ssm")[ACCOUNT_ID][region]
    published: dict[tuple[str, str], str] = ssm.__dict__.setdefault("eksworld_eks_amis", {})
    parameter, name, _os = FAMILIES[family]
    for minor in catalog.minors():
        if catalog.minor_key(minor) < catalog.minor_key(first_minor) or (family, minor) in published:
            continue
        if family.startswith("AL2_") and catalog.minor_key(minor) >= catalog.minor_key(catalog.FIRST_MINOR_WITHOUT_AL2):
            continue
        image = ec2.register_image(name=name.format(minor=minor), description=f"EKS {family} node AMI for {minor}")
        complete_image(image, amazon_owned=True)
        add_public_parameter(ssm, parameter.format(minor=minor), image.id)
        published[(family, minor)] = image.id
    return {minor: image for (fam, minor), image in published.items() if fam == family}


def seed_groups(region: str, cluster: dict[str, Any], subnet_ids: list[str]) -> list[dict[str, Any]]:
    """Create the cluster's self-managed groups in AWS; returns, per group, its settings and instances
    ({id, dns, zone})."""
    ec2 = get_backend("ec2")[ACCOUNT_ID][region]
    autoscaling = get_backend("autoscaling")[ACCOUNT_ID][region]
    seeded = []
    for spec in group_settings(cluster):
        if spec["ami_family"] == CUSTOM:
            image = ec2.register_image(name=f"custom-eks-node-{spec['kubelet']}-{spec['name']}",
                                       description=f"Custom EKS node AMI for Kubernetes {spec['kubelet']}")
            complete_image(image)
            image_id = image.id
        else:
            image_id = publish_eks_amis(region, spec["ami_family"], spec["kubelet"])[spec["kubelet"]]
        template = ec2.create_launch_template(f"{spec['name']}-nodes", "self-managed nodes", {
            "ImageId": image_id, "InstanceType": "m5.large", "MetadataOptions": {"HttpTokens": "required"}}, {})
        group = autoscaling.create_auto_scaling_group(
            name=spec["name"], availability_zones=[], desired_capacity=spec["size"], max_size=max(spec["size"], 1) * 2,
            min_size=0, launch_config_name="", vpc_zone_identifier=",".join(subnet_ids), default_cooldown=None,
            launch_template={"LaunchTemplateId": template.id, "Version": spec["template_version"]},
            health_check_period=None, health_check_type=None, load_balancers=[], target_group_arns=[],
            placement_group=None, termination_policies=[],
            tags=_tags(cluster["name"], spec))
        group.eksworld_cluster = cluster["name"]  # type: ignore[attr-defined]
        for instance in group.instance_states:
            mark_launch_version(instance, 1)
        if spec["termination_hook"]:
            autoscaling.create_lifecycle_hook("drain-on-terminate", spec["name"],
                                              "autoscaling:EC2_INSTANCE_TERMINATING", 300, "CONTINUE")
        group.eksworld_refresh_fails = spec["refresh_fails"]  # type: ignore[attr-defined]
        if spec["refresh_in_progress"]:
            # An earlier run's refresh, interrupted: the launch template version it was started for exists.
            template.create_version(dict(template.get_version(1).data,
                                         ImageId=_next_image(region, spec, image_id)), "interrupted run")
            if spec["template_version"] == "1":
                group.launch_template_version = group.provided_launch_template_version = "2"
            aws_autoscaling.start_refresh(group, {"MinHealthyPercentage": 90, "SkipMatching": True})
        seeded.append({"spec": spec, "instances": [
            {"id": s.instance.id, "dns": s.instance.private_dns_name, "zone": s.instance.placement.zone}
            for s in group.instance_states]})
    return seeded


def _tags(cluster: str, spec: dict[str, Any]) -> list[dict[str, str]]:
    tags = [{"Key": "Name", "Value": f"{cluster}-{spec['name']}", "PropagateAtLaunch": "true"}]
    if spec["tagged"]:
        tags.insert(0, {"Key": f"kubernetes.io/cluster/{cluster}", "Value": "owned", "PropagateAtLaunch": "true"})
    return tags


def _next_image(region: str, spec: dict[str, Any], image_id: str) -> str:
    if spec["ami_family"] == CUSTOM:
        return image_id
    return publish_eks_amis(region, spec["ami_family"], spec["kubelet"]).get(
        catalog.next_minor(spec["kubelet"]), image_id)


def node_objects(seeded: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The Nodes of the seeded groups' instances and the pods on them."""
    objects = []
    for group in seeded:
        spec = group["spec"]
        for instance in group["instances"]:
            node, pods = _node_and_pods(spec["name"], spec["ami_family"], spec["kubelet"], instance, spec["pods"])
            objects += [node, *pods]
    return objects


def _node_and_pods(group: str, family: str, minor: str, instance: dict[str, str],
                   pods: list[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    from eksworld.scenario import _node  # scenario.py validates with this module: imported when nodes are built

    node = _node(instance["dns"], minor, {"eksworld/self-managed-group": group}, zone=instance["zone"])
    node["spec"]["providerID"] = f"aws:///{instance['zone']}/{instance['id']}"
    if family in FAMILIES:
        node["status"]["nodeInfo"]["osImage"] = FAMILIES[family][2]
    return node, [{"apiVersion": "v1", "kind": "Pod",
                   "metadata": {"name": f"{app}-{instance['id']}", "namespace": "default", "labels": {"app": app}},
                   "spec": {"nodeName": instance["dns"], "containers": [{"name": app, "image": "nginx:1.27"}]},
                   "status": {"phase": "Running"}} for app in pods]


def replace_nodes(store: Any, region: str, replaced: list[tuple[str, str]], image_id: str) -> None:
    """An instance refresh replaced instances: their Nodes (and pods) go, the new instances' join, with the kubelet
    of the group's AMI (the minor in its name)."""
    ec2 = get_backend("ec2")[ACCOUNT_ID][region]
    image = ec2.amis.get(image_id)
    found = _MINOR.search(image.name or "") if image is not None else None
    by_instance = {n["spec"].get("providerID", "").rpartition("/")[2]: n for n in store.list("v1", "Node")}
    for old_id, new_id in replaced:
        old = by_instance.get(old_id)
        if old is None:
            continue
        group = old["metadata"]["labels"].get("eksworld/self-managed-group", "")
        minor = found.group(0) if found else catalog.DEFAULT_MINOR
        family = next((f for f, (_p, _n, os_image) in FAMILIES.items()
                       if os_image == old["status"]["nodeInfo"]["osImage"]), CUSTOM)
        pods = [p for p in store.list("v1", "Pod") if p["spec"].get("nodeName") == old["metadata"]["name"]]
        for pod in pods:
            store.delete("v1", "Pod", pod["metadata"]["namespace"], pod["metadata"]["name"])
        store.delete("v1", "Node", None, old["metadata"]["name"])
        instance = ec2.get_instance(new_id)
        node, new_pods = _node_and_pods(group, family, minor, {"id": new_id, "dns": str(instance.private_dns_name),
                                                               "zone": str(instance.placement.zone)},
                                        [p["metadata"]["labels"]["app"] for p in pods])
        for obj in (node, *new_pods):
            store.create(obj)
