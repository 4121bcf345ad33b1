"""checkpoint_claim's pure rules: a claim's lease, on both sides of its expiry, and who may replace a claim."""
from __future__ import annotations

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint import CheckpointInvalid
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_claim import (
    DEFAULT_LEASE_SECONDS,
    decide,
    decode_claim,
    encode_claim,
    is_expired,
    new_claim,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError

AT = "2026-01-01T12:00:00Z"


def claim(holder: str = "awx-job-42", lease: int = 3600) -> dict:
    return new_claim("prod-eu", "awx-41", holder, "1.30", AT, lease_seconds=lease)


def test_a_lease_runs_from_the_claim_and_expires_at_its_last_second():
    held = claim(lease=3600)
    assert held["expires_at"] == "2026-01-01T13:00:00Z"
    assert not is_expired(held, "2026-01-01T12:59:59Z")
    assert is_expired(held, "2026-01-01T13:00:00Z")
    assert new_claim("prod-eu", "awx-41", None, "", AT)["expires_at"] == "2026-01-01T18:00:00Z"
    assert DEFAULT_LEASE_SECONDS == 6 * 3600


def test_a_lease_of_a_minute_is_the_shortest():
    assert claim(lease=60)["expires_at"] == "2026-01-01T12:01:00Z"
    with pytest.raises(ModuleError, match="lease must be 60 seconds or more"):
        claim(lease=59)


@pytest.mark.parametrize("existing, takeover, now, expected", [
    (None, False, AT, (True, False)),                                           # created: nothing to replace
    (claim(), False, AT, (True, True)),                                         # ours: the lease is renewed
    (claim("awx-job-43"), False, "2026-01-01T12:59:59Z", (False, False)),       # another job's, live
    (claim("awx-job-43"), False, "2026-01-01T13:00:00Z", (True, True)),         # another job's, expired
    (claim("awx-job-43"), True, AT, (True, True)),                              # taken over on purpose
])
def test_who_may_replace_a_claim(existing, takeover, now, expected):
    assert decide(existing, "awx-41", "awx-job-42", takeover, now) == expected


def test_a_claim_without_a_lease_is_read_and_never_expires_but_a_damaged_expiry_is_refused():
    legacy = {key: value for key, value in claim("awx-job-43").items() if key != "expires_at"}
    assert decode_claim(encode_claim(legacy), "prod-eu", "here") == legacy
    assert decide(legacy, "awx-41", "awx-job-42", False, "2099-01-01T00:00:00Z") == (False, False)
    with pytest.raises(CheckpointInvalid, match="is not a lifecycle.eks claim"):
        decode_claim(encode_claim(dict(legacy, expires_at="tomorrow")), "prod-eu", "here")
