"""The actions around a wave: eks_wave and eks_fleet_preflight keep their entries on the controller with store_entries;
a step module's own task reports its wave's entry (wave_result) instead of running the module, or runs it."""
from __future__ import annotations

from unittest.mock import MagicMock

import pytest
from ansible import constants as C

from ansible_collections.lifecycle.eks.plugins.action import (
    eks_cluster_upgrade,
    eks_nodegroup_upgrade,
    eks_version_skew_facts,
)
from ansible_collections.lifecycle.eks.plugins.filter.wave_results import wave_entry
from ansible_collections.lifecycle.eks.plugins.plugin_utils import module_host_action, wave_store
from ansible_collections.lifecycle.eks.plugins.plugin_utils.wave_action import WaveAction, WaveStepAction

UPGRADED = {"changed": True, "version_before": "1.30", "version_after": "1.31", "warnings": ["slow"],
            "diff": {"before": "1.30\n", "after": "1.31\n"}, "wave_module": "eks_cluster_upgrade"}
WAVE = {"changed": True, "clusters": {"prod-eu": UPGRADED}, "summary": {"clusters": 1, "failed": [], "changed": []}}


@pytest.fixture
def module_runs(monkeypatch):
    """The arguments of each module run (ModuleHostAction.run), which returns WAVE."""
    runs = []

    def run(self, tmp=None, task_vars=None):
        runs.append(dict(self._task.args))
        return {key: dict(value) if isinstance(value, dict) else value for key, value in WAVE.items()}
    monkeypatch.setattr(module_host_action.ModuleHostAction, "run", run)
    return runs


def action(cls, name, args, check_mode=False):
    task = MagicMock(args=args, async_val=0, action=name, check_mode=check_mode)
    return cls(task=task, connection=MagicMock(), play_context=MagicMock(), loader=MagicMock(), templar=MagicMock(),
               shared_loader_obj=MagicMock())


@pytest.mark.parametrize(("store_entries", "kept"), [(True, True), ("yes", True), (False, False), (None, False)])
def test_a_wave_keeps_its_entries_on_the_controller_only_with_store_entries(tmp_path, monkeypatch, module_runs,
                                                                            store_entries, kept):
    monkeypatch.setattr(C, "DEFAULT_LOCAL_TMP", str(tmp_path), raising=False)
    args = {"module": "eks_cluster_upgrade", "clusters": []}
    if store_entries is not None:
        args["store_entries"] = store_entries
    result = action(WaveAction, "lifecycle.eks.eks_wave", args).run(task_vars={})
    assert ("clusters" not in result) is kept and (wave_store.STORED in result) is kept
    assert wave_entry(result, "prod-eu") == UPGRADED and len(module_runs) == 1


def test_the_action_of_each_wave_step_module_reports_its_entry():
    for plugin in (eks_cluster_upgrade, eks_nodegroup_upgrade, eks_version_skew_facts):
        assert issubclass(plugin.ActionModule, WaveStepAction), plugin.__name__


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_step_task_given_its_wave_entry_reports_it_and_runs_nothing(module_runs, check_mode):
    args = {"cluster_name": "prod-eu", "target_version": "1.31", "wave_result": UPGRADED}
    result = action(WaveStepAction, "lifecycle.eks.eks_cluster_upgrade", args, check_mode).run(task_vars={})
    assert result == UPGRADED and module_runs == []


def test_a_failed_entry_fails_the_task_with_what_the_cluster_had_started(module_runs):
    failed = {"failed": True, "msg": "update u1 Failed", "updates": [{"id": "u1"}],
              "wave_module": "eks_cluster_upgrade"}
    result = action(WaveStepAction, "eks_cluster_upgrade", {"wave_result": failed}).run(task_vars={})
    assert result == dict(failed, changed=False) and module_runs == []


def test_a_read_s_entry_sets_its_facts_on_the_host_as_the_module_would():
    read = {"changed": False, "ansible_facts": {"eks_version_skew": {"nodes": []}},
            "wave_module": "eks_version_skew_facts"}
    result = action(WaveStepAction, "lifecycle.eks.eks_version_skew_facts", {"wave_result": read}).run(task_vars={})
    assert result["ansible_facts"] == read["ansible_facts"]


@pytest.mark.parametrize("args", [{"cluster_name": "prod-eu"}, {"cluster_name": "prod-eu", "wave_result": {}},
                                  {"cluster_name": "prod-eu", "wave_result": None}])
def test_without_an_entry_the_module_runs(module_runs, args):
    result = action(WaveStepAction, "lifecycle.eks.eks_cluster_upgrade", args).run(task_vars={})
    assert module_runs == [args] and result["changed"] is True


@pytest.mark.parametrize(("entry", "said"), [
    (dict(UPGRADED, wave_module="eks_nodegroup_upgrade"),
     "wave_result is an entry of a wave of eks_nodegroup_upgrade, not of eks_cluster_upgrade"),
    ({"changed": True}, "wave_result must be one cluster's entry of a lifecycle.eks.eks_wave result"),
    ("prod-eu", "got a value of type str"),
])
def test_an_entry_of_another_step_or_none_fails_naming_it_and_runs_nothing(module_runs, entry, said):
    result = action(WaveStepAction, "lifecycle.eks.eks_cluster_upgrade", {"wave_result": entry}).run(task_vars={})
    assert result["failed"] is True and result["changed"] is False and said in result["msg"], result
    assert module_runs == []
