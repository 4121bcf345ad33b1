# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Add-on version choice (plugins/module_utils/addons.py) over DescribeAddonVersions-shaped data.

Versions are the realistic ones of /work/shared/reference/eks-api-notes.md.
"""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.lifecycle.eks.plugins.module_utils.addons import (
    ONE_MINOR_AT_A_TIME,
    AddonChoiceError,
    choose_version,
    compatible_versions,
    steps_to,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import AddonVersion, parse_addon_version

PROPERTY = settings(max_examples=100, deadline=None)


def span(first, last):
    return ["1.%d" % minor for minor in range(int(first.split(".")[1]), int(last.split(".")[1]) + 1)]


def entry(name, releases):
    """One DescribeAddonVersions ``addons[]`` item; releases: (version, cluster versions, default-for)."""
    return {"addonName": name, "type": "networking", "owner": "aws", "publisher": "eks", "addonVersions": [
        {"addonVersion": version, "architecture": ["amd64", "arm64"], "computeTypes": ["ec2"],
         "requiresConfiguration": False,
         "compatibilities": [{"clusterVersion": cv, "platformVersions": ["*"], "defaultVersion": cv in defaults}
                             for cv in clusters]}
        for version, clusters, defaults in releases]}


# Deliberately not newest first in places: the API's order must not matter.
VPC_CNI = entry("vpc-cni", [
    ("v1.20.1-eksbuild.3", span("1.27", "1.33"), span("1.27", "1.33")),
    ("v1.19.0-eksbuild.1", span("1.24", "1.32"), span("1.24", "1.26")),
    ("v1.18.5-eksbuild.1", span("1.23", "1.31"), ["1.23"]),
    ("v1.18.1-eksbuild.3", span("1.23", "1.30"), []),
    ("v1.16.0-eksbuild.1", span("1.23", "1.29"), []),
    ("v1.17.1-eksbuild.1", span("1.23", "1.30"), []),
    ("v1.16.4-eksbuild.2", span("1.23", "1.29"), []),
    ("v1.15.0-eksbuild.2", span("1.23", "1.28"), []),
    ("v1.12.6-eksbuild.2", span("1.23", "1.27"), []),
])
COREDNS = entry("coredns", [
    ("v1.12.3-eksbuild.1", ["1.33"], ["1.33"]),
    ("v1.11.4-eksbuild.22", span("1.29", "1.33"), span("1.29", "1.32")),
    ("v1.10.1-eksbuild.38", span("1.27", "1.30"), ["1.27", "1.28"]),
    ("v1.9.3-eksbuild.19", span("1.24", "1.27"), span("1.24", "1.26")),
    ("v1.8.7-eksbuild.18", ["1.23"], ["1.23"]),
])
KUBE_PROXY = entry("kube-proxy", [
    ("v1.30.14-eksbuild.8", ["1.30"], ["1.30"]),
    ("v1.29.15-eksbuild.16", ["1.29"], ["1.29"]),
    ("v1.28.15-eksbuild.31", ["1.28"], ["1.28"]),
])


# --- compatible_versions -----------------------------------------------------------------------------------

@pytest.mark.parametrize("info, cluster, versions, default", [
    (COREDNS, "1.29", ["v1.11.4-eksbuild.22", "v1.10.1-eksbuild.38"], "v1.11.4-eksbuild.22"),
    (COREDNS, "1.23", ["v1.8.7-eksbuild.18"], "v1.8.7-eksbuild.18"),
    (COREDNS, "1.33", ["v1.12.3-eksbuild.1", "v1.11.4-eksbuild.22"], "v1.12.3-eksbuild.1"),
    (COREDNS, "1.34", [], None),
    (KUBE_PROXY, "1.30", ["v1.30.14-eksbuild.8"], "v1.30.14-eksbuild.8"),
    (VPC_CNI, "1.28", ["v1.20.1-eksbuild.3", "v1.19.0-eksbuild.1", "v1.18.5-eksbuild.1", "v1.18.1-eksbuild.3",
                       "v1.17.1-eksbuild.1", "v1.16.4-eksbuild.2", "v1.16.0-eksbuild.1", "v1.15.0-eksbuild.2"],
     "v1.20.1-eksbuild.3"),
    (VPC_CNI, "1.24", ["v1.19.0-eksbuild.1", "v1.18.5-eksbuild.1", "v1.18.1-eksbuild.3", "v1.17.1-eksbuild.1",
                       "v1.16.4-eksbuild.2", "v1.16.0-eksbuild.1", "v1.15.0-eksbuild.2", "v1.12.6-eksbuild.2"],
     "v1.19.0-eksbuild.1"),
])
def test_compatible_versions(info, cluster, versions, default):
    assert compatible_versions(info, cluster) == (versions, default)


def test_compatible_versions_without_a_default():
    info = entry("aws-ebs-csi-driver", [("v1.36.0-eksbuild.1", span("1.26", "1.31"), []),
                                        ("v1.42.0-eksbuild.1", ["1.31"], [])])
    assert compatible_versions(info, "1.31") == (["v1.42.0-eksbuild.1", "v1.36.0-eksbuild.1"], None)


@pytest.mark.parametrize("info", [
    {"addonName": "coredns"},
    {"addonName": "coredns", "addonVersions": None},
    {"addonName": "coredns", "addonVersions": []},
    {"addonName": "coredns", "addonVersions": [{"addonVersion": "v1.11.4-eksbuild.22"}]},
    {"addonName": "coredns", "addonVersions": [{"addonVersion": "v1.11.4-eksbuild.22", "compatibilities": None}]},
])
def test_compatible_versions_of_sparse_entries(info):
    assert compatible_versions(info, "1.30") == ([], None)


def test_compatible_versions_counts_a_version_once():
    info = {"addonName": "coredns", "addonVersions": [{"addonVersion": "v1.11.4-eksbuild.22", "compatibilities": [
        {"clusterVersion": "1.30", "defaultVersion": False}, {"clusterVersion": "1.30", "defaultVersion": True}]}]}
    assert compatible_versions(info, "1.30")[0] == ["v1.11.4-eksbuild.22"]


# --- choose_version ----------------------------------------------------------------------------------------

COREDNS_130 = compatible_versions(COREDNS, "1.30")


@pytest.mark.parametrize("wanted, compatible, default, chosen", [
    ("default", ["v1.11.4-eksbuild.22", "v1.10.1-eksbuild.38"], "v1.11.4-eksbuild.22", "v1.11.4-eksbuild.22"),
    ("default", ["v1.11.4-eksbuild.22", "v1.10.1-eksbuild.38"], "v1.10.1-eksbuild.38", "v1.10.1-eksbuild.38"),
    ("default", ["v1.11.4-eksbuild.22", "v1.10.1-eksbuild.38"], None, "v1.11.4-eksbuild.22"),
    ("latest", ["v1.11.4-eksbuild.22", "v1.10.1-eksbuild.38"], "v1.10.1-eksbuild.38", "v1.11.4-eksbuild.22"),
    ("v1.10.1-eksbuild.38", ["v1.11.4-eksbuild.22", "v1.10.1-eksbuild.38"], None, "v1.10.1-eksbuild.38"),
])
def test_choose_version(wanted, compatible, default, chosen):
    assert choose_version("coredns", wanted, compatible, default, "1.30") == chosen


def test_choose_version_from_the_catalog():
    compatible, default = COREDNS_130
    assert choose_version("coredns", "default", compatible, default, "1.30") == "v1.11.4-eksbuild.22"
    assert choose_version("coredns", "latest", compatible, default, "1.30") == "v1.11.4-eksbuild.22"


def test_incompatible_explicit_version_lists_the_compatible_ones():
    compatible, default = COREDNS_130
    with pytest.raises(AddonChoiceError) as raised:
        choose_version("coredns", "v1.8.7-eksbuild.18", compatible, default, "1.30")
    message = str(raised.value)
    assert "coredns version v1.8.7-eksbuild.18 is not a version Amazon EKS lists for coredns" in message
    assert "Versions supported on 1.30: v1.11.4-eksbuild.22, v1.10.1-eksbuild.38." in message


def test_incompatible_version_lists_at_most_eight():
    compatible, _default = compatible_versions(VPC_CNI, "1.24")
    assert len(compatible) == 8
    compatible = ["v1.20.1-eksbuild.3"] + compatible
    with pytest.raises(AddonChoiceError) as raised:
        choose_version("vpc-cni", "v1.7.5-eksbuild.1", compatible, None, "1.24")
    assert "v1.15.0-eksbuild.2" in str(raised.value) and "v1.12.6-eksbuild.2" not in str(raised.value)


@pytest.mark.parametrize("wanted", ["default", "latest", "v1.11.4-eksbuild.22"])
def test_no_compatible_version_is_an_error_whatever_is_wanted(wanted):
    with pytest.raises(AddonChoiceError, match="Add-on coredns has no version compatible with Kubernetes 1.34"):
        choose_version("coredns", wanted, [], None, "1.34")


def test_choice_error_is_a_value_error():
    assert issubclass(AddonChoiceError, ValueError)


# --- steps_to ----------------------------------------------------------------------------------------------

CNI_128 = compatible_versions(VPC_CNI, "1.28")[0]
CNI_WITHOUT_117 = [version for version in CNI_128 if not version.startswith("v1.17.")]


@pytest.mark.parametrize("name, current, chosen, compatible, steps", [
    # VPC CNI: one minor at a time through the newest build of each minor in between
    ("vpc-cni", "v1.15.0-eksbuild.2", "v1.18.5-eksbuild.1", CNI_128,
     ["v1.16.4-eksbuild.2", "v1.17.1-eksbuild.1", "v1.18.5-eksbuild.1"]),
    ("vpc-cni", "v1.15.0-eksbuild.2", "v1.18.5-eksbuild.1", CNI_WITHOUT_117,
     ["v1.16.4-eksbuild.2", "v1.18.5-eksbuild.1"]),
    ("vpc-cni", "v1.15.0-eksbuild.2", "v1.20.1-eksbuild.3", CNI_128,
     ["v1.16.4-eksbuild.2", "v1.17.1-eksbuild.1", "v1.18.5-eksbuild.1", "v1.19.0-eksbuild.1", "v1.20.1-eksbuild.3"]),
    ("vpc-cni", "v1.18.1-eksbuild.3", "v1.19.0-eksbuild.1", CNI_128, ["v1.19.0-eksbuild.1"]),
    ("vpc-cni", "v1.18.1-eksbuild.3", "v1.18.5-eksbuild.1", CNI_128, ["v1.18.5-eksbuild.1"]),
    ("vpc-cni", "v1.18.5-eksbuild.1", "v1.18.5-eksbuild.1", CNI_128, []),
    ("vpc-cni", "v1.20.1-eksbuild.3", "v1.18.5-eksbuild.1", CNI_128, []),          # never downgrades
    ("vpc-cni", "v1.18.5-eksbuild.2", "v1.18.5-eksbuild.1", CNI_128, []),          # newer build
    ("vpc-cni", None, "v1.20.1-eksbuild.3", CNI_128, ["v1.20.1-eksbuild.3"]),
    ("vpc-cni", "v1.7.5-eksbuild.1", "v2.0.0-eksbuild.1", CNI_128, ["v2.0.0-eksbuild.1"]),  # major change
    # Other add-ons go straight to the chosen version
    ("coredns", "v1.8.7-eksbuild.18", "v1.11.4-eksbuild.22", COREDNS_130[0], ["v1.11.4-eksbuild.22"]),
    ("coredns", "v1.11.4-eksbuild.22", "v1.11.4-eksbuild.22", COREDNS_130[0], []),
    ("coredns", "v1.11.4-eksbuild.22", "v1.10.1-eksbuild.38", COREDNS_130[0], []),
    ("coredns", None, "v1.11.4-eksbuild.22", COREDNS_130[0], ["v1.11.4-eksbuild.22"]),
    ("kube-proxy", "v1.29.15-eksbuild.16", "v1.30.14-eksbuild.8", ["v1.30.14-eksbuild.8"], ["v1.30.14-eksbuild.8"]),
    ("kube-proxy", "v1.28.15-eksbuild.31", "v1.30.14-eksbuild.8", ["v1.30.14-eksbuild.8"], ["v1.30.14-eksbuild.8"]),
])
def test_steps_to(name, current, chosen, compatible, steps):
    assert steps_to(name, current, chosen, compatible) == steps


def test_only_the_vpc_cni_moves_one_minor_at_a_time():
    assert "vpc-cni" in ONE_MINOR_AT_A_TIME
    assert "coredns" not in ONE_MINOR_AT_A_TIME and "kube-proxy" not in ONE_MINOR_AT_A_TIME


addon_versions = st.builds(AddonVersion, st.just(1), st.integers(min_value=5, max_value=22),
                           st.integers(min_value=0, max_value=6), st.one_of(st.none(), st.integers(0, 40)))


@PROPERTY
@given(current=addon_versions, chosen=addon_versions, others=st.lists(addon_versions, max_size=20),
       name=st.sampled_from(["vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver"]))
def test_steps_only_go_up_and_end_on_the_chosen_version(current, chosen, others, name):
    compatible = sorted({str(version) for version in others + [chosen]}, key=parse_addon_version, reverse=True)
    steps = steps_to(name, str(current), str(chosen), compatible)
    if chosen <= current:
        assert steps == []
        return
    assert steps[-1] == str(chosen)
    path = [current] + [parse_addon_version(step) for step in steps]
    assert all(a < b for a, b in zip(path, path[1:]))
    assert all(step in compatible for step in steps)
    if name != "vpc-cni":
        assert steps == [str(chosen)]
        return
    minors_between = {parse_addon_version(v).minor for v in compatible} & set(range(current.minor + 1, chosen.minor))
    assert [parse_addon_version(step).minor for step in steps[:-1]] == sorted(minors_between)
    for step in steps[:-1]:  # the newest build of its minor
        minor = parse_addon_version(step).minor
        same_minor = [parse_addon_version(v) for v in compatible if parse_addon_version(v).minor == minor]
        assert parse_addon_version(step) == max(same_minor)


@PROPERTY
@given(cluster=st.sampled_from(["1.%d" % minor for minor in range(22, 35)]))
def test_compatible_versions_are_newest_first_and_really_compatible(cluster):
    for info in (VPC_CNI, COREDNS, KUBE_PROXY):
        versions, default = compatible_versions(info, cluster)
        parsed = [parse_addon_version(version) for version in versions]
        assert parsed == sorted(parsed, reverse=True)
        assert default is None or default in versions
        for version in versions:
            item = next(i for i in info["addonVersions"] if i["addonVersion"] == version)
            assert cluster in [c["clusterVersion"] for c in item["compatibilities"]]
        if versions:
            assert choose_version(info["addonName"], "latest", versions, default, cluster) == versions[0]
