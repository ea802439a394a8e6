"""Durations as the DSL writes them: `500ms`, `30s`, `10m`, `1h`, `1d`, `2w`."""

from __future__ import annotations

import re

_UNITS_MS = {"ms": 1, "s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}
_DURATION = re.compile(r"(\d+)(ms|s|m|h|d|w)")


def parse_duration(text: str) -> int:
    """Milliseconds in a duration.

    >>> parse_duration("45d"), parse_duration("500ms")
    (3888000000, 500)
    """
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError(f"not a duration: {text!r}")
    return int(match.group(1)) * _UNITS_MS[match.group(2)]


def format_duration(millis: int) -> str:
    """A length of time in days down to milliseconds, largest units first (weeks are shown as days).

    >>> format_duration(3_891_600_000), format_duration(600_000), format_duration(0)
    ('45d 1h', '10m', '0ms')
    """
    parts = []
    for unit in ("d", "h", "m", "s", "ms"):
        size = _UNITS_MS[unit]
        if millis >= size:
            parts.append(f"{millis // size}{unit}")
            millis %= size
    return " ".join(parts) or "0ms"
