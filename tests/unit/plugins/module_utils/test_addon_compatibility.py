# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Add-on compatibility along an upgrade path (addons.py path_problems, path_verdict; check addon-compatibility) and
the versions eks_addon_update refuses to send (choose_version, refused_steps), each rule on both sides."""
import pytest
from botocore.loaders import Loader
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.lifecycle.eks.plugins.module_utils import addons, insights
from ansible_collections.lifecycle.eks.plugins.module_utils.addons import (
    MOVE_FIRST,
    NO_VERSION,
    UNSUPPORTED_UNTIL_UPDATED,
    AddonChoiceError,
    catalog_entry,
    choose_version,
    compatible_minors,
    path_problems,
    path_verdict,
    problem_text,
    refused_steps,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.checks import FAIL, PASS, WARN, run_checks
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import parse_addon_version, parse_kube_version
from tests.unit.plugins.module_utils.test_checks import by_id, make_facts

PROPERTY = settings(max_examples=80, deadline=None)


def span(first, last):
    return ["1.%d" % minor for minor in range(int(first.split(".")[1]), int(last.split(".")[1]) + 1)]


def catalog(**releases):
    """{add-on: catalog_entry}; each add-on given as {version: minors} (its defaults: none)."""
    return {name.replace("_", "-"): {"versions": dict(versions), "defaults": {}} for name, versions in releases.items()}


COREDNS = {"v1.12.1-eksbuild.2": span("1.33", "1.34"), "v1.11.4-eksbuild.22": span("1.29", "1.33"),
           "v1.10.1-eksbuild.38": span("1.27", "1.29"), "v1.9.3-eksbuild.19": span("1.24", "1.27")}
CNI = {"v1.20.1-eksbuild.3": span("1.27", "1.34"), "v1.19.0-eksbuild.1": span("1.24", "1.32"),
       "v1.18.1-eksbuild.3": span("1.22", "1.30")}
PROXY = {"v1.%d.0-eksbuild.1" % minor: ["1.%d" % minor] for minor in range(27, 35)}


def problems(installed, current, target, cat=None, insight_addons=()):
    cat = cat if cat is not None else catalog(coredns=COREDNS, vpc_cni=CNI, kube_proxy=PROXY)
    return path_problems(installed, cat, list(insight_addons), parse_kube_version(current), parse_kube_version(target))


def only(found):
    assert len(found) == 1, found
    return found[0]


# --- catalog_entry, compatible_minors ------------------------------------------------------------------------

def test_catalog_entry_reads_compatibilities_and_defaults_of_describe_addon_versions():
    info = {"addonName": "coredns", "addonVersions": [
        {"addonVersion": "v1.11.4-eksbuild.22", "compatibilities": [
            {"clusterVersion": "1.30", "platformVersions": ["*"], "defaultVersion": True},
            {"clusterVersion": "1.29", "platformVersions": ["*"], "defaultVersion": False}]},
        {"addonVersion": "v1.10.1-eksbuild.38", "compatibilities": None},
        {"addonVersion": "v1.9.3-eksbuild.19"},
        {"compatibilities": [{"clusterVersion": "1.30"}]},
        {"addonVersion": "v1.8.7-eksbuild.18", "compatibilities": [{"platformVersions": ["*"]}]}]}
    assert catalog_entry(info) == {"versions": {"v1.11.4-eksbuild.22": ["1.30", "1.29"]}, "defaults": {
        "1.30": "v1.11.4-eksbuild.22"}}
    assert catalog_entry({"addonName": "x"}) == {"versions": {}, "defaults": {}}


def test_an_insight_adds_what_it_lists_as_compatible_with_its_minor():
    cat = catalog(coredns={"v1.10.1-eksbuild.38": ["1.29"]})
    listed = [{"kubernetes_version": "1.30", "status": "ERROR", "addons": [
        {"name": "coredns", "compatible_versions": ["v1.10.1-eksbuild.38", "v1.11.4-eksbuild.22"]},
        {"name": "acme_agent", "compatible_versions": []}]}]
    assert compatible_minors(cat, listed) == {
        "coredns": {"v1.10.1-eksbuild.38": {"1.29", "1.30"}, "v1.11.4-eksbuild.22": {"1.30"}}, "acme_agent": {}}
    assert compatible_minors(cat) == {"coredns": {"v1.10.1-eksbuild.38": {"1.29"}}}


# --- path_problems: one hop ----------------------------------------------------------------------------------

@pytest.mark.parametrize("version", ["v1.11.4-eksbuild.22", "v1.12.1-eksbuild.2"])
def test_a_version_the_next_minor_supports_is_no_problem(version):
    # v1.12.1 is not supported on 1.32, the cluster's own minor: that is the add-on step's business, not the hop's.
    assert problems({"coredns": version}, "1.32", "1.33") == []


def test_installed_version_the_next_minor_does_not_support_with_one_that_supports_both_blocks_naming_it():
    found = only(problems({"coredns": "v1.10.1-eksbuild.38"}, "1.29", "1.30"))
    assert found == {"addon": "coredns", "version": "v1.10.1-eksbuild.38", "from_version": "1.29", "to_version": "1.30",
                     "first_hop": True, "verdict": MOVE_FIRST, "blocks": True, "move_to": "v1.11.4-eksbuild.22",
                     "move_now": True, "after_hop": "v1.11.4-eksbuild.22"}


def test_no_version_for_the_next_minor_blocks_with_no_version_to_move_to():
    cat = catalog(acme_agent={"v2.4.0-eksbuild.1": ["1.29", "1.30"], "v2.3.2-eksbuild.1": span("1.28", "1.30")})
    found = only(problems({"acme-agent": "v2.4.0-eksbuild.1"}, "1.30", "1.31", cat))
    assert (found["verdict"], found["blocks"], found["move_to"], found["after_hop"]) == (NO_VERSION, True, None, None)
    # One version for 1.31 and the add-on can move: no longer "no version".
    cat["acme-agent"]["versions"]["v2.5.0-eksbuild.1"] = ["1.30", "1.31"]
    found = only(problems({"acme-agent": "v2.4.0-eksbuild.1"}, "1.30", "1.31", cat))
    assert (found["verdict"], found["move_to"]) == (MOVE_FIRST, "v2.5.0-eksbuild.1")


def test_an_add_on_the_catalog_does_not_list_has_no_version():
    assert only(problems({"delisted": "v1.0.0-eksbuild.1"}, "1.29", "1.30"))["verdict"] == NO_VERSION


def test_only_a_newer_version_is_a_move():
    # The only version supporting both 1.29 and 1.30 is older than the installed one: add-ons are never downgraded.
    cat = catalog(agent={"v1.0.0-eksbuild.1": ["1.29", "1.30"], "v2.0.0-eksbuild.1": ["1.29"],
                         "v3.0.0-eksbuild.1": ["1.30", "1.31"]})
    found = only(problems({"agent": "v2.0.0-eksbuild.1"}, "1.29", "1.30", cat))
    assert (found["verdict"], found["blocks"], found["move_to"]) == (UNSUPPORTED_UNTIL_UPDATED, False, None)
    assert found["after_hop"] == "v3.0.0-eksbuild.1"
    # One build newer than the installed one supporting both: it is the move.
    cat["agent"]["versions"]["v2.0.1-eksbuild.1"] = ["1.29", "1.30"]
    assert only(problems({"agent": "v2.0.0-eksbuild.1"}, "1.29", "1.30", cat))["move_to"] == "v2.0.1-eksbuild.1"


def test_no_version_supporting_both_minors_warns_that_it_moves_after_the_hop():
    cat = {"agent": {"versions": {"v1.0.0-eksbuild.1": ["1.29"], "v2.0.0-eksbuild.1": ["1.30"]},
                     "defaults": {"1.30": "v2.0.0-eksbuild.1"}}}
    found = only(problems({"agent": "v1.0.0-eksbuild.1"}, "1.29", "1.30", cat))
    assert (found["verdict"], found["blocks"], found["after_hop"]) == (UNSUPPORTED_UNTIL_UPDATED, False,
                                                                       "v2.0.0-eksbuild.1")


def test_kube_proxy_follows_each_minor_and_is_judged_only_when_no_version_exists():
    assert problems({"kube-proxy": "v1.29.0-eksbuild.1"}, "1.29", "1.31") == []
    # The same versions under another name: it warns (no version supports both minors of a hop).
    assert only(problems({"other": "v1.29.0-eksbuild.1"}, "1.29", "1.31",
                         catalog(other=PROXY)))["verdict"] == UNSUPPORTED_UNTIL_UPDATED
    found = only(problems({"kube-proxy": "v1.33.0-eksbuild.1"}, "1.33", "1.35"))
    assert (found["to_version"], found["verdict"]) == ("1.35", NO_VERSION)


def test_the_insight_decides_when_it_lists_the_installed_version_for_its_minor():
    cat = catalog(coredns={"v1.10.1-eksbuild.38": ["1.29"], "v1.11.4-eksbuild.22": ["1.29", "1.30"]})
    assert only(problems({"coredns": "v1.10.1-eksbuild.38"}, "1.29", "1.30", cat))["verdict"] == MOVE_FIRST
    listed = [{"kubernetes_version": "1.30", "status": "ERROR", "addons": [
        {"name": "coredns", "compatible_versions": ["v1.10.1-eksbuild.38"]}]}]
    assert problems({"coredns": "v1.10.1-eksbuild.38"}, "1.29", "1.30", cat, listed) == []


@pytest.mark.parametrize("target", ["1.28", "1.29"])
def test_no_hop_no_problem(target):
    assert problems({"coredns": "v1.9.3-eksbuild.19"}, "1.29", target) == []


def test_versions_that_are_not_eks_add_on_versions_are_still_judged():
    cat = catalog(agent={"2024.1": ["1.29"], "2024.2": ["1.29", "1.30"]})
    assert only(problems({"agent": "2024.1"}, "1.29", "1.30", cat))["move_to"] == "2024.2"


# --- path_problems: several hops -----------------------------------------------------------------------------

def test_a_later_hop_warns_and_names_a_version_the_cluster_accepts_now():
    # vpc-cni v1.18.1 supports 1.22 to 1.30: fine on 1.30, not on 1.31.
    found = only(problems({"vpc-cni": "v1.18.1-eksbuild.3"}, "1.29", "1.31"))
    assert (found["from_version"], found["to_version"], found["first_hop"]) == ("1.30", "1.31", False)
    assert (found["verdict"], found["blocks"], found["move_to"], found["move_now"]) == (
        MOVE_FIRST, False, "v1.20.1-eksbuild.3", True)


def test_a_later_hop_whose_version_the_cluster_does_not_accept_now_says_where_to_stop():
    # coredns v1.10.1 (1.27-1.29) on 1.28 to 1.30: v1.11.4 supports 1.29 and 1.30, not 1.28.
    found = only(problems({"coredns": "v1.10.1-eksbuild.38"}, "1.28", "1.30"))
    assert (found["from_version"], found["verdict"], found["blocks"]) == ("1.29", MOVE_FIRST, False)
    assert (found["move_to"], found["move_now"]) == ("v1.11.4-eksbuild.22", False)


def test_the_newest_version_accepted_now_wins_over_a_newer_one_accepted_later():
    cat = catalog(agent={"v1.0.0-eksbuild.1": ["1.28", "1.29"], "v1.1.0-eksbuild.1": ["1.28", "1.29", "1.30"],
                         "v1.2.0-eksbuild.1": ["1.29", "1.30"]})
    found = only(problems({"agent": "v1.0.0-eksbuild.1"}, "1.28", "1.30", cat))
    assert (found["move_to"], found["move_now"]) == ("v1.1.0-eksbuild.1", True)
    del cat["agent"]["versions"]["v1.1.0-eksbuild.1"]
    found = only(problems({"agent": "v1.0.0-eksbuild.1"}, "1.28", "1.30", cat))
    assert (found["move_to"], found["move_now"]) == ("v1.2.0-eksbuild.1", False)


def test_one_entry_per_add_on_at_its_first_hop_then_only_hops_with_no_version():
    cat = catalog(agent={"v1.0.0-eksbuild.1": ["1.29"], "v1.1.0-eksbuild.1": ["1.29", "1.30", "1.31"]})
    found = problems({"agent": "v1.0.0-eksbuild.1"}, "1.29", "1.32", cat)
    assert [(p["to_version"], p["verdict"], p["blocks"]) for p in found] == [
        ("1.30", MOVE_FIRST, True), ("1.32", NO_VERSION, True)]


def test_add_ons_are_listed_in_name_order():
    found = problems({"vpc-cni": "v1.18.1-eksbuild.3", "coredns": "v1.10.1-eksbuild.38"}, "1.29", "1.31")
    assert [p["addon"] for p in found] == ["coredns", "vpc-cni"]


VERSIONS = st.sampled_from(["v1.%d.0-eksbuild.1" % n for n in range(6)])
MINORS = span("1.27", "1.33")


@PROPERTY
@given(releases=st.dictionaries(VERSIONS, st.sets(st.sampled_from(MINORS), max_size=4), max_size=5),
       installed=VERSIONS, current=st.integers(27, 31), hops=st.integers(0, 3))
def test_every_entry_is_what_its_verdict_says(releases, installed, current, hops):
    current, target = "1.%d" % current, "1.%d" % (current + hops)
    cat = catalog(agent={v: sorted(m) for v, m in releases.items()})
    found = problems({"agent": installed}, current, target, cat)
    path = span(current, target)
    supports = {v: set(m) for v, m in releases.items()}
    flagged = [p for p in found if p["verdict"] != NO_VERSION]
    assert len(flagged) <= 1
    for p in found:
        before, after = p["from_version"], p["to_version"]
        assert path.index(after) == path.index(before) + 1 and after not in supports.get(installed, ())
        assert p["first_hop"] is (before == current)
        on_after = [v for v in supports if after in supports[v]]
        assert (p["verdict"] == NO_VERSION) is (not on_after)
        assert p["blocks"] is (p["verdict"] == NO_VERSION or (p["verdict"] == MOVE_FIRST and p["first_hop"]))
        if p["verdict"] == MOVE_FIRST:
            move = p["move_to"]
            assert {before, after} <= supports[move]
            assert parse_addon_version(move) > parse_addon_version(installed)
            assert p["move_now"] is (set(path[:path.index(after) + 1]) <= supports[move])
        else:
            assert p["move_to"] is None
    # Nothing is missed: the first hop the installed version fails is always reported.
    failing = [m for m in path[1:] if m not in supports.get(installed, ())]
    assert bool(failing) is bool(found)
    if failing:
        assert found[0]["to_version"] == failing[0]


# --- the words -----------------------------------------------------------------------------------------------

def test_no_version_text_says_to_stay_or_remove_the_add_on():
    cat = catalog(acme_agent={"v2.4.0-eksbuild.1": ["1.29", "1.30"]})
    message, fix = problem_text(only(problems({"acme-agent": "v2.4.0-eksbuild.1"}, "1.30", "1.31", cat)), "prod")
    assert message == ("EKS add-on acme-agent (v2.4.0-eksbuild.1) has no version compatible with Kubernetes 1.31 "
                       "(hop 1.30 -> 1.31): Amazon EKS lists none (DescribeAddonVersions).")
    assert fix.startswith("Stay at 1.30 (target_version 1.30) until a version of acme-agent for 1.31 is published")
    assert "aws eks delete-addon --cluster-name prod --addon-name acme-agent --preserve" in fix


def test_move_first_text_names_the_version_the_module_and_what_eks_refuses():
    message, fix = problem_text(only(problems({"coredns": "v1.10.1-eksbuild.38"}, "1.29", "1.30")), "prod")
    assert message == ("EKS add-on coredns (v1.10.1-eksbuild.38) is not supported by Amazon EKS on Kubernetes 1.30 "
                       "(hop 1.29 -> 1.30); v1.11.4-eksbuild.22 supports both 1.29 and 1.30.")
    assert fix.startswith("Update coredns to v1.11.4-eksbuild.22 before the hop, while the control plane is on 1.29: "
                          "lifecycle.eks.eks_addon_update with addons: [{name: coredns, version: v1.11.4-eksbuild.22}]")
    assert '"Addon version specified is not supported"' in fix
    assert "one minor at a time" not in fix
    cni = catalog(vpc_cni={"v1.16.0-eksbuild.1": ["1.29"], "v1.19.0-eksbuild.1": ["1.29", "1.30"]})
    assert "it moves the VPC CNI one minor at a time" in problem_text(
        only(problems({"vpc-cni": "v1.16.0-eksbuild.1"}, "1.29", "1.30", cni)), "prod")[1]


def test_later_hop_texts_say_when_to_move():
    now_text = problem_text(only(problems({"vpc-cni": "v1.18.1-eksbuild.3"}, "1.29", "1.31")), "prod")
    assert "Add-ons are updated after the last hop, so it would run unsupported on 1.31 until then." in now_text[0]
    assert now_text[1].startswith("Update vpc-cni to v1.20.1-eksbuild.3 now (it supports every minor from the "
                                  "cluster's to 1.31)")
    later_text = problem_text(only(problems({"coredns": "v1.10.1-eksbuild.38"}, "1.28", "1.30")), "prod")
    assert later_text[1].startswith("Stop at 1.29 first (target_version 1.29), update coredns to "
                                    "v1.11.4-eksbuild.22 there (it supports 1.29 and 1.30)")


def test_unsupported_until_updated_text_names_the_version_after_the_hop():
    cat = {"agent": {"versions": {"v1.0.0-eksbuild.1": ["1.29"], "v2.0.0-eksbuild.1": ["1.30"]}, "defaults": {}}}
    message, fix = problem_text(only(problems({"agent": "v1.0.0-eksbuild.1"}, "1.29", "1.30", cat)), "prod")
    assert "no newer version supports both 1.29 and 1.30: it can only move once the control plane is on 1.30" in message
    assert fix == "The add-on step after the upgrade moves it to v2.0.0-eksbuild.1 (lifecycle.eks.eks_addon_update)."


# --- path_verdict and the check ------------------------------------------------------------------------------

def facts_with(installed, version="1.29", cat=None, insight_addons=()):
    return make_facts(version, addon_versions=installed,
                      addon_catalog=cat if cat is not None else catalog(coredns=COREDNS, vpc_cni=CNI,
                                                                        kube_proxy=PROXY),
                      addon_insights=list(insight_addons))


def test_verdict_passes_listing_the_add_ons_and_the_path():
    installed = {"coredns": "v1.11.4-eksbuild.22", "kube-proxy": "v1.29.0-eksbuild.1", "vpc-cni": "v1.20.1-eksbuild.3"}
    status, message, fix = path_verdict(facts_with(installed), parse_kube_version("1.31"))
    assert status == PASS and fix == ""
    assert message == ("The installed EKS add-ons (coredns v1.11.4-eksbuild.22, kube-proxy v1.29.0-eksbuild.1, "
                       "vpc-cni v1.20.1-eksbuild.3) have a version compatible with each minor of the path (1.30, "
                       "1.31); kube-proxy follows each minor: the add-on step moves it after the upgrade.")


@pytest.mark.parametrize("installed, target, status", [
    ({"coredns": "v1.10.1-eksbuild.38"}, "1.30", FAIL),         # first hop, a version to move to
    ({"coredns": "v1.10.1-eksbuild.38"}, "1.29", PASS),         # no hop
    ({"coredns": "v1.11.4-eksbuild.22"}, "1.30", PASS),         # supported
    ({"vpc-cni": "v1.18.1-eksbuild.3"}, "1.30", PASS),          # supported on the first hop...
    ({"vpc-cni": "v1.18.1-eksbuild.3"}, "1.31", WARN),          # ...not on the second
    ({"vpc-cni": "v1.18.1-eksbuild.3", "coredns": "v1.10.1-eksbuild.38"}, "1.31", FAIL),  # the worst wins
    ({}, "1.30", PASS),
])
def test_verdict_status(installed, target, status):
    assert path_verdict(facts_with(installed), parse_kube_version(target))[0] == status


def test_verdict_warns_when_the_add_ons_were_not_read_for_a_pending_hop():
    facts = make_facts("1.29")
    del facts["addon_versions"]
    assert path_verdict(facts, parse_kube_version("1.30"))[0] == WARN
    assert path_verdict(facts, parse_kube_version("1.29"))[0] == PASS
    assert path_verdict(facts_with({}), parse_kube_version("1.30"))[1] == "No EKS add-on is installed."


def test_check_runs_in_the_preflight_and_joins_every_problem():
    facts = facts_with({"vpc-cni": "v1.18.1-eksbuild.3", "coredns": "v1.10.1-eksbuild.38"})
    result = by_id(run_checks(facts, "1.31"))["addon-compatibility"]
    assert result["status"] == FAIL and result["step"].startswith("Beyond the procedure")
    assert result["message"].index("coredns") < result["message"].index("vpc-cni")
    assert "Update coredns to v1.11.4-eksbuild.22 before the hop" in result["remediation"]
    assert "Update vpc-cni to v1.20.1-eksbuild.3 now" in result["remediation"]
    assert addons.problems_of(facts, parse_kube_version("1.31")) == problems(
        {"vpc-cni": "v1.18.1-eksbuild.3", "coredns": "v1.10.1-eksbuild.38"}, "1.29", "1.31")
    skipped = by_id(run_checks(facts, "1.31", skip={"addon-compatibility"}))["addon-compatibility"]
    assert skipped["status"] == "skipped"


# --- the versions eks_addon_update sends ---------------------------------------------------------------------

COMPATIBLE_132 = ["v1.11.4-eksbuild.22", "v1.11.4-eksbuild.2"]
MINORS_OF = {"v1.12.1-eksbuild.2": ["1.34", "1.33"], "v1.11.4-eksbuild.22": span("1.29", "1.33"),
             "v1.11.4-eksbuild.2": span("1.29", "1.33"), "v1.9.3-eksbuild.19": span("1.24", "1.27"),
             "v1.10.0-eksbuild.1": ["1.27", "1.33"]}


@pytest.mark.parametrize("wanted, expected", [
    ("v1.12.1-eksbuild.2", "Add-on coredns version v1.12.1-eksbuild.2 is not supported by Amazon EKS on Kubernetes "
                           "1.32 (it supports 1.33, 1.34), so EKS would refuse it (\"Addon version specified is not "
                           "supported\"); update it once the control plane is on 1.33. Versions supported on 1.32: "
                           "v1.11.4-eksbuild.22, v1.11.4-eksbuild.2."),
    ("v1.9.3-eksbuild.19", "Add-on coredns version v1.9.3-eksbuild.19 is not supported by Amazon EKS on Kubernetes "
                           "1.32 (it supports 1.24, 1.25, 1.26, 1.27), so EKS would refuse it (\"Addon version "
                           "specified is not supported\"). Versions supported on 1.32: v1.11.4-eksbuild.22, "
                           "v1.11.4-eksbuild.2."),
    ("v1.10.0-eksbuild.1", "(it supports 1.27, 1.33), so EKS would refuse it (\"Addon version specified is not "
                           "supported\"). Versions"),
    ("v9.9.9-eksbuild.1", "Add-on coredns version v9.9.9-eksbuild.1 is not a version Amazon EKS lists for coredns. "
                          "Versions supported on 1.32: v1.11.4-eksbuild.22, v1.11.4-eksbuild.2."),
])
def test_a_version_the_cluster_minor_does_not_support_is_refused_saying_where_it_works(wanted, expected):
    with pytest.raises(AddonChoiceError) as raised:
        choose_version("coredns", wanted, COMPATIBLE_132, "v1.11.4-eksbuild.2", "1.32", MINORS_OF)
    assert expected in str(raised.value)
    assert choose_version("coredns", "v1.11.4-eksbuild.2", COMPATIBLE_132, None, "1.32", MINORS_OF) == \
        "v1.11.4-eksbuild.2"


def test_steps_the_cluster_minor_supports_are_sent():
    assert refused_steps("coredns", ["v1.11.4-eksbuild.22"], COMPATIBLE_132, "1.32", MINORS_OF) is None
    assert refused_steps("coredns", [], COMPATIBLE_132, "1.32", MINORS_OF) is None


@pytest.mark.parametrize("running, expected", [
    ("v1.12.1-eksbuild.2", "(it supports 1.33, 1.34): an update at that version, for new configuration values or a "
                           "new service account role, would be refused (\"Addon version specified is not supported\"), "
                           "and no version supported on 1.32 is newer (add-ons are never downgraded); change its "
                           "settings once the control plane is on 1.33."),
    ("v1.9.3-eksbuild.19", "(it supports 1.24, 1.25, 1.26, 1.27): an update"),
    ("v0.1.0-eksbuild.1", "(EKS lists it for no Kubernetes version): an update"),
])
def test_a_settings_update_at_a_version_the_minor_does_not_support_is_refused(running, expected):
    text = refused_steps("coredns", [running], COMPATIBLE_132, "1.32", MINORS_OF)
    assert text.startswith("Add-on coredns runs %s, which Amazon EKS does not support on Kubernetes 1.32 " % running)
    assert expected in text
    assert ("once the control plane" in text) is (running == "v1.12.1-eksbuild.2")


# --- EKS's add-on compatibility insight, as botocore's EKS model shapes it ----------------------------------

def test_the_fields_read_are_those_of_botocores_eks_model():
    shapes = Loader().load_service_model("eks", "service-2")["shapes"]
    assert "addonCompatibilityDetails" in shapes["InsightCategorySpecificSummary"]["members"]
    assert set(shapes["AddonCompatibilityDetail"]["members"]) == {"name", "compatibleVersions"}
    assert "compatibilities" in shapes["AddonVersionInfo"]["members"]
    assert {"clusterVersion", "defaultVersion"} <= set(shapes["Compatibility"]["members"])


@pytest.mark.parametrize("name, category, status, described", [
    ("EKS add-on version compatibility", "UPGRADE_READINESS", "ERROR", True),
    ("EKS add-on version compatibility", "UPGRADE_READINESS", "WARNING", True),
    ("EKS add-on version compatibility", "UPGRADE_READINESS", "PASSING", False),
    ("EKS add-on version compatibility", "UPGRADE_READINESS", "UNKNOWN", False),
    ("EKS add-on version compatibility", "ROLLBACK_READINESS", "ERROR", False),
    ("Eks Add-On Version Compatibility", None, "ERROR", True),  # listed before categories: an upgrade insight
    ("Kubelet version skew", "UPGRADE_READINESS", "ERROR", False),
])
def test_only_a_failing_add_on_compatibility_upgrade_insight_is_described_for_its_add_ons(name, category, status,
                                                                                          described):
    summary = {"id": "i", "name": name, "insightStatus": {"status": status}}
    if category:
        summary["category"] = category
    assert insights.needs_addon_detail(summary) is described


def test_addon_compatibility_entry_of_a_described_insight():
    detail = {"id": "i", "name": "EKS add-on version compatibility", "kubernetesVersion": "1.31",
              "insightStatus": {"status": "ERROR", "reason": "One or more add-ons are not compatible."},
              "categorySpecificSummary": {"deprecationDetails": [], "addonCompatibilityDetails": [
                  {"name": "vpc-cni", "compatibleVersions": ["v1.20.1-eksbuild.3", "v1.19.0-eksbuild.1"]},
                  {"name": "acme_telemetry-agent", "compatibleVersions": []}, {"compatibleVersions": ["x"]}]}}
    assert insights.addon_compatibility_entry(detail) == {"kubernetes_version": "1.31", "status": "ERROR", "addons": [
        {"name": "vpc-cni", "compatible_versions": ["v1.20.1-eksbuild.3", "v1.19.0-eksbuild.1"]},
        {"name": "acme_telemetry-agent", "compatible_versions": []}]}
    assert insights.addon_compatibility_entry({"kubernetesVersion": "1.31"})["addons"] == []


# --- EKS's insight vouches for a one-hop path ----------------------------------------------------------------

def addon_insight(status="PASSING", version="1.30", name="EKS add-on version compatibility"):
    return {"id": "i", "name": name, "category": "UPGRADE_READINESS", "kubernetes_version": version,
            "status": status, "reason": "", "recommendation": None, "last_refresh_time": None}


@pytest.mark.parametrize("found, state, vouches", [
    ([addon_insight()], None, True),
    ([addon_insight()], {"stale": False}, True),
    ([addon_insight()], {"stale": True}, False),             # not refreshed: not trusted
    ([addon_insight("ERROR")], None, False),
    ([addon_insight("UNKNOWN")], None, False),
    ([addon_insight(version="1.31")], None, False),          # it speaks for its own minor only
    ([addon_insight(name="Kubelet version skew")], None, False),
    ([], None, False),                                       # no such insight: read the add-ons
])
def test_a_fresh_passing_add_on_insight_vouches_for_the_add_ons_on_its_minor(found, state, vouches):
    assert (insights.passing_addon_insight(found, "1.30", state) is not None) is vouches


@pytest.mark.parametrize("installed_could_be, path, described", [
    # Every version 1.30 supports supports 1.31 too: whichever is installed, nothing to read.
    ({"v2.0.0-eksbuild.1": ["1.30", "1.31"], "v1.0.0-eksbuild.1": ["1.29"]}, ["1.30", "1.31"], []),
    # One of them does not: the installed one must be read.
    ({"v2.0.0-eksbuild.1": ["1.30", "1.31"], "v1.5.0-eksbuild.1": ["1.29", "1.30"]}, ["1.30", "1.31"], ["agent"]),
    # ...unless the path stops at 1.30.
    ({"v2.0.0-eksbuild.1": ["1.30", "1.31"], "v1.5.0-eksbuild.1": ["1.29", "1.30"]}, ["1.30"], []),
    # No version for 1.30 although EKS's insight passed: read it rather than guess.
    ({"v1.0.0-eksbuild.1": ["1.29"]}, ["1.30", "1.31"], ["agent"]),
])
def test_only_add_ons_whose_possible_versions_differ_on_a_later_minor_are_described(installed_could_be, path,
                                                                                    described):
    assert addons.to_describe(catalog(agent=installed_could_be), ["agent"], path) == described


def test_kube_proxy_is_never_described_only_its_catalog_judged():
    assert addons.to_describe(catalog(kube_proxy=PROXY), ["kube-proxy"], ["1.30", "1.31"]) == []
    assert problems({"kube-proxy": None}, "1.29", "1.31") == []
    assert only(problems({"kube-proxy": None}, "1.33", "1.35"))["verdict"] == NO_VERSION


def test_an_add_on_not_described_is_judged_only_for_hops_no_version_supports():
    cat = catalog(agent={"v1.0.0-eksbuild.1": ["1.29"], "v1.1.0-eksbuild.1": ["1.30"]})
    assert problems({"agent": None}, "1.29", "1.30", cat) == []
    found = only(problems({"agent": None}, "1.29", "1.31", cat))
    assert (found["to_version"], found["verdict"], found["version"]) == ("1.31", NO_VERSION, None)


def test_the_verdict_of_a_path_the_insight_vouches_for():
    facts = make_facts("1.29", addon_insight_passing=addon_insight())
    del facts["addon_versions"]
    status, message, _fix = path_verdict(facts, parse_kube_version("1.30"))
    assert (status, message) == (PASS, "EKS's upgrade insight \"EKS add-on version compatibility\" for 1.30 is "
                                       "PASSING: EKS found every installed EKS add-on's version compatible with 1.30.")
    assert addons.problems_of(facts, parse_kube_version("1.30")) is None
    # Two hops: the insight vouches for 1.30, the add-ons not described are named without a version.
    facts = make_facts("1.29", addon_insight_passing=addon_insight(), addon_versions={
        "coredns": None, "vpc-cni": "v1.20.1-eksbuild.3"}, addon_catalog=catalog(coredns=COREDNS, vpc_cni=CNI))
    status, message, _fix = path_verdict(facts, parse_kube_version("1.31"))
    assert (status, message) == (PASS, "EKS's upgrade insight \"EKS add-on version compatibility\" for 1.30 is "
                                       "PASSING: EKS found every installed EKS add-on's version compatible with 1.30; "
                                       "the installed EKS add-ons (coredns, vpc-cni v1.20.1-eksbuild.3) have a version "
                                       "compatible with each minor of the path (1.30, 1.31).")
