"""The step modules recording their own finished step (the option checkpoint, module_utils/step_checkpoint.py, issue
14): the record eks_checkpoint would write, only once the step finished, never in check mode, failing the module when
it cannot be written; and a wave's records written in the wave's one process, S3 and DynamoDB included."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import addon_update, nodegroup_upgrade
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_store import LocalStore
from ansible_collections.lifecycle.eks.plugins.modules import eks_addon_update as addon_module
from ansible_collections.lifecycle.eks.plugins.modules import eks_cluster_upgrade as module
from ansible_collections.lifecycle.eks.plugins.modules import eks_nodegroup_upgrade as nodegroup_module
from ansible_collections.lifecycle.eks.plugins.modules import eks_wave
from tests.unit.plugins.modules.helpers import FAST_WAIT
from tests.unit.plugins.modules.test_eks_checkpoint import BUCKET, TABLE, stored

# The control plane moved to 1.30; "general" is still on 1.29.
AFTER_CONTROL_PLANE = {"clusters": [{
    "name": "moved-130", "version": "1.30",
    "nodegroups": [{"name": "general", "version": "1.29", "desired_size": 2}],
}]}


@pytest.fixture
def checkpoints(tmp_path: Path) -> Path:
    """The checkpoint directory (the world keeps its own files under tmp_path)."""
    return tmp_path / "checkpoints"


def checkpoint(directory: Path, name: str = "staging", **extra: Any) -> dict[str, Any]:
    return dict({"cluster": name, "run_id": "run-7", "target_version": "1.30", "backend": "local",
                 "path": str(directory)}, **extra)


def test_the_control_plane_step_is_recorded_once_the_target_is_reached(make_world, run_module, args, checkpoints):
    make_world("demo")
    result = run_module(module, args("staging-use1", target_version="1.30", upgrade_nodegroups=True,
                                     checkpoint=checkpoint(checkpoints), **FAST_WAIT))
    assert not result.failed, result.get("msg")
    store = LocalStore(str(checkpoints))
    assert result["checkpoint_recorded"] == {"step": "control_plane", "location": store.location("staging"),
                                             "changed": True}
    document = store.read("staging")
    assert (document["target_version"], document["run_id"]) == ("1.30", "run-7")
    record = document["steps"]["control_plane"]
    assert (record["status"], record["version"], record["version_before"]) == ("finished", "1.30", "1.28")
    assert record["update_ids"] == [update["id"] for update in result["updates"]] and record["update_ids"]

    # Run again (playbooks/upgrade.yml skips a finished step; the module alone need not): still finished, the update
    # ids of the first run kept, as eks_checkpoint merges them.
    again = run_module(module, args("staging-use1", target_version="1.30", upgrade_nodegroups=True,
                                    checkpoint=checkpoint(checkpoints, run_id="run-8"), **FAST_WAIT))
    assert not again.failed, again.get("msg")
    assert again["updates"] == [] and again["checkpoint_recorded"]["step"] == "control_plane"
    rerun = store.read("staging")["steps"]["control_plane"]
    assert (rerun["status"], rerun["update_ids"]) == ("finished", record["update_ids"])


def test_one_hop_of_several_without_waiting_is_not_a_finished_step(make_world, run_module, args, checkpoints):
    make_world("demo")
    result = run_module(module, args("staging-use1", target_version="1.30", upgrade_nodegroups=True, wait=False,
                                     checkpoint=checkpoint(checkpoints), **FAST_WAIT))
    assert not result.failed, result.get("msg")
    assert result["version_after"] != "1.30"
    assert result["checkpoint_recorded"] is None
    assert LocalStore(str(checkpoints)).read("staging") is None


def test_nothing_is_recorded_in_check_mode_or_without_the_option(make_world, run_module, args, checkpoints):
    make_world("healthy")
    checked = run_module(module, args("healthy-129", target_version="1.30", checkpoint=checkpoint(checkpoints),
                                      **FAST_WAIT), check_mode=True)
    assert not checked.failed, checked.get("msg")
    assert checked["checkpoint_recorded"] is None
    plain = run_module(module, args("healthy-129", target_version="1.30", **FAST_WAIT))
    assert not plain.failed and plain["version_after"] == "1.30"
    assert plain["checkpoint_recorded"] is None
    assert not any(checkpoints.rglob("*.json"))


def test_a_record_that_cannot_be_written_fails_the_step_with_what_it_did(make_world, run_module, args, tmp_path):
    world = make_world("healthy")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run_module(module, args("healthy-129", target_version="1.30",
                                     checkpoint=checkpoint(blocker / "checkpoints"), **FAST_WAIT))
    assert result.failed
    assert result["msg"].startswith("The control_plane step finished, but its checkpoint could not be recorded: ")
    # What the step did stays in the result (the report and the rescue's record of the started update read it).
    assert world.summary()["healthy-129"]["version"] == "1.30"
    assert [update["status"] for update in result["updates"]] == ["Successful"] and result["changed"] is True


def test_incomplete_settings_are_refused_before_anything_changes(make_world, run_module, args, checkpoints):
    world = make_world("healthy")
    result = run_module(module, args("healthy-129", target_version="1.30",
                                     checkpoint={"cluster": "healthy", "path": str(checkpoints)}, **FAST_WAIT))
    assert result.failed
    assert "checkpoint" in result["msg"] and "run_id" in result["msg"] and "target_version" in result["msg"]
    assert world.summary()["healthy-129"]["version"] == "1.29"


def test_node_groups_are_recorded_unless_one_is_left_behind(make_world, run_module, args, checkpoints):
    make_world(AFTER_CONTROL_PLANE)
    result = run_module(nodegroup_module, args("moved-130", kubeconfig=None,
                                               checkpoint=checkpoint(checkpoints, "moved"), **FAST_WAIT))
    assert not result.failed, result.get("msg")
    record = LocalStore(str(checkpoints)).read("moved")["steps"]["nodegroups"]
    assert record["nodegroups"] == {"general": "1.30"}
    assert record["update_ids"] == [result["updates"][0]["id"]]
    assert result["checkpoint_recorded"]["step"] == "nodegroups"
    # Left behind (a node group that needs people or a launch template version): not finished.
    for left in ("needs_action", "needs_launch_template"):
        assert nodegroup_upgrade.finished_data(dict(result, **{left: [{"name": "general"}]})) is None


def test_add_ons_are_recorded_with_the_versions_the_managed_ones_reached(make_world, run_module, args, checkpoints):
    make_world(AFTER_CONTROL_PLANE)
    result = run_module(addon_module, args("moved-130", kubeconfig=None, checkpoint=checkpoint(checkpoints, "moved"),
                                           **FAST_WAIT))
    assert not result.failed, result.get("msg")
    record = LocalStore(str(checkpoints)).read("moved")["steps"]["addons"]
    managed = {addon["name"]: addon["after"] for addon in result["addons"] if addon["managed"]}
    assert managed and record["addons"] == managed
    assert record["update_ids"] == [update["id"] for update in result["updates"]]
    assert addon_update.finished_data({"addons": [{"name": "x", "managed": False, "after": None}], "updates": []}) \
        == {"addons": {}, "update_ids": []}


@pytest.mark.parametrize("backend", ["local", "s3", "dynamodb"])
def test_a_wave_records_each_cluster_in_its_one_process(make_world, run_module, kubeconfig, checkpoints, backend):
    world = make_world("two-regions")
    if backend == "local":
        store: dict[str, Any] = {"backend": "local", "path": str(checkpoints)}
    elif backend == "s3":
        world.client("s3").create_bucket(Bucket=BUCKET)
        store = {"backend": "s3", "bucket": BUCKET, "region": world.region, "key_prefix": "fleet/prod"}
    else:
        world.client("dynamodb").create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "cluster", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "cluster", "AttributeType": "S"}])
        store = {"backend": "dynamodb", "table": TABLE, "region": world.region}
    names = [("prod-use1", "us-east-1"), ("prod-euw1", "eu-west-1")]
    clusters = [dict({"name": name, "cluster_name": name, "target_version": "1.30", "kubeconfig": kubeconfig(name),
                      "region": region,
                      "checkpoint": dict(store, cluster=name, run_id="wave-1", target_version="1.30")},
                     **FAST_WAIT) for name, region in names]
    result = run_module(eks_wave, {"module": "eks_cluster_upgrade", "region": "us-east-1", "clusters": clusters})
    assert not result.failed, result.get("msg")
    for name, _region in names:
        entry = result["clusters"][name]
        assert entry["checkpoint_recorded"]["step"] == "control_plane"
        document = stored(store, name)
        assert document["steps"]["control_plane"]["version"] == "1.30"
        assert document["steps"]["control_plane"]["update_ids"] == [entry["updates"][0]["id"]]
