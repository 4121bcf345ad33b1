"""eks_checkpoint_claim with each backend: of two jobs meeting one cluster, exactly one may upgrade it."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

import boto3
import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_claim import new_claim
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_store import open_store
from ansible_collections.lifecycle.eks.plugins.modules import eks_checkpoint_claim as module
from ansible_collections.lifecycle.eks.plugins.modules import eks_checkpoint_info as info_module
from tests.unit.plugins.module_utils.aws_module import aws_clients

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

    # The holder's rerun takes its claim back unchanged, then releases it; the other job may claim it then.
    again = run_module(module, {**job("awx-job-42"), **store})
    assert not again.failed and again["changed"] is False and again["claim"] == held
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
