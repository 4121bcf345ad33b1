"""The EKS reference data the emulator serves."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eksworld import catalog
from eksworld.aws_errors import paginate


def test_minors_and_support_calendar() -> None:
    assert catalog.minors()[0] == "1.22" and catalog.minors()[-1] == "1.34"
    info = catalog.minor_info("1.29")
    assert (info.release_date, info.end_of_standard_support, info.end_of_extended_support) == (
        dt.date(2024, 1, 23), dt.date(2025, 3, 23), dt.date(2026, 3, 23)
    )
    assert catalog.version_status("1.29", dt.date(2025, 3, 22)) == catalog.STANDARD_SUPPORT
    assert catalog.version_status("1.29", dt.date(2025, 3, 23)) == catalog.EXTENDED_SUPPORT
    assert catalog.version_status("1.29", dt.date(2026, 3, 23)) == catalog.UNSUPPORTED
    assert [m for m in catalog.minors() if catalog.minor_info(m).is_default] == [catalog.DEFAULT_MINOR]
    assert catalog.next_minor("1.9") == "1.10" and catalog.minor_key("1.10") > catalog.minor_key("1.9")
    with pytest.raises(KeyError):
        catalog.minor_info("1.21")


def test_version_strings() -> None:
    assert catalog.latest_patch("1.29") == "1.29.15"
    assert re.fullmatch(r"v1\.29\.15-eks-[0-9a-f]{7}", catalog.git_version("1.29"))
    assert catalog.git_version("1.29") == catalog.git_version("1.29") != catalog.git_version("1.30")
    assert re.fullmatch(r"1\.29\.15-\d{8}", catalog.ami_release_version("1.29"))
    assert re.fullmatch(r"eks\.\d+", catalog.newest_platform_version("1.29"))


@pytest.mark.parametrize("minor", catalog.minors())
@pytest.mark.parametrize("addon", catalog.addon_names())
def test_every_minor_has_a_compatible_default_and_latest(minor: str, addon: str) -> None:
    default = catalog.default_addon_version(addon, minor)
    latest = catalog.latest_addon_version(addon, minor)
    assert default and latest
    assert catalog.is_compatible(addon, default, minor) and catalog.is_compatible(addon, latest, minor)
    assert catalog.addon_version_key(latest) >= catalog.addon_version_key(default)


@pytest.mark.parametrize(
    ("minor", "vpc_cni", "coredns", "kube_proxy"),
    [
        ("1.23", "v1.18.5-eksbuild.1", "v1.8.7-eksbuild.18", "v1.23.17-eksbuild.20"),
        ("1.26", "v1.19.0-eksbuild.1", "v1.9.3-eksbuild.19", "v1.26.15-eksbuild.19"),
        ("1.29", "v1.20.1-eksbuild.3", "v1.11.4-eksbuild.22", "v1.29.15-eksbuild.16"),
        ("1.33", "v1.20.1-eksbuild.3", "v1.12.3-eksbuild.1", "v1.33.5-eksbuild.2"),
    ],
)
def test_latest_versions_match_the_aws_documentation(minor: str, vpc_cni: str, coredns: str, kube_proxy: str) -> None:
    assert catalog.latest_addon_version("vpc-cni", minor) == vpc_cni
    assert catalog.latest_addon_version("coredns", minor) == coredns
    assert catalog.latest_addon_version("kube-proxy", minor) == kube_proxy


def test_addon_versions_shape_and_order() -> None:
    entries = catalog.addon_versions("vpc-cni")
    versions = [v["addonVersion"] for v in entries[0]["addonVersions"]]
    assert versions == sorted(versions, key=catalog.addon_version_key, reverse=True)
    assert "v1.7.5-eksbuild.1" in versions and "v1.12.6-eksbuild.2" in versions
    assert catalog.is_compatible("vpc-cni", "v1.7.5-eksbuild.1", "1.23")
    assert not catalog.is_compatible("vpc-cni", "v1.7.5-eksbuild.1", "1.24")
    assert catalog.addon_versions("no-such-addon") == []
    assert catalog.addon_versions(kubernetes_version="1.99") == []


@pytest.mark.parametrize("minor", [m for m in catalog.minors() if m != "1.22"])
def test_vpc_cni_has_a_build_of_every_minor_between_its_versions(minor: str) -> None:
    """The VPC CNI moves one minor at a time, so each minor from v1.15 up needs a build to stop at."""
    cni_minors = sorted({catalog.addon_version_key(v)[1] for v in catalog.compatible_addon_versions("vpc-cni", minor)
                         if catalog.addon_version_key(v)[:2] >= (1, 15)})
    assert cni_minors == list(range(cni_minors[0], cni_minors[-1] + 1))


def test_vpc_cni_1_17_is_offered_where_aws_lists_it() -> None:
    offered = [m for m in catalog.minors() if catalog.is_compatible("vpc-cni", "v1.17.1-eksbuild.1", m)]
    assert offered == [f"1.{n}" for n in range(23, 30)]


@given(size=st.integers(min_value=0, max_value=30), page=st.integers(min_value=1, max_value=12))
def test_pages_cover_every_item_once(size: int, page: int) -> None:
    items, collected, token = list(range(size)), [], None
    while True:
        chunk, token = paginate(items, page, token)
        collected += chunk
        assert len(chunk) <= page
        if token is None:
            break
    assert collected == items
