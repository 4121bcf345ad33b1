# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter lifecycle.eks.fleet_timeline: where each cluster's updates fall on the run's time axis (HTML summary)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime


def _clock(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%H:%M:%S")


def fleet_timeline(summary):
    """One row per cluster of ``summary`` (lifecycle.eks.fleet_summary), its updates placed in percent of the run.

    A cluster's updates ran one after the other and ended when its checkpoint was last written, so each is placed
    back from that time by the durations after it; a cluster with no time keeps its order from the run's start.
    """
    rows = []
    for row in summary.get("clusters") or []:
        timeline = row.get("timeline") or {}
        segments = timeline.get("segments") or []
        ended = timeline.get("ended_at")
        total = sum(segment["duration_s"] for segment in segments)
        rows.append((row, segments, None if ended is None else ended - total, total))
    starts = [start for _row, _segments, start, _total in rows if start is not None]
    first = min(starts) if starts else 0.0
    last = max([start + total for _row, _segments, start, total in rows if start is not None] + [first]
               + [first + total for _row, _segments, start, total in rows if start is None])
    span = max(last - first, 1.0)
    out = []
    for row, segments, start, _total in rows:
        at = first if start is None else start
        placed = []
        for segment in segments:
            placed.append(dict(segment, left=round(100.0 * (at - first) / span, 3),
                               width=round(max(100.0 * segment["duration_s"] / span, 0.2), 3)))
            at += segment["duration_s"]
        out.append({"cluster": row["cluster"], "status": row["status"], "segments": placed})
    return {"rows": out, "started": _clock(first) if starts else "", "ended": _clock(last) if starts else "",
            "span_s": round(last - first, 1)}


class FilterModule:
    def filters(self):
        return {"fleet_timeline": fleet_timeline}
