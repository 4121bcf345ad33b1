# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# ruff: noqa: UP001, UP009, UP010 -- Ansible's module_utils boilerplate (coding, __future__, __metaclass__)
"""Karpenter, the AWS Load Balancer Controller and the Cluster Autoscaler judged against their compatibility tables.

Pure: the controllers are found in the Deployments gather.py read (by image repository, in any namespace), judged
against controller_table.py for every minor of the path, and the Cluster Autoscaler's ClusterRoles against the rules
of the release for the target minor. Each verdict is ``(status, message, remediation)``; checks.py makes the checks.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

from ansible_collections.lifecycle.eks.plugins.module_utils.controller_table import (
    AFTER_HOP,
    CLUSTER_AUTOSCALER,
    CLUSTER_AUTOSCALER_MANIFEST,
    CLUSTER_AUTOSCALER_RELEASES_RECORDED,
    CLUSTER_AUTOSCALER_RELEASES_SOURCE,
    CLUSTER_AUTOSCALER_RULES,
    CLUSTER_AUTOSCALER_RULES_RECORDED,
    CLUSTER_AUTOSCALER_RULES_SOURCE,
    NAMES,
    ORDER,
    SOURCES,
    TABLE,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import (
    VersionError,
    image_tag,
    parse_kube_version,
    parse_semver,
)

PASS, WARN, FAIL = "pass", "warn", "fail"
DEFAULT_MAX_AGE_DAYS = 180
# The Deployment the post_upgrade role sets the Cluster Autoscaler image of.
POST_UPGRADE_AUTOSCALER = "kube-system/cluster-autoscaler"

# A controller is recognised by its image repository (the image name without registry tag or digest), wherever
# its Deployment lives and whatever it is called: public.ecr.aws/karpenter/controller,
# public.ecr.aws/eks/aws-load-balancer-controller, registry.k8s.io/autoscaling/cluster-autoscaler.
IMAGE_REPOSITORIES = {
    "karpenter": re.compile(r"(^|/)karpenter(/controller)?$"),
    "aws-load-balancer-controller": re.compile(r"(^|/)aws-load-balancer-controller$"),
    "cluster-autoscaler": re.compile(r"(^|/)cluster-autoscaler(-amd64|-arm64)?$"),
}


def image_repository(image):
    """The image reference without its tag and digest: "registry:5000/a/b:v1@sha256:..." -> "registry:5000/a/b"."""
    name = image.split("@", 1)[0]
    head, _slash, last = name.rpartition("/")
    return (head + "/" if head else "") + last.split(":", 1)[0]


def _semver(tag):
    try:
        return parse_semver(tag) if tag else None
    except VersionError:
        return None


def find_controllers(workloads):
    """The table's controllers among the Deployments read, sorted by controller then namespace/name."""
    found = []
    for key, workload in sorted((workloads or {}).items()):
        if workload.get("kind") != "Deployment":
            continue
        for image in workload.get("images") or []:
            controller = next((c for c, pattern in sorted(IMAGE_REPOSITORIES.items())
                               if pattern.search(image_repository(image))), None)
            if controller:
                tag = image_tag(image)
                found.append({"controller": controller, "workload": key, "image": image, "version": tag,
                              "service_account": workload.get("service_account")})
                break
    return sorted(found, key=lambda c: (c["controller"], c["workload"]))


def _text(version):
    return "%d.%d.%d" % version


def _rows(controller):
    return [row for row in TABLE if row.controller == controller]


def _holds(row, version):
    below_end = row.versions_to is None or version < parse_semver(row.versions_to)
    return parse_semver(row.versions_from) <= version and below_end


def _covers(row, minor):
    up_to_end = row.kubernetes_to is None or minor <= parse_kube_version(row.kubernetes_to)
    return parse_kube_version(row.kubernetes_from) <= minor and up_to_end


def known_version(controller, version):
    """Whether a row of the controller's table speaks of this version ((major, minor, patch))."""
    return any(_holds(row, version) for row in _rows(controller))


def known_minor(controller, minor):
    """Whether a row of the controller's table speaks of this Kubernetes minor."""
    return any(_covers(row, minor) for row in _rows(controller))


def supports(controller, version, minor):
    """Whether the table says this version supports this minor (False also for a version it doesn't know)."""
    return any(_holds(row, version) and _covers(row, minor) for row in _rows(controller))


def _reach(row, minors):
    """How many of ``minors`` (in order) the row covers before the first it doesn't."""
    count = 0
    for minor in minors:
        if not _covers(row, minor):
            break
        count += 1
    return count


