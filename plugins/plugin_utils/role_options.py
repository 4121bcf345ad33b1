# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of the collection's roles, read from their meta/argument_specs.yml and defaults/main.yml, where each is
stated once: the defaults of a role's options, and the variables that set them."""
from __future__ import annotations

import functools
import os
import re

import yaml

ROLES = os.path.join(os.path.dirname(__file__), "..", "..", "roles")
# A role default that reads an inventory variable of the playbooks: "{{ eks_wait_timeout | default(3600) }}".
INVENTORY_DEFAULT = re.compile(r"^\{\{ *(eks_[a-z0-9_]+) *\| *default\(.*\) *\}\}$")
# What the roles' entry points are run with by playbooks/upgrade.yml.
UPGRADE_ROLES = ("preflight", "control_plane", "post_upgrade", "report")


@functools.lru_cache(maxsize=None)
def role_options(role: str) -> dict:
    """{option: its argument spec} of the role's main entry point."""
    with open(os.path.join(ROLES, role, "meta", "argument_specs.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)["argument_specs"]["main"]["options"]


@functools.lru_cache(maxsize=None)
def role_defaults(role: str) -> dict:
    """{option: default} of the role's main entry point, for the options that have one."""
    return {name: spec["default"] for name, spec in role_options(role).items() if "default" in spec}


@functools.lru_cache(maxsize=None)
def setting_variables(roles: tuple = UPGRADE_ROLES) -> dict:
    """{variable: [(role, option, spec)]}: what a host's variable sets in the roles, by its own name (a role option,
    or an inventory variable a role reads under its name, eks_target_version) or through a role default."""
    found: dict = {}
    for role in roles:
        options = role_options(role)
        with open(os.path.join(ROLES, role, "defaults", "main.yml"), encoding="utf-8") as handle:
            defaults = yaml.safe_load(handle) or {}
        for option, spec in options.items():
            found.setdefault(option, []).append((role, option, spec))
            match = INVENTORY_DEFAULT.match(str(defaults.get(option, "")))
            if match:
                found.setdefault(match.group(1), []).append((role, option, spec))
    return found
