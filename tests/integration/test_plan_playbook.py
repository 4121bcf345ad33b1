"""playbooks/plan.yml end to end: a fleet on different versions and upgrade policies ranked by urgency."""
from __future__ import annotations

import datetime
import json

import pytest

from tests.conftest import mutating_calls
from tests.integration.conftest import JSON_RESULTS, add_host
from tests.integration.permissions import aws_actions, policy_actions

pytestmark = pytest.mark.integration

TODAY = "2026-11-01"
# One cluster per urgency level on TODAY, by AWS's calendar (eks-api-notes.md), most urgent first.
FLEET = {"target_version": "1.34", "clusters": [
    # left extended support on 2026-07-23: overdue by 101 days
    {"name": "batch-130", "version": "1.30", "nodegroups": [{"name": "general", "version": "1.30"}]},
    # STANDARD policy: left standard support on 2026-07-29, so EKS may upgrade it at any time (95 days ago)
    {"name": "web-133-std", "version": "1.33", "upgrade_policy": "STANDARD",
     "nodegroups": [{"name": "general", "version": "1.33"}]},
    # extended support (billed) ends 2026-11-26: critical, 25 days; its own target
    {"name": "api-131", "version": "1.31", "target_version": "1.32",
     "nodegroups": [{"name": "general", "version": "1.31"}]},
    # STANDARD policy: standard support ends 2026-12-02: high, 31 days; already on the target
    {"name": "edge-134", "version": "1.34", "upgrade_policy": "STANDARD"},
    # extended support (billed) ends 2027-03-23: medium, 142 days; a kubelet 1.29 caps the path at 1.32
    {"name": "data-132", "version": "1.32", "self_managed_nodes": [{"name": "legacy-1", "kubelet": "1.29"}]},
    # the same, billed at its own (higher) extended rate: within the level it ranks before data-132
    {"name": "reports-132", "version": "1.32",
     "inventory_vars": {"eks_control_plane_hourly_rates": {"extended": 0.70}}},
    # extended support (billed) ends 2027-07-29: low, 270 days
    {"name": "ml-133", "version": "1.33", "nodegroups": [{"name": "gpu", "version": "1.33", "gpu": True}]},
]}
EXPECTED = [  # cluster, urgency, deadline, days left, hops
    ("batch-130", "overdue", "2026-07-23", -101, ["1.30->1.31", "1.31->1.32", "1.32->1.33", "1.33->1.34"]),
    ("web-133-std", "overdue", "2026-07-29", -95, ["1.33->1.34"]),
    ("api-131", "critical", "2026-11-26", 25, ["1.31->1.32"]),
    ("edge-134", "high", "2026-12-02", 31, []),
    ("reports-132", "medium", "2027-03-23", 142, ["1.32->1.33", "1.33->1.34"]),
    ("data-132", "medium", "2027-03-23", 142, []),
    ("ml-133", "low", "2027-07-29", 270, ["1.33->1.34"]),
]