def version_to_install(controller, before, minors):
    """The release to install while the control plane is on ``before`` so that it supports ``minors[0]``: one the
    table says supports both, going as far along ``minors`` as any does, the lowest such; None when none does."""
    candidates = [row for row in _rows(controller) if _covers(row, before) and _covers(row, minors[0])]
    if not candidates:
        return None
    best = min(candidates, key=lambda row: (-_reach(row, minors), parse_semver(row.versions_from)))
    return parse_semver(best.versions_from)


def path_minors(current, target):
    return [current + step for step in range(1, current.distance(target) + 1)] if target > current else []


def _source(controller):
    source, recorded = SOURCES[controller]
    return "%s, recorded %s" % (source, recorded)


def judge(found, current, target):
    """The verdict on one controller found (find_controllers) for the path current -> target (KubeMinor).

    A dict: controller, workload, image, version, status, message, remediation and install (the releases to install,
    each before the hop to the minor it names).
    """
    controller = found["controller"]
    name = NAMES[controller]
    verdict = dict(found, install=[])
    version = _semver(found["version"])
    label = "%s %s (%s)" % (name, found["version"], found["workload"])
    if version is None or not known_version(controller, version):
        why = ("its image tag is not a version" if version is None
               else "the table of %s does not list it" % name)
        return dict(verdict, status=WARN, message="%s: version unknown, %s; it can't be judged for %s." % (
            label, why, ", ".join(str(m) for m in path_minors(current, target)) or str(current)),
            remediation="Check which Kubernetes minors %s %s supports (%s) before the upgrade."
                        % (name, found["version"], _source(controller)))
    if ORDER[controller] == AFTER_HOP:
        return _judge_after_hop(verdict, label, version, current, target)
    return _judge_before_hop(verdict, label, version, current, target)


def _judge_before_hop(verdict, label, version, current, target):
    controller = verdict["controller"]
    name = NAMES[controller]
    problems, fixes, installed, path = [], [], version, path_minors(current, target)
    if not supports(controller, version, current):
        problems.append("it does not support the control plane's %s already" % current)
    for index, minor in enumerate(path):
        if not known_minor(controller, minor):
            problems.append("the table has no entry for Kubernetes %s" % minor)
            fixes.append("Check that %s %s supports Kubernetes %s (%s) before the hop to %s."
                         % (name, _text(installed), minor, _source(controller), minor))
            break
        if supports(controller, installed, minor):
            continue
        chosen = version_to_install(controller, minor - 1, path[index:])
        verdict["install"].append({"before_hop": str(minor), "version": _text(chosen) if chosen else None})
        if chosen is None:
            fixes.append("No %s release in the table supports both %s and %s: see %s." % (
                name, minor - 1, minor, _source(controller)))
            break
        fixes.append("Install %s %s or later before the hop to %s." % (name, _text(chosen), minor))
        installed = chosen
    if verdict["install"]:
        hops = ", ".join(step["before_hop"] for step in verdict["install"])
        steps = "; ".join("%s before the hop to %s" % (
            "%s or later" % step["version"] if step["version"] else "no release the table knows", step["before_hop"])
            for step in verdict["install"])
        message = "%s does not support Kubernetes %s%s: it must move before the control plane, to %s." % (
            label, hops, (" (%s)" % "; ".join(problems)) if problems else "", steps)
        return dict(verdict, status=FAIL, message=message, remediation=" ".join(fixes))
    if problems:
        return dict(verdict, status=WARN, message="%s: %s." % (label, "; ".join(problems)),
                    remediation=" ".join(fixes) or "Install a %s release that supports %s (%s)."
                    % (name, current, _source(controller)))
    minors = ", ".join(str(m) for m in path)
    return dict(verdict, status=PASS, message="%s supports Kubernetes %s." % (label, minors or current))


