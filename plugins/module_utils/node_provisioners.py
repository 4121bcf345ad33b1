# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Nodes nobody updates through node groups: Karpenter's and EKS Auto Mode's. Pure: gather.py reads, this judges.

Karpenter (karpenter.sh NodePool, karpenter.k8s.aws EC2NodeClass, v1 or v1beta1). After a control plane
upgrade Karpenter replaces its nodes through *drift* when the AMIs its EC2NodeClass selects change:

- ``alias: FAMILY@latest``, or an ``amiFamily`` without ``amiSelectorTerms``: the newest EKS optimized AMI
  for the control plane's version. The nodes drift to the new minor.
- ``alias: FAMILY@vYYYYMMDD``: that AMI release, built for the control plane's version ("static per
  Kubernetes version"). The nodes drift to the release's build for the new minor, which exists only if
  the release is not older than the minor's EKS release date: an older one has no AMI for the new minor,
  and Karpenter launches no node once the control plane is there.
- ``id``, ``name``, ``ssmParameter``: an explicit AMI; the minor it is built for is read from its name
  (``...-1.29-...``, from ``status.amis``) or the SSM path (``/optimized-ami/1.29/``). Built for an older
  minor, it pins the nodes to that minor: no drift, the kubelets stay behind.
- ``tags`` (or a name without a minor): which AMIs it selects after the upgrade can't be told.

Drift replaces nodes within the NodePool's disruption budgets (``spec.disruption.budgets``, default
``nodes: 10%``; a budget whose ``reasons`` leave out ``Drifted`` does not apply); ``nodes: "0"`` blocks
it, during the budget's ``schedule`` window when it has one. A node annotated
``karpenter.sh/do-not-disrupt: "true"`` is not replaced.

EKS Auto Mode (DescribeCluster ``computeConfig.enabled``; nodes labelled
``eks.amazonaws.com/compute-type: auto``): EKS replaces the nodes of its NodePools (nodeClassRef group
eks.amazonaws.com) with nodes on the control plane's new minor itself, within the NodePools' disruption
budgets. Nothing for the collection to do: it says so.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.lifecycle.eks.plugins.module_utils.versions import VersionError, parse_kube_version

KARPENTER_GROUP = "karpenter.sh"
KARPENTER_AWS_GROUP = "karpenter.k8s.aws"
AUTO_MODE_GROUP = "eks.amazonaws.com"
DEFAULT_BUDGET = "10%"
DRIFTED = "Drifted"

# The Kubernetes minor in an AMI name or SSM path: "-1.29-", "/1.29/", "_1.29/" (not "v1.20.0").
_MINOR_IN_NAME = re.compile(r"(?:^|[-/_])(1\.\d{1,2})(?=[-/_]|$)")
_ALIAS = re.compile(r"^(?P<family>[A-Za-z0-9]+)@(?P<version>.+)$")
_DATED_RELEASE = re.compile(r"^v(\d{4})(\d{2})(\d{2})$")
_CONTROLLER_IMAGE = re.compile(r"karpenter/controller[:@]|/karpenter:")

# AMI selection verdicts of one selector term (and of an EC2NodeClass: the best of its terms, ORed).
FOLLOWS = "follows"        # the newest AMI for the control plane's version
RELEASE = "release"        # one AMI release, built for the control plane's version
CURRENT = "current"        # an explicit AMI built for the target (or later)
UNKNOWN = "unknown"        # can't tell which minor it selects after the upgrade
NO_BUILD = "no-build"      # an AMI release older than the target: none for the target
PINNED = "pinned"          # an explicit AMI built for an older minor
_PREFERENCE = (FOLLOWS, RELEASE, CURRENT, UNKNOWN, NO_BUILD, PINNED)
NEEDS_ATTENTION = frozenset((UNKNOWN, NO_BUILD, PINNED))


def summarize_nodepool(obj):
    """What the analysis needs of a NodePool (v1 or v1beta1), from the custom object as listed."""
    spec = obj.get("spec") or {}
    template = (spec.get("template") or {}).get("spec") or {}
    ref = template.get("nodeClassRef") or {}
    group = ref.get("group") or (ref.get("apiVersion") or "").split("/")[0] or None
    disruption = spec.get("disruption") or {}
    return {"name": (obj.get("metadata") or {}).get("name"), "node_class": ref.get("name"),
            "node_class_group": group, "node_class_kind": ref.get("kind"),
            "budgets": disruption.get("budgets"), "consolidation_policy": disruption.get("consolidationPolicy")}


