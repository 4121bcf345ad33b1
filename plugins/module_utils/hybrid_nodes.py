# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's module_utils boilerplate (coding, __future__, __metaclass__)
"""EKS Hybrid Nodes before an upgrade (pure): their kubelet skew, the CNI they run, the nodeadm upgrade each needs.

Hybrid nodes are on-premises machines joined to the cluster (node label eks.amazonaws.com/compute-type: hybrid).
AWS's "Upgrade hybrid nodes for your cluster": they follow the upstream skew policy (up to three minors behind the
control plane, never newer), are upgraded in place on the machine with ``nodeadm upgrade VERSION --config-source
file://nodeConfig.yaml`` (after a drain, one node at a time, never past the control plane's version), and "the
version of your CNI must support the Kubernetes version you are upgrading to". lifecycle.eks reads them from the
node list and the DaemonSets the preflight already reads, and runs nothing on them: it has no access to the
machines. Check results are ``(status, message, remediation)`` for checks.py.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
from collections import namedtuple

from ansible_collections.lifecycle.eks.plugins.module_utils.skew import (
    NODEADM_UPGRADE,
    ClusterState,
    build_upgrade_plan,
    max_kubelet_skew,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import (
    VersionError,
    image_tag,
    parse_kube_version,
    parse_semver,
)

PASS, WARN, FAIL = "pass", "warn", "fail"
NOT_RUN = ("lifecycle.eks runs nothing on hybrid nodes (it has no access to the machines): run each command as root "
           "on the node it names.")


class CniRelease(namedtuple("CniRelease", "cni series newest basis")):
    """A CNI release series (``1.17``: every 1.17.x) and the newest Kubernetes minor it supports on hybrid nodes."""

    __slots__ = ()


# Which Kubernetes minors each CNI release supports on EKS Hybrid Nodes. AWS's "Configure CNI for hybrid nodes" states
# support per release series "for every Kubernetes version supported in Amazon EKS": the newest minor recorded here is
# EKS's newest when AWS stated it. A series not listed, or a minor newer than every row, is unknown (a warning, not a
# failure). The table is as old as ``recorded``: check hybrid-nodes-cni warns when it is older than
# compatibility_table_max_age.
CNI_TABLE = {
    "source": "https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-cni.html",
    "recorded": "2025-11-10",
    "releases": (
        CniRelease("cilium", "1.16", "1.32",
                   "AWS's page of 2025 before November: Cilium 1.16.x for every EKS version; recorded up to 1.32, "
                   "EKS's newest when aws/eks-hybrid's e2e tests ran Cilium v1.16.7 on every version (2025-03-04)"),
        CniRelease("cilium", "1.17", "1.34",
                   "AWS's page of 2025-11-10 (awsdocs/amazon-eks-user-guide#1163): Cilium 1.17.x and 1.18.x for every "
                   "EKS version; EKS's newest then: 1.34"),
        CniRelease("cilium", "1.18", "1.34",
                   "AWS's page of 2025-11-10, as for 1.17.x (1.18.3 and later need Linux 5.10 or later: not Ubuntu "
                   "20.04 nor RHEL 8)"),
        CniRelease("calico", "3.29", "1.32",
                   "AWS's page of 2025 before November: Calico 3.29.x for every EKS version, recorded up to 1.32 as "
                   "Cilium 1.16.x (Calico's own requirements test 3.29 on 1.29 to 1.32); by 2025-11-10 the page had "
                   "moved Calico to aws-samples/eks-hybrid-examples"),
    ),
}
CNI_NAMES = {"cilium": "Cilium", "calico": "Calico"}
# (CNI, namespaces of its agent DaemonSet, the repository of the agent's image). Cilium's Helm chart installs in
# kube-system; Calico's manifests too, its Tigera operator (the Helm chart AWS's Calico instructions use) in
# calico-system.
CNI_DAEMONSETS = (("cilium", ("kube-system",), "cilium/cilium"),
                  ("calico", ("kube-system", "calico-system"), "calico/node"))


def nodes(facts):
    """The hybrid nodes among the gathered nodes (gather.classify_node), by name."""
    return sorted((node for node in facts["nodes"] if node["kind"] == "hybrid"), key=lambda node: node["name"])


def node_entries(facts, target):
    """Per hybrid node: its kubelet, OS image, the highest control plane it allows, and the nodeadm upgrade it needs
    before the upgrade (the path goes past what it allows and it is behind the control plane) and after it."""
    current = parse_kube_version(facts["cluster"]["version"])
    entries = []
    for node in nodes(facts):
        kubelet = parse_kube_version(node["kubelet"])
        allows = kubelet + max_kubelet_skew(kubelet)
        entries.append({
            "name": node["name"], "kubelet": node["kubelet"], "os_image": node.get("os_image"),
            "allows_control_plane_up_to": str(allows), "blocks_target": allows < target,
            "before_upgrade": NODEADM_UPGRADE % current if allows < target and kubelet < current else None,
            "after_upgrade": NODEADM_UPGRADE % target if kubelet < target and target >= current else None})
    return entries


def skew_verdict(facts, target, upgrade_nodegroups):
    """Check hybrid-nodes: the skew rule over the whole path and the nodeadm upgrade each hybrid node needs."""
    found = nodes(facts)
    if not found:
        return PASS, "No EKS Hybrid Nodes (no node labelled eks.amazonaws.com/compute-type: hybrid).", ""
    listed = "Hybrid nodes: %s." % "; ".join(
        "%s (kubelet %s, %s)" % (node["name"], node["minor"], node.get("os_image") or "OS unknown") for node in found)
    plan = build_upgrade_plan(ClusterState.from_dict(facts["skew_input"]), target,
                              upgrade_nodegroups=upgrade_nodegroups)
    names = {node["name"] for node in found}
    blockers = [finding for finding in plan.blockers if finding.subject in names]
    warnings = [finding for finding in plan.warnings if finding.subject in names]
    for status, findings in ((FAIL, blockers), (WARN, warnings)):
        if findings:
            return (status, " ".join([listed] + [_sentence(finding.reason) for finding in findings]),
                    " ".join([finding.remediation for finding in findings] + [NOT_RUN]))
    return PASS, listed + " Each is within the skew policy along the path and on %s already." % target, ""


def _sentence(text):
    return text[:1].upper() + text[1:] + "."


def image_repository(image):
    """The repository of an image reference, without tag or digest: "quay.io/cilium/cilium:v1.17.9" gives
    "quay.io/cilium/cilium" (a registry's port is not a tag)."""
    name = image.split("@", 1)[0]
    head, _sep, last = name.rpartition("/")
    return (head + "/" if head else "") + last.split(":", 1)[0]


def detect_cnis(workloads):
    """The Cilium and Calico agent DaemonSets among the gathered workloads: ``[{cni, workload, version, series}]``;
    ``version`` is the image tag (None without one), ``series`` MAJOR.MINOR (None when the tag is not a version)."""
    found = []
    for cni, namespaces, repository in CNI_DAEMONSETS:
        for key, workload in sorted(workloads.items()):
            if workload["kind"] != "DaemonSet" or key.split("/", 1)[0] not in namespaces:
                continue
            images = [image for image in workload["images"]
                      if image_repository(image) == repository or image_repository(image).endswith("/" + repository)]
            if not images:
                continue
            tag = image_tag(images[0])
            try:
                series = "%d.%d" % parse_semver(tag)[:2] if tag else None
            except VersionError:
                series = None
            found.append({"cni": cni, "workload": key, "version": tag, "series": series})
    return found


def _series_key(series):
    return parse_semver(series)


def _releases(cni):
    return sorted((row for row in CNI_TABLE["releases"] if row.cni == cni), key=lambda row: _series_key(row.series))


def table_age_days(today):
    """Days since CNI_TABLE was recorded, on ``today`` (an ISO date)."""
    return (datetime.date.fromisoformat(today) - datetime.date.fromisoformat(CNI_TABLE["recorded"])).days


def stale_table(today, max_age_seconds):
    """(message, remediation) when CNI_TABLE is older than ``max_age_seconds``, else None; not judged without either."""
    if today is None or max_age_seconds is None:
        return None
    age = table_age_days(today)
    if age * 86400 <= max_age_seconds:
        return None
    return ("The table of CNI releases for hybrid nodes was recorded on %s, %d days ago (more than "
            "compatibility_table_max_age, %g days): newer Cilium or Calico releases may support more minors than it "
            "says." % (CNI_TABLE["recorded"], age, max_age_seconds / 86400.0),
            "Check %s for the releases supported now (a newer lifecycle.eks may carry a newer table), or raise "
            "compatibility_table_max_age to accept this one." % CNI_TABLE["source"])


def _judge_cni(cni, minors, current):
    """(status, message, remediation) of one CNI for the minors the control plane lands on."""
    name, target = CNI_NAMES[cni["cni"]], minors[-1]
    label = "%s %s (DaemonSet %s)" % (name, cni["version"] or "without an image tag", cni["workload"])
    source = CNI_TABLE["source"]
    if cni["series"] is None:
        return (WARN, "%s: its version is unknown, so whether it supports %s is unknown." % (label, target),
                "Make sure %s on your hybrid nodes supports every minor up to %s before the upgrade (%s)."
                % (name, target, source))
    row = next((r for r in _releases(cni["cni"]) if r.series == cni["series"]), None)
    if row is None:
        return (WARN, "%s: %s %s.x is not in the table of CNI releases for hybrid nodes (recorded %s), so whether it "
                "supports %s is unknown." % (label, name, cni["series"], CNI_TABLE["recorded"], target),
                "Check %s for %s %s.x and Kubernetes %s before the upgrade." % (source, name, cni["series"], target))
    newest = parse_kube_version(row.newest)
    beyond = [minor for minor in minors if minor > newest]
    if not beyond:
        return PASS, "%s supports Kubernetes up to %s on hybrid nodes: the path to %s is covered." % (
            label, newest, target), ""
    first = beyond[0]
    further = [r for r in _releases(cni["cni"]) if parse_kube_version(r.newest) >= first]
    if not further:
        return (WARN, "%s supports Kubernetes up to %s on hybrid nodes; no %s release in the table (recorded %s) "
                "supports %s, so whether one does is unknown." % (label, newest, name, CNI_TABLE["recorded"], first),
                "Check %s for a %s release that supports %s, and install it before the hop to %s."
                % (source, name, first, first))
    reaching = [r for r in further if parse_kube_version(r.newest) >= target]
    pick = reaching[0] if reaching else max(further, key=lambda r: parse_kube_version(r.newest))
    beyond_table = "" if reaching else (" No %s release in the table supports %s: check %s." % (name, target, source))
    lower = " Or set the target to %s." % newest if newest > current else ""
    return (FAIL, "%s supports Kubernetes up to %s on hybrid nodes, so the hop to %s needs a newer %s first (AWS: the "
            "version of your CNI must support the Kubernetes version you are upgrading to)." % (
                label, newest, first, name),
            "Upgrade %s to %s.x or later before the hop to %s (AWS's 'Configure CNI for hybrid nodes', %s).%s%s"
            % (name, pick.series, first, source, beyond_table, lower))


def cni_verdict(facts, target, today=None, max_age_seconds=None):
    """Check hybrid-nodes-cni: the CNI of the hybrid nodes supports every minor the control plane lands on."""
    found = nodes(facts)
    if not found:
        return PASS, "No EKS Hybrid Nodes: no CNI for hybrid nodes to check.", ""
    current = parse_kube_version(facts["cluster"]["version"])
    if target <= current:
        return PASS, "No control-plane hop: the CNI of the hybrid nodes needs to support no new minor.", ""
    minors = [current + step for step in range(1, current.distance(target) + 1)]
    cnis = detect_cnis(facts.get("workloads") or {})
    if not cnis:
        verdicts = [(WARN, "%d hybrid node(s), but no Cilium DaemonSet in kube-system nor Calico DaemonSet "
                     "(calico/node) in kube-system or calico-system: the CNI of the hybrid nodes could not be checked "
                     "for %s." % (len(found), target),
                     "Make sure the CNI on your hybrid nodes supports every minor up to %s before the upgrade (%s)."
                     % (target, CNI_TABLE["source"]))]
    else:
        verdicts = [_judge_cni(cni, minors, current) for cni in cnis]
    stale = stale_table(today, max_age_seconds)
    if stale:
        verdicts.append((WARN,) + stale)
    status = FAIL if any(v[0] == FAIL for v in verdicts) else WARN if any(v[0] == WARN for v in verdicts) else PASS
    return (status, " ".join(v[1] for v in verdicts),
            " ".join(v[2] for v in verdicts if v[2] and (v[0] != PASS)))
