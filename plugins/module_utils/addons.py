# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EKS add-on versions (pure: works on DescribeAddonVersions data): the version to run on a Kubernetes version,
and what each installed add-on needs along an upgrade path (check addon-compatibility)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.lifecycle.eks.plugins.module_utils.versions import (
    VersionError,
    parse_addon_version,
    parse_kube_version,
    sort_addon_versions,
)

# The add-ons eks_addon_update looks up on every cluster when not told which: EKS's own, installed as EKS add-ons or
# self-managed.
STANDARD_ADDONS = ("vpc-cni", "coredns", "kube-proxy")
# The Amazon VPC CNI must move one minor version at a time (AWS: "update one minor version at a time").
ONE_MINOR_AT_A_TIME = frozenset(("vpc-cni",))


class CatalogError(ValueError):
    """A given add-on catalog (eks_addon_update's addon_catalog) is not made of ``catalog_entry`` values."""


class AddonChoiceError(ValueError):
    """The wanted add-on version cannot be used on this cluster; the message says what can."""


def compatible_versions(addon_info, cluster_version):
    """(newest-first versions, default version) compatible with ``cluster_version``.

    ``addon_info`` is one entry of DescribeAddonVersions' ``addons``.
    """
    return compatible_in(catalog_entry(addon_info), cluster_version)


def compatible_in(entry, cluster_version):
    """(newest-first versions, default version) compatible with ``cluster_version`` in a ``catalog_entry``."""
    versions = [version for version, minors in entry["versions"].items() if cluster_version in minors]
    return sort_addon_versions(versions), (entry.get("defaults") or {}).get(cluster_version)


# What EKS answers an UpdateAddon or CreateAddon with a version the cluster's minor does not support.
NOT_SUPPORTED = "Addon version specified is not supported"


def _supported_on(minors_of, version):
    """The minors DescribeAddonVersions lists ``version`` as compatible with, oldest first."""
    return sorted(set((minors_of or {}).get(version) or ()), key=parse_kube_version)


def _when_supported(minors, cluster_version, what):
    """"; WHAT once the control plane is on M" when the version supports only later minors, else ""."""
    later = [m for m in minors if parse_kube_version(m) > parse_kube_version(cluster_version)]
    return "; %s once the control plane is on %s" % (what, later[0]) if later and later == minors else ""


def choose_version(name, wanted, compatible, default, cluster_version, minors_of=None):
    """The version to run: V(default), V(latest) or an explicit version that must be compatible.

    ``minors_of`` ({version: minors}, ``catalog_entry(...)["versions"]``) lets a refusal say which minors the wanted
    version supports.
    """
    if not compatible:
        raise AddonChoiceError("Add-on %s has no version compatible with Kubernetes %s." % (name, cluster_version))
    if wanted == "default":
        return default or compatible[0]
    if wanted == "latest":
        return compatible[0]
    if wanted not in compatible:
        supported = ". Versions supported on %s: %s." % (cluster_version, ", ".join(compatible[:8]))
        minors = _supported_on(minors_of, wanted)
        if not minors:
            raise AddonChoiceError("Add-on %s version %s is not a version Amazon EKS lists for %s%s"
                                   % (name, wanted, name, supported))
        raise AddonChoiceError(
            "Add-on %s version %s is not supported by Amazon EKS on Kubernetes %s (it supports %s), so EKS would "
            "refuse it (\"%s\")%s%s" % (name, wanted, cluster_version, ", ".join(minors), NOT_SUPPORTED,
                                        _when_supported(minors, cluster_version, "update it"), supported))
    return wanted


def refused_steps(name, steps, compatible, cluster_version, minors_of=None):
    """Why EKS would refuse an update of ``steps`` (versions to send) on ``cluster_version``, or None.

    Only a version the add-on already runs can be among them unsupported: an update of its settings alone is sent at
    its version, which EKS refuses when the cluster's minor does not support it (after a rollback, say).
    """
    refused = [step for step in steps if step not in compatible]
    if not refused:
        return None
    minors = _supported_on(minors_of, refused[0])
    return ("Add-on %s runs %s, which Amazon EKS does not support on Kubernetes %s (%s): an update at that version, "
            "for new configuration values or a new service account role, would be refused (\"%s\"), and no version "
            "supported on %s is newer (add-ons are never downgraded)%s." % (
                name, refused[0], cluster_version,
                "it supports %s" % ", ".join(minors) if minors else "EKS lists it for no Kubernetes version",
                NOT_SUPPORTED, cluster_version, _when_supported(minors, cluster_version, "change its settings")))


