"""Checks shared by the parts of a scenario file: a mapping's keys, a Kubernetes minor."""
from __future__ import annotations

import re
from typing import Any

MINOR = re.compile(r"1\.\d{2}")


def minor_text(value: Any, what: str) -> str:
    text = str(value)
    if not MINOR.fullmatch(text):
        raise ValueError(f"{what} must be a Kubernetes minor such as '1.29' (quoted), got {value!r}")
    return text


def known_keys(data: Any, allowed: tuple[str, ...], what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError(f"{what} must be a mapping, got {data!r}")
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValueError(f"{what}: unknown key(s) {', '.join(unknown)} (known: {', '.join(allowed)})")
    return data
