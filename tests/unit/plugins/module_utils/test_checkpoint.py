# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checkpoint document (module_utils/checkpoint.py): merge, trust, where a cluster stands, validation."""
import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint import (
    STEPS,
    decode,
    encode,
    put_step,
    resume,
    stands,
    utc_now,
    validate_document,
    validate_name,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import VersionError

PROPERTY = settings(max_examples=100, deadline=None)
T1, T2, T3 = "2026-01-01T12:00:00Z", "2026-01-01T13:00:00Z", "2026-01-02T09:00:00Z"
UPDATE_IDS = st.lists(st.sampled_from(["u1", "u2", "u3", "u4", "u5"]), max_size=4)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8)
DATA_KEYS = st.text(max_size=8).filter(lambda key: key not in ("status", "run_id", "finished_at", "update_ids"))
DATA = st.dictionaries(DATA_KEYS, JSON_VALUES, max_size=3)


def put(document, step, data=None, run_id="run-1", now=T1, target="1.30", name="prod-eu"):
    return put_step(document, name, target, run_id, step, data or {}, now)


def recorded(*args, **kwargs):
    """The document after put(), when whether it changed does not matter."""
    return put(*args, **kwargs)[0]


def test_first_step_creates_the_document():
    document, changed = put(None, "control_plane", {"version": "1.30", "update_ids": ["u1"]})
    assert changed is True
    assert document == {
        "schema_version": 1, "cluster": "prod-eu", "target_version": "1.30", "run_id": "run-1", "updated_at": T1,
        "steps": {"control_plane": {"status": "finished", "run_id": "run-1", "finished_at": T1, "version": "1.30",
                                    "update_ids": ["u1"]}}}


def test_later_steps_keep_the_earlier_ones_and_do_not_modify_the_input():
    first = recorded(None, "control_plane", {"update_ids": ["u1"]})
    kept = copy.deepcopy(first)
    second, changed = put(first, "nodegroups", {"nodegroups": {"general": "1.30"}}, run_id="run-2", now=T2)
    assert changed is True and first == kept
    assert list(second["steps"]) == ["control_plane", "nodegroups"]
    assert second["steps"]["control_plane"] == first["steps"]["control_plane"]
    assert (second["run_id"], second["updated_at"]) == ("run-2", T2)
    assert second["steps"]["nodegroups"]["run_id"] == "run-2"


def test_the_same_step_again_changes_nothing_and_keeps_the_run_that_finished_it():
    first = recorded(None, "addons", {"addons": {"coredns": "v1.11.4-eksbuild.22"}, "update_ids": ["u1"]})
    again, changed = put(first, "addons", {"addons": {"coredns": "v1.11.4-eksbuild.22"}, "update_ids": []},
                         run_id="run-2", now=T2)
    assert changed is False and again is first


def test_another_run_of_a_step_adds_its_update_ids_and_becomes_the_finishing_run():
    first = recorded(None, "addons", {"addons": {"coredns": "v1"}, "update_ids": ["u1"]})
    second, changed = put(first, "addons", {"addons": {"coredns": "v2"}, "update_ids": ["u2", "u1"]},
                          run_id="run-2", now=T2)
    assert changed is True
    assert second["steps"]["addons"] == {"status": "finished", "run_id": "run-2", "finished_at": T2,
                                         "addons": {"coredns": "v2"}, "update_ids": ["u1", "u2"]}


def test_a_new_target_starts_the_document_over():
    old = recorded(None, "control_plane", {"version": "1.29"}, target="1.29")
    old = recorded(old, "nodegroups", target="1.29")
    new, changed = put(old, "control_plane", {"version": "1.30"}, run_id="run-2", now=T2)
    assert changed is True
    assert new["target_version"] == "1.30" and list(new["steps"]) == ["control_plane"]
    assert new["steps"]["control_plane"]["run_id"] == "run-2"


@PROPERTY
@given(runs=st.lists(UPDATE_IDS, min_size=1, max_size=5), data=DATA)
def test_update_ids_accumulate_each_once_in_order_and_a_repeat_is_no_change(runs, data):
    document = None
    for index, ids in enumerate(runs):
        document = recorded(document, "nodegroups", dict(data, update_ids=ids), run_id="run-%d" % index)
    expected = []
    for ids in runs:
        expected += [i for i in ids if i not in expected]
    assert document["steps"]["nodegroups"]["update_ids"] == expected
    again, changed = put(document, "nodegroups", dict(data, update_ids=runs[-1]), run_id="later", now=T3)
    assert changed is False and again is document
    assert validate_document(json.loads(encode(document)), "prod-eu", "here") == document


