"""eks_cluster_upgrade against the emulated world: hops, node groups first, resume, failures, no-ops."""
from __future__ import annotations

import datetime

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import cluster_upgrade
from ansible_collections.lifecycle.eks.plugins.modules import eks_cluster_upgrade as module
from tests.conftest import mutating_calls
from tests.unit.plugins.modules.helpers import FAST_WAIT, HOUR, log_position, records


def upgrade_args(args, name, target, **extra):
    return args(name, target_version=target, **dict(FAST_WAIT, **extra))


def version_updates(world, since=0, cluster=None):
    return records(world, since, cluster=cluster, operation="UpdateClusterVersion")


def test_one_hop_then_rerun_changes_nothing(make_world, run_module, args):
    world = make_world("healthy")
    result = run_module(module, upgrade_args(args, "healthy-129", "1.30"))
    assert not result.failed, result.get("msg")
    assert result["changed"] is True
    assert result["version_before"] == "1.29"
    assert result["version_after"] == "1.30"
    [update] = result["updates"]
    assert update["id"] and update["status"] == "Successful"
    assert update["subject"] == "cluster healthy-129"
    assert (update["from"], update["to"]) == ("1.29", "1.30")
    assert update["resumed"] is False and update["errors"] == []
    assert isinstance(update["duration_s"], float)
    assert result["plan"]["feasible"] is True
    summary = world.summary()["healthy-129"]
    assert summary["version"] == "1.30"
    assert summary["status"] == "ACTIVE"
    assert summary["kube_version"].startswith("v1.30.")
    assert len(version_updates(world)) == 1

    before = log_position(world)
    again = run_module(module, upgrade_args(args, "healthy-129", "1.30"))
    assert not again.failed, again.get("msg")
    assert again["changed"] is False
    assert again["updates"] == []
    assert again["version_before"] == again["version_after"] == "1.30"
    assert mutating_calls(world, before) == []


def test_each_hop_records_what_a_rollback_needs(make_world, run_module, args):
    """Before each control plane hop: add-on and node group versions, the version before, the time."""
    world = make_world("healthy")
    before = world.summary()["healthy-129"]
    result = run_module(module, upgrade_args(args, "healthy-129", "1.30"))
    assert not result.failed, result.get("msg")
    [update] = result["updates"]
    record = update["rollback_record"]
    assert (record["cluster"], record["from_version"], record["to_version"]) == ("healthy-129", "1.29", "1.30")
    assert record["addons"] == before["addons"] and set(record["addons"]) == {"vpc-cni", "coredns", "kube-proxy"}
    assert record["nodegroups"] == {"general": {"version": "1.29",
                                                "release_version": before["nodegroups"]["general"]["release_version"]}}
    recorded = datetime.datetime.fromisoformat(record["recorded_at"])
    assert abs(datetime.datetime.now(datetime.timezone.utc) - recorded) < datetime.timedelta(minutes=5)
    # Read before the hop: the reads come before UpdateClusterVersion in the request log.
    operations = [r["operation"] for r in records(world, service="eks")]
    assert operations.index("DescribeAddon") < operations.index("UpdateClusterVersion")


def test_without_kubeconfig(make_world, run_module, args):
    world = make_world("healthy")
    result = run_module(module, upgrade_args(args, "healthy-129", "1.30", kubeconfig=None))
    assert not result.failed, result.get("msg")
    assert world.summary()["healthy-129"]["version"] == "1.30"
    assert all(r["status"] == 200 for r in records(world, service="k8s"))


def test_check_mode_plans_and_sends_nothing(make_world, run_module, args):
    world = make_world("demo")
    result = run_module(module, upgrade_args(args, "staging-use1", "1.30", upgrade_nodegroups=True), check_mode=True)
    assert not result.failed, result.get("msg")
    assert result["changed"] is True
    assert result["updates"] == []
    assert result["version_after"] == "1.30"
    hops = result["plan"]["hops"]
    assert [(h["from_version"], h["to_version"]) for h in hops] == [("1.28", "1.29"), ("1.29", "1.30")]
    assert hops[0]["nodegroups_before"] == ["general"]
    assert mutating_calls(world) == []
    assert world.summary()["staging-use1"]["version"] == "1.28"


