"""Shared by the module tests: fast waits and readers of the world's request log."""
from __future__ import annotations

from typing import Any

# Poll updates quickly: the default wait_delay sleeps 5 s before the first DescribeUpdate.
FAST_WAIT = {"wait_delay": 0.05, "wait_max_delay": 0.3}
# Emulated duration of updates that must still be running when a test looks.
HOUR = 3600.0


def records(world: Any, since: int = 0, cluster: str | None = None, operation: str | None = None,
            service: str | None = None) -> list[dict[str, Any]]:
    """Logged requests since a position, filtered by cluster, operation and service."""
    return [r for r in world.state.log.as_dicts(since)
            if (cluster is None or r["cluster"] == cluster) and (operation is None or r["operation"] == operation)
            and (service is None or r["service"] == service)]


def log_position(world: Any) -> int:
    return len(world.state.log.records())


def warning_texts(result: dict[str, Any]) -> list[str]:
    """A module's warnings as text (ansible-core 2.19 returns each as a WarningSummary: event.msg)."""
    return [w["event"]["msg"] if isinstance(w, dict) else w for w in result.get("warnings") or []]


def faults_once_returned(monkeypatch: Any, module: Any, function: str, world: Any, cluster: str,
                         **faults: Any) -> None:
    """Set ``faults`` on ``cluster`` each time ``module.<function>`` returns: the calls after it meet them."""
    real = getattr(module, function)

    def then_break(*args: Any, **kwargs: Any) -> Any:
        entry = real(*args, **kwargs)
        world.state.faults.set(cluster, **faults)
        return entry

    monkeypatch.setattr(module, function, then_break)
