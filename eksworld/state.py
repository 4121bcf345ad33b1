"""State shared by the AWS and Kubernetes halves of the emulated world (pure, thread-safe)."""
from __future__ import annotations

import random
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from eksworld.catalog import AddonCatalog


class Clock:
    """Wall clock with an offset, so tests can jump ahead instead of sleeping."""

    def __init__(self) -> None:
        self._offset = 0.0

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds


@dataclass
class RequestRecord:
    seq: int
    ts: float
    service: str          # "eks", "ec2", "sts", "k8s", ...
    operation: str        # botocore operation name (UpdateClusterVersion) or "GET /api/v1/nodes"
    cluster: str | None   # cluster name when the request concerns one
    mutating: bool
    status: int           # HTTP status sent back
    injected: str | None = None  # fault injected, if any ("throttle", "5xx", "latency", "unreachable")
    # EKS requests with a JSON body: the names of the members sent (nested ones dotted, "launchTemplate.version"),
    # never their values. Lets a test prove what a request did not carry (e.g. no "version" for a custom AMI).
    fields: list[str] | None = None


class RequestLog:
    """Every request the world answered, in order. Tests read it to prove what was (not) called."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def add(self, **kwargs: Any) -> RequestRecord:
        with self._lock:
            record = RequestRecord(seq=len(self._records), ts=time.time(), **kwargs)
            self._records.append(record)
            return record

    def records(self, since: int = 0) -> list[RequestRecord]:
        with self._lock:
            return list(self._records[since:])

    def as_dicts(self, since: int = 0) -> list[dict[str, Any]]:
        return [asdict(r) for r in self.records(since)]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()


@dataclass
class FaultSpec:
    throttle_rate: float = 0.0     # share of requests answered ThrottlingException / 429
    error_rate: float = 0.0        # share answered with a 5xx (ServerException / 500 on k8s)
    latency_s: float = 0.0         # added to every response
    fail_updates: str | None = None  # errorCode that the next cluster version updates end with
    fail_addon_updates: str | None = None  # errorCode that the next add-on updates end with (add-on unchanged)
    k8s_unreachable: bool = False  # Kubernetes API closes connections for this cluster
    k8s_error_rate: float = 0.0    # Kubernetes API answers 500 at this rate
    concurrent_update: bool = False  # another operator starts the same cluster update just before ours
    fail_insights_refresh: bool = False  # StartInsightsRefresh runs, then DescribeInsightsRefresh says FAILED
    # The API server instances are replaced: while a cluster update runs, and for this many Kubernetes requests
    # after it completes, the cluster's Kubernetes API drops connections or answers 503; the new instances
    # present a new server certificate from the same CA.
    k8s_outage_requests: int = 0
    # Pods of this image (a full reference or its ending, "cluster-autoscaler:v1.30.2") crash-loop, so rollouts
    # to it never finish: the workload's status and its new pods (CrashLoopBackOff) say so.
    crash_loop_image: str | None = None


class Faults:
    """Fault injection: a global spec plus per-cluster overrides."""

    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self.global_spec = FaultSpec()
        self.per_cluster: dict[str, FaultSpec] = {}
        self._rng = random.Random(seed)

    def set(self, cluster: str | None = None, **values: Any) -> None:
        with self._lock:
            spec = self.global_spec if cluster is None else self.per_cluster.setdefault(cluster, FaultSpec())
            for key, value in values.items():
                if not hasattr(spec, key):
                    raise ValueError(f"unknown fault {key!r}")
                setattr(spec, key, value)

    def clear(self) -> None:
        with self._lock:
            self.global_spec = FaultSpec()
            self.per_cluster.clear()

    def spec_for(self, cluster: str | None) -> FaultSpec:
        """The effective spec: a per-cluster value wins over the global one when set."""
        with self._lock:
            merged = FaultSpec(**asdict(self.global_spec))
            override = self.per_cluster.get(cluster) if cluster else None
            if override:
                for key, value in asdict(override).items():
                    if value not in (0.0, None, False):
                        setattr(merged, key, value)
            return merged

    def roll(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self._lock:
            return self._rng.random() < rate

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return {"global": asdict(self.global_spec),
                    "clusters": {k: asdict(v) for k, v in self.per_cluster.items()}}


class EventBus:
    """Synchronous publish/subscribe between the AWS and Kubernetes halves.

    Events (keyword arguments):
    - "cluster_version_changed": cluster, version ("1.29"), platform_version ("eks.5")
    - "nodegroup_version_changed": cluster, nodegroup, version ("1.29"), release_version, kubelet_version
      (the minor the new nodes run: the version, or a custom AMI's own minor)
    """

    def __init__(self) -> None:
        self._subscribers: dict[str, list[Callable[..., None]]] = {}

    def subscribe(self, event: str, callback: Callable[..., None]) -> None:
        self._subscribers.setdefault(event, []).append(callback)

    def publish(self, event: str, **payload: Any) -> None:
        for callback in self._subscribers.get(event, []):
            callback(**payload)


@dataclass
class WorldState:
    """What both halves share. One per world process."""

    clock: Clock = field(default_factory=Clock)
    log: RequestLog = field(default_factory=RequestLog)
    faults: Faults = field(default_factory=Faults)
    events: EventBus = field(default_factory=EventBus)
    lock: threading.RLock = field(default_factory=threading.RLock)
    # Emulated durations (seconds); tests use small values, the demo minutes.
    cluster_update_s: float = 2.0
    nodegroup_update_s: float = 1.0
    addon_update_s: float = 0.5
    insights_refresh_s: float = 1.0  # an on-demand insights refresh stays IN_PROGRESS this long
    instance_refresh_s: float = 0.5  # an Auto Scaling instance refresh runs this long (aws_autoscaling.py)
    # The add-on versions DescribeAddonVersions lists (the region's catalog): the built-in ones and a scenario's.
    addon_catalog: AddonCatalog = field(default_factory=AddonCatalog)
    gpu_register_s: float = 0.3  # the NVIDIA device plugin advertises a new GPU node's GPUs this long after it joins