def test_diff_mode_shows_versions_before_and_after(make_world, run_module, args):
    make_world("nodes-behind")
    result = run_module(module, upgrade_args(args, "nodes-behind-129", "1.30", upgrade_nodegroups=True),
                        check_mode=True, diff=True)
    assert result["diff"] == {
        "before": {"version": "1.29", "nodegroups": {"general": "1.28", "batch": "1.29"}},
        "after": {"version": "1.30", "nodegroups": {"general": "1.29", "batch": "1.29"}},
    }


def test_node_groups_behind_are_refused_without_upgrade_nodegroups(make_world, run_module, args):
    world = make_world("nodes-behind")
    result = run_module(module, upgrade_args(args, "nodes-behind-129", "1.30"))
    assert result.failed
    assert result["changed"] is False
    assert "managed-nodegroup-behind" in [b["id"] for b in result["blockers"]]
    assert "managed-nodegroup-behind" in result["msg"]
    assert "No legal upgrade path from 1.29 to 1.30" in result["msg"]
    assert mutating_calls(world) == []


def test_node_groups_are_updated_before_the_control_plane(make_world, run_module, args):
    world = make_world("nodes-behind")
    result = run_module(module, upgrade_args(args, "nodes-behind-129", "1.30", upgrade_nodegroups=True))
    assert not result.failed, result.get("msg")
    assert [(u["subject"], u["from"], u["status"]) for u in result["updates"]] == [
        ("node group general", "1.28", "Successful"),
        ("cluster nodes-behind-129", "1.29", "Successful"),
    ]
    operations = [r["operation"] for r in mutating_calls(world)]
    assert operations == ["UpdateNodegroupVersion", "UpdateClusterVersion"]
    summary = world.summary()["nodes-behind-129"]
    assert summary["version"] == "1.30"
    assert summary["nodegroups"]["general"]["version"] == "1.29"


def test_multi_hop_with_node_groups(make_world, run_module, args):
    world = make_world("demo")
    result = run_module(module, upgrade_args(args, "staging-use1", "1.30", upgrade_nodegroups=True))
    assert not result.failed, result.get("msg")
    assert result["version_after"] == "1.30"
    assert len(version_updates(world, cluster="staging-use1")) == 2
    subjects = [u["subject"] for u in result["updates"]]
    assert subjects == ["node group general", "cluster staging-use1", "node group general", "node group spot",
                        "cluster staging-use1"]
    # One rollback record per control plane hop, taken after the node groups caught up for that hop.
    hops = [u["rollback_record"] for u in result["updates"] if "rollback_record" in u]
    assert [(r["from_version"], r["to_version"]) for r in hops] == [("1.28", "1.29"), ("1.29", "1.30")]
    assert [{n: g["version"] for n, g in r["nodegroups"].items()} for r in hops] == [
        {"general": "1.28", "spot": "1.28"}, {"general": "1.29", "spot": "1.29"}]
    summary = world.summary()["staging-use1"]
    assert summary["version"] == "1.30"
    assert {ng: v["version"] for ng, v in summary["nodegroups"].items()} == {"general": "1.29", "spot": "1.29"}
    assert world.summary()["dev-use1"]["version"] == "1.29"


def test_node_groups_behind_a_hop_are_all_started_before_they_are_waited_on(make_world, run_module, args):
    """As eks_nodegroup_upgrade does after the hops: EKS updates a cluster's node groups side by side."""
    world = make_world("demo")
    result = run_module(module, upgrade_args(args, "staging-use1", "1.30", upgrade_nodegroups=True))
    assert not result.failed, result.get("msg")
    calls = [r["operation"] for r in records(world, cluster="staging-use1")
             if r["operation"] in ("UpdateNodegroupVersion", "DescribeUpdate", "UpdateClusterVersion")]
    after_first_hop = calls[calls.index("UpdateClusterVersion") + 1:]
    before_second = after_first_hop[after_first_hop.index("UpdateNodegroupVersion"):]
    # Both node groups started before either is polled.
    assert before_second[:3] == ["UpdateNodegroupVersion", "UpdateNodegroupVersion", "DescribeUpdate"]
    assert [(u["subject"], u["status"]) for u in result["updates"][2:4]] == [
        ("node group general", "Successful"), ("node group spot", "Successful")]


