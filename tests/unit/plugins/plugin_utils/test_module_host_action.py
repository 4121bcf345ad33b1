"""When the action of lifecycle.eks modules (plugin_utils/module_host_action) uses the module host, and when it runs
the module through ActionBase._execute_module as before."""
from __future__ import annotations

import sys
from types import SimpleNamespace
from typing import Any

import pytest

from ansible_collections.lifecycle.eks.plugins.plugin_utils.module_host_action import unusable_because

PLAYBOOK_PYTHON = "{{ ansible_playbook_python }}"


class Templar:
    def template(self, value: Any) -> Any:
        return sys.executable if value == PLAYBOOK_PYTHON else value


def action(transport: str = "local", delegate_to: str | None = None, become: bool = False, async_val: int = 0,
           pipelining: bool = True, tmpdir: str | None = None) -> Any:
    return SimpleNamespace(
        _task=SimpleNamespace(delegate_to=delegate_to, async_val=async_val),
        _connection=SimpleNamespace(transport=transport, become=None, _shell=SimpleNamespace(tmpdir=tmpdir)),
        _play_context=SimpleNamespace(become=become),
        _templar=Templar(),
        _is_pipelining_enabled=lambda style, wrap_async=False: pipelining)


TASK_VARS = {"ansible_python_interpreter": PLAYBOOK_PYTHON}


def test_the_upgrade_playbooks_hosts_use_the_module_host(monkeypatch):
    monkeypatch.setenv("LIFECYCLE_EKS_MODULE_HOST", "1")
    assert unusable_because(action(), TASK_VARS, "lifecycle.eks.eks_cluster_upgrade") is None
    discovered = {"ansible_facts": {"discovered_interpreter_python": sys.executable}}
    assert unusable_because(action(), discovered, "lifecycle.eks.eks_cluster_upgrade") is None


@pytest.mark.parametrize("changes, task_vars, reason", [
    ({"transport": "ssh"}, TASK_VARS, "not the local connection"),
    ({"delegate_to": "elsewhere"}, TASK_VARS, "delegate_to"),
    ({"become": True}, TASK_VARS, "become"),
    ({"async_val": 30}, TASK_VARS, "async"),
    ({"pipelining": False}, TASK_VARS, "pipelining is off"),
    ({"tmpdir": "/tmp/ansible-tmp-1"}, TASK_VARS, "a remote temporary directory exists"),
    ({}, {"ansible_python_interpreter": "/usr/bin/python3.9"}, "another Python interpreter"),
    ({}, {}, "another Python interpreter"),  # not discovered yet: the classic run discovers it
])
def test_anything_else_runs_the_module_as_before(monkeypatch, changes, task_vars, reason):
    monkeypatch.setenv("LIFECYCLE_EKS_MODULE_HOST", "1")
    assert unusable_because(action(**changes), task_vars, "lifecycle.eks.eks_cluster_upgrade") == reason


@pytest.mark.parametrize("value, reason", [(None, None), ("1", None), ("0", "LIFECYCLE_EKS_MODULE_HOST=0")])
def test_it_is_on_unless_switched_off(monkeypatch, value, reason):
    monkeypatch.delenv("LIFECYCLE_EKS_MODULE_HOST", raising=False)
    if value is not None:
        monkeypatch.setenv("LIFECYCLE_EKS_MODULE_HOST", value)
    assert unusable_because(action(), TASK_VARS, "lifecycle.eks.eks_cluster_upgrade") == reason


def real_action() -> Any:
    """eks_cluster_upgrade's ActionModule (the module host's), enough of it to parse a module's output."""
    from unittest.mock import MagicMock

    from ansible_collections.lifecycle.eks.plugins.action.eks_cluster_upgrade import ActionModule

    task = MagicMock(action="lifecycle.eks.eks_cluster_upgrade", resolved_action="lifecycle.eks.eks_cluster_upgrade")
    action = ActionModule(task=task, connection=MagicMock(), play_context=MagicMock(), loader=MagicMock(),
                          templar=MagicMock(), shared_loader_obj=MagicMock())
    action._used_interpreter = f"#!{sys.executable}"
    return action


def test_a_crash_comes_back_as_core_shapes_it():
    """Output that is not JSON (a traceback) is the same failed result as _execute_module makes of it."""
    from ansible_collections.lifecycle.eks.plugins.plugin_utils.module_host_action import (
        PROFILED_CORE,
        _as_execute_module_returns,
    )

    traceback = b'Traceback (most recent call last):\n  File "x", line 1\nRuntimeError: boom\n'
    result = dict(_as_execute_module_returns(real_action(), 1, b"", traceback, "legacy"))
    assert result["failed"] is True and result["rc"] == 1
    assert (result["module_stdout"], result["module_stderr"]) == ("", traceback.decode())
    if PROFILED_CORE:  # 2.19
        assert result["msg"].startswith("Module result deserialization failed")
    else:
        assert result["msg"] == "MODULE FAILURE\nSee stdout/stderr for the exact error"
        assert result["exception"] == traceback.decode()


def test_a_result_is_cleaned_as_core_cleans_it():
    from ansible_collections.lifecycle.eks.plugins.plugin_utils.module_host_action import _as_execute_module_returns

    out = b'noise before\n{"changed": true, "_ansible_no_log": false, "stdout": "a\\nb", "ansible_facts": {"x": 1}}\n'
    result = dict(_as_execute_module_returns(real_action(), 0, out, b"", "legacy"))
    assert result["changed"] is True and result["ansible_facts"] == {"x": 1}
    assert result["stdout_lines"] == ["a", "b"]
    assert result["_ansible_parsed"] is True


def test_every_module_has_an_action_that_can_use_the_module_host():
    import importlib
    from pathlib import Path

    from ansible_collections.lifecycle.eks.plugins.plugin_utils.checkpoint_action import CheckpointAction
    from ansible_collections.lifecycle.eks.plugins.plugin_utils.module_host_action import ModuleHostAction

    plugins = Path(__file__).resolve().parents[4] / "plugins"
    # eks_wave_result and eks_report_write run no module: actions alone (an entry reported, a file written).
    modules = sorted(path.stem for path in (plugins / "modules").glob("eks_*.py")
                     if path.stem not in ("eks_wave_result", "eks_report_write"))
    assert len(modules) == 18
    for name in modules:
        action = importlib.import_module(f"ansible_collections.lifecycle.eks.plugins.action.{name}").ActionModule
        assert issubclass(action, (ModuleHostAction, CheckpointAction)), name
