# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Version parsing, ordering and arithmetic (plugins/module_utils/versions.py)."""
import copy
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.lifecycle.eks.plugins.module_utils.versions import (
    AddonVersion,
    KubeMinor,
    VersionError,
    image_tag,
    kubectl_compatible,
    parse_addon_version,
    parse_kube_version,
    parse_semver,
    parse_target_version,
    semver_at_least,
    sort_addon_versions,
)

PROPERTY = settings(max_examples=200, deadline=None)


# --- KubeMinor / parse_kube_version -------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("1.29", KubeMinor(1, 29)),
    ("v1.29", KubeMinor(1, 29)),
    ("1.29.3", KubeMinor(1, 29)),
    ("v1.29.3-eks-ae9a62a", KubeMinor(1, 29)),       # kubelet / server version
    ("v1.29.0-eks-a737599", KubeMinor(1, 29)),
    ("v1.24.17-eks-5e0fdde", KubeMinor(1, 24)),
    ("1.31.3-20250103", KubeMinor(1, 31)),           # node group AMI releaseVersion
    ("v1.30.4-eks-a737599", KubeMinor(1, 30)),       # kubeletVersion
    ("v1.29.15-eks-8f8d5f6", KubeMinor(1, 29)),      # GitVersion
    ("  1.28 ", KubeMinor(1, 28)),
    ("V1.10", KubeMinor(1, 10)),
])
def test_parse_kube_version_forms_in_the_wild(text, expected):
    assert parse_kube_version(text) == expected


@pytest.mark.parametrize("text", ["", "latest", "1", "1.", "v", "1.x", "1.29abc", "eks.1", "1.29 .3"])
def test_parse_kube_version_refuses_garbage(text):
    with pytest.raises(VersionError, match="not a Kubernetes version"):
        parse_kube_version(text)


@pytest.mark.parametrize("value", [None, 1.29, 129, ["1.29"]])
def test_parse_kube_version_refuses_non_strings(value):
    with pytest.raises(VersionError, match="expected a Kubernetes version string"):
        parse_kube_version(value)


def test_version_error_is_a_value_error():
    assert issubclass(VersionError, ValueError)


def test_parse_kube_version_passes_a_kube_minor_through():
    minor = KubeMinor(1, 29)
    assert parse_kube_version(minor) is minor


def test_kube_minor_str_repr_and_fields():
    minor = KubeMinor(1, 29)
    assert str(minor) == "1.29"
    assert repr(minor) == "KubeMinor(1, 29)"
    assert (minor.major, minor.minor) == (1, 29)


def test_kube_minor_is_immutable_hashable_and_copyable():
    minor = KubeMinor(1, 29)
    with pytest.raises(AttributeError):
        minor.minor = 30
    assert {minor, KubeMinor(1, 29)} == {minor}
    assert copy.deepcopy(minor) == minor
    assert pickle.loads(pickle.dumps(minor)) == minor


def test_kube_minor_orders_numerically_not_lexically():
    assert KubeMinor(1, 9) < KubeMinor(1, 10) < KubeMinor(1, 29) < KubeMinor(2, 0)
    assert sorted([KubeMinor(1, 30), KubeMinor(1, 9), KubeMinor(1, 29)]) == [
        KubeMinor(1, 9), KubeMinor(1, 29), KubeMinor(1, 30)]


def test_kube_minor_is_not_equal_to_a_plain_tuple_or_string():
    assert KubeMinor(1, 29) != (1, 29)
    assert KubeMinor(1, 29) != "1.29"
    with pytest.raises(TypeError):
        assert KubeMinor(1, 29) < (1, 30)


def test_kube_minor_arithmetic():
    minor = KubeMinor(1, 27)
    assert minor.next() == KubeMinor(1, 28)
    assert minor + 2 == KubeMinor(1, 29) == 2 + minor
    assert minor - 2 == KubeMinor(1, 25)
    assert minor.bump(-27) == KubeMinor(1, 0)
    assert minor.distance(KubeMinor(1, 29)) == 2
    assert KubeMinor(1, 29).distance(minor) == -2


def test_kube_minor_arithmetic_refusals():
    with pytest.raises(VersionError, match="below 1.0"):
        KubeMinor(1, 1) - 2
    with pytest.raises(VersionError, match="majors differ"):
        KubeMinor(1, 29).distance(KubeMinor(2, 0))
    with pytest.raises(TypeError):
        KubeMinor(1, 29) + 1.5
    with pytest.raises(TypeError):
        KubeMinor(1, 29).bump(True)
    with pytest.raises(VersionError, match="non-negative integer"):
        KubeMinor(1, -1)