def test_a_hop_after_another_is_first_polled_when_the_one_before_had_taken(make_world, run_module, args, monkeypatch):
    """Its early polls would use up the budget (6 a minute) and hold back the one that sees it end."""
    waits = []

    def watched(*a, **kw):
        waits.append((a[3], kw.get("first_delay")))
        return see_through(*a, **kw)

    see_through = cluster_upgrade.see_through
    monkeypatch.setattr(cluster_upgrade, "see_through", watched)
    make_world("healthy")
    result = run_module(module, upgrade_args(args, "healthy-129", "1.31", upgrade_nodegroups=True))
    assert not result.failed, result.get("msg")
    first_hop = result["updates"][0]
    assert waits == [("cluster healthy-129", None), ("cluster healthy-129", first_hop["duration_s"])]


# The blocked group comes first: before, its failure stopped the module before the other was started.
TWO_GROUPS_ONE_BLOCKED = {"clusters": [{"name": "pdb-129", "version": "1.29", "nodegroups": [
    {"name": "apps", "version": "1.28", "desired_size": 2, "pdb_blocks_drain": True},
    {"name": "batch", "version": "1.28", "desired_size": 1}],
    "pdbs": [{"name": "payments", "namespace": "payments", "max_unavailable": 0}]}]}


def test_a_node_group_failing_before_a_hop_leaves_the_others_seen_through_and_the_hop_unstarted(
        make_world, run_module, args):
    world = make_world(TWO_GROUPS_ONE_BLOCKED)
    result = run_module(module, upgrade_args(args, "pdb-129", "1.30", upgrade_nodegroups=True))
    assert result.failed
    assert "node group apps ended Failed: PodEvictionFailure" in result["msg"]
    assert result["changed"] is True
    assert [(u["subject"], u["status"]) for u in result["updates"]] == [
        ("node group apps", "Failed"), ("node group batch", "Successful")]
    assert [e["errorCode"] for e in result["aws_errors"]] == ["PodEvictionFailure"]
    assert "UpdateClusterVersion" not in [r["operation"] for r in mutating_calls(world)]
    summary = world.summary()["pdb-129"]
    assert summary["version"] == "1.29"
    versions = {name: group["version"] for name, group in summary["nodegroups"].items()}
    assert versions == {"apps": "1.28", "batch": "1.29"}


def test_target_lower_than_the_cluster(make_world, run_module, args):
    world = make_world("healthy")
    result = run_module(module, upgrade_args(args, "healthy-129", "1.28"))
    assert result.failed
    assert "lower than" in result["msg"] and "cannot be downgraded" in result["msg"]
    assert mutating_calls(world) == []


def test_target_unknown_to_eks(make_world, run_module, args):
    world = make_world("healthy")
    result = run_module(module, upgrade_args(args, "healthy-129", "1.40"))
    assert result.failed
    assert "1.40 is unknown to Amazon EKS" in result["msg"]
    assert "1.29" in result["msg"] and "1.34" in result["msg"]
    assert mutating_calls(world) == []


@pytest.mark.parametrize("target, fix", [
    ("1.3", "'1.30'"),
    ("latest", "MAJOR.MINOR"),
    ("v1.29", "without the 'v'"),
    ("1.29.1", "dropping the patch"),
    ("", "is empty"),
])
def test_malformed_target(make_world, run_module, args, target, fix):
    world = make_world("healthy")
    result = run_module(module, upgrade_args(args, "healthy-129", target))
    assert result.failed
    assert fix in result["msg"]
    assert result["api_calls"] == 0
    assert mutating_calls(world) == []


