"""The Cluster Autoscaler release for a minor: tag parsing, the highest patch, image references, the choice and its
warnings (pure logic)."""
from __future__ import annotations

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import autoscaler_release as logic
from ansible_collections.lifecycle.eks.plugins.module_utils import controller_table as table

M130 = (1, 30)


@pytest.mark.parametrize(("tag", "parsed"), [
    ("v1.30.2", (1, 30, 2)), ("1.30.2", (1, 30, 2)), ("v1.30.0", (1, 30, 0)), ("v1.30.10", (1, 30, 10)),
    ("v0.6.4", (0, 6, 4)),
    # not releases: pre-releases, builds, per-architecture tags, partial versions, leading zeros, other tags
    ("v1.30.0-rc.1", None), ("v1.30.0-beta.0", None), ("v1.30.0-alpha.2", None), ("v1.30.2-amd64", None),
    ("v1.30.2+build", None), ("v1.30", None), ("1.30", None), ("v1.30.2.1", None), ("v1.030.2", None),
    ("v1.30.02", None), ("V1.30.2", None), ("vv1.30.2", None), (" v1.30.2", None), ("latest", None), ("", None),
    (None, None), ("sha256-" + "a" * 64 + ".sig", None),
])
def test_release_tags(tag, parsed):
    assert logic.parse_release_tag(tag) == parsed


@pytest.mark.parametrize(("text", "minor"), [("1.30", M130), ("v1.30", M130), ("1.30.2", M130), (" 1.30 ", M130),
                                             ("1.9", (1, 9))])
def test_minors(text, minor):
    assert logic.parse_minor(text) == minor


@pytest.mark.parametrize("text", ["", "1", "1.30.x", "one.thirty", "1.30-rc.1", None, "1.030"])
def test_a_minor_that_is_not_one_says_what_to_give(text):
    with pytest.raises(ValueError, match="kubernetes_version must be a Kubernetes minor such as '1.30'"):
        logic.parse_minor(text)


def test_the_highest_patch_of_the_minor_wins_numerically_not_lexically():
    tags = ["v1.30.9", "v1.30.10", "v1.30.2", "v1.31.0", "v1.29.15", "v1.3.99"]
    assert logic.latest_release(tags, M130) == "v1.30.10"


def test_pre_releases_and_other_tags_are_never_chosen():
    tags = ["v1.30.3-rc.1", "v1.30.4-amd64", "v1.30.5-beta.0", "latest", "v1.30.2"]
    assert logic.latest_release(tags, M130) == "v1.30.2"
    assert logic.latest_release(["v1.30.0-rc.1", "latest"], M130) is None
    assert logic.latest_release([], M130) is None


@pytest.mark.parametrize("tags", [["1.30.2", "v1.30.2"], ["v1.30.2", "1.30.2"]])
def test_the_v_form_wins_a_tie_whatever_the_order(tags):
    assert logic.latest_release(tags, M130) == "v1.30.2"


def test_a_tag_without_v_is_a_release_too():
    assert logic.latest_release(["1.30.3", "v1.30.2"], M130) == "1.30.3"


def test_another_major_with_the_same_minor_number_is_not_the_minor():
    assert logic.latest_release(["v2.30.9", "v1.30.1"], M130) == "v1.30.1"


