"""Fixtures of the module tests; modules run in-process (tests/conftest.py run_module) against a world."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

import pytest

from ansible_collections.lifecycle.eks.plugins.module_utils import aws, kube
from tests.unit.plugins.modules.helpers import HOUR


@pytest.fixture
def kubeconfig(tmp_path: Path) -> Callable[[str], str]:
    """The kubeconfig make_world wrote for a cluster."""
    return lambda name: str(tmp_path / "world" / "kubeconfigs" / f"{name}.yaml")


@pytest.fixture
def args(kubeconfig: Callable[[str], str], make_world: Any) -> Callable[..., dict[str, Any]]:
    """Module arguments for a cluster of the world the test started: its region and kubeconfig (none with
    kubeconfig=None), given explicitly as the inventory gives them to a playbook (the world exports neither)."""

    def make(name: str, **extra: Any) -> dict[str, Any]:
        base: dict[str, Any] = {"cluster_name": name, "region": make_world.latest.region_of(name),
                                "kubeconfig": kubeconfig(name)}
        base.update(extra)
        if base["kubeconfig"] is None:
            del base["kubeconfig"]
        return base

    return make


@pytest.fixture
def fast_aws_retries(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """amazon.aws's retry decorator sleeps up to 20 s between attempts: here it records the delays instead, and
    botocore makes one attempt per call (AWS_MAX_ATTEMPTS), so every retry is the decorator's."""
    from ansible_collections.amazon.aws.plugins.module_utils import cloud

    delays: list[float] = []
    monkeypatch.setattr(cloud, "time", SimpleNamespace(sleep=delays.append))
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    return delays


@pytest.fixture
def no_aws_retries(monkeypatch: pytest.MonkeyPatch, fast_aws_retries: list[float]) -> None:
    """A fault fails the AWS call at once: one attempt, as a budget exhausted by the earlier ones would."""
    from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

    monkeypatch.setattr(aws, "RETRY", AWSRetry.jittered_backoff(retries=1, catch_extra_error_codes=aws.RETRIED_CODES))


@pytest.fixture
def fast_k8s_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kubernetes calls retry for minutes by default (kube_retry_timeout); an API that stays down fails at once
    here: no retries (the option's environment fallback), and no pauses if a test sets a budget."""
    monkeypatch.setenv("LIFECYCLE_EKS_KUBE_RETRY_TIMEOUT", "0")
    monkeypatch.setattr(kube, "RETRY_FIRST_DELAY", 0.0)


_LOADERS: dict[Any, Any] = {}


@pytest.fixture(autouse=True)
def shared_botocore_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    """One botocore data loader for every session: each module run opens a new boto3 Session, and parsing
    the EC2 service model again each time costs most of a second. Only speeds the tests up."""
    import botocore.loaders
    import botocore.session

    def cached(search_path_string: Any = None) -> Any:
        if search_path_string not in _LOADERS:
            _LOADERS[search_path_string] = botocore.loaders.create_loader(search_path_string)
        return _LOADERS[search_path_string]

    monkeypatch.setattr(botocore.session, "create_loader", cached)


@pytest.fixture
def finish_when_waited(monkeypatch: pytest.MonkeyPatch) -> Callable[[Any], None]:
    """Make a world's updates finish as soon as a module starts waiting for one.

    Tests that need an update still InProgress at some point (a seeded or concurrent update, wait=false, a
    rerun that resumes) give the world hour-long durations and call this, so a slow machine cannot let the
    update end early: the world's clock jumps an hour ahead whenever a module starts waiting.
    """
    from ansible_collections.lifecycle.eks.plugins.module_utils import operations

    def arm(world: Any) -> None:
        real = operations.wait_for_update

        def jump_then_wait(*args: Any, **kwargs: Any) -> Any:
            world.state.clock.advance(HOUR)
            return real(*args, **kwargs)

        monkeypatch.setattr(operations, "wait_for_update", jump_then_wait)

    return arm
