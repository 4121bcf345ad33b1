"""What EKS knows beyond moto's model (updates, add-ons, insights, tokens), kept on moto's own Cluster objects
so that a moto reset clears it too."""
from __future__ import annotations

import datetime as _dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from eksworld.moto_hooks import Cluster

# Version rollback: UpdateClusterVersion to N-1 within 7 days after an in-place upgrade to N finished
# (eks-api-notes.md).
ROLLBACK_WINDOW_S = 7 * 24 * 3600.0


def utc(epoch: float) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(epoch, tz=_dt.timezone.utc)


def midnight(day: _dt.date) -> _dt.datetime:
    return _dt.datetime(day.year, day.month, day.day, tzinfo=_dt.timezone.utc)


def hex_digest(seed: str, length: int) -> str:
    return hashlib.sha1(seed.encode()).hexdigest()[:length]


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
    config: dict[str, Any] | None = None  # node group configuration updates: what changes when it completes
    # Not finished, however due, until a DescribeUpdate has shown it running (another operator's update, the
    # concurrent_update fault): whoever meets it finds it in progress, whatever the machine's speed.
    held_until_described: bool = False

    def param(self, kind: str) -> str | None:
        return next((p["value"] for p in self.params if p["type"] == kind), None)

    def as_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "type": self.type,
            "params": self.params,
            "createdAt": utc(self.created_at),
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
            "createdAt": utc(self.created_at),
            "modifiedAt": utc(self.modified_at or self.created_at),
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

    def rollback_target(self, version: str, now: float) -> str | None:
        """The minor a rollback may go back to now: the one before the last in-place upgrade, within 7 days."""
        last = self.last_upgrade
        if last is None or last[1] != version or now - last[2] > ROLLBACK_WINDOW_S:
            return None
        return last[0]


def extras(cluster: Cluster) -> ClusterExtras:
    """The cluster's ClusterExtras, created on first use."""
    found = getattr(cluster, "eksworld", None)
    if found is None:
        found = ClusterExtras()
        cluster.eksworld = found  # type: ignore[attr-defined]
    return found
