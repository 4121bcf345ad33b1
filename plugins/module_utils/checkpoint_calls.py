# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What eks_checkpoint, eks_checkpoint_info and eks_checkpoint_claim do with a store, whoever runs them: the
modules (S3, DynamoDB, or a local directory on a host that is not the controller) or their action plugins (a local
directory on the controller, with no module process: plugins/action/)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint import (
    FINISHED,
    STARTED,
    STEPS,
    CheckpointInvalid,
    put_step,
    resume,
    stands,
    utc_now,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_claim import (
    DEFAULT_LEASE_SECONDS,
    check_release,
    decide,
    is_held_by,
    lost_message,
    new_claim,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_store import (
    STORE_REQUIRED_IF,
    store_argument_spec,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError

# eks_checkpoint's options besides the store's (and AnsibleAWSModule's AWS options).
RECORD_REQUIRED_IF = STORE_REQUIRED_IF + [("state", "present", ["target_version", "run_id", "step"])]


def record_argument_spec():
    spec = store_argument_spec()
    spec.update(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        target_version=dict(type="str"),
        run_id=dict(type="str"),
        step=dict(type="str", choices=list(STEPS)),
        status=dict(type="str", choices=[FINISHED, STARTED], default=FINISHED),
        data=dict(type="dict", default={}),
    )
    return spec


def read_argument_spec():
    spec = store_argument_spec()
    spec.update(
        target_version=dict(type="str"),
        cluster_version=dict(type="str"),
        ignore=dict(type="bool", default=False),
        require_writable=dict(type="bool", default=False),
        read_claim=dict(type="bool", default=False),
        read_progress=dict(type="bool", default=False),
    )
    return spec


def claim_argument_spec():
    spec = store_argument_spec()
    spec.update(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        run_id=dict(type="str", required=True),
        holder=dict(type="str"),
        target_version=dict(type="str"),
        takeover=dict(type="bool", default=False),
        lease=dict(type="int", default=DEFAULT_LEASE_SECONDS),
    )
    return spec


def record(params, store, name, check_mode, diff):
    """eks_checkpoint: record a step (or delete the checkpoint); writes nothing in check mode."""
    store.check_writable()
    unusable = None
    try:
        before = store.read(name)
    except CheckpointInvalid as exc:
        if params["state"] == "present":
            raise
        before, unusable = None, exc.message  # a damaged checkpoint can still be deleted
    if params["state"] == "present":
        after, changed = put_step(before, name, params["target_version"], params["run_id"], params["step"],
                                  params["data"], utc_now(), status=params["status"])
    else:
        after, changed = None, before is not None or unusable is not None
    result = {"changed": changed, "location": store.location(name), "checkpoint": after,
              "stands": stands(after, params["target_version"] if after is not None else None)}
    if diff:
        result["diff"] = {"before": before or ({"unusable": unusable} if unusable else {}), "after": after or {}}
    if changed and not check_mode:
        if after is None:
            store.delete(name)
        else:
            store.write(name, after)
    return result


def read(params, store, name):
    """eks_checkpoint_info: the checkpoint, the steps a rerun may skip and where the cluster stands."""
    if params["require_writable"]:
        store.check_writable()
    document = store.read(name)
    result = {"changed": False, "location": store.location(name), "checkpoint": document}
    result.update(resume(document, params["target_version"], params["cluster_version"], params["ignore"]))
    result["stands"] = stands(document, params["target_version"])
    if params["read_claim"]:
        result["claim"] = store.read_claim(name)
    if params["read_progress"]:
        result["progress"] = store.read_progress(name)
    return result


# Conditional writes a claim may lose in a row to other jobs claiming the same cluster before this one gives up.
CLAIM_ATTEMPTS = 3


def claim(params, store, name, check_mode, warn):
    """eks_checkpoint_claim: take the cluster for this job (the store's conditional writes arbitrate), renew this
    job's lease, take an expired or (takeover) another job's claim over, or release the claim."""
    if params["state"] == "absent":
        return release(params, store, name, check_mode, warn)
    run_id, holder, now = params["run_id"], params["holder"], utc_now()
    mine = new_claim(name, run_id, holder, params["target_version"], now, params["lease"])
    result = {"location": store.claim_location(name), "changed": True, "claim": mine, "taken_over": None,
              "renewed": False}
    for _attempt in range(CLAIM_ATTEMPTS):
        if check_mode:
            existing, version = store.read_claim_versioned(name)
        elif store.create_claim(name, mine):
            return result
        else:
            existing, version = store.read_claim_versioned(name)
        if existing is None:
            if check_mode:
                return result
            continue  # released between our write and our read: claim again
        ours, replace = decide(existing, run_id, holder, params["takeover"], now)
        if not ours:
            raise ModuleError(lost_message(existing, store.claim_location(name)), {"claim": existing})
        if check_mode or store.replace_claim(name, mine, version):
            renewed = is_held_by(existing, run_id, holder)
            result.update(renewed=renewed, taken_over=None if renewed else existing)
            return result
    raise ModuleError("The claim of cluster %s (%s) changed %d times while this job claimed it: other jobs claim it "
                      "at the same time. Run again." % (name, store.claim_location(name), CLAIM_ATTEMPTS))


def release(params, store, name, check_mode, warn):
    """eks_checkpoint_claim state=absent: delete this job's claim (or, with takeover, any), on the condition that it
    is still the claim read; one another job took over meanwhile is left to that job, with a warning."""
    run_id, holder, takeover = params["run_id"], params["holder"], params["takeover"]
    result = {"location": store.claim_location(name), "claim": None, "taken_over": None, "renewed": False}
    try:
        existing, version = store.read_claim_versioned(name)
    except CheckpointInvalid:
        if not takeover:
            raise
        existing, version = {"damaged": store.claim_location(name)}, None  # takeover removes a damaged claim too
    release_it = True if "damaged" in (existing or {}) else check_release(existing, run_id, holder, takeover)
    if release_it and not check_mode and not store.delete_claim(name, version):
        now_held = store.read_claim(name)
        warn("The claim of cluster %s was taken over by another job (%s) before this job released it: its lease "
             "ran out while this job worked on the cluster. Set a longer eks_claim_lease." % (
                 name, "run %s, %s" % (now_held["run_id"], now_held["holder"]) if now_held else "since released"))
        result.update(changed=False, claim=now_held)
        return result
    result.update(changed=bool(release_it), taken_over=existing if release_it and (
        "damaged" in existing or not is_held_by(existing, run_id, holder)) else None)
    return result
