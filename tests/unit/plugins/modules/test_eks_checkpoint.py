"""eks_checkpoint and eks_checkpoint_info with each backend: a local directory, and S3 and DynamoDB of the world."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable

import boto3
import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import checkpoint_store
from ansible_collections.lifecycle.eks.plugins.modules import eks_checkpoint as module
from ansible_collections.lifecycle.eks.plugins.modules import eks_checkpoint_info as info
from tests.unit.plugins.modules.helpers import log_position, records

BUCKET = "eks-upgrade-checkpoints"
TABLE = "eks-upgrade-checkpoints"
CONTROL_PLANE = {"version": "1.30", "version_before": "1.29", "update_ids": ["u-1"]}


@pytest.fixture
def world(make_world: Callable[..., Any]) -> Any:
    return make_world("healthy")


@pytest.fixture
def bucket(world: Any) -> str:
    world.client("s3").create_bucket(Bucket=BUCKET)
    return BUCKET


@pytest.fixture
def table(world: Any) -> str:
    world.client("dynamodb").create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "cluster", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "cluster", "AttributeType": "S"}])
    return TABLE


@pytest.fixture(params=["local", "s3", "dynamodb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """The module options of one backend, its store ready (bucket or table created in the world, in its region)."""
    if request.param == "local":
        return {"backend": "local", "path": str(tmp_path / "checkpoints")}
    region = request.getfixturevalue("world").region
    if request.param == "s3":
        return {"backend": "s3", "bucket": request.getfixturevalue("bucket"), "key_prefix": "fleet/prod",
                "region": region}
    return {"backend": "dynamodb", "table": request.getfixturevalue("table"), "region": region}


def stored(options: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The checkpoint as the backend holds it, read without the module."""
    if options["backend"] == "local":
        path = Path(options["path"]) / f"{name}.json"
        return json.loads(path.read_text()) if path.exists() else None
    if options["backend"] == "s3":
        s3 = boto3.client("s3", region_name=options["region"])
        try:
            body = s3.get_object(Bucket=options["bucket"], Key=f"fleet/prod/{name}.json")["Body"]
        except s3.exceptions.NoSuchKey:
            return None
        return json.loads(body.read())
    item = boto3.client("dynamodb", region_name=options["region"]).get_item(
        TableName=options["table"], Key={"cluster": {"S": name}}).get("Item")
    return json.loads(item["checkpoint"]["S"]) if item else None


def put(name: str = "prod-eu", step: str = "control_plane", data: dict[str, Any] | None = None,
        run_id: str = "run-1", **extra: Any) -> dict[str, Any]:
    return {"cluster": name, "step": step, "data": CONTROL_PLANE if data is None else data,
            "target_version": "1.30", "run_id": run_id, **extra}


def test_record_read_and_clear_with_each_backend(store, run_module, world):
    first = run_module(module, {**put(), **store}, diff=True)
    assert not first.failed, first.get("msg")
    assert first["changed"] is True
    document = stored(store, "prod-eu")
    assert document == first["checkpoint"] == first["diff"]["after"] and first["diff"]["before"] == {}
    assert document["steps"]["control_plane"] == {**CONTROL_PLANE, "status": "finished", "run_id": "run-1",
                                                  "finished_at": document["updated_at"]}
    assert first["stands"]["last_step"] == "control_plane"
    assert first["location"] == {"local": os.path.join(store.get("path", ""), "prod-eu.json"),
                                 "s3": f"s3://{BUCKET}/fleet/prod/prod-eu.json",
                                 "dynamodb": f"dynamodb://{TABLE}/prod-eu"}[store["backend"]]

    again = run_module(module, {**put(run_id="run-2"), **store})
    assert again["changed"] is False and stored(store, "prod-eu") == document

    second = run_module(module, {**put(step="nodegroups", data={"nodegroups": {"general": "1.30"}, "update_ids": []},
                                       run_id="run-2"), **store})
    assert second["changed"] is True
    assert list(stored(store, "prod-eu")["steps"]) == ["control_plane", "nodegroups"]

    read = run_module(info, {"cluster": "prod-eu", "target_version": "1.30", "cluster_version": "1.30", **store})
    assert not read.failed, read.get("msg")
    assert read["changed"] is False and read["trusted"] is True
    assert list(read["skip_steps"]) == ["control_plane", "nodegroups"]
    assert read["skip_notes"][0].startswith("skipped: control_plane finished in run run-1 at ")
    assert read["stands"]["finished_steps"] == ["control_plane", "nodegroups"]

    other = run_module(info, {"cluster": "prod-us", "target_version": "1.30", **store})
    assert other["checkpoint"] is None and other["reason"] == "No checkpoint yet: every step runs."

    cleared = run_module(module, {"cluster": "prod-eu", "state": "absent", **store})
    assert cleared["changed"] is True and cleared["checkpoint"] is None
    assert stored(store, "prod-eu") is None
    assert run_module(module, {"cluster": "prod-eu", "state": "absent", **store})["changed"] is False


