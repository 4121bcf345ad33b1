# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The defaults of a role's options, read from its meta/argument_specs.yml where each is stated once."""
from __future__ import annotations

import functools
import os

import yaml

ROLES = os.path.join(os.path.dirname(__file__), "..", "..", "roles")


@functools.lru_cache(maxsize=None)
def role_defaults(role: str) -> dict:
    """{option: default} of the role's main entry point, for the options that have one."""
    with open(os.path.join(ROLES, role, "meta", "argument_specs.yml"), encoding="utf-8") as handle:
        options = yaml.safe_load(handle)["argument_specs"]["main"]["options"]
    return {name: spec["default"] for name, spec in options.items() if "default" in spec}
