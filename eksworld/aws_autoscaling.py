"""Auto Scaling instance refreshes, which moto lacks (botocore's StartInstanceRefresh, DescribeInstanceRefreshes,
CancelInstanceRefresh): a refresh stays Pending then InProgress for `WorldState.instance_refresh_s` emulated
seconds, then replaces every instance of the group not launched from its current launch template version
(terminated, relaunched by moto from that version) and ends Successful; a group seeded with `refresh_fails` ends
Failed with half its instances replaced. Refreshes live on moto's group objects, so a moto reset clears them.

When a refresh ends, "instance_refresh_completed" is published (region, group, cluster, replaced: [(old instance,
new instance)], image_id) so that the Kubernetes side replaces the nodes.
"""
from __future__ import annotations

import datetime as _dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from moto.backends import get_backend

from eksworld.aws_region import ACCOUNT_ID
from eksworld.moto_hooks import (
    ActionResult,
    AutoscalingClientError,
    AutoScalingResponse,
    FakeAutoScalingGroup,
    mark_launch_version,
    route_autoscaling,
)
from eksworld.state import WorldState

RUNNING = ("Pending", "InProgress", "Cancelling")
CLUSTER_TAG_PREFIX = "kubernetes.io/cluster/"
_BOUND: dict[str, WorldState] = {}  # the world serving this process (moto's backends are process-global too)


class InstanceRefreshInProgress(AutoscalingClientError):
    code = "InstanceRefreshInProgress"


class ActiveInstanceRefreshNotFound(AutoscalingClientError):
    code = "ActiveInstanceRefreshNotFound"


@dataclass
class Refresh:
    id: str
    group: str
    started: float
    due: float
    preferences: dict[str, Any]
    to_update: int
    status: str = "Pending"
    reason: str | None = None
    ended: float | None = None
    percentage: int = 0
    replaced: list[tuple[str, str]] = field(default_factory=list)

    def as_api(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "InstanceRefreshId": self.id, "AutoScalingGroupName": self.group, "Status": self.status,
            "StartTime": _utc(self.started), "PercentageComplete": self.percentage,
            "InstancesToUpdate": max(self.to_update - len(self.replaced), 0) if self.status in RUNNING else 0,
            "Preferences": self.preferences, "Strategy": "Rolling"}
        if self.reason:
            found["StatusReason"] = self.reason
        if self.ended is not None:
            found["EndTime"] = _utc(self.ended)
        return found


def bind(state: WorldState) -> None:
    """Serve refreshes with this world's clock, durations and events (one emulator per process)."""
    _BOUND["state"] = state


def _state() -> WorldState:
    if "state" not in _BOUND:
        _BOUND["state"] = WorldState()  # moto's in-process mock_aws, without an AwsEmulator
    return _BOUND["state"]


def _utc(seconds: float) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(seconds, _dt.timezone.utc)


def refreshes_of(group: FakeAutoScalingGroup) -> list[Refresh]:
    if not hasattr(group, "eksworld_refreshes"):
        group.eksworld_refreshes = []  # type: ignore[attr-defined]
    return group.eksworld_refreshes  # type: ignore[attr-defined]


def launch_version(group: FakeAutoScalingGroup) -> int:
    """The launch template version number the group launches from now."""
    template = group.ec2_launch_template
    return int(template.get_version(group.launch_template_version).number) if template else 0


def outdated(group: FakeAutoScalingGroup) -> list[Any]:
    current = launch_version(group)
    return [s for s in group.instance_states if getattr(s, "eksworld_launch_version", None) != current]


def start_refresh(group: FakeAutoScalingGroup, preferences: dict[str, Any]) -> Refresh:
    state = _state()
    if any(r.status in RUNNING for r in refreshes_of(group)):
        raise InstanceRefreshInProgress("An Instance Refresh is already in progress and blocks the execution of "
                                        "this Instance Refresh.")
    now = state.clock.now()
    refresh = Refresh(str(uuid.uuid4()), group.name, now, now + state.instance_refresh_s, dict(preferences),
                      len(outdated(group)) if group.ec2_launch_template else len(group.instance_states))
    refreshes_of(group).insert(0, refresh)
    return refresh


