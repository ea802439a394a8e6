"""Windowed aggregates for one key: what DSL.md says a window holds, kept incrementally.

The caller maps each event to a tuple of inputs (an aggregated value, or None where the value is null or
the `where` filter rejects the event; `count()` gets 1 for every event it counts); each aggregate reads
one of them. A `WindowPlan` is built once per block; a `KeyLog` is one key's state, small and picklable.

Exact windows share one log of past inputs in (ts, arrival) order, bounded by the largest window, the
lateness and the largest `last N`. Each distinct window keeps accumulators over its part of the log, so
an event in time order costs what enters and leaves the windows, not a rescan. An event older than the
newest (out of order, or late) is answered by scanning its own windows; an out-of-order one then joins
the log and the windows it falls in. Tiled windows (`over 7d every 1h`) live in `dsl.tiles`.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from dsl.accumulators import ORDER_FREE, aggregate, family, new_accumulator
from dsl.tiles import TilePlan, Tiles

_COMPACT_AFTER = 256  # dead entries at the head of the log before the list is shortened
EVICT_EVERY = 16  # events between evictions: the log holds at most this many entries it no longer needs


@dataclass(frozen=True)
class WindowSpec:
    """`over 1h` (kind time), `over last 20` (kind last), `over lifetime` (time over the ttl);
    `tile_ms` > 0 for `over 7d every 1h`."""

    kind: str  # "time" or "last"
    millis: int = 0
    count: int = 0
    exclude_current: bool = False
    tile_ms: int = 0
    approx: bool = False  # `distinct(x) over 7d approx`: a sketch per tile (tile_ms is set)


@dataclass(frozen=True)
class AggregateSpec:
    function: str
    window: WindowSpec
    source: int | None = None  # which input it reads; None: the input at its own position
    every_event: bool = False  # `count()`: its input is never null, so it is the number of events in the window


class _Place(NamedTuple):
    """Where one aggregate is answered: which window, which accumulator, and whether it adds the event."""

    tiled: bool
    window: int
    slot: int
    function: str
    source: int
    include: bool


@dataclass(frozen=True)
class _SlidePlan:
    """An exact window over past events: `time` (now - millis, now] or the `last` count entries."""

    kind: str
    millis: int
    count: int
    slots: tuple[tuple[int, str, frozenset[str]], ...]  # its accumulators: (input, family, functions)


class KeyLog:
    """One key's window state: the log of past inputs (entries[start:], each (ts, seq, inputs)), the
    newest ts, where each exact window starts in the log, every accumulator, and the tiled windows."""

    __slots__ = ("accumulators", "entries", "late_events", "los", "newest_ts", "next_seq", "start", "tiles")

    def __init__(self, los: list[int], accumulators: list[Any], tiles: list[Tiles]) -> None:
        self.entries: list[tuple[int, int, tuple[Any, ...]]] = []
        self.start = 0
        self.newest_ts: int | None = None
        self.next_seq = 0
        self.late_events = 0
        self.los = los
        self.accumulators = accumulators
        self.tiles = tiles

    def __getstate__(self) -> dict[str, Any]:
        self._compact()  # what is pickled is what is live
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)

    def _compact(self) -> None:
        if self.start:
            del self.entries[: self.start]
            self.los = [lo - self.start for lo in self.los]
            self.start = 0

    def __len__(self) -> int:
        return len(self.entries) - self.start


class WindowPlan:
    """The windows of one block and the accumulators each needs, shared by every key.

    >>> plan = WindowPlan([AggregateSpec("sum", WindowSpec("time", millis=10))], lateness_ms=100, ttl_ms=1000)
    >>> log = plan.new_log()
    >>> [plan.update(log, ts, (x,))[0] for ts, x in [(0, 1.0), (5, 2.0), (12, 4.0)]]
    [1.0, 3.0, 6.0]
    """

    def __init__(self, aggregates: Sequence[AggregateSpec], lateness_ms: int, ttl_ms: int) -> None:
        self.aggregates = tuple(aggregates)
        self.lateness_ms, self.ttl_ms = lateness_ms, ttl_ms
        self.slides: list[_SlidePlan] = []
        self.tiles: list[TilePlan] = []
        places = [self._place(i, spec) for i, spec in enumerate(self.aggregates)]
        # Every exact window's accumulators in one flat list per key: position = offset of its window + slot.
        self._offsets = [sum(len(s.slots) for s in self.slides[:i]) for i in range(len(self.slides))]
        self._flat = [(source, fam, functions) for s in self.slides for source, fam, functions in s.slots]
        self._flat_sources = tuple(source for source, _, _ in self._flat)
        self._pairs = [tuple((self._offsets[i] + k, src) for k, (src, _, _) in enumerate(s.slots))
                       for i, s in enumerate(self.slides)]  # fmt: skip
        self._time_slides = [(i, s.millis, self._pairs[i]) for i, s in enumerate(self.slides) if s.kind == "time"]
        self._last_slides = [(i, s.count) for i, s in enumerate(self.slides) if s.kind == "last"]
        self.answers = [
            p if p.tiled or p.slot < 0 else p._replace(slot=self._offsets[p.window] + p.slot) for p in places
        ]
        self._exact_answers = [(p.slot, p.function, p.source, p.include) for p in self.answers]
        self._sizes = [(i, p.window, int(p.include)) for i, p in enumerate(self.answers) if not p.tiled and p.slot < 0]
        self._keep_ms = max((s.millis for s in self.slides if s.kind == "time"), default=0)
        self._keep_last = max((s.count for s in self.slides if s.kind == "last"), default=0)

    def _place(self, index: int, spec: AggregateSpec) -> _Place:
        """Where aggregate `index` is answered: its window and its slot among that window's accumulators."""
        window, source = spec.window, index if spec.source is None else spec.source
        include = not window.exclude_current
        if window.tile_ms:
            key = (window.millis, window.tile_ms)
            position = _index_of([(t.millis, t.tile_ms) for t in self.tiles], key)
            if position == len(self.tiles):
                self.tiles.append(TilePlan(window.millis, window.tile_ms, self.lateness_ms))
            fam = "sketch" if window.approx else family(spec.function)
            slot = self.tiles[position].accumulator_for(source, fam, spec.function)
            return _Place(True, position, slot, spec.function, source, include)
        count = window.count - (0 if window.exclude_current else 1)  # the past part of `last N`
        key = (window.kind, window.millis if window.kind == "time" else 0, count if window.kind == "last" else 0)
        position = _index_of([(s.kind, s.millis, s.count) for s in self.slides], key)
        if position == len(self.slides):
            self.slides.append(_SlidePlan(key[0], key[1], key[2], ()))
        if spec.function == "count" and spec.every_event:
            return _Place(False, position, -1, spec.function, source, include)  # no accumulator: the window's size
        slot = self._slide_accumulator(position, source, spec.function)
        return _Place(False, position, slot, spec.function, source, include)

    def _slide_accumulator(self, position: int, source: int, function: str) -> int:
        plan = self.slides[position]
        fam = family(function)
        slots = list(plan.slots)
        for i, (src, existing_family, functions) in enumerate(slots):
            if (src, existing_family) == (source, fam):
                slots[i] = (src, fam, functions | {function})
                break
        else:
            slots.append((source, fam, frozenset({function})))
            i = len(slots) - 1
        self.slides[position] = _SlidePlan(plan.kind, plan.millis, plan.count, tuple(slots))
        return i

    def new_log(self) -> KeyLog:
        accumulators = [new_accumulator(fam, set(functions)) for _, fam, functions in self._flat]
        return KeyLog([0] * len(self.slides), accumulators, [t.new_state() for t in self.tiles])

    def is_late(self, log: KeyLog, ts: int) -> bool:
        return log.newest_ts is not None and ts < log.newest_ts - self.lateness_ms

    def update(self, log: KeyLog, ts: int, inputs: tuple[Any, ...]) -> list[Any]:
        """Every aggregate for the event at `ts`; then the event joins the windows unless it is late."""
        if log.newest_ts is not None and ts - log.newest_ts > self.ttl_ms:
            self._forget(log)
        in_order = log.newest_ts is None or ts >= log.newest_ts
        if in_order and self.slides and not self.tiles:  # the common case, kept tight
            self._advance(log, ts)
            accumulators = log.accumulators
            results = [accumulators[position].result(function, inputs[source], include) if position >= 0 else 0
                       for position, function, source, include in self._exact_answers]  # fmt: skip
            end, los = len(log.entries), log.los
            for i, window, include in self._sizes:
                results[i] = end - los[window] + include
            self._append(log, ts, inputs)
            return results
        late = self.is_late(log, ts)
        if in_order and self.slides:
            self._advance(log, ts)
        results = self._results(log, ts, inputs, in_order)
        for plan, state in zip(self.tiles, log.tiles, strict=True):
            plan.add(state, ts, inputs, late)
        if late:
            log.late_events += 1
        elif not self.slides:  # tiled windows only: no log to keep
            log.newest_ts = ts if log.newest_ts is None else max(log.newest_ts, ts)
        elif in_order:
            self._append(log, ts, inputs)
        else:
            self._insert(log, (ts, log.next_seq, inputs))
            log.next_seq += 1
        return results

    def _forget(self, log: KeyLog) -> None:
        """The key was idle for longer than its ttl: its state is gone, its late-event count stays."""
        fresh = self.new_log()
        fresh.late_events = log.late_events
        log.__setstate__({name: getattr(fresh, name) for name in KeyLog.__slots__})

    def _advance(self, log: KeyLog, ts: int) -> None:
        """Past entries at or before now - D leave each time window."""
        entries, los, accumulators = log.entries, log.los, log.accumulators
        end = len(entries)
        for index, millis, pairs in self._time_slides:
            lo, limit = los[index], ts - millis
            while lo < end and entries[lo][0] <= limit:
                _, seq, old = entries[lo]
                for position, source in pairs:
                    x = old[source]
                    if x is not None:
                        accumulators[position].remove(seq, x)
                lo += 1
            los[index] = lo

    def _append(self, log: KeyLog, ts: int, inputs: tuple[Any, ...]) -> None:
        """An event at or after the newest joins the log and every exact window."""
        seq = log.next_seq
        log.next_seq = seq + 1
        log.entries.append((ts, seq, inputs))
        for source, accumulator in zip(self._flat_sources, log.accumulators, strict=True):
            x = inputs[source]
            if x is not None:
                accumulator.add(seq, x)
        for index, count in self._last_slides:
            while len(log.entries) - log.los[index] > count:
                self._drop_oldest(log, index)
        log.newest_ts = ts
        if not seq % EVICT_EVERY:
            self._evict(log)

    def _drop_oldest(self, log: KeyLog, index: int) -> None:
        _, seq, inputs = log.entries[log.los[index]]
        for position, source in self._pairs[index]:
            x = inputs[source]
            if x is not None:
                log.accumulators[position].remove(seq, x)
        log.los[index] += 1

    def _results(self, log: KeyLog, ts: int, inputs: tuple[Any, ...], in_order: bool) -> list[Any]:
        tiled = [plan.answer_at(state, ts) for plan, state in zip(self.tiles, log.tiles, strict=True)]
        results = []
        for place in self.answers:
            current = inputs[place.source]
            if place.tiled:
                summary = tiled[place.window][place.slot]
            elif in_order and place.slot < 0:
                results.append(len(log.entries) - log.los[place.window] + place.include)
                continue
            elif in_order:
                summary = log.accumulators[place.slot]
            else:
                results.append(self._rescan(log, ts, current, place))
                continue
            results.append(summary.result(place.function, current, place.include))
        return results

    def _rescan(self, log: KeyLog, ts: int, current: Any, place: _Place) -> Any:
        """An event older than the newest: its window is read from the log, from what eviction must keep
        (DSL.md: a late event's windows are exact back to newest - lateness - the largest window; what lies
        further back is left out even where it happens not to be evicted yet, so every engine answers alike)."""
        values = self._scan(log, self.slides[place.window], ts, place.source, self._retained_from(log))
        if place.include and current is not None:
            values.append(current)
        return aggregate(place.function, values, current)

    @staticmethod
    def _scan(log: KeyLog, plan: _SlidePlan, now: int, source: int, retained: int) -> list[Any]:
        """The non-null past inputs of one window for an event older than the newest, read from the log
        at or after position `retained`."""
        entries = log.entries
        upper = max(retained, bisect.bisect_right(entries, (now, math.inf), lo=log.start))
        if plan.kind == "time":
            lower = bisect.bisect_right(entries, (now - plan.millis, math.inf), lo=retained, hi=upper)
        else:
            lower = max(retained, upper - plan.count)
        return [e[2][source] for e in entries[lower:upper] if e[2][source] is not None]

    def _insert(self, log: KeyLog, entry: tuple) -> None:
        """An out-of-order entry joins the log and each window it falls in."""
        position = bisect.bisect_right(log.entries, entry[:2], lo=log.start)
        log.entries.insert(position, entry)
        for index, plan in enumerate(self.slides):
            lo = log.los[index]
            if plan.kind == "time":
                joins = entry[0] > log.newest_ts - plan.millis
            else:
                joins = position > lo or (position == lo and len(log.entries) - 1 - lo < plan.count)
            if not joins:
                log.los[index] += 1  # it lands before the window: the window's start moves with the log
                continue
            if plan.kind == "last" and len(log.entries) - lo > plan.count:
                self._drop_oldest(log, index)
            self._join(log, index, entry)

    def _join(self, log: KeyLog, index: int, entry: tuple) -> None:
        """Order-free accumulators take the entry; the others are rebuilt from the window, in order."""
        _, seq, inputs = entry
        window = log.entries[log.los[index] :]
        for position, source in self._pairs[index]:
            accumulator = log.accumulators[position]
            if isinstance(accumulator, ORDER_FREE):
                if inputs[source] is not None:
                    accumulator.add(seq, inputs[source])
                continue
            _, fam, functions = self._flat[position]
            rebuilt = new_accumulator(fam, set(functions))
            for _, other_seq, other_inputs in window:
                if other_inputs[source] is not None:
                    rebuilt.add(other_seq, other_inputs[source])
            log.accumulators[position] = rebuilt

    def _retained_from(self, log: KeyLog) -> int:
        """Where the entries an accepted event can need start in the log: those inside a window reaching
        back from the oldest ts still accepted (newest - lateness), and the `last N` entries before it."""
        entries = log.entries
        oldest_accepted = log.newest_ts - self.lateness_ms
        cut = bisect.bisect_right(entries, (oldest_accepted - self._keep_ms, math.inf), lo=log.start)
        if self._keep_last:
            before = bisect.bisect_right(entries, (oldest_accepted, math.inf), lo=log.start)
            cut = min(cut, max(log.start, before - self._keep_last))
        return cut

    def _evict(self, log: KeyLog) -> None:
        """Drop what no accepted event can need (entries before `_retained_from`), except what an exact
        window still holds."""
        cut = self._retained_from(log)
        cut = min(cut, *log.los) if log.los else cut
        if cut > log.start:
            log.start = cut
            if cut >= _COMPACT_AFTER and cut * 2 >= len(log.entries):
                log._compact()


def _index_of(keys: list, key: Any) -> int:
    """Where `key` is in `keys`, or len(keys): the place a new one takes."""
    return keys.index(key) if key in keys else len(keys)
