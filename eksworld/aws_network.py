"""EC2 and networking as EKS sees them: cluster health derived from the VPC (deleted subnets and security groups,
subnets short of addresses), the cluster security group EKS creates, and the failures updates end with."""
from __future__ import annotations

import uuid
from typing import Any

from eksworld.aws_region import RegionalEks
from eksworld.moto_hooks import Cluster, InvalidSubnetIdError

MIN_FREE_IPS = 5  # EKS needs up to five free addresses in the cluster subnets to update the control plane

MSG_FEW_FREE_IPS = (
    "One or more of the subnets associated with your cluster does not have enough available IP addresses for"
    " Amazon EKS to perform cluster management operations. Free up addresses in the subnet(s), or associate"
    " different subnets to your cluster using the Amazon EKS update-cluster-config API."
)
MSG_SUBNET_GONE = "One or more subnets associated with the cluster could not be found."
MSG_SECURITY_GROUP_GONE = "One or more security groups associated with the cluster could not be found."
# errorMessage for update failures injected with FaultSpec.fail_updates and fail_addon_updates.
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


def failed_update_error(code: str, resource_id: str) -> dict[str, Any]:
    """The Update error an injected failure code ends an update with (FaultSpec.fail_updates/fail_addon_updates)."""
    message = FAILURE_MESSAGES.get(code, f"The update failed with {code}.")
    return {"errorCode": code, "errorMessage": message, "resourceIds": [resource_id]}


class Networking(RegionalEks):
    """Cluster health from the EC2 world, and the security group of a new cluster."""

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

