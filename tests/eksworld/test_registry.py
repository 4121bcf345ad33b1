"""The emulated registry's scenario settings, the mirror a cluster's Cluster Autoscaler pulls from and what the
inventory says of the registry."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from eksworld import registry
from eksworld.world import World


def test_default_tags_hold_releases_pre_releases_and_other_tags() -> None:
    tags = registry.default_autoscaler_tags()
    assert "v1.30.4" in tags and "v1.30.5" not in tags and "v1.30.0-rc.1" in tags and "v1.30.4-arm64" in tags
    assert "v1.22.3" in tags and "latest" in tags and not any(t.startswith("v1.37.0") and "-" not in t for t in tags)


@pytest.mark.parametrize(("data", "message"), [
    ({"reachable": False, "colour": 1}, "registry: a mapping of reachable, named, page_size, tags"),
    ([], "registry: a mapping of"),
    ({"tags": {"a/b": "v1"}}, "tags must map repositories to lists of tags"),
    ({"page_size": 0}, "page_size must be at least 1"),
])
def test_bad_settings_say_what_to_fix(data: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        registry.settings(data)


def test_a_mirrored_autoscaler_pulls_from_the_registry_and_the_inventory_names_it(tmp_path: Path) -> None:
    with World() as world:
        world.seed({"name": "m", "clusters": [
            {"name": "a", "version": "1.29", "workloads": {"cluster_autoscaler": "v1.29.4"},
             "cluster_autoscaler_mirror": True},
            {"name": "b", "version": "1.29", "workloads": {"cluster_autoscaler": "v1.29.4"}}]})
        images = {name: s["images"]["kube-system/cluster-autoscaler"] for name, s in world.summary().items()}
        assert images == {"a": [f"{world.registry.host}/autoscaling/cluster-autoscaler:v1.29.4"],
                          "b": ["registry.k8s.io/autoscaling/cluster-autoscaler:v1.29.4"]}
        inventory = yaml.safe_load(world.write_outputs(tmp_path).read_text())
        group = inventory["all"]["children"]["eks_clusters"]["vars"]
        assert group["eks_cluster_autoscaler_registry"] == f"{world.registry.host}/autoscaling/cluster-autoscaler"
        assert Path(group["eks_cluster_autoscaler_registry_ca_path"]).read_text() == world.registry.ca_pem


def test_an_unnamed_registry_is_not_in_the_inventory_and_a_mirror_needs_an_autoscaler(tmp_path: Path) -> None:
    with World() as world:
        world.seed({"name": "m", "registry": {"named": False, "reachable": False},
                    "clusters": [{"name": "a", "version": "1.29"}]})
        group = yaml.safe_load(world.write_outputs(tmp_path).read_text())["all"]["children"]["eks_clusters"]["vars"]
        assert "eks_cluster_autoscaler_registry" not in group and "eks_cluster_autoscaler_registry_ca_path" in group
        with pytest.raises(ValueError, match="cluster_autoscaler_mirror needs workloads.cluster_autoscaler"):
            world.add_cluster({"name": "c", "version": "1.29", "cluster_autoscaler_mirror": True})
