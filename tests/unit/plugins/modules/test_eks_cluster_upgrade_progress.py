"""eks_cluster_upgrade's progress records (issue 14): one per hop start and phase change, never on a poll, beside the
checkpoint and never in it, and a store that cannot be written is a warning, not a failed upgrade."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import checkpoint_store
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint import put_step, utc_now
from ansible_collections.lifecycle.eks.plugins.modules import eks_cluster_upgrade as module
from tests.unit.plugins.modules.helpers import FAST_WAIT, HOUR, records, warning_texts


def progress_option(directory: Path, name: str = "staging") -> dict[str, Any]:
    return {"cluster": name, "run_id": "run-7", "backend": "local", "path": str(directory)}


@pytest.fixture
def checkpoints(tmp_path: Path) -> Path:
    """The checkpoint directory (the world keeps its own files under tmp_path)."""
    return tmp_path / "checkpoints"


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every progress record the module writes, as it writes it."""
    seen: list[dict[str, Any]] = []
    real = checkpoint_store.LocalStore.write_progress

    def spy(self: Any, name: str, progress: dict[str, Any]) -> None:
        seen.append(dict(progress))
        real(self, name, progress)

    monkeypatch.setattr(checkpoint_store.LocalStore, "write_progress", spy)
    return seen


def test_each_hop_start_and_phase_change_is_recorded_once(make_world, run_module, args, checkpoints, written):
    world = make_world("demo")
    store = checkpoint_store.LocalStore(str(checkpoints))
    result = run_module(module, args("staging-use1", target_version="1.30", upgrade_nodegroups=True,
                                     progress=progress_option(checkpoints), **FAST_WAIT))
    assert not result.failed, result.get("msg")
    ids = {u["id"]: u["subject"] for u in result["updates"]}
    assert [(p["hop"], p["hops"], p["from_version"], p["to_version"], p["phase"], ids.get(p["update_id"]))
            for p in written] == [
        (1, 2, "1.28", "1.29", "node groups", None),
        (1, 2, "1.28", "1.29", "node groups", "node group general"),
        (1, 2, "1.28", "1.29", "updating", "cluster staging-use1"),
        (2, 2, "1.29", "1.30", "node groups", None),
        (2, 2, "1.29", "1.30", "node groups", "node group general"),
        (2, 2, "1.29", "1.30", "node groups", "node group spot"),
        (2, 2, "1.29", "1.30", "updating", "cluster staging-use1")]
    assert [p["nodegroup"] for p in written if p["update_id"]] == ["general", None, "general", "spot", None]
    assert result["progress_writes"] == len(written)
    # Not on a poll: every update was polled, and more often than progress was written.
    assert len(records(world, operation="DescribeUpdate")) > len(written)
    # A hop keeps the time it started through its phases; the run and target are the record's.
    assert len({p["hop_started_at"] for p in written if p["hop"] == 2}) == 1
    assert {(p["run_id"], p["target_version"], p["cluster"]) for p in written} == {("run-7", "1.30", "staging")}
    # Beside the checkpoint and not in it (no checkpoint was written), and gone once the step ended well.
    assert written and all(p["cluster"] == "staging" for p in written)
    assert store.read("staging") is None and store.read_progress("staging") is None
    assert not any(checkpoints.rglob("*.json"))


def test_the_checkpoint_a_rerun_relies_on_is_left_as_it_was(make_world, run_module, args, checkpoints, written):
    store = checkpoint_store.LocalStore(str(checkpoints))
    document, _changed = put_step(None, "healthy", "1.30", "run-6", "control_plane", {"update_ids": ["u-1"]},
                                  utc_now(), status="started")
    store.write("healthy", document)
    before = store.location("healthy")
    text = Path(before).read_text()
    make_world("healthy")
    result = run_module(module, args("healthy-129", target_version="1.30",
                                     progress=progress_option(checkpoints, "healthy"), **FAST_WAIT))
    assert not result.failed, result.get("msg")
    assert [(p["hop"], p["hops"], p["phase"]) for p in written] == [(1, 1, "updating")]
    assert Path(before).read_text() == text
    assert written[-1]["update_id"] == result["updates"][0]["id"]


def test_a_step_that_fails_leaves_its_record_showing_where_it_stopped(make_world, run_module, args, checkpoints,
                                                                      written):
    make_world({"target_version": "1.30", "clusters": [
        {"name": "failing", "version": "1.29", "faults": {"fail_updates": "InsufficientFreeAddresses"}}]})
    store = checkpoint_store.LocalStore(str(checkpoints))
    result = run_module(module, args("failing", target_version="1.30", progress=progress_option(checkpoints, "failing"),
                                     **FAST_WAIT))
    assert result.failed
    assert store.read_progress("failing") == written[-1]
    assert (written[-1]["hop"], written[-1]["phase"]) == (1, "updating")


def test_a_record_that_cannot_be_deleted_is_a_warning(make_world, run_module, args, checkpoints, monkeypatch):
    def refuse(self: Any, name: str) -> None:
        raise checkpoint_store.ModuleError("Cannot delete progress: read-only file system.")

    monkeypatch.setattr(checkpoint_store.LocalStore, "delete_progress", refuse)
    make_world("healthy")
    result = run_module(module, args("healthy-129", target_version="1.30",
                                     progress=progress_option(checkpoints, "healthy"), **FAST_WAIT))
    assert not result.failed and result["version_after"] == "1.30"
    [warning] = [w for w in warning_texts(result) if "progress" in w]
    assert "could not be deleted" in warning and "read-only file system" in warning


def test_a_store_that_cannot_be_written_is_a_warning_and_the_upgrade_goes_on(make_world, run_module, args, tmp_path):
    world = make_world("demo")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run_module(module, args("staging-use1", target_version="1.30", upgrade_nodegroups=True,
                                     progress=progress_option(blocker / "checkpoints"), **FAST_WAIT))
    assert not result.failed, result.get("msg")
    assert world.summary()["staging-use1"]["version"] == "1.30"
    assert result["progress_writes"] == 0
    [warning] = [w for w in warning_texts(result) if "progress" in w]
    assert "hop 1 of 2" in warning and "could not be recorded" in warning and "goes on" in warning


def test_a_resumed_update_is_recorded_as_its_hop(make_world, run_module, args, checkpoints, finish_when_waited,
                                                 written):
    world = make_world("update-in-progress", cluster_update_s=HOUR)
    finish_when_waited(world)
    result = run_module(module, args("updating-129", target_version="1.30",
                                     progress=progress_option(checkpoints, "updating"), **FAST_WAIT))
    assert not result.failed, result.get("msg")
    [update] = result["updates"]
    assert update["resumed"] is True
    assert [(p["hop"], p["hops"], p["from_version"], p["to_version"], p["phase"], p["update_id"])
            for p in written] == [(1, 1, "1.29", "1.30", "updating", update["id"])]
    assert result["progress_writes"] == 1


def test_nothing_is_recorded_in_check_mode_or_without_the_option(make_world, run_module, args, checkpoints, written):
    make_world("healthy")
    checked = run_module(module, args("healthy-129", target_version="1.30", progress=progress_option(checkpoints),
                                      **FAST_WAIT), check_mode=True)
    assert not checked.failed, checked.get("msg")
    assert checked["progress_writes"] == 0
    plain = run_module(module, args("healthy-129", target_version="1.30", **FAST_WAIT))
    assert not plain.failed, plain.get("msg")
    assert plain["progress_writes"] == 0 and plain["version_after"] == "1.30"
    assert written == [] and not any(checkpoints.rglob("*.json"))
