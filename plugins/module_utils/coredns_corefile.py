# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The discontinued ``upstream`` option in a CoreDNS Corefile (pure text functions)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# A whole line that is the ``upstream`` option: any indentation (spaces or tabs), optionally addresses after it
# (CoreDNS ignores them since 1.5 and, like the bare option, refuses them since 1.7, which is why its own
# corefile-migration tool drops the option whatever its arguments), trailing blanks or a comment, and its line
# end: LF, CRLF, or none at the end of the Corefile. A `{` or `}` on the line means it is something else.
UPSTREAM_LINE = re.compile(r"^[ \t]*upstream(?:[ \t]+[^\r\n#{}]*)?(?:#[^\r\n]*)?(?:\r?\n|\r?\Z)", re.MULTILINE)


def without_upstream(corefile):
    """The Corefile minus every ``upstream`` line; every other byte stays as it was."""
    return UPSTREAM_LINE.sub("", corefile)


def has_upstream(corefile):
    return UPSTREAM_LINE.search(corefile) is not None
