# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugins/module_utils/rollback.py: the rollback record, the readiness verdict, and the thin AWS readers."""
import datetime

import pytest
from botocore.stub import ANY, Stubber

from ansible_collections.lifecycle.eks.plugins.module_utils import rollback
from tests.unit.plugins.module_utils.aws_module import aws_clients
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import KubeMinor

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
V129, V130 = KubeMinor(1, 29), KubeMinor(1, 30)
CLUSTER = {"name": "prod", "version": "1.30", "status": "ACTIVE"}


def update(update_id, kind="VersionUpdate", version="1.30", status="Successful", age=datetime.timedelta(days=1)):
    return {"id": update_id, "type": kind, "status": status, "createdAt": NOW - age,
            "params": [{"type": "Version", "value": version}, {"type": "PlatformVersion", "value": "eks.1"}]}


UPGRADED = [update("up-130")]
GROUPS_129 = {"general": {"version": "1.29", "release_version": "1.29.15-20251103", "status": "ACTIVE"}}


def insight(name, status="ERROR", version="1.29", category="ROLLBACK_READINESS"):
    return {"id": "i-" + name, "name": name, "category": category, "kubernetesVersion": version,
            "insightStatus": {"status": status, "reason": name + " reason"}}


def statuses(readiness):
    return {c["id"]: c["status"] for c in readiness["checks"]}


# The readiness verdict


def test_ready_after_an_upgrade():
    readiness = rollback.assess(CLUSTER, "1.29", UPGRADED, [insight("API", status="PASSING")], GROUPS_129, NOW)
    assert readiness["ready"] is True
    assert (readiness["current_version"], readiness["target_version"], readiness["force"]) == ("1.30", "1.29", False)
    assert set(statuses(readiness).values()) == {"pass"}
    assert list(statuses(readiness)) == ["cluster-active", "no-update-in-progress", "in-place-upgrade",
                                         "rollback-window", "nodegroups-not-ahead", "rollback-insights"]
    assert readiness["last_upgrade"] == {
        "id": "up-130", "to_version": "1.30", "created_at": (NOW - datetime.timedelta(days=1)).isoformat(),
        "window_closes_at": (NOW + datetime.timedelta(days=6)).isoformat()}
    assert readiness["blocking_insights"] == []
    assert all("remediation" not in c for c in readiness["checks"])


@pytest.mark.parametrize("age, ready", [(datetime.timedelta(days=7), True),
                                        (datetime.timedelta(days=7, seconds=1), False)])
def test_rollback_window_is_seven_days_from_the_upgrade(age, ready):
    readiness = rollback.assess(CLUSTER, "1.29", [update("up-130", age=age)], [], GROUPS_129, NOW)
    assert readiness["ready"] is ready
    window = [c for c in readiness["checks"] if c["id"] == "rollback-window"][0]
    if not ready:
        assert "closed" in window["message"] and "blue/green" in window["remediation"]


def test_a_cluster_never_upgraded_in_place():
    readiness = rollback.assess(CLUSTER, "1.29", [], [], {}, NOW)
    assert readiness["ready"] is False
    assert statuses(readiness)["in-place-upgrade"] == "fail"
    assert statuses(readiness)["rollback-window"] == "skipped"
    assert readiness["last_upgrade"] is None
    assert "created at its version" in rollback.refusal("prod", readiness)


def test_a_cluster_already_rolled_back_cannot_go_further():
    history = [update("rb-130", kind="VersionRollback", version="1.30", age=datetime.timedelta(hours=1)),
               update("up-131", version="1.31", age=datetime.timedelta(hours=2))]
    readiness = rollback.assess(CLUSTER, "1.29", history, [], {}, NOW)
    check = [c for c in readiness["checks"] if c["id"] == "in-place-upgrade"][0]
    assert check["status"] == "fail" and "already rolled the cluster back to 1.30" in check["message"]


def test_the_last_version_change_must_be_the_upgrade_to_the_current_version():
    readiness = rollback.assess(CLUSTER, "1.29", [update("up-129", version="1.29")], [], {}, NOW)
    check = [c for c in readiness["checks"] if c["id"] == "in-place-upgrade"][0]
    assert check["status"] == "fail" and "went to 1.29, not to 1.30" in check["message"]


