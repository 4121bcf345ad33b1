"""Managed node group version updates: AWS's refusals, custom AMIs and launch template versions, pods that
block the drain, and the node group fields moto leaves out."""
from __future__ import annotations

import json
import re
import uuid
from typing import Any

from eksworld import catalog
from eksworld.aws_errors import InvalidParameterException, ResourceInUseException
from eksworld.aws_records import Update, hex_digest, utc
from eksworld.aws_region import RegionalEks
from eksworld.moto_hooks import (
    Cluster,
    InvalidLaunchTemplateIdNotFound,
    InvalidLaunchTemplateNameNotFoundWithNameError,
    Nodegroup,
)

# Messages verbatim from AWS where known (eks-api-notes.md).
MSG_NODEGROUP_VERSION = (
    "Nodegroup Kubernetes version should be equal to Cluster kubernetes version {cluster} or NodeGroup"
    " kubernetes version {nodegroup}"
)
MSG_CUSTOM_AMI_FIELD = "You cannot specify the field {field} when using custom AMIs."
MSG_RELEASE_VERSION = "Requested release version {release} is not valid for kubernetes version {version}."
MSG_NODEGROUP_NOT_ACTIVE = "Nodegroup cannot be updated as it is currently not in Active State"
MSG_POD_EVICTION = "Reached max retries while trying to evict pods from nodes in node group {nodegroup}"
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
# UpdateNodegroupConfig (botocore: NodegroupUpdateConfig wants maxUnavailable or maxUnavailablePercentage, 1-100;
# updateStrategy DEFAULT or MINIMAL). Not seen verbatim in AWS output.
UPDATE_STRATEGIES = ("DEFAULT", "MINIMAL")
MSG_UPDATE_CONFIG_UNAVAILABLE = "updateConfig needs exactly one of maxUnavailable and maxUnavailablePercentage"
MSG_UPDATE_CONFIG_RANGE = "{field} must be between 1 and 100"
MSG_UPDATE_STRATEGY = "updateStrategy must be one of DEFAULT, MINIMAL"
MSG_CONFIG_UNSUPPORTED = "eksworld emulates labels, taints, scalingConfig and updateConfig of UpdateNodegroupConfig"
MSG_NO_CHANGES = "No changes needed"
# The Kubernetes minor in an AMI name or SSM path: "-1.30-", "/1.30/", "k8s-1.30-" (not "v1.20.0").
_AMI_MINOR = re.compile(r"(?:^|[-/_])(1\.\d{1,2})(?=[-/_]|$)")