def steps_to(name, current, chosen, compatible):
    """The versions to apply in order. The VPC CNI goes one minor at a time via the newest build of each minor.

    Never downgrades: a current version newer than the chosen one gives no step.
    """
    if current is None:
        return [chosen]
    now, goal = parse_addon_version(current), parse_addon_version(chosen)
    if goal <= now:
        return []
    if name not in ONE_MINOR_AT_A_TIME or goal.minor - now.minor <= 1 or goal.major != now.major:
        return [chosen]
    steps = []
    for minor in range(now.minor + 1, goal.minor):
        candidates = [v for v in compatible if parse_addon_version(v).minor == minor
                      and parse_addon_version(v).major == now.major]
        if candidates:
            steps.append(candidates[0])  # newest build of that minor
    return steps + [chosen]


# --- Add-on compatibility along an upgrade path ---------------------------------------------------------------------

# kube-proxy builds are published per minor and the skew policy lets kube-proxy trail the control plane (EKS judges it
# in its "kube-proxy version skew" insight, not in "EKS add-on version compatibility"): it moves after the hop.
FOLLOWS_EACH_MINOR = frozenset(("kube-proxy",))
# What an add-on whose version a hop's minor does not support needs (an entry's ``verdict``).
NO_VERSION = "no-version"  # no version at all for that minor: it could never be supported there
MOVE_FIRST = "move-first"  # a newer version supports both sides of the hop: move to it before the hop
UNSUPPORTED_UNTIL_UPDATED = "unsupported-until-updated"  # none can be applied before the hop, only after it


def catalog_entry(addon_info):
    """``{"versions": {version: [minors]}, "defaults": {minor: version}}`` of one DescribeAddonVersions ``addons``
    item: the minors each version is compatible with (``compatibilities[].clusterVersion``)."""
    versions, defaults = {}, {}
    for item in addon_info.get("addonVersions") or []:
        for compat in item.get("compatibilities") or []:
            minor = compat.get("clusterVersion")
            if not minor or not item.get("addonVersion"):
                continue
            versions.setdefault(item["addonVersion"], []).append(minor)
            if compat.get("defaultVersion"):
                defaults[minor] = item["addonVersion"]
    return {"versions": versions, "defaults": defaults}


def answer_entry(found):
    """The ``catalog_entry`` of DescribeAddonVersions' answer for one add-on name (no versions: unknown to EKS)."""
    return catalog_entry(found[0]) if found else {"versions": {}, "defaults": {}}


def given_entries(catalog, option="addon_catalog"):
    """``catalog`` ({add-on: ``catalog_entry``}, as a preflight read it) checked; raises CatalogError naming the
    first entries that are not such a mapping."""
    errors = []
    for name, entry in sorted((catalog or {}).items()):
        versions = entry.get("versions") if isinstance(entry, dict) else None
        defaults = entry.get("defaults") or {} if isinstance(entry, dict) else None
        if (not isinstance(versions, dict) or not isinstance(defaults, dict)
                or not all(isinstance(m, list) and all(isinstance(v, str) for v in m) for m in versions.values())):
            errors.append(name)
    if errors:
        raise CatalogError("%s entries %s must each be {versions: {VERSION: [MINOR, ...]}, defaults: {MINOR: "
                           "VERSION}}, as eks_fleet_preflight returns them (addon_catalog); got something else."
                           % (option, ", ".join(errors)))
    return {name: {"versions": entry["versions"], "defaults": entry.get("defaults") or {}}
            for name, entry in (catalog or {}).items()}


def _version_key(version):
    """Newest-first sort key; a version that is not an EKS add-on version sorts after the others."""
    try:
        return (1, parse_addon_version(version))
    except VersionError:
        return (0, str(version))


def _newer(candidate, installed):
    try:
        return parse_addon_version(candidate) > parse_addon_version(installed)
    except VersionError:  # not comparable: any other version is a move
        return candidate != installed


def _newest(versions):
    return sorted(versions, key=_version_key, reverse=True)[0]


def compatible_minors(catalog, insight_addons=()):
    """``{addon: {version: set of minors}}``: the catalog's compatibilities, plus the versions EKS's add-on
    compatibility insights list as compatible with their minor (``addonCompatibilityDetails``)."""
    index = {name: {version: set(minors) for version, minors in entry["versions"].items()}
             for name, entry in catalog.items()}
    for insight in insight_addons:
        for addon in insight["addons"]:
            versions = index.setdefault(addon["name"], {})
            for version in addon["compatible_versions"]:
                versions.setdefault(version, set()).add(insight["kubernetes_version"])
    return index