def _judge_after_hop(verdict, label, version, current, target):
    """A Cluster Autoscaler release serves one minor: it follows each hop instead of preceding it."""
    name = NAMES[CLUSTER_AUTOSCALER]
    built_for = parse_kube_version("%d.%d" % version[:2])
    path = path_minors(current, target)
    problems, fixes = [], []
    if built_for != current:
        problems.append("it is built for Kubernetes %s, not for the control plane's %s" % (built_for, current))
    unknown = [m for m in path if not known_minor(CLUSTER_AUTOSCALER, m)]
    if unknown:
        problems.append("the table has no %s release for Kubernetes %s" % (name, ", ".join(str(m) for m in unknown)))
    if len(path) > 1:
        problems.append("between the hops it runs on %s, minors it is not built for, until the post-upgrade step "
                        "sets %s.x" % (", ".join(str(m) for m in path[:-1]), target))
    if not path:
        steps = "" if built_for == current else "Set it to a %s.x release." % current
    elif verdict["workload"] == POST_UPGRADE_AUTOSCALER:
        steps = ("After the control plane reaches %s, the post_upgrade role sets its image to a %s.x release "
                 "(the latest %s.x tag of its image registry, else the shipped table; eks_cluster_autoscaler_versions "
                 "pins one)." % (target, target, target))
    else:
        problems.append("the post_upgrade role only sets %s, not %s" % (POST_UPGRADE_AUTOSCALER, verdict["workload"]))
        steps = "After the control plane reaches %s, set the image of %s to a %s.x release." % (
            target, verdict["workload"], target)
    fixes.append(steps)
    message = "%s: a %s release serves one Kubernetes minor (1.N.x for 1.N), so it follows the control plane" % (
        label, name)
    if problems:
        return dict(verdict, status=WARN, message=message + "; " + "; ".join(problems) + ".",
                    remediation=" ".join(f for f in fixes if f))
    return dict(verdict, status=PASS, message=message + ": it matches %s%s." % (
        current, ", and must run %s.x after the hop" % target if path else ""), remediation=steps)


def judge_all(workloads, current_text, target):
    """Every controller found, judged for the path from the control plane's version to ``target`` (KubeMinor)."""
    current = parse_kube_version(current_text)
    return [judge(found, current, max(target, current)) for found in find_controllers(workloads)]


def compatibility_verdict(verdicts):
    """(status, message, remediation) of check controller-compatibility from judge_all's verdicts."""
    if not verdicts:
        return PASS, "No Karpenter, AWS Load Balancer Controller or Cluster Autoscaler Deployment found.", ""
    status = FAIL if any(v["status"] == FAIL for v in verdicts) else (
        WARN if any(v["status"] == WARN for v in verdicts) else PASS)
    shown = [v for v in verdicts if v["status"] != PASS] if status != PASS else verdicts
    return (status, " ".join(v["message"] for v in shown),
            " ".join(v["remediation"] for v in shown if v.get("remediation")))


def table_dates(controllers):
    """(what, source, recorded day) of each table the found controllers are judged with."""
    dates = []
    for controller in sorted(set(controllers)):
        source, recorded = SOURCES[controller]
        dates.append(("%s compatibility table" % NAMES[controller], source, recorded))
        if controller == CLUSTER_AUTOSCALER:
            dates.append(("Cluster Autoscaler ClusterRole rules", CLUSTER_AUTOSCALER_RULES_SOURCE,
                          CLUSTER_AUTOSCALER_RULES_RECORDED))
            # The post-upgrade step's offline fallback when the registry cannot be read.
            dates.append(("Cluster Autoscaler releases", CLUSTER_AUTOSCALER_RELEASES_SOURCE,
                          CLUSTER_AUTOSCALER_RELEASES_RECORDED))
    return dates


def table_age_verdict(controllers, today, max_age_days):
    """(status, message, remediation) of check controller-table-age: warns when a table the found controllers are
    judged with was recorded more than ``max_age_days`` days before ``today`` (a date); exactly that old passes."""
    dates = table_dates(controllers)
    if not dates:
        return PASS, "No controller of the compatibility tables is deployed: their age does not matter.", ""
    ages = [(what, source, recorded, (today - datetime.date.fromisoformat(recorded)).days)
            for what, source, recorded in dates]
    listed = "; ".join("%s: %s (recorded %s, %d day(s) ago)" % age for age in ages)
    old = [what for what, _source, _recorded, days in ages if days > max_age_days]
    if old:
        return (WARN, "Older than %g day(s) on %s: %s. Releases since then are unknown to it. %s." % (
            max_age_days, today.isoformat(), ", ".join(old), listed),
            "Read the sources again and update plugins/module_utils/controller_table.py (rows and recorded day), "
            "or update the collection; compatibility_table_max_age sets how old a table may be.")
    return PASS, "Compatibility tables within %g day(s) on %s: %s." % (max_age_days, today.isoformat(), listed), ""


def autoscaler_rules(minor):
    """(rules, release tag) the Cluster Autoscaler release for ``minor`` (KubeMinor) needs, or None if not recorded."""
    for first, last, rules in CLUSTER_AUTOSCALER_RULES:
        if parse_kube_version(first) <= minor <= parse_kube_version(last):
            return rules, "%s.0" % minor
    return None


def _atoms(rule):
    names = rule.get("resourceNames") or [None]
    return {(group, resource, verb, name) for group in rule.get("apiGroups") or []
            for resource in rule.get("resources") or [] for verb in rule.get("verbs") or [] for name in names}


