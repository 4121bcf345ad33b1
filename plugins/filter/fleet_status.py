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


def cluster_stage(stands, claim=None, report=None, target_version=None, run_id=None, progress=None):
    """``(stage, detail)`` of one cluster.

    ``stands`` is eks_checkpoint_info's (for ``target_version``), ``claim`` its ``claim`` (None without one), and
    ``report`` the cluster's report (roles/report) or None. A report ends the cluster's run when it is of the
    target (and of ``run_id`` when given) and no other run holds the cluster now; a claim says a job works on it.
    ``progress`` is eks_checkpoint_info's ``progress`` (the hop the control-plane step is on), or None.
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
    hop = hop_line(progress) if _progress_counts(progress, claim, target_version) else None
    if claim:
        if hop:
            return "control plane", "%s; claimed by %s" % (hop, holder)
        return "control plane", "claimed by %s; no step finished yet" % holder
    started = stands.get("started_steps") or []
    if started:
        return "interrupted", "a failed task left EKS updates of %s started%s: rerun to resume" % (
            ", ".join(started), " (last progress: %s)" % hop if hop else "")
    if hop:
        # Command-line runs hold no claim: only the progress says the step runs, or ran until the run stopped.
        return "control plane", "%s; run %s holds no claim: if it has stopped, rerun it to resume" % (
            hop, progress.get("run_id"))
    return "waiting", "nothing recorded toward %s yet" % (target_version or "the target")


def hop_line(progress):
    """``hop 2 of 3 (1.29 -> 1.30): updating``, with the node group, the update and when the hop started."""
    phase = progress.get("phase")
    if progress.get("nodegroup"):
        phase = "%s (%s)" % (phase, progress["nodegroup"])
    return "hop %s of %s (%s -> %s): %s, since %s%s" % (
        progress.get("hop"), progress.get("hops"), progress.get("from_version"), progress.get("to_version"), phase,
        progress.get("hop_started_at"), ", update %s" % progress["update_id"] if progress.get("update_id") else "")


def _progress_counts(progress, claim, target_version):
    """The progress of the control-plane step toward the target, of the run holding the cluster (written after it
    claimed it) when a run holds it; the caller asks only while no step is finished."""
    if not progress:
        return False
    if target_version and str(progress.get("target_version")) != str(target_version):
        return False
    if claim:
        return progress.get("run_id") == claim.get("run_id") and \
            str(progress.get("updated_at")) >= str(claim.get("claimed_at"))
    return True


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
                                      target_version, run_id, result.get("progress"))
        rows.append({"cluster": host, "stage": stage, "detail": detail})
    counts = dict((stage, sum(1 for row in rows if row["stage"] == stage)) for stage in STAGES)
    return {"total": len(rows), "counts": counts, "clusters": rows,
            "ended": counts["done"] + counts["blocked"] + counts["failed"]}


class FilterModule:
    def filters(self):
        return {"fleet_status": fleet_status}