@pytest.mark.parametrize(("image", "parts"), [
    ("registry.k8s.io/autoscaling/cluster-autoscaler:v1.30.2", ("registry.k8s.io", "autoscaling/cluster-autoscaler")),
    ("registry.k8s.io/autoscaling/cluster-autoscaler", ("registry.k8s.io", "autoscaling/cluster-autoscaler")),
    ("registry.k8s.io/autoscaling/cluster-autoscaler:v1.30.2@sha256:" + "b" * 64,
     ("registry.k8s.io", "autoscaling/cluster-autoscaler")),
    ("mirror:5000/ca/cluster-autoscaler:v1", ("mirror:5000", "ca/cluster-autoscaler")),
    ("127.0.0.1:5000/autoscaling/cluster-autoscaler:v1.30.2", ("127.0.0.1:5000", "autoscaling/cluster-autoscaler")),
    ("localhost/cluster-autoscaler:v1", ("localhost", "cluster-autoscaler")),
    ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/cluster-autoscaler:v1.30.2",
     ("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "cluster-autoscaler")),
    # Docker Hub: no registry component, or docker.io named; one-component names live under library/
    ("bitnami/cluster-autoscaler:1.30.2", ("registry-1.docker.io", "bitnami/cluster-autoscaler")),
    ("cluster-autoscaler:1.30.2", ("registry-1.docker.io", "library/cluster-autoscaler")),
    ("docker.io/bitnami/cluster-autoscaler", ("registry-1.docker.io", "bitnami/cluster-autoscaler")),
])
def test_image_references(image, parts):
    assert logic.split_repository(image) == parts


@pytest.mark.parametrize("image", ["registry.k8s.io/Autoscaling/CA:v1", "registry.k8s.io/:v1", "registry.k8s.io/a//b"])
def test_an_image_that_is_no_repository_is_refused(image):
    with pytest.raises(ValueError, match="is not an image repository"):
        logic.split_repository(image)


def test_the_registry_option_names_a_host_and_a_repository():
    assert logic.registry_option("mirror.example.com/autoscaling/cluster-autoscaler") == (
        "mirror.example.com", "autoscaling/cluster-autoscaler")
    assert logic.registry_option("127.0.0.1:8443/autoscaling/cluster-autoscaler") == (
        "127.0.0.1:8443", "autoscaling/cluster-autoscaler")


@pytest.mark.parametrize("text", ["", "mirror.example.com", "autoscaling/cluster-autoscaler",
                                  "mirror.example.com/autoscaling/cluster-autoscaler:v1.30.2",
                                  "mirror.example.com/autoscaling/cluster-autoscaler@sha256:abc"])
def test_a_registry_option_without_host_or_with_a_tag_is_refused(text):
    with pytest.raises(ValueError, match="registry must name a registry host and a repository without a tag"):
        logic.registry_option(text)


def test_a_pinned_release_wins_without_warning():
    assert logic.choose(M130, pinned="v1.30.9", registry_tags=["v1.30.2"]) == {
        "tag": "v1.30.9", "source": "option", "warnings": []}
    assert logic.choose(M130, pinned="v1.30.9", registry_error="refused")["source"] == "option"


def test_the_registry_s_latest_wins_over_the_table():
    choice = logic.choose(M130, registry_tags=["v1.30.4", "v1.30.7", "v1.30.8-rc.0"])
    assert choice == {"tag": "v1.30.7", "source": "registry", "warnings": []}


def test_a_registry_that_answers_without_the_minor_gives_no_tag_and_names_what_to_set():
    choice = logic.choose(M130, registry_tags=["v1.29.5"], repository="mirror:5000/ca", option_hint="VAR")
    assert choice["tag"] is None and choice["source"] is None
    [warning] = choice["warnings"]
    assert warning["id"] == "cluster-autoscaler-release" and warning["status"] == "warn"
    assert "the registry mirror:5000/ca has no 1.30.x release tag" in warning["message"]
    # the table knows one, which the mirror may not carry: told, not set
    assert "the shipped table says %s" % table.CLUSTER_AUTOSCALER_RELEASES["1.30"] in warning["message"]
    assert warning["remediation"].startswith("Set VAR to the latest 1.30.x release")


def test_an_unreachable_registry_falls_back_to_the_table_with_a_warning_that_says_so():
    choice = logic.choose(M130, registry_error="connection refused", repository="r.example/ca")
    assert choice["tag"] == table.CLUSTER_AUTOSCALER_RELEASES["1.30"] and choice["source"] == "table"
    [warning] = choice["warnings"]
    assert "the registry r.example/ca could not be read (connection refused)" in warning["message"]
    assert table.CLUSTER_AUTOSCALER_RELEASES_RECORDED in warning["message"]
    assert table.CLUSTER_AUTOSCALER_RELEASES_SOURCE in warning["message"]


def test_a_minor_neither_registry_nor_table_knows_is_a_warning_naming_what_to_set():
    choice = logic.choose((1, 22), registry_error="timed out", option_hint="eks_cluster_autoscaler_versions['1.22']")
    assert choice["tag"] is None and choice["source"] is None
    [warning] = choice["warnings"]
    assert "No Cluster Autoscaler release found for Kubernetes 1.22" in warning["message"]
    assert "could not be read (timed out)" in warning["message"] and "has none" in warning["message"]
    assert "Set eks_cluster_autoscaler_versions['1.22'] to the latest 1.22.x release" in warning["remediation"]


def test_the_default_repository_is_named_when_none_is_given():
    choice = logic.choose(M130, registry_error="refused")
    assert logic.DEFAULT_REPOSITORY in choice["warnings"][0]["message"]


@pytest.mark.parametrize(("minor", "known"), [((1, 22), False), ((1, 23), True), ((1, 36), True), ((1, 37), False)])
def test_the_shipped_table_s_edges(minor, known):
    assert (logic.table_release(minor) is not None) is known


def test_the_shipped_table_holds_one_release_tag_of_each_minor_it_names():
    for minor, tag in table.CLUSTER_AUTOSCALER_RELEASES.items():
        assert logic.parse_release_tag(tag)[:2] == logic.parse_minor(minor), (minor, tag)
    # and every minor of the compatibility table's Cluster Autoscaler range from 1.23 on
    assert sorted(table.CLUSTER_AUTOSCALER_RELEASES, key=logic.parse_minor) == [
        "1.%d" % m for m in table.CLUSTER_AUTOSCALER_MINORS if m >= 23]


def test_a_table_given_replaces_the_shipped_one():
    assert logic.choose(M130, registry_error="x", table={"1.30": "v1.30.99"})["tag"] == "v1.30.99"
    assert logic.choose(M130, registry_error="x", table={})["tag"] is None
