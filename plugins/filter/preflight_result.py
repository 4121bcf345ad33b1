# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters lifecycle.eks.preflight_result and preflight_verdict: what the preflight role publishes of a cluster's
checks, and the verdict it reports.

Python rather than Jinja in the role's per-host tasks: ansible-core compiles a task's templates again in each forked
worker, while the collection's filters are loaded once in ansible-playbook's main process before the workers fork."""
from __future__ import annotations

from ansible.module_utils.parsing.convert_bool import boolean

# The keys preflight_result always has, and their value when the preflight result lacks them (a cluster that could
# not be checked): the report and the later roles read them without defaults.
EMPTY_RESULT = (
    ("checks", list), ("summary", dict), ("plan", dict), ("insights", list), ("configuration_insights", list),
    ("rollback_insights", list), ("insights_freshness", None), ("deprecated_apis", list),
    ("addon_compatibility", list), ("node_provisioners", dict), ("support", None), ("target_support", None),
    ("hybrid_nodes", list), ("controllers", list), ("api_calls", 0), ("api_retries", 0), ("kube_retries", 0),
)


def _empty_result(cluster_name):
    empty = {"cluster": {"name": str(cluster_name)}}
    for key, value in EMPTY_RESULT:
        empty[key] = value() if callable(value) else value
    return empty


def preflight_result(run, cluster_name, skip_checks):
    """The published keys of a preflight result (eks_upgrade_preflight's, or the wave's eks_fleet_preflight entry),
    each missing one empty, with the checks the inventory skipped."""
    result = _empty_result(cluster_name)
    result.update((key, value) for key, value in dict(run).items() if key in result)
    result["skipped_checks"] = list(skip_checks) if isinstance(skip_checks, (list, tuple)) else skip_checks
    return result


def _options_named(failed, option_variables):
    """'OPTION is set by VARIABLE' for each module option the failed checks' messages or remediations name: the user
    sets the inventory variable, not the option."""
    if not failed:
        return []
    texts = " ".join([str(check["message"]) for check in failed] + [str(check["remediation"]) for check in failed])
    return ["%s is set by %s" % (option, variable) for option, variable in dict(option_variables).items()
            if option in texts]


def preflight_verdict(result, blocked, option_variables):
    """The verdict of a checked cluster: its failed checks when blocked, the deprecated APIs in use, and the inventory
    variables behind the options the failed checks name."""
    failed = [check for check in result["checks"] if check.get("status") == "fail"]
    deprecations = [deprecation for api in result["deprecated_apis"] for deprecation in api.get("deprecations") or []]
    named = _options_named(failed, option_variables)
    if boolean(blocked, strict=False):
        verdict = "blocked by " + "; ".join("%s: %s" % (check["id"], check["message"]) for check in failed)
    else:
        verdict = "no check failed"
    if deprecations:
        verdict += "; deprecated APIs in use: " + "; ".join(str(item["message"]) for item in deprecations)
    if named:
        verdict += " (in the inventory: " + ", ".join(named) + ")"
    return verdict


class FilterModule:
    def filters(self):
        return {"preflight_result": preflight_result, "preflight_verdict": preflight_verdict}
