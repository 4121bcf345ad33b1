"""The emulated EKS control plane: every concern (cluster updates, node groups, add-ons, insights, networking)
behind one object, and the completion of due work as the emulated clock passes."""
from __future__ import annotations

from eksworld import aws_autoscaling
from eksworld.aws_addons import AddonUpdates
from eksworld.aws_cluster_updates import ClusterUpdates
from eksworld.aws_errors import MSG_UPDATE_NOT_FOUND, ResourceNotFoundException
from eksworld.aws_nodegroups import NodegroupUpdates
from eksworld.aws_records import Update, extras
from eksworld.moto_hooks import Cluster
from eksworld.state import WorldState


class EksControlPlane(ClusterUpdates, NodegroupUpdates, AddonUpdates):
    """EKS behaviour moto lacks: updates with emulated durations, add-ons, insights, cluster versions."""

    def advance(self) -> None:
        """Finish every update (and add-on creation) whose emulated duration has passed, oldest first: only what
        is due is looked at (RegionalEks._schedule), never every cluster."""
        now = self.now()
        clusters = self.backend.clusters
        due: list[tuple[float, Cluster, Update]] = []
        for _due_at, _seq, name, update_id, creating_addon in self._pop_due(now):
            cluster = clusters.get(name)
            if cluster is None:  # deleted, or the world was reset since
                continue
            if creating_addon is not None:
                self._finish_addon_creation(cluster, creating_addon, now)
                continue
            update = extras(cluster).updates.get(update_id or "")
            if update is not None and update.status == "InProgress" and update.due_at <= now \
                    and not update.held_until_described:  # describe_update schedules it again
                due.append((update.due_at, cluster, update))
        for _, cluster, update in sorted(due, key=lambda item: item[0]):
            if update.nodegroup:
                self._finish_nodegroup_update(cluster, update)
            elif update.addon:
                self._finish_addon_update(cluster, update)
            else:
                self._finish_cluster_update(cluster, update)

    # Updates -----------------------------------------------------------------------------------

    def describe_update(
        self, cluster_name: str, update_id: str, nodegroup: str | None = None, addon: str | None = None
    ) -> Update:
        """DescribeUpdate: node group and add-on updates are only found when their name is given."""
        cluster = self.cluster(cluster_name)
        update = extras(cluster).updates.get(update_id)
        if update is None or update.nodegroup != (nodegroup or None) or update.addon != (addon or None):
            raise ResourceNotFoundException(
                MSG_UPDATE_NOT_FOUND.format(update_id=update_id), clusterName=cluster_name,
                nodegroupName=nodegroup, addonName=addon,
            )
        if update.held_until_described:  # shown running now; it finishes when due, from the next request on
            update.held_until_described = False
            self._schedule(cluster, max(update.due_at, self.now()), update_id=update.id)
        return update

    def list_updates(self, cluster_name: str, nodegroup: str | None = None, addon: str | None = None) -> list[str]:
        cluster = self.cluster(cluster_name)
        if nodegroup:
            self.nodegroup(cluster, nodegroup)
        if addon:
            self.addon(cluster, addon)
        return [
            u.id for u in extras(cluster).updates.values()
            if u.nodegroup == (nodegroup or None) and u.addon == (addon or None)
        ]



class ControlPlanes:
    """A world's EksControlPlane per region, made on first use: as on AWS (and in moto's backends), each region has
    its own clusters; they share the world's state (clock, faults, log, events)."""

    def __init__(self, state: WorldState, default_region: str) -> None:
        self.state = state
        self.enforce_insights = False
        self._planes: dict[str, EksControlPlane] = {}
        self.default = self(default_region)

    def __call__(self, region: str) -> EksControlPlane:
        plane = self._planes.get(region)
        if plane is None:
            plane = self._planes[region] = EksControlPlane(self.state, region)
            plane.enforce_insights = self.enforce_insights
        return plane

    def set_insight_enforcement(self, enabled: bool) -> None:
        self.enforce_insights = enabled
        for plane in self._planes.values():
            plane.enforce_insights = enabled

    def advance(self) -> None:
        """Finish the due work of every region."""
        for plane in list(self._planes.values()):
            plane.advance()
        aws_autoscaling.advance(self.state)
