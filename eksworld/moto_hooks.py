"""Every part of moto eksworld uses beyond moto's documented surface, in one place.

moto documents its server mode, the `/moto-api/reset` endpoint, `moto.backends.get_backend` and
`moto.core.DEFAULT_ACCOUNT_ID`; the rest of eksworld uses only those. What follows has no public
equivalent: serving moto's WSGI app in process (behind eksworld's fault and log middleware, under the
world's lock: a second server and an HTTP hop per request would lose both), adding EKS operations to
moto's EKS responses, building moto's model objects directly (seeding a fleet through moto's
create_cluster costs a boto3 session per cluster), replacing a security group's rules and the free
addresses of a subnet; for self-managed node groups, Auto Scaling operations moto lacks (instance refresh), the
launch template version each instance was launched from (moto reports the template's default), SourceVersion of
CreateLaunchTemplateVersion (moto drops it), public SSM parameters and Amazon-owned AMIs.
tests/eksworld/test_moto_hooks.py names whatever a moto release moves; moto stays pinned for these.
"""
from __future__ import annotations

import copy
import datetime
from typing import Any, Callable, Iterable

from moto.autoscaling import urls as autoscaling_urls
from moto.autoscaling.exceptions import AutoscalingClientError
from moto.autoscaling.models import FakeAutoScalingGroup, InstanceState
from moto.autoscaling.responses import AutoScalingResponse
from moto.core.responses import ActionResult
from moto.ec2.responses.launch_templates import LaunchTemplates
from moto.ec2.exceptions import (
    InvalidLaunchTemplateIdNotFound,
    InvalidLaunchTemplateNameNotFoundWithNameError,
    InvalidSubnetIdError,
)
from moto.eks import urls as eks_urls
from moto.eks.exceptions import EKSError
from moto.eks.models import Cluster, EKSBackend, FargateProfile, Nodegroup
from moto.eks.responses import EKSResponse
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.ssm.models import Parameter

__all__ = [
    "ActionResult", "AutoScalingResponse", "AutoscalingClientError", "FakeAutoScalingGroup", "add_public_parameter",
    "complete_image", "mark_launch_version", "route_autoscaling",
    "Cluster", "EKSBackend", "EKSError", "EKSResponse", "FargateProfile",
    "InvalidLaunchTemplateIdNotFound", "InvalidLaunchTemplateNameNotFoundWithNameError", "InvalidSubnetIdError",
    "MotoRequestHandler", "Nodegroup", "clear_security_group_rules", "insert_cluster", "insert_nodegroup",
    "moto_wsgi_app", "route_eks_paths", "set_available_ips",
]

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


def moto_wsgi_app() -> WsgiApp:
    """moto's server application (what `moto_server` serves), to call in process."""
    return DomainDispatcherApplication(create_backend_app)


def route_eks_paths(extra_patterns: Iterable[str], dispatch: Callable[..., Any]) -> None:
    """Serve every EKS path, moto's and `extra_patterns`, with `dispatch`; must run before moto builds its EKS
    app (on the first EKS request)."""
    for pattern in [*eks_urls.url_paths, *extra_patterns]:
        eks_urls.url_paths[pattern] = dispatch


def insert_cluster(backend: EKSBackend, **fields: Any) -> Cluster:
    """A moto Cluster built from `fields` and stored in `backend`. Not moto's create_cluster: it validates the
    role ARN with a new boto3 Session (35 ms each), which adds up when seeding a fleet."""
    cluster = Cluster(**fields)
    backend.clusters[cluster.name] = cluster
    backend.cluster_count += 1
    return cluster


def insert_nodegroup(cluster: Cluster, **fields: Any) -> Nodegroup:
    """A moto Nodegroup built from `fields` and stored in `cluster` (built directly, as clusters are)."""
    nodegroup = Nodegroup(**fields)
    cluster.nodegroups[nodegroup.nodegroup_name] = nodegroup
    cluster.nodegroup_count += 1
    return nodegroup


