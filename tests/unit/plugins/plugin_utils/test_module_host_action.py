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
    monkeypatch.delenv("LIFECYCLE_EKS_MODULE_HOST", raising=False)
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
    monkeypatch.delenv("LIFECYCLE_EKS_MODULE_HOST", raising=False)
    assert unusable_because(action(**changes), task_vars, "lifecycle.eks.eks_cluster_upgrade") == reason


def test_the_switch_turns_it_off(monkeypatch):
    monkeypatch.setenv("LIFECYCLE_EKS_MODULE_HOST", "0")
    assert unusable_because(action(), TASK_VARS, "lifecycle.eks.eks_cluster_upgrade") == "LIFECYCLE_EKS_MODULE_HOST=0"
