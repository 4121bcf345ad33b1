"""The EKS HTTP API inside moto: moto's EKS responses completed, plus the operations moto lacks, served by the
EksControlPlane of the request's world and region."""
from __future__ import annotations

import json
import threading
from typing import Any

from eksworld import aws_catalog, catalog
from eksworld.aws_control_plane import ControlPlanes, EksControlPlane
from eksworld.aws_errors import paginate, with_token
from eksworld.aws_records import Update, extras
from eksworld.moto_hooks import ActionResult, EKSResponse, route_eks_paths
from eksworld.state import WorldState

_ACTIVE = threading.local()  # the ControlPlanes serving the current request (set by the middleware)

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
        """The control plane of the request's region (the region its signature names)."""
        planes = getattr(_ACTIVE, "planes", None)
        if planes is None:
            # Outside an AwsEmulator (moto's in-process mock_aws) there is no middleware: serve with defaults.
            planes = _ACTIVE.planes = ControlPlanes(WorldState(), self.region)
        return planes(self.region)

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
        self.world.complete_cluster(
            cluster, upgrade_policy=policy, deletion_protection=bool(self._get_param("deletionProtection")),
            control_plane_tier=(self._get_param("controlPlaneScalingConfig") or {}).get("tier", "standard"))
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
        page, token = paginate(ids, self._get_param("maxResults"), self._get_param("nextToken"))
        return ActionResult(with_token({"updateIds": page}, token))

    def update_nodegroup_config(self) -> ActionResult:
        return self._update(self.world.update_nodegroup_config(
            self._cluster_name(), self._get_param("nodegroupName"), token=self._get_param("clientRequestToken"),
            labels=self._get_param("labels"), taints=self._get_param("taints"),
            scaling_config=self._get_param("scalingConfig"), update_config=self._get_param("updateConfig"),
            node_repair_config=self._get_param("nodeRepairConfig"), warm_pool_config=self._get_param("warmPoolConfig"),
        ))

    def update_nodegroup_version(self) -> ActionResult:
        return self._update(self.world.update_nodegroup_version(
            self._cluster_name(), self._get_param("nodegroupName"),
            version=self._get_param("version"), release_version=self._get_param("releaseVersion"),
            launch_template=self._get_param("launchTemplate"), force=bool(self._get_param("force")),
            token=self._get_param("clientRequestToken"),
        ))

    def list_addons(self) -> ActionResult:
        names = sorted(extras(self.world.cluster(self._cluster_name())).addons)
        page, token = paginate(names, self._get_param("maxResults"), self._get_param("nextToken"))
        return ActionResult(with_token({"addons": page}, token))

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
        addons = aws_catalog.addon_versions(
            self.world.state.addon_catalog, self._get_param("addonName"), self._get_param("kubernetesVersion"),
            {key: self._get_param(member)
             for member, key in (("types", "type"), ("publishers", "publisher"), ("owners", "owner"))},
        )
        page, token = paginate(addons, self._get_param("maxResults"), self._get_param("nextToken"))
        return ActionResult(with_token({"addons": page}, token))

    def list_insights(self) -> ActionResult:
        wanted = self._get_param("filter") or {}
        insights = self.world.list_insights(
            self._cluster_name(), categories=wanted.get("categories"),
            kubernetes_versions=wanted.get("kubernetesVersions"), statuses=wanted.get("statuses"),
        )
        page, token = paginate(insights, self._get_param("maxResults"), self._get_param("nextToken"))
        return ActionResult(with_token({"insights": page}, token))

    def describe_insight(self) -> ActionResult:
        return ActionResult({"insight": self.world.describe_insight(self._cluster_name(), self._get_param("id"))})

    def start_insights_refresh(self) -> ActionResult:
        return ActionResult(self.world.start_insights_refresh(self._cluster_name()))

    def describe_insights_refresh(self) -> ActionResult:
        return ActionResult(self.world.describe_insights_refresh(self._cluster_name()))

    def describe_cluster_versions(self) -> ActionResult:
        versions = aws_catalog.cluster_versions(
            self.world.today(),
            cluster_versions=self._get_param("clusterVersions"),
            default_only=bool(self._get_param("defaultOnly")),
            include_all=bool(self._get_param("includeAll")),
            version_status=self._get_param("versionStatus"),
            legacy_status=self._get_param("status"),
        )
        page, token = paginate(versions, self._get_param("maxResults"), self._get_param("nextToken"))
        return ActionResult(with_token({"clusterVersions": page}, token))


def serve_with(planes: ControlPlanes) -> None:
    """Make EksWorldResponse serve this thread's requests with `planes` (the middleware's, per request)."""
    _ACTIVE.planes = planes


# Every EKS path to EksWorldResponse, before moto builds its EKS app (on the first EKS request).
route_eks_paths(_EXTRA_ROUTES, EksWorldResponse.dispatch)