def test_fleet_is_ranked_by_urgency_with_deadlines_and_hops(make_world, run_playbook, tmp_path):
    world = make_world(FLEET)
    add_host(tmp_path / "world" / "inventory.yml", "ghost", {"eks_cluster_name": "ghost-cluster",
                                                             "eks_target_version": "1.34"})
    before = len(world.state.log.records())
    # JSON results: the YAML callback folds long lines of the printed ranking.
    run = run_playbook(world, {"eks_plan_today": TODAY}, playbook="playbooks/plan.yml",
                       env=JSON_RESULTS)

    assert mutating_calls(world, before) == []
    sent = aws_actions(world.state.log.as_dicts(before))
    assert sent <= policy_actions("iam-policy-readonly.json")
    assert sent == {"eks:DescribeCluster", "eks:DescribeClusterVersions", "eks:ListNodegroups",
                    "eks:DescribeNodegroup"}

    # The cluster that could not be read is reported and fails the run, after the plan of the others is written.
    assert run.rc != 0
    assert "Clusters not planned: ghost: Failed to describe cluster ghost-cluster: ResourceNotFoundException" \
        in run.output, run.output[-3000:]
    plan = json.loads((run.report_dir / "fleet-plan.json").read_text())
    assert plan["today"] == TODAY
    assert [(row["cluster"], row["urgency"], row["deadline"], row["days_to_deadline"], row["hops"])
            for row in plan["clusters"]] == EXPECTED
    assert plan["order"] == [cluster for cluster, *_rest in EXPECTED]
    assert [row["rank"] for row in plan["clusters"]] == [1, 2, 3, 4, 5, 6, 7]
    assert plan["counts"] == {"overdue": 2, "critical": 1, "high": 1, "medium": 2, "low": 1}
    assert plan["errors"] == [{"cluster": "ghost", "msg": "Failed to describe cluster ghost-cluster: "
                               "ResourceNotFoundException: No cluster found for name: ghost-cluster."}]
    assert (plan["total"], plan["ok"]) == (8, False)

    rows = {row["cluster"]: row for row in plan["clusters"]}
    # Policies decide the deadline: STANDARD ends with standard support, EXTENDED (billed) with extended.
    assert {name: (row["upgrade_policy"], row["deadline_event"]) for name, row in rows.items()} == {
        "batch-130": ("EXTENDED", "end-of-extended-support"), "web-133-std": ("STANDARD", "end-of-standard-support"),
        "api-131": ("EXTENDED", "end-of-extended-support"), "edge-134": ("STANDARD", "end-of-standard-support"),
        "data-132": ("EXTENDED", "end-of-extended-support"), "ml-133": ("EXTENDED", "end-of-extended-support"),
        "reports-132": ("EXTENDED", "end-of-extended-support")}
    assert plan["extended_support_billed"] == ["api-131", "reports-132", "data-132", "ml-133"]
    # What each control plane costs over standard support at AWS's $0.10 / $0.60 an hour (reports-132: $0.70,
    # its inventory's eks_control_plane_hourly_rates): now per hour, and until EKS upgrades it if nobody does.
    assert {name: (row["hourly_rate"], row["extra_hourly_cost"], row["extra_cost_to_deadline"])
            for name, row in rows.items()} == {
        "batch-130": (0.1, 0.0, 0.0), "web-133-std": (0.1, 0.0, 0.0), "api-131": (0.6, 0.5, 300.0),
        "edge-134": (0.1, 0.0, 0.0), "reports-132": (0.7, 0.6, 2044.8), "data-132": (0.6, 0.5, 1704.0),
        "ml-133": (0.6, 0.5, 3240.0)}
    assert plan["cost"] == {"extra_hourly_cost": 2.1, "extra_monthly_cost": 1533.0, "extra_cost_to_deadline": 7288.8}
    # Upgrading api-131 to 1.32 keeps it in extended support: the same extra per hour, for 142 days more.
    assert rows["api-131"]["target_support"]["extra_hourly_cost"] == 0.5
    assert rows["batch-130"]["status"] == "unsupported" and rows["web-133-std"]["status"] == "extended"
    # Hops: node groups caught up before each later hop; a per-cluster target; a kubelet that caps the path.
    assert [hop["nodegroups_before"] for hop in rows["batch-130"]["plan"]["hops"]] == [
        [], ["general"], ["general"], ["general"]]
    assert rows["api-131"]["target_version"] == "1.32"
    assert rows["api-131"]["target_support"] == {"status": "extended", "urgency": "medium",
                                                 "deadline": "2027-03-23", "days_to_deadline": 142,
                                                 "end_of_standard_support": "2026-03-23", "extra_hourly_cost": 0.5}
    assert rows["edge-134"]["plan"]["is_noop"] is True
    assert rows["data-132"]["plan_feasible"] is False
    assert [(b["id"], b["subject"]) for b in rows["data-132"]["blockers"]] == [
        ("self-managed-kubelet-skew", "legacy-1")]

    markdown = (run.report_dir / "fleet-plan.md").read_text()
    assert markdown.startswith(f"# EKS fleet support plan ({TODAY})")
    assert ("overdue: 2 · critical: 1 · high: 1 · medium: 2 · low: 1 · billed for extended support: 4 ($2.10 more "
            "per hour, $1,533.00 a month) · waiting until EKS upgrades: $7,288.80 more · not planned: 1") in markdown
    assert ("| 1 | batch-130 | 1.30 | EXTENDED | unsupported | +$0.00 | overdue | 2026-07-23 (end of extended "
            "support) | 101 days ago | +$0.00 | 1.34 | 1.30->1.31, 1.31->1.32, 1.32->1.33, 1.33->1.34 |") in markdown
    assert "| 6 | data-132 | 1.32 | EXTENDED | extended | +$0.50 | medium |" in markdown
    assert ("| 5 | reports-132 | 1.32 | EXTENDED | extended | +$0.60 | medium | 2027-03-23 (end of extended support) "
            "| in 142 days | +$2,044.80 |") in markdown
    assert ("| 4 | edge-134 | 1.34 | STANDARD | standard | +$0.00 | high | 2026-12-02 (end of standard support) | "
            "in 31 days | +$0.00 | 1.34 | none (on target) |") in markdown
    assert ("Extended support costs $0.60 per hour instead of $0.10: $0.50 more per hour ($365.00 a month); staying on "
            "1.31 until EKS upgrades the cluster on 2026-11-26 costs $300.00 more (25 days of extended support).") \
        in markdown
    assert ("Control-plane price per cluster hour: $0.10 in standard support, $0.60 in extended support; $0.10 in "
            "standard support, $0.70 in extended support (AWS's published price unless eks_control_plane_hourly_rates "
            "sets another)") in markdown
    assert "blocked: self-managed-kubelet-skew |" in markdown
    assert "## Not planned\n\n- **ghost**: Failed to describe cluster ghost-cluster" in markdown
    page = (run.report_dir / "fleet-plan.html").read_text()
    assert '<span class="urgency critical">critical</span>' in page and "<td>api-131</td>" in page
    assert "<td>+$2,044.80</td>" in page

    # The short ranking and the AWX artifacts.
    for line in ("1. batch-130 (1.30, EXTENDED): overdue, deadline 2026-07-23 (101 days ago), hops: 1.30->1.31, "
                 "1.31->1.32, 1.32->1.33, 1.33->1.34",
                 "3. api-131 (1.31, EXTENDED): critical, deadline 2026-11-26 (in 25 days), +$0.50/h now, waiting "
                 "costs +$300.00, hops: 1.31->1.32",
                 "4. edge-134 (1.34, STANDARD): high, deadline 2026-12-02 (in 31 days), hops: none (on target)",
                 "6. data-132 (1.32, EXTENDED): medium, deadline 2027-03-23 (in 142 days), +$0.50/h now, waiting "
                 "costs +$1704.00, hops: blocked: self-managed-kubelet-skew",
                 "not planned: ghost: Failed to describe cluster ghost-cluster"):
        assert line in run.output, line
    assert run.custom_stats()["eks_fleet_plan"]["cost"] == plan["cost"]
    assert "eks_fleet_plan_dir" in run.custom_stats()


