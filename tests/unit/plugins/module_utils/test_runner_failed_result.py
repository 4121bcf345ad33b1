"""runner.failed_result: a failure after a mutating call reports what it started, as a success would."""
from __future__ import annotations

from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.runner import failed_result

STARTED = {"id": "u-1", "type": "VersionUpdate", "subject": "cluster a", "from": "1.29", "to": "1.30",
           "status": "InProgress", "errors": [], "resumed": False}
TIMED_OUT = dict(STARTED, id="u-2", subject="node group general")


def test_an_update_the_error_carries_joins_updates_and_the_result_is_changed():
    exc = ModuleError("Timed out", {"update_id": "u-2", "update": TIMED_OUT,
                                    "result": {"changed": False, "updates": [STARTED]}})
    result = failed_result(exc)
    assert result["updates"] == [STARTED, TIMED_OUT]
    assert result["changed"] is True
    assert "update" not in result
    assert (result["msg"], result["update_id"]) == ("Timed out", "u-2")


def test_an_update_already_listed_is_not_listed_twice():
    result = failed_result(ModuleError("Failed", {"update": STARTED, "result": {"updates": [STARTED]}}))
    assert result["updates"] == [STARTED]


def test_updates_alone_make_the_failure_changed():
    result = failed_result(ModuleError("Refused", {"result": {"updates": [STARTED]}}))
    assert result["changed"] is True


def test_nothing_started_stays_unchanged():
    assert failed_result(ModuleError("Refused", {"result": {"changed": False, "updates": []}}))["changed"] is False
    assert "changed" not in failed_result(ModuleError("Bad option"))
    assert "updates" not in failed_result(ModuleError("Bad option"))
