# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A step module recording its own finished step in the cluster's checkpoint (the option ``checkpoint``).

eks_cluster_upgrade, eks_nodegroup_upgrade and eks_addon_update write the record themselves once the step finished,
in the process that ran it: alone, or for a whole wave in lifecycle.eks.eks_wave's one process, the wave's records
written concurrently there (S3 and DynamoDB included) instead of by one task per cluster afterwards
(docs/performance.md). The record is the one lifecycle.eks.eks_checkpoint would write (checkpoint.put_step).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools

from ansible_collections.lifecycle.eks.plugins.module_utils.aws import Clients
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint import put_step, utc_now, validate_name
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_progress import progress_argument_spec
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_store import DEFAULT_KEY_PREFIX, open_store
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError


def checkpoint_argument_spec():
    """The ``checkpoint`` option (doc fragment lifecycle.eks.step_checkpoint): the store and the run, as ``progress``
    names them, and the target the record is for."""
    options = dict(progress_argument_spec(), target_version=dict(type="str", required=True))
    return dict(checkpoint=dict(type="dict", options=options))


def store_of(module, params):
    """The checkpoint store ``params`` name (``progress`` or ``checkpoint``); S3 and DynamoDB on clients of the
    store's region (the cluster's when not given), counted apart from the cluster's calls."""
    params = dict(params, key_prefix=params.get("key_prefix") or DEFAULT_KEY_PREFIX)
    return open_store(params, lambda: Clients(module, region=params.get("region")))


def record_finished(module, step, data):
    """Record ``step`` finished with ``data`` in the checkpoint the option names; None when there is nothing to
    record (no option, check mode, or ``data`` None: the step did not finish)."""
    params = module.params.get("checkpoint")
    if not params or module.check_mode or data is None:
        return None
    store = store_of(module, params)
    name = validate_name(params["cluster"])
    document, changed = put_step(store.read(name), name, params["target_version"], params["run_id"], step, data,
                                 utc_now())
    if changed:
        store.write(name, document)
    return {"step": step, "location": store.location(name), "changed": changed}


def recording(step, finished_data):
    """Decorate a module's body so that it records ``step`` once it returns, with ``finished_data(result)`` (None when
    the step is not finished, node groups left behind for instance). A record that fails fails the module, with what
    the step did as its result: the next run then repeats a step it cannot know is finished."""
    def decorate(body):
        @functools.wraps(body)
        def run(module, clients):
            result = body(module, clients)
            try:
                recorded = record_finished(module, step, finished_data(result))
            except ModuleError as exc:
                raise ModuleError("The %s step finished, but its checkpoint could not be recorded: %s"
                                  % (step, exc.message), {"result": result}) from None
            result["checkpoint_recorded"] = recorded
            return result
        return run
    return decorate


def update_ids(result):
    return [update["id"] for update in result.get("updates") or []]