def summarize_ec2nodeclass(obj):
    """What the analysis needs of an EC2NodeClass: AMI family, selector terms, the AMIs it resolved."""
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    return {"name": (obj.get("metadata") or {}).get("name"), "ami_family": spec.get("amiFamily"),
            "ami_selector_terms": spec.get("amiSelectorTerms") or [],
            "amis": [{"id": ami.get("id"), "name": ami.get("name")} for ami in status.get("amis") or []]}


def needs_release_dates(karpenter):
    """Whether an EC2NodeClass pins a dated AMI release (FAMILY@vYYYYMMDD), which EKS release dates judge."""
    for node_class in (karpenter or {}).get("ec2nodeclasses") or []:
        for term in node_class.get("ami_selector_terms") or []:
            match = _ALIAS.match(str(term.get("alias") or ""))
            if match and _DATED_RELEASE.match(match.group("version")):
                return True
    return False


def minor_in_name(text):
    """The one Kubernetes minor an AMI name or SSM path names ("1.29"), else None (none, or several)."""
    found = set(_MINOR_IN_NAME.findall(text or ""))
    return found.pop() if len(found) == 1 else None


def _day(value):
    """YYYY-MM-DD of a date or ISO timestamp text, or None."""
    text = str(value or "")[:10]
    return text if re.match(r"^\d{4}-\d{2}-\d{2}$", text) else None


def _older(minor, target):
    try:
        return parse_kube_version(minor) < target
    except VersionError:
        return None


def judge_term(term, node_class, target, release_dates):
    """(verdict, what it selects) of one amiSelectorTerm for nodes on ``target`` (a KubeMinor)."""
    release_dates = release_dates or {}
    if term.get("alias"):
        match = _ALIAS.match(str(term["alias"]))
        if not match:
            return UNKNOWN, "alias %s (not FAMILY@VERSION)" % term["alias"]
        version = match.group("version")
        if version == "latest":
            return FOLLOWS, "alias %s: the newest EKS optimized AMI for the cluster's version" % term["alias"]
        dated = _DATED_RELEASE.match(version)
        released = _day(release_dates.get(str(target)))
        if dated and released:
            built = "%s-%s-%s" % dated.groups()
            if built < released:
                return NO_BUILD, ("alias %s: AMI release %s, older than Kubernetes %s (EKS release %s), has no AMI "
                                  "for %s" % (term["alias"], version, target, released, target))
            return RELEASE, "alias %s: AMI release %s, built for the cluster's version" % (term["alias"], version)
        return RELEASE, ("alias %s: AMI release %s, built for the cluster's version (not verified to exist for %s)"
                         % (term["alias"], version, target))
    if term.get("id") or term.get("name") or term.get("ssmParameter"):
        if term.get("ssmParameter"):
            label, names = "SSM parameter %s" % term["ssmParameter"], [term["ssmParameter"]]
        elif term.get("id"):
            label = "AMI %s" % term["id"]
            names = [ami.get("name") for ami in node_class.get("amis") or [] if ami.get("id") == term["id"]]
        else:
            label, names = "AMI name %s" % term["name"], [term["name"]]
        minors = {minor_in_name(name) for name in names if name} - {None}
        if len(minors) != 1:
            return UNKNOWN, "%s (built for an unknown Kubernetes minor)" % label
        minor = minors.pop()
        older = _older(minor, target)
        if older is None:
            return UNKNOWN, "%s (built for an unknown Kubernetes minor)" % label
        return (PINNED if older else CURRENT), "%s, built for Kubernetes %s" % (label, minor)
    if term.get("tags"):
        tags = ", ".join("%s=%s" % (key, value) for key, value in sorted(term["tags"].items()))
        return UNKNOWN, "AMIs tagged %s (which minor they are built for after the upgrade is not known)" % tags
    return UNKNOWN, "selector term %r" % (term,)


def judge_node_class(node_class, target, release_dates=None):
    """How an EC2NodeClass selects AMIs for ``target``: verdict, what each term selects, remediation."""
    terms = node_class.get("ami_selector_terms") or []
    family = node_class.get("ami_family")
    if not terms:
        if family and str(family).lower() != "custom":
            judged = [(FOLLOWS, "amiFamily %s: the newest EKS optimized AMI for the cluster's version" % family)]
        else:
            judged = [(UNKNOWN, "no amiSelectorTerms (amiFamily %s)" % (family or "unset"))]
    else:
        judged = [judge_term(term, node_class, target, release_dates) for term in terms]
    verdict = min((found for found, _text in judged), key=_PREFERENCE.index)
    return {"name": node_class.get("name"), "verdict": verdict, "needs_attention": verdict in NEEDS_ATTENTION,
            "ami_family": family, "selects": [text for _found, text in judged],
            "remediation": _node_class_remediation(node_class.get("name"), verdict, target, family)}


