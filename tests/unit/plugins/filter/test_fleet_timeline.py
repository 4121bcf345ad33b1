# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The timeline of the HTML fleet summary: one row per cluster, updates placed in time, failures marked.

No browser can be installed here, so the page the report role renders for 1,000 clusters is parsed instead.
"""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2

from ansible_collections.lifecycle.eks.plugins.filter.fleet_summary import fleet_summary
from ansible_collections.lifecycle.eks.plugins.filter.fleet_timeline import fleet_timeline

ROOT = Path(__file__).resolve().parents[4]
RUN = "awx-40"


def update(subject: str, before: str, after: str, seconds: float, status: str = "Successful") -> dict[str, Any]:
    return {"id": f"u-{subject}", "subject": subject, "from": before, "to": after, "status": status,
            "duration_s": seconds}


def report(name: str, ended: str, failed: bool = False) -> dict[str, Any]:
    """A cluster report of two hops, a node group and an add-on (the add-on update failed when ``failed``)."""
    hops = [update("cluster " + name, "1.28", "1.29", 60), update("cluster " + name, "1.29", "1.30", 60)]
    addon = update("add-on coredns", "v1.10", "v1.11", 10, "Failed" if failed else "Successful")
    return {"cluster": name, "run_id": RUN, "status": "failed" if failed else "upgraded",
            "control_plane": {"updates": hops},
            "post_upgrade": {"nodegroup_updates": [update("node group general", "1.29", "1.30", 30)],
                             "addon_updates": [] if failed else [addon]},
            "failure": {"msg": "add-on failed", "updates": [addon]} if failed else {},
            "checkpoint": {"updated_at": ended}}


class Rows(HTMLParser):
    """The timeline's rows: each cluster's row classes and its segments' classes and positions."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, Any]] = {}
        self.current: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "div" and "tl-row" in classes:
            cluster = attributes["data-cluster"] or ""
            assert cluster not in self.rows, f"two rows for {cluster}"
            self.current = self.rows[cluster] = {"classes": classes, "segments": []}
        elif tag == "i" and "tl-seg" in classes and self.current is not None:
            style = dict(part.split(":") for part in (attributes.get("style") or "").split(";") if part)
            self.current["segments"].append({"classes": classes, "left": float(style["left"].rstrip("%")),
                                             "width": float(style["width"].rstrip("%")),
                                             "title": attributes.get("title")})


def render(summary: dict[str, Any]) -> str:
    """fleet-summary.html.j2 as the report role renders it (Jinja with the collection's filter)."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(ROOT / "roles" / "report" / "templates")),
                                     autoescape=False)
    environment.filters["lifecycle.eks.fleet_timeline"] = fleet_timeline
    return environment.get_template("fleet-summary.html.j2").render(report_fleet=dict(summary, target_version="1.30"))


def test_a_thousand_clusters_get_one_row_each_in_waves_with_failures_marked():
    names = [f"cluster-{n:04d}" for n in range(1000)]
    # A canary, then two waves: each cluster ends 160 s after its wave began (a failed one earlier, at its add-on).
    reports = [report(name, "2026-12-05T10:02:40Z" if n == 0 else
                      "2026-12-05T10:05:40Z" if n < 250 else "2026-12-05T10:09:00Z", failed=n % 100 == 7)
               for n, name in enumerate(names)]
    summary = fleet_summary(reports, names + ["never-reached"], RUN)
    parser = Rows()
    parser.feed(render(summary))
    assert sorted(parser.rows) == sorted(names + ["never-reached"])

    canary, first_wave, second_wave = (parser.rows[name] for name in ("cluster-0000", "cluster-0100", "cluster-0900"))
    assert [segment["classes"][1] for segment in canary["segments"]] == ["tl-hop", "tl-hop", "tl-nodegroup", "tl-addon"]
    assert canary["segments"][0]["left"] == 0.0
    assert canary["segments"][0]["left"] < first_wave["segments"][0]["left"] < second_wave["segments"][0]["left"]
    # One after the other, each as wide as its duration, the last one ending at the right edge.
    hop, second_hop = second_wave["segments"][:2]
    assert abs(hop["left"] + hop["width"] - second_hop["left"]) < 0.01
    assert abs(second_wave["segments"][-1]["left"] + second_wave["segments"][-1]["width"] - 100.0) < 0.01
    assert second_wave["segments"][-1]["title"] == "add-on coredns v1.10->v1.11 (10.0 s)"

    failed = parser.rows["cluster-0107"]
    assert "failed" in failed["classes"]
    assert failed["segments"][-1]["classes"] == ["tl-seg", "tl-failed", "failed"]
    assert sum("failed" in row["classes"] for row in parser.rows.values()) == 10
    assert parser.rows["never-reached"] == {"classes": ["tl-row", "not-run"], "segments": []}


def test_clusters_without_a_checkpoint_time_start_at_the_runs_start():
    untimed = report("untimed", "")
    timeline = fleet_timeline(fleet_summary([untimed, report("timed", "2026-12-05T10:02:40Z")], ["untimed", "timed"],
                                            RUN))
    rows = {row["cluster"]: row for row in timeline["rows"]}
    assert rows["untimed"]["segments"][0]["left"] == rows["timed"]["segments"][0]["left"] == 0.0
    assert (timeline["started"], timeline["ended"], timeline["span_s"]) == ("10:00:00", "10:02:40", 160.0)
    assert fleet_timeline({"clusters": []}) == {"rows": [], "started": "", "ended": "", "span_s": 0.0}