def test_check_mode_writes_and_deletes_nothing(store, run_module, world):
    start = log_position(world)
    planned = run_module(module, {**put(), **store}, check_mode=True, diff=True)
    assert not planned.failed, planned.get("msg")
    assert planned["changed"] is True and planned["diff"]["after"]["steps"]["control_plane"]["version"] == "1.30"
    assert planned["checkpoint"]["steps"]["control_plane"]["run_id"] == "run-1"
    assert stored(store, "prod-eu") is None
    if store["backend"] == "local":
        assert not Path(store["path"]).exists()
    run_module(module, {**put(), **store})
    document = stored(store, "prod-eu")
    clear = run_module(module, {"cluster": "prod-eu", "state": "absent", **store}, check_mode=True, diff=True)
    assert clear["changed"] is True and clear["diff"] == {"before": document, "after": {}}
    assert stored(store, "prod-eu") == document
    if store["backend"] != "local":
        sent = [r["operation"] for r in records(world, since=start, service=store["backend"])]
        assert sent.count({"s3": "PutObject", "dynamodb": "PutItem"}[store["backend"]]) == 1  # the real run's only
        assert not {"DeleteObject", "DeleteItem"} & set(sent)


def test_a_new_target_starts_over_and_an_old_checkpoint_is_not_trusted(store, run_module, world):
    run_module(module, {**put(target_version="1.29"), **store})
    read = run_module(info, {"cluster": "prod-eu", "target_version": "1.30", **store})
    assert read["trusted"] is False and read["skip_steps"] == {}
    assert "is for target 1.29, not 1.30" in read["reason"]
    assert read["stands"]["for_target"] is False and read["stands"]["last_step"] is None
    moved = run_module(module, {**put(step="addons", data={"addons": {}}), **store})
    assert moved["changed"] is True and list(stored(store, "prod-eu")["steps"]) == ["addons"]


def test_ignore_and_a_stale_checkpoint_trust_nothing(run_module, tmp_path):
    options = {"path": str(tmp_path)}
    run_module(module, {**put(), **options})
    ignored = run_module(info, {"cluster": "prod-eu", "target_version": "1.30", "ignore": True, **options})
    assert ignored["trusted"] is False and ignored["skip_notes"] == []
    stale = run_module(info, {"cluster": "prod-eu", "target_version": "1.30", "cluster_version": "1.29", **options})
    assert stale["trusted"] is False and "the control plane runs 1.29" in stale["reason"]


def test_local_writes_replace_the_file_atomically(run_module, tmp_path, monkeypatch):
    options = {"path": str(tmp_path / "a" / ".." / "checkpoints")}
    first = run_module(module, {**put(), **options})
    assert first["location"] == str(tmp_path / "checkpoints" / "prod-eu.json")
    assert oct((tmp_path / "checkpoints" / "prod-eu.json").stat().st_mode & 0o777) == "0o644"
    before = (tmp_path / "checkpoints" / "prod-eu.json").read_text()

    def crash(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoint_store.os, "replace", crash)
    failed = run_module(module, {**put(step="addons"), **options})
    assert failed.failed
    assert failed["msg"] == "Cannot write checkpoint %s: No space left on device." % first["location"]
    assert (tmp_path / "checkpoints" / "prod-eu.json").read_text() == before  # the old checkpoint is intact
    assert sorted(os.listdir(tmp_path / "checkpoints")) == ["prod-eu.json"]  # no temporary file left behind


@pytest.mark.parametrize("setup, args, message", [
    (None, {"backend": "s3"}, "backend is s3 but all of the following are missing: bucket"),
    (None, {"backend": "dynamodb"}, "backend is dynamodb but all of the following are missing: table"),
    (None, {"backend": "local", "path": ""}, "path is empty: set the directory that keeps the checkpoints."),
    (None, {"backend": "s3", "bucket": ""}, "bucket is empty: set the S3 bucket that keeps the checkpoints."),
    (None, {"backend": "dynamodb", "table": ""}, "table is empty: set the DynamoDB table that keeps the checkpoints."),
    ("record", {"step": "addons"}, "state is present but all of the following are missing: run_id"),
    ("record", {"step": "addons", "run_id": "r", "target_version": "1.3"}, "quote the version: '1.30'"),
    (None, {"cluster": "prod/eu"}, "Checkpoint name 'prod/eu' cannot name a file or an S3 object"),
    ("file", {}, "Cannot keep checkpoints in {tmp}/file/checkpoints: {tmp}/file is not a directory."),
    ("corrupt", {}, "Checkpoint {tmp}/checkpoints/prod-eu.json is not valid JSON"),
    (None, {"backend": "s3", "bucket": "no-such-bucket"}, "Failed to read s3://no-such-bucket/lifecycle-eks/"
                                                          "checkpoints/prod-eu.json: NoSuchBucket"),
    (None, {"backend": "s3", "bucket": BUCKET, "key_prefix": "/fleet/"},
     "key_prefix '/fleet/' starts with '/': S3 keys have no leading slash (write 'fleet/')."),
    (None, {"backend": "dynamodb", "table": "no-such-table"}, "Failed to read item cluster=prod-eu of DynamoDB table "
                                                              "no-such-table: ResourceNotFoundException"),
])
def test_bad_settings_are_refused_with_what_to_fix(setup, args, message, run_module, world, bucket, tmp_path):
    """Read with require_writable, as the upgrade playbook does before it changes a cluster (or record a step)."""
    options = {"cluster": "prod-eu", "path": str(tmp_path / "checkpoints"), "target_version": "1.30",
               "region": world.region}
    if setup == "file":
        (tmp_path / "file").write_text("")
        options["path"] = str(tmp_path / "file" / "checkpoints")
    if setup == "corrupt":
        (tmp_path / "checkpoints").mkdir()
        (tmp_path / "checkpoints" / "prod-eu.json").write_text("{")
    if setup == "record":
        result = run_module(module, {**options, **args})
    else:
        result = run_module(info, {**options, "require_writable": True, **args})
    assert result.failed
    assert message.format(tmp=tmp_path) in result["msg"], result["msg"]
    if setup == "corrupt":  # no step is recorded over it, but what the message advises works: it can be deleted
        assert "is not valid JSON" in run_module(module, {**options, "step": "addons", "run_id": "r"})["msg"]
        cleared = run_module(module, {**options, "state": "absent"}, diff=True)
        assert cleared["changed"] is True and "is not valid JSON" in cleared["diff"]["before"]["unusable"]
        assert not (tmp_path / "checkpoints" / "prod-eu.json").exists()
    if setup == "file":  # without require_writable, the read itself fails, naming the file
        assert "Cannot read checkpoint {tmp}/file/checkpoints/prod-eu.json: Not a directory.".format(
            tmp=tmp_path) == run_module(info, options)["msg"]