def _node_class_remediation(name, verdict, target, family):
    if verdict not in NEEDS_ATTENTION:
        return ""
    alias = (family or "al2023").lower()
    if alias not in ("al2", "al2023", "bottlerocket", "windows2019", "windows2022"):
        alias = "al2023"
    return ("Point amiSelectorTerms of EC2NodeClass %s at AMIs built for Kubernetes %s before the upgrade (alias "
            "%s@latest, an %s@vYYYYMMDD release published on or after %s's EKS release, or the id/name of an AMI "
            "built for %s); Karpenter then replaces its nodes through drift." % (name, target, alias, alias, target,
                                                                                 target))


def drift_budget(budgets):
    """(state, limit) of the disruption budgets that apply to drift: "blocked", "windowed" or "allowed".

    ``budgets`` as in NodePool spec.disruption.budgets; None (unset) is Karpenter's default, nodes 10%.
    A budget with ``reasons`` that leave out Drifted does not limit drift; when none applies, nothing
    does ("100%"). Several apply at once: the most restrictive wins, so all are named.
    """
    if budgets is None:
        budgets = [{"nodes": DEFAULT_BUDGET}]
    applying = [b for b in budgets if not b.get("reasons") or DRIFTED in b["reasons"]]
    zero = [b for b in applying if str(b.get("nodes", DEFAULT_BUDGET)).strip() in ("0", "0%")]
    if any(not b.get("schedule") for b in zero):
        return "blocked", "0"
    limits = sorted({str(b.get("nodes", DEFAULT_BUDGET)).strip() for b in applying if not b.get("schedule")})
    limit = " and ".join(limits) if limits else "100%"
    if zero:
        windows = "; ".join("%s for %s" % (b["schedule"], b.get("duration", "?")) for b in zero)
        return "windowed", "%s outside the window(s) %s" % (limit, windows)
    return "allowed", limit


def _target_minor(facts, target):
    if target is not None:
        return parse_kube_version(target)
    return parse_kube_version(facts["cluster"]["version"])


def controller_of(workloads):
    """The Karpenter controller Deployment among the workloads (preflight reads them), or None."""
    for key, workload in sorted((workloads or {}).items()):
        for image in workload.get("images") or []:
            if _CONTROLLER_IMAGE.search(image):
                tag = image.split("@", 1)[0].rsplit(":", 1)
                return {"workload": key, "image": image,
                        "version": tag[1] if len(tag) == 2 and "/" not in tag[1] else None}
    return None


def _node_pool(pool, classes, nodes, target, release_dates):
    node_class = classes.get(pool.get("node_class"))
    mine = [n for n in nodes if n.get("nodepool") == pool.get("name")]
    behind = [n for n in mine if _older(n["minor"], target)]
    kept = [n["name"] for n in behind if n.get("do_not_disrupt")]
    state, limit = drift_budget(pool.get("budgets"))
    entry = {"name": pool.get("name"), "node_class": pool.get("node_class"), "nodes": len(mine),
             "behind": [n["name"] for n in behind], "replaced": [], "blocked": [], "stay": [],
             "do_not_disrupt": kept, "budget": limit, "budget_state": state}
    if node_class is None:
        entry["ami"] = UNKNOWN
        entry["stay"] = [n["name"] for n in behind]
        entry["message"] = ("NodePool %s refers to EC2NodeClass %s, which does not exist: Karpenter launches no "
                            "node for it." % (pool.get("name"), pool.get("node_class")))
        return entry
    verdict = judge_node_class(node_class, target, release_dates)["verdict"]
    entry["ami"] = verdict
    movable = [n["name"] for n in behind if not n.get("do_not_disrupt")]
    if not behind:
        entry["message"] = "NodePool %s: none of its %d node(s) is below %s." % (pool.get("name"), len(mine), target)
    elif verdict in NEEDS_ATTENTION:
        entry["stay"] = [n["name"] for n in behind]
        why = {PINNED: "its EC2NodeClass %s pins an AMI built for an older minor",
               NO_BUILD: "its EC2NodeClass %s selects an AMI release with no AMI for the new minor",
               UNKNOWN: "which AMI its EC2NodeClass %s selects for the new minor is not known"}[verdict]
        entry["message"] = ("NodePool %s: %d node(s) below %s are not replaced through drift: %s."
                            % (pool.get("name"), len(behind), target, why % pool.get("node_class")))
    elif state == "blocked":
        entry["blocked"] = movable
        entry["stay"] = kept
        entry["message"] = ("NodePool %s: drift would replace %d node(s) below %s, but a disruption budget of 0 "
                            "nodes for Drifted blocks it." % (pool.get("name"), len(movable), target))
    else:
        entry["replaced"] = movable
        entry["stay"] = kept
        entry["message"] = ("NodePool %s: Karpenter replaces %d node(s) below %s through drift (budget %s)%s."
                            % (pool.get("name"), len(movable), target, limit,
                               "; %d kept by karpenter.sh/do-not-disrupt" % len(kept) if kept else ""))
    return entry


