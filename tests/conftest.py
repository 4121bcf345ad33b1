"""Fixtures shared by every test: import paths, an emulated world per test, modules run in-process."""
from __future__ import annotations

import io
import json
import os
import sys
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import pytest

ROOT = Path(__file__).resolve().parents[1]
COLLECTIONS = ROOT / ".build" / "collections"
for entry in (str(ROOT), str(COLLECTIONS)):
    if entry not in sys.path:
        sys.path.insert(0, entry)
LINK = COLLECTIONS / "ansible_collections" / "lifecycle" / "eks"
if not LINK.exists():
    LINK.parent.mkdir(parents=True, exist_ok=True)
    LINK.symlink_to(ROOT)

SCENARIOS = ROOT / "tests" / "scenarios"
# What a real user has to set and a developer's shell could leak into a test: the world exports none of it (its
# env() is the endpoint and fake credentials), so a module or playbook that forgets the region or kubeconfig fails
# here as it fails for a user. A name ending in * is a prefix (kubernetes.core's K8S_AUTH_* variables).
NOT_EXPORTED = ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN",
                "KUBECONFIG", "K8S_AUTH_*")


def is_user_setting(name: str) -> bool:
    """Whether an environment variable is one of NOT_EXPORTED."""
    return any(name.startswith(entry[:-1]) if entry.endswith("*") else name == entry for entry in NOT_EXPORTED)


def without_user_settings(env: Mapping[str, str]) -> dict[str, str]:
    """An environment for a subprocess (ansible-playbook) without NOT_EXPORTED."""
    return {key: value for key, value in env.items() if not is_user_setting(key)}


class WorldMaker:
    """make_world: start a world seeded from a scenario (file stem or dict) and write its inventory and kubeconfigs
    under tmp_path/world; the environment points boto3 at it (endpoint and credentials only: the region is each
    test's to give, as the inventory gives it to a playbook)."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.tmp_path, self.monkeypatch = tmp_path, monkeypatch
        self.worlds: list[Any] = []

    def __call__(self, source: str | dict[str, Any], cluster_update_s: float = 0.3, nodegroup_update_s: float = 0.2,
                 addon_update_s: float = 0.1, instance_refresh_s: float = 0.2) -> Any:
        from eksworld import scenario
        from eksworld.world import World

        world = World(cluster_update_s=cluster_update_s, nodegroup_update_s=nodegroup_update_s,
                      addon_update_s=addon_update_s, instance_refresh_s=instance_refresh_s).start()
        self.worlds.append(world)
        data = scenario.load(SCENARIOS / f"{source}.yml") if isinstance(source, str) else scenario.normalize(source)
        world.seed(data)
        world.write_outputs(self.tmp_path / "world")
        for key, value in world.env().items():
            self.monkeypatch.setenv(key, value)
        for key in [k for k in os.environ if is_user_setting(k)]:
            self.monkeypatch.delenv(key)
        # Nor a region from the developer's ~/.aws/config (boto3 reads it when no variable names a region).
        self.monkeypatch.setenv("AWS_CONFIG_FILE", str(self.tmp_path / "no-aws-config"))
        return world

    @property
    def latest(self) -> Any:
        """The world the test started last."""
        if not self.worlds:
            raise RuntimeError("start a world with make_world(...) first")
        return self.worlds[-1]


@pytest.fixture
def make_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WorldMaker]:
    maker = WorldMaker(tmp_path, monkeypatch)
    yield maker
    for world in maker.worlds:
        world.stop()


class ModuleResult(dict):
    @property
    def failed(self) -> bool:
        return bool(self.get("failed"))


@contextmanager
def module_args(args: dict[str, Any]) -> Iterator[None]:
    """The arguments a module's main() reads: ansible-core 2.19's patch_module_args, or (2.17, 2.18, which the small
    matrix of `make test` runs too) the module-args global those versions read."""
    try:
        from ansible.module_utils.testing import patch_module_args
    except ImportError:  # ansible-core < 2.19
        from ansible.module_utils import basic

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode())
            yield
        return
    from ansible.module_utils import _internal as module_utils_internal

    # Once a test has imported controller code (filters, templating), ansible-core flags this process as the
    # controller and module warnings go to the display instead of the result: run as a module would.
    with patch_module_args(args), pytest.MonkeyPatch.context() as patch:
        patch.setattr(module_utils_internal, "is_controller", False)
        yield


@pytest.fixture
def run_module() -> Callable[..., ModuleResult]:
    """Run a module's main() in this process (so coverage sees it) and return its JSON result."""
    from ansible.module_utils.common import warnings

    def run(module: Any, args: dict[str, Any], check_mode: bool = False, diff: bool = False) -> ModuleResult:
        full = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
        # A module process starts with no warnings; in this process they would pile up from earlier runs.
        getattr(warnings, "_global_warnings", {}).clear()
        getattr(warnings, "_global_deprecations", []).clear()
        out = io.StringIO()
        with module_args(full), redirect_stdout(out), pytest.raises(SystemExit):
            module.main()
        result = json.loads(out.getvalue())
        # Nothing a module does is deprecated in the ansible-core running it (README: "Supported ansible-core").
        assert not result.get("deprecations"), result["deprecations"]
        return ModuleResult(result)

    return run


def mutating_calls(world: Any, since: int = 0) -> list[dict[str, Any]]:
    """The mutating requests the world answered since a log position."""
    return [r for r in world.state.log.as_dicts(since) if r["mutating"]]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Playbook runs first, the files of the longest ones (marked ``longest(rank)``, rank 1 first) before the others
    (a stable sort keeps each file's order): the longest tests start at once and the short unit tests fill the workers
    at the end, instead of one long run starting late and finishing alone."""
    first = {item.path: marker.args[0] for item in items if (marker := item.get_closest_marker("longest"))}
    items.sort(key=lambda item: first.get(item.path, 100 if "integration" in item.path.parts else 200))
