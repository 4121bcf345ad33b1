# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start an EKS update and see it through: wait, resume one already running, report it the same way.

Shared by the cluster, node group and add-on modules so that every update is recorded alike:
``{id, type, subject, from, to, status, duration_s, errors, resumed}``.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.lifecycle.eks.plugins.module_utils.aws import UpdateTimeout, wait_for_update
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError, json_friendly

IN_PROGRESS = "InProgress"
SUCCESSFUL = "Successful"


def wait_options(params):
    """wait_for_update keyword arguments from the common wait options of the modules."""
    return {"timeout": params["wait_timeout"], "min_delay": params["wait_delay"],
            "max_delay": max(params["wait_max_delay"], params["wait_delay"])}


def wait_argument_spec(timeout=3600):
    return dict(
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=timeout),
        wait_delay=dict(type="float", default=5.0),
        wait_max_delay=dict(type="float", default=30.0),
        wait_poll_history=dict(type="list", elements="float", default=[]),
    )


def find_in_progress(clients, cluster, nodegroup=None, addon=None, update_type=None):
    """The update currently InProgress on the cluster (or node group / add-on), or None.

    Its DescribeUpdate calls count in the cluster's budget of polls and wait for room in it, as every one does.
    """
    for update_id in reversed(clients.list_updates(cluster, nodegroup=nodegroup, addon=addon)):
        update = clients.describe_update(cluster, update_id, nodegroup=nodegroup, addon=addon)
        if update.get("status") == IN_PROGRESS and (update_type is None or update.get("type") == update_type):
            return update
    return None


def param(update, name):
    for item in update.get("params") or []:
        if item.get("type") == name:
            return item.get("value")
    return None


def record(update, subject, before, resumed=False, started=None):
    """The report entry of an update; ``duration_s`` counts from ``started``, a ``time.monotonic()`` reading."""
    entry = {"id": update["id"], "type": update.get("type"), "subject": subject, "from": before,
             "to": param(update, "Version") or param(update, "AddonVersion") or param(update, "ReleaseVersion"),
             "status": update.get("status"), "errors": json_friendly(update.get("errors") or []),
             "resumed": resumed}
    if started is not None:
        entry["duration_s"] = round(time.monotonic() - started, 1)
    return entry


def see_through(clients, cluster, update, subject, before, options, nodegroup=None, addon=None, resumed=False,
                started=None, first_delay=None):
    """Wait for ``update`` to end; return its record, or raise ModuleError when it did not succeed.

    ``started`` is the ``time.monotonic()`` reading the update's duration counts from (now when not given), and its
    first poll's delay: an update started with others and waited on after them is polled as soon as it is due.
    ``first_delay``: seconds a like update took (the hop before), when its first poll should wait for that long.
    """
    since = started
    started = time.monotonic() if started is None else started
    try:
        final = wait_for_update(clients, cluster, update["id"], nodegroup=nodegroup, addon=addon, since=since,
                                first_delay=first_delay, **options)
    except UpdateTimeout as exc:
        # Still running in AWS: report it (InProgress) so the failed task still shows what it started.
        exc.details["update"] = record(update, subject, before, resumed=resumed, started=started)
        raise
    entry = record(final, subject, before, resumed=resumed, started=started)
    if final.get("status") != SUCCESSFUL:
        errors = "; ".join(
            "%s: %s%s" % (e.get("errorCode"), e.get("errorMessage"),
                          " (%s)" % ", ".join(e["resourceIds"]) if e.get("resourceIds") else "")
            for e in final.get("errors") or []) or "no error details"
        raise ModuleError("Update %s of %s ended %s: %s" % (update["id"], subject, final.get("status"), errors),
                          {"update": entry, "aws_errors": entry["errors"]})
    return entry


def see_through_or_report(clients, cluster, update, subject, before, options, nodegroup=None, resumed=False,
                          started=None):
    """``see_through`` for one of several updates started together: ``(record, None)``, or ``(record, error)`` when it
    did not succeed, so that the caller sees the others through before it fails."""
    try:
        return see_through(clients, cluster, update, subject, before, options, nodegroup=nodegroup, resumed=resumed,
                           started=started), None
    except ModuleError as exc:
        return exc.details.get("update") or record(update, subject, before, resumed=resumed, started=started), exc
