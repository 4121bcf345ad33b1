"""gather.py's declared job graph: which jobs run, in what order, concurrently, and which failure is reported."""
from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils.gather import (
    PREFLIGHT_PARTS,
    SKEW_PARTS,
    Job,
    _jobs,
    run_jobs,
)


def test_only_the_wanted_jobs_and_what_they_need_run_each_with_the_results_it_needs():
    ran: list[str] = []

    def job(name: str, value: Any, *needs: str) -> Job:
        def call(*results: Any) -> Any:
            ran.append(name)
            return (value, results)
        return Job(name, needs, call)

    jobs = (job("kube", 1), job("nodes", 2, "kube"), job("addons", 3), job("pdbs", 4, "kube"))
    results = run_jobs(jobs, ["nodes"])
    assert set(results) == {"kube", "nodes"} and "addons" not in ran
    assert results["nodes"] == (2, ((1, ()),))
    assert ran.index("kube") < ran.index("nodes")


def test_independent_jobs_run_concurrently():
    # Both must be running at once to pass the barrier; run one after the other, the barrier times out.
    barrier = threading.Barrier(2, timeout=5)
    jobs = (Job("a", (), barrier.wait), Job("b", (), barrier.wait))
    assert set(run_jobs(jobs, ["a", "b"])) == {"a", "b"}


def test_the_failure_reported_is_always_the_first_by_name_and_its_dependents_never_run():
    ran: list[str] = []

    def fail(name: str) -> Any:
        def call(*_results: Any) -> Any:
            raise RuntimeError(name)
        return call

    jobs = (Job("kube", (), fail("kube")), Job("nodes", ("kube",), lambda apis: ran.append("nodes")),
            Job("addons", (), fail("addons")), Job("subnets", (), lambda: ran.append("subnets")))
    with pytest.raises(RuntimeError, match="addons"):
        run_jobs(jobs, ["nodes", "addons", "subnets"])
    assert ran == ["subnets"]


def test_every_part_gather_offers_is_declared_with_needs_that_exist():
    cluster = {"name": "prod-eu", "version": "1.29", "resourcesVpcConfig": {}}
    jobs = {job.name: job for job in _jobs(None, {}, cluster, None, {}, None, PREFLIGHT_PARTS)}

    assert set(jobs) >= PREFLIGHT_PARTS | SKEW_PARTS
    assert all(set(job.needs) <= set(jobs) for job in jobs.values())
    older = {job.name: job for job in _jobs(None, {}, dict(cluster, version="1.24"), None, {}, None, SKEW_PARTS)}
    assert older["psp"].needs == ("kube",)  # PodSecurityPolicy below 1.25 is read with the Kubernetes client
    # Reads this path does not need are declared as skipped, needing nothing (not even a Kubernetes client).
    newer = {job.name: job for job in _jobs(None, {}, dict(cluster, version="1.25"), None, {}, None, SKEW_PARTS)}
    for name in ("psp", "ebs_volumes"):
        assert newer[name].needs == () and newer[name].call() is None
    assert run_jobs(newer.values(), ["psp", "ebs_volumes"]) == {"psp": None, "ebs_volumes": None}


class Discovery:
    """A Kubernetes client whose API discovery is counted, serving karpenter.sh at v1."""

    def __init__(self) -> None:
        self.calls = 0
        self.apis = self
        self.custom = self

    def get_api_versions(self, **_options: Any) -> Any:
        self.calls += 1
        version = SimpleNamespace(version="v1")
        return SimpleNamespace(groups=[SimpleNamespace(name="karpenter.sh", preferred_version=version)])

    def list_cluster_custom_object(self, group: str, version: str, plural: str, **_options: Any) -> dict[str, Any]:
        return {"items": []}


KARPENTER_DEPLOYMENT = {"kube-system/karpenter": {"kind": "Deployment", "images": [
    "public.ecr.aws/karpenter/controller:1.3.3"], "service_account": "kube-system/karpenter"}}
CLUSTER_AUTOSCALER_ONLY = {"kube-system/cluster-autoscaler": {"kind": "Deployment", "images": [
    "registry.k8s.io/autoscaling/cluster-autoscaler:v1.30.2"], "service_account": "kube-system/cluster-autoscaler"}}


@pytest.mark.parametrize("compute_config, workloads, discovered", [
    ({}, CLUSTER_AUTOSCALER_ONLY, False),               # no Karpenter, no Auto Mode: no discovery round trip
    ({}, {}, False),
    ({}, KARPENTER_DEPLOYMENT, True),                   # Karpenter's controller runs
    ({"enabled": True}, {}, True),                      # EKS Auto Mode serves karpenter.sh for its own NodePools
    ({"enabled": False}, CLUSTER_AUTOSCALER_ONLY, False),
])
def test_preflight_discovers_karpenter_only_where_it_may_run(compute_config, workloads, discovered):
    cluster = {"name": "prod-eu", "version": "1.29", "resourcesVpcConfig": {}, "computeConfig": compute_config}
    apis = Discovery()
    jobs = {job.name: job for job in _jobs(None, {}, cluster, None, {}, None, PREFLIGHT_PARTS)}
    assert jobs["provisioners"].needs == ("kube", "workloads")
    read = jobs["provisioners"].call(apis, workloads)
    assert apis.calls == (1 if discovered else 0)
    assert read == {"api_versions": {"karpenter.sh": "v1"} if discovered else {}, "nodepools": [],
                    "ec2nodeclasses": []}
    # Without the workloads (eks_version_skew_facts), discovery says whether Karpenter's groups are served.
    assert {job.name: job for job in _jobs(None, {}, cluster, None, {}, None, SKEW_PARTS)}[
        "provisioners"].needs == ("kube",)
