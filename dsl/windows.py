"""Exact windowed aggregates for one key: the per-key event log and what DSL.md says a window holds.

The caller maps each event to one input per aggregate (the aggregated value, or None where the value is
null or the `where` filter rejects the event; `count()` gets 1 for every event it counts). This module
keeps the log of past inputs, bounded by the largest window, the lateness and the largest `last N`, and
answers every aggregate for the current event. It scans each window: exact, not yet incremental.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

COUNTING = {"count", "sum", "distinct"}  # an empty window gives 0, every other aggregate null


@dataclass(frozen=True)
class WindowSpec:
    """`over 1h` (kind time), `over last 20` (kind last), `over lifetime` (time over the ttl)."""

    kind: str  # "time" or "last"
    millis: int = 0
    count: int = 0
    exclude_current: bool = False


@dataclass(frozen=True)
class AggregateSpec:
    function: str
    window: WindowSpec


@dataclass
class _Entry:
    ts: int
    seq: int
    inputs: tuple[Any, ...]

    def sort_key(self) -> tuple[int, int]:
        return self.ts, self.seq


class KeyLog:
    """The state of one key for one block: past inputs in (ts, arrival) order, and the newest ts.

    >>> log = KeyLog([AggregateSpec("sum", WindowSpec("time", millis=10))], lateness_ms=100, ttl_ms=1000)
    >>> [log.update(ts, (x,))[0] for ts, x in [(0, 1.0), (5, 2.0), (12, 4.0)]]
    [1.0, 3.0, 6.0]
    """

    def __init__(self, aggregates: Sequence[AggregateSpec], lateness_ms: int, ttl_ms: int) -> None:
        self.aggregates = tuple(aggregates)
        self.lateness_ms = lateness_ms
        self.ttl_ms = ttl_ms
        self.entries: list[_Entry] = []
        self.newest_ts: int | None = None
        self.next_seq = 0
        self.late_events = 0
        self._keep_ms = max((a.window.millis for a in self.aggregates if a.window.kind == "time"), default=0)
        self._keep_last = max((a.window.count for a in self.aggregates if a.window.kind == "last"), default=0)

    def is_late(self, ts: int) -> bool:
        return self.newest_ts is not None and ts < self.newest_ts - self.lateness_ms

    def update(self, ts: int, inputs: tuple[Any, ...]) -> list[Any]:
        """Every aggregate for the event at `ts`; then the event joins the log unless it is late."""
        if self.newest_ts is not None and ts - self.newest_ts > self.ttl_ms:
            self.entries.clear()  # the key was idle for longer than its ttl: its state is gone
        current = _Entry(ts, self.next_seq, inputs)
        results = [self._aggregate(i, spec, current) for i, spec in enumerate(self.aggregates)]
        if self.is_late(ts):
            self.late_events += 1
            return results
        self.next_seq += 1
        bisect.insort(self.entries, current, key=_Entry.sort_key)
        self.newest_ts = ts if self.newest_ts is None else max(self.newest_ts, ts)
        self._evict()
        return results

    def _window(self, spec: WindowSpec, current: _Entry) -> list[_Entry]:
        now = current.ts
        upper = bisect.bisect_right(self.entries, (now, math.inf), key=_Entry.sort_key)
        if spec.kind == "time":
            lower = bisect.bisect_right(self.entries, (now - spec.millis, math.inf), key=_Entry.sort_key)
            chosen = self.entries[lower:upper]
        else:
            wanted = spec.count if spec.exclude_current else spec.count - 1
            chosen = self.entries[max(0, upper - wanted) : upper] if wanted > 0 else []
        return chosen if spec.exclude_current else [*chosen, current]

    def _aggregate(self, index: int, spec: AggregateSpec, current: _Entry) -> Any:
        values = [e.inputs[index] for e in self._window(spec.window, current)]
        present = [v for v in values if v is not None]
        return aggregate(spec.function, present, current.inputs[index])

    def _evict(self) -> None:
        """Drop what no accepted event can need: older than every window reaching back from the oldest
        ts still accepted (newest - lateness), except the `last N` entries before that point."""
        oldest_accepted = self.newest_ts - self.lateness_ms
        time_cut = bisect.bisect_right(self.entries, (oldest_accepted - self._keep_ms, math.inf), key=_Entry.sort_key)
        before = bisect.bisect_right(self.entries, (oldest_accepted, math.inf), key=_Entry.sort_key)
        last_cut = max(0, before - self._keep_last)
        cut = min(time_cut, last_cut) if self._keep_last else time_cut
        if cut:
            del self.entries[:cut]


def aggregate(function: str, values: list[Any], current: Any = None) -> Any:
    """One aggregate over the non-null values of a window, in window order.

    >>> aggregate("stddev", [1.0, 3.0]), aggregate("avg", []), aggregate("count", [])
    (1.0, None, 0)
    """
    if not values:
        return 0 if function in COUNTING else None
    return _AGGREGATES[function](values, current)


def _mean(values: list[float]) -> float:
    return math.fsum(values) / len(values)


def _variance(values: list[float]) -> float:
    mean = _mean(values)
    return math.fsum((v - mean) ** 2 for v in values) / len(values)


def _zscore(values: list[float], current: float | None) -> float | None:
    std = math.sqrt(_variance(values))
    return None if current is None or std == 0 else _finite((current - _mean(values)) / std)


_AGGREGATES: dict[str, Callable[[list[Any], Any], Any]] = {
    "count": lambda values, _: len(values),
    "distinct": lambda values, _: len(set(values)),
    "first": lambda values, _: values[0],
    "last": lambda values, _: values[-1],
    "min": lambda values, _: min(values),
    "max": lambda values, _: max(values),
    "sum": lambda values, _: _finite(math.fsum(values)),
    "avg": lambda values, _: _finite(_mean(values)),
    "var": lambda values, _: _finite(_variance(values)),
    "stddev": lambda values, _: _finite(math.sqrt(_variance(values))),
    "zscore": _zscore,
}


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
