# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""eks_report_write: a report written as JSON on the controller, with no module process (a fleet writes one per
cluster: ansible.builtin.file and copy would start three module processes each)."""
from __future__ import annotations

import json
import os

from ansible.plugins.action import ActionBase

from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_store import write_text
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("path", "content"))

    def run(self, tmp=None, task_vars=None):
        super().run(tmp, task_vars)
        path, content = self._task.args.get("path"), self._task.args.get("content")
        if not isinstance(path, str) or not path.strip():
            return {"failed": True, "changed": False,
                    "msg": "path must be the report file to write (a non-empty string); got %r." % (path,)}
        if not isinstance(content, dict):
            return {"failed": True, "changed": False,
                    "msg": "content must be the report, a mapping; got a value of type %s." % type(content).__name__}
        path = os.path.abspath(os.path.expanduser(path))
        try:
            text = json.dumps(content, indent=2, sort_keys=True, separators=(",", ": "), default=str) + "\n"
            write_text(path, text, "report")
        except ModuleError as exc:
            return {"failed": True, "changed": False, "msg": str(exc)}
        return {"changed": False, "path": path}
