# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter lifecycle.eks.waves: the waves of a play's serial (eks_waves, eks_rollback_serial), checked.

A play's keywords are templated in ansible-playbook's main process, before any task forks a worker. Used there, this
filter also loads the collection's filters in that process once: each worker is a fork of it and inherits them,
where a worker that looked one up itself imported and compiled all of them again (docs/performance.md).
"""
from __future__ import annotations

import re

from ansible.errors import AnsibleFilterError

PERCENTAGE = re.compile(r"^(\d+)%$")
EXAMPLE = "[1, '25%', '100%']"


def _wave_size_problem(size):
    """Why ``size`` is not a wave size Ansible's serial takes (None when it is one)."""
    if isinstance(size, bool) or not isinstance(size, (int, str)):
        return "%r is neither a number of clusters nor a percentage" % (size,)
    if isinstance(size, int):
        return None if size >= 1 else "%r: a wave has at least 1 cluster" % (size,)
    text = size.strip()
    if text.isdigit():
        return None if int(text) >= 1 else "%r: a wave has at least 1 cluster" % (size,)
    match = PERCENTAGE.match(text)
    if not match:
        return "%r is neither a number of clusters nor a whole percentage such as '25%%'" % (size,)
    return None if 1 <= int(match.group(1)) <= 100 else "%r: a percentage is from '1%%' to '100%%'" % (size,)


def waves(value, variable="eks_waves"):
    """``value`` unchanged when the play's serial takes it: a wave size (a number of clusters, at least 1, or a
    percentage of them, '1%' to '100%') or a non-empty list of them; else an error naming ``variable``."""
    sizes = value if isinstance(value, list) else [value]
    problems = [_wave_size_problem(size) for size in sizes] if sizes else ["the list is empty"]
    problems = [problem for problem in problems if problem]
    if problems:
        raise AnsibleFilterError(
            "%s must be a wave size or a list of them, each a number of clusters (1 or more) or a percentage of "
            "them ('1%%' to '100%%'), for example %s; got %r: %s." % (variable, EXAMPLE, value, "; ".join(problems)))
    return value


class FilterModule:
    def filters(self):
        return {"waves": waves}
