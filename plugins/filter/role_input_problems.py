# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter lifecycle.eks.role_input_problems: a host's variables checked against the argument specs of the roles
playbooks/upgrade.yml runs, before any of them runs."""
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


class FilterModule:
    def filters(self):
        return {"role_input_problems": role_input_problems}
