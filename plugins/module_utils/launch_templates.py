# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Launch template versions of managed node groups: the option, what UpdateNodegroupVersion gets, what to ask for.

A node group created with a launch template is updated with ``launchTemplate: {id or name, version}``
(UpdateNodegroupVersion). With an EKS-managed AMI (any amiType but CUSTOM) the request also carries the
Kubernetes version. With a custom AMI (amiType CUSTOM) it must not: EKS answers "You cannot specify the field
kubernetesVersion when using custom AMIs.", and the nodes run whatever the AMI of the launch template version is
built for. So a custom-AMI node group moves to a new minor only with a new launch template version, which people
create; the collection then sends it, or says what to create.

The option (``launch_templates`` of eks_nodegroup_upgrade, ``nodegroup_launch_templates`` elsewhere)::

    {NODEGROUP: {"version": "7", "kubernetes_version": "1.30"}}    # or {NODEGROUP: "7"}

``kubernetes_version`` is the minor the launch template version is for (a custom AMI's minor): the version is
sent with the update to that minor only. Without it, with the update to the run's target version.

Pure, except ``check_versions_exist`` (one DescribeLaunchTemplateVersions per launch template version sent).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from collections import namedtuple

from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import VersionError, parse_target_version

ENTRY_KEYS = ("version", "kubernetes_version")
# EC2 launch template versions are numbered from 1; EKS records the number a node group uses.
_VERSION_NUMBER = re.compile(r"^[1-9][0-9]*$")
SSM_EXAMPLE = "/aws/service/eks/optimized-ami/{minor}/amazon-linux-2023/x86_64/standard/recommended/image_id"
NOT_FOUND_CODES = frozenset(("InvalidLaunchTemplateId.VersionNotFound", "InvalidLaunchTemplateId.NotFound",
                             "InvalidLaunchTemplateName.NotFoundException"))


class Entry(namedtuple("Entry", "nodegroup version kubernetes_version")):
    """One node group's launch template version; ``kubernetes_version`` is a KubeMinor or None."""

    __slots__ = ()

    def minor(self, target):
        """The minor this version is for: its kubernetes_version, else the run's target."""
        return self.kubernetes_version or target

    def applies_to(self, update_minor, target):
        """Whether the version goes with an update of the node group to ``update_minor``."""
        return self.minor(target) == update_minor


def argument_spec(name):
    return {name: dict(type="dict", default={})}


def parse(value, option="launch_templates"):
    """``{nodegroup: Entry}`` from the option; anything malformed is refused with what to write instead."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ModuleError("%s must be a mapping of node group name to launch template version, for example "
                          "{custom: {version: '7'}}; got %r." % (option, value))
    entries = {}
    for name, spec in value.items():
        what = "%s.%s" % (option, name)
        if isinstance(spec, dict):
            unknown = sorted(str(key) for key in set(spec) - set(ENTRY_KEYS))
            if unknown:
                raise ModuleError("%s: unknown key(s) %s; an entry takes version (required) and kubernetes_version."
                                  % (what, ", ".join(unknown)))
            version, minor = spec.get("version"), spec.get("kubernetes_version")
        else:
            version, minor = spec, None
        if version is None:
            raise ModuleError("%s needs a version: the launch template version number to move node group %s to, "
                              "for example {version: '7'}." % (what, name))
        text = str(version).strip()
        if isinstance(version, (bool, float, dict, list)) or not _VERSION_NUMBER.match(text):
            raise ModuleError("%s.version must be a launch template version number such as '7'; got %r ($Latest "
                              "and $Default are not accepted: EKS records the number a node group uses)."
                              % (what, version))
        kubernetes_version = None
        if minor is not None:
            try:
                kubernetes_version = parse_target_version(minor)
            except VersionError as exc:
                raise ModuleError("%s.kubernetes_version: %s" % (what, exc)) from exc
        entries[str(name)] = Entry(str(name), text, kubernetes_version)
    return entries


def check_nodegroups(entries, groups, cluster, option="launch_templates", every_group=True):
    """Refuse entries for node groups created without a launch template; warnings for names the cluster lacks.

    ``groups`` are summarize_nodegroup dicts; ``every_group`` says they are all of the cluster's node groups.
    """
    by_name = {group["name"]: group for group in groups}
    without = sorted(name for name in entries if name in by_name and not by_name[name].get("launch_template"))
    if without:
        raise ModuleError("%s gives launch template versions for node group(s) %s of cluster %s, created without a "
                          "launch template; EKS can't add one to an existing node group. Remove them from %s."
                          % (option, ", ".join(without), cluster, option))
    unknown = sorted(set(entries) - set(by_name)) if every_group else []
    if unknown:
        return ["%s names node group(s) %s that cluster %s does not have (its node groups: %s); ignored."
                % (option, ", ".join(unknown), cluster, ", ".join(sorted(by_name)) or "none")]
    return []


def template_label(launch_template):
    """How a node group's launch template is named in messages: "name (id)", or whichever is known."""
    launch_template = launch_template or {}
    name, template_id = launch_template.get("name"), launch_template.get("id")
    if name and template_id:
        return "%s (%s)" % (name, template_id)
    return name or template_id or "(unknown)"


def payload(group, entry):
    """UpdateNodegroupVersion's launchTemplate: the node group's template, by id (else name), and the version.

    EKS refuses id and name together ("Either provide launch template ID or launch template name").
    """
    launch_template = group.get("launch_template") or {}
    key = "id" if launch_template.get("id") else "name"
    return {key: launch_template.get(key), "version": entry.version}


def needs_launch_template(group, minor, entry=None, option="launch_templates"):
    """Why a custom-AMI node group can't reach ``minor`` as asked, and the launch template version to create."""
    launch_template = group.get("launch_template") or {}
    current = launch_template.get("version")
    label = template_label(launch_template)
    if entry is None:
        why = "no launch template version is given for it"
    elif entry.version == current:
        why = "launch template version %s, given for it, is the one it already uses" % entry.version
    else:
        why = ("launch template version %s, given for it, is for Kubernetes %s (kubernetes_version)"
               % (entry.version, entry.kubernetes_version))
    return {
        "name": group["name"],
        "launch_template": {"id": launch_template.get("id"), "name": launch_template.get("name"), "version": current},
        "version": group.get("version"),
        "kubernetes_version": str(minor),
        "ami": group.get("release_version"),
        "reason": "custom AMI: node group %s (%s) reaches %s only with a launch template version whose AMI is built "
                  "for %s, and %s" % (group["name"], group.get("version"), minor, minor, why),
        "remediation": "Create a version of launch template %s whose AMI is built for Kubernetes %s (for example the "
                       "EKS optimized AMI of SSM parameter %s, or your own AMI built for %s), then set %s: {%s: "
                       "{version: 'NEW_VERSION'}} and run again."
                       % (label, minor, SSM_EXAMPLE.format(minor=minor), minor, option, group["name"]),
    }


def with_launch_templates(skew_input, entries, target):
    """The planner's input with, on each custom-AMI node group given a launch template version, the minor that
    version is for (``launch_template_minor``): the plan may then update it there (see skew.py)."""
    result = dict(skew_input)
    result["nodegroups"] = []
    for group in skew_input.get("nodegroups") or []:
        entry = entries.get(group["name"])
        if entry is not None and group.get("custom_ami") and target is not None:
            group = dict(group, launch_template_minor=str(entry.minor(target)))
        result["nodegroups"].append(group)
    return result


def check_versions_exist(clients, cluster, updates, option="launch_templates"):
    """Fail before any update when a launch template version to send does not exist (DescribeLaunchTemplateVersions).

    ``updates`` are (group, entry) pairs; returns ``{nodegroup: AMI id of the version or None}``.
    """
    images = {}
    for group, entry in updates:
        launch_template = group.get("launch_template") or {}
        try:
            found = clients.describe_launch_template_versions(launch_template, [entry.version])
        except ModuleError as exc:
            if exc.error_code not in NOT_FOUND_CODES:
                raise
            raise ModuleError("Launch template version %s of %s, given in %s for node group %s of cluster %s, does "
                              "not exist (%s). Give a version listed by aws ec2 describe-launch-template-versions."
                              % (entry.version, template_label(launch_template), option, group["name"], cluster,
                                 exc.message), {"error_code": exc.error_code}) from exc
        data = (found[0].get("LaunchTemplateData") or {}) if found else {}
        images[group["name"]] = data.get("ImageId")
    return images
