"""Scenario keys cluster_security_group_rules and additional_security_groups: validated, and seeded as EC2 rules.

EKS creates the cluster security group with inbound all traffic from itself and outbound all traffic
(docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html); a scenario replaces either side.
"""
from __future__ import annotations

from typing import Any, Callable

import boto3
import pytest

from eksworld import scenario


def permissions(group: dict[str, Any], key: str) -> list[tuple[Any, ...]]:
    """(protocol, from, to, peers) of a DescribeSecurityGroups entry's IpPermissions / IpPermissionsEgress."""
    return sorted((p["IpProtocol"], p.get("FromPort"), p.get("ToPort"),
                   tuple([g["GroupId"] for g in p["UserIdGroupPairs"]] + [r["CidrIp"] for r in p["IpRanges"]]
                         + [r["CidrIpv6"] for r in p["Ipv6Ranges"]])) for p in group[key])


def groups_of(world: Any, name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    vpc = boto3.client("eks", endpoint_url=world.aws_url, region_name=world.region).describe_cluster(
        name=name)["cluster"]["resourcesVpcConfig"]
    ec2 = boto3.client("ec2", endpoint_url=world.aws_url, region_name=world.region)
    found = {g["GroupId"]: g for g in ec2.describe_security_groups(GroupIds=vpc["securityGroupIds"])["SecurityGroups"]}
    own = vpc["clusterSecurityGroupId"]
    return found[own], [found[i] for i in vpc["securityGroupIds"] if i != own]


def test_clusters_get_the_rules_eks_creates_and_scenarios_replace_them(make_world: Callable[..., Any]) -> None:
    world = make_world({"clusters": [
        {"name": "default"},
        {"name": "restricted",
         "cluster_security_group_rules": {"inbound": [{"protocol": "tcp", "port": 443}],
                                          "outbound": [{"protocol": "udp", "port": [53, 54], "peer": "::/0"}]},
         "additional_security_groups": [{"name": "ops", "inbound": [{"protocol": "all", "peer": "10.0.0.0/16"}]}]},
    ]})
    default, extra = groups_of(world, "default")
    own = default["GroupId"]
    assert extra == []
    assert permissions(default, "IpPermissions") == [("-1", None, None, (own,))]
    assert permissions(default, "IpPermissionsEgress") == [("-1", None, None, ("0.0.0.0/0",))]
    restricted, (ops,) = groups_of(world, "restricted")
    own = restricted["GroupId"]
    assert permissions(restricted, "IpPermissions") == [("tcp", 443, 443, (own,))]
    assert permissions(restricted, "IpPermissionsEgress") == [("udp", 53, 54, ("::/0",))]
    assert permissions(ops, "IpPermissions") == [("-1", None, None, ("10.0.0.0/16",))]
    assert permissions(ops, "IpPermissionsEgress") == [("-1", None, None, ("0.0.0.0/0",))]   # EC2's default


@pytest.mark.parametrize("cluster, message", [
    ({"cluster_security_group_rules": {"inbound": [{"protocol": "icmp"}]}},
     r"cluster_security_group_rules: inbound\[0\]: protocol must be one of tcp, udp, all, got 'icmp'"),
    ({"cluster_security_group_rules": {"outbound": [{"protocol": "tcp"}]}},
     r"cluster_security_group_rules: outbound\[0\]: port must be a port number or \[from, to\], got None"),
    ({"cluster_security_group_rules": {"inbound": [{"protocol": "all", "port": 443}]}},
     r"cluster_security_group_rules: inbound\[0\]: a rule for all protocols has no port"),
    ({"cluster_security_group_rules": {"inbound": [{"protocol": "tcp", "port": 443, "peer": "nodes"}]}},
     r"cluster_security_group_rules: inbound\[0\]: peer must be 'cluster' or a CIDR such as 10.0.0.0/16, "
     r"got 'nodes'"),
    ({"cluster_security_group_rules": {"egress": []}},
     r"cluster_security_group_rules: unknown key\(s\) egress \(known: inbound, outbound\)"),
    ({"additional_security_groups": [{"inbound": []}]}, r"additional_security_groups\[0\] needs a 'name'"),
])
def test_bad_security_group_rules_are_refused_naming_the_field(cluster: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=r"fleet.yml: cluster odd: " + message):
        scenario.normalize({"clusters": [{"name": "odd", **cluster}]}, "fleet.yml")
