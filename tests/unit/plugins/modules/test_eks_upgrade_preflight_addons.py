"""eks_upgrade_preflight's check addon-compatibility against the emulated world: what it says, and what it reads."""
from __future__ import annotations

from collections import Counter

from ansible_collections.lifecycle.eks.plugins.modules import eks_upgrade_preflight as module
from tests.conftest import mutating_calls
from tests.unit.plugins.modules.helpers import log_position, records

ADDON_READS = ("DescribeAddon", "DescribeAddonVersions")
# Two hops with 1.29's default add-ons: the VPC CNI v1.18.1 (EKS lists it up to 1.30) is fine on 1.30, not on 1.31.
TWO_HOPS = {"clusters": [{"name": "two-hops-129", "version": "1.29",
                          "nodegroups": [{"name": "general", "version": "1.29", "desired_size": 1}]}]}


def preflight(run_module, args, name, target, **extra):
    result = run_module(module, args(name, target_version=target, skip_checks=["kubectl-client"], **extra),
                        check_mode=True)
    assert not result.failed, result.get("msg")
    return result, {c["id"]: c for c in result["checks"]}


def addon_reads(world, since, name):
    return Counter(r["operation"] for r in records(world, since) if r["operation"] in ADDON_READS
                   and r["cluster"] in (name, None))


def test_an_add_on_with_no_version_for_the_next_minor_blocks_and_says_to_stay_or_remove_it(make_world, run_module,
                                                                                           args):
    world = make_world("addon-no-version-131")
    result, checks = preflight(run_module, args, "telemetry-130", "1.31")
    check = checks["addon-compatibility"]
    assert check["status"] == "fail"
    assert check["message"] == ("EKS add-on acme_telemetry-agent (v2.4.0-eksbuild.1) has no version compatible with "
                                "Kubernetes 1.31 (hop 1.30 -> 1.31): Amazon EKS lists none (DescribeAddonVersions).")
    assert check["remediation"].startswith("Stay at 1.30 (target_version 1.30) until a version of "
                                           "acme_telemetry-agent for 1.31 is published")
    assert "aws eks delete-addon --cluster-name telemetry-130 --addon-name acme_telemetry-agent --preserve" in \
        check["remediation"]
    assert result["summary"]["blocked"] is True
    assert mutating_calls(world) == []


def test_an_add_on_the_next_minor_does_not_support_names_the_version_to_move_to_first(make_world, run_module, args):
    world = make_world("addon-no-version-131")
    before = log_position(world)
    result, checks = preflight(run_module, args, "coredns-behind-129", "1.30")
    check = checks["addon-compatibility"]
    assert check["status"] == "fail"
    assert check["message"] == ("EKS add-on coredns (v1.10.1-eksbuild.38) is not supported by Amazon EKS on Kubernetes "
                                "1.30 (hop 1.29 -> 1.30); v1.11.4-eksbuild.22 supports both 1.29 and 1.30.")
    assert ("lifecycle.eks.eks_addon_update with addons: [{name: coredns, version: v1.11.4-eksbuild.22}]"
            in check["remediation"])
    assert result["addon_compatibility"] == [{
        "addon": "coredns", "version": "v1.10.1-eksbuild.38", "from_version": "1.29", "to_version": "1.30",
        "first_hop": True, "verdict": "move-first", "blocks": True, "move_to": "v1.11.4-eksbuild.22",
        "move_now": True, "after_hop": "v1.11.1-eksbuild.4"}]
    # EKS's insight said ERROR: it was described (its add-on versions), then each add-on and its catalog were read.
    assert addon_reads(world, before, "coredns-behind-129") == {"DescribeAddon": 3, "DescribeAddonVersions": 3}
    assert len(records(world, before, operation="DescribeInsight")) == 1


def test_a_later_hop_warns_naming_a_version_the_cluster_accepts_now(make_world, run_module, args):
    world = make_world(TWO_HOPS)
    before = log_position(world)
    result, checks = preflight(run_module, args, "two-hops-129", "1.31", upgrade_nodegroups=True)
    check = checks["addon-compatibility"]
    assert check["status"] == "warn", check
    assert check["message"].startswith("EKS add-on vpc-cni (v1.18.1-eksbuild.3) is not supported by Amazon EKS on "
                                       "Kubernetes 1.31 (hop 1.30 -> 1.31).")
    assert check["remediation"].startswith("Update vpc-cni to v1.20.1-eksbuild.3 now")
    assert [p["verdict"] for p in result["addon_compatibility"]] == ["move-first"]
    assert result["summary"]["blocked"] is False, result["summary"]
    # Two hops: EKS's insight vouches for 1.30; their catalog says which installed versions could differ on 1.31.
    # Only the VPC CNI's can (v1.18.1 is compatible with 1.30, not with 1.31): it alone is described.
    assert addon_reads(world, before, "two-hops-129") == {"DescribeAddon": 1, "DescribeAddonVersions": 3}


def test_nothing_more_is_read_when_the_insight_vouches_no_hop_is_pending_or_the_check_is_skipped(
        make_world, run_module, args):
    world = make_world(TWO_HOPS)
    before = log_position(world)
    _result, checks = preflight(run_module, args, "two-hops-129", "1.30")
    assert checks["addon-compatibility"]["status"] == "pass"
    assert checks["addon-compatibility"]["message"].startswith(
        "EKS's upgrade insight \"EKS add-on version compatibility\" for 1.30 is PASSING")
    _result, checks = preflight(run_module, args, "two-hops-129", "1.29")
    assert checks["addon-compatibility"]["message"] == "No control-plane hop is pending."
    result = run_module(module, args("two-hops-129", target_version="1.31",
                                     skip_checks=["kubectl-client", "addon-compatibility"]), check_mode=True)
    assert {c["id"]: c["status"] for c in result["checks"]}["addon-compatibility"] == "skipped"
    assert result["addon_compatibility"] == []
    assert addon_reads(world, before, "two-hops-129") == {}
