# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each cluster's entry of a wave result (eks_wave, eks_fleet_preflight), kept on the controller for the whole run.

Why: the result a run_once task registers is set on every host of the batch, so each host of a wave of N clusters
carries all N entries, and ansible-core 2.17 walks all of them whenever a template of one host reads its own
(docs/performance.md: 1,000 hosts, +74% for two such reads per host). Kept here, the registered result says only where
the entries are (STORED), and each host reads its own file. The directory is made in ansible-core's temporary
directory of the run (DEFAULT_LOCAL_TMP), which ansible-playbook removes when it ends; the entries are only this run's.
"""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from urllib.parse import quote

from ansible import constants as C

STORED = "stored_entries"


def keep(result: dict) -> dict:
    """``result`` with its ``clusters`` written to a new directory of the controller, one file per cluster, and
    replaced by STORED: ``{path, count}``. A result without clusters (the module failed) is returned as it is."""
    clusters = result.get("clusters")
    if not isinstance(clusters, Mapping):
        return result
    directory = tempfile.mkdtemp(prefix="lifecycle-eks-wave-", dir=C.DEFAULT_LOCAL_TMP)
    for name, entry in clusters.items():
        with open(os.path.join(directory, _file_name(name)), "w", encoding="utf-8") as stream:
            json.dump(entry, stream)
    kept = {key: value for key, value in result.items() if key != "clusters"}
    kept[STORED] = {"path": directory, "count": len(clusters)}
    return kept


def entry_of(result: object, name: str) -> dict | None:
    """The entry of cluster ``name`` in a wave result, whether kept (STORED) or in its ``clusters``; None when the
    result has none for it (a skipped wave, a cluster the wave did not run)."""
    if not isinstance(result, Mapping):
        return None
    if isinstance(result.get("clusters"), Mapping):
        entry = result["clusters"].get(name)
        return dict(entry) if isinstance(entry, Mapping) else None
    stored = result.get(STORED)
    if not isinstance(stored, Mapping):
        return None
    try:
        with open(os.path.join(str(stored["path"]), _file_name(name)), encoding="utf-8") as stream:
            return json.load(stream)
    except FileNotFoundError:
        return None


def _file_name(name: str) -> str:
    # An inventory host name may hold a "/" or other characters a file name cannot.
    return quote(str(name), safe="") + ".json"