def test_unknown_cluster(make_world, run_module, args):
    world = make_world("healthy")
    result = run_module(module, upgrade_args(args, "ghost", "1.30", kubeconfig=None))
    assert result.failed
    assert result["msg"] == ("Failed to describe cluster ghost: ResourceNotFoundException: "
                             "No cluster found for name: ghost.")
    assert result["error_code"] == "ResourceNotFoundException"
    assert mutating_calls(world) == []


def test_update_in_progress_is_resumed(make_world, run_module, args, finish_when_waited):
    world = make_world("update-in-progress", cluster_update_s=HOUR)
    finish_when_waited(world)
    result = run_module(module, upgrade_args(args, "updating-129", "1.30"))
    assert not result.failed, result.get("msg")
    assert result["changed"] is True
    [update] = result["updates"]
    assert update["resumed"] is True and update["status"] == "Successful"
    assert version_updates(world) == []
    assert world.summary()["updating-129"]["version"] == "1.30"


def test_update_in_progress_in_check_mode(make_world, run_module, args):
    world = make_world("update-in-progress", cluster_update_s=HOUR)
    result = run_module(module, upgrade_args(args, "updating-129", "1.30"), check_mode=True)
    assert not result.failed, result.get("msg")
    [update] = result["updates"]
    assert update["resumed"] is True and update["status"] == "InProgress"
    assert mutating_calls(world) == []


def test_failed_update_reports_aws_errors(make_world, run_module, args):
    world = make_world("subnet-3-ips")
    result = run_module(module, upgrade_args(args, "tight-subnet-129", "1.30"))
    assert result.failed
    assert "InsufficientFreeAddresses" in result["msg"]
    assert "ended Failed" in result["msg"]
    assert [e["errorCode"] for e in result["aws_errors"]] == ["InsufficientFreeAddresses"]
    [update] = result["updates"]
    assert update["status"] == "Failed"
    assert result["changed"] is True
    summary = world.summary()["tight-subnet-129"]
    assert summary["version"] == "1.29"
    assert summary["status"] == "ACTIVE"


def test_wait_false_starts_one_hop(make_world, run_module, args):
    world = make_world("healthy", cluster_update_s=HOUR)
    result = run_module(module, upgrade_args(args, "healthy-129", "1.31", upgrade_nodegroups=True, wait=False))
    assert not result.failed, result.get("msg")
    assert result["changed"] is True
    [update] = result["updates"]
    assert update["status"] == "InProgress" and update["to"] == "1.30"
    assert result["version_after"] == "1.29"
    assert len(version_updates(world)) == 1
    assert world.summary()["healthy-129"]["status"] == "UPDATING"


def test_concurrent_update_is_waited_out(make_world, run_module, args, finish_when_waited):
    """Another operator starts the same hop just before our UpdateClusterVersion (ResourceInUse)."""
    world = make_world("healthy", cluster_update_s=HOUR)
    finish_when_waited(world)
    world.state.faults.set("healthy-129", concurrent_update=True)
    result = run_module(module, upgrade_args(args, "healthy-129", "1.30"))
    assert not result.failed, result.get("msg")
    [update] = result["updates"]
    assert update["resumed"] is True and update["status"] == "Successful"
    [refused] = version_updates(world)
    assert refused["status"] == 409
    assert world.summary()["healthy-129"]["version"] == "1.30"


def test_concurrent_platform_update_then_own_hop(make_world, run_module, args, monkeypatch, finish_when_waited):
    """A concurrent update that does not move the minor: wait for it, then send our own hop."""
    world = make_world("healthy", cluster_update_s=HOUR)
    finish_when_waited(world)
    real_plan_for = cluster_upgrade.plan_for

    def racing_plan_for(*a, **kw):
        planned = real_plan_for(*a, **kw)
        world.aws.begin_cluster_update("healthy-129", "1.29")
        return planned

    monkeypatch.setattr(cluster_upgrade, "plan_for", racing_plan_for)
    result = run_module(module, upgrade_args(args, "healthy-129", "1.30"))
    assert not result.failed, result.get("msg")
    assert [(u["resumed"], u["to"], u["status"]) for u in result["updates"]] == [
        (True, "1.29", "Successful"), (False, "1.30", "Successful")]
    # Only our hop to 1.30 carries the rollback record; the other operator's update moved no minor.
    assert ["rollback_record" in u for u in result["updates"]] == [False, True]
    assert [r["status"] for r in version_updates(world)] == [409, 200]
    assert world.summary()["healthy-129"]["version"] == "1.30"


