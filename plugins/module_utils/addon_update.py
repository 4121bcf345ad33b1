# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""eks_addon_update's body: one cluster's EKS add-ons brought to versions compatible with its Kubernetes version, run by
the module alone or by lifecycle.eks.eks_wave for a wave of clusters (module_utils/wave.py)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

try:
    import yaml

    HAS_YAML = True
except ImportError:  # JSON configuration values still work
    HAS_YAML = False

from ansible_collections.lifecycle.eks.plugins.module_utils.addons import (
    STANDARD_ADDONS,
    AddonChoiceError,
    CatalogError,
    answer_entry,
    choose_version,
    compatible_in,
    given_entries,
    refused_steps,
    steps_to,
)
from ansible_collections.lifecycle.eks.plugins.module_utils import step_checkpoint
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.operations import (
    find_in_progress,
    param,
    record,
    see_through,
    wait_argument_spec,
    wait_options,
)
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import parse_target_version

ROLE_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
SETTINGS = ("version", "configuration_values", "service_account_role_arn")


def argument_spec():
    """eks_addon_update's own options (runner.module_argument_spec adds the cluster's; it takes no Kubernetes one)."""
    spec = dict(
        addons=dict(type="list", elements="dict", options=dict(
            name=dict(type="str", required=True),
            version=dict(type="str"),
            configuration_values=dict(type="str"),
            service_account_role_arn=dict(type="str"),
        )),
        version=dict(type="str", choices=["default", "latest"], default="default"),
        cluster_version=dict(type="str"),
        resolve_conflicts=dict(type="str", choices=["PRESERVE", "OVERWRITE", "NONE"], default="PRESERVE"),
        addon_catalog=dict(type="dict"),
    )
    spec.update(wait_argument_spec(timeout=1200))
    spec.update(step_checkpoint.checkpoint_argument_spec())
    return spec


def _mapping_text(text):
    """The mapping a configuration_values string holds (JSON, or YAML when PyYAML is there), else None."""
    try:
        value = json.loads(text)
    except ValueError:
        if not HAS_YAML:
            return None
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            return None
    return value if isinstance(value, dict) else None


def validate_requested(items):
    """Every problem of the ``addons`` option at once, before any AWS call."""
    errors, seen = [], set()
    for item in items:
        name = item["name"]
        if not name or not name.strip():
            errors.append("An entry of addons has an empty name.")
            continue
        if name in seen:
            errors.append("Add-on %s is listed twice in addons." % name)
        seen.add(name)
        config = item.get("configuration_values")
        if config is not None and _mapping_text(config) is None:
            errors.append("configuration_values of add-on %s must be a JSON or YAML mapping (the add-on's whole "
                          "configuration; '{}' for none); got %r." % (name, config[:80]))
        role = item.get("service_account_role_arn")
        if role is not None and not ROLE_ARN.match(role):
            errors.append("service_account_role_arn of add-on %s must be an IAM role ARN such as "
                          "arn:aws:iam::123456789012:role/NAME; got %r." % (name, role))
    if errors:
        raise ModuleError(" ".join(errors), {"result": {"changed": False}})


def requested(module, clients, name):
    if module.params["addons"]:
        return module.params["addons"]
    installed = clients.list_addons(name)
    return [{"name": n} for n in list(STANDARD_ADDONS) + [a for a in installed if a not in STANDARD_ADDONS]]


def settings_changes(before, after):
    """{field: {before, after}} for each of version, configuration values and role that differs."""
    return {key: {"before": before[key], "after": after[key]} for key in SETTINGS if before[key] != after[key]}


def catalog_of(clients, addon_name, given):
    """The add-on's ``catalog_entry``: every version with every minor it supports (a refusal can say where a version
    would work). From ``given`` (O(addon_catalog), the catalog preflight read for the region) when it has the add-on,
    else from one DescribeAddonVersions. No versions: unknown to EKS."""
    if addon_name in given:
        return given[addon_name]
    return answer_entry(clients.describe_addon_versions(addon_name=addon_name))


