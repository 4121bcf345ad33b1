"""eks_coredns_corefile against the emulated world: the upstream line goes, nothing else changes."""
from __future__ import annotations

from ansible_collections.lifecycle.eks.plugins.modules import eks_coredns_corefile as module
from tests.conftest import mutating_calls
from tests.unit.plugins.modules.helpers import log_position

NAME = "origin-117"


def corefile(world, name=NAME):
    return world.summary()[name]["corefile"]


def test_removes_only_the_upstream_line_and_is_idempotent(make_world, run_module, args):
    world = make_world("coredns-upstream")
    before = corefile(world)
    result = run_module(module, args(NAME), diff=True)
    assert not result.failed, result.get("msg")
    assert result["changed"] is True
    assert result["had_upstream"] is True
    after = corefile(world)
    assert result["corefile"] == after
    old_lines, new_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    removed = [i for i, line in enumerate(old_lines) if line.strip() == "upstream"]
    assert len(removed) == 1
    assert new_lines == old_lines[:removed[0]] + old_lines[removed[0] + 1:]
    assert result["diff"]["before"] == before and result["diff"]["after"] == after
    assert [r["operation"] for r in mutating_calls(world)] == ["patch configmaps"]

    position = log_position(world)
    again = run_module(module, args(NAME), diff=True)
    assert not again.failed, again.get("msg")
    assert again["changed"] is False
    assert again["had_upstream"] is False
    assert again["diff"]["before"] == again["diff"]["after"] == after
    assert mutating_calls(world, position) == []


def test_check_mode_and_state_check_change_nothing(make_world, run_module, args):
    world = make_world("coredns-upstream")
    before = corefile(world)
    planned = run_module(module, args(NAME), check_mode=True)
    assert planned["changed"] is True
    assert "upstream" not in planned["corefile"]
    checked = run_module(module, args(NAME, state="check"))
    assert checked["changed"] is False
    assert checked["had_upstream"] is True
    assert checked["corefile"] == before
    assert corefile(world) == before
    assert mutating_calls(world) == []


def test_without_kubeconfig(make_world, run_module, args):
    world = make_world("coredns-upstream")
    result = run_module(module, args(NAME, kubeconfig=None))
    assert not result.failed, result.get("msg")
    assert "upstream" not in corefile(world)


def test_corefile_without_upstream_is_left_alone(make_world, run_module, args):
    world = make_world("healthy")
    result = run_module(module, args("healthy-129"))
    assert not result.failed, result.get("msg")
    assert result["changed"] is False and result["had_upstream"] is False
    assert mutating_calls(world) == []


def test_config_map_without_corefile_key(make_world, run_module, args):
    world = make_world("healthy")
    store = world.kube.cluster("healthy-129")
    config_map = store.get("v1", "ConfigMap", "kube-system", "coredns")
    config_map["data"] = {"other": "x"}
    store.replace(config_map)
    result = run_module(module, args("healthy-129"))
    assert result.failed
    assert result["msg"] == "ConfigMap kube-system/coredns has no Corefile key."


def test_missing_config_map(make_world, run_module, args):
    world = make_world("healthy")
    world.kube.cluster("healthy-129").delete("v1", "ConfigMap", "kube-system", "coredns")
    result = run_module(module, args("healthy-129"))
    assert result.failed
    assert result["msg"].startswith("Failed to read ConfigMap kube-system/coredns (cluster healthy-129): 404")


def test_unreachable_kubernetes_api(make_world, run_module, args, fast_k8s_retries):
    world = make_world("coredns-upstream")
    world.state.faults.set(NAME, k8s_unreachable=True)
    result = run_module(module, args(NAME))
    assert result.failed
    assert "Kubernetes API of cluster origin-117 unreachable" in result["msg"]
    assert mutating_calls(world) == []


def test_missing_kubeconfig_file(make_world, run_module, args, tmp_path):
    make_world("coredns-upstream")
    result = run_module(module, args(NAME, kubeconfig=str(tmp_path / "absent.yaml")))
    assert result.failed
    # The path is no_log (kubernetes.core's kubeconfig option may hold credentials): the message names the option.
    assert result["msg"] == "kubeconfig ******** not found"


def set_corefile(world, text, name="healthy-129"):
    store = world.kube.cluster(name)
    config_map = store.get("v1", "ConfigMap", "kube-system", "coredns")
    config_map["data"] = {"Corefile": text}
    store.replace(config_map)


# The last line of the Corefile is `upstream`, with no newline after it.
ENDS_WITH_UPSTREAM = ".:53 {\n    kubernetes cluster.local {\n      pods insecure\n    }\n}\nupstream"


def test_an_upstream_line_that_ends_the_corefile_without_a_newline(make_world, run_module, args):
    world = make_world("healthy")
    set_corefile(world, ENDS_WITH_UPSTREAM)
    result = run_module(module, args("healthy-129"))
    assert not result.failed, result.get("msg")
    assert (result["changed"], result["had_upstream"]) == (True, True)
    assert corefile(world, "healthy-129") == ENDS_WITH_UPSTREAM[:-len("upstream")]