def path_problems(installed, catalog, insight_addons, current, target):
    """The hops of ``current`` -> ``target`` whose minor an installed EKS add-on's version is not compatible with.

    ``installed``: {add-on: version} (DescribeAddon; None: not read, as ``to_describe`` allows, then only hops no
    version supports are looked for); ``catalog``: {add-on: ``catalog_entry``} (DescribeAddonVersions);
    ``insight_addons``: ``insights.addon_compatibility_entry`` of the path's add-on compatibility insights. Add-ons
    are never updated between hops (the add-on step runs after the last one), so the installed version is judged
    at every hop. One entry per add-on at its first such hop, plus every later hop no version supports:
    ``{"addon", "version", "from_version", "to_version", "first_hop", "verdict", "blocks", "move_to", "move_now",
    "after_hop"}``. ``blocks``: no version for the hop's minor, or on the first hop a newer version supports both its
    minors (EKS's own add-on compatibility insight for the next minor says ERROR then). ``move_to``: the newest such
    version, preferring one the control plane accepts now (it supports every minor from ``current`` to the hop's:
    ``move_now``), since EKS refuses an add-on version its minor does not support.
    """
    minors = [str(current + step) for step in range(current.distance(target) + 1)] if target > current else []
    index = compatible_minors(catalog, insight_addons)
    problems = []
    for name in sorted(installed):
        version, known = installed[name], index.get(name, {})
        flagged = False
        for hop in range(1, len(minors)):
            before, after = minors[hop - 1], minors[hop]
            if version and after in known.get(version, ()):
                continue
            on_after = [v for v in known if after in known[v]]
            entry = {"addon": name, "version": version, "from_version": before, "to_version": after,
                     "first_hop": hop == 1, "move_to": None, "move_now": False,
                     "after_hop": ((catalog.get(name) or {}).get("defaults") or {}).get(after)
                     or (_newest(on_after) if on_after else None)}
            if not on_after:
                problems.append(dict(entry, verdict=NO_VERSION, blocks=True))
                flagged = True
                continue
            if flagged or not version:
                continue  # its first hop says what to move to; from there it is judged again
            flagged = True
            if name in FOLLOWS_EACH_MINOR:
                continue
            both = [v for v in on_after if before in known[v] and _newer(v, version)]
            now = [v for v in both if all(m in known[v] for m in minors[:hop])]
            if both:
                problems.append(dict(entry, verdict=MOVE_FIRST, blocks=hop == 1, move_to=_newest(now or both),
                                     move_now=bool(now)))
            else:
                problems.append(dict(entry, verdict=UNSUPPORTED_UNTIL_UPDATED, blocks=False))
    return problems


def to_describe(catalog, names, path):
    """The add-ons whose installed version must be read (DescribeAddon) when EKS's add-on compatibility insight
    vouches for the first minor of ``path`` (the minors the control plane lands on): the installed version is then one
    of the versions compatible with that minor, so an add-on needs reading only when one of those is not compatible
    with a later minor of the path (or it has none). kube-proxy follows each minor: only its catalog is judged."""
    first, later = path[0], set(path[1:])
    wanted = []
    for name in names:
        versions = (catalog.get(name) or {}).get("versions") or {}
        possible = [v for v, minors in versions.items() if first in minors]
        if name not in FOLLOWS_EACH_MINOR and (not possible or any(not later <= set(versions[v]) for v in possible)):
            wanted.append(name)
    return wanted


def _update_command(addon, version):
    steps = " (it moves the VPC CNI one minor at a time)" if addon in ONE_MINOR_AT_A_TIME else ""
    return ("lifecycle.eks.eks_addon_update with addons: [{name: %s, version: %s}]%s" % (addon, version, steps))


