# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checkpoint stores' error paths (module_utils/checkpoint_store.py); the module tests cover the rest."""
import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import checkpoint_progress, checkpoint_store
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint import put_step
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_store import (
    DynamoDBStore,
    LocalStore,
    S3Store,
    open_store,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError

DOCUMENT = put_step(None, "prod-eu", "1.30", "run-1", "addons", {}, "2026-01-01T12:00:00Z")[0]


class RefusingClients:
    """Clients whose DynamoDB writes fail as on a table keyed by another attribute."""

    def _refuse(self, *args):
        raise ModuleError("Failed to write: ValidationException: One or more parameter values were invalid",
                          {"error_code": "ValidationException"})

    put_item = delete_item = _refuse


def test_local_read_and_delete_errors_name_the_file(tmp_path):
    store = LocalStore(str(tmp_path))
    (tmp_path / "prod-eu.json").mkdir()  # a directory where the file should be
    with pytest.raises(ModuleError, match=r"Cannot read checkpoint .*/prod-eu.json: Is a directory\."):
        store.read("prod-eu")
    with pytest.raises(ModuleError, match=r"Cannot delete checkpoint .*/prod-eu.json: Is a directory\."):
        store.delete("prod-eu")


def test_local_directory_not_writable_is_refused_before_any_write(tmp_path, monkeypatch):
    monkeypatch.setattr(checkpoint_store.os, "access", lambda path, mode: False)
    store = LocalStore(str(tmp_path / "checkpoints" / "fleet"))
    with pytest.raises(ModuleError) as excinfo:
        store.check_writable()
    assert excinfo.value.message == ("Cannot keep checkpoints in %s: %s is not writable by this user. Choose a "
                                     "writable directory." % (tmp_path / "checkpoints" / "fleet", tmp_path))


def test_local_path_with_a_home_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert LocalStore("~/checkpoints").location("prod-eu") == str(tmp_path / "checkpoints" / "prod-eu.json")


def test_dynamodb_writes_to_a_table_of_another_shape_are_explained():
    store = DynamoDBStore(RefusingClients(), "by-name")
    for action in (lambda: store.write("prod-eu", DOCUMENT), lambda: store.delete("prod-eu")):
        with pytest.raises(ModuleError) as excinfo:
            action()
        assert excinfo.value.message.endswith("(the table's partition key must be a string attribute named 'cluster', "
                                              "with no sort key)")
        assert str(excinfo.value) == excinfo.value.message


def test_s3_prefix_gets_its_slash_and_an_empty_prefix_is_the_bucket_root():
    assert S3Store(None, "bucket", "fleet/prod").key("prod-eu") == "fleet/prod/prod-eu.json"
    assert S3Store(None, "bucket", "").location("prod-eu") == "s3://bucket/prod-eu.json"


def test_unknown_backend_is_refused():
    with pytest.raises(ModuleError, match="Unknown checkpoint backend 'nfs'; choose one of: local, s3, dynamodb."):
        open_store({"backend": "nfs"}, connect=lambda: None)


PROGRESS = {"schema_version": 1, "cluster": "prod-eu", "run_id": "run-1", "target_version": "1.30", "hop": 1,
            "hops": 2, "from_version": "1.28", "to_version": "1.29", "phase": "updating", "update_id": "u-1",
            "nodegroup": None, "hop_started_at": "2026-01-01T12:00:00Z", "updated_at": "2026-01-01T12:00:00Z"}


class MemoryClients:
    """S3 objects and DynamoDB items kept in dictionaries, as the stores call them."""

    def __init__(self):
        self.objects = {}
        self.items = {}

    def put_object(self, bucket, key, body):
        self.objects[(bucket, key)] = body

    def get_object(self, bucket, key):
        return self.objects.get((bucket, key))

    def put_item(self, table, key, attributes):
        self.items[(table, key["cluster"]["S"])] = dict(attributes)

    def get_item(self, table, key):
        return self.items.get((table, key["cluster"]["S"]))

    def delete_object(self, bucket, key):
        self.objects.pop((bucket, key), None)

    def delete_item(self, table, key):
        self.items.pop((table, key["cluster"]["S"]), None)


def test_progress_is_kept_beside_the_checkpoint_in_each_store(tmp_path):
    clients = MemoryClients()
    stores = [LocalStore(str(tmp_path)), S3Store(clients, "bucket", "fleet/"), DynamoDBStore(clients, "table")]
    for store in stores:
        assert store.read_progress("prod-eu") is None
        store.write_progress("prod-eu", PROGRESS)
        assert store.read_progress("prod-eu") == PROGRESS
        assert store.read("prod-eu") is None  # no checkpoint written, none changed
    assert [store.progress_location("prod-eu") for store in stores] == [
        str(tmp_path / "progress" / "prod-eu.json"), "s3://bucket/fleet/progress/prod-eu.json",
        "dynamodb://table/progress/prod-eu"]
    assert clients.items[("table", "progress/prod-eu")]["run_id"] == {"S": "run-1"}
    for store in stores:
        store.delete_progress("prod-eu")
        assert store.read_progress("prod-eu") is None
        store.delete_progress("prod-eu")  # already gone: no error
    assert clients.objects == {} and clients.items == {}


@pytest.mark.parametrize("damage", [
    "not json", '"a string"', {"cluster": "other"}, {"schema_version": 2}, {"phase": "sleeping"}, {"hop": "2"},
    {"hops": True}, {"run_id": None}])
def test_a_damaged_progress_record_reads_as_none(tmp_path, damage):
    """It only informs: status.yml shows the step without its hop rather than failing."""
    store = LocalStore(str(tmp_path))
    text = damage if isinstance(damage, str) else checkpoint_progress.encode_progress(dict(PROGRESS, **damage))
    (tmp_path / "progress").mkdir()
    (tmp_path / "progress" / "prod-eu.json").write_text(text)
    assert store.read_progress("prod-eu") is None
    store.write_progress("prod-eu", PROGRESS)
    assert store.read_progress("prod-eu") == PROGRESS
