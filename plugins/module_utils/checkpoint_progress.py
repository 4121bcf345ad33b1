# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the control-plane step of a cluster stands while it runs: which hop, which phase, which update.

eks_cluster_upgrade writes it into the checkpoint store when a hop starts or its phase changes, and deletes it when
the step ends well (a run cut short leaves it, showing where it stopped). It lies beside the checkpoint, never in it
(``progress/<name>``, as claims are kept under ``claims/``): the steps a rerun skips stay those the playbook
records, and a progress record that cannot be written costs only a warning. status.yml reads it
(eks_checkpoint_info read_progress) to show "hop 2 of 3 (1.29 -> 1.30): updating"::

    {"schema_version": 1, "cluster": "prod-eu", "run_id": "awx-42", "target_version": "1.30", "hop": 2, "hops": 3,
     "from_version": "1.29", "to_version": "1.30", "phase": "updating", "update_id": "...", "nodegroup": null,
     "hop_started_at": "2026-01-01T12:20:00Z", "updated_at": "2026-01-01T12:21:00Z"}
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint import utc_now, validate_name
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError

PROGRESS_SCHEMA_VERSION = 1
# The phases of a hop, in order: node groups brought to the control plane's minor first (when the hop needs them),
# then the control plane's UpdateClusterVersion and its wait.
NODEGROUPS = "node groups"
UPDATING = "updating"
PHASES = (NODEGROUPS, UPDATING)
PROGRESS_FIELDS = ("run_id", "target_version", "from_version", "to_version", "phase", "hop_started_at", "updated_at")


def encode_progress(progress):
    return json.dumps(progress, indent=2, sort_keys=True) + "\n"


def decode_progress(text, name):
    """A stored progress record, or None when it is not one of this cluster's: it only informs, so a damaged
    record is shown as no record rather than failing whoever reads it."""
    try:
        progress = json.loads(text.decode("utf-8") if isinstance(text, bytes) else text)
    except (UnicodeDecodeError, ValueError):
        return None
    if (not isinstance(progress, dict) or progress.get("schema_version") != PROGRESS_SCHEMA_VERSION
            or progress.get("cluster") != name or progress.get("phase") not in PHASES
            or not all(isinstance(progress.get(key), str) for key in PROGRESS_FIELDS)
            or not all(isinstance(progress.get(key), int) and not isinstance(progress.get(key), bool)
                       for key in ("hop", "hops"))):
        return None
    return progress


def progress_argument_spec():
    """eks_cluster_upgrade's ``progress`` option: the checkpoint store's settings (doc fragment checkpoint) and the
    run writing the record."""
    return dict(
        cluster=dict(type="str", required=True),
        run_id=dict(type="str", required=True),
        backend=dict(type="str", choices=["local", "s3", "dynamodb"], default="local"),
        path=dict(type="path"),
        bucket=dict(type="str"),
        key_prefix=dict(type="str", no_log=False),
        table=dict(type="str"),
        region=dict(type="str"),
    )


class ProgressRecorder:
    """Writes a cluster's progress record when a hop starts or its phase (or update) changes, never on a poll.

    ``open_store(params)`` returns the store; it is opened at the first write. A write that fails (the store is
    unreachable, the directory not writable) is a warning of ``warn``: the upgrade goes on, and no further write is
    tried in this run. ``params`` None records nothing (no progress option, or check mode).
    """

    def __init__(self, params, target_version, open_store, warn, now=utc_now):
        self.params = params
        self.target_version = str(target_version)
        self.open_store = open_store
        self.warn = warn
        self.now = now
        self.store = None
        self.broken = params is None
        self.current = None
        self.writes = 0

    def finish(self):
        """The step ended well: its record goes (status.yml then goes by the checkpoint). A record that cannot be
        deleted is a warning; one of a run cut short stays, to show where it stopped."""
        if self.broken or not self.writes:
            return
        try:
            self.store.delete_progress(validate_name(self.params["cluster"]))
        except Exception as exc:  # pylint: disable=broad-except
            self.warn("The progress record %s of the finished control plane step could not be deleted: %s."
                      % (self.store.progress_location(self.params["cluster"]),
                         exc.message if isinstance(exc, ModuleError) else exc))

    def hop(self, index, total, from_version, to_version, phase, update_id=None, nodegroup=None):
        """Hop ``index`` of ``total`` (from 1) is in ``phase``, on ``update_id`` when one was started."""
        if self.broken:
            return
        now = self.now()
        same_hop = self.current is not None and self.current["hop"] == index and \
            self.current["to_version"] == to_version
        record = {"schema_version": PROGRESS_SCHEMA_VERSION, "cluster": self.params["cluster"],
                  "run_id": self.params["run_id"], "target_version": self.target_version, "hop": index,
                  "hops": total, "from_version": from_version, "to_version": to_version, "phase": phase,
                  "update_id": update_id, "nodegroup": nodegroup,
                  "hop_started_at": self.current["hop_started_at"] if same_hop else now, "updated_at": now}
        if same_hop and all(self.current[key] == record[key] for key in ("phase", "update_id", "nodegroup")):
            return
        self.current = record
        try:
            if self.store is None:
                self.store = self.open_store(self.params)
            self.store.write_progress(validate_name(self.params["cluster"]), record)
            self.writes += 1
        except Exception as exc:  # pylint: disable=broad-except
            # Any failure, AWS or file system: progress is for watchers, the upgrade must not stop for it.
            self.broken = True
            where = ""
            if self.store is not None:
                where = " in %s" % self.store.progress_location(self.params["cluster"])
            self.warn("The progress of the control plane step (hop %d of %d) could not be recorded%s: %s. The upgrade "
                      "goes on; status.yml shows the step without its hop until the step ends."
                      % (index, total, where, exc.message if isinstance(exc, ModuleError) else exc))
