"""Action lifecycle.eks.eks_wave_result: a wave's entry reported as the module's own task would have been."""
from __future__ import annotations

from unittest.mock import MagicMock

import pytest

from ansible_collections.lifecycle.eks.plugins.action.eks_wave_result import ActionModule


def run(args):
    task = MagicMock(args=args, async_val=0, action="lifecycle.eks.eks_wave_result")
    action = ActionModule(task=task, connection=MagicMock(), play_context=MagicMock(), loader=MagicMock(),
                          templar=MagicMock(), shared_loader_obj=MagicMock())
    return action.run(task_vars={})


def test_an_entry_becomes_the_task_result():
    entry = {"wave_module": "eks_cluster_upgrade", "changed": True, "version_after": "1.31",
             "warnings": ["slow"], "diff": {"before": "1.30\n", "after": "1.31\n"}}
    assert run({"result": entry}) == entry


def test_a_failed_entry_fails_the_task_with_its_message_and_updates():
    entry = {"wave_module": "eks_cluster_upgrade", "failed": True, "msg": "update Failed", "updates": [{"id": "u1"}]}
    assert run({"result": entry}) == dict(entry, changed=False)


@pytest.mark.parametrize(("given", "said"), [
    ({}, "a dict with keys none"),
    ({"clusters": {}, "summary": {}}, "a dict with keys clusters, summary"),
    ("prod", "a value of type str"),
])
def test_anything_but_an_entry_fails_saying_what_was_given(given, said):
    result = run({"result": given})
    assert result["failed"] is True and result["changed"] is False
    assert "one cluster's entry of a lifecycle.eks.eks_wave result" in result["msg"] and said in result["msg"]