def test_cluster_not_active_and_update_in_progress():
    running = update("cfg", kind="VersionUpdate", version="1.31", status="InProgress", age=datetime.timedelta(0))
    readiness = rollback.assess(dict(CLUSTER, status="UPDATING"), "1.29", [running] + UPGRADED, [], {}, NOW)
    assert statuses(readiness)["cluster-active"] == "fail"
    assert statuses(readiness)["no-update-in-progress"] == "fail"
    message = rollback.refusal("prod", readiness)
    assert message == ("Rollback of cluster prod from 1.30 to 1.29 refused: cluster-active: cluster prod is "
                       "UPDATING. Fix: wait until the cluster is ACTIVE, then rerun; no-update-in-progress: update "
                       "cfg (VersionUpdate to 1.31) is in progress. Fix: wait for it to end, then rerun.")
    # The upgrade itself is still found behind the running update.
    assert statuses(readiness)["in-place-upgrade"] == "pass"


def test_rollback_readiness_errors_block_unless_forced():
    insights = [insight("Kubelet version skew"), insight("API compatibility", version="1.30"),
                insight("Old", version="1.28"), insight("Warn", status="WARNING"),
                insight("Upgrade", category="UPGRADE_READINESS")]
    refused = rollback.assess(CLUSTER, "1.29", UPGRADED, insights, GROUPS_129, NOW)
    assert refused["ready"] is False
    assert [i["name"] for i in refused["blocking_insights"]] == ["Kubelet version skew", "API compatibility"]
    assert "Kubelet version skew: Kubelet version skew reason" in rollback.refusal("prod", refused)
    assert "force" in rollback.refusal("prod", refused)
    forced = rollback.assess(CLUSTER, "1.29", UPGRADED, insights, GROUPS_129, NOW, force=True)
    assert forced["ready"] is True and forced["force"] is True
    check = [c for c in forced["checks"] if c["id"] == "rollback-insights"][0]
    assert check["status"] == "overridden" and "overridden by force" in check["message"]
    assert "remediation" not in check


def test_node_groups_ahead_are_refused_with_what_to_do():
    groups = dict(GROUPS_129, batch={"version": "1.30"}, spot={"version": "1.30"})
    readiness = rollback.assess(CLUSTER, "1.29", UPGRADED, [], groups, NOW, force=True)
    assert readiness["ready"] is False  # force does not override this one
    check = [c for c in readiness["checks"] if c["id"] == "nodegroups-not-ahead"][0]
    assert "batch (1.30), spot (1.30)" in check["message"]
    assert ("aws eks update-nodegroup-version --cluster-name prod --nodegroup-name NAME --kubernetes-version 1.29"
            in check["remediation"])


def test_history_may_hold_iso_strings_and_naive_dates():
    history = [dict(update("up-130"), createdAt=(NOW - datetime.timedelta(days=2)).isoformat()),
               dict(update("up-129", version="1.29"), createdAt=datetime.datetime(2026, 11, 1, 12, 0))]
    assert rollback.last_version_change(history)["id"] == "up-130"
    assert rollback.as_datetime("2026-11-24T12:00:00Z") == NOW
    with pytest.raises(ModuleError, match="Expected a date and time"):
        rollback.as_datetime(12)


# What the module does


@pytest.mark.parametrize("expected, history, outcome", [
    (V129, UPGRADED, ("assess", V129, None)),
    (None, UPGRADED, ("assess", V129, None)),
    (V130, UPGRADED, ("none", V130, "cluster prod is already on 1.30")),
    (None, [update("rb", kind="VersionRollback")],
     ("none", V130, "cluster prod was already rolled back to 1.30 (update rb)")),
    # With an explicit version below, a previous rollback does not stop another assessment (which refuses it).
    (V129, [update("rb", kind="VersionRollback")], ("assess", V129, None)),
])
def test_situation(expected, history, outcome):
    assert rollback.situation("prod", "1.30", expected, history) == outcome


