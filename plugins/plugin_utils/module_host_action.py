# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ActionBase._execute_module for a lifecycle.eks module on the controller, run in the module host (module_host.py).

The module gets the arguments, environment, working directory and interpreter state it gets from
_execute_module with the local connection and pipelining, and its output is parsed and cleaned as _execute_module
parses and cleans it. Whenever that cannot be guaranteed (another connection, become, async, delegate_to, another
interpreter, LIFECYCLE_EKS_MODULE_HOST=0, ...) the module runs through _execute_module itself.
"""
from __future__ import annotations

import copy
import inspect
import json
import os
import sys
from collections.abc import Sequence

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash
from ansible.vars.clean import remove_internal_keys

from ansible_collections.lifecycle.eks.plugins.plugin_utils import module_host

display = Display()

COLLECTION = "lifecycle.eks"
# ansible-core 2.19 gives _parse_returned_data the module's serialization profile; 2.17 and 2.18 do not.
PROFILED_CORE = "profile" in inspect.signature(ActionBase._parse_returned_data).parameters


def core_module_io(task_vars: dict) -> dict | None:
    """How this ansible-core encodes a module's arguments and which profile it decodes the result with, or None when
    its AnsiballZ payload would differ from a plain run (coverage or debugger extensions, module metadata).

    The one place on the worker side that reads ansible-core's private configuration (tested in
    tests/unit/plugins/plugin_utils/test_module_host.py)."""
    if PROFILED_CORE:
        from ansible._internal._ansiballz import _builder
        from ansible.module_utils.common.json import Direction, get_module_encoder

        if C.config.get_config_value("_MODULE_METADATA") or \
                _builder.ExtensionManager.create(task_vars=task_vars).extension_names:
            return None
        return {"profile": "legacy", "encoder": get_module_encoder("legacy", Direction.CONTROLLER_TO_MODULE),
                "dumps": {}}
    if os.environ.get("_ANSIBLE_COVERAGE_CONFIG"):
        return None
    from ansible.module_utils.common.json import AnsibleJSONEncoder

    return {"profile": "legacy", "encoder": AnsibleJSONEncoder, "dumps": {"vault_to_text": True}}


def _interpreter_is_ours(action: ActionBase, task_vars: dict) -> bool:
    """Whether the module would run with the worker's own interpreter (the one the module host runs)."""
    if "ansible_python_interpreter" in task_vars:
        interpreter = action._templar.template(task_vars["ansible_python_interpreter"])
    else:
        interpreter = (task_vars.get("ansible_facts") or {}).get("discovered_interpreter_python")
    return isinstance(interpreter, str) and os.path.abspath(interpreter) == os.path.abspath(sys.executable)


def unusable_because(action: ActionBase, task_vars: dict, module_name: str, wrap_async: bool = False) -> str | None:
    """Why this module run cannot go to the module host, or None when it can."""
    task, connection = action._task, action._connection
    checks = (
        (not module_host.enabled(), "LIFECYCLE_EKS_MODULE_HOST=0"),
        (getattr(connection, "transport", None) != "local", "not the local connection"),
        (bool(task.delegate_to), "delegate_to"),
        (bool(getattr(action._play_context, "become", False) or getattr(connection, "become", None)), "become"),
        (bool(task.async_val or wrap_async), "async"),
        (not action._is_pipelining_enabled("new"), "pipelining is off"),
        (connection._shell.tmpdir is not None, "a remote temporary directory exists"),
        (bool(C.config.get_config_value("PYTHON_MODULE_RLIMIT_NOFILE", variables=task_vars)), "rlimit_nofile"),
        (not _interpreter_is_ours(action, task_vars), "another Python interpreter"),
    )
    for failed, reason in checks:
        if failed:
            return reason
    return None


def _resolve(action: ActionBase, module_name: str) -> str | None:
    """The Python name of a lifecycle.eks module (ansible_collections.lifecycle.eks.plugins.modules.X), or None."""
    loader = action._shared_loader_obj.module_loader
    found = loader.find_plugin_with_context(module_name, ".py", collection_list=action._task.collections)
    if not found.resolved or found.plugin_resolved_collection != COLLECTION:
        return None
    leaf = found.plugin_resolved_name.rpartition(".")[2]
    return f"ansible_collections.{COLLECTION}.plugins.modules.{leaf}"


