"""Seeding the emulated AWS account in process (for the scenario loader and tests): networks, clusters, node
groups, launch templates, add-ons, insights, security groups; and plain-data accessors for assertions."""
from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import ipaddress
from typing import Any

from eksworld import catalog
from eksworld.aws_control_plane import EksControlPlane
from eksworld.aws_insights import INSIGHT_CATEGORIES, INSIGHT_STATUSES
from eksworld.aws_records import extras, hex_digest, utc
from eksworld.aws_region import ACCOUNT_ID
from eksworld.moto_hooks import (
    FargateProfile,
    InvalidLaunchTemplateNameNotFoundWithNameError,
    clear_security_group_rules,
    insert_cluster,
    insert_nodegroup,
    set_available_ips,
)
from eksworld.state import WorldState


class WorldSeeding:
    """The seeding API of AwsEmulator: each call takes the world's lock, as requests do."""

    state: WorldState
    region: str
    eks: EksControlPlane

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
                    set_available_ips(subnet, spec["free_ips"])
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
        deletion_protection: bool = False,
        control_plane_tier: str = "standard",
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
            cluster = insert_cluster(
                self.eks.backend,
                name=name,
                role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/eksClusterRole",
                resources_vpc_config=vpc_config,
                account_id=ACCOUNT_ID,
                region_name=self.region,
                aws_partition="aws",
                version=version,
                tags=tags or {},
            )
            self.eks.complete_cluster(cluster, upgrade_policy=upgrade_policy, deletion_protection=deletion_protection,
                                      control_plane_tier=control_plane_tier)
            if platform_version:
                cluster.platformVersion = platform_version
            if auto_mode_node_pools is not None:
                self.eks.enable_auto_mode(cluster, auto_mode_node_pools)
            cluster.endpoint = endpoint or f"https://{hex_digest(name, 32).upper()}.gr7.{self.region}.eks.amazonaws.com"
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
        taints: list[dict[str, str]] | None = None,
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
            nodegroup = insert_nodegroup(
                owner,
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
                labels=dict(labels or {}),
                taints=list(taints or []),
                launch_template=launch_template,
            )
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
            insight.last_transition = utc(self.eks.now())
            extras(owner).insights[insight.id] = insight
            return insight.id

    def age_insights(self, cluster: str, hours: float) -> None:
        """Make the cluster's insights last refreshed `hours` ago (EKS refreshes them every 24 h)."""
        with self.state.lock:
            extras(self.eks.cluster(cluster)).refresh_ended = self.eks.now() - hours * 3600

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
            for rules, inbound_rules, authorize in ((inbound, True, ec2.authorize_security_group_ingress),
                                                    (outbound, False, ec2.authorize_security_group_egress)):
                if rules is None:
                    continue
                clear_security_group_rules(group, inbound=inbound_rules)
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
            known = extras(cluster)
            return {
                "version": cluster.version,
                "platform_version": cluster.platformVersion,
                "status": cluster.status,
                "deletion_protection": cluster.deletion_protection,  # type: ignore[attr-defined]
                "control_plane_scaling_tier": cluster.control_plane_scaling_config["tier"],  # type: ignore[attr-defined]
                "nodegroups": {
                    ng: {"version": group.version, "release_version": group.release_version, "status": group.status}
                    for ng, group in cluster.nodegroups.items()
                },
                "addons": {addon.name: addon.version for addon in known.addons.values()},
                "updates": [
                    {
                        "id": update.id, "type": update.type, "status": update.status,
                        "nodegroup": update.nodegroup, "addon": update.addon,
                        "params": {p["type"]: p["value"] for p in update.params},
                        "errors": [e["errorCode"] for e in update.errors],
                    }
                    for update in known.updates.values()
                ],
            }


class RegionSeeding(WorldSeeding):
    """The seeding API in one region of an emulator (AwsEmulator.in_region): that region's clusters and networks."""

    def __init__(self, state: WorldState, eks: EksControlPlane) -> None:
        self.state, self.region, self.eks = state, eks.region, eks


def _seeded_deprecations(details: list[dict[str, Any]], now: float) -> list[dict[str, Any]]:
    """DeprecationDetail dicts from a scenario: clientStats timestamps as datetimes, as botocore sends them."""
    seeded = []
    for detail in details:
        stats = []
        for stat in detail.get("clientStats") or []:
            when = stat.get("lastRequestTime")
            if when is None:
                when = utc(now - 3600)
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
