# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checkpoint of one cluster's upgrade: its document, merged and validated here, with no I/O.

A checkpoint says which steps of the upgrade finished toward which target version, in which run and
when, with the EKS update ids. One JSON document per cluster::

    {"schema_version": 1, "cluster": "prod-eu", "target_version": "1.30", "run_id": "20260101T120000Z",
     "updated_at": "2026-01-01T12:40:00Z",
     "steps": {"control_plane": {"status": "finished", "run_id": "...", "finished_at": "...",
                                 "version": "1.30", "update_ids": ["..."]}, ...}}

The stores (checkpoint_store.py) only read, write and delete such documents.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime
import json
import re

from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import parse_target_version

SCHEMA_VERSION = 1
# The steps of playbooks/upgrade.yml that a checkpoint records, in the order they run.
STEPS = ("control_plane", "nodegroups", "self_managed_nodes", "cluster_autoscaler", "nvidia_device_plugin", "addons",
         "fargate_redeploy")
FINISHED = "finished"
# A step a failed task left with EKS updates it had started: shown, never skipped.
STARTED = "started"
# When each status was recorded.
RECORDED_AT = {FINISHED: "finished_at", STARTED: "started_at"}
# Keys of a step record that the module sets; the data of a step may not use them.
RESERVED = ("status", "run_id") + tuple(RECORDED_AT.values())
MAX_RUN_ID = 128
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


class CheckpointInvalid(ModuleError):
    """A stored checkpoint that cannot be used (not JSON, damaged, newer, another cluster's); it may be deleted."""