def problem_text(problem, cluster):
    """(message, remediation) of one ``path_problems`` entry of ``cluster``."""
    name, version, before, after = (problem["addon"], problem["version"], problem["from_version"],
                                    problem["to_version"])
    head = "EKS add-on %s (%s)" % (name, version)
    hop = "hop %s -> %s" % (before, after)
    if problem["verdict"] == NO_VERSION:
        return ("%s has no version compatible with Kubernetes %s (%s): Amazon EKS lists none (DescribeAddonVersions)."
                % (head, after, hop),
                "Stay at %s (target_version %s) until a version of %s for %s is published (aws eks "
                "describe-addon-versions --addon-name %s --kubernetes-version %s), or remove the EKS add-on before "
                "going to %s (aws eks delete-addon --cluster-name %s --addon-name %s --preserve keeps its workload, "
                "for you to manage)." % (before, before, name, after, name, after, after, cluster, name))
    unsupported = "%s is not supported by Amazon EKS on Kubernetes %s (%s)" % (head, after, hop)
    if problem["verdict"] == UNSUPPORTED_UNTIL_UPDATED:
        return ("%s, and no newer version supports both %s and %s: it can only move once the control plane is on %s, "
                "and runs a version EKS does not support there until then." % (unsupported, before, after, after),
                "The add-on step after the upgrade moves it to %s (lifecycle.eks.eks_addon_update)."
                % (problem["after_hop"] or "a version for %s" % after))
    move_to = problem["move_to"]
    refused = ("; EKS refuses an add-on version the control plane's minor does not support (\"Addon version specified "
               "is not supported\")")
    if problem["first_hop"]:
        return ("%s; %s supports both %s and %s." % (unsupported, move_to, before, after),
                "Update %s to %s before the hop, while the control plane is on %s: %s%s."
                % (name, move_to, before, _update_command(name, move_to), refused))
    message = ("%s. Add-ons are updated after the last hop, so it would run unsupported on %s until then."
               % (unsupported, after))
    if problem["move_now"]:
        return message, ("Update %s to %s now (it supports every minor from the cluster's to %s): %s; or stop at %s "
                         "first (target_version %s)." % (name, move_to, after, _update_command(name, move_to),
                                                         before, before))
    return message, ("Stop at %s first (target_version %s), update %s to %s there (it supports %s and %s): %s; then "
                     "go on to %s." % (before, before, name, move_to, before, after, _update_command(name, move_to),
                                       after))


# The statuses of checks.py's results.
PASS, WARN, FAIL = "pass", "warn", "fail"


def _path(current, target):
    return [str(current + step) for step in range(1, current.distance(target) + 1)]


def problems_of(facts, target):
    """``path_problems`` of gathered preflight facts; None when no add-on was judged (no hop, or nothing read)."""
    current = parse_kube_version(facts["cluster"]["version"])
    if target <= current or facts.get("addon_versions") is None:
        return None
    return path_problems(facts["addon_versions"], facts.get("addon_catalog") or {}, facts.get("addon_insights") or [],
                         current, target)


def path_verdict(facts, target):
    """(status, message, remediation) of check addon-compatibility: a hop's minor no version of an installed add-on
    supports fails, as does an installed version the first hop's minor does not support while a newer one supports
    both of its minors (move to it first); the other cases warn."""
    current = parse_kube_version(facts["cluster"]["version"])
    if target <= current:
        return PASS, "No control-plane hop is pending.", ""
    passing = facts.get("addon_insight_passing")
    vouched = ("EKS's upgrade insight \"%s\" for %s is PASSING: EKS found every installed EKS add-on's version "
               "compatible with %s" % (passing["name"], passing["kubernetes_version"], passing["kubernetes_version"])
               if passing else "")
    if passing and facts.get("addon_versions") is None:
        return PASS, vouched + ".", ""
    problems = problems_of(facts, target)
    if problems is None:
        return (WARN, "The installed EKS add-ons and their versions could not be read.",
                "Grant eks:ListAddons, eks:DescribeAddon and eks:DescribeAddonVersions.")
    installed = facts["addon_versions"]
    if not installed:
        return PASS, "No EKS add-on is installed.", ""
    if not problems:
        trailing = sorted(name for name in set(installed) & FOLLOWS_EACH_MINOR)
        listed = ("the installed EKS add-ons (%s) have a version compatible with each minor of the path (%s)%s." % (
            ", ".join(" ".join(part for part in item if part) for item in sorted(installed.items())),
            ", ".join(_path(current, target)),
            "; %s follows each minor: the add-on step moves it after the upgrade" % ", ".join(trailing)
            if trailing else ""))
        return PASS, (vouched + "; " + listed) if vouched else listed[0].upper() + listed[1:], ""
    texts = [problem_text(p, facts["cluster"]["name"]) for p in problems]
    return (FAIL if any(p["blocks"] for p in problems) else WARN, " ".join(t[0] for t in texts),
            " ".join(t[1] for t in texts))