def test_wait_timeout_names_the_update_and_says_rerun(make_world, run_module, args, finish_when_waited):
    world = make_world("healthy", cluster_update_s=HOUR)
    result = run_module(module, upgrade_args(args, "healthy-129", "1.30", wait_timeout=1))
    assert result.failed
    update_id = result["update_id"]
    assert update_id in result["msg"]
    assert "Rerun" in result["msg"]
    [sent] = version_updates(world)
    assert sent["status"] == 200
    # What was started is reported, so the caller knows the cluster is changing.
    assert result["changed"] is True
    assert [(u["id"], u["status"]) for u in result["updates"]] == [(update_id, "InProgress")]

    # The advice holds: a rerun resumes that update instead of starting another.
    finish_when_waited(world)
    rerun = run_module(module, upgrade_args(args, "healthy-129", "1.30"))
    assert not rerun.failed, rerun.get("msg")
    assert [(u["id"], u["resumed"], u["status"]) for u in rerun["updates"]] == [(update_id, True, "Successful")]
    assert len(version_updates(world)) == 1


def test_other_aws_refusal_is_reported(make_world, run_module, args):
    """An insight-enforcing EKS refuses the hop with InvalidStateException; force overrides it."""
    world = make_world("healthy")
    world.aws.set_insight_enforcement(True)
    world.aws.add_insight("healthy-129", "Deprecated APIs removed in Kubernetes v1.30", kubernetes_version="1.30")
    result = run_module(module, upgrade_args(args, "healthy-129", "1.30"))
    assert result.failed
    assert "InvalidStateException" in result["msg"]
    assert result["changed"] is False
    assert (result["force"], result["overridden_insights"]) == (False, [])
    forced = run_module(module, upgrade_args(args, "healthy-129", "1.30", force=True))
    assert not forced.failed, forced.get("msg")
    assert world.summary()["healthy-129"]["version"] == "1.30"
    # force is an explicit opt-in the result records, with the readiness errors it went past on each hop.
    assert forced["force"] is True
    assert [(i["kubernetes_version"], i["name"], i["status"]) for i in forced["overridden_insights"]] == [
        ("1.30", "Deprecated APIs removed in Kubernetes v1.30", "ERROR")]
    assert forced["overridden_insights"][0]["id"] and forced["overridden_insights"][0]["reason"]


def test_unreachable_kubernetes_api_stops_before_any_change(make_world, run_module, args, fast_k8s_retries):
    world = make_world("healthy")
    world.state.faults.set("healthy-129", k8s_unreachable=True)
    result = run_module(module, upgrade_args(args, "healthy-129", "1.30"))
    assert result.failed
    assert "Kubernetes API of cluster healthy-129 unreachable" in result["msg"]
    assert mutating_calls(world) == []


# A custom-AMI node group whose launch template has a version with a 1.30 AMI: two hops from 1.29 need it on 1.30
# before 1.30 -> 1.31, which only that launch template version can do.
CUSTOM_TWO_HOPS = {"clusters": [{"name": "custom-129", "version": "1.29", "nodegroups": [
    {"name": "custom", "version": "1.29", "ami_type": "CUSTOM", "desired_size": 1,
     "launch_template": {"name": "custom-nodes", "versions": ["1.29", "1.30"]}}]}]}