def test_situation_resumes_a_rollback_in_progress():
    running = update("rb", kind="VersionRollback", version="1.29", status="InProgress", age=datetime.timedelta(0))
    assert rollback.situation("prod", "1.30", None, [running] + UPGRADED) == ("resume", V129, running)
    other = update("up", version="1.31", status="InProgress", age=datetime.timedelta(0))
    assert rollback.situation("prod", "1.30", None, [other] + UPGRADED)[0] == "assess"


@pytest.mark.parametrize("expected, message", [
    (KubeMinor(1, 31), "Cannot roll cluster prod back to 1.31: that is newer than its version 1.30"),
    (KubeMinor(1, 28), "Cannot roll cluster prod back to 1.28: it is on 1.30, and EKS rolls a control plane back "
                       "one minor only, to 1.29."),
])
def test_situation_refuses_unreachable_versions(expected, message):
    with pytest.raises(ModuleError) as excinfo:
        rollback.situation("prod", "1.30", expected, UPGRADED)
    assert excinfo.value.message.startswith(message)


@pytest.mark.parametrize("minutes", [119, 10081, 0, -5])
def test_timeout_out_of_range(minutes):
    with pytest.raises(ModuleError, match="rollback_timeout must be between 120 and 10080 minutes"):
        rollback.check_timeout(minutes)


def test_timeout_in_range_or_unset():
    for minutes in (None, 120, 720, 10080):
        assert rollback.check_timeout(minutes) is None


# The rollback record


def test_record_and_its_selection():
    record = rollback.build_record("prod", V129, V130, {"vpc-cni": "v1.18.5-eksbuild.1", "coredns": "v1.11.1"},
                                   GROUPS_129, NOW)
    assert record == {"cluster": "prod", "from_version": "1.29", "to_version": "1.30",
                      "recorded_at": "2026-11-24T12:00:00+00:00",
                      "addons": {"coredns": "v1.11.1", "vpc-cni": "v1.18.5-eksbuild.1"},
                      "nodegroups": {"general": {"version": "1.29", "release_version": "1.29.15-20251103"}}}
    older = dict(record, recorded_at="2026-11-01T00:00:00+00:00")
    other_hop = dict(record, from_version="1.28", to_version="1.29")
    records = rollback.validate_records([older, other_hop, record])
    assert rollback.select_record(records, V130, V129) is record
    assert rollback.select_record(records, KubeMinor(1, 31), V130) is None


@pytest.mark.parametrize("bad", [{"from_version": "1.29"}, "1.29", {"from_version": 1.29, "to_version": "1.30"}])
def test_records_that_are_not_records(bad):
    with pytest.raises(ModuleError, match=r"rollback_records\[1\] is not a rollback record"):
        rollback.validate_records([{"from_version": "1.29", "to_version": "1.30"}, bad])


def test_left_behind_compares_with_the_record():
    record = rollback.build_record("prod", V129, V130, {"kube-proxy": "v1.29.0-eksbuild.1", "vpc-cni": "v1.19.0"},
                                   GROUPS_129, NOW)
    now_groups = {"general": {"version": "1.30", "release_version": "1.30.14-20251103"}}
    left = rollback.left_behind(record, {"kube-proxy": "v1.30.0-eksbuild.2", "vpc-cni": "v1.19.0"}, now_groups, V129)
    assert left["addons"] == [
        {"name": "kube-proxy", "version": "v1.30.0-eksbuild.2", "before_upgrade": "v1.29.0-eksbuild.1"},
        {"name": "vpc-cni", "version": "v1.19.0", "before_upgrade": "v1.19.0"}]
    assert left["nodegroups"] == [{"name": "general", "version": "1.30", "release_version": "1.30.14-20251103",
                                   "before_upgrade": {"version": "1.29", "release_version": "1.29.15-20251103"}}]
    assert left["advice"] == [
        "add-on kube-proxy stays on v1.30.0-eksbuild.2 (it was v1.29.0-eksbuild.1 before the upgrade): EKS does not "
        "roll add-ons back; if v1.30.0-eksbuild.2 does not support Kubernetes 1.29, update it to a compatible version "
        "such as v1.29.0-eksbuild.1",
        "node group general stays on 1.30.14-20251103 (it was 1.29.15-20251103 before the upgrade): EKS does not roll "
        "node groups back"]


