"""The security groups of a scenario's cluster: `cluster_security_group_rules` (the cluster security group's
rules) and `additional_security_groups` (more groups given at cluster creation), validated."""
from __future__ import annotations

import ipaddress
from typing import Any

from eksworld.scenario_fields import known_keys

SECURITY_GROUP_RULES_KEYS = ("inbound", "outbound")
ADDITIONAL_SECURITY_GROUP_KEYS = ("name", "inbound", "outbound")
SECURITY_GROUP_RULE_KEYS = ("protocol", "port", "peer")
SECURITY_GROUP_PROTOCOLS = ("tcp", "udp", "all")


def _security_group_rule(rule: Any, what: str) -> dict[str, Any]:
    """A scenario rule as {protocol (tcp, udp or -1), from_port, to_port, peer (`cluster` or a CIDR)}."""
    rule = known_keys(rule, SECURITY_GROUP_RULE_KEYS, what)
    protocol = rule.get("protocol")
    if protocol not in SECURITY_GROUP_PROTOCOLS:
        raise ValueError(f"{what}: protocol must be one of {', '.join(SECURITY_GROUP_PROTOCOLS)}, got {protocol!r}")
    port = rule.get("port")
    if protocol == "all":
        if port is not None:
            raise ValueError(f"{what}: a rule for all protocols has no port")
        ports: list[Any] = [None, None]
    else:
        ports = port if isinstance(port, list) else [port, port]
        if len(ports) != 2 or not all(isinstance(p, int) and not isinstance(p, bool) and 0 <= p <= 65535
                                      for p in ports):
            raise ValueError(f"{what}: port must be a port number or [from, to], got {port!r}")
    peer = str(rule.get("peer", "cluster"))
    if peer != "cluster":
        try:
            ipaddress.ip_network(peer)
        except ValueError:
            raise ValueError(f"{what}: peer must be 'cluster' or a CIDR such as 10.0.0.0/16, got {peer!r}") from None
    return {"protocol": "-1" if protocol == "all" else protocol, "from_port": ports[0], "to_port": ports[1],
            "peer": peer}


def _rule_list(rules: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(rules, list):
        raise ValueError(f"{what} must be a list of rules, got {rules!r}")
    return [_security_group_rule(rule, f"{what}[{index}]") for index, rule in enumerate(rules)]


def security_group_settings(cluster: dict[str, Any]) -> dict[str, Any]:
    """The cluster's security group rules from `cluster_security_group_rules` and `additional_security_groups`.

    ``{"cluster": {"inbound": rules or None, "outbound": rules or None}, "additional": [{"name", "inbound",
    "outbound"}]}``; None keeps what the group is created with (EKS's defaults for the cluster security group,
    AWS's outbound all traffic for another group).
    """
    data = known_keys(cluster.get("cluster_security_group_rules") or {}, SECURITY_GROUP_RULES_KEYS,
                 "cluster_security_group_rules")
    own = {key: _rule_list(data[key], f"cluster_security_group_rules: {key}") if key in data else None
           for key in SECURITY_GROUP_RULES_KEYS}
    groups = cluster.get("additional_security_groups") or []
    if not isinstance(groups, list):
        raise ValueError(f"additional_security_groups must be a list, got {groups!r}")
    additional = []
    for index, group in enumerate(groups):
        what = f"additional_security_groups[{index}]"
        group = known_keys(group, ADDITIONAL_SECURITY_GROUP_KEYS, what)
        if not group.get("name"):
            raise ValueError(f"{what} needs a 'name'")
        additional.append({"name": str(group["name"]),
                           "inbound": _rule_list(group.get("inbound", []), f"{what}: inbound"),
                           "outbound": _rule_list(group["outbound"], f"{what}: outbound") if "outbound" in group
                           else None})
    return {"cluster": own, "additional": additional}


def resolve_peers(rules: list[dict[str, Any]] | None, cluster_group_id: str) -> list[dict[str, Any]] | None:
    """Rules with the peer `cluster` replaced by the cluster security group's id."""
    if rules is None:
        return None
    return [{**rule, "peer": cluster_group_id if rule["peer"] == "cluster" else rule["peer"]} for rule in rules]
