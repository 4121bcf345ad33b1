"""Clusters in several regions: each region's EKS and EC2 hold only its own clusters, updates complete in every
region, and the world exports no region (the inventory gives each host its own)."""
from __future__ import annotations

from typing import Any, Callable

import pytest
import yaml
from botocore.exceptions import ClientError

from eksworld import scenario

US, EU = "us-east-1", "eu-west-1"


@pytest.mark.parametrize("region", ["Europe", "eu-west", "eu_west_1", "", 1])
def test_a_region_that_is_not_a_region_name_is_refused_naming_the_cluster(region: Any) -> None:
    with pytest.raises(ValueError, match=r"cluster far: region must be an AWS region name such as 'eu-west-1'"):
        scenario.normalize({"clusters": [{"name": "far", "region": region}]}, "fleet.yml")


def test_each_region_holds_its_own_cluster_only(make_world: Callable[..., Any]) -> None:
    world = make_world("two-regions")
    for name, region, other in (("prod-use1", US, EU), ("prod-euw1", EU, US)):
        eks = world.client("eks", region)
        assert eks.list_clusters()["clusters"] == [name]
        cluster = eks.describe_cluster(name=name)["cluster"]
        assert cluster["arn"].startswith(f"arn:aws:eks:{region}:")
        subnets = world.client("ec2", region).describe_subnets(
            SubnetIds=cluster["resourcesVpcConfig"]["subnetIds"])["Subnets"]
        assert {s["AvailabilityZone"][:-1] for s in subnets} == {region}
        with pytest.raises(ClientError) as missing:
            world.client("eks", other).describe_cluster(name=name)
        assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_an_update_in_another_region_completes_and_the_cluster_follows(make_world: Callable[..., Any]) -> None:
    world = make_world("two-regions", cluster_update_s=600.0)
    eks = world.client("eks", EU)
    update = eks.update_cluster_version(name="prod-euw1", version="1.30")["update"]
    assert world.summary()["prod-euw1"]["status"] == "UPDATING"
    world.state.clock.advance(3600)
    done = eks.describe_update(name="prod-euw1", updateId=update["id"])["update"]
    assert done["status"] == "Successful"
    summary = world.summary()
    assert (summary["prod-euw1"]["version"], summary["prod-euw1"]["kube_version"][:6]) == ("1.30", "v1.30.")
    assert summary["prod-use1"]["version"] == "1.29"


def test_the_inventory_gives_each_host_its_region_and_the_environment_none(make_world: Callable[..., Any],
                                                                           tmp_path: Any) -> None:
    world = make_world("two-regions")
    inventory = yaml.safe_load((tmp_path / "world" / "inventory.yml").read_text())
    hosts = inventory["all"]["children"]["eks_clusters"]["hosts"]
    assert {name: host["eks_aws_region"] for name, host in hosts.items()} == {"prod-use1": US, "prod-euw1": EU}
    assert not {"AWS_REGION", "AWS_DEFAULT_REGION"} & set(world.env())
    exported = [line for line in (tmp_path / "world" / "env.sh").read_text().splitlines()
                if line.startswith("export ")]
    assert not [line for line in exported if "REGION" in line]