def utc_now():
    """Now, as a checkpoint records time: ISO 8601, UTC, whole seconds (2026-01-01T12:00:00Z)."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def validate_name(name):
    """The name a checkpoint is kept under; it becomes a file name, an S3 key or a DynamoDB key."""
    text = name if isinstance(name, str) else ""
    if not _NAME.match(text):
        raise ModuleError("Checkpoint name %r cannot name a file or an S3 object: use 1 to 200 letters, digits, '.', "
                          "'_' or '-', starting with a letter or a digit (the upgrade playbook uses the inventory "
                          "host name)." % (name,))
    return text


def validate_run_id(run_id):
    if not isinstance(run_id, str) or not run_id.strip() or len(run_id) > MAX_RUN_ID:
        raise ModuleError("run_id must be a non-empty string of at most %d characters, got %r." % (MAX_RUN_ID, run_id))
    return run_id


def validate_step(step):
    if step not in STEPS:
        raise ModuleError("Unknown checkpoint step %r; the steps are: %s." % (step, ", ".join(STEPS)))
    return step


def _json_copy(value, what):
    """A deep copy through JSON: proves the value can be stored, and turns tuples into lists."""
    try:
        return json.loads(json.dumps(value, sort_keys=True))
    except (TypeError, ValueError) as exc:
        raise ModuleError("%s cannot be stored as JSON: %s." % (what, exc)) from exc


def _update_ids(value, what):
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ModuleError("%s: update_ids must be a list of EKS update ids (strings), got %r." % (what, value))
    return value


def validate_data(step, data):
    """The details of a finished step (version, update ids, versions reached...) as they will be stored."""
    what = "The data of step %s" % step
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ModuleError("%s must be a dictionary, got %r." % (what, data))
    clash = sorted(key for key in data if key in RESERVED)
    if clash:
        raise ModuleError("%s may not set %s: the module records them." % (what, ", ".join(clash)))
    data = _json_copy(data, what)
    if "update_ids" in data:
        _update_ids(data["update_ids"], what)
    return data


def _fail_document(where, problem):
    raise CheckpointInvalid("Checkpoint %s is not a lifecycle.eks checkpoint: %s. Fix it or delete it "
                            "(eks_checkpoint state=absent) to start the cluster's steps afresh." % (where, problem))


def validate_document(document, name, where):
    """``document`` as read from a store, checked; raises ModuleError naming ``where`` it came from."""
    if not isinstance(document, dict):
        _fail_document(where, "not a JSON object")
    schema = document.get("schema_version")
    if isinstance(schema, int) and not isinstance(schema, bool) and schema > SCHEMA_VERSION:
        raise CheckpointInvalid("Checkpoint %s has schema version %s, newer than this collection reads (%s): "
                                "upgrade lifecycle.eks, or delete the checkpoint (eks_checkpoint state=absent)."
                                % (where, schema, SCHEMA_VERSION))
    if schema != SCHEMA_VERSION:
        _fail_document(where, "schema_version is %r, expected %d" % (schema, SCHEMA_VERSION))
    if document.get("cluster") != name:
        raise CheckpointInvalid("Checkpoint %s belongs to cluster %r, not %r: the store holds another cluster's "
                                "checkpoint under this name." % (where, document.get("cluster"), name))
    for key in ("target_version", "run_id", "updated_at"):
        if not isinstance(document.get(key), str):
            _fail_document(where, "%s is missing or not a string" % key)
    steps = document.get("steps")
    if not isinstance(steps, dict):
        _fail_document(where, "steps is missing or not an object")
    for step, record in steps.items():
        if step not in STEPS:
            _fail_document(where, "unknown step %r (the steps are: %s)" % (step, ", ".join(STEPS)))
        if not isinstance(record, dict) or record.get("status") not in RECORDED_AT:
            _fail_document(where, "step %s is not a record with status %r or %r" % (step, FINISHED, STARTED))
        for key in ("run_id", RECORDED_AT[record["status"]]):
            if not isinstance(record.get(key), str):
                _fail_document(where, "step %s has no %s" % (step, key))
        if "update_ids" in record:
            try:
                _update_ids(record["update_ids"], "step %s" % step)
            except ModuleError as exc:
                _fail_document(where, exc.message)
    return document


def encode(document):
    """The stored text of a document: stable key order, one trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def decode(text, name, where):
    """A document from stored text (bytes or str), validated."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        document = json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise CheckpointInvalid("Checkpoint %s is not valid JSON (%s). Fix it or delete it (eks_checkpoint "
                                "state=absent) to start the cluster's steps afresh." % (where, exc)) from exc
    return validate_document(document, name, where)


def new_document(name, target_version, run_id, now):
    return {"schema_version": SCHEMA_VERSION, "cluster": name, "target_version": target_version, "run_id": run_id,
            "updated_at": now, "steps": {}}


def _merged_ids(old, new):
    """Update ids of every run that worked on the step, oldest first, each once."""
    merged = list(old)
    merged += [update_id for update_id in new if update_id not in merged]
    return merged


def put_step(document, name, target_version, run_id, step, data, now, status=FINISHED):
    """Record ``step`` as finished (or only started) toward ``target_version``; return ``(document, changed)``.

    ``document`` is not modified. A document for another target starts over: its steps say nothing about
    this target. Update ids accumulate across the runs of one target; a step recorded again with the same
    details is left as it was (``changed`` false), so it keeps the run and time it first finished. A finished
    step is never turned back into a started one.
    """
    if status not in RECORDED_AT:
        raise ModuleError("A step's status is %s or %s, not %r." % (FINISHED, STARTED, status))
    name = validate_name(name)
    target = str(parse_target_version(target_version))
    run_id = validate_run_id(run_id)
    step = validate_step(step)
    data = validate_data(step, data)
    if document is None or document.get("target_version") != target:
        result = new_document(name, target, run_id, now)
    else:
        result = copy.deepcopy(document)
    old = result["steps"].get(step)
    if status == STARTED and old is not None and old["status"] == FINISHED:
        return document, False
    record = dict(data, status=status)
    if old is not None and ("update_ids" in old or "update_ids" in record):
        record["update_ids"] = _merged_ids(old.get("update_ids") or [], record.get("update_ids") or [])
    if old is not None and {k: v for k, v in old.items() if k not in ("run_id", "finished_at", "started_at")} == record:
        return document, False
    record.update({"run_id": run_id, RECORDED_AT[status]: now})
    result["steps"][step] = record
    result.update(run_id=run_id, updated_at=now)
    return result, True


def finished_steps(document, status=FINISHED):
    """The finished (or started) steps of a document, in the order they run."""
    steps = (document or {}).get("steps") or {}
    return [step for step in STEPS if steps.get(step, {}).get("status") == status]


def skipped_line(step, record):
    return "skipped: %s finished in run %s at %s" % (step, record["run_id"], record["finished_at"])


def unfinished_line(step, record):
    return "not finished: %s started in run %s at %s (updates %s): this run resumes or repeats it" % (
        step, record["run_id"], record["started_at"], ", ".join(record.get("update_ids") or []) or "none")


def resume(document, target_version, cluster_version=None, ignore=False):
    """What a run toward ``target_version`` may skip: ``{trusted, skip_steps, skip_notes, reason}``.

    Finished steps are trusted only for the same target, and only while the control plane is at that
    target (``cluster_version``, when known): a checkpoint the cluster contradicts is stale (a rebuilt
    cluster, a restored store) and every step runs again.
    """
    target = str(target_version or "").strip()
    result = {"trusted": False, "skip_steps": {}, "skip_notes": [], "reason": ""}
    if document is None:
        result["reason"] = "No checkpoint yet: every step runs."
        return result
    steps = finished_steps(document)
    done = ", ".join(steps) or "none"
    if ignore:
        result["reason"] = "Checkpoint ignored on request: every step runs again (finished before: %s)." % done
        return result
    if document["target_version"] != target:
        result["reason"] = ("The checkpoint of run %s is for target %s, not %s: its finished steps (%s) are not "
                            "trusted and run again." % (document["run_id"], document["target_version"],
                                                        target or "(none)", done))
        return result
    cluster_version = str(cluster_version).strip() if cluster_version is not None else None
    if cluster_version and steps and cluster_version != target:
        result["reason"] = ("The checkpoint says steps finished toward %s (%s, last in run %s), but the control plane "
                            "runs %s: the checkpoint is stale and every step runs again."
                            % (target, done, document["run_id"], cluster_version))
        return result
    result["trusted"] = True
    result["skip_steps"] = {step: document["steps"][step] for step in steps}
    result["skip_notes"] = [skipped_line(step, document["steps"][step]) for step in steps] + [
        unfinished_line(step, document["steps"][step]) for step in finished_steps(document, STARTED)]
    if not steps:
        result["reason"] = "No step has finished toward %s yet: every step runs." % target
    return result


def stands(document, target_version=None):
    """Where the cluster stands by its checkpoint: the last finished step (procedure order) toward the target.

    ``for_target`` is false when the checkpoint was written for another target than ``target_version``;
    its steps then do not count.
    """
    if document is None:
        return {"found": False, "for_target": False, "target_version": None, "finished_steps": [], "last_step": None,
                "run_id": None, "finished_at": None, "updated_at": None, "started_steps": []}
    for_target = target_version is None or document["target_version"] == str(target_version).strip()
    steps = finished_steps(document) if for_target else []
    last = document["steps"][steps[-1]] if steps else {}
    return {"found": True, "for_target": for_target, "target_version": document["target_version"],
            "finished_steps": steps, "last_step": steps[-1] if steps else None, "run_id": last.get("run_id"),
            "finished_at": last.get("finished_at"), "updated_at": document["updated_at"],
            "started_steps": finished_steps(document, STARTED) if for_target else []}
