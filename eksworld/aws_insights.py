"""Cluster insights: upgrade and rollback readiness checks (computed from the cluster, or seeded), and their
on-demand refresh."""
from __future__ import annotations

import datetime as _dt
import uuid
from typing import Any

from eksworld import catalog
from eksworld.aws_errors import ResourceNotFoundException
from eksworld.aws_network import Networking
from eksworld.aws_records import Insight, extras, utc
from eksworld.moto_hooks import Cluster

# Insight categories and statuses (botocore's Category and InsightStatusValue enums). Configuration insights
# (MISCONFIGURATION) describe the EKS Hybrid Nodes setup of the cluster as it is: they carry its own version.
INSIGHT_CATEGORIES = ("UPGRADE_READINESS", "MISCONFIGURATION", "ROLLBACK_READINESS")
INSIGHT_STATUSES = ("PASSING", "WARNING", "ERROR", "UNKNOWN")
# Not seen verbatim in AWS output.
MSG_INSIGHT_NOT_FOUND = "No insight found for id: {insight_id}"
MSG_INSIGHTS_REFRESH_STARTED = "Insights refresh started."
MSG_INSIGHTS_REFRESH_RUNNING = "An insights refresh is already in progress."
MSG_INSIGHTS_REFRESH_FAILED = "Insights refresh failed. Try again later."


class InsightChecks(Networking):
    """ListInsights, DescribeInsight and the insights refresh of every cluster."""

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
        installed = list(extras(cluster).addons.values())
        addon_catalog = self.state.addon_catalog
        # kube-proxy builds are published per minor; one minor behind is within its skew policy, which
        # EKS reports in the separate "kube-proxy version skew" insight.
        incompatible = [a for a in installed
                        if a.name != "kube-proxy" and not addon_catalog.is_compatible(a.name, a.version, target)]
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
                    {"name": a.name, "compatibleVersions": addon_catalog.compatible_versions(a.name, target)}
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
        merged.update(extras(cluster).insights)
        return list(merged.values())

    def last_refresh(self, cluster: Cluster) -> _dt.datetime:
        """When the insights were last refreshed: the end of the latest successful refresh, else creation."""
        known = extras(cluster)
        if known.refresh_due is not None and known.refresh_due <= self.now() and not known.refresh_failed:
            known.refresh_ended = known.refresh_due
        ended = known.refresh_ended
        return utc(ended) if ended is not None else cluster.created_at.replace(tzinfo=_dt.timezone.utc)

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
        known = extras(cluster)
        now = self.now()
        if known.refresh_due is not None and known.refresh_due > now:
            return {"message": MSG_INSIGHTS_REFRESH_RUNNING, "status": "IN_PROGRESS"}
        known.refresh_started, known.refresh_due = now, now + self.state.insights_refresh_s
        known.refresh_failed = self.state.faults.spec_for(cluster.name).fail_insights_refresh
        return {"message": MSG_INSIGHTS_REFRESH_STARTED, "status": "IN_PROGRESS"}

    def describe_insights_refresh(self, cluster_name: str) -> dict[str, Any]:
        """The latest on-demand refresh; before any, the scheduled refresh that produced the insights."""
        cluster = self.cluster(cluster_name)
        known = extras(cluster)
        last = self.last_refresh(cluster)
        if known.refresh_started is None or known.refresh_due is None:
            return {"status": "COMPLETED", "startedAt": last, "endedAt": last}
        started = utc(known.refresh_started)
        if known.refresh_due > self.now():
            return {"status": "IN_PROGRESS", "startedAt": started}
        if known.refresh_failed:
            return {"status": "FAILED", "message": MSG_INSIGHTS_REFRESH_FAILED, "startedAt": started,
                    "endedAt": utc(known.refresh_due)}
        return {"status": "COMPLETED", "startedAt": started, "endedAt": utc(known.refresh_due)}

