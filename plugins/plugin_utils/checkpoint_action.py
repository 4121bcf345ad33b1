# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugins of eks_checkpoint and eks_checkpoint_info.

A checkpoint in a local directory, on a host reached with the local connection (the upgrade playbook's clusters),
is read and written here, in the controller's worker process: the upgrade records each step of each cluster, and a
module process would cost about a CPU second each time (docs/performance.md). Everything else (S3, DynamoDB, a
host reached over another connection) runs the module as usual (in the module host when it runs on the controller:
plugin_utils/module_host_action), so the result is the same either way.
"""
from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.amazon.aws.plugins.module_utils.modules import aws_argument_spec
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint import validate_name
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_store import LocalStore
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import VersionError
from ansible_collections.lifecycle.eks.plugins.plugin_utils.module_host_action import execute_module


class CheckpointAction(ActionBase):
    """Subclasses name their module, its argument spec and required_if, and what it does with a store."""

    TRANSFERS_FILES = False
    MODULE = ""

    def argument_spec(self):
        raise NotImplementedError

    def required_if(self):
        raise NotImplementedError

    def body(self, params, store, name):
        raise NotImplementedError

    def _on_controller(self):
        return (self._task.args.get("backend") or "local") == "local" and \
            getattr(self._connection, "transport", None) == "local"

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        if not self._on_controller():
            # In the module host when the module runs on the controller all the same (S3, DynamoDB).
            result.update(execute_module(self, task_vars, module_name=self.MODULE, module_args=self._task.args))
            return result
        spec = aws_argument_spec()  # accepted as the module accepts them (module_defaults of group/...aws)
        spec.update(self.argument_spec())
        try:
            validation, params = self.validate_argument_spec(argument_spec=spec, required_if=self.required_if())
        except AnsibleActionFail as exc:
            result.update(failed=True, msg=str(exc))
            return result
        try:
            name = validate_name(params["cluster"])
            result.update(self.body(params, LocalStore(params["path"]), name))
        except (ModuleError, VersionError) as exc:
            result.update(failed=True, msg=str(exc), **dict(getattr(exc, "details", {}) or {}))
        return result