def test_custom_ami_is_moved_between_hops_with_its_launch_template_version(make_world, run_module, args):
    world = make_world(CUSTOM_TWO_HOPS)
    blocked = run_module(module, upgrade_args(args, "custom-129", "1.31", upgrade_nodegroups=True))
    assert blocked.failed and "custom-ami-nodegroup" in blocked["msg"]
    assert "launch template version built for 1.30" in blocked["msg"]
    assert mutating_calls(world) == []

    before = log_position(world)
    result = run_module(module, upgrade_args(args, "custom-129", "1.31", upgrade_nodegroups=True,
                                             nodegroup_launch_templates={"custom": {"version": "2",
                                                                                    "kubernetes_version": "1.30"}}))
    assert not result.failed, result.get("msg")
    assert [(u["subject"], u["to"]) for u in result["updates"]] == [
        ("cluster custom-129", "1.30"), ("node group custom", "1.30"), ("cluster custom-129", "1.31")]
    [node_update] = [r for r in mutating_calls(world, before) if r["operation"] == "UpdateNodegroupVersion"]
    # Only the launch template: EKS refuses version and releaseVersion for custom AMIs.
    assert node_update["fields"] == ["clientRequestToken", "launchTemplate", "launchTemplate.id",
                                     "launchTemplate.version"]
    operations = [r["operation"] for r in world.state.log.as_dicts(before)]
    # The launch template version is checked before the first change.
    assert operations.index("DescribeLaunchTemplateVersions") < operations.index("UpdateClusterVersion")
    summary = world.summary()["custom-129"]
    assert summary["version"] == "1.31" and summary["nodegroups"]["custom"]["version"] == "1.30"
    # One launch template version moves it once: it stays on 1.30, reported as left for step 5.
    assert "custom-ami-nodegroup" in [w["id"] for w in result["plan"]["warnings"]]


def test_a_missing_launch_template_version_stops_the_run_before_any_change(make_world, run_module, args):
    world = make_world(CUSTOM_TWO_HOPS)
    result = run_module(module, upgrade_args(args, "custom-129", "1.31", upgrade_nodegroups=True,
                                             nodegroup_launch_templates={"custom": {"version": "5",
                                                                                    "kubernetes_version": "1.30"}}))
    assert result.failed
    assert result["msg"].startswith("Launch template version 5 of custom-nodes (lt-")
    assert "given in nodegroup_launch_templates for node group custom of cluster custom-129, does not exist" in \
        result["msg"]
    assert mutating_calls(world) == []
    assert world.summary()["custom-129"]["version"] == "1.29"


def test_check_mode_plans_the_launch_template_update_and_sends_nothing(make_world, run_module, args):
    world = make_world(CUSTOM_TWO_HOPS)
    result = run_module(module, upgrade_args(args, "custom-129", "1.31", upgrade_nodegroups=True,
                                             nodegroup_launch_templates={"custom": {"version": "2",
                                                                                    "kubernetes_version": "1.30"}}),
                        check_mode=True)
    assert not result.failed, result.get("msg")
    assert [hop["nodegroups_before"] for hop in result["plan"]["hops"]] == [[], ["custom"]]
    assert mutating_calls(world) == []


@pytest.mark.parametrize("launch_templates, message", [
    ({"custom": "latest"}, "nodegroup_launch_templates.custom.version must be a launch template version number"),
    ({"custom": {"version": "2", "kubernetes_version": "1.30.1"}},
     "nodegroup_launch_templates.custom.kubernetes_version: target version '1.30.1' is not in EKS's MAJOR.MINOR form"),
])
def test_malformed_launch_templates_are_refused_before_any_call(make_world, run_module, args, launch_templates,
                                                                message):
    world = make_world(CUSTOM_TWO_HOPS)
    result = run_module(module, upgrade_args(args, "custom-129", "1.31", nodegroup_launch_templates=launch_templates))
    assert result.failed and message in result["msg"]
    assert records(world) == []


