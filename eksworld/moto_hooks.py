"""Every part of moto eksworld uses beyond moto's documented surface, in one place.

moto documents its server mode, the `/moto-api/reset` endpoint, `moto.backends.get_backend` and
`moto.core.DEFAULT_ACCOUNT_ID`; the rest of eksworld uses only those. What follows has no public
equivalent: serving moto's WSGI app in process (behind eksworld's fault and log middleware, under the
world's lock: a second server and an HTTP hop per request would lose both), adding EKS operations to
moto's EKS responses, building moto's model objects directly (seeding a fleet through moto's
create_cluster costs a boto3 session per cluster), replacing a security group's rules and the free
addresses of a subnet.
tests/eksworld/test_moto_hooks.py names whatever a moto release moves; moto stays pinned for these.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

from moto.core.responses import ActionResult
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

__all__ = [
    "ActionResult", "Cluster", "EKSBackend", "EKSError", "EKSResponse", "FargateProfile",
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
