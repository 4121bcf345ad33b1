"""One region's EKS as the control plane sees it: moto's backends (through moto's public get_backend), the
emulated clock, lookups that fail as EKS fails, and clientRequestToken idempotency."""
from __future__ import annotations

import datetime as _dt
import heapq
import itertools
from typing import Any

from moto.backends import get_backend
from moto.core import DEFAULT_ACCOUNT_ID

from eksworld.aws_errors import (
    MSG_ADDON_NOT_FOUND,
    MSG_CLUSTER_NOT_FOUND,
    MSG_NODEGROUP_NOT_FOUND,
    MSG_TOKEN_REUSED,
    InvalidParameterException,
    ResourceNotFoundException,
)
from eksworld.aws_records import Addon, Update, extras, utc
from eksworld.moto_hooks import Cluster, EKSBackend, Nodegroup
from eksworld.state import WorldState

ACCOUNT_ID = DEFAULT_ACCOUNT_ID


class RegionalEks:
    """The base of the control plane's concerns: backends, clock, lookups, request tokens."""

    def __init__(self, state: WorldState, region: str) -> None:
        self.state = state
        self.region = region
        self.enforce_insights = False  # AWS rolled the enforcement back (containers-roadmap#2570)
        # Work that finishes as the emulated clock passes, by due time: (due, seq, cluster, update id or None,
        # add-on name being created or None). advance() pops what is due instead of scanning every cluster, so a
        # request costs the same with 1,000 clusters as with one.
        self._due: list[tuple[float, int, str, str | None, str | None]] = []
        self._seq = itertools.count()

    @property
    def backend(self) -> EKSBackend:
        return get_backend("eks")[ACCOUNT_ID][self.region]

    @property
    def ec2(self) -> Any:
        return get_backend("ec2")[ACCOUNT_ID][self.region]

    def now(self) -> float:
        return self.state.clock.now()

    def today(self) -> _dt.date:
        return utc(self.now()).date()

    # Lookups ----------------------------------------------------------------------------------

    def cluster(self, name: str) -> Cluster:
        try:
            return self.backend.clusters[name]
        except KeyError:
            raise ResourceNotFoundException(MSG_CLUSTER_NOT_FOUND.format(name=name), clusterName=name) from None

    def nodegroup(self, cluster: Cluster, name: str) -> Nodegroup:
        try:
            return cluster.nodegroups[name]
        except KeyError:
            raise ResourceNotFoundException(
                MSG_NODEGROUP_NOT_FOUND.format(name=name), clusterName=cluster.name, nodegroupName=name
            ) from None

    def addon(self, cluster: Cluster, name: str) -> Addon:
        try:
            return extras(cluster).addons[name]
        except KeyError:
            raise ResourceNotFoundException(
                MSG_ADDON_NOT_FOUND.format(addon=name, cluster=cluster.name), clusterName=cluster.name, addonName=name
            ) from None

    def rollback_target(self, cluster: Cluster) -> str | None:
        """The minor a rollback may go back to now (None when the rollback window is closed)."""
        return extras(cluster).rollback_target(cluster.version, self.now())

    def _replay(self, cluster: Cluster, scope: str, token: str | None, request: tuple[Any, ...]) -> Update | None:
        """The update an earlier request with the same clientRequestToken created, if any."""
        if not token:
            return None
        known = extras(cluster)
        seen = known.tokens.get((scope, token))
        if seen is None:
            return None
        if seen[0] != request:
            raise InvalidParameterException(MSG_TOKEN_REUSED.format(token=token), clusterName=cluster.name)
        return known.updates[seen[1]]

    def _schedule(self, cluster: Cluster, due_at: float, update_id: str | None = None,
                  creating_addon: str | None = None) -> None:
        """Remember an update (or an add-on creation) that finishes at `due_at` (emulated time)."""
        heapq.heappush(self._due, (due_at, next(self._seq), cluster.name, update_id, creating_addon))

    def _pop_due(self, now: float) -> list[tuple[float, int, str, str | None, str | None]]:
        """What is due at `now`, in due order; the caller checks each entry still stands (a reset forgets all)."""
        due = []
        while self._due and self._due[0][0] <= now:
            due.append(heapq.heappop(self._due))
        return due

    def _record(
        self, cluster: Cluster, update: Update, scope: str, token: str | None, request: tuple[Any, ...]
    ) -> None:
        known = extras(cluster)
        if update.id not in known.updates:
            self._schedule(cluster, update.due_at, update_id=update.id)
        known.updates[update.id] = update
        if token:
            known.tokens[(scope, token)] = (request, update.id)

