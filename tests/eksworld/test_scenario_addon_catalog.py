"""A scenario's `addon_catalog`: add-on versions the emulated EKS offers besides its own, world-wide
(DescribeAddonVersions answers for a region), so that an add-on can have no version for the next minor."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from eksworld import catalog, scenario
from eksworld.aws import AwsEmulator
from eksworld.scenario_addon_catalog import addon_catalog_settings

SCENARIO = scenario.load(Path(__file__).resolve().parents[1] / "scenarios" / "addon-no-version-131.yml")
AGENT = "acme_telemetry-agent"


def test_the_scenario_adds_a_marketplace_add_on_without_a_version_for_1_31() -> None:
    world_catalog = addon_catalog_settings(SCENARIO["addon_catalog"])
    assert world_catalog.compatible_versions(AGENT, "1.30") == ["v2.4.0-eksbuild.1", "v2.3.2-eksbuild.1"]
    assert world_catalog.compatible_versions(AGENT, "1.31") == []
    assert world_catalog.default_version(AGENT, "1.28") == "v2.3.2-eksbuild.1"
    # The built-in add-ons are all there, unchanged.
    assert world_catalog.addon_versions("coredns") == catalog.addon_versions("coredns")
    assert not catalog.is_known_addon(AGENT)


@pytest.mark.parametrize("data, error", [
    ([], "addon_catalog must be a mapping of add-on name to its versions"),
    ({"x_y": {"versions": [{"version": "v1.0.0-eksbuild.1", "minors": ["1.30"]}]}},
     "addon_catalog: x_y is not a built-in add-on: give its type, publisher and owner"),
    ({"coredns": {"type": "networking", "versions": [{"version": "v9.0.0-eksbuild.1", "minors": ["1.30"]}]}},
     "addon_catalog: coredns is a built-in add-on: give only its versions, not type"),
    ({"coredns": {"versions": []}}, "addon_catalog: coredns: versions must be a non-empty list"),
    ({"coredns": {"versions": [{"version": "9.0", "minors": ["1.30"]}]}},
     "version must look like v1.2.3-eksbuild.1; got '9.0'"),
    ({"coredns": {"versions": [{"version": "v9.0.0-eksbuild.1", "minors": []}]}}, "minors must name at least one"),
    ({"coredns": {"versions": [{"version": "v9.0.0-eksbuild.1", "minors": ["1.40"]}]}}, "1.40 not offered by EKS"),
    ({"coredns": {"versions": [{"version": "v9.0.0-eksbuild.1", "minors": [1.3]}]}},
     "must be a Kubernetes minor such as '1.29' (quoted)"),
    ({"coredns": {"versions": [{"version": "v9.0.0-eksbuild.1", "minors": ["1.30"], "default_for": ["1.31"]}]}},
     "default_for must be among its minors (1.30)"),
    ({"coredns": {"versions": [{"version": "v1.11.4-eksbuild.22", "minors": ["1.30"]}]}},
     "add-on coredns version v1.11.4-eksbuild.22 is already in the catalog"),
    ({"coredns": {"versions": [{"version": "v9.0.0-eksbuild.1", "minors": ["1.30"], "defaults": []}]}},
     "unknown key(s) defaults"),
])
def test_a_bad_addon_catalog_names_the_field_to_fix(data: Any, error: str) -> None:
    with pytest.raises(ValueError, match="^scenario: .*" + re.escape(error)):
        scenario.normalize({"addon_catalog": data, "clusters": [{"name": "c", "version": "1.30"}]})


def test_the_world_catalog_answers_describe_addon_versions(aws: AwsEmulator, aws_eks: Any) -> None:
    aws.state.addon_catalog = addon_catalog_settings(SCENARIO["addon_catalog"])
    [agent] = aws_eks.describe_addon_versions(addonName=AGENT)["addons"]
    assert (agent["type"], agent["publisher"], agent["owner"]) == ("observability", "acme", "aws-marketplace")
    assert [v["addonVersion"] for v in agent["addonVersions"]] == ["v2.4.0-eksbuild.1", "v2.3.2-eksbuild.1"]
    assert [c["clusterVersion"] for c in agent["addonVersions"][1]["compatibilities"]] == ["1.30", "1.29", "1.28"]
    assert aws_eks.describe_addon_versions(addonName=AGENT, kubernetesVersion="1.31")["addons"] == []
    assert AGENT in {a["addonName"] for a in aws_eks.describe_addon_versions(owners=["aws-marketplace"])["addons"]}
    assert AGENT not in {a["addonName"] for a in aws_eks.describe_addon_versions(owners=["aws"])["addons"]}


def test_add_on_calls_and_insights_follow_the_world_catalog(aws: AwsEmulator, aws_eks: Any) -> None:
    aws.state.addon_catalog = addon_catalog_settings(SCENARIO["addon_catalog"])
    aws.create_cluster("telemetry", version="1.30")
    created = aws_eks.create_addon(clusterName="telemetry", addonName=AGENT)["addon"]
    assert created["addonVersion"] == "v2.4.0-eksbuild.1"  # the world catalog's default for 1.30
    aws.state.clock.advance(aws.state.addon_update_s)
    with pytest.raises(ClientError) as refused:
        aws_eks.update_addon(clusterName="telemetry", addonName=AGENT, addonVersion="v2.5.0-eksbuild.1")
    assert refused.value.response["Error"]["Message"] == "Addon version specified is not supported"
    update = aws_eks.update_addon(clusterName="telemetry", addonName=AGENT, addonVersion="v2.3.2-eksbuild.1")
    assert update["update"]["status"] == "InProgress"
    by_name = {i["name"]: i for i in aws_eks.list_insights(clusterName="telemetry")["insights"]}
    compat = by_name["EKS add-on version compatibility"]
    assert (compat["kubernetesVersion"], compat["insightStatus"]["status"]) == ("1.31", "ERROR")
    detail = aws_eks.describe_insight(clusterName="telemetry", id=compat["id"])["insight"]
    assert detail["categorySpecificSummary"]["addonCompatibilityDetails"] == [
        {"name": AGENT, "compatibleVersions": []}]
