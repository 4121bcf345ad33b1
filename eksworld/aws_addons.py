"""EKS add-ons: creation (CREATING for an emulated while) and updates, checked against the add-on catalog."""
from __future__ import annotations

import uuid

from eksworld.aws_errors import InvalidParameterException, ResourceInUseException
from eksworld.aws_network import failed_update_error
from eksworld.aws_records import Addon, Update, extras
from eksworld.aws_region import ACCOUNT_ID, RegionalEks
from eksworld.moto_hooks import Cluster

# Verbatim from AWS (eks-api-notes.md).
MSG_ADDON_EXISTS = "Addon already exists."
MSG_ADDON_VERSION = "Addon version specified is not supported"
# Not seen verbatim in AWS output; modelled on the node group messages.
MSG_ADDON_NOT_ACTIVE = "Addon cannot be updated as it is currently not in Active State"
MSG_ADDON_UNSUPPORTED = "Addon {addon} specified is not supported in {version} kubernetes version"


class AddonUpdates(RegionalEks):
    """CreateAddon, UpdateAddon and their completion."""

    def _finish_addon_creation(self, cluster: Cluster, name: str, now: float) -> None:
        """An add-on CREATING until `now` is ACTIVE, its workload deployed."""
        addon = extras(cluster).addons.get(name)
        if addon is not None and addon.ready_at is not None and addon.ready_at <= now:
            addon.status, addon.modified_at = "ACTIVE", addon.ready_at
            addon.ready_at = None
            self._publish_addon(addon)

    def _finish_addon_update(self, cluster: Cluster, update: Update) -> None:
        addon = extras(cluster).addons.get(update.addon or "")
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
        known = extras(cluster)
        if name in known.addons:
            raise ResourceInUseException(MSG_ADDON_EXISTS, clusterName=cluster_name, addonName=name)
        if check_compatibility:
            version = version or self.state.addon_catalog.default_version(name, cluster.version)
            if version is None:
                raise InvalidParameterException(
                    MSG_ADDON_UNSUPPORTED.format(addon=name, version=cluster.version),
                    clusterName=cluster_name, addonName=name,
                )
            if not self.state.addon_catalog.is_compatible(name, version, cluster.version):
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
            self._schedule(cluster, addon.ready_at, creating_addon=name)
        known.addons[name] = addon
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
        if version and not self.state.addon_catalog.is_compatible(name, version, cluster.version):
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
        failure = failed_update_error(code, name) if code else None
        update = Update(
            id=str(uuid.uuid4()), type="AddonUpdate", params=params, created_at=now,
            due_at=now + self.state.addon_update_s, addon=name, failure=failure,
        )
        self._record(cluster, update, scope, token, request)
        addon.status = "UPDATING"
        return update

