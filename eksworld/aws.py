"""The emulated AWS side of the test world: moto's server plus the EKS operations moto lacks.

boto3 (or any AWS SDK, via AWS_ENDPOINT_URL) talks to `AwsEmulator.url`. A WSGI middleware in front
of moto names every request (service, botocore operation, cluster), injects the faults configured in
`WorldState.faults`, completes due updates first (`advance`) and records the request in
`WorldState.log`. The EKS operations moto does not serve (version updates, add-ons, insights, cluster
versions) are added in one place, `EksWorldResponse`, a subclass of moto's EKS response class whose
routes are registered in `moto.eks.urls.url_paths`; their behaviour lives in `EksControlPlane`, which
keeps its extra state on moto's own Cluster/Nodegroup objects so that a moto reset clears it too.

moto's backends are process-global: run one emulator per process at a time.
"""
from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import io
import ipaddress
import json
import os
import re
import threading
import time
import uuid
from http import HTTPStatus
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs, unquote

import botocore.session
import moto.eks.urls
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.responses import ActionResult
from moto.ec2.exceptions import (
    InvalidLaunchTemplateIdNotFound,
    InvalidLaunchTemplateNameNotFoundWithNameError,
    InvalidSubnetIdError,
)
from moto.ec2.models import ec2_backends
from moto.eks.exceptions import EKSError
from moto.eks.models import Cluster, EKSBackend, FargateProfile, Nodegroup, eks_backends
from moto.eks.responses import EKSResponse
from moto.moto_api._internal import moto_api_backend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from eksworld import catalog
from eksworld.state import WorldState

ACCOUNT_ID = DEFAULT_ACCOUNT_ID
MIN_FREE_IPS = 5  # EKS needs up to five free addresses in the cluster subnets to update the control plane

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]

# --- Messages (verbatim from AWS where known; see eks-api-notes.md) -------------------------------

MSG_CLUSTER_NOT_FOUND = "No cluster found for name: {name}."
MSG_NODEGROUP_NOT_FOUND = "No node group found for name: {name}."
MSG_UPDATE_NOT_FOUND = "No update found for ID: {update_id}"
MSG_ADDON_NOT_FOUND = "No addon: {addon} found in cluster: {cluster}"
MSG_ADDON_EXISTS = "Addon already exists."
MSG_UPDATE_IN_PROGRESS = "Cannot VersionUpdate because cluster {name} currently has update {update_id} in progress"
MSG_MINOR_UPDATE = "Unsupported Kubernetes minor version update from {current} to {target}"
MSG_UNSUPPORTED_VERSION = "unsupported Kubernetes version"
MSG_NODEGROUPS_BEHIND = (
    "Nodegroups {names} must be updated to match cluster version {version} before updating cluster version"
)
MSG_INSIGHTS_BLOCK = (
    "Upgrade readiness issues detected. Call the EKS ListInsights API to view upgrade blocking issues detected"
    " by EKS. Pass the force flag to override upgrade readiness errors and proceed with upgrade."
)
MSG_NODEGROUP_VERSION = (
    "Nodegroup Kubernetes version should be equal to Cluster kubernetes version {cluster} or NodeGroup"
    " kubernetes version {nodegroup}"
)
MSG_CUSTOM_AMI_FIELD = "You cannot specify the field {field} when using custom AMIs."
MSG_RELEASE_VERSION = "Requested release version {release} is not valid for kubernetes version {version}."
MSG_NODEGROUP_NOT_ACTIVE = "Nodegroup cannot be updated as it is currently not in Active State"
MSG_ADDON_VERSION = "Addon version specified is not supported"
MSG_POD_EVICTION = "Reached max retries while trying to evict pods from nodes in node group {nodegroup}"
# Not seen verbatim in AWS output; modelled on the messages above.
MSG_ADDON_NOT_ACTIVE = "Addon cannot be updated as it is currently not in Active State"
MSG_ADDON_UNSUPPORTED = "Addon {addon} specified is not supported in {version} kubernetes version"
MSG_TOKEN_REUSED = "The client request token {token} was already used with different request parameters."
MSG_INSIGHT_NOT_FOUND = "No insight found for id: {insight_id}"
MSG_INSIGHTS_REFRESH_STARTED = "Insights refresh started."
MSG_INSIGHTS_REFRESH_RUNNING = "An insights refresh is already in progress."
MSG_INSIGHTS_REFRESH_FAILED = "Insights refresh failed. Try again later."
MSG_BAD_NEXT_TOKEN = "The nextToken provided is invalid."
# Launch templates of node groups. The first is EKS's (eksctl#3104); the next three are EC2's own messages, which
# EKS relays (InvalidLaunchTemplateId.VersionNotFound, eksctl#7786); the last two are not seen verbatim.
MSG_LT_ID_OR_NAME = "Either provide launch template ID or launch template name in the request."
MSG_LT_VERSION_NOT_FOUND = (
    "Could not find the specified version {version} for the launch template with ID {template_id}."
)
MSG_LT_NAME_NOT_FOUND = "The specified launch template, with template name {name}, does not exist."
MSG_LT_ID_NOT_FOUND = "The specified launch template, with template ID {template_id}, does not exist."
MSG_LT_NONE = "Nodegroup {nodegroup} was not created with a launch template; a launch template can't be added to it."
MSG_LT_OTHER = (
    "Nodegroup {nodegroup} uses launch template {current}: a node group keeps the launch template it was created with."
)

MSG_FEW_FREE_IPS = (
    "One or more of the subnets associated with your cluster does not have enough available IP addresses for"
    " Amazon EKS to perform cluster management operations. Free up addresses in the subnet(s), or associate"
    " different subnets to your cluster using the Amazon EKS update-cluster-config API."
)
MSG_SUBNET_GONE = "One or more subnets associated with the cluster could not be found."
MSG_SECURITY_GROUP_GONE = "One or more security groups associated with the cluster could not be found."
# errorMessage for update failures injected with FaultSpec.fail_updates.
FAILURE_MESSAGES = {
    "InsufficientFreeAddresses": MSG_FEW_FREE_IPS,
    "SubnetNotFound": MSG_SUBNET_GONE,
    "SecurityGroupNotFound": MSG_SECURITY_GROUP_GONE,
    "ClusterUnreachable": "Amazon EKS could not reach the Kubernetes API server of the cluster.",
    "AccessDenied": "Amazon EKS was denied access to a resource the update needs.",
    "Unknown": "The update failed for an unknown reason.",
    "ConfigurationConflict": "Conflicts found when trying to apply. Will not continue due to resolve conflicts mode.",
}
# Cluster health issue code -> Update errorCode of the version update it makes fail.
HEALTH_TO_UPDATE_ERROR = {
    "Ec2SubnetNotFound": "SubnetNotFound",
    "Ec2SecurityGroupNotFound": "SecurityGroupNotFound",
    "InsufficientFreeAddresses": "InsufficientFreeAddresses",
}
# Version rollback: UpdateClusterVersion to N-1 within 7 days after an in-place upgrade to N finished
# (eks-api-notes.md). rollbackConfig.timeoutMinutes bounds are botocore's documentation; the two messages
# are not seen verbatim in AWS output, the first is modelled on MSG_INSIGHTS_BLOCK.
ROLLBACK_WINDOW_S = 7 * 24 * 3600.0
ROLLBACK_TIMEOUT_MINUTES = (120, 10080)
MSG_ROLLBACK_BLOCK = (
    "Rollback readiness issues detected. Call the EKS ListInsights API to view rollback blocking issues detected"
    " by EKS. Pass the force flag to override rollback readiness errors and proceed with rollback."
)
MSG_ROLLBACK_TIMEOUT = "rollbackConfig.timeoutMinutes must be between 120 and 10080."
# Insight categories and statuses (botocore's Category and InsightStatusValue enums). Configuration insights
# (MISCONFIGURATION) describe the EKS Hybrid Nodes setup of the cluster as it is: they carry its own version.
INSIGHT_CATEGORIES = ("UPGRADE_READINESS", "MISCONFIGURATION", "ROLLBACK_READINESS")
INSIGHT_STATUSES = ("PASSING", "WARNING", "ERROR", "UNKNOWN")

# --- Errors --------------------------------------------------------------------------------------


class EksApiError(EKSError):
    """An EKS error response: code in `x-amzn-errortype`, JSON body with message and the named resources."""

    TYPE = "ServerException"
    STATUS = 500

    def __init__(self, message: str, **members: str | None) -> None:
        super().__init__(message=message, **{k: v for k, v in members.items() if v is not None})


class InvalidParameterException(EksApiError):
    TYPE = "InvalidParameterException"
    STATUS = 400


class InvalidRequestException(EksApiError):
    TYPE = "InvalidRequestException"
    STATUS = 400


class InvalidStateException(EksApiError):
    TYPE = "InvalidStateException"
    STATUS = 400


class ResourceInUseException(EksApiError):
    TYPE = "ResourceInUseException"
    STATUS = 409


class ResourceNotFoundException(EksApiError):
    TYPE = "ResourceNotFoundException"
    STATUS = 404


# --- State kept on moto's objects ----------------------------------------------------------------


def _utc(epoch: float) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(epoch, tz=_dt.timezone.utc)


def _midnight(day: _dt.date) -> _dt.datetime:
    return _dt.datetime(day.year, day.month, day.day, tzinfo=_dt.timezone.utc)


def _hex(seed: str, length: int) -> str:
    return hashlib.sha1(seed.encode()).hexdigest()[:length]


# The Kubernetes minor in an AMI name or SSM path: "-1.30-", "/1.30/", "k8s-1.30-" (not "v1.20.0").
_AMI_MINOR = re.compile(r"(?:^|[-/_])(1\.\d{1,2})(?=[-/_]|$)")


@dataclass
class Update:
    """An EKS Update; finishes in `EksControlPlane.advance` once the emulated clock passes `due_at`."""

    id: str
    type: str
    params: list[dict[str, str]]
    created_at: float
    due_at: float
    status: str = "InProgress"
    errors: list[dict[str, Any]] = field(default_factory=list)
    nodegroup: str | None = None
    addon: str | None = None
    failure: dict[str, Any] | None = None  # the error the update will end with, decided when it starts
    force: bool = False
    kubelet: str | None = None  # node group updates: the kubelet minor the new nodes run (custom AMIs: the AMI's)

    def param(self, kind: str) -> str | None:
        return next((p["value"] for p in self.params if p["type"] == kind), None)

    def as_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "type": self.type,
            "params": self.params,
            "createdAt": _utc(self.created_at),
            "errors": self.errors,
        }


@dataclass
class Addon:
    """An EKS add-on installed on a cluster."""

    name: str
    cluster: str
    version: str
    arn: str
    created_at: float
    status: str = "ACTIVE"
    modified_at: float = 0.0
    ready_at: float | None = None  # CREATING until then
    configuration_values: str | None = None
    service_account_role_arn: str | None = None
    tags: dict[str, str] = field(default_factory=dict)

    def as_api(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "addonName": self.name,
            "clusterName": self.cluster,
            "status": self.status,
            "addonVersion": self.version,
            "health": {"issues": []},
            "addonArn": self.arn,
            "createdAt": _utc(self.created_at),
            "modifiedAt": _utc(self.modified_at or self.created_at),
            "tags": self.tags,
            "publisher": "eks",
            "owner": "aws",
            "podIdentityAssociations": [],
        }
        if self.service_account_role_arn:
            result["serviceAccountRoleArn"] = self.service_account_role_arn
        if self.configuration_values:
            result["configurationValues"] = self.configuration_values
        return result