def execute_module(action: ActionBase, task_vars: dict, module_name: str | None = None,
                   module_args: dict | None = None, wrap_async: bool = False) -> dict:
    """action._execute_module(module_name, module_args, task_vars), in the module host when it can be."""
    task_vars = {} if task_vars is None else task_vars
    module_name = module_name or action._task.action
    original_args = action._task.args if module_args is None else module_args
    module_args = copy.deepcopy(original_args)
    reason = unusable_because(action, task_vars, module_name, wrap_async)
    module_fqn = None if reason else _resolve(action, module_name)
    io = None if reason or module_fqn is None else core_module_io(task_vars)
    if io is None or module_fqn is None:
        display.vvvv(f"module host not used for {module_name}: {reason or 'not applicable'}")
        return action._execute_module(module_name=module_name, module_args=module_args, task_vars=task_vars,
                                      wrap_async=wrap_async)
    action._update_module_args(module_name, module_args, task_vars)
    environment: dict = {}
    action._compute_environment_string(environment)
    try:
        params = json.dumps(dict(ANSIBLE_MODULE_ARGS=module_args), cls=io["encoder"], **io["dumps"])
    except TypeError as exc:
        raise AnsibleError(f"Failed to serialize arguments for the {module_name!r} module.") from exc
    # The local connection runs the module with the worker's environment, the task's on top (through the shell,
    # which makes every value a string), in the playbook's directory.
    cwd = to_text(action._loader.get_basedir(), errors="surrogate_or_strict")
    env = {**os.environ, **{str(key): to_text(value) for key, value in environment.items()}, "PWD": cwd}
    request = {"module_fqn": module_fqn, "json_params": params, "profile": io["profile"], "env": env, "cwd": cwd}
    try:
        rc, stdout, stderr = module_host.run(request)
    except module_host.HostUnavailable as exc:
        display.vvvv(f"module host unavailable for {module_name}, running it the classic way: {exc}")
        return action._execute_module(module_name=module_name, module_args=copy.deepcopy(original_args),
                                      task_vars=task_vars)
    except module_host.HostFailed as exc:
        # The module may have changed something already: running it again could do it twice.
        return {"failed": True, "msg": f"The module host lost the run of {module_name} (it was not run again): {exc}"}
    display.vvv(f"ran {module_name} in the module host")
    action._used_interpreter = f"#!{sys.executable}"
    return _as_execute_module_returns(action, rc, stdout, stderr, io["profile"])


def _as_execute_module_returns(action: ActionBase, rc: int, stdout: bytes, stderr: bytes, profile: str) -> dict:
    """The end of ActionBase._execute_module: parse, then clean the result the same way."""
    out = to_text(stdout, errors="surrogate_then_replace")
    err = to_text(stderr, errors="surrogate_then_replace")
    res = dict(rc=rc, stdout=out, stdout_lines=out.splitlines(), stderr=err, stderr_lines=err.splitlines())
    data = action._parse_returned_data(res, profile) if PROFILED_CORE else action._parse_returned_data(res)
    if data.pop("_ansible_suppress_tmpdir_delete", False):
        action._cleanup_remote_tmp = False
    if "results" in data and (not isinstance(data["results"], Sequence) or isinstance(data["results"], str)):
        data["ansible_module_results"] = data["results"]
        del data["results"]
        display.warning("Found internal 'results' key in module return, renamed to 'ansible_module_results'.")
    remove_internal_keys(data)
    for key in ("stdout", "stderr"):
        if key in data and f"{key}_lines" not in data:
            data[f"{key}_lines"] = (data.get(key, None) or "").splitlines()
    if not PROFILED_CORE:
        from ansible.utils.unsafe_proxy import wrap_var

        data = wrap_var(data)
    return data


class ModuleHostAction(ActionBase):
    """The normal action (ansible.builtin.normal), with the module run by execute_module: the action plugin of every
    lifecycle.eks module that has no other (plugins/action/eks_*.py)."""

    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result = merge_hash(result, execute_module(self, task_vars, wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
