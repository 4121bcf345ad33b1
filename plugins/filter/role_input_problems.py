# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters lifecycle.eks.role_input_problems and upgrade_input_problem: a host's variables checked against the
argument specs of the roles playbooks/upgrade.yml runs, and against what only the playbook knows, before any role runs.

Python rather than the playbook's Jinja: each task's forked worker compiles its templates again (ansible-core keeps
no compile cache), while these filters are loaded once in ansible-playbook's main process (docs/performance.md)."""
from __future__ import annotations

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.lifecycle.eks.plugins.plugin_utils.role_options import setting_variables

# What the validator reads of a role option's spec; the rest (description, default, required) is for people or for
# values nobody set, which are the role's own and valid.
VALIDATED = ("type", "elements", "choices", "options", "no_log")


def _problems_of(variable, value, option_specs):
    """Each distinct refusal once, with the first role option it came from (eks_wait_timeout sets two alike)."""
    problems, seen = [], set()
    for role, option, spec in option_specs:
        checked = {variable: {key: spec[key] for key in VALIDATED if key in spec}}
        for message in ArgumentSpecValidator(checked).validate({variable: value}).error_messages:
            if message not in seen:
                seen.add(message)
                problems.append("%s (lifecycle.eks.%s's %s): %s" % (variable, role, option, message))
    return problems


def role_input_problems(host_variables):
    """One message per variable of the host that a role would refuse (its type, elements or choices), naming it."""
    problems = []
    for variable, option_specs in sorted(setting_variables().items()):
        if variable in host_variables:
            problems.extend(_problems_of(variable, host_variables[variable], option_specs))
    return problems


BACKENDS = ("local", "s3", "dynamodb")


def upgrade_input_problem(host_variables, host):
    """What the host must fix before playbooks/upgrade.yml reads or changes anything (the first problem of: the
    target, the roles' inputs, the checkpoint store's settings), or '' when there is none."""
    if not str(host_variables.get("eks_target_version", "")):
        return 'Set eks_target_version (for example "1.30", quoted) for %s.' % host
    problems = role_input_problems(host_variables)
    if problems:
        return "Fix these settings of %s: %s." % (host, "; ".join(problems))
    backend = host_variables.get("eks_checkpoint_backend", "local")
    if backend == "s3" and not host_variables.get("eks_checkpoint_s3_bucket", ""):
        return "eks_checkpoint_backend is s3: set eks_checkpoint_s3_bucket to the bucket that keeps the checkpoints."
    if backend == "dynamodb" and not host_variables.get("eks_checkpoint_dynamodb_table", ""):
        return ("eks_checkpoint_backend is dynamodb: set eks_checkpoint_dynamodb_table to the table that keeps the "
                "checkpoints (partition key: cluster, a string).")
    if backend not in BACKENDS:
        return "eks_checkpoint_backend must be local, s3 or dynamodb, not %s." % backend
    return ""


class FilterModule:
    def filters(self):
        return {"role_input_problems": role_input_problems, "upgrade_input_problem": upgrade_input_problem}
