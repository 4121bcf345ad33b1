"""The scenario key upgrade_policy: validated, and seeded as the cluster's upgradePolicy.supportType."""
from __future__ import annotations

from typing import Any, Callable

import boto3
import pytest

from eksworld import scenario


def test_upgrade_policy_defaults_to_extended_as_on_aws() -> None:
    data = scenario.normalize({"clusters": [{"name": "a"}, {"name": "b", "upgrade_policy": "STANDARD"}]})
    assert [c["upgrade_policy"] for c in data["clusters"]] == ["EXTENDED", "STANDARD"]


@pytest.mark.parametrize("policy", ["standard", "NONE", "", None, 1])
def test_unknown_upgrade_policy_is_refused_naming_the_cluster(policy: Any) -> None:
    with pytest.raises(ValueError, match=r"cluster odd: upgrade_policy must be STANDARD or EXTENDED"):
        scenario.normalize({"clusters": [{"name": "odd", "upgrade_policy": policy}]}, "fleet.yml")


def test_seeded_clusters_report_their_upgrade_policy(make_world: Callable[..., Any]) -> None:
    world = make_world({"clusters": [{"name": "auto", "version": "1.33", "upgrade_policy": "STANDARD"},
                                     {"name": "kept", "version": "1.33"}]})
    eks = boto3.client("eks", endpoint_url=world.aws_url, region_name=world.region)
    policies = {name: eks.describe_cluster(name=name)["cluster"]["upgradePolicy"] for name in ("auto", "kept")}
    assert policies == {"auto": {"supportType": "STANDARD"}, "kept": {"supportType": "EXTENDED"}}