def advance(state: WorldState) -> None:
    """Move every running refresh on; finish those due (replacing their instances). Only regions whose Auto Scaling
    backend exists are looked at: none is created here."""
    backends = get_backend("autoscaling")[ACCOUNT_ID]
    now = state.clock.now()
    for region in list(backends.keys()):
        for group in list(backends[region].autoscaling_groups.values()):
            _advance_group(state, region, group, now)


def _advance_group(state: WorldState, region: str, group: FakeAutoScalingGroup, now: float) -> None:
    for refresh in refreshes_of(group):
        if refresh.status not in RUNNING:
            continue
        if refresh.status == "Cancelling":
            refresh.status, refresh.ended = "Cancelled", now
            continue
        refresh.status = "InProgress"
        span = max(refresh.due - refresh.started, 1e-6)
        refresh.percentage = min(99, int(100 * (now - refresh.started) / span))
        if now >= refresh.due:
            _finish(state, region, group, refresh, now)


def _finish(state: WorldState, region: str, group: FakeAutoScalingGroup, refresh: Refresh, now: float) -> None:
    old = outdated(group)
    fails = bool(getattr(group, "eksworld_refresh_fails", False))
    doomed = old[: len(old) // 2] if fails else old
    version = launch_version(group)
    for state_of_instance in doomed:
        group.autoscaling_backend.ec2_backend.terminate_instances([state_of_instance.instance.id])
        group.instance_states.remove(state_of_instance)
        before = {s.instance.id for s in group.instance_states}
        group.replace_autoscaling_group_instances(1, group.get_propagated_tags())
        [new] = [s for s in group.instance_states if s.instance.id not in before]
        mark_launch_version(new, version)
        refresh.replaced.append((state_of_instance.instance.id, new.instance.id))
    refresh.ended, refresh.percentage = now, 100 if not fails else 50
    refresh.status = "Failed" if fails else "Successful"
    if fails:
        refresh.reason = "Instance refresh failed: new instances did not become healthy (emulated failure)."
    cluster = next((t["Key"][len(CLUSTER_TAG_PREFIX):] for t in group.tags
                    if t["Key"].startswith(CLUSTER_TAG_PREFIX)), getattr(group, "eksworld_cluster", None))
    state.events.publish("instance_refresh_completed", region=region, group=group.name, cluster=cluster,
                         replaced=list(refresh.replaced), image_id=group.image_id)


class AutoScalingWorldResponse(AutoScalingResponse):
    """moto's Auto Scaling responses plus instance refreshes."""

    def _group(self) -> FakeAutoScalingGroup:
        name = self._get_param("AutoScalingGroupName")
        group = self.autoscaling_backend.autoscaling_groups.get(name)
        if group is None:
            raise AutoscalingClientError("ValidationError", f"AutoScalingGroup name not found - {name}")
        return group

    def start_instance_refresh(self) -> ActionResult:
        group = self._group()
        if (self._get_param("Strategy") or "Rolling") != "Rolling":
            raise AutoscalingClientError("ValidationError", "Only the Rolling strategy is emulated.")
        return ActionResult({"InstanceRefreshId": start_refresh(group, self._get_param("Preferences") or {}).id})

    def describe_instance_refreshes(self) -> ActionResult:
        found = refreshes_of(self._group())
        ids = self._get_param("InstanceRefreshIds") or []
        if ids:
            found = [r for r in found if r.id in ids]
        limit = self._get_int_param("MaxRecords") or 50
        return ActionResult({"InstanceRefreshes": [r.as_api() for r in found[:limit]]})

    def cancel_instance_refresh(self) -> ActionResult:
        running = [r for r in refreshes_of(self._group()) if r.status in ("Pending", "InProgress")]
        if not running:
            raise ActiveInstanceRefreshNotFound("No in progress or pending Instance Refresh found for this group.")
        running[0].status = "Cancelling"
        return ActionResult({"InstanceRefreshId": running[0].id})


route_autoscaling(AutoScalingWorldResponse.dispatch)