@PROPERTY
@given(st.integers(0, 3), st.integers(0, 60), st.integers(-5, 5))
def test_kube_minor_round_trips_and_bumps(major, minor, step):
    version = KubeMinor(major, minor)
    assert parse_kube_version(str(version)) == version
    assert parse_kube_version(f"v{version}.7-eks-ae9a62a") == version
    if minor + step >= 0:
        moved = version + step
        assert version.distance(moved) == step
        assert (moved > version) == (step > 0)


# --- parse_target_version -----------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("1.29", KubeMinor(1, 29)),
    ("1.30", KubeMinor(1, 30)),
    (" 1.10 ", KubeMinor(1, 10)),
    (1.29, KubeMinor(1, 29)),
])
def test_parse_target_version_accepts_major_minor(value, expected):
    assert parse_target_version(value) == expected


@pytest.mark.parametrize("value, fix", [
    (None, "target version is empty"),
    ("", "target version is empty"),
    ("   ", "target version is empty"),
    ("latest", r"MAJOR\.MINOR, for example '1\.30'"),
    ("v1.29", r"write 1\.29, without the 'v'"),
    ("1.29.1", r"write 1\.29, dropping the patch \(EKS versions are major\.minor\)"),
    ("v1.29.1", r"write 1\.29, without the 'v' and dropping the patch"),
    ("1.29.1-eks-ae9a62a", r"write 1\.29, dropping the patch"),
    ("2.1", r"major version is 1, write it as '1\.MINOR'"),
    ("1.029", r"write it as '1\.29'"),
    (True, "must be a string such as '1.30'"),
    (["1.29"], "must be a string such as '1.30'"),
])
def test_parse_target_version_refusals_say_what_to_fix(value, fix):
    with pytest.raises(VersionError, match=fix):
        parse_target_version(value)


@pytest.mark.parametrize("value, meant", [
    ("1.3", "1.30"), ("1.2", "1.20"), ("1.9", "1.90"), ("1.1", "1.10"), (1.3, "1.30"),
])
def test_parse_target_version_explains_yaml_floats(value, meant):
    with pytest.raises(VersionError) as caught:
        parse_target_version(value)
    message = str(caught.value)
    assert "YAML reads an unquoted %s as the number %s" % (meant, str(value)) in message
    assert "quote the version: '%s'" % meant in message


def test_parse_target_version_one_dot_zero_never_existed():
    with pytest.raises(VersionError, match=r"does not exist on EKS \(its first version was 1\.10\)$"):
        parse_target_version("1.0")


# --- kubectl ------------------------------------------------------------------------------------

@pytest.mark.parametrize("cluster, compatible", [
    ("1.26", False), ("1.27", True), ("1.28", True), ("1.29", True), ("1.30", False),
])
def test_kubectl_1_28_works_with_1_27_to_1_29_only(cluster, compatible):
    """Step 9: "a 1.28 kubectl client works with Kubernetes 1.27, 1.28, and 1.29 clusters"."""
    assert kubectl_compatible(KubeMinor(1, 28), parse_kube_version(cluster)) is compatible


def test_kubectl_compatible_takes_raw_version_strings():
    assert kubectl_compatible("v1.28.2", "v1.29.15-eks-8f8d5f6")
    assert not kubectl_compatible("v1.37.0", "1.29")


# --- AddonVersion -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, fields", [
    ("v1.18.3-eksbuild.1", (1, 18, 3, 1)),
    ("v1.9.3-eksbuild.19", (1, 9, 3, 19)),
    ("v1.29.15-eksbuild.16", (1, 29, 15, 16)),
    ("v1.10.1-eksbuild.38", (1, 10, 1, 38)),
    ("1.7.5", (1, 7, 5, None)),
    ("v1.7.5", (1, 7, 5, None)),
])
def test_parse_addon_version(text, fields):
    version = parse_addon_version(text)
    assert (version.major, version.minor, version.patch, version.eksbuild) == fields
    assert parse_addon_version(str(version)) == version


@pytest.mark.parametrize("text", ["", "latest", "v1.18", "v1.18.3-eksbuild", "v1.18.3-rc1", "1.2.3.4"])
def test_parse_addon_version_refuses_garbage(text):
    with pytest.raises(VersionError, match="not an EKS add-on version"):
        parse_addon_version(text)


