# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter lifecycle.eks.fleet_status: where each cluster of an upgrade stands, from what the run leaves in shared
stores (checkpoint, claim, cluster report), and how many clusters are at each stage (playbooks/status.yml)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

# In the order a cluster goes through them, then interrupted (a rerun resumes it); done, blocked and failed end its run.
STAGES = ("waiting", "control plane", "nodes", "add-ons", "finishing", "done", "interrupted", "blocked", "failed")
# The stage a cluster is in once this step (the last it finished) is recorded: checkpoint.STEPS, in their order.
AFTER_STEP = {"control_plane": "nodes", "nodegroups": "add-ons", "self_managed_nodes": "add-ons",
              "cluster_autoscaler": "add-ons", "nvidia_device_plugin": "add-ons", "addons": "finishing",
              "fargate_redeploy": "finishing"}
REPORTED = {"upgraded": "done", "finished": "done", "blocked": "blocked", "failed": "failed", "planned": "waiting"}


def cluster_stage(stands, claim=None, report=None, target_version=None, run_id=None):
    """``(stage, detail)`` of one cluster.

    ``stands`` is eks_checkpoint_info's (for ``target_version``), ``claim`` its ``claim`` (None without one), and
    ``report`` the cluster's report (roles/report) or None. A report ends the cluster's run when it is of the
    target (and of ``run_id`` when given) and no other run holds the cluster now; a claim says a job works on it.
    """
    stands = stands or {}
    holder = None
    if claim:
        holder = "run %s (%s) since %s" % (claim.get("run_id"), claim.get("holder"), claim.get("claimed_at"))
    if report and _report_counts(report, claim, target_version, run_id):
        stage = REPORTED.get(report.get("status"), "waiting")
        return stage, "report of run %s: %s" % (report.get("run_id"), report.get("status"))
    finished = stands.get("finished_steps") or []
    if finished:
        stage = AFTER_STEP.get(finished[-1], "finishing")
        if stage == "finishing" and not claim:
            return "done", "every step recorded (last: %s)" % finished[-1]
        return stage, "last step finished: %s at %s%s" % (finished[-1], stands.get("finished_at"),
                                                          ", claimed by " + holder if holder else "")
    if claim:
        return "control plane", "claimed by %s; no step finished yet" % holder
    started = stands.get("started_steps") or []
    if started:
        return "interrupted", "a failed task left EKS updates of %s started: rerun to resume" % ", ".join(started)
    return "waiting", "nothing recorded toward %s yet" % (target_version or "the target")


def _report_counts(report, claim, target_version, run_id):
    if run_id and report.get("run_id") != run_id:
        return False
    if target_version and str(report.get("target_version")) != str(target_version):
        return False
    return not claim or claim.get("run_id") == report.get("run_id") and report.get("status") != "planned"


def fleet_status(hosts, checkpoints, reports=None, target_version=None, run_id=None):
    """Per cluster (``hosts``, with eks_checkpoint_info's result of each in ``checkpoints``, in the same order, and
    ``reports`` by host) its stage and why, and the number of clusters at each stage (every stage, in order)."""
    reports = reports or {}
    if len(hosts) != len(checkpoints):
        raise ValueError("fleet_status: %d hosts but %d checkpoint results" % (len(hosts), len(checkpoints)))
    rows = []
    for host, result in zip(hosts, checkpoints):
        result = result or {}
        stage, detail = cluster_stage(result.get("stands"), result.get("claim"), reports.get(host),
                                      target_version, run_id)
        rows.append({"cluster": host, "stage": stage, "detail": detail})
    counts = dict((stage, sum(1 for row in rows if row["stage"] == stage)) for stage in STAGES)
    return {"total": len(rows), "counts": counts, "clusters": rows,
            "ended": counts["done"] + counts["blocked"] + counts["failed"]}


class FilterModule:
    def filters(self):
        return {"fleet_status": fleet_status}
