"""Action lifecycle.eks.eks_report_write: a report written as JSON on the controller, with no module process."""
from __future__ import annotations

import json
import os
from unittest.mock import MagicMock

import pytest

from ansible_collections.lifecycle.eks.plugins.action.eks_report_write import ActionModule


def run(args, check_mode=False):
    task = MagicMock(args=args, async_val=0, action="lifecycle.eks.eks_report_write", check_mode=check_mode)
    action = ActionModule(task=task, connection=MagicMock(), play_context=MagicMock(), loader=MagicMock(),
                          templar=MagicMock(), shared_loader_obj=MagicMock())
    return action.run(task_vars={})


@pytest.mark.parametrize("check_mode", [False, True])
def test_the_report_is_written_whole_with_its_directory_and_no_change_is_reported(tmp_path, check_mode):
    path = tmp_path / "reports" / "clusters" / "prod-eu.json"
    report = {"status": "upgraded", "cluster": "prod-eu", "post_upgrade": {"addons": [{"name": "vpc-cni"}]}}
    result = run({"path": str(path), "content": report}, check_mode=check_mode)
    assert result == {"changed": False, "path": str(path)}
    text = path.read_text()
    assert json.loads(text) == report
    # As to_nice_json(indent=2) wrote it before: sorted keys, two spaces, a newline at the end.
    assert text == json.dumps(report, indent=2, sort_keys=True) + "\n"
    assert oct(path.stat().st_mode & 0o777) == "0o644"
    assert [p.name for p in path.parent.iterdir()] == ["prod-eu.json"]  # no temporary file left


def test_a_report_replaces_the_previous_one_and_a_relative_path_is_under_the_working_directory(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run({"path": "reports/eu.json", "content": {"status": "failed"}})
    result = run({"path": "reports/eu.json", "content": {"status": "upgraded"}})
    assert result["path"] == str(tmp_path / "reports" / "eu.json")
    assert json.loads((tmp_path / "reports" / "eu.json").read_text()) == {"status": "upgraded"}


@pytest.mark.parametrize(("args", "said"), [
    ({"path": "", "content": {}}, "path must be the report file to write"),
    ({"content": {}}, "path must be the report file to write"),
    ({"path": "/tmp/x.json", "content": ["not", "a", "mapping"]},
     "content must be the report, a mapping; got a value of type list"),
])
def test_bad_input_fails_naming_the_option_and_writes_nothing(args, said):
    result = run(args)
    assert result["failed"] is True and result["changed"] is False and said in result["msg"]


def test_a_path_that_cannot_be_written_fails_naming_it(tmp_path):
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the directory must be")
    path = blocker / "clusters" / "eu.json"
    result = run({"path": str(path), "content": {"status": "upgraded"}})
    assert result["failed"] is True and str(path) in result["msg"], result
    assert not os.path.exists(path)
