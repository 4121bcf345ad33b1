"""Step 6 end to end (issue 13): playbooks/upgrade.yml sets the Cluster Autoscaler from the registry its Deployment
pulls from (a mirror); an unreachable registry falls back to the shipped table with a warning; a minor missing from
the table as well is a warning naming what to set, and the rerun that finds the registry back sets it."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import mutating_calls

pytestmark = pytest.mark.integration

VARIABLES = {"eks_waves": ["100%"], "eks_max_fail_percentage": 100}
REPOSITORY = "autoscaling/cluster-autoscaler"
# The table shipped with the collection starts at 1.23: 1.22 is a minor it does not know.
MISSING = "ca-122"
HOPPING = "ca-129"


def scenario() -> dict[str, Any]:
    def cluster(name: str, version: str, autoscaler: str) -> dict[str, Any]:
        return {"name": name, "version": version, "workloads": {"cluster_autoscaler": autoscaler},
                "cluster_autoscaler_mirror": True}

    return {"name": "autoscaler-release",
            # The inventory names no registry: each Deployment's own image (the mirror) says where to look.
            "registry": {"named": False, "reachable": False,
                         "tags": {REPOSITORY: ["v1.22.2", "v1.22.3", "v1.22.4-rc.0", "v1.29.4", "v1.30.4", "v1.30.6",
                                               "v1.31.0-rc.1", "latest"]}},
            "clusters": [{**cluster(MISSING, "1.22", "v1.22.2"), "target_version": "1.22"},
                         {**cluster(HOPPING, "1.29", "v1.29.4"), "target_version": "1.30"}]}


def autoscaler_images(world: Any) -> dict[str, str]:
    return {name: state["images"]["kube-system/cluster-autoscaler"][0] for name, state in world.summary().items()}


def release_warnings(run: Any, name: str) -> list[dict[str, Any]]:
    return [w for w in run.cluster_report(name)["warnings"] if w["id"] == "cluster-autoscaler-release"]


def autoscaler_entry(run: Any, name: str) -> dict[str, Any]:
    return run.cluster_report(name)["post_upgrade"]["cluster_autoscaler"]


@pytest.mark.longest(3)
def test_registry_then_table_then_a_warning_naming_what_to_set_and_a_rerun_that_changes_nothing(make_world,
                                                                                                run_playbook):
    world = make_world(scenario())
    mirror = f"{world.registry.host}/{REPOSITORY}"

    # Check mode, registry unreachable: planned from the table where it can be, nothing sent.
    checked = run_playbook(world, VARIABLES, check=True)
    assert checked.rc == 0, checked.output[-3000:]
    assert mutating_calls(world) == []
    assert autoscaler_entry(checked, HOPPING)["after"] == f"{mirror}:v1.30.4"
    assert autoscaler_images(world) == {MISSING: f"{mirror}:v1.22.2", HOPPING: f"{mirror}:v1.29.4"}

    # Registry unreachable: 1.30 from the table, with a warning saying so; 1.22 known nowhere, a warning, no change.
    offline = run_playbook(world, VARIABLES)
    assert offline.rc == 0, offline.output[-3000:]
    assert offline.statuses() == {MISSING: "finished", HOPPING: "upgraded"}, offline.output[-3000:]
    assert autoscaler_images(world) == {MISSING: f"{mirror}:v1.22.2", HOPPING: f"{mirror}:v1.30.4"}
    hopped = autoscaler_entry(offline, HOPPING)
    assert (hopped["tag"], hopped["source"], hopped["repository"]) == ("v1.30.4", "table", mirror)
    [table_warning] = release_warnings(offline, HOPPING)
    assert "could not be read" in table_warning["message"] and "recorded 2026-12-05" in table_warning["message"]
    missing = autoscaler_entry(offline, MISSING)
    assert (missing["found"], missing["tag"], missing["source"], missing["changed"]) == (True, None, None, False)
    [warning] = release_warnings(offline, MISSING)
    assert "No Cluster Autoscaler release found for Kubernetes 1.22" in warning["message"]
    assert "Set eks_cluster_autoscaler_versions['1.22']" in warning["remediation"]
    assert "cluster-autoscaler-release" in {w for row in offline.fleet()["clusters"] if row["cluster"] == MISSING
                                            for w in row["warnings"]}

    # The registry back: the unfinished step runs again and sets 1.22's latest release; the finished one is skipped.
    world.registry.set_reachable(True)
    online = run_playbook(world, VARIABLES)
    assert online.rc == 0, online.output[-3000:]
    assert autoscaler_images(world) == {MISSING: f"{mirror}:v1.22.3", HOPPING: f"{mirror}:v1.30.4"}
    found = autoscaler_entry(online, MISSING)
    assert (found["tag"], found["source"], found["changed"]) == ("v1.22.3", "registry", True)
    assert release_warnings(online, MISSING) == []
    token_flow = [r["path"] for r in world.registry.requests][:2]
    assert token_flow == [f"/v2/{REPOSITORY}/tags/list", "/token"]

    # A rerun changes nothing.
    before = len(world.state.log.records())
    again = run_playbook(world, VARIABLES)
    assert again.rc == 0, again.output[-3000:]
    assert mutating_calls(world, before) == []
    assert autoscaler_images(world) == {MISSING: f"{mirror}:v1.22.3", HOPPING: f"{mirror}:v1.30.4"}
