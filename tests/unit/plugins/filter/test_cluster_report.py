"""Filter lifecycle.eks.cluster_report: the report role's JSON report of a cluster, from what the roles before it
published, or did not (a cluster blocked or failed before their role ran)."""
from __future__ import annotations

import pytest

from ansible_collections.lifecycle.eks.plugins.filter.cluster_report import FilterModule, cluster_report, report_status

PREFLIGHT = {"cluster": {"name": "prod", "version": "1.29", "deletion_protection": True,
                         "control_plane_scaling_tier": "standard"},
             "checks": [{"id": "a", "status": "fail"}, {"id": "b", "status": "warn"}, {"id": "c", "status": "pass"},
                        {"id": "d", "status": "warn"}],
             "deprecated_apis": [{"deprecations": []}], "insights_freshness": {"age": 1}, "support": {"phase": "x"},
             "target_support": {"phase": "y"}, "node_provisioners": {"karpenter": {}}, "hybrid_nodes": [{"name": "h"}]}
CONTROL_PLANE = {"changed": True, "version_after": "1.30",
                 "settings_left_alone": {"before": {"deletion_protection": True},
                                         "after": {"deletion_protection": True}}}
POST_UPGRADE = {"control_plane_version": "1.31", "node_provisioners": {"auto_mode": {}},
                "cluster_autoscaler": {"warnings": [{"id": "autoscaler", "message": "no release"}]}}


def report(**given):
    arguments = {"run_id": "r1", "check_mode": False, "target_version": "1.31", "failure": {}, "checkpoint": {}}
    arguments.update(given)
    return cluster_report("prod", **arguments)


@pytest.mark.parametrize("failure, blocked, check_mode, control_plane, status", [
    ({"msg": "boom"}, True, True, CONTROL_PLANE, "failed"),
    ({}, True, True, CONTROL_PLANE, "blocked"),
    ({}, "yes", False, {}, "blocked"),
    ({}, False, True, CONTROL_PLANE, "planned"),
    ({}, "no", False, CONTROL_PLANE, "upgraded"),
    ({}, False, False, {"changed": "true"}, "upgraded"),
    ({}, False, False, {"changed": False}, "finished"),
    ({}, False, False, {}, "finished"),
])
def test_the_status_is_the_first_that_applies(failure, blocked, check_mode, control_plane, status):
    assert report_status(failure, blocked, check_mode, control_plane) == status
    assert report(failure=failure, blocked=blocked, check_mode=check_mode, control_plane=control_plane)["status"] == \
        status


def test_a_cluster_no_role_published_anything_for():
    # Failed before preflight published: every role's result absent (the playbook passes `| default({})`).
    failure = {"task": "Read the checkpoint", "msg": "boom"}
    assert report(failure=failure, checkpoint={"stands": "none"}, check_mode=True, target_version=1.3) == {
        "cluster": "prod", "run_id": "r1", "check_mode": True, "status": "failed", "target_version": "1.3",
        "version_before": None, "version_after": None, "blockers": [], "warnings": [], "deprecated_apis": [],
        "insights_freshness": None, "support": None, "target_support": None,
        "settings_left_alone": {"before": {"deletion_protection": None, "control_plane_scaling_tier": None},
                                "after": None},
        "node_provisioners": {}, "hybrid_nodes": [], "preflight": {}, "control_plane": {}, "post_upgrade": {},
        "failure": failure, "checkpoint": {"stands": "none"}}


def test_a_cluster_blocked_by_preflight_is_reported_as_preflight_saw_it():
    blocked = report(blocked=True, preflight=PREFLIGHT)
    assert blocked["status"] == "blocked"
    assert blocked["version_before"] == blocked["version_after"] == "1.29"
    assert blocked["blockers"] == [{"id": "a", "status": "fail"}]
    assert blocked["warnings"] == [{"id": "b", "status": "warn"}, {"id": "d", "status": "warn"}]
    assert blocked["settings_left_alone"] == {
        "before": {"deletion_protection": True, "control_plane_scaling_tier": "standard"}, "after": None}
    assert blocked["node_provisioners"] == {"karpenter": {}}
    assert (blocked["deprecated_apis"], blocked["insights_freshness"], blocked["support"], blocked["target_support"],
            blocked["hybrid_nodes"]) == ([{"deprecations": []}], {"age": 1}, {"phase": "x"}, {"phase": "y"},
                                         [{"name": "h"}])
    assert blocked["preflight"] == PREFLIGHT and blocked["control_plane"] == blocked["post_upgrade"] == {}


def test_an_upgraded_cluster_takes_each_value_from_the_last_role_that_published_it():
    upgraded = report(preflight=PREFLIGHT, control_plane=CONTROL_PLANE, post_upgrade=POST_UPGRADE)
    assert upgraded["status"] == "upgraded"
    assert (upgraded["version_before"], upgraded["version_after"]) == ("1.29", "1.31")
    assert upgraded["settings_left_alone"] == CONTROL_PLANE["settings_left_alone"]
    assert upgraded["node_provisioners"] == {"auto_mode": {}}
    assert upgraded["warnings"] == [{"id": "b", "status": "warn"}, {"id": "d", "status": "warn"},
                                    {"id": "autoscaler", "message": "no release"}]
    assert upgraded["control_plane"] == CONTROL_PLANE and upgraded["post_upgrade"] == POST_UPGRADE


def test_a_cluster_failed_after_its_control_plane_step_has_the_version_it_reached():
    failed = report(failure={"msg": "node group"}, preflight=PREFLIGHT, control_plane=CONTROL_PLANE)
    assert (failed["status"], failed["version_after"]) == ("failed", "1.30")
    assert failed["warnings"] == [{"id": "b", "status": "warn"}, {"id": "d", "status": "warn"}]


def test_a_published_null_is_kept_and_only_a_missing_key_falls_back():
    # Jinja's default(...) replaced undefined values only.
    kept = report(preflight=PREFLIGHT, control_plane={"version_after": None, "settings_left_alone": None},
                  post_upgrade={"cluster_autoscaler": {}})
    assert kept["version_after"] is None and kept["settings_left_alone"] is None
    assert kept["node_provisioners"] == {"karpenter": {}}
    assert report(preflight={"cluster": None})["version_before"] is None


def test_planned_in_check_mode_and_finished_when_at_the_target():
    planned = report(check_mode=True, preflight=PREFLIGHT, control_plane=dict(CONTROL_PLANE, changed=True))
    assert (planned["status"], planned["check_mode"]) == ("planned", True)
    finished = report(preflight=PREFLIGHT, control_plane={"changed": False, "version_after": "1.31"})
    assert (finished["status"], finished["version_after"]) == ("finished", "1.31")


def test_the_report_is_of_plain_types():
    class Unsafe(str):
        pass

    made = report(target_version=Unsafe("1.31"), preflight=None, control_plane=None, post_upgrade=None)
    assert made["target_version"].__class__ is str and made["cluster"].__class__ is str
    assert cluster_report(Unsafe("prod"), "r", False, "1.31", {}, {})["cluster"].__class__ is str
    assert made["preflight"].__class__ is dict and made["status"] == "finished"


def test_the_filter_is_exported():
    assert FilterModule().filters() == {"cluster_report": cluster_report}