def clear_security_group_rules(group: Any, inbound: bool) -> None:
    """Drop every inbound (or outbound) rule of a moto security group, so the caller can authorize new ones."""
    if inbound:
        group.ingress_rules = []
    else:
        group.egress_rules = []


def set_available_ips(subnet: Any, count: int) -> None:
    """Make a moto subnet report `count` free addresses (moto derives AvailableIpAddressCount from this and the
    network interfaces in the subnet)."""
    subnet._available_ip_addresses = count


def route_autoscaling(dispatch: Callable[..., Any]) -> None:
    """Serve Auto Scaling with `dispatch`; must run before moto builds its Auto Scaling app (first request)."""
    for pattern in list(autoscaling_urls.url_paths):
        autoscaling_urls.url_paths[pattern] = dispatch


def mark_launch_version(state: InstanceState, version: int) -> None:
    """Record the launch template version an instance was launched from (DescribeAutoScalingGroups reports it)."""
    state.eksworld_launch_version = int(version)  # type: ignore[attr-defined]


def _instance_launch_template(self: InstanceState) -> dict[str, Any] | None:
    template = _MOTO_INSTANCE_LAUNCH_TEMPLATE.fget(self)  # type: ignore[attr-defined]
    launched = getattr(self, "eksworld_launch_version", None)
    if template is not None and launched is not None:
        template["Version"] = str(launched)
    return template


_MOTO_INSTANCE_LAUNCH_TEMPLATE = InstanceState.launch_template
InstanceState.launch_template = property(_instance_launch_template)  # type: ignore[method-assign,assignment]


def _create_launch_template_version(self: LaunchTemplates) -> ActionResult:
    """moto's CreateLaunchTemplateVersion, with SourceVersion: the new version is that one's data with
    LaunchTemplateData's members replacing its own, as EC2 builds it."""
    source = self._get_param("SourceVersion")
    if not source:
        return _MOTO_CREATE_LAUNCH_TEMPLATE_VERSION(self)
    name, template_id = self._get_param("LaunchTemplateName"), self._get_param("LaunchTemplateId")
    backend = self.ec2_backend
    template = backend.get_launch_template(template_id) if template_id else backend.get_launch_template_by_name(name)
    data = copy.deepcopy(template.get_version(source).data)
    data.update(self._get_param("LaunchTemplateData", {}))
    self.error_on_dryrun()
    version = template.create_version(data, self._get_param("VersionDescription"))
    return ActionResult({"LaunchTemplateVersion": {
        "CreateTime": version.create_time, "DefaultVersion": template.is_default(version),
        "CreatedBy": f"arn:{self.partition}:iam::{self.current_account}:root",
        "LaunchTemplateData": version.data, "LaunchTemplateId": template.id, "LaunchTemplateName": template.name,
        "VersionDescription": version.description, "VersionNumber": version.number}})


_MOTO_CREATE_LAUNCH_TEMPLATE_VERSION = LaunchTemplates.create_launch_template_version
LaunchTemplates.create_launch_template_version = _create_launch_template_version  # type: ignore[method-assign]


def add_public_parameter(ssm_backend: Any, name: str, value: str) -> None:
    """A parameter under /aws/service/ as AWS publishes them (PutParameter refuses names starting with aws)."""
    ssm_backend._parameters[name].append(Parameter(  # type: ignore[abstract]
        account_id=ssm_backend.account_id, name=name, value=value, parameter_type="String", description=None,
        allowed_pattern=None, keyid=None, last_modified_date=datetime.datetime.now(datetime.timezone.utc),
        version=len(ssm_backend._parameters[name]) + 1, data_type="aws:ec2:image", tier="Standard"))


def complete_image(image: Any, amazon_owned: bool = False) -> None:
    """A registered AMI as EC2 describes an EKS node AMI: an EBS root device (moto says "standard", which is not a
    DeviceType), and, when `amazon_owned`, ImageOwnerAlias amazon (published by Amazon)."""
    image.root_device_type = "ebs"
    if amazon_owned:
        image.owner_alias = "amazon"
