"""eks_checkpoint_claim with each backend: of two jobs meeting one cluster, exactly one may upgrade it."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

import boto3
import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_claim import encode_claim, new_claim
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_store import open_store
from ansible_collections.lifecycle.eks.plugins.modules import eks_checkpoint_claim as module
from ansible_collections.lifecycle.eks.plugins.modules import eks_checkpoint_info as info_module
from tests.unit.plugins.module_utils.aws_module import aws_clients
from tests.unit.plugins.modules.helpers import warning_texts

BUCKET = "eks-upgrade-claims"
TABLE = "eks-upgrade-claims"
WHERE = {"local": "{path}/claims/prod-eu.json", "s3": "s3://" + BUCKET + "/fleet/claims/prod-eu.json",
         "dynamodb": "dynamodb://" + TABLE + "/claims/prod-eu"}


@pytest.fixture
def world(make_world: Callable[..., Any]) -> Any:
    return make_world("healthy")


@pytest.fixture(params=["local", "s3", "dynamodb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """The module options of one backend, its bucket or table created in the world."""
    if request.param == "local":
        return {"backend": "local", "path": str(tmp_path / "checkpoints")}
    world = request.getfixturevalue("world")
    if request.param == "s3":
        world.client("s3").create_bucket(Bucket=BUCKET)
        return {"backend": "s3", "bucket": BUCKET, "key_prefix": "fleet/", "region": world.region}
    world.client("dynamodb").create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "cluster", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "cluster", "AttributeType": "S"}])
    return {"backend": "dynamodb", "table": TABLE, "region": world.region}


def stored(options: dict[str, Any]) -> dict[str, Any] | None:
    """The claim of prod-eu as the backend holds it, read without the module."""
    if options["backend"] == "local":
        path = Path(options["path"]) / "claims" / "prod-eu.json"
        return json.loads(path.read_text()) if path.exists() else None
    if options["backend"] == "s3":
        s3 = boto3.client("s3", region_name=options["region"])
        try:
            return json.loads(s3.get_object(Bucket=BUCKET, Key="fleet/claims/prod-eu.json")["Body"].read())
        except s3.exceptions.NoSuchKey:
            return None
    item = boto3.client("dynamodb", region_name=options["region"]).get_item(
        TableName=TABLE, Key={"cluster": {"S": "claims/prod-eu"}}).get("Item")
    return json.loads(item["claim"]["S"]) if item else None


def job(holder: str, run_id: str = "awx-41", **extra: Any) -> dict[str, Any]:
    return {"cluster": "prod-eu", "run_id": run_id, "holder": holder, "target_version": "1.30", **extra}


def test_one_job_wins_the_other_is_told_who_holds_the_cluster_and_changes_nothing(store, run_module):
    first = run_module(module, {**job("awx-job-42"), **store})
    assert not first.failed, first.get("msg")
    assert first["changed"] is True
    assert first["location"] == WHERE[store["backend"]].format(path=store.get("path"))
    held = stored(store)
    assert held is not None
    assert (held["run_id"], held["holder"], held["target_version"]) == ("awx-41", "awx-job-42", "1.30")

    # Another slice of the same run: refused, told who holds the cluster and how to go on; the claim is unchanged.
    second = run_module(module, {**job("awx-job-43"), **store})
    assert second.failed
    assert second["msg"].startswith("Cluster prod-eu is claimed by another job: run awx-41, awx-job-42, since ")
    assert "this job leaves the cluster alone" in second["msg"] and "eks_claim_takeover=true" in second["msg"]
    assert second["claim"] == held
    assert stored(store) == held
    # Nor may it release the winner's claim.
    refused = run_module(module, {**job("awx-job-43"), "state": "absent", **store})
    assert refused.failed and "is held by run awx-41 (awx-job-42), not by this job" in refused["msg"]
    assert stored(store) == held

    # The holder's rerun takes its claim back and renews its lease, then releases it; the other job may claim it then.
    again = run_module(module, {**job("awx-job-42"), **store})
    assert not again.failed and again["changed"] is True and again["renewed"] is True and again["taken_over"] is None
    assert again["claim"] == stored(store)
    assert (again["claim"]["holder"], again["claim"]["expires_at"] >= held["expires_at"]) == ("awx-job-42", True)
    released = run_module(module, {**job("awx-job-42"), "state": "absent", **store})
    assert not released.failed and released["changed"] is True and stored(store) is None
    assert run_module(module, {**job("awx-job-42"), "state": "absent", **store})["changed"] is False
    later = run_module(module, {**job("awx-job-43"), **store})
    assert not later.failed and later["changed"] is True and stored(store)["holder"] == "awx-job-43"


def test_takeover_replaces_a_dead_jobs_claim_and_check_mode_writes_nothing(store, run_module):
    assert not run_module(module, {**job("awx-job-42"), **store}).failed
    dead = stored(store)
    checked = run_module(module, {**job("awx-job-50", run_id="awx-49", takeover=True), **store}, check_mode=True)
    assert not checked.failed and checked["changed"] is True and checked["taken_over"] == dead
    assert stored(store) == dead
    taken = run_module(module, {**job("awx-job-50", run_id="awx-49", takeover=True), **store})
    assert not taken.failed and taken["taken_over"] == dead
    assert (stored(store)["run_id"], stored(store)["holder"]) == ("awx-49", "awx-job-50")
    # Check mode of a new claim: it would be won, and nothing is written.
    assert run_module(module, {**job("awx-job-50", run_id="awx-49", state="absent"), **store})["changed"] is True
    would = run_module(module, {**job("awx-job-51"), **store}, check_mode=True)
    assert not would.failed and would["changed"] is True and stored(store) is None


def test_claims_made_at_once_have_exactly_one_winner(store, world):
    """The conditional write arbitrates: eight jobs claim at the same moment, one store call each."""
    options = {"path": None, "bucket": None, "key_prefix": None, "table": None, **store}
    clients = aws_clients(region=world.region) if store["backend"] != "local" else None
    backend = open_store(options, connect=lambda: clients)
    claims = [new_claim("prod-eu", "awx-41", "awx-job-%d" % n, "1.30", "2026-01-01T12:00:00Z") for n in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        won = list(pool.map(lambda claim: backend.create_claim("prod-eu", claim), claims))
    assert won.count(True) == 1, won
    assert backend.read_claim("prod-eu") == claims[won.index(True)] == stored(store)


def test_a_damaged_claim_is_explained(run_module, tmp_path):
    (tmp_path / "claims").mkdir()
    (tmp_path / "claims" / "prod-eu.json").write_text("{}")
    result = run_module(module, {**job("awx-job-42"), "path": str(tmp_path)})
    assert result.failed
    assert result["msg"] == ("Claim %s is not a lifecycle.eks claim of cluster prod-eu. Release it "
                             "(lifecycle.eks.eks_checkpoint_claim state=absent takeover=true) once no job works on the "
                             "cluster." % (tmp_path / "claims" / "prod-eu.json"))
    released = run_module(module, {**job("awx-job-42"), "path": str(tmp_path), "state": "absent", "takeover": True})
    assert not released.failed and released["changed"] is True
    assert not (tmp_path / "claims" / "prod-eu.json").exists()


def test_checkpoint_info_reads_who_holds_the_cluster_when_asked(store, run_module):
    """playbooks/status.yml shows which job works on each cluster (eks_checkpoint_info read_claim)."""
    info = {"cluster": "prod-eu", "target_version": "1.30", **store}
    assert "claim" not in run_module(info_module, info)
    assert run_module(info_module, {**info, "read_claim": True})["claim"] is None
    assert not run_module(module, {**job("awx-job-42"), **store}).failed
    read = run_module(info_module, {**info, "read_claim": True})
    assert not read.failed, read.get("msg")
    assert read["claim"] == stored(store)
    assert read["changed"] is False


def dead_jobs_claim(store: dict[str, Any], world: Any) -> tuple[Any, dict[str, Any]]:
    """The store, holding the claim of a job killed long ago (its lease ran out on 2026-01-01)."""
    options = {"path": None, "bucket": None, "key_prefix": None, "table": None, **store}
    clients = aws_clients(region=world.region) if store["backend"] != "local" else None
    backend = open_store(options, connect=lambda: clients)
    claim = new_claim("prod-eu", "awx-30", "awx-job-31", "1.30", "2026-01-01T12:00:00Z", lease_seconds=60)
    assert backend.create_claim("prod-eu", claim)
    return backend, claim


def test_an_expired_claim_is_taken_over_by_the_next_job_and_its_holder_cannot_release_the_new_one(
        store, world, run_module):
    _backend, dead = dead_jobs_claim(store, world)
    taken = run_module(module, {**job("awx-job-42"), "lease": 3600, **store})
    assert not taken.failed, taken.get("msg")
    assert taken["changed"] is True and taken["renewed"] is False and taken["taken_over"] == dead
    now = stored(store)
    assert (now["run_id"], now["holder"]) == ("awx-41", "awx-job-42") and now["expires_at"] > "2026-12-01"
    # The job whose lease ran out ends and releases: the new holder's claim stays, and it is told why.
    late = run_module(module, {**job("awx-job-31", run_id="awx-30"), "state": "absent", **store})
    assert late.failed and "is held by run awx-41 (awx-job-42), not by this job" in late["msg"]
    assert stored(store) == now


def test_a_live_claim_names_its_lease_and_is_not_taken_over(store, run_module):
    assert not run_module(module, {**job("awx-job-42"), "lease": 600, **store}).failed
    held = stored(store)
    lost = run_module(module, {**job("awx-job-43"), **store})
    assert lost.failed and "Its lease runs until %s" % held["expires_at"] in lost["msg"]
    assert stored(store) == held


def test_two_jobs_taking_over_one_expired_claim_have_exactly_one_winner(store, world):
    """The conditional replace arbitrates: eight jobs read the same expired claim and replace it at once."""
    backend, _dead = dead_jobs_claim(store, world)
    _claim, version = backend.read_claim_versioned("prod-eu")
    claims = [new_claim("prod-eu", "awx-41", "awx-job-%d" % n, "1.30", "2026-12-06T12:00:00Z") for n in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        won = list(pool.map(lambda claim: backend.replace_claim("prod-eu", claim, version), claims))
    assert won.count(True) == 1, won
    assert backend.read_claim("prod-eu") == claims[won.index(True)] == stored(store)
    # Nor is a claim released on the strength of an old read: the winner's stays.
    assert backend.delete_claim("prod-eu", version) is False
    assert stored(store) == claims[won.index(True)]


def test_a_release_after_a_takeover_leaves_the_new_claim_and_warns(store, world, run_module, monkeypatch):
    """The holder read its own claim, then another job took it over (the lease ran out): the delete is refused."""
    backend, dead = dead_jobs_claim(store, world)
    successor = new_claim("prod-eu", "awx-41", "awx-job-42", "1.30", "2026-12-06T12:00:00Z")
    read = type(backend).read_claim_versioned
    calls = []

    def taken_over_after_our_read(self: Any, name: str) -> Any:
        seen = read(self, name)
        if not calls:
            calls.append(name)
            assert backend.replace_claim(name, successor, seen[1])
        return seen

    monkeypatch.setattr(type(backend), "read_claim_versioned", taken_over_after_our_read)
    late = run_module(module, {**job("awx-job-31", run_id="awx-30"), "state": "absent", **store})
    assert not late.failed, late.get("msg")
    assert late["changed"] is False and late["claim"] == successor == stored(store)
    assert warning_texts(late) == [
        "The claim of cluster prod-eu was taken over by another job (run awx-41, awx-job-42) before this job released "
        "it: its lease ran out while this job worked on the cluster. Set a longer eks_claim_lease."]


def test_a_claim_older_than_leases_never_expires_on_its_own(run_module, tmp_path):
    legacy = new_claim("prod-eu", "awx-30", "awx-job-31", "1.30", "2026-01-01T12:00:00Z")
    del legacy["expires_at"]
    (tmp_path / "claims").mkdir()
    (tmp_path / "claims" / "prod-eu.json").write_text(encode_claim(legacy))
    lost = run_module(module, {**job("awx-job-42"), "path": str(tmp_path)})
    assert lost.failed and "Its lease" not in lost["msg"] and lost["claim"] == legacy


def test_a_lease_shorter_than_a_minute_is_refused_and_nothing_is_written(run_module, tmp_path):
    refused = run_module(module, {**job("awx-job-42"), "path": str(tmp_path), "lease": 59})
    assert refused.failed and refused["msg"].startswith("lease must be 60 seconds or more")
    assert not (tmp_path / "claims" / "prod-eu.json").exists()