def test_addon_versions_compare_numerically():
    assert parse_addon_version("v1.9.3-eksbuild.19") > parse_addon_version("v1.9.3-eksbuild.6")
    assert parse_addon_version("v1.10.1-eksbuild.1") > parse_addon_version("v1.9.3-eksbuild.19")
    assert parse_addon_version("v1.7.5") < parse_addon_version("v1.7.5-eksbuild.0")
    assert parse_addon_version("1.7.5") == parse_addon_version("v1.7.5")


def test_sort_addon_versions_keeps_items_and_sorts_newest_first():
    versions = ["v1.9.3-eksbuild.6", "v1.10.1-eksbuild.38", "v1.9.3-eksbuild.19", "v1.8.7-eksbuild.18"]
    assert sort_addon_versions(versions) == [
        "v1.10.1-eksbuild.38", "v1.9.3-eksbuild.19", "v1.9.3-eksbuild.6", "v1.8.7-eksbuild.18"]
    assert sort_addon_versions(versions, newest_first=False) == [
        "v1.8.7-eksbuild.18", "v1.9.3-eksbuild.6", "v1.9.3-eksbuild.19", "v1.10.1-eksbuild.38"]


addon_versions = st.builds(
    AddonVersion, st.integers(0, 3), st.integers(0, 30), st.integers(0, 30),
    st.one_of(st.none(), st.integers(0, 50)))


def _as_tuple(version):
    return (version.major, version.minor, version.patch,
            -1 if version.eksbuild is None else version.eksbuild)


@PROPERTY
@given(addon_versions, addon_versions)
def test_addon_version_order_matches_tuple_order(left, right):
    assert (left < right) == (_as_tuple(left) < _as_tuple(right))
    assert (left == right) == (_as_tuple(left) == _as_tuple(right))
    assert (left >= right) == (_as_tuple(left) >= _as_tuple(right))
    assert sum([left < right, left == right, left > right]) == 1
    if left == right:
        assert hash(left) == hash(right)


@PROPERTY
@given(addon_versions)
def test_addon_version_round_trips(version):
    assert parse_addon_version(str(version)) == version


@PROPERTY
@given(st.lists(addon_versions, max_size=12))
def test_sort_addon_versions_is_sorted_by_tuple(versions):
    texts = [str(version) for version in versions]
    keys = [_as_tuple(parse_addon_version(text)) for text in sort_addon_versions(texts)]
    assert keys == sorted(keys, reverse=True)


# --- component versions and image tags ----------------------------------------------------------

@pytest.mark.parametrize("text, minimum, expected", [
    ("v1.7.5-eksbuild.1", "1.8.0", False),   # VPC CNI earlier than 1.8.0 (step 4)
    ("v1.8.0-eksbuild.1", "1.8.0", True),
    ("1.8.0", "1.8.0", True),
    ("v1.18.5-eksbuild.1", "1.8.0", True),
    ("v2.4.1", "2.4.7", False),              # AWS Load Balancer Controller before 2.4.7 (step 4)
    ("v2.4.7", "2.4.7", True),
    ("v2.10.0", "2.4.7", True),
    ("v3", "2.4.7", None),
])
def test_semver_at_least(text, minimum, expected):
    if expected is None:
        with pytest.raises(VersionError, match="not a version"):
            semver_at_least(text, minimum)
    else:
        assert semver_at_least(text, minimum) is expected


def test_parse_semver_fills_a_missing_patch():
    assert parse_semver("1.8") == (1, 8, 0)


@pytest.mark.parametrize("image, tag", [
    ("602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.7.5-eksbuild.1", "v1.7.5-eksbuild.1"),
    ("registry.k8s.io/autoscaling/cluster-autoscaler:v1.29.2", "v1.29.2"),
    ("localhost:5000/team/aws-load-balancer-controller:v2.4.7", "v2.4.7"),
    ("localhost:5000/team/aws-load-balancer-controller", None),
    ("public.ecr.aws/eks/aws-load-balancer-controller@sha256:" + "a" * 64, None),
    ("public.ecr.aws/eks/aws-load-balancer-controller:v2.4.7@sha256:" + "a" * 64, "v2.4.7"),
    ("coredns:1.8.0", "1.8.0"),
    ("busybox", None),
    ("", None),
    (None, None),
])
def test_image_tag(image, tag):
    assert image_tag(image) == tag