def test_check_mode_writes_the_plan_for_today_and_sends_nothing_mutating(make_world, run_playbook):
    world = make_world({"clusters": [{"name": "solo", "version": "1.33", "upgrade_policy": "STANDARD"}]})
    run = run_playbook(world, {}, check=True, playbook="playbooks/plan.yml")
    assert run.rc == 0, run.output[-3000:]
    assert mutating_calls(world) == []
    plan = json.loads((run.report_dir / "fleet-plan.json").read_text())
    today = datetime.datetime.now(datetime.timezone.utc).date()
    assert plan["today"] in (today.isoformat(), (today - datetime.timedelta(days=1)).isoformat())
    (row,) = plan["clusters"]
    assert (row["cluster"], row["upgrade_policy"], row["target_version"], row["hops"]) == ("solo", "STANDARD",
                                                                                           None, [])
    assert row["days_to_deadline"] == (datetime.date(2026, 7, 29) - datetime.date.fromisoformat(plan["today"])).days
    assert plan["ok"] is True and (run.report_dir / "fleet-plan.md").is_file()


@pytest.mark.parametrize("day", ["01/11/2026", "2026-02-30"])
def test_a_bad_planning_date_stops_the_run_before_any_call(make_world, run_playbook, day):
    world = make_world({"clusters": [{"name": "solo", "version": "1.33"}]})
    run = run_playbook(world, {"eks_plan_today": day}, playbook="playbooks/plan.yml")
    assert run.rc != 0
    assert f"eks_plan_today must be a date written YYYY-MM-DD, for example 2026-11-01; got '{day}'" in run.output
    assert world.state.log.records() == []
    assert not (run.report_dir / "fleet-plan.json").exists()