def test_dynamodb_table_of_another_shape_or_a_foreign_item_is_explained(run_module, world):
    client = world.client("dynamodb")
    client.create_table(TableName="by-name", BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "name", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "name", "AttributeType": "S"}])
    where = {"backend": "dynamodb", "region": world.region}
    wrong = run_module(info, {"cluster": "prod-eu", **where, "table": "by-name"})
    assert wrong.failed and wrong["error_code"] == "ValidationException"
    assert "the table's partition key must be a string attribute named 'cluster', with no sort key" in wrong["msg"]
    written = run_module(module, {**put(), **where, "table": "by-name"})
    assert written.failed and "partition key must be a string attribute named 'cluster'" in written["msg"]

    client.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "cluster", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "cluster", "AttributeType": "S"}])
    client.put_item(TableName=TABLE, Item={"cluster": {"S": "prod-eu"}, "owner": {"S": "someone else"}})
    foreign = run_module(info, {"cluster": "prod-eu", **where, "table": TABLE})
    assert foreign.failed
    assert foreign["msg"] == ("Checkpoint dynamodb://%s/prod-eu has no string attribute 'checkpoint': the item was not "
                              "written by lifecycle.eks, which leaves it alone. Use another table, or remove the item "
                              "yourself." % TABLE)
    cleared = run_module(module, {"cluster": "prod-eu", "state": "absent", **where, "table": TABLE})
    assert cleared.failed  # clear reads first, and the item is not a checkpoint: nothing is deleted blindly
    assert client.get_item(TableName=TABLE, Key={"cluster": {"S": "prod-eu"}}).get("Item")


def test_aws_backends_count_their_calls_and_the_item_carries_its_summary(run_module, world, table):
    result = run_module(module, {**put(), "backend": "dynamodb", "table": table, "region": world.region})
    assert (result["api_calls"], result["api_retries"]) == (2, 0)
    assert [r["operation"] for r in records(world, service="dynamodb")][-2:] == ["GetItem", "PutItem"]
    item = world.client("dynamodb").get_item(TableName=table, Key={"cluster": {"S": "prod-eu"}})["Item"]
    assert {key: value["S"] for key, value in item.items() if key != "checkpoint"} == {
        "cluster": "prod-eu", "target_version": "1.30", "run_id": "run-1",
        "updated_at": result["checkpoint"]["updated_at"]}


def test_updates_a_failed_task_started_are_recorded_and_shown_never_skipped(run_module, tmp_path):
    options = {"path": str(tmp_path)}
    run_module(module, {**put(), **options})
    started = run_module(module, {**put(step="nodegroups", data={"update_ids": ["u-7"]}), "status": "started",
                                  **options})
    assert started["changed"] is True and started["stands"]["started_steps"] == ["nodegroups"]
    assert started["checkpoint"]["steps"]["nodegroups"]["status"] == "started"
    read = run_module(info, {"cluster": "prod-eu", "target_version": "1.30", "cluster_version": "1.30", **options})
    assert list(read["skip_steps"]) == ["control_plane"]
    assert read["skip_notes"][-1].startswith("not finished: nodegroups started in run ")
    assert read["skip_notes"][-1].endswith("(updates u-7): this run resumes or repeats it")
    # A finished step is not turned back into a started one.
    again = run_module(module, {**put(), "status": "started", **options})
    assert again["changed"] is False and again["checkpoint"]["steps"]["control_plane"]["status"] == "finished"