@PROPERTY
@given(order=st.permutations(STEPS).flatmap(lambda steps: st.tuples(st.just(steps), st.integers(1, len(steps)))))
def test_stands_at_the_last_step_in_procedure_order_whatever_the_recording_order(order):
    steps, count = order
    document = None
    for index, step in enumerate(steps[:count]):
        document = recorded(document, step, run_id="run-%d" % index)
    where = stands(document, "1.30")
    expected = [step for step in STEPS if step in steps[:count]]
    assert where["finished_steps"] == expected and where["last_step"] == expected[-1]
    assert where["run_id"] == document["steps"][expected[-1]]["run_id"]
    assert where["found"] is True and where["for_target"] is True


def test_stands_without_a_checkpoint_or_for_another_target():
    assert stands(None) == {"found": False, "for_target": False, "target_version": None, "finished_steps": [],
                            "last_step": None, "run_id": None, "finished_at": None, "updated_at": None,
                            "started_steps": []}
    document = recorded(None, "control_plane", target="1.29")
    other = stands(document, "1.30")
    assert (other["found"], other["for_target"], other["last_step"], other["target_version"]) == (
        True, False, None, "1.29")
    assert stands(document)["last_step"] == "control_plane"  # no target given: the checkpoint's own


def test_resume_skips_the_finished_steps_of_the_same_target():
    document = recorded(None, "control_plane", run_id="run-1", now=T1)
    document = recorded(document, "nodegroups", run_id="run-1", now=T2)
    result = resume(document, "1.30", cluster_version="1.30")
    assert result["trusted"] is True and result["reason"] == ""
    assert list(result["skip_steps"]) == ["control_plane", "nodegroups"]
    assert result["skip_notes"] == ["skipped: control_plane finished in run run-1 at %s" % T1,
                                    "skipped: nodegroups finished in run run-1 at %s" % T2]


@pytest.mark.parametrize("target, cluster_version, ignore, reason", [
    ("1.31", "1.30", False, "The checkpoint of run run-1 is for target 1.30, not 1.31: its finished steps "
                            "(control_plane) are not trusted and run again."),
    ("", None, False, "The checkpoint of run run-1 is for target 1.30, not (none): its finished steps "
                      "(control_plane) are not trusted and run again."),
    ("1.30", "1.29", False, "The checkpoint says steps finished toward 1.30 (control_plane, last in run run-1), but "
                            "the control plane runs 1.29: the checkpoint is stale and every step runs again."),
    ("1.30", "1.30", True, "Checkpoint ignored on request: every step runs again (finished before: control_plane)."),
])
def test_resume_trusts_nothing_for_another_target_a_stale_checkpoint_or_on_request(target, cluster_version, ignore,
                                                                                   reason):
    document = recorded(None, "control_plane")
    result = resume(document, target, cluster_version=cluster_version, ignore=ignore)
    assert result == {"trusted": False, "skip_steps": {}, "skip_notes": [], "reason": reason}


def test_resume_without_a_checkpoint_or_a_finished_step():
    assert resume(None, "1.30") == {"trusted": False, "skip_steps": {}, "skip_notes": [],
                                    "reason": "No checkpoint yet: every step runs."}
    empty = {"schema_version": 1, "cluster": "c", "target_version": "1.30", "run_id": "r", "updated_at": T1,
             "steps": {}}
    assert resume(empty, "1.30", cluster_version="1.29") == {
        "trusted": True, "skip_steps": {}, "skip_notes": [],
        "reason": "No step has finished toward 1.30 yet: every step runs."}


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "a/b"}, "Checkpoint name 'a/b' cannot name a file or an S3 object"),
    ({"name": ".hidden"}, "Checkpoint name '.hidden' cannot name a file"),
    ({"name": ""}, "Checkpoint name '' cannot"),
    ({"name": "x" * 201}, "use 1 to 200 letters"),
    ({"step": "reboot"}, "Unknown checkpoint step 'reboot'; the steps are: control_plane, nodegroups, "
                         "self_managed_nodes, cluster_autoscaler, nvidia_device_plugin, addons, fargate_redeploy."),
    ({"run_id": " "}, "run_id must be a non-empty string"),
    ({"run_id": "r" * 129}, "at most 128 characters"),
    ({"data": {"status": "failed", "run_id": "x"}}, "The data of step addons may not set run_id, status: the module "
                                                    "records them."),
    ({"data": ["version"]}, "The data of step addons must be a dictionary, got ['version']."),
    ({"data": {"when": {1, 2}}}, "The data of step addons cannot be stored as JSON"),
    ({"data": {"update_ids": "u1"}}, "update_ids must be a list of EKS update ids (strings), got 'u1'."),
    ({"data": {"update_ids": ["u1", ""]}}, "update_ids must be a list of EKS update ids"),
])
def test_bad_input_is_refused_with_what_to_fix(kwargs, message):
    args = dict(name="prod-eu", step="addons", run_id="run-1", data={})
    args.update(kwargs)
    with pytest.raises(ModuleError) as excinfo:
        put_step(None, args["name"], "1.30", args["run_id"], args["step"], args["data"], T1)
    assert message in excinfo.value.message