class NodegroupUpdates(RegionalEks):
    """UpdateNodegroupVersion and its completion."""

    def _finish_nodegroup_update(self, cluster: Cluster, update: Update) -> None:
        nodegroup = cluster.nodegroups.get(update.nodegroup or "")
        if nodegroup is None:  # deleted meanwhile
            update.status = "Cancelled"
            return
        nodegroup.status = "ACTIVE"
        nodegroup.modified_at = utc(update.due_at)
        if update.type == "ConfigUpdate":
            self._finish_config_update(cluster, nodegroup, update)
            return
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
            labels=dict(nodegroup.labels or {}), taints=list(nodegroup.taints or []),
        )

    def _finish_config_update(self, cluster: Cluster, nodegroup: Nodegroup, update: Update) -> None:
        config = update.config or {}
        if "update_config" in config:
            nodegroup.update_config = config["update_config"]
        if "scaling_config" in config:
            nodegroup.scaling_config = {**(nodegroup.scaling_config or {}), **config["scaling_config"]}
        labels = config.get("labels") or {}
        nodegroup.labels = {key: value for key, value in {**nodegroup.labels, **labels.get("addOrUpdateLabels", {})}
                            .items() if key not in labels.get("removeLabels", [])}
        taints = config.get("taints") or {}
        changed = {(t["key"], t.get("effect")) for t in taints.get("addOrUpdateTaints", []) + taints.get(
            "removeTaints", [])}
        nodegroup.taints = [t for t in nodegroup.taints if (t["key"], t.get("effect")) not in changed] + list(
            taints.get("addOrUpdateTaints", []))
        update.status = "Successful"
        if labels or taints:
            self.state.events.publish("nodegroup_config_changed", cluster=cluster.name,
                                      nodegroup=nodegroup.nodegroup_name, labels=dict(nodegroup.labels),
                                      taints=list(nodegroup.taints))

    def update_nodegroup_config(self, cluster_name: str, nodegroup_name: str, token: str | None = None,
                                **config: Any) -> Update:
        """UpdateNodegroupConfig (labels, taints, scalingConfig, updateConfig); the changes apply when it completes.

        `config` holds the request's fields by their snake_case names (moto's), None when absent.
        """
        cluster = self.cluster(cluster_name)
        nodegroup = self.nodegroup(cluster, nodegroup_name)
        scope = f"nodegroup/{nodegroup_name}"
        given = {key: value for key, value in config.items() if value is not None}
        request = (json.dumps(given, sort_keys=True),)
        replayed = self._replay(cluster, scope, token, request)
        if replayed:
            return replayed
        names = {"clusterName": cluster_name, "nodegroupName": nodegroup_name}
        if set(given) - {"labels", "taints", "scaling_config", "update_config"}:
            raise InvalidParameterException(MSG_CONFIG_UNSUPPORTED, **names)
        params = self._config_params(given, names)
        if not params:
            raise InvalidParameterException(MSG_NO_CHANGES, **names)
        if nodegroup.status != "ACTIVE":
            raise ResourceInUseException(MSG_NODEGROUP_NOT_ACTIVE, **names)
        now = self.now()
        update = Update(id=str(uuid.uuid4()), type="ConfigUpdate", params=params, created_at=now,
                        due_at=now + self.state.nodegroup_update_s, nodegroup=nodegroup_name, config=given)
        self._record(cluster, update, scope, token, request)
        nodegroup.status = "UPDATING"
        return update

    @staticmethod
    def _config_params(given: dict[str, Any], names: dict[str, str]) -> list[dict[str, str]]:
        """The Update params (botocore's UpdateParamType) of an UpdateNodegroupConfig, after EKS's checks."""
        params = []
        update_config = given.get("update_config")
        if update_config is not None:
            limits = [key for key in ("maxUnavailable", "maxUnavailablePercentage") if key in update_config]
            if len(limits) != 1:
                raise InvalidParameterException(MSG_UPDATE_CONFIG_UNAVAILABLE, **names)
            if not 1 <= int(update_config[limits[0]]) <= 100:
                raise InvalidParameterException(MSG_UPDATE_CONFIG_RANGE.format(field=limits[0]), **names)
            strategy = update_config.get("updateStrategy")
            if strategy is not None and strategy not in UPDATE_STRATEGIES:
                raise InvalidParameterException(MSG_UPDATE_STRATEGY, **names)
            params.append({"type": limits[0][0].upper() + limits[0][1:], "value": str(update_config[limits[0]])})
            if strategy is not None:
                params.append({"type": "UpdateStrategy", "value": strategy})
        for field, kinds in (("labels", (("addOrUpdateLabels", "LabelsToAdd"), ("removeLabels", "LabelsToRemove"))),
                             ("taints", (("addOrUpdateTaints", "TaintsToAdd"), ("removeTaints", "TaintsToRemove")))):
            for key, kind in kinds:
                if (given.get(field) or {}).get(key):
                    params.append({"type": kind, "value": json.dumps(given[field][key], sort_keys=True)})
        for key, kind in (("desiredSize", "DesiredSize"), ("minSize", "MinSize"), ("maxSize", "MaxSize")):
            if (given.get("scaling_config") or {}).get(key) is not None:
                params.append({"type": kind, "value": str(given["scaling_config"][key])})
        return params

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

    def complete_nodegroup(self, cluster: Cluster, nodegroup: Nodegroup, version: str | None,
                           release_version: str | None) -> None:
        """moto defaults node groups to 1.19: put them on the cluster's minor and its newest AMI instead."""
        nodegroup.version = version or cluster.version
        if nodegroup.ami_type == "CUSTOM":
            nodegroup.release_version = release_version or "ami-" + hex_digest(nodegroup.arn, 17)
        else:
            nodegroup.release_version = release_version or catalog.ami_release_version(nodegroup.version)
        nodegroup.update_config = nodegroup.update_config or {"maxUnavailable": 1}