def plan_addons(module, clients, name, cluster_version, given=None):
    """Validate every requested add-on and decide its steps and settings, before any change.

    The configuration values and the service account role an add-on has are sent again with every
    update (EKS keeps what it is sent); an explicit value replaces them. ``given``: O(addon_catalog), checked.
    """
    given = given or {}
    plans, errors = [], []
    for item in requested(module, clients, name):
        addon_name = item["name"]
        entry = catalog_of(clients, addon_name, given)
        if not entry["versions"]:
            errors.append("Add-on %s is unknown to Amazon EKS for Kubernetes %s." % (addon_name, cluster_version))
            continue
        compatible, default = compatible_in(entry, cluster_version)
        minors_of = entry["versions"]
        installed = clients.describe_addon(name, addon_name)
        wanted = item.get("version") or module.params["version"]
        try:
            chosen = choose_version(addon_name, wanted, compatible, default, cluster_version, minors_of)
        except AddonChoiceError as exc:
            errors.append(str(exc))
            continue
        if installed is None:
            plans.append({"name": addon_name, "managed": False, "before": None, "after": None, "steps": [],
                          "recommended": default or chosen, "changed": False,
                          "message": "%s is not an EKS add-on (self-managed or absent): update it yourself to %s, "
                                     "or install it as an EKS add-on." % (addon_name, default or chosen)})
            continue
        before = {"version": installed.get("addonVersion"),
                  "configuration_values": installed.get("configurationValues"),
                  "service_account_role_arn": installed.get("serviceAccountRoleArn")}
        # An update still running (a step a run without waiting started, or another operator's) is seen
        # through first; the next steps start from what it sets.
        running = find_in_progress(clients, name, addon=addon_name) if installed.get("status") == UPDATING else None
        start = dict(before)
        if running is not None:
            start.update({key: param(running, name_) for key, name_ in RUNNING_SETTINGS
                          if param(running, name_) is not None})
        after = dict(start)
        for key in ("configuration_values", "service_account_role_arn"):
            if item.get(key) is not None:
                after[key] = item[key]
        steps = steps_to(addon_name, start["version"], chosen, compatible)
        if steps:
            after["version"] = steps[-1]
        if settings_changes(start, after) and not steps:  # new settings only: one update at the current version
            steps = [start["version"]]
        refused = refused_steps(addon_name, steps, compatible, cluster_version, minors_of)
        if refused:
            errors.append(refused)
            continue
        changes = settings_changes(before, after)
        plans.append({"name": addon_name, "managed": True, "before": before["version"], "after": after["version"],
                      "steps": ([start["version"]] if running is not None else []) + steps,
                      "recommended": default or chosen, "changed": bool(changes) or running is not None,
                      "status": installed.get("status"), "changes": changes, "remaining_steps": [],
                      "running": running, "settings_before": before, "settings_after": after})
    if errors:
        raise ModuleError(" ".join(errors), {"result": {"changed": False}})
    return plans


INTERNAL = ("settings_before", "settings_after", "running")
UPDATING = "UPDATING"
# Settings an UpdateAddon sets, by the name of its DescribeUpdate param.
RUNNING_SETTINGS = (("version", "AddonVersion"), ("configuration_values", "ConfigurationValues"),
                    ("service_account_role_arn", "ServiceAccountRoleArn"))


def finished_data(result):
    """The add-on step's checkpoint record: the version each managed add-on reached."""
    return {"addons": {addon["name"]: addon["after"] for addon in result["addons"] if addon["managed"]},
            "update_ids": step_checkpoint.update_ids(result)}


@step_checkpoint.recording("addons", finished_data)
def update_addons(module, clients):
    name = module.params["cluster_name"]
    validate_requested(module.params["addons"] or [])
    try:
        given = given_entries(module.params["addon_catalog"])
    except CatalogError as exc:
        raise ModuleError(str(exc), {"result": {"changed": False}}) from None
    cluster_version = clients.describe_cluster(name)["version"]
    planned_for = module.params["cluster_version"]
    if planned_for and planned_for != cluster_version:
        if not module.check_mode:
            raise ModuleError("cluster_version %s differs from cluster %s's version %s: only check mode may plan "
                              "add-ons for another version." % (planned_for, name, cluster_version))
        cluster_version = str(parse_target_version(planned_for))
    plans = plan_addons(module, clients, name, cluster_version, given)
    updates = []
    result = {"changed": any(p["changed"] for p in plans), "cluster_version": cluster_version, "updates": updates,
              "addons": [{k: v for k, v in p.items() if k not in INTERNAL} for p in plans]}
    if module._diff:
        result["diff"] = {"before": {p["name"]: p["settings_before"] for p in plans if p["managed"]},
                          "after": {p["name"]: p["settings_after"] for p in plans if p["managed"]}}
    if module.check_mode:
        return result
    options = wait_options(module.params)
    entries = {entry["name"]: entry for entry in result["addons"]}
    for plan in [p for p in plans if p["managed"]]:
        try:
            apply_steps(module, clients, name, plan, entries[plan["name"]], updates, options)
        except ModuleError as exc:
            if "update" in exc.details:
                updates.append(exc.details.pop("update"))
            exc.details["result"] = result
            raise
    return result


def apply_steps(module, clients, name, plan, entry, updates, options):
    """Apply the add-on's steps in order, seeing a running one through first.

    EKS refuses an UpdateAddon while another update of the add-on runs, so without waiting only the next step
    starts (or the running one is reported): ``remaining_steps`` lists the others and a rerun takes the next.
    ``after`` is the version the add-on runs when the module ends.
    """
    subject = "add-on %s" % plan["name"]
    settings = plan["settings_after"]
    steps = list(plan["steps"])
    reached = plan["before"]
    entry["after"] = reached
    running = plan["running"]
    if running is not None:
        steps.pop(0)
        if not module.params["wait"]:
            updates.append(record(running, subject, reached, resumed=True))
            entry["remaining_steps"] = steps
            return
        updates.append(see_through(clients, name, running, subject, reached, options, addon=plan["name"],
                                   resumed=True))
        reached = entry["after"] = param(running, "AddonVersion") or reached
    for index, step in enumerate(steps):
        update = clients.update_addon(name, plan["name"], addon_version=step,
                                      resolve_conflicts=module.params["resolve_conflicts"],
                                      configuration_values=settings["configuration_values"],
                                      service_account_role_arn=settings["service_account_role_arn"])
        if not module.params["wait"]:
            updates.append(record(update, subject, reached))
            entry["remaining_steps"] = steps[index + 1:]
            return
        updates.append(see_through(clients, name, update, subject, reached, options, addon=plan["name"]))
        reached = entry["after"] = step