@pytest.mark.parametrize("target, message", [("1.3", "quote the version: '1.30'"), ("", "target version is empty"),
                                             ("v1.30", "without the 'v'")])
def test_the_target_version_is_checked_like_everywhere_else(target, message):
    with pytest.raises(VersionError, match=message):
        put_step(None, "prod-eu", target, "run-1", "addons", {}, T1)


def test_no_data_is_an_empty_record_and_names_are_accepted_as_they_are():
    document = put_step(None, "Prod_EU-1.a", "1.30", "run-1", "addons", None, T1)[0]
    assert document["steps"]["addons"] == {"status": "finished", "run_id": "run-1", "finished_at": T1}
    assert validate_name("x" * 200) == "x" * 200


GOOD = {"schema_version": 1, "cluster": "prod-eu", "target_version": "1.30", "run_id": "r", "updated_at": T1,
        "steps": {"addons": {"status": "finished", "run_id": "r", "finished_at": T1, "update_ids": ["u1"]}}}


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(schema_version=2), "has schema version 2, newer than this collection reads (1): upgrade "
                                           "lifecycle.eks, or delete the checkpoint (eks_checkpoint state=absent)."),
    (lambda d: d.pop("schema_version"), "schema_version is None, expected 1"),
    (lambda d: d.update(cluster="prod-us"), "belongs to cluster 'prod-us', not 'prod-eu'"),
    (lambda d: d.update(target_version=1.3), "target_version is missing or not a string"),
    (lambda d: d.update(steps=[]), "steps is missing or not an object"),
    (lambda d: d["steps"].update(reboot={}), "unknown step 'reboot'"),
    (lambda d: d["steps"]["addons"].update(status="failed"), "step addons is not a record with status 'finished'"),
    (lambda d: d["steps"]["addons"].pop("finished_at"), "step addons has no finished_at"),
    (lambda d: d["steps"]["addons"].update(update_ids=[1]), "step addons: update_ids must be a list"),
])
def test_a_damaged_document_is_refused_naming_where_it_is(change, message):
    document = copy.deepcopy(GOOD)
    change(document)
    with pytest.raises(ModuleError) as excinfo:
        decode(json.dumps(document), "prod-eu", "/srv/checkpoints/prod-eu.json")
    assert "Checkpoint /srv/checkpoints/prod-eu.json" in excinfo.value.message
    assert message in excinfo.value.message


@pytest.mark.parametrize("text, message", [
    (b"{not json", "is not valid JSON"),
    (b"\xff\xfe", "is not valid JSON"),
    ("[1, 2]", "not a JSON object"),
])
def test_unreadable_text_is_refused(text, message):
    with pytest.raises(ModuleError, match=message):
        decode(text, "prod-eu", "s3://bucket/prod-eu.json")


def test_encode_is_stable_and_decodes_back():
    text = encode(GOOD)
    assert text.endswith("}\n") and text == encode(json.loads(text))
    assert decode(text.encode("utf-8"), "prod-eu", "here") == GOOD


def test_utc_now_is_iso_8601_utc_to_the_second():
    now = utc_now()
    assert len(now) == 20 and now[10] == "T" and now.endswith("Z")


# --- Steps started but not finished (a task failed after starting EKS updates) ------------------------------------

def started(document, step, update_ids, run_id="run-1", now=T1):
    return put_step(document, "prod-eu", "1.30", run_id, step, {"update_ids": update_ids}, now, status="started")


def test_a_started_step_is_recorded_with_its_updates_and_is_never_skipped():
    document, changed = started(recorded(None, "control_plane"), "nodegroups", ["u7", "u8"], now=T2)
    assert changed is True
    assert document["steps"]["nodegroups"] == {"status": "started", "run_id": "run-1", "started_at": T2,
                                               "update_ids": ["u7", "u8"]}
    validate_document(document, "prod-eu", "here")  # a stored document with a started step reads back
    where = stands(document, "1.30")
    assert (where["finished_steps"], where["last_step"], where["started_steps"]) == (
        ["control_plane"], "control_plane", ["nodegroups"])
    result = resume(document, "1.30", cluster_version="1.30")
    assert list(result["skip_steps"]) == ["control_plane"]
    assert result["skip_notes"][-1] == ("not finished: nodegroups started in run run-1 at %s (updates u7, u8): this "
                                        "run resumes or repeats it" % T2)


def test_finishing_a_started_step_keeps_its_update_ids_and_a_finished_step_stays_finished():
    document = recorded(started(None, "addons", ["u1"])[0], "addons", {"update_ids": ["u2"]}, run_id="run-2", now=T2)
    assert document["steps"]["addons"] == {"status": "finished", "run_id": "run-2", "finished_at": T2,
                                           "update_ids": ["u1", "u2"]}
    again, changed = started(document, "addons", ["u3"], run_id="run-3", now=T3)
    assert changed is False and again is document