def analyze(facts, target=None):
    """The ``node_provisioners`` section: node kinds, Karpenter's AMI selection and drift, EKS Auto Mode.

    ``target`` is the version the nodes are judged against (the control plane's version when None: after
    the upgrade). ``facts`` as gather.py returns them (``karpenter`` present when the provisioners part was
    read; ``workloads`` and ``version_release_dates`` used when present).
    """
    minor = _target_minor(facts, target)
    nodes = facts.get("nodes") or []
    kinds = {}
    for node in nodes:
        kinds[node["kind"]] = kinds.get(node["kind"], 0) + 1
    read = facts.get("karpenter")
    karpenter = read or {"api_versions": {}, "nodepools": [], "ec2nodeclasses": []}
    release_dates = facts.get("version_release_dates") or {}
    auto_pools = [p["name"] for p in karpenter["nodepools"] if p.get("node_class_group") == AUTO_MODE_GROUP]
    pools = [p for p in karpenter["nodepools"] if p.get("node_class_group") != AUTO_MODE_GROUP]
    classes = {c["name"]: c for c in karpenter["ec2nodeclasses"]}
    controller = controller_of(facts.get("workloads"))
    karpenter_nodes = [n for n in nodes if n["kind"] == "karpenter"]
    detected = bool(pools or classes or controller or karpenter_nodes
                    or KARPENTER_AWS_GROUP in karpenter["api_versions"])
    judged = [judge_node_class(c, minor, release_dates) for c in karpenter["ec2nodeclasses"]]
    pool_entries = [_node_pool(p, classes, karpenter_nodes, minor, release_dates) for p in pools]
    for node_class in judged:
        node_class["node_pools"] = [p["name"] for p in pools if p.get("node_class") == node_class["name"]]
    drift = {key: sorted(name for p in pool_entries for name in p[key])
             for key in ("replaced", "blocked", "stay")}
    section = {
        "target": str(minor),
        "node_kinds": kinds,
        "karpenter": {
            "read": read is not None,
            "detected": detected,
            "api_version": karpenter["api_versions"].get(KARPENTER_GROUP),
            "controller": controller,
            "nodes": len(karpenter_nodes),
            "node_classes": judged,
            "node_pools": pool_entries,
            "pinned_node_classes": [c["name"] for c in judged if c["needs_attention"]],
            "drift": drift,
        },
        "auto_mode": _auto_mode(facts, nodes, auto_pools, minor),
    }
    section["messages"] = _messages(section)
    return section


def _auto_mode(facts, nodes, auto_pools, minor):
    config = facts["cluster"].get("auto_mode") or {}
    enabled = bool(config.get("enabled"))
    auto_nodes = [n for n in nodes if n["kind"] == "auto"]
    behind = [n["name"] for n in auto_nodes if _older(n["minor"], minor)]
    managed = len(facts.get("nodegroups") or [])
    pools = list(config.get("node_pools") or []) + [p for p in auto_pools if p not in (config.get("node_pools") or [])]
    result = {"enabled": enabled, "node_pools": pools, "nodes": len(auto_nodes), "behind": behind,
              "managed_nodegroups": managed, "message": ""}
    if enabled:
        result["message"] = (
            "EKS Auto Mode is enabled (NodePools %s): EKS replaces its %d node(s) with nodes on %s itself after the "
            "control plane update, within the NodePools' disruption budgets; the collection leaves them to EKS%s."
            % (", ".join(pools) or "none", len(auto_nodes), minor,
               " (%d still below %s)" % (len(behind), minor) if behind else "")
            + (" No managed node group: no node group step to run." if not managed else ""))
    return result


def _messages(section):
    """One line per thing a reader of the report should know, in the order of the section."""
    lines = []
    karpenter = section["karpenter"]
    for node_class in karpenter["node_classes"]:
        if node_class["needs_attention"]:
            lines.append("EC2NodeClass %s (NodePools %s): %s." % (
                node_class["name"], ", ".join(node_class["node_pools"]) or "none", "; ".join(node_class["selects"])))
    lines += [pool["message"] for pool in karpenter["node_pools"] if pool["behind"] or pool["node_class"] not in
              [c["name"] for c in karpenter["node_classes"]]]
    if section["auto_mode"]["enabled"]:
        lines.append(section["auto_mode"]["message"])
    return lines
