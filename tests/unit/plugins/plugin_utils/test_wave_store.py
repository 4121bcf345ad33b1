"""A wave's entries kept on the controller (store_entries): what each host reads back, and what the registered result
holds instead; the filter lifecycle.eks.wave_entry; every run_once wave task of the playbooks keeps its entries so."""
from __future__ import annotations

from pathlib import Path
import pytest
import yaml
from ansible import constants as C
from ansible.errors import AnsibleFilterError

from ansible_collections.lifecycle.eks.plugins.filter import wave_results
from ansible_collections.lifecycle.eks.plugins.plugin_utils import wave_store

ROOT = Path(__file__).resolve().parents[4]
ENTRIES = {"prod-eu": {"changed": True, "version_after": "1.31", "wave_module": "eks_cluster_upgrade"},
           "team/a b é": {"failed": True, "msg": "update {{ Failed }}", "updates": [{"id": "u1"}],
                          "wave_module": "eks_cluster_upgrade"}}
RESULT = {"changed": True, "clusters": ENTRIES, "summary": {"clusters": 2, "failed": ["team/a b é"]}, "api_calls": 9}


@pytest.fixture(autouse=True)
def local_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(C, "DEFAULT_LOCAL_TMP", str(tmp_path), raising=False)
    return tmp_path


def test_kept_entries_leave_the_result_and_each_is_read_back_by_its_name(local_tmp):
    kept = wave_store.keep(dict(RESULT))
    assert "clusters" not in kept
    assert {key: kept[key] for key in ("changed", "summary", "api_calls")} == \
           {key: RESULT[key] for key in ("changed", "summary", "api_calls")}
    stored = kept[wave_store.STORED]
    assert stored["count"] == 2 and Path(stored["path"]).parent == local_tmp
    assert len(list(Path(stored["path"]).iterdir())) == 2  # one file per cluster, the "/" of a name in none
    for name, entry in ENTRIES.items():
        assert wave_store.entry_of(kept, name) == entry
    assert wave_store.entry_of(kept, "not-in-the-wave") is None


def test_two_waves_keep_apart_and_a_result_without_clusters_is_left_as_it_is(local_tmp):
    first = wave_store.keep(dict(RESULT))
    second = wave_store.keep({"changed": False, "clusters": {"prod-eu": {"changed": False}}})
    assert first[wave_store.STORED]["path"] != second[wave_store.STORED]["path"]
    assert wave_store.entry_of(first, "prod-eu") == ENTRIES["prod-eu"]
    assert wave_store.entry_of(second, "prod-eu") == {"changed": False}
    failed = {"failed": True, "msg": "clusters[].name must be unique; repeated: a."}
    assert wave_store.keep(dict(failed)) == failed
    assert sorted(p.name for p in local_tmp.iterdir()) == sorted(
        Path(r[wave_store.STORED]["path"]).name for r in (first, second))


@pytest.mark.parametrize("result", [
    {"skipped": True, "changed": False, "skip_reason": "Conditional result was False"},  # a wave that did not run
    {"failed": True, "msg": "bad options"},
    None,
    "a string",
    {"clusters": {"prod-eu": "not an entry"}},
])
def test_a_result_with_no_entry_for_the_cluster_gives_none(result):
    assert wave_store.entry_of(result, "prod-eu") is None
    assert wave_results.wave_entry(result, "prod-eu") == {}


def test_the_filter_reads_a_kept_entry_and_one_in_clusters_alike():
    kept = wave_store.keep(dict(RESULT))
    for result in (kept, RESULT):
        assert wave_results.wave_entry(result, "team/a b é") == ENTRIES["team/a b é"]
    assert wave_results.FilterModule().filters() == {"wave_entry": wave_results.wave_entry}


def test_what_the_filter_reads_back_is_never_a_template():
    entry = wave_results.wave_entry(wave_store.keep(dict(RESULT)), "team/a b é")
    if wave_results.MARK_UNSAFE:  # ansible-core 2.17, 2.18: unsafe, as a registered result's strings are
        assert hasattr(entry["msg"], "__UNSAFE__")
    else:  # 2.19+: a plugin's output is a template only when trusted as one
        from ansible.template import is_trusted_as_template
        assert not is_trusted_as_template(entry["msg"])


@pytest.mark.parametrize("name", ["", None, 3])
def test_the_filter_needs_a_name(name):
    with pytest.raises(AnsibleFilterError, match="wave_entry needs the cluster's name"):
        wave_results.wave_entry(RESULT, name)


def wave_tasks(tasks):
    for task in tasks or ():
        yield from wave_tasks(task.get("block"))
        yield from wave_tasks(task.get("rescue"))
        yield from wave_tasks(task.get("always"))
        for module in ("lifecycle.eks.eks_wave", "lifecycle.eks.eks_fleet_preflight"):
            if module in task:
                yield task, task[module]


@pytest.mark.parametrize("path", ["playbooks/upgrade.yml", "roles/post_upgrade/tasks/main.yml",
                                  "roles/post_upgrade/tasks/cluster_autoscaler.yml", "benchmarks/preflight.yml"])
def test_every_run_once_wave_task_keeps_its_entries_on_the_controller(path):
    document = yaml.safe_load((ROOT / path).read_text())
    tasks = [task for play in document for task in play["tasks"]] if "hosts" in document[0] else document
    found = list(wave_tasks(tasks))
    assert found, path
    for task, args in found:
        assert task.get("run_once") is True and args.get("store_entries") is True, task["name"]