def test_left_behind_without_a_record():
    left = rollback.left_behind(None, {"coredns": "v1.11.1"}, {}, V129)
    assert left["addons"] == [{"name": "coredns", "version": "v1.11.1", "before_upgrade": None}]
    assert left["advice"][-1].startswith("no rollback record of the upgrade to compare with")


# The AWS readers (stubbed botocore)


@pytest.fixture
def clients():
    return aws_clients(region="us-east-1", access_key="AKIDEXAMPLE", secret_key="secret")


def test_version_history_stops_at_the_last_version_change(clients):
    newest = {"id": "u3", "type": "ConfigUpdate", "status": "Successful", "createdAt": NOW, "params": []}
    upgrade = update("u2")
    with Stubber(clients.eks.client) as stubber:
        stubber.add_response("list_updates", {"updateIds": ["u1", "u2", "u3"]}, {"name": "prod"})
        stubber.add_response("describe_update", {"update": newest}, {"name": "prod", "updateId": "u3"})
        stubber.add_response("describe_update", {"update": upgrade}, {"name": "prod", "updateId": "u2"})
        assert [u["id"] for u in rollback.version_history(clients, "prod")] == ["u3", "u2"]
        stubber.assert_no_pending_responses()


def test_read_versions_skips_self_managed_addons(clients, monkeypatch):
    monkeypatch.setattr(rollback, "MAX_WORKERS", 1)  # the stubber answers in order
    nodegroup = {"nodegroupName": "general", "version": "1.29", "releaseVersion": "1.29.15-20251103",
                 "status": "ACTIVE"}
    with Stubber(clients.eks.client) as stubber:
        stubber.add_response("list_nodegroups", {"nodegroups": ["general"]}, {"clusterName": "prod"})
        stubber.add_response("list_addons", {"addons": ["vpc-cni", "kube-proxy"]}, {"clusterName": "prod"})
        stubber.add_response("describe_nodegroup", {"nodegroup": nodegroup},
                             {"clusterName": "prod", "nodegroupName": "general"})
        stubber.add_response("describe_addon", {"addon": {"addonName": "vpc-cni", "addonVersion": "v1.19.0"}},
                             {"clusterName": "prod", "addonName": "vpc-cni"})
        stubber.add_client_error("describe_addon", "ResourceNotFoundException", "No addon: kube-proxy", 404)
        addons, groups = rollback.read_versions(clients, "prod")
        stubber.assert_no_pending_responses()
    assert addons == {"vpc-cni": "v1.19.0"}
    assert groups == {"general": {"version": "1.29", "release_version": "1.29.15-20251103", "status": "ACTIVE"}}


def test_rollback_timeout_is_sent_as_rollback_config(clients):
    answer = {"update": {"id": "rb", "type": "VersionRollback", "status": "InProgress"}}
    with Stubber(clients.eks.client) as stubber:
        stubber.add_response("update_cluster_version", answer,
                             {"name": "prod", "version": "1.29", "clientRequestToken": ANY,
                              "rollbackConfig": {"timeoutMinutes": 240}})
        assert clients.update_cluster_version("prod", "1.29", rollback_timeout=240)["type"] == "VersionRollback"
        stubber.assert_no_pending_responses()


def test_rollback_timeout_needs_a_botocore_with_rollback_config(clients, monkeypatch):
    members = clients.eks.meta.service_model.operation_model("UpdateClusterVersion").input_shape.members
    monkeypatch.delitem(members, "rollbackConfig")
    with pytest.raises(ModuleError) as excinfo:
        clients.update_cluster_version("prod", "1.29", rollback_timeout=240)
    assert "lacks it (added in botocore 1.43)" in excinfo.value.message
    assert excinfo.value.error_code == "BotocoreTooOld"
