"""eks_cluster_autoscaler_release against the emulated world and its registry: the registry named or the image's (a
mirror), the token flow and pages, an unreachable registry (the table), a minor found nowhere, pins, bad input."""
from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import controller_table as table
from ansible_collections.lifecycle.eks.plugins.modules import eks_cluster_autoscaler_release as module
from tests.conftest import mutating_calls
from tests.unit.plugins.modules.helpers import warning_texts

NAME = "healthy-129"
UPSTREAM = "registry.k8s.io/autoscaling/cluster-autoscaler"
TAGS_PATH = "/v2/autoscaling/cluster-autoscaler/tags/list"


def scenario(**top: Any) -> dict[str, Any]:
    cluster = {"name": NAME, "version": "1.29", "workloads": {"cluster_autoscaler": "v1.29.4"}}
    cluster.update(top.pop("cluster", {}))
    return {"name": "autoscaler-release", "clusters": [cluster], **top}


@pytest.fixture
def release_args(args, make_world, tmp_path):
    """The module's arguments for the world's cluster, trusting the emulated registry's CA as the inventory does."""

    def make(named: bool = True, **extra: Any) -> dict[str, Any]:
        world = make_world.latest
        base = args(NAME, kubernetes_version="1.30", registry_ca_path=str(tmp_path / "world" / "registry-ca.pem"))
        if named:
            base["registry"] = "%s/autoscaling/cluster-autoscaler" % world.registry.host
        base.update(extra)
        return base

    return make


def test_the_latest_patch_of_the_minor_from_the_named_registry_through_its_token_and_pages(make_world, run_module,
                                                                                           release_args):
    world = make_world(scenario(registry={"page_size": 20,
                                          "tags": {"autoscaling/cluster-autoscaler": [
                                              "v1.30.%d" % p for p in range(12)] + [
                                              "v1.30.12-rc.0", "v1.31.0", "latest"]}}))
    result = run_module(module, release_args())
    assert not result.failed, result.get("msg")
    assert result["changed"] is False and result["found"] is True
    assert result["image"] == UPSTREAM + ":v1.29.4"
    assert result["tag"] == "v1.30.11" and result["source"] == "registry"
    assert result["repository"] == world.registry.host + "/autoscaling/cluster-autoscaler"
    assert result["warnings_found"] == [] and warning_texts(result) == []
    assert result["table_recorded"] == {"recorded": table.CLUSTER_AUTOSCALER_RELEASES_RECORDED,
                                        "source": table.CLUSTER_AUTOSCALER_RELEASES_SOURCE}
    # 15 tags, 20 a page: refused, token, one page
    assert [r["path"] for r in world.registry.requests] == [TAGS_PATH, "/token", TAGS_PATH]
    assert result["registry_requests"] == 3


def test_pages_are_followed(make_world, run_module, release_args):
    world = make_world(scenario(registry={"page_size": 4}))
    result = run_module(module, release_args())
    assert result["tag"] == table.CLUSTER_AUTOSCALER_RELEASES["1.30"] and result["source"] == "registry"
    pages = [r for r in world.registry.requests if r["path"] == TAGS_PATH and r["token"]]
    assert len(pages) > 10 and pages[-1]["query"]["last"]


def test_a_mirror_the_deployment_pulls_from_is_read(make_world, run_module, release_args):
    world = make_world(scenario(cluster={"cluster_autoscaler_mirror": True},
                                registry={"tags": {"autoscaling/cluster-autoscaler": ["v1.30.1", "v1.30.2"]}}))
    result = run_module(module, release_args(named=False))
    assert not result.failed, result.get("msg")
    mirror = world.registry.host + "/autoscaling/cluster-autoscaler"
    assert result["image"] == mirror + ":v1.29.4"
    assert (result["repository"], result["tag"], result["source"]) == (mirror, "v1.30.2", "registry")


def test_an_unreachable_registry_falls_back_to_the_table_with_a_warning(make_world, run_module, release_args):
    world = make_world(scenario(registry={"reachable": False}))
    result = run_module(module, release_args())
    assert not result.failed, result.get("msg")
    assert result["tag"] == table.CLUSTER_AUTOSCALER_RELEASES["1.30"] and result["source"] == "table"
    [warning] = result["warnings_found"]
    assert "could not be read" in warning["message"] and "Connection refused" in warning["message"]
    assert table.CLUSTER_AUTOSCALER_RELEASES_RECORDED in warning["message"]
    assert any("could not be read" in text for text in warning_texts(result))
    assert world.registry.requests == []


def test_an_untrusted_certificate_is_unreachable_too(make_world, run_module, release_args):
    make_world(scenario())
    result = run_module(module, release_args(registry_ca_path=None))
    assert result["source"] == "table"
    assert "certificate verify failed" in result["warnings_found"][0]["message"]
    trusted_anyway = run_module(module, release_args(registry_ca_path=None, registry_validate_certs=False))
    assert trusted_anyway["source"] == "registry"


def test_a_minor_found_nowhere_is_a_warning_naming_what_to_set(make_world, run_module, release_args):
    make_world(scenario(registry={"reachable": False}))
    result = run_module(module, release_args(kubernetes_version="1.22", release_option_name="MY_VAR['1.22']"))
    assert not result.failed, result.get("msg")
    assert result["found"] is True and result["tag"] is None and result["source"] is None
    [warning] = result["warnings_found"]
    assert "No Cluster Autoscaler release found for Kubernetes 1.22" in warning["message"]
    assert warning["remediation"].startswith("Set MY_VAR['1.22'] to the latest 1.22.x release")


def test_a_registry_without_a_release_of_the_minor_gives_none_even_when_the_table_has_one(make_world, run_module,
                                                                                          release_args):
    make_world(scenario(registry={"tags": {"autoscaling/cluster-autoscaler": ["v1.29.5", "v1.30.0-rc.1"]}}))
    result = run_module(module, release_args())
    assert result["tag"] is None and result["source"] is None
    assert "has no 1.30.x release tag" in result["warnings_found"][0]["message"]


def test_a_pinned_release_reads_no_registry(make_world, run_module, release_args):
    world = make_world(scenario())
    result = run_module(module, release_args(release="v1.30.0"))
    assert (result["tag"], result["source"], result["registry_requests"]) == ("v1.30.0", "option", 0)
    assert world.registry.requests == []


def test_no_deployment_no_registry(make_world, run_module, release_args):
    world = make_world(scenario(cluster={"workloads": {}}))
    result = run_module(module, release_args())
    assert not result.failed, result.get("msg")
    assert result["found"] is False and "tag" not in result and world.registry.requests == []


def test_check_mode_reads_the_same_and_sends_nothing_that_changes(make_world, run_module, release_args):
    world = make_world(scenario())
    result = run_module(module, release_args(), check_mode=True)
    assert (result["changed"], result["tag"], result["source"]) == (False, table.CLUSTER_AUTOSCALER_RELEASES["1.30"],
                                                                    "registry")
    assert mutating_calls(world) == []


@pytest.mark.parametrize(("extra", "message"), [
    ({"kubernetes_version": "thirty"}, "kubernetes_version must be a Kubernetes minor such as '1.30'"),
    ({"registry": "cluster-autoscaler"}, "registry must name a registry host and a repository without a tag"),
    ({"container": "sidecar"}, "has no container sidecar (containers: cluster-autoscaler)"),
])
def test_bad_input_names_what_to_fix_and_reads_no_registry(make_world, run_module, release_args, extra, message):
    world = make_world(scenario())
    result = run_module(module, release_args(**extra))
    assert result.failed and message in result["msg"]
    assert world.registry.requests == [] and mutating_calls(world) == []
