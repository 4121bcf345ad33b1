# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's module_utils boilerplate (coding, __future__, __metaclass__)
"""The procedure's security-group requirement (pure): the cluster communication EKS documents for the cluster
security group and the additional ones. Check results are ``(status, message, remediation)`` for checks.py."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

PASS, WARN, FAIL = "pass", "warn", "fail"

# Amazon EKS security group requirements (https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html):
# EKS creates the cluster security group with inbound all traffic from itself and outbound all traffic. Restricted,
# the minimum is outbound TCP 443, TCP 10250 (kubelet) and TCP/UDP 53 (DNS) to the cluster security group, where
# EKS puts managed nodes; the nodes reach the API server on TCP 443. EKS attaches the cluster security group and
# the additional ones to the network interfaces an update creates, and a security group admits traffic any of an
# interface's groups allows, so the rules are judged on all of them together: an additional group needs none.
ANY_ADDRESS = ("0.0.0.0/0", "::/0")
REQUIRED_INBOUND = (("tcp", 443, "HTTPS from the nodes to the API server"),)
REQUIRED_OUTBOUND = (("tcp", 443, "HTTPS to the nodes"), ("tcp", 10250, "the kubelet API"),
                     ("tcp", 53, "DNS"), ("udp", 53, "DNS"))


def _rule_allows(rule, protocol, port):
    return rule["protocol"] == "all" or (rule["protocol"] == protocol and rule["from_port"] <= port <= rule["to_port"])


def _peer_is_nodes(peer, cluster_group_id, subnet_cidrs):
    """The rule's source/destination covers the nodes: the cluster security group, any address, or a range
    holding every cluster subnet (another group or a prefix list is not known to hold them)."""
    if peer == cluster_group_id or peer in ANY_ADDRESS:
        return True
    try:
        network = ipaddress.ip_network(peer, strict=False)
    except ValueError:
        return False
    subnets = [ipaddress.ip_network(cidr) for cidr in subnet_cidrs]
    return bool(subnets) and all(s.version == network.version and s.subnet_of(network) for s in subnets)


def _missing_rule(direction, protocol, port, purpose, group_id, self_rule):
    """(what is missing, the command that adds it to the cluster security group)"""
    if direction == "inbound" and not self_rule:
        # The rule EKS creates (and the page says it recreates on a cluster update); it covers TCP 443 too.
        return ("inbound all traffic from %s itself (EKS's default rule; the nodes reach the API server on "
                "TCP 443 through it)" % group_id,
                "aws ec2 authorize-security-group-ingress --group-id %s --ip-permissions "
                "'IpProtocol=-1,UserIdGroupPairs=[{GroupId=%s}]'" % (group_id, group_id))
    if direction == "inbound":
        return ("inbound %s %d from the nodes (%s) for %s" % (protocol.upper(), port, group_id, purpose),
                "aws ec2 authorize-security-group-ingress --group-id %s --protocol %s --port %d --source-group %s"
                % (group_id, protocol, port, group_id))
    return ("outbound %s %d to the nodes (%s) for %s" % (protocol.upper(), port, group_id, purpose),
            "aws ec2 authorize-security-group-egress --group-id %s --ip-permissions "
            "'IpProtocol=%s,FromPort=%d,ToPort=%d,UserIdGroupPairs=[{GroupId=%s}]'"
            % (group_id, protocol, port, port, group_id))


def verdict(facts):
    """The cluster communication EKS documents: fail when no group allows a required flow, warn when only the
    cluster security group's default inbound rule is gone (EKS recreates it when the cluster is updated)."""
    group = facts.get("cluster_security_group")
    if group is None:
        return PASS, "No cluster security group recorded on the cluster.", ""
    if not group["exists"]:
        return PASS, ("Not checked: cluster security group %s does not exist (check cluster-security-group)."
                      % group["id"]), ""
    group_id = group["id"]
    groups = [group] + [g for g in facts.get("additional_security_groups") or [] if g["exists"]]
    subnet_cidrs = [s["cidr"] for s in facts.get("subnets") or [] if s.get("cidr")]
    self_rule = any(r["protocol"] == "all" and r["peer"] == group_id for r in group["inbound"])

    def allowed(direction, protocol, port):
        return any(_rule_allows(rule, protocol, port) and _peer_is_nodes(rule["peer"], group_id, subnet_cidrs)
                   for g in groups for rule in g[direction])

    missing = [_missing_rule(direction, protocol, port, purpose, group_id, self_rule)
               for direction, required in (("inbound", REQUIRED_INBOUND), ("outbound", REQUIRED_OUTBOUND))
               for protocol, port, purpose in required if not allowed(direction, protocol, port)]
    names = ", ".join(g["id"] for g in groups)
    if missing:
        return (FAIL,
                "The cluster's security groups (%s) lack required rules: %s. The update creates API server "
                "network interfaces with these groups and can fail without them."
                % (names, "; ".join(missing_rule[0] for missing_rule in missing)),
                "Add them to the cluster security group: " + "; ".join(missing_rule[1] for missing_rule in missing))
    if not self_rule:
        rule, command = _missing_rule("inbound", "all", 0, "", group_id, self_rule)
        return (WARN,
                "Cluster security group %s lacks %s; the required ports are allowed by other rules. EKS "
                "recreates the rule whenever the cluster is updated." % (group_id, rule),
                "Expect the update to add it back, or add it now: " + command)
    return (PASS, "The cluster's security groups (%s) allow the required cluster communication (inbound TCP 443 "
            "from the nodes; outbound TCP 443, 10250 and TCP/UDP 53 to them)." % names, "")