@dataclass
class Insight:
    """A cluster insight (upgrade readiness check) as ListInsights/DescribeInsight report it."""

    id: str
    name: str
    category: str
    kubernetes_version: str
    status: str
    reason: str
    description: str
    recommendation: str
    last_transition: _dt.datetime
    additional_info: dict[str, str] = field(default_factory=dict)
    resources: list[dict[str, Any]] = field(default_factory=list)
    deprecation_details: list[dict[str, Any]] = field(default_factory=list)
    addon_compatibility: list[dict[str, Any]] = field(default_factory=list)

    def summary(self, refreshed: _dt.datetime) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "kubernetesVersion": self.kubernetes_version,
            "lastRefreshTime": refreshed,
            "lastTransitionTime": self.last_transition,
            "description": self.description,
            "insightStatus": {"status": self.status, "reason": self.reason},
        }

    def detail(self, refreshed: _dt.datetime) -> dict[str, Any]:
        return {
            **self.summary(refreshed),
            "recommendation": self.recommendation,
            "additionalInfo": self.additional_info,
            "resources": self.resources,
            "categorySpecificSummary": {
                "deprecationDetails": self.deprecation_details,
                "addonCompatibilityDetails": self.addon_compatibility,
            },
        }


@dataclass
class ClusterExtras:
    """What EKS knows about a cluster beyond moto's model; stored on the moto Cluster object."""

    updates: dict[str, Update] = field(default_factory=dict)
    addons: dict[str, Addon] = field(default_factory=dict)
    insights: dict[str, Insight] = field(default_factory=dict)  # seeded ones; defaults are computed
    tokens: dict[tuple[str, str], tuple[tuple[Any, ...], str]] = field(default_factory=dict)
    refresh_started: float | None = None
    refresh_ended: float | None = None  # when insights were last refreshed (None: when the cluster was created)
    refresh_due: float | None = None  # an on-demand refresh IN_PROGRESS ends then
    refresh_failed: bool = False  # the latest on-demand refresh ended (or will end) FAILED
    # (from, to, finished at) of the last in-place minor upgrade; None once rolled back. Opens the rollback window.
    last_upgrade: tuple[str, str, float] | None = None


def _extras(cluster: Cluster) -> ClusterExtras:
    extras = getattr(cluster, "eksworld", None)
    if extras is None:
        extras = ClusterExtras()
        cluster.eksworld = extras  # type: ignore[attr-defined]
    return extras


def _paginate(items: list[Any], max_results: int | None, next_token: str | None) -> tuple[list[Any], str | None]:
    """One page and the token for the next (opaque base64 offset, as AWS tokens look opaque)."""
    start = 0
    if next_token:
        try:
            start = int(base64.urlsafe_b64decode(next_token.encode()).decode().removeprefix("offset:"))
        except ValueError:
            raise InvalidParameterException(MSG_BAD_NEXT_TOKEN) from None
    end = start + (max_results or 100)
    token = base64.urlsafe_b64encode(f"offset:{end}".encode()).decode() if end < len(items) else None
    return items[start:end], token


def _with_token(result: dict[str, Any], token: str | None) -> dict[str, Any]:
    if token:
        result["nextToken"] = token
    return result


# --- Behaviour -----------------------------------------------------------------------------------