def _grants(rule, atom):
    """Whether a ClusterRole rule grants (group, resource, verb, resourceName or None), as Kubernetes RBAC does."""
    group, resource, verb, name = atom
    names = rule.get("resourceNames") or []
    return ((group in (rule.get("apiGroups") or []) or "*" in (rule.get("apiGroups") or []))
            and (resource in (rule.get("resources") or []) or "*" in (rule.get("resources") or []))
            and (verb in (rule.get("verbs") or []) or "*" in (rule.get("verbs") or []))
            and (not names or (name is not None and name in names)))


def missing_rules(required, granted):
    """The required rules no granted rule covers, one text per API group/resource/resource name with its verbs."""
    missing = {}
    for rule in required:
        for atom in sorted(_atoms(rule), key=lambda a: tuple(x or "" for x in a)):
            if not any(_grants(g, atom) for g in granted):
                group, resource, verb, name = atom
                missing.setdefault((group, resource, name), []).append(verb)
    return ["%s %s%s: %s" % (group or "core", resource, " (%s)" % name if name else "", ", ".join(sorted(verbs)))
            for (group, resource, name), verbs in sorted(missing.items(), key=lambda i: tuple(x or "" for x in i[0]))]


def autoscaler_rbac_verdict(rbac, target):
    """(status, message, remediation) of check cluster-autoscaler-rbac: the ClusterRoles bound to each Cluster
    Autoscaler's service account against the rules of the release for ``target`` (KubeMinor), which the post-upgrade
    step installs. ``rbac`` is gather's cluster_autoscaler_rbac: None when not read."""
    if not rbac:
        return PASS, "No Cluster Autoscaler Deployment found: no ClusterRole to check.", ""
    needed = autoscaler_rules(target)
    if needed is None:
        return (WARN, "No Cluster Autoscaler %s.x release manifest is recorded: its ClusterRole rules can't be checked."
                % target, "Compare the ClusterRole with the release's manifest (%s) before the upgrade."
                % (CLUSTER_AUTOSCALER_MANIFEST % ("%s.0" % target)))
    rules, tag = needed
    manifest = CLUSTER_AUTOSCALER_MANIFEST % tag
    problems, fixes, fine = [], [], []
    for entry in rbac:
        roles = entry.get("cluster_roles") or []
        who = "%s (service account %s)" % (entry["workload"], entry["service_account"])
        if not roles:
            problems.append("%s: no ClusterRole is bound to its service account%s" % (who, (
                " (bound but missing: %s)" % ", ".join(entry["missing_roles"])) if entry.get("missing_roles") else ""))
            fixes.append("Bind %s to a ClusterRole with the rules of %s." % (entry["service_account"], manifest))
            continue
        granted = [rule for role in roles for rule in role.get("rules") or []]
        missing = missing_rules(rules, granted)
        names = ", ".join(role["name"] for role in roles)
        if missing:
            problems.append("%s: ClusterRole %s lacks what Cluster Autoscaler %s needs: %s" % (
                who, names, tag, "; ".join(missing)))
            fixes.append("Add to ClusterRole %s: %s (from %s) before the post-upgrade step sets Cluster Autoscaler %s."
                         % (names, "; ".join(missing), manifest, target))
        else:
            fine.append("%s: ClusterRole %s" % (who, names))
    if problems:
        return WARN, "; ".join(problems) + ".", " ".join(fixes)
    return PASS, "Every rule Cluster Autoscaler %s needs (%s) is granted: %s." % (tag, manifest, "; ".join(fine)), ""


def check_compatibility(facts, target):
    """Check controller-compatibility on gathered facts (the Deployments in ``workloads``)."""
    return compatibility_verdict(judge_all(facts.get("workloads"), facts["cluster"]["version"], target))


def check_table_age(facts):
    """Check controller-table-age on gathered facts; ``controller_table`` holds the planning day and the limit."""
    controllers = [c["controller"] for c in find_controllers(facts.get("workloads"))]
    settings = facts.get("controller_table")
    if controllers and not settings:
        return WARN, "The compatibility tables' age was not judged: no planning day was given.", ""
    if not controllers:
        return table_age_verdict(controllers, None, DEFAULT_MAX_AGE_DAYS)
    return table_age_verdict(controllers, datetime.date.fromisoformat(settings["today"]), settings["max_age_days"])


def check_autoscaler_rbac(facts, target):
    """Check cluster-autoscaler-rbac on gathered facts (``cluster_autoscaler_rbac``, read by gather.py)."""
    current = parse_kube_version(facts["cluster"]["version"])
    return autoscaler_rbac_verdict(facts.get("cluster_autoscaler_rbac"), max(target, current))
