"""Cluster version updates and rollbacks with AWS's refusals and emulated durations, and the parts of a
cluster moto leaves out (network config, OIDC issuer, upgrade policy, deletion protection, control plane
scaling tier, Auto Mode)."""
from __future__ import annotations

import uuid
from typing import Any

from eksworld import catalog
from eksworld.aws_errors import (
    InvalidParameterException,
    InvalidStateException,
    ResourceInUseException,
)
from eksworld.aws_insights import InsightChecks
from eksworld.aws_network import HEALTH_TO_UPDATE_ERROR, failed_update_error
from eksworld.aws_records import Update, extras, hex_digest
from eksworld.aws_region import ACCOUNT_ID
from eksworld.moto_hooks import Cluster

# Messages verbatim from AWS where known (eks-api-notes.md).
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
# rollbackConfig.timeoutMinutes bounds are botocore's documentation; the two messages are not seen verbatim in
# AWS output, the first is modelled on MSG_INSIGHTS_BLOCK.
ROLLBACK_TIMEOUT_MINUTES = (120, 10080)
MSG_ROLLBACK_BLOCK = (
    "Rollback readiness issues detected. Call the EKS ListInsights API to view rollback blocking issues detected"
    " by EKS. Pass the force flag to override rollback readiness errors and proceed with rollback."
)
MSG_ROLLBACK_TIMEOUT = "rollbackConfig.timeoutMinutes must be between 120 and 10080."


class ClusterUpdates(InsightChecks):
    """UpdateClusterVersion (upgrade or rollback) and the completion of moto's clusters."""

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
            extras(cluster).last_upgrade = None  # one minor back only, once
        elif cluster.version == catalog.next_minor(previous):
            extras(cluster).last_upgrade = (previous, cluster.version, update.due_at)
        self.state.events.publish(
            "cluster_version_changed",
            cluster=cluster.name, version=cluster.version, platform_version=cluster.platformVersion,
        )

    def _update_failure(self, cluster: Cluster) -> dict[str, Any] | None:
        """The error a version update started now will end with (injected fault first, then health)."""
        code = self.state.faults.spec_for(cluster.name).fail_updates
        if code:
            return failed_update_error(code, cluster.name)
        for issue in self.health_issues(cluster):
            return {
                "errorCode": HEALTH_TO_UPDATE_ERROR[issue["code"]],
                "errorMessage": issue["message"],
                "resourceIds": issue["resourceIds"],
            }
        return None

    def _cluster_update_in_progress(self, cluster: Cluster) -> Update | None:
        return next(
            (u for u in extras(cluster).updates.values()
             if u.status == "InProgress" and u.nodegroup is None and u.addon is None),
            None,
        )

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
            self.start_cluster_update(cluster, version).held_until_described = True
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
        extras(cluster).updates[update.id] = update
        self._schedule(cluster, update.due_at, update_id=update.id)
        cluster.status = "UPDATING"
        return update

    # Completing moto's objects ------------------------------------------------------------------

    def complete_cluster(self, cluster: Cluster, upgrade_policy: str = "EXTENDED", deletion_protection: bool = False,
                         control_plane_tier: str = "standard") -> None:
        """Fill what moto leaves out of a Cluster so DescribeCluster looks like AWS's.

        deletionProtection is false and controlPlaneScalingConfig's tier `standard` unless CreateCluster gave them
        (the defaults of CreateCluster in botocore's model)."""
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
                                               f"{hex_digest(cluster.arn, 32).upper()}"}}
        if catalog.is_known_minor(cluster.version):
            cluster.platformVersion = catalog.newest_platform_version(cluster.version)
        cluster.upgrade_policy = {"supportType": upgrade_policy}  # type: ignore[attr-defined]
        cluster.deletion_protection = deletion_protection  # type: ignore[attr-defined]
        cluster.control_plane_scaling_config = {"tier": control_plane_tier}  # type: ignore[attr-defined]
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