class EksControlPlane:
    """EKS behaviour moto lacks: updates with emulated durations, add-ons, insights, cluster versions."""

    def __init__(self, state: WorldState, region: str) -> None:
        self.state = state
        self.region = region
        self.enforce_insights = False  # AWS rolled the enforcement back (containers-roadmap#2570)

    @property
    def backend(self) -> EKSBackend:
        return eks_backends[ACCOUNT_ID][self.region]

    @property
    def ec2(self) -> Any:
        return ec2_backends[ACCOUNT_ID][self.region]

    def now(self) -> float:
        return self.state.clock.now()

    def today(self) -> _dt.date:
        return _utc(self.now()).date()

    # Lookups ----------------------------------------------------------------------------------

    def cluster(self, name: str) -> Cluster:
        try:
            return self.backend.clusters[name]
        except KeyError:
            raise ResourceNotFoundException(MSG_CLUSTER_NOT_FOUND.format(name=name), clusterName=name) from None

    def nodegroup(self, cluster: Cluster, name: str) -> Nodegroup:
        try:
            return cluster.nodegroups[name]
        except KeyError:
            raise ResourceNotFoundException(
                MSG_NODEGROUP_NOT_FOUND.format(name=name), clusterName=cluster.name, nodegroupName=name
            ) from None

    def addon(self, cluster: Cluster, name: str) -> Addon:
        try:
            return _extras(cluster).addons[name]
        except KeyError:
            raise ResourceNotFoundException(
                MSG_ADDON_NOT_FOUND.format(addon=name, cluster=cluster.name), clusterName=cluster.name, addonName=name
            ) from None

    # Completing work ----------------------------------------------------------------------------

    def advance(self) -> None:
        """Finish every update (and add-on creation) whose emulated duration has passed, oldest first."""
        now = self.now()
        due: list[tuple[float, Cluster, Update]] = []
        for cluster in list(self.backend.clusters.values()):
            extras = _extras(cluster)
            for addon in extras.addons.values():
                if addon.ready_at is not None and addon.ready_at <= now:
                    addon.status, addon.modified_at = "ACTIVE", addon.ready_at
                    addon.ready_at = None
                    self._publish_addon(addon)
            due += [
                (u.due_at, cluster, u) for u in extras.updates.values() if u.status == "InProgress" and u.due_at <= now
            ]
        for _, cluster, update in sorted(due, key=lambda item: item[0]):
            if update.nodegroup:
                self._finish_nodegroup_update(cluster, update)
            elif update.addon:
                self._finish_addon_update(cluster, update)
            else:
                self._finish_cluster_update(cluster, update)

    def _finish_cluster_update(self, cluster: Cluster, update: Update) -> None:
        cluster.status = "ACTIVE"
        if update.failure:
            update.status, update.errors = "Failed", [update.failure]
            return
        update.status = "Successful"
        previous = cluster.version
        cluster.version = update.param("Version") or cluster.version
        cluster.platformVersion = update.param("PlatformVersion") or cluster.platformVersion
        if update.type == "VersionRollback":
            _extras(cluster).last_upgrade = None  # one minor back only, once
        elif cluster.version == catalog.next_minor(previous):
            _extras(cluster).last_upgrade = (previous, cluster.version, update.due_at)
        self.state.events.publish(
            "cluster_version_changed",
            cluster=cluster.name, version=cluster.version, platform_version=cluster.platformVersion,
        )

    def _finish_nodegroup_update(self, cluster: Cluster, update: Update) -> None:
        nodegroup = cluster.nodegroups.get(update.nodegroup or "")
        if nodegroup is None:  # deleted meanwhile
            update.status = "Cancelled"
            return
        nodegroup.status = "ACTIVE"
        nodegroup.modified_at = _utc(update.due_at)
        if getattr(nodegroup, "eksworld_pdb_blocks_drain", False) and not update.force:
            update.status = "Failed"
            update.errors = [{
                "errorCode": "PodEvictionFailure",
                "errorMessage": MSG_POD_EVICTION.format(nodegroup=nodegroup.nodegroup_name),
                "resourceIds": [self.first_node_name(cluster, nodegroup)],
            }]
            return
        update.status = "Successful"
        nodegroup.version = update.param("Version") or nodegroup.version
        nodegroup.release_version = update.param("ReleaseVersion") or nodegroup.release_version
        template_version = update.param("LaunchTemplateVersion")
        if template_version and nodegroup.launch_template:
            nodegroup.launch_template = {**nodegroup.launch_template, "version": template_version}
        self.state.events.publish(
            "nodegroup_version_changed",
            cluster=cluster.name, nodegroup=nodegroup.nodegroup_name,
            version=nodegroup.version, release_version=nodegroup.release_version,
            kubelet_version=update.kubelet or nodegroup.version,
        )

    def _finish_addon_update(self, cluster: Cluster, update: Update) -> None:
        addon = _extras(cluster).addons.get(update.addon or "")
        if addon is None:
            update.status = "Cancelled"
            return
        addon.status, addon.modified_at = "ACTIVE", update.due_at
        if update.failure:  # EKS leaves the add-on on its version, ACTIVE, ready for another update
            update.status, update.errors = "Failed", [update.failure]
            return
        update.status = "Successful"
        addon.version = update.param("AddonVersion") or addon.version
        if update.param("ConfigurationValues") is not None:
            addon.configuration_values = update.param("ConfigurationValues")
        if update.param("ServiceAccountRoleArn") is not None:
            addon.service_account_role_arn = update.param("ServiceAccountRoleArn")
        self._publish_addon(addon)

    def _publish_addon(self, addon: Addon) -> None:
        """EKS (re)deployed an add-on: its workload now runs `version`."""
        self.state.events.publish(
            "addon_version_changed", cluster=addon.cluster, addon=addon.name, version=addon.version
        )

    def first_node_name(self, cluster: Cluster, nodegroup: Nodegroup) -> str:
        """Private DNS name of a node group's first node, numbered across the cluster's node groups in order
        (ip-10-0-1-1, ip-10-0-1-2, ...) as eksworld's Kubernetes side names managed nodes."""
        index = 1
        for other in cluster.nodegroups.values():
            if other is nodegroup:
                break
            index += int((other.scaling_config or {}).get("desiredSize", 0))
        domain = "ec2.internal" if self.region == "us-east-1" else f"{self.region}.compute.internal"
        return f"ip-10-0-1-{index}.{domain}"

    # Cluster health and version updates -------------------------------------------------------

    def health_issues(self, cluster: Cluster) -> list[dict[str, Any]]:
        """ClusterHealth issues derived from the EC2 world (deleted subnets/SGs, subnets short of IPs)."""
        vpc_config = cluster.resources_vpc_config or {}
        subnets, missing_subnets = [], []
        for subnet_id in vpc_config.get("subnetIds", []):
            try:
                subnets.append(self.ec2.get_subnet(subnet_id))
            except InvalidSubnetIdError:
                missing_subnets.append(subnet_id)
        group_ids = [*vpc_config.get("securityGroupIds", []), vpc_config.get("clusterSecurityGroupId")]
        missing_groups = [g for g in group_ids if g and self.ec2.get_security_group_from_id(g) is None]
        tight = [s.id for s in subnets if s.available_ip_address_count < MIN_FREE_IPS]
        issues = []
        if missing_subnets:
            issues.append({"code": "Ec2SubnetNotFound", "message": MSG_SUBNET_GONE, "resourceIds": missing_subnets})
        if missing_groups:
            issues.append(
                {"code": "Ec2SecurityGroupNotFound", "message": MSG_SECURITY_GROUP_GONE, "resourceIds": missing_groups}
            )
        if tight:
            issues.append({"code": "InsufficientFreeAddresses", "message": MSG_FEW_FREE_IPS, "resourceIds": tight})
        return issues

    def refresh_health(self, cluster: Cluster) -> None:
        cluster.health = {"issues": self.health_issues(cluster)}  # type: ignore[attr-defined]

    def _update_failure(self, cluster: Cluster) -> dict[str, Any] | None:
        """The error a version update started now will end with (injected fault first, then health)."""
        code = self.state.faults.spec_for(cluster.name).fail_updates
        if code:
            message = FAILURE_MESSAGES.get(code, f"The update failed with {code}.")
            return {"errorCode": code, "errorMessage": message, "resourceIds": [cluster.name]}
        for issue in self.health_issues(cluster):
            return {
                "errorCode": HEALTH_TO_UPDATE_ERROR[issue["code"]],
                "errorMessage": issue["message"],
                "resourceIds": issue["resourceIds"],
            }
        return None

    def _cluster_update_in_progress(self, cluster: Cluster) -> Update | None:
        return next(
            (u for u in _extras(cluster).updates.values()
             if u.status == "InProgress" and u.nodegroup is None and u.addon is None),
            None,
        )

    def _replay(self, cluster: Cluster, scope: str, token: str | None, request: tuple[Any, ...]) -> Update | None:
        """The update an earlier request with the same clientRequestToken created, if any."""
        if not token:
            return None
        extras = _extras(cluster)
        seen = extras.tokens.get((scope, token))
        if seen is None:
            return None
        if seen[0] != request:
            raise InvalidParameterException(MSG_TOKEN_REUSED.format(token=token), clusterName=cluster.name)
        return extras.updates[seen[1]]

    def _record(
        self, cluster: Cluster, update: Update, scope: str, token: str | None, request: tuple[Any, ...]
    ) -> None:
        extras = _extras(cluster)
        extras.updates[update.id] = update
        if token:
            extras.tokens[(scope, token)] = (request, update.id)

    def update_cluster_version(
        self, name: str, version: str, token: str | None = None, force: bool = False,
        rollback_timeout_minutes: int | None = None,
    ) -> Update:
        """UpdateClusterVersion, with AWS's refusals: one minor up, or one minor back within the rollback window."""
        cluster = self.cluster(name)
        request = (version, force, rollback_timeout_minutes)
        replayed = self._replay(cluster, "cluster", token, request)
        if replayed:
            return replayed
        low, high = ROLLBACK_TIMEOUT_MINUTES
        if rollback_timeout_minutes is not None and not low <= rollback_timeout_minutes <= high:
            raise InvalidParameterException(MSG_ROLLBACK_TIMEOUT, clusterName=name)
        if self.state.faults.spec_for(name).concurrent_update:
            # Another operator's identical update got in first (fault injection, once).
            self.state.faults.set(name, concurrent_update=False)
            self.start_cluster_update(cluster, version)
        running = self._cluster_update_in_progress(cluster)
        if running:
            raise ResourceInUseException(
                MSG_UPDATE_IN_PROGRESS.format(name=name, update_id=running.id), clusterName=name
            )
        if not catalog.is_known_minor(version) or not catalog.minor_info(version).released_by(self.today()):
            raise InvalidParameterException(MSG_UNSUPPORTED_VERSION, clusterName=name)
        if version == self.rollback_target(cluster):
            return self._roll_back(cluster, version, force, token, request)
        if version != catalog.next_minor(cluster.version):
            raise InvalidParameterException(
                MSG_MINOR_UPDATE.format(current=cluster.version, target=version), clusterName=name
            )
        behind = sorted(ng.nodegroup_name for ng in cluster.nodegroups.values() if ng.version != cluster.version)
        if behind:
            raise InvalidParameterException(
                MSG_NODEGROUPS_BEHIND.format(names=", ".join(behind), version=cluster.version), clusterName=name
            )
        if self.enforce_insights and not force and any(
            i.status == "ERROR" and i.category == "UPGRADE_READINESS" and i.kubernetes_version == version
            for i in self.insights(cluster)
        ):
            raise InvalidStateException(MSG_INSIGHTS_BLOCK, clusterName=name)
        update = self.start_cluster_update(cluster, version)
        self._record(cluster, update, "cluster", token, request)
        return update

    def rollback_target(self, cluster: Cluster) -> str | None:
        """The minor a rollback may go back to now: the one before the last in-place upgrade, within 7 days."""
        last = _extras(cluster).last_upgrade
        if last is None or last[1] != cluster.version or self.now() - last[2] > ROLLBACK_WINDOW_S:
            return None
        return last[0]

    def _roll_back(
        self, cluster: Cluster, version: str, force: bool, token: str | None, request: tuple[Any, ...]
    ) -> Update:
        """A VersionRollback; ERROR rollback-readiness insights for the target refuse it unless force."""
        if not force and any(
            i.status == "ERROR" and i.category == "ROLLBACK_READINESS" and i.kubernetes_version == version
            for i in self.insights(cluster)
        ):
            raise InvalidStateException(MSG_ROLLBACK_BLOCK, clusterName=cluster.name)
        update = self.start_cluster_update(cluster, version, update_type="VersionRollback")
        self._record(cluster, update, "cluster", token, request)
        return update

    def rollback_insights(self, cluster: Cluster) -> list[Insight]:
        """ROLLBACK_READINESS insights while the rollback window is open (kubernetesVersion: the rollback target).

        Kubelet version skew (managed node groups newer than the target) and cluster health are computed;
        the other checks pass unless an insight with the same name and version is seeded (``add_insight``).
        """
        target = self.rollback_target(cluster)
        if target is None:
            return []
        ahead = sorted(ng.nodegroup_name for ng in cluster.nodegroups.values()
                       if catalog.minor_key(ng.version) > catalog.minor_key(target))
        issues = self.health_issues(cluster)
        checks = [
            ("API compatibility", "PASSING", f"No API usage incompatible with Kubernetes v{target} detected."),
            ("Kubelet version skew", "ERROR" if ahead else "PASSING",
             f"Node groups {', '.join(ahead)} run a kubelet newer than Kubernetes v{target}." if ahead
             else f"Node kubelet versions are compatible with Kubernetes v{target}."),
            ("kube-proxy version skew", "PASSING", f"kube-proxy versions are compatible with Kubernetes v{target}."),
            ("EKS add-on version compatibility", "PASSING",
             f"All installed EKS add-on versions are compatible with Kubernetes v{target}."),
            ("Cluster health issues", "ERROR" if issues else "PASSING",
             "Cluster health issues detected." if issues else "No cluster health issues detected."),
        ]
        return [
            self.make_insight(
                cluster, name, target, status, reason, category="ROLLBACK_READINESS",
                description=f"Checks whether the cluster can be rolled back to Kubernetes v{target}: {name}.",
                recommendation=f"Resolve the issues reported before rolling back to Kubernetes v{target}.",
            )
            for name, status, reason in checks
        ]

    def start_cluster_update(self, cluster: Cluster, version: str, update_type: str = "VersionUpdate") -> Update:
        """Begin a version update without AWS's preconditions (seeding and the checked path share this)."""
        now = self.now()
        update = Update(
            id=str(uuid.uuid4()),
            type=update_type,
            params=[
                {"type": "Version", "value": version},
                {"type": "PlatformVersion", "value": catalog.newest_platform_version(version)},
            ],
            created_at=now,
            due_at=now + self.state.cluster_update_s,
            failure=self._update_failure(cluster),
        )
        _extras(cluster).updates[update.id] = update
        cluster.status = "UPDATING"
        return update

    # Node groups -------------------------------------------------------------------------------

    def update_nodegroup_version(
        self,
        cluster_name: str,
        nodegroup_name: str,
        version: str | None = None,
        release_version: str | None = None,
        launch_template: dict[str, str] | None = None,
        force: bool = False,
        token: str | None = None,
    ) -> Update:
        cluster = self.cluster(cluster_name)
        nodegroup = self.nodegroup(cluster, nodegroup_name)
        scope = f"nodegroup/{nodegroup_name}"
        request = (version, release_version, json.dumps(launch_template, sort_keys=True), force)
        replayed = self._replay(cluster, scope, token, request)
        if replayed:
            return replayed
        names = {"clusterName": cluster_name, "nodegroupName": nodegroup_name}
        custom_ami = nodegroup.ami_type == "CUSTOM"
        if custom_ami and version:
            raise InvalidParameterException(MSG_CUSTOM_AMI_FIELD.format(field="kubernetesVersion"), **names)
        if custom_ami and release_version:
            raise InvalidParameterException(MSG_CUSTOM_AMI_FIELD.format(field="releaseVersion"), **names)
        target = version or cluster.version
        if cluster.status == "UPDATING" or target not in (cluster.version, nodegroup.version):
            raise InvalidParameterException(
                MSG_NODEGROUP_VERSION.format(cluster=cluster.version, nodegroup=nodegroup.version), **names
            )
        if release_version and not release_version.startswith(f"{target}."):
            raise InvalidParameterException(
                MSG_RELEASE_VERSION.format(release=release_version, version=target), **names
            )
        template_version = self._launch_template_version(nodegroup, launch_template, names) if launch_template \
            else None
        if nodegroup.status != "ACTIVE":
            raise ResourceInUseException(MSG_NODEGROUP_NOT_ACTIVE, **names)
        kubelet = target
        if custom_ami:
            # The nodes run the AMI of the launch template version: its Kubernetes minor is in its name when the
            # world registered it (seeded templates); an AMI of unknown origin is taken as built for the target.
            image = template_version.image_id if template_version else ""
            if not image and nodegroup.launch_template:
                image = self._launch_template(nodegroup.launch_template, names).get_version(
                    nodegroup.launch_template.get("version") or "1").image_id
            release = image or nodegroup.release_version
            kubelet = self.ami_minor(image) or target
        else:
            release = release_version or catalog.ami_release_version(target)
        params = [{"type": "Version", "value": target}, {"type": "ReleaseVersion", "value": release}]
        if template_version is not None:
            params += [
                {"type": "LaunchTemplateName", "value": template_version.template.name},
                {"type": "LaunchTemplateVersion", "value": str(template_version.number)},
            ]
        now = self.now()
        update = Update(
            id=str(uuid.uuid4()), type="VersionUpdate", params=params, created_at=now,
            due_at=now + self.state.nodegroup_update_s, nodegroup=nodegroup_name, force=force, kubelet=kubelet,
        )
        self._record(cluster, update, scope, token, request)
        nodegroup.status = "UPDATING"
        return update

    def _launch_template(self, spec: dict[str, str], names: dict[str, str]) -> Any:
        """The EC2 launch template a node group's (or a request's) launchTemplate names."""
        try:
            if spec.get("id"):
                return self.ec2.get_launch_template(spec["id"])
            return self.ec2.get_launch_template_by_name(spec.get("name", ""))
        except (InvalidLaunchTemplateIdNotFound, InvalidLaunchTemplateNameNotFoundWithNameError):
            message = (MSG_LT_ID_NOT_FOUND.format(template_id=spec["id"]) if spec.get("id")
                       else MSG_LT_NAME_NOT_FOUND.format(name=spec.get("name", "")))
            raise InvalidParameterException(message, **names) from None

    def _launch_template_version(self, nodegroup: Nodegroup, spec: dict[str, str], names: dict[str, str]) -> Any:
        """The EC2 launch template version an UpdateNodegroupVersion asks for, checked as EKS checks it."""
        current = nodegroup.launch_template
        if not current:
            raise InvalidParameterException(MSG_LT_NONE.format(nodegroup=nodegroup.nodegroup_name), **names)
        if bool(spec.get("id")) == bool(spec.get("name")):
            raise InvalidParameterException(MSG_LT_ID_OR_NAME, **names)
        if (spec.get("id") and spec["id"] != current.get("id")) or (
                spec.get("name") and spec["name"] != current.get("name")):
            raise InvalidParameterException(MSG_LT_OTHER.format(
                nodegroup=nodegroup.nodegroup_name, current=current.get("name") or current.get("id")), **names)
        template = self._launch_template(current, names)
        wanted = str(spec.get("version") or template.default_version_number)
        if not wanted.isdigit() or not 1 <= int(wanted) <= len(template.versions):
            raise InvalidParameterException(
                MSG_LT_VERSION_NOT_FOUND.format(version=wanted, template_id=template.id), **names)
        return template.get_version(int(wanted))

    def ami_minor(self, image_id: str) -> str | None:
        """The Kubernetes minor an AMI is built for, from its name (amazon-eks-node-1.30-v..., ...-k8s-1.30-...)."""
        ami = self.ec2.amis.get(image_id) if image_id else None
        match = _AMI_MINOR.search(getattr(ami, "name", None) or "")
        return match.group(1) if match else None

    # Add-ons ------------------------------------------------------------------------------------

    def create_addon(
        self,
        cluster_name: str,
        name: str,
        version: str | None = None,
        configuration_values: str | None = None,
        service_account_role_arn: str | None = None,
        tags: dict[str, str] | None = None,
        check_compatibility: bool = True,
    ) -> Addon:
        """CreateAddon; seeding passes check_compatibility=False to install any (old) version, ACTIVE at once."""
        cluster = self.cluster(cluster_name)
        extras = _extras(cluster)
        if name in extras.addons:
            raise ResourceInUseException(MSG_ADDON_EXISTS, clusterName=cluster_name, addonName=name)
        if check_compatibility:
            version = version or catalog.default_addon_version(name, cluster.version)
            if version is None:
                raise InvalidParameterException(
                    MSG_ADDON_UNSUPPORTED.format(addon=name, version=cluster.version),
                    clusterName=cluster_name, addonName=name,
                )
            if not catalog.is_compatible(name, version, cluster.version):
                raise InvalidParameterException(MSG_ADDON_VERSION, clusterName=cluster_name, addonName=name)
        if not version:
            raise ValueError("an add-on version is required when seeding")
        now = self.now()
        addon = Addon(
            name=name,
            cluster=cluster_name,
            version=version,
            arn=f"arn:aws:eks:{self.region}:{ACCOUNT_ID}:addon/{cluster_name}/{name}/{uuid.uuid4()}",
            created_at=now,
            configuration_values=configuration_values,
            service_account_role_arn=service_account_role_arn,
            tags=tags or {},
        )
        if check_compatibility:
            addon.status, addon.ready_at = "CREATING", now + self.state.addon_update_s
        extras.addons[name] = addon
        return addon

    def update_addon(
        self,
        cluster_name: str,
        name: str,
        version: str | None = None,
        service_account_role_arn: str | None = None,
        resolve_conflicts: str | None = None,
        configuration_values: str | None = None,
        token: str | None = None,
    ) -> Update:
        cluster = self.cluster(cluster_name)
        addon = self.addon(cluster, name)
        scope = f"addon/{name}"
        request = (version, service_account_role_arn, resolve_conflicts, configuration_values)
        replayed = self._replay(cluster, scope, token, request)
        if replayed:
            return replayed
        target = version or addon.version
        if version and not catalog.is_compatible(name, version, cluster.version):
            raise InvalidParameterException(MSG_ADDON_VERSION, clusterName=cluster_name, addonName=name)
        if addon.status != "ACTIVE":
            raise ResourceInUseException(MSG_ADDON_NOT_ACTIVE, clusterName=cluster_name, addonName=name)
        params = [{"type": "AddonVersion", "value": target}]
        if service_account_role_arn is not None:
            params.append({"type": "ServiceAccountRoleArn", "value": service_account_role_arn})
        if resolve_conflicts is not None:
            params.append({"type": "ResolveConflicts", "value": resolve_conflicts})
        if configuration_values is not None:
            params.append({"type": "ConfigurationValues", "value": configuration_values})
        now = self.now()
        code = self.state.faults.spec_for(cluster_name).fail_addon_updates
        failure = None
        if code:
            message = FAILURE_MESSAGES.get(code, f"The update failed with {code}.")
            failure = {"errorCode": code, "errorMessage": message, "resourceIds": [name]}
        update = Update(
            id=str(uuid.uuid4()), type="AddonUpdate", params=params, created_at=now,
            due_at=now + self.state.addon_update_s, addon=name, failure=failure,
        )
        self._record(cluster, update, scope, token, request)
        addon.status = "UPDATING"
        return update

    # Updates -----------------------------------------------------------------------------------

    def describe_update(
        self, cluster_name: str, update_id: str, nodegroup: str | None = None, addon: str | None = None
    ) -> Update:
        """DescribeUpdate: node group and add-on updates are only found when their name is given."""
        cluster = self.cluster(cluster_name)
        update = _extras(cluster).updates.get(update_id)
        if update is None or update.nodegroup != (nodegroup or None) or update.addon != (addon or None):
            raise ResourceNotFoundException(
                MSG_UPDATE_NOT_FOUND.format(update_id=update_id), clusterName=cluster_name,
                nodegroupName=nodegroup, addonName=addon,
            )
        return update

    def list_updates(self, cluster_name: str, nodegroup: str | None = None, addon: str | None = None) -> list[str]:
        cluster = self.cluster(cluster_name)
        if nodegroup:
            self.nodegroup(cluster, nodegroup)
        if addon:
            self.addon(cluster, addon)
        return [
            u.id for u in _extras(cluster).updates.values()
            if u.nodegroup == (nodegroup or None) and u.addon == (addon or None)
        ]

    # Insights -----------------------------------------------------------------------------------

    def _insight_id(self, cluster: Cluster, name: str, version: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{cluster.arn}|{name}|{version}"))

    def make_insight(
        self, cluster: Cluster, name: str, version: str, status: str, reason: str, **extra: Any
    ) -> Insight:
        configuration = extra.get("category") == "MISCONFIGURATION"
        defaults: dict[str, Any] = {
            "category": "UPGRADE_READINESS",
            "description": f"Checks the EKS Hybrid Nodes configuration of the cluster: {name}." if configuration
            else f"Checks whether the cluster is ready for an upgrade to Kubernetes v{version}.",
            "recommendation": "Correct the configuration reported to restore cluster and workload functionality."
            if configuration else f"Resolve the issues reported before upgrading to Kubernetes v{version}.",
            "last_transition": cluster.created_at.replace(tzinfo=_dt.timezone.utc),
            "additional_info": {
                "EKS update cluster documentation": "https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html",
            },
        }
        return Insight(
            id=self._insight_id(cluster, name, version), name=name, kubernetes_version=version,
            status=status, reason=reason, **{**defaults, **extra},
        )

    def _default_insights(self, cluster: Cluster) -> list[Insight]:
        """What EKS reports for the next minor when nothing was seeded; add-on and health checks are real."""
        target = catalog.next_minor(cluster.version)
        installed = list(_extras(cluster).addons.values())
        # kube-proxy builds are published per minor; one minor behind is within its skew policy, which
        # EKS reports in the separate "kube-proxy version skew" insight.
        incompatible = [a for a in installed
                        if a.name != "kube-proxy" and not catalog.is_compatible(a.name, a.version, target)]
        issues = self.health_issues(cluster)
        addon_reason = (
            "One or more installed EKS add-on versions are not compatible with the next Kubernetes version."
            if incompatible else "All installed EKS add-on versions are compatible with next Kubernetes version."
        )
        return [
            self.make_insight(
                cluster, f"Deprecated APIs removed in Kubernetes v{target}", target, "PASSING",
                "No deprecated API usage detected within the last 30 days.",
                description=f"Checks for usage of deprecated APIs that are scheduled for removal in Kubernetes"
                f" v{target}. Upgrading your cluster before migrating to the updated APIs supported by v{target}"
                " could cause application impact.",
                recommendation="Update manifests and API clients to use newer Kubernetes APIs if applicable"
                f" before upgrading to Kubernetes v{target}.",
            ),
            self.make_insight(
                cluster, "Kubelet version skew", target, "PASSING",
                "Node kubelet versions match the cluster control plane version.",
                description="Checks for kubelet versions of worker nodes in the cluster to see if upgrade would"
                " cause non compliance with supported Kubernetes kubelet version skew policy.",
                recommendation="Upgrade your worker nodes to match the Kubernetes version of your cluster"
                " control plane.",
            ),
            self.make_insight(
                cluster, "kube-proxy version skew", target, "PASSING",
                "kube-proxy versions match the cluster control plane version.",
                description="Checks version of kube-proxy in cluster to see if upgrade would cause non compliance"
                " with supported Kubernetes kube-proxy version skew policy.",
                recommendation="Upgrade kube-proxy to match the Kubernetes version of your cluster control plane.",
            ),
            self.make_insight(
                cluster, "EKS add-on version compatibility", target, "ERROR" if incompatible else "PASSING",
                addon_reason,
                description="Checks version of installed EKS add-ons to ensure they are compatible with the next"
                " version of Kubernetes.",
                recommendation="Upgrade your EKS add-on to a version that is compatible with the next Kubernetes"
                " version.",
                resources=[
                    {"insightStatus": {"status": "ERROR", "reason": addon_reason}, "arn": a.arn} for a in incompatible
                ],
                addon_compatibility=[
                    {"name": a.name, "compatibleVersions": catalog.compatible_addon_versions(a.name, target)}
                    for a in installed
                ],
            ),
            self.make_insight(
                cluster, "Cluster health issues", target, "ERROR" if issues else "PASSING",
                "Cluster health issues detected." if issues else "No cluster health issues detected.",
                description="Checks for any cluster health issues that prevent successful upgrade to the next"
                " Kubernetes version on EKS.",
                recommendation="Refer to the cluster health issues and resolve them before upgrading.",
            ),
        ]

    def insights(self, cluster: Cluster) -> list[Insight]:
        """Computed defaults for the next minor, overridden or extended by seeded insights."""
        merged = {insight.id: insight for insight in self._default_insights(cluster)}
        merged.update({insight.id: insight for insight in self.rollback_insights(cluster)})  # after an upgrade
        merged.update(_extras(cluster).insights)
        return list(merged.values())

    def last_refresh(self, cluster: Cluster) -> _dt.datetime:
        """When the insights were last refreshed: the end of the latest successful refresh, else creation."""
        extras = _extras(cluster)
        if extras.refresh_due is not None and extras.refresh_due <= self.now() and not extras.refresh_failed:
            extras.refresh_ended = extras.refresh_due
        ended = extras.refresh_ended
        return _utc(ended) if ended is not None else cluster.created_at.replace(tzinfo=_dt.timezone.utc)

    def list_insights(
        self,
        cluster_name: str,
        categories: list[str] | None = None,
        kubernetes_versions: list[str] | None = None,
        statuses: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        cluster = self.cluster(cluster_name)
        refreshed = self.last_refresh(cluster)
        return [
            insight.summary(refreshed) for insight in self.insights(cluster)
            if (not categories or insight.category in categories)
            and (not kubernetes_versions or insight.kubernetes_version in kubernetes_versions)
            and (not statuses or insight.status in statuses)
        ]

    def describe_insight(self, cluster_name: str, insight_id: str) -> dict[str, Any]:
        cluster = self.cluster(cluster_name)
        for insight in self.insights(cluster):
            if insight.id == insight_id:
                return insight.detail(self.last_refresh(cluster))
        raise ResourceNotFoundException(MSG_INSIGHT_NOT_FOUND.format(insight_id=insight_id), clusterName=cluster_name)

    def start_insights_refresh(self, cluster_name: str) -> dict[str, Any]:
        """An on-demand refresh: IN_PROGRESS for `insights_refresh_s` (emulated), then COMPLETED with
        lastRefreshTime moved to its end, or FAILED (fault `fail_insights_refresh`). One at a time."""
        cluster = self.cluster(cluster_name)
        extras = _extras(cluster)
        now = self.now()
        if extras.refresh_due is not None and extras.refresh_due > now:
            return {"message": MSG_INSIGHTS_REFRESH_RUNNING, "status": "IN_PROGRESS"}
        extras.refresh_started, extras.refresh_due = now, now + self.state.insights_refresh_s
        extras.refresh_failed = self.state.faults.spec_for(cluster.name).fail_insights_refresh
        return {"message": MSG_INSIGHTS_REFRESH_STARTED, "status": "IN_PROGRESS"}

    def describe_insights_refresh(self, cluster_name: str) -> dict[str, Any]:
        """The latest on-demand refresh; before any, the scheduled refresh that produced the insights."""
        cluster = self.cluster(cluster_name)
        extras = _extras(cluster)
        last = self.last_refresh(cluster)
        if extras.refresh_started is None or extras.refresh_due is None:
            return {"status": "COMPLETED", "startedAt": last, "endedAt": last}
        started = _utc(extras.refresh_started)
        if extras.refresh_due > self.now():
            return {"status": "IN_PROGRESS", "startedAt": started}
        if extras.refresh_failed:
            return {"status": "FAILED", "message": MSG_INSIGHTS_REFRESH_FAILED, "startedAt": started,
                    "endedAt": _utc(extras.refresh_due)}
        return {"status": "COMPLETED", "startedAt": started, "endedAt": _utc(extras.refresh_due)}

    # Cluster versions ----------------------------------------------------------------------------

    def cluster_versions(
        self,
        cluster_versions: list[str] | None = None,
        default_only: bool = False,
        include_all: bool = False,
        version_status: str | None = None,
        legacy_status: str | None = None,
    ) -> list[dict[str, Any]]:
        """DescribeClusterVersions, newest first; without includeAll only versions still supported today."""
        today = self.today()
        result = []
        for minor in reversed(catalog.minors()):
            info = catalog.minor_info(minor)
            status = info.status_on(today)
            if not info.released_by(today) or (cluster_versions and minor not in cluster_versions):
                continue
            if not (include_all or cluster_versions) and status == catalog.UNSUPPORTED:
                continue
            if (default_only and not info.is_default) or (version_status and status != version_status):
                continue
            if legacy_status and catalog.LEGACY_STATUS[status] != legacy_status:
                continue
            result.append({
                "clusterVersion": minor,
                "clusterType": "eks",
                "defaultPlatformVersion": info.newest_platform_version,
                "defaultVersion": info.is_default,
                "releaseDate": _midnight(info.release_date),
                "endOfStandardSupportDate": _midnight(info.end_of_standard_support),
                "endOfExtendedSupportDate": _midnight(info.end_of_extended_support),
                "status": catalog.LEGACY_STATUS[status],
                "versionStatus": status,
                "kubernetesPatchVersion": info.latest_patch,
            })
        return result

    # Completing moto's objects ------------------------------------------------------------------

    def complete_cluster(self, cluster: Cluster, upgrade_policy: str = "EXTENDED") -> None:
        """Fill what moto leaves out of a Cluster so DescribeCluster looks like AWS's."""
        vpc_config = dict(cluster.resources_vpc_config or {})
        subnet_ids = vpc_config.setdefault("subnetIds", [])
        vpc_config.setdefault("securityGroupIds", [])
        if "vpcId" not in vpc_config and subnet_ids:
            vpc_config["vpcId"] = self.ec2.get_subnet(subnet_ids[0]).vpc_id
        if "clusterSecurityGroupId" not in vpc_config and vpc_config.get("vpcId"):
            vpc_config["clusterSecurityGroupId"] = self.create_cluster_security_group(cluster.name, vpc_config["vpcId"])
        vpc_config.setdefault("endpointPublicAccess", True)
        vpc_config.setdefault("endpointPrivateAccess", False)
        vpc_config.setdefault("publicAccessCidrs", ["0.0.0.0/0"])
        cluster.resources_vpc_config = vpc_config
        network: dict[str, Any] = {
            "serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4", "elasticLoadBalancing": {"enabled": False},
            **(cluster.kubernetes_network_config or {}),
        }
        cluster.kubernetes_network_config = network
        cluster.identity = {"oidc": {"issuer": f"https://oidc.eks.{self.region}.amazonaws.com/id/"
                                               f"{_hex(cluster.arn, 32).upper()}"}}
        if catalog.is_known_minor(cluster.version):
            cluster.platformVersion = catalog.newest_platform_version(cluster.version)
        cluster.upgrade_policy = {"supportType": upgrade_policy}  # type: ignore[attr-defined]
        cluster.access_config = {"authenticationMode": "API_AND_CONFIG_MAP"}  # type: ignore[attr-defined]
        cluster.health = {"issues": []}  # type: ignore[attr-defined]

    def enable_auto_mode(self, cluster: Cluster, node_pools: list[str]) -> None:
        """EKS Auto Mode: EKS runs the compute (its NodePools), block storage and load balancing of the cluster."""
        cluster.compute_config = {  # type: ignore[attr-defined]
            "enabled": True, "nodePools": list(node_pools),
            "nodeRoleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/AmazonEKSAutoNodeRole",
        }
        cluster.storage_config = {"blockStorage": {"enabled": True}}  # type: ignore[attr-defined]
        network: dict[str, Any] = {**(cluster.kubernetes_network_config or {}),
                                   "elasticLoadBalancing": {"enabled": True}}
        cluster.kubernetes_network_config = network

    def create_cluster_security_group(self, cluster_name: str, vpc_id: str) -> str:
        """The security group EKS creates for every cluster (eks-cluster-sg-NAME-NNN)."""
        group = self.ec2.create_security_group(
            name=f"eks-cluster-sg-{cluster_name}-{uuid.uuid4().int % 10**10}",
            description="EKS created security group applied to ENI that is attached to EKS Control Plane master"
            " nodes, as well as any managed workloads.",
            vpc_id=vpc_id,
        )
        self.ec2.create_tags(
            [group.id], {"aws:eks:cluster-name": cluster_name, f"kubernetes.io/cluster/{cluster_name}": "owned"}
        )
        # EKS's default rules (sec-group-reqs): inbound all traffic from itself; moto adds outbound all traffic.
        self.ec2.authorize_security_group_ingress(group.id, "-1", None, None, [], source_groups=[{"GroupId": group.id}])
        return group.id

    def complete_nodegroup(self, cluster: Cluster, nodegroup: Nodegroup, version: str | None,
                           release_version: str | None) -> None:
        """moto defaults node groups to 1.19: put them on the cluster's minor and its newest AMI instead."""
        nodegroup.version = version or cluster.version
        if nodegroup.ami_type == "CUSTOM":
            nodegroup.release_version = release_version or "ami-" + _hex(nodegroup.arn, 17)
        else:
            nodegroup.release_version = release_version or catalog.ami_release_version(nodegroup.version)
        nodegroup.update_config = nodegroup.update_config or {"maxUnavailable": 1}


# --- HTTP binding inside moto --------------------------------------------------------------------

_ACTIVE = threading.local()  # the EksControlPlane serving the current request (set by the middleware)
_REGIONAL: dict[tuple[int, str], EksControlPlane] = {}  # per-region views of a world, for other regions' calls

_EXTRA_ROUTES = (
    "{0}/clusters/(?P<name>[^/]+)/updates$",
    "{0}/clusters/(?P<name>[^/]+)/updates/(?P<updateId>[^/]+)$",
    "{0}/clusters/(?P<name>[^/]+)/node-groups/(?P<nodegroupName>[^/]+)/update-version$",
    "{0}/clusters/(?P<name>[^/]+)/addons$",
    "{0}/clusters/(?P<name>[^/]+)/addons/(?P<addonName>[^/]+)$",
    "{0}/clusters/(?P<name>[^/]+)/addons/(?P<addonName>[^/]+)/update$",
    "{0}/clusters/(?P<name>[^/]+)/insights$",
    "{0}/clusters/(?P<name>[^/]+)/insights/(?P<id>[^/]+)$",
    "{0}/clusters/(?P<name>[^/]+)/insights-refresh$",
    "{0}/addons/supported-versions$",
    "{0}/cluster-versions$",
)


class EksWorldResponse(EKSResponse):
    """moto's EKS responses, completed, plus the operations moto lacks (methods named after them)."""

    def __init__(self) -> None:
        super().__init__()
        self.automated_parameter_parsing = True  # typed params (bool, int, lists) from botocore's model

    @property
    def world(self) -> EksControlPlane:
        # Outside an AwsEmulator (moto's in-process mock_aws) there is no middleware: serve with defaults.
        plane = getattr(_ACTIVE, "control_plane", None)
        if plane is None:
            plane = _ACTIVE.control_plane = EksControlPlane(WorldState(), self.region)
        if plane.region != self.region:
            # Another region's endpoint: same world, that region's (empty) clusters, as on AWS.
            key = (id(plane), self.region)
            if key not in _REGIONAL:
                _REGIONAL[key] = EksControlPlane(plane.state, self.region)
            return _REGIONAL[key]
        return plane

    def call_action(self) -> Any:
        status, headers, body = super().call_action()
        if status >= 400 and isinstance(body, str) and body.startswith("{"):
            # moto's own EKS errors list every resource kind, unnamed ones as null; AWS names only those concerned.
            document = json.loads(body)
            body = json.dumps({key: value for key, value in document.items() if value is not None})
        return status, headers, body

    def _cluster_name(self) -> str:
        return self._get_param("clusterName") or self._get_param("name")

    def _update(self, update: Update) -> ActionResult:
        return ActionResult({"update": update.as_api()})

    # Completed moto operations

    def create_cluster(self) -> ActionResult:
        result = super().create_cluster()
        cluster = result.result["cluster"]  # type: ignore[index]
        if not self._get_param("version"):
            cluster.version = catalog.DEFAULT_MINOR
        policy = (self._get_param("upgradePolicy") or {}).get("supportType", "EXTENDED")
        self.world.complete_cluster(cluster, upgrade_policy=policy)
        return result

    def describe_cluster(self) -> ActionResult:
        cluster = self.world.cluster(self._get_param("name"))
        self.world.refresh_health(cluster)
        return ActionResult({"cluster": cluster})

    def create_nodegroup(self) -> ActionResult:
        cluster = self.world.cluster(self._cluster_name())
        result = super().create_nodegroup()
        self.world.complete_nodegroup(
            cluster, result.result["nodegroup"], self._get_param("version"), self._get_param("releaseVersion")  # type: ignore[index]
        )
        return result

    def list_nodegroups(self) -> ActionResult:
        self.world.cluster(self._cluster_name())
        return super().list_nodegroups()

    def list_fargate_profiles(self) -> ActionResult:
        self.world.cluster(self._cluster_name())
        return super().list_fargate_profiles()

    # Operations moto lacks

    def update_cluster_version(self) -> ActionResult:
        return self._update(self.world.update_cluster_version(
            self._get_param("name"), self._get_param("version"),
            token=self._get_param("clientRequestToken"), force=bool(self._get_param("force")),
            rollback_timeout_minutes=(self._get_param("rollbackConfig") or {}).get("timeoutMinutes"),
        ))

    def describe_update(self) -> ActionResult:
        return self._update(self.world.describe_update(
            self._get_param("name"), self._get_param("updateId"),
            nodegroup=self._get_param("nodegroupName"), addon=self._get_param("addonName"),
        ))

    def list_updates(self) -> ActionResult:
        ids = self.world.list_updates(
            self._get_param("name"), nodegroup=self._get_param("nodegroupName"), addon=self._get_param("addonName")
        )
        page, token = _paginate(ids, self._get_param("maxResults"), self._get_param("nextToken"))
        return ActionResult(_with_token({"updateIds": page}, token))

    def update_nodegroup_version(self) -> ActionResult:
        return self._update(self.world.update_nodegroup_version(
            self._cluster_name(), self._get_param("nodegroupName"),
            version=self._get_param("version"), release_version=self._get_param("releaseVersion"),
            launch_template=self._get_param("launchTemplate"), force=bool(self._get_param("force")),
            token=self._get_param("clientRequestToken"),
        ))

    def list_addons(self) -> ActionResult:
        names = sorted(_extras(self.world.cluster(self._cluster_name())).addons)
        page, token = _paginate(names, self._get_param("maxResults"), self._get_param("nextToken"))
        return ActionResult(_with_token({"addons": page}, token))

    def describe_addon(self) -> ActionResult:
        cluster = self.world.cluster(self._cluster_name())
        return ActionResult({"addon": self.world.addon(cluster, self._get_param("addonName")).as_api()})

    def create_addon(self) -> ActionResult:
        addon = self.world.create_addon(
            self._cluster_name(), self._get_param("addonName"), version=self._get_param("addonVersion"),
            configuration_values=self._get_param("configurationValues"),
            service_account_role_arn=self._get_param("serviceAccountRoleArn"), tags=self._get_param("tags"),
        )
        return ActionResult({"addon": addon.as_api()})

    def update_addon(self) -> ActionResult:
        return self._update(self.world.update_addon(
            self._cluster_name(), self._get_param("addonName"), version=self._get_param("addonVersion"),
            service_account_role_arn=self._get_param("serviceAccountRoleArn"),
            resolve_conflicts=self._get_param("resolveConflicts"),
            configuration_values=self._get_param("configurationValues"),
            token=self._get_param("clientRequestToken"),
        ))

    def describe_addon_versions(self) -> ActionResult:
        addons = catalog.addon_versions(self._get_param("addonName"), self._get_param("kubernetesVersion"))
        for member, key in (("types", "type"), ("publishers", "publisher"), ("owners", "owner")):
            wanted = self._get_param(member)
            if wanted:
                addons = [a for a in addons if a[key] in wanted]
        page, token = _paginate(addons, self._get_param("maxResults"), self._get_param("nextToken"))
        return ActionResult(_with_token({"addons": page}, token))

    def list_insights(self) -> ActionResult:
        wanted = self._get_param("filter") or {}
        insights = self.world.list_insights(
            self._cluster_name(), categories=wanted.get("categories"),
            kubernetes_versions=wanted.get("kubernetesVersions"), statuses=wanted.get("statuses"),
        )
        page, token = _paginate(insights, self._get_param("maxResults"), self._get_param("nextToken"))
        return ActionResult(_with_token({"insights": page}, token))

    def describe_insight(self) -> ActionResult:
        return ActionResult({"insight": self.world.describe_insight(self._cluster_name(), self._get_param("id"))})

    def start_insights_refresh(self) -> ActionResult:
        return ActionResult(self.world.start_insights_refresh(self._cluster_name()))

    def describe_insights_refresh(self) -> ActionResult:
        return ActionResult(self.world.describe_insights_refresh(self._cluster_name()))

    def describe_cluster_versions(self) -> ActionResult:
        versions = self.world.cluster_versions(
            cluster_versions=self._get_param("clusterVersions"),
            default_only=bool(self._get_param("defaultOnly")),
            include_all=bool(self._get_param("includeAll")),
            version_status=self._get_param("versionStatus"),
            legacy_status=self._get_param("status"),
        )
        page, token = _paginate(versions, self._get_param("maxResults"), self._get_param("nextToken"))
        return ActionResult(_with_token({"clusterVersions": page}, token))


def _install_routes() -> None:
    """Route every EKS path to EksWorldResponse; must run before moto builds its EKS app (first request)."""
    for pattern in list(moto.eks.urls.url_paths) + list(_EXTRA_ROUTES):
        moto.eks.urls.url_paths[pattern] = EksWorldResponse.dispatch


_install_routes()


# --- Naming requests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AwsRequest:
    service: str
    operation: str
    cluster: str | None
    fields: list[str] | None = None  # member names of an EKS JSON body (see RequestRecord.fields)

    @property
    def mutating(self) -> bool:
        return not self.operation.startswith(("Describe", "List", "Get", "Head", "Query", "Scan", "BatchGet"))


class _RestJsonRouter:
    """Maps method + path to a botocore operation name using the service model's requestUri templates."""

    def __init__(self, service: str) -> None:
        model = botocore.session.get_session().get_service_model(service)
        routes = []
        for name in model.operation_names:
            http = model.operation_model(name).http
            template = http["requestUri"].split("?")[0]
            literal = len(re.sub(r"\{[^}]+\}", "", template))
            pattern = re.sub(r"\{([^}+]+)\+?\}", r"(?P<\1>[^/]+)", template)
            routes.append((literal, http["method"], re.compile(f"^{pattern}$"), name))
        # Most literal text first, so /clusters/{name}/updates wins over /clusters/{name}.
        self._routes = sorted(routes, key=lambda route: -route[0])

    def operation(self, method: str, path: str) -> str:
        for _, route_method, regex, name in self._routes:
            if route_method == method and regex.match(path):
                return name
        return "Unknown"


_CLUSTER_PATH = re.compile(r"^/clusters/([^/]+)")
# S3 REST requests (path-style, as boto3 sends them to a custom endpoint) by method: (on an object, on a bucket).
_S3_OPERATIONS = {
    "GET": ("GetObject", "ListObjects"),
    "HEAD": ("HeadObject", "HeadBucket"),
    "PUT": ("PutObject", "CreateBucket"),
    "DELETE": ("DeleteObject", "DeleteBucket"),
}


def _s3_operation(method: str, path: str, query: str) -> str:
    """The S3 operation of a request, for those the collection and its tests send; others are "Unknown"."""
    bucket, _, key = path.lstrip("/").partition("/")
    params = parse_qs(query, keep_blank_values=True)
    if params.get("x-id"):  # botocore names some operations itself (?x-id=GetObject)
        return params["x-id"][0]
    if not bucket:
        return "ListBuckets" if method == "GET" else "Unknown"
    if method == "POST" and "delete" in params:
        return "DeleteObjects"
    if set(params) - {"list-type", "prefix", "delimiter", "max-keys", "continuation-token", "encoding-type",
                      "start-after", "marker", "versionId", "x-id"}:
        return "Unknown"  # a sub-resource (acl, tagging, uploads, ...) nobody here uses
    on_object, on_bucket = _S3_OPERATIONS.get(method, ("Unknown", "Unknown"))
    if not key and on_bucket == "ListObjects" and params.get("list-type") == ["2"]:
        return "ListObjectsV2"
    return on_object if key else on_bucket
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")


def _member_names(body: dict[str, Any], prefix: str = "") -> list[str]:
    """Every member name of a JSON body, nested objects' members dotted ("launchTemplate.version"); no values."""
    names = []
    for key, value in body.items():
        names.append(prefix + key)
        if isinstance(value, dict):
            names += _member_names(value, f"{prefix}{key}.")
    return sorted(names)


def _read_body(environ: dict[str, Any]) -> bytes:
    """Read the request body and put it back so moto can read it again."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


# --- Injected fault responses --------------------------------------------------------------------


def _fault_response(service: str, kind: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """What AWS answers when throttling ("throttle") or failing ("5xx"), per protocol family."""
    request_id = str(uuid.uuid4())
    if service == "ec2":
        code, status, message = (
            ("RequestLimitExceeded", 503, "Request limit exceeded.") if kind == "throttle"
            else ("InternalError", 500, "An internal error has occurred.")
        )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
            f"<Code>{code}</Code><Message>{message}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>"
        )
        return status, [("Content-Type", "text/xml;charset=UTF-8")], body.encode()
    if service == "eks":
        code, status, message = (
            ("ThrottlingException", 429, "Rate exceeded") if kind == "throttle"
            else ("ServerException", 500, "An internal error occurred. Try again later.")
        )
        headers = [("Content-Type", "application/json"), ("x-amzn-errortype", code), ("x-amzn-RequestId", request_id)]
        return status, headers, json.dumps({"message": message}).encode()
    code, status, fault_type, message = (
        ("Throttling", 400, "Sender", "Rate exceeded") if kind == "throttle"
        else ("InternalFailure", 500, "Receiver", "An internal error occurred.")
    )
    body = (
        f"<ErrorResponse><Error><Type>{fault_type}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return status, [("Content-Type", "text/xml")], body.encode()


# --- The emulator --------------------------------------------------------------------------------


class _QuietHandler(MotoRequestHandler):
    """moto's request handler without per-request logging, with Nagle off (else ~40 ms per response)."""

    disable_nagle_algorithm = True

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class AwsEmulator:
    """The emulated AWS endpoint: moto server + EKS extensions + fault/log middleware + seeding API."""

    def __init__(self, state: WorldState, region: str = "us-east-1", admin_app: WsgiApp | None = None) -> None:
        # moto loads ~1300 stock public AMIs each time an EC2 backend starts (0.2 s, again after every
        # reset); EKS node groups never look them up.
        os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        self.state = state
        self.region = region
        self.admin_app = admin_app
        self.eks = EksControlPlane(state, region)
        self._moto_app = DomainDispatcherApplication(create_backend_app)
        self._eks_router = _RestJsonRouter("eks")
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # Serving -------------------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a background thread (one thread per request); returns the base URL."""
        self._server = make_server(host, port, self, threaded=True, request_handler=_QuietHandler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="eksworld-aws", daemon=True
        )
        self._thread.start()
        return self.url

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("AwsEmulator is not started")
        return f"http://{self._server.host}:{self._server.port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def reset(self) -> None:
        """Forget every AWS resource (moto's and the EKS extensions stored on them) and settings."""
        with self.state.lock:
            moto_api_backend.reset()
            self.eks.enforce_insights = False

    def advance(self) -> None:
        """Complete updates whose emulated duration has passed (also done before every request)."""
        with self.state.lock:
            self.eks.advance()

    def set_insight_enforcement(self, enabled: bool) -> None:
        """Refuse UpdateClusterVersion on ERROR upgrade insights unless force (AWS's March 2025 behaviour)."""
        self.eks.enforce_insights = enabled

    # Middleware ----------------------------------------------------------------------------------

    def identify(self, environ: dict[str, Any]) -> AwsRequest | None:
        """Service, botocore operation and cluster of a signed AWS request (None for anything else)."""
        match = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        if not match:
            return None
        service = match.group(1)
        path = environ.get("PATH_INFO", "")
        if service == "eks":
            cluster = _CLUSTER_PATH.match(path)
            operation = self._eks_router.operation(environ["REQUEST_METHOD"], path)
            fields = None
            if environ["REQUEST_METHOD"] in ("POST", "PUT"):
                try:
                    body = json.loads(_read_body(environ) or b"null")
                except ValueError:
                    body = None
                fields = _member_names(body) if isinstance(body, dict) else None
            return AwsRequest(service, operation, unquote(cluster.group(1)) if cluster else None, fields)
        if service == "dynamodb":  # JSON protocol: the operation is in the X-Amz-Target header
            operation = environ.get("HTTP_X_AMZ_TARGET", "").rpartition(".")[2]
            return AwsRequest(service, operation or "Unknown", None)
        if service == "s3":
            return AwsRequest(service, _s3_operation(environ["REQUEST_METHOD"], path,
                                                     environ.get("QUERY_STRING", "")), None)
        params = parse_qs(environ.get("QUERY_STRING", ""))
        if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            params.update(parse_qs(_read_body(environ).decode()))
        return AwsRequest(service, params.get("Action", ["Unknown"])[0], None)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith("/_world/") and self.admin_app is not None:
            return self.admin_app(environ, start_response)
        request = self.identify(environ)
        if request is None:  # moto's own API (/moto-api/...) and anything unsigned: pass through, unlogged
            return [self._call_moto(environ, start_response)[1]]
        spec = self.state.faults.spec_for(request.cluster)
        injected = None
        if spec.latency_s > 0:
            time.sleep(spec.latency_s)
            injected = "latency"
        fault = "throttle" if self.state.faults.roll(spec.throttle_rate) else (
            "5xx" if self.state.faults.roll(spec.error_rate) else None
        )
        if fault:
            status, headers, body = _fault_response(request.service, fault)
            headers.append(("Content-Length", str(len(body))))
            start_response(f"{status} {HTTPStatus(status).phrase}", headers)
            injected = fault
        else:
            status, body = self._call_moto(environ, start_response)
        self.state.log.add(
            service=request.service, operation=request.operation, cluster=request.cluster,
            mutating=request.mutating, status=status, injected=injected, fields=request.fields,
        )
        return [body]

    def _call_moto(self, environ: dict[str, Any], start_response: Callable) -> tuple[int, bytes]:
        """Let moto answer, serialized with the world's lock and after completing due updates."""
        sent: list[str] = []

        def capture(status_line: str, headers: list, exc_info: Any = None) -> Any:
            sent.append(status_line)
            return start_response(status_line, headers, exc_info)

        with self.state.lock:
            self.eks.advance()
            _ACTIVE.control_plane = self.eks
            body = b"".join(self._moto_app(environ, capture))
        return int(sent[0].split()[0]), body

    # Seeding (in-process, for the scenario loader) -------------------------------------------------

    def create_network(
        self, cluster: str, subnets: list[dict[str, Any]] | None = None, security_group: bool = True
    ) -> dict[str, Any]:
        """A VPC with the given subnets (cidr, az, free_ips) and the EKS cluster security group."""
        subnets = subnets or [{"cidr": "10.0.1.0/24"}, {"cidr": "10.0.2.0/24"}]
        with self.state.lock:
            vpc_cidr = ipaddress.ip_network(subnets[0]["cidr"]).supernet(new_prefix=16)
            vpc = self.eks.ec2.create_vpc(cidr_block=str(vpc_cidr))
            self.eks.ec2.create_tags([vpc.id], {"Name": f"{cluster}-vpc"})
            subnet_ids = []
            for index, spec in enumerate(subnets):
                zone = spec.get("az") or f"{self.region}{'abc'[index % 3]}"
                subnet = self.eks.ec2.create_subnet(vpc_id=vpc.id, cidr_block=spec["cidr"], availability_zone=zone)
                if spec.get("free_ips") is not None:
                    # moto derives AvailableIpAddressCount from this and the ENIs in the subnet.
                    subnet._available_ip_addresses = spec["free_ips"]
                self.eks.ec2.create_tags(
                    [subnet.id], {"Name": f"{cluster}-subnet-{index + 1}", f"kubernetes.io/cluster/{cluster}": "shared"}
                )
                subnet_ids.append(subnet.id)
            group_id = self.eks.create_cluster_security_group(cluster, vpc.id) if security_group else None
        return {"vpc_id": vpc.id, "subnet_ids": subnet_ids, "security_group_id": group_id}

    def create_cluster(
        self,
        name: str,
        version: str = "1.29",
        platform_version: str | None = None,
        subnet_ids: list[str] | None = None,
        security_group_ids: list[str] | None = None,
        cluster_security_group_id: str | None = None,
        endpoint: str | None = None,
        certificate_authority_data: str | None = None,
        tags: dict[str, str] | None = None,
        upgrade_policy: str = "EXTENDED",
        auto_mode_node_pools: list[str] | None = None,
    ) -> str:
        """An ACTIVE cluster with a complete resourcesVpcConfig (a network is created when none is given).

        `auto_mode_node_pools` (a list, possibly empty) turns EKS Auto Mode on: computeConfig, storageConfig and
        elasticLoadBalancing enabled, as EKS reports them for an Auto Mode cluster.
        """
        catalog.minor_info(version)  # KeyError for a minor EKS never offered
        with self.state.lock:
            if subnet_ids is None:
                network = self.create_network(name)
                subnet_ids = network["subnet_ids"]
                cluster_security_group_id = cluster_security_group_id or network["security_group_id"]
            vpc_config: dict[str, Any] = {"subnetIds": subnet_ids, "securityGroupIds": security_group_ids or []}
            if cluster_security_group_id:
                vpc_config["clusterSecurityGroupId"] = cluster_security_group_id
            if name in self.eks.backend.clusters:
                raise ValueError(f"cluster {name!r} already exists")
            # Built directly: moto's create_cluster validates the role ARN with a new boto3 Session
            # (35 ms each), which adds up when seeding a fleet.
            cluster = Cluster(
                name=name,
                role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/eksClusterRole",
                resources_vpc_config=vpc_config,
                account_id=ACCOUNT_ID,
                region_name=self.region,
                aws_partition="aws",
                version=version,
                tags=tags or {},
            )
            self.eks.backend.clusters[name] = cluster
            self.eks.backend.cluster_count += 1
            self.eks.complete_cluster(cluster, upgrade_policy=upgrade_policy)
            if platform_version:
                cluster.platformVersion = platform_version
            if auto_mode_node_pools is not None:
                self.eks.enable_auto_mode(cluster, auto_mode_node_pools)
            cluster.endpoint = endpoint or f"https://{_hex(name, 32).upper()}.gr7.{self.region}.eks.amazonaws.com"
            cluster.certificate_authority = {"data": certificate_authority_data or _fake_ca(name)}
            return cluster.arn

    def create_nodegroup(
        self,
        cluster: str,
        name: str,
        version: str | None = None,
        release_version: str | None = None,
        ami_type: str | None = None,
        instance_types: list[str] | None = None,
        desired_size: int = 2,
        launch_template: dict[str, Any] | None = None,
        labels: dict[str, str] | None = None,
        pdb_blocks_drain: bool = False,
    ) -> str:
        """An ACTIVE managed node group; `pdb_blocks_drain` makes its version updates fail (unless force).

        `ami_type` defaults to AL2023 from the first minor with AL2023 EKS AMIs on (catalog.default_ami_type);
        an AL2023 type below it is refused, as no such AMI exists.

        `launch_template` ({name, version, versions}) creates the EC2 launch template the node group uses (or
        reuses one of that name): `versions` lists, per launch template version, the Kubernetes minor of the AMI
        it names (None: no AMI, EKS chooses it), default one version; the node group uses `version` (default 1).
        """
        with self.state.lock:
            owner = self.eks.cluster(cluster)
            if name in owner.nodegroups:
                raise ValueError(f"node group {name!r} already exists in {cluster!r}")
            minor = str(version or owner.version)
            ami_type = ami_type or catalog.default_ami_type(minor)
            if ami_type.startswith("AL2023") and not catalog.al2023_available(minor):
                raise ValueError(f"node group {name!r} of {cluster!r}: no {ami_type} AMI exists for Kubernetes "
                                 f"{minor} (AL2023 EKS AMIs start at {catalog.FIRST_AL2023_MINOR}); use AL2_x86_64")
            if launch_template is not None:
                launch_template = self._seed_launch_template(
                    launch_template, str(version or owner.version) if ami_type == "CUSTOM" else None)
            nodegroup = Nodegroup(  # built directly, like clusters above
                cluster_name=cluster,
                nodegroup_name=name,
                account_id=ACCOUNT_ID,
                region_name=self.region,
                aws_partition="aws",
                node_role=f"arn:aws:iam::{ACCOUNT_ID}:role/eksNodeRole",
                subnets=list(owner.resources_vpc_config["subnetIds"]),
                scaling_config={"minSize": min(desired_size, 1), "maxSize": max(desired_size, 1) * 2,
                                "desiredSize": desired_size},
                disk_size=None if launch_template else 20,
                instance_types=instance_types or ["m5.large"],
                ami_type=ami_type,
                labels=labels or {},
                launch_template=launch_template,
            )
            owner.nodegroups[name] = nodegroup
            owner.nodegroup_count += 1
            # No SSH access configured: AWS then reports neither remoteAccess nor its security group.
            nodegroup.remote_access = None  # type: ignore[assignment]
            nodegroup.resources = {"autoScalingGroups": nodegroup.resources["autoScalingGroups"]}
            if ami_type == "CUSTOM" and launch_template and release_version is None:
                # DescribeNodegroup reports a custom AMI's id as the release version.
                release_version = self.eks.ec2.get_launch_template(launch_template["id"]).get_version(
                    launch_template["version"]).image_id or None
            self.eks.complete_nodegroup(owner, nodegroup, version, release_version)
            nodegroup.eksworld_pdb_blocks_drain = pdb_blocks_drain  # type: ignore[attr-defined]
            return nodegroup.arn

    def _seed_launch_template(self, spec: dict[str, Any], custom_minor: str | None) -> dict[str, str]:
        """The EC2 launch template of a seeded node group, as DescribeNodegroup reports it ({name, id, version})."""
        name = spec.get("name")
        if not name:
            raise ValueError(f"a node group's launch_template needs a 'name': {spec!r}")
        version = str(spec.get("version", 1))
        versions = spec.get("versions")
        if versions is None:
            versions = [custom_minor] * int(version) if version.isdigit() else [custom_minor]
        try:
            template = self.eks.ec2.get_launch_template_by_name(name)
        except InvalidLaunchTemplateNameNotFoundWithNameError:
            template = None
        for minor in versions if template is None else ():
            template = self.add_launch_template_version(name, minor)
        if template is None:
            template = self.eks.ec2.get_launch_template_by_name(name)
        if not version.isdigit() or not 1 <= int(version) <= len(template.versions):
            raise ValueError(f"launch template {name} has {len(template.versions)} version(s); "
                             f"a node group can't use version {version}")
        return {"name": name, "id": template.id, "version": version}

    def add_launch_template_version(self, name: str, minor: str | None = None, instance_type: str = "m5.large") -> Any:
        """A new version of EC2 launch template `name` (created when absent); with `minor`, its AMI is a custom AMI
        built for that Kubernetes minor (registered in EC2, named after the minor). Returns the moto template."""
        with self.state.lock:
            data: dict[str, Any] = {"InstanceType": instance_type}
            try:
                template = self.eks.ec2.get_launch_template_by_name(name)
            except InvalidLaunchTemplateNameNotFoundWithNameError:
                template = None
            if minor is not None:
                number = len(template.versions) + 1 if template else 1
                image = self.eks.ec2.register_image(name=f"custom-eks-node-{minor}-{name}-v{number}",
                                                    description=f"Custom EKS node AMI for Kubernetes {minor}")
                data["ImageId"] = image.id
            if template is None:
                return self.eks.ec2.create_launch_template(name, "lifecycle.eks test world", data, {})
            template.create_version(data, "")
            return template

    def create_fargate_profile(self, cluster: str, name: str, selectors: list[dict[str, Any]] | None = None) -> str:
        with self.state.lock:
            owner = self.eks.cluster(cluster)
            profile: FargateProfile = self.eks.backend.create_fargate_profile(
                fargate_profile_name=name,
                cluster_name=cluster,
                selectors=selectors or [{"namespace": "default"}],
                pod_execution_role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/eksFargatePodExecutionRole",
                subnets=list(owner.resources_vpc_config["subnetIds"]),
            )
            profile.health = {"issues": []}  # type: ignore[attr-defined]
            return profile.fargate_profile_arn

    def create_addon(
        self,
        cluster: str,
        name: str,
        version: str,
        configuration_values: str | None = None,
        service_account_role_arn: str | None = None,
    ) -> str:
        """An ACTIVE EKS add-on at any version (old, incompatible ones included)."""
        with self.state.lock:
            addon = self.eks.create_addon(
                cluster, name, version, configuration_values=configuration_values,
                service_account_role_arn=service_account_role_arn, check_compatibility=False,
            )
            return addon.arn

    def add_insight(
        self,
        cluster: str,
        name: str,
        category: str = "UPGRADE_READINESS",
        kubernetes_version: str | None = None,
        status: str = "ERROR",
        description: str | None = None,
        reason: str | None = None,
        recommendation: str | None = None,
        deprecation_details: list[dict[str, Any]] | None = None,
        resources: list[str | dict[str, Any]] | None = None,
    ) -> str:
        """An insight (default: for the next minor, a MISCONFIGURATION one for the cluster's own version); one with
        a default insight's name replaces it.

        `resources` are Kubernetes resource URIs (or InsightResourceDetail dicts); a client's
        `lastRequestTime` in `deprecation_details` may be ISO 8601 text (default: an hour ago).
        """
        if category not in INSIGHT_CATEGORIES or status not in INSIGHT_STATUSES:
            raise ValueError(f"insight {name!r}: category must be one of {', '.join(INSIGHT_CATEGORIES)} and status "
                             f"one of {', '.join(INSIGHT_STATUSES)}; got {category!r}, {status!r}")
        with self.state.lock:
            owner = self.eks.cluster(cluster)
            own = category == "MISCONFIGURATION"
            version = str(kubernetes_version or (owner.version if own else catalog.next_minor(owner.version)))
            extra: dict[str, Any] = {
                "category": category,
                "deprecation_details": _seeded_deprecations(deprecation_details or [], self.eks.now()),
                "resources": [
                    r if isinstance(r, dict) else
                    {"insightStatus": {"status": status, "reason": reason or f"{name}."}, "kubernetesResourceUri": r}
                    for r in resources or []
                ],
            }
            if description:
                extra["description"] = description
            if recommendation:
                extra["recommendation"] = recommendation
            insight = self.eks.make_insight(
                owner, name, version, status, reason or f"{name}: {status.lower()} for Kubernetes v{version}.", **extra
            )
            insight.last_transition = _utc(self.eks.now())
            _extras(owner).insights[insight.id] = insight
            return insight.id

    def age_insights(self, cluster: str, hours: float) -> None:
        """Make the cluster's insights last refreshed `hours` ago (EKS refreshes them every 24 h)."""
        with self.state.lock:
            _extras(self.eks.cluster(cluster)).refresh_ended = self.eks.now() - hours * 3600

    def begin_cluster_update(self, cluster: str, to_version: str, update_type: str = "VersionUpdate") -> str:
        """An UpdateClusterVersion already InProgress (as if started by someone else), or a VersionRollback."""
        with self.state.lock:
            return self.eks.start_cluster_update(self.eks.cluster(cluster), to_version, update_type=update_type).id

    def delete_security_group(self, sg_id: str) -> None:
        with self.state.lock:
            self.eks.ec2.delete_security_group(group_id=sg_id)

    def create_security_group(self, vpc_id: str, name: str) -> str:
        """A security group as EC2 creates it: no inbound rule, outbound all traffic."""
        with self.state.lock:
            return self.eks.ec2.create_security_group(name=name, description=f"{name} (scenario)", vpc_id=vpc_id).id

    def set_security_group_rules(self, sg_id: str, inbound: list[dict[str, Any]] | None = None,
                                 outbound: list[dict[str, Any]] | None = None) -> None:
        """Replace a group's inbound and/or outbound rules (None keeps them). A rule: protocol (tcp, udp, -1),
        from_port, to_port, peer (a security group id or an IPv4/IPv6 CIDR)."""
        with self.state.lock:
            ec2 = self.eks.ec2
            group = ec2.get_security_group_from_id(sg_id)
            for rules, existing, authorize in ((inbound, "ingress_rules", ec2.authorize_security_group_ingress),
                                               (outbound, "egress_rules", ec2.authorize_security_group_egress)):
                if rules is None:
                    continue
                setattr(group, existing, [])
                for rule in rules:
                    peer = rule["peer"]
                    ports = [None if p is None else str(p) for p in (rule["from_port"], rule["to_port"])]
                    ranges = [] if peer.startswith("sg-") else [{"CidrIpv6" if ":" in peer else "CidrIp": peer}]
                    groups = [{"GroupId": peer}] if peer.startswith("sg-") else None
                    authorize(sg_id, rule["protocol"], *ports, ranges, source_groups=groups)

    # Accessors for tests ---------------------------------------------------------------------------

    def cluster_names(self) -> list[str]:
        with self.state.lock:
            return sorted(self.eks.backend.clusters)

    def cluster_version(self, name: str) -> str:
        with self.state.lock:
            return self.eks.cluster(name).version

    def nodegroup_versions(self, name: str) -> dict[str, str]:
        with self.state.lock:
            return {ng: group.version for ng, group in self.eks.cluster(name).nodegroups.items()}

    def cluster_summary(self, name: str) -> dict[str, Any]:
        """What EKS says about one cluster, as plain data for world-level assertions."""
        with self.state.lock:
            self.eks.advance()
            cluster = self.eks.cluster(name)
            extras = _extras(cluster)
            return {
                "version": cluster.version,
                "platform_version": cluster.platformVersion,
                "status": cluster.status,
                "nodegroups": {
                    ng: {"version": group.version, "release_version": group.release_version, "status": group.status}
                    for ng, group in cluster.nodegroups.items()
                },
                "addons": {addon.name: addon.version for addon in extras.addons.values()},
                "updates": [
                    {
                        "id": update.id, "type": update.type, "status": update.status,
                        "nodegroup": update.nodegroup, "addon": update.addon,
                        "params": {p["type"]: p["value"] for p in update.params},
                        "errors": [e["errorCode"] for e in update.errors],
                    }
                    for update in extras.updates.values()
                ],
            }


def _seeded_deprecations(details: list[dict[str, Any]], now: float) -> list[dict[str, Any]]:
    """DeprecationDetail dicts from a scenario: clientStats timestamps as datetimes, as botocore sends them."""
    seeded = []
    for detail in details:
        stats = []
        for stat in detail.get("clientStats") or []:
            when = stat.get("lastRequestTime")
            if when is None:
                when = _utc(now - 3600)
            elif isinstance(when, str):
                try:
                    when = _dt.datetime.fromisoformat(when.replace("Z", "+00:00"))
                except ValueError:
                    raise ValueError(f"clientStats lastRequestTime must be ISO 8601 (2026-03-01T22:00:00Z), "
                                     f"got {when!r}") from None
            stats.append({**stat, "lastRequestTime": when})
        seeded.append({**detail, "clientStats": stats})
    return seeded


def _fake_ca(name: str) -> str:
    """Base64 of a PEM-looking certificate, stable per cluster (for clusters without a real endpoint)."""
    filler = base64.b64encode(hashlib.sha256(name.encode()).digest() * 12).decode()
    lines = "\n".join(filler[i:i + 64] for i in range(0, len(filler), 64))
    return base64.b64encode(f"-----BEGIN CERTIFICATE-----\n{lines}\n-----END CERTIFICATE-----\n".encode()).decode()