def test_a_node_group_call_failing_between_hops_reports_the_hop_done(make_world, run_module, args, monkeypatch,
                                                                     no_aws_retries):
    """EKS answers 500 to the UpdateNodegroupVersion between two hops: the failure still lists the first hop."""
    from ansible_collections.lifecycle.eks.plugins.module_utils.aws import Clients

    world = make_world("healthy")
    real_update = Clients.update_nodegroup_version

    def failing(self, *a, **kw):
        world.state.faults.set("healthy-129", error_rate=1.0)
        return real_update(self, *a, **kw)

    monkeypatch.setattr(Clients, "update_nodegroup_version", failing)
    result = run_module(module, upgrade_args(args, "healthy-129", "1.31", upgrade_nodegroups=True))
    assert result.failed
    assert "update node group general of cluster healthy-129" in result["msg"]
    assert result.get("changed") is True
    [hop] = result.get("updates", [])
    assert (hop["subject"], hop["from"], hop["to"], hop["status"]) == ("cluster healthy-129", "1.29", "1.30",
                                                                       "Successful")
    assert hop["rollback_record"]["from_version"] == "1.29"
    assert result["plan"]["target"] == "1.31"
    assert "version_after" not in result  # the planned 1.31 was not reached
    world.state.faults.clear()
    assert world.summary()["healthy-129"]["version"] == "1.30"


# --- the plan preflight computed (option plan) ----------------------------------------------------------------------

def preflight_plan(run_module, args, name, target, **extra):
    from ansible_collections.lifecycle.eks.plugins.modules import eks_upgrade_preflight

    result = run_module(eks_upgrade_preflight, args(name, target_version=target, **extra), check_mode=True)
    assert not result.failed, result.get("msg")
    return result["plan"]


def test_given_preflight_s_plan_it_rereads_only_the_cluster_then_follows_it(make_world, run_module, args):
    world = make_world("healthy")
    plan = preflight_plan(run_module, args, "healthy-129", "1.30")
    before = log_position(world)
    checked = run_module(module, upgrade_args(args, "healthy-129", "1.30", plan=plan), check_mode=True)
    assert not checked.failed, checked.get("msg")
    # The re-check is one DescribeCluster: no node group, node, add-on or EKS version read again.
    assert [r["operation"] for r in records(world, before)] == ["DescribeCluster"]
    assert (checked["planned_by"], checked["api_calls"], checked["changed"]) == ("preflight", 1, True)
    assert checked["plan"]["hops"] == plan["hops"]

    result = run_module(module, upgrade_args(args, "healthy-129", "1.30", plan=plan))
    assert not result.failed, result.get("msg")
    assert (result["planned_by"], result["version_after"]) == ("preflight", "1.30")
    # One ListNodegroups: the hop's rollback record (node group versions just before it), not a second gathering.
    assert len(records(world, before, operation="ListNodegroups")) == 1
    assert not records(world, before, operation="DescribeClusterVersions")
    # Rerun with the same plan: the cluster is at the target, so nothing is stale and nothing changes.
    again = run_module(module, upgrade_args(args, "healthy-129", "1.30", plan=plan))
    assert not again.failed, again.get("msg")
    assert (again["changed"], again["planned_by"]) == (False, "module")


def test_a_plan_for_another_cluster_target_or_version_is_refused_before_any_change(make_world, run_module, args):
    world = make_world("healthy")
    plan = preflight_plan(run_module, args, "healthy-129", "1.30")
    before = log_position(world)
    other = dict(plan, computed_from=dict(plan["computed_from"], cluster="prod-eu"))
    refused = run_module(module, upgrade_args(args, "healthy-129", "1.30", plan=other))
    assert refused.failed and "computed for cluster prod-eu, not healthy-129" in refused["msg"]
    stale = dict(plan, computed_from=dict(plan["computed_from"], version="1.28"))
    refused = run_module(module, upgrade_args(args, "healthy-129", "1.30", plan=stale))
    assert refused.failed and "starts from 1.28, but cluster healthy-129 is at 1.29 now" in refused["msg"]
    assert "Run the preflight again" in refused["msg"]
    refused = run_module(module, upgrade_args(args, "healthy-129", "1.30", plan={"hops": []}))
    assert refused.failed and "computed_from lacks" in refused["msg"]
    assert mutating_calls(world, before) == []
    assert world.summary()["healthy-129"]["version"] == "1.29"
