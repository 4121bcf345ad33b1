# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A cluster's claim: which job upgrades it now, so that two jobs (two AWX slices, two runs) never both do.

The claim is created with a conditional write (a file linked into place, S3 ``If-None-Match: *``, a DynamoDB
``attribute_not_exists`` condition): of two jobs claiming at once, exactly one wins. The holder of a claim is
``run_id`` plus ``holder`` (the AWX job id, or the run id on a command line), so a rerun of the same job takes its
claim back and a second job of the same run (another slice) does not.

A claim is a lease: it expires at ``expires_at`` unless its holder claims again (which renews it), so a killed job
does not hold its clusters forever. An expired claim, like one taken over on purpose, is replaced only on the
condition that it is still the claim read (S3 ``If-Match`` on its ETag, a DynamoDB condition on its content, a
lock on the local file): of two jobs taking over one claim, exactly one wins. Pure logic, no I/O::

    {"schema_version": 1, "cluster": "prod-eu", "run_id": "awx-42", "holder": "awx-job-43",
     "target_version": "1.30", "claimed_at": "2026-01-01T12:00:00Z", "expires_at": "2026-01-01T18:00:00Z"}
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json

from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint import (
    CheckpointInvalid,
    validate_name,
    validate_run_id,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError

CLAIM_SCHEMA_VERSION = 1
CLAIM_FIELDS = ("run_id", "holder", "target_version", "claimed_at")
# Longer than one cluster's control-plane step or post-upgrade step takes (the upgrade playbook renews it between
# them): a lease that ran out under a live job would let another job update the cluster too.
DEFAULT_LEASE_SECONDS = 6 * 3600
MIN_LEASE_SECONDS = 60
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def _parse_time(text):
    return datetime.datetime.strptime(text, TIME_FORMAT).replace(tzinfo=datetime.timezone.utc)


def new_claim(name, run_id, holder, target_version, now, lease_seconds=DEFAULT_LEASE_SECONDS):
    """The claim a job writes for cluster ``name`` at ``now`` (checkpoint time), held for ``lease_seconds``;
    ``holder`` defaults to the run id."""
    holder = holder or run_id
    validate_run_id(holder)
    if lease_seconds < MIN_LEASE_SECONDS:
        raise ModuleError("lease must be %d seconds or more (it must outlast a step of the upgrade); got %d."
                          % (MIN_LEASE_SECONDS, lease_seconds))
    expires = _parse_time(now) + datetime.timedelta(seconds=lease_seconds)
    return {"schema_version": CLAIM_SCHEMA_VERSION, "cluster": validate_name(name), "run_id": validate_run_id(run_id),
            "holder": holder, "target_version": str(target_version or ""), "claimed_at": now,
            "expires_at": expires.strftime(TIME_FORMAT)}


def is_expired(claim, now):
    """Whether the lease of ``claim`` has run out at ``now``; a claim written before leases (no expires_at) never
    expires on its own."""
    expires_at = claim.get("expires_at")
    return bool(expires_at) and _parse_time(expires_at) <= _parse_time(now)


def encode_claim(claim):
    return json.dumps(claim, indent=2, sort_keys=True) + "\n"


def decode_claim(text, name, where):
    """A stored claim, checked; a damaged one says how to remove it."""
    try:
        claim = json.loads(text.decode("utf-8") if isinstance(text, bytes) else text)
    except (UnicodeDecodeError, ValueError):
        claim = None
    if (not isinstance(claim, dict) or claim.get("schema_version") != CLAIM_SCHEMA_VERSION
            or claim.get("cluster") != name or not all(isinstance(claim.get(key), str) for key in CLAIM_FIELDS)
            or not _valid_expiry(claim.get("expires_at"))):
        raise CheckpointInvalid("Claim %s is not a lifecycle.eks claim of cluster %s. Release it "
                                "(lifecycle.eks.eks_checkpoint_claim state=absent takeover=true) once no job works on "
                                "the cluster." % (where, name))
    return claim


def _valid_expiry(expires_at):
    if expires_at is None:
        return True
    try:
        _parse_time(expires_at)
    except (TypeError, ValueError):
        return False
    return True


def is_held_by(claim, run_id, holder):
    """Whether ``claim`` is this job's (the same run and the same holder): a rerun of the job takes it back."""
    return claim["run_id"] == run_id and claim["holder"] == (holder or run_id)


def lost_message(claim, where):
    """What the job that lost the claim of a cluster is told: who holds it, and what to do if that job is dead."""
    lease = (" Its lease runs until %s: after that, unless that job renews it, any job takes the cluster over."
             % claim["expires_at"]) if claim.get("expires_at") else ""
    return ("Cluster %s is claimed by another job: run %s, %s, since %s (%s). That job upgrades it toward %s; this job "
            "leaves the cluster alone (two AWX slices or two runs never update a cluster twice).%s If that job no "
            "longer runs (it was killed), rerun it (-e eks_run_id=%s), or set eks_claim_takeover=true for one run once "
            "you know no job works on the cluster." % (
                claim["cluster"], claim["run_id"], claim["holder"], claim["claimed_at"], where,
                claim["target_version"] or "its target", lease, claim["run_id"]))


def decide(existing, run_id, holder, takeover, now):
    """``(ours, replace)`` after a create-only write found ``existing`` (None when the write created the claim).

    ``ours``: this job may work on the cluster. ``replace``: the stored claim must be overwritten with this job's,
    on the condition that it is still ``existing``: this job's own (the lease renewed), an expired one, or another
    job's taken over on purpose (``takeover``).
    """
    if existing is None:
        return True, False
    if is_held_by(existing, run_id, holder) or is_expired(existing, now) or takeover:
        return True, True
    return False, False


def check_release(existing, run_id, holder, takeover):
    """Whether this job may delete ``existing``: its own claim, or any with ``takeover``; None means nothing to do."""
    if existing is None:
        return None
    if takeover or is_held_by(existing, run_id, holder):
        return True
    raise ModuleError("The claim of cluster %s is held by run %s (%s), not by this job (run %s, %s): it is left in "
                      "place. Set takeover=true to release another job's claim." % (
                          existing["cluster"], existing["run_id"], existing["holder"], run_id, holder or run_id))
