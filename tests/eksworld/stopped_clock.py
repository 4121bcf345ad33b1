"""An emulated clock for tests: time moves only when the test moves it."""
from __future__ import annotations

import datetime as dt
import time

from eksworld.state import Clock


class StoppedClock(Clock):
    """Emulated time that moves only when a test advances it.

    On a wall clock an emulated update of 0.1 s could finish between two requests of a test on a busy machine,
    so a test could not rely on seeing it in progress; here it finishes only when the test says so.
    """

    def __init__(self) -> None:
        super().__init__()
        # One running sum: an update due at now() + d is due exactly when the test advances d (no rounding gap).
        self._now = time.time()

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds

    def set_date(self, when: str) -> None:
        """Jump to an ISO 8601 instant ("2025-06-01T00:00:00+00:00"): support statuses depend on the date."""
        self._now = dt.datetime.fromisoformat(when).timestamp()
