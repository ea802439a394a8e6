"""Tiled windows: `over 7d every 1h` keeps one summary per tile instead of one entry per event.

Time is cut into tiles of the `every` length T (tile(ts) = ts // T). With k = ceil(D / T), the window
of an event holds the k tiles up to and including its own: it reaches back between k·T - T and k·T
from the event (from D - T to D when T divides D), and holds the whole of its own tile. State is k
tiles plus those a late-but-accepted event may still need, whatever the number of events: this is how
a key that sees thousands of events a day (a merchant) stays small. Counts, sums, means, variances,
minima, maxima and distinct counts are exact over the tiles held; first and last are by ts.
`distinct(x) ... approx` keeps a HyperLogLog sketch per tile instead of its values (dsl.sketch).
"""

from __future__ import annotations

import math
from typing import Any

from dsl.accumulators import Distinct, Moments, new_accumulator
from dsl.sketch import Sketch, register_and_rank


class Best:
    """min or max of a tile or of a window of tiles."""

    __slots__ = ("smallest", "value")

    def __init__(self, smallest: bool) -> None:
        self.smallest, self.value = smallest, None

    def add(self, key: Any, x: Any) -> None:
        if self.value is None:
            self.value = x
        else:
            self.value = min(self.value, x) if self.smallest else max(self.value, x)

    def merge(self, other: Best) -> None:
        if other.value is not None:
            self.add(None, other.value)

    def result(self, function: str, current: Any, include: bool) -> Any:
        if include and current is not None:
            probe = Best(self.smallest)
            probe.merge(self)
            probe.add(None, current)
            return probe.value
        return self.value


class Span:
    """first and last by (ts, arrival) of a tile or of a window of tiles."""

    __slots__ = ("first", "first_key", "last", "last_key")

    def __init__(self) -> None:
        self.first_key = self.last_key = None
        self.first = self.last = None

    def add(self, key: tuple[int, int], x: Any) -> None:
        if self.first_key is None or key < self.first_key:
            self.first_key, self.first = key, x
        if self.last_key is None or key > self.last_key:
            self.last_key, self.last = key, x

    def merge(self, other: Span) -> None:
        if other.first_key is not None:
            self.add(other.first_key, other.first)
            self.add(other.last_key, other.last)

    def result(self, function: str, current: Any, include: bool) -> Any:
        if function == "first":
            return self.first if self.first_key is not None else (current if include else None)
        if include and current is not None:
            return current
        return self.last


def _new_summary(fam: str, functions: set[str], in_tile: bool) -> Any:
    if fam == "sketch":
        return Sketch()
    if fam in ("min", "max"):
        return Best(smallest=fam == "min")
    if fam == "ends":
        return Span()
    if fam == "distinct":
        return set() if in_tile else Distinct()  # a window counts the tiles each value is in
    return new_accumulator(fam, functions)


def _merge(window: Any, tile: Any) -> None:
    if isinstance(window, Moments):
        window.merge(tile)
    elif isinstance(window, Distinct):
        for x in tile:
            window.add(0, x)
    else:
        window.merge(tile)


class Tiles:
    """One key's state for one tiled window: summaries per tile, and the newest tile's window."""

    __slots__ = ("arrivals", "newest", "running", "tiles")

    def __init__(self, running: list[Any]) -> None:
        self.tiles: dict[int, list[Any]] = {}
        self.running = running
        self.newest: int | None = None
        self.arrivals = 0

    def __getstate__(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)


class TilePlan:
    """One tiled window (length, tile) and the summaries its aggregates need.

    >>> plan = TilePlan(millis=30, tile_ms=10, lateness_ms=0)
    >>> slot = plan.accumulator_for(0, "moments", "sum")
    >>> state = plan.new_state()
    >>> sums = []
    >>> for ts, x in [(1, 1.0), (12, 2.0), (25, 4.0), (31, 8.0)]:  # at 31 the tile of 1 has left the window
    ...     sums.append(plan.answer_at(state, ts)[slot].result("sum", x, True))
    ...     plan.add(state, ts, (x,), late=False)
    >>> sums
    [1.0, 3.0, 7.0, 14.0]
    """

    def __init__(self, millis: int, tile_ms: int, lateness_ms: int) -> None:
        self.millis, self.tile_ms, self.lateness_ms = millis, tile_ms, lateness_ms
        self.span = tiles_spanned(millis, tile_ms)
        self.slots: list[tuple[int, str, set[str]]] = []  # (input, family, functions)

    def accumulator_for(self, source: int, fam: str, function: str) -> int:
        for i, (src, existing, functions) in enumerate(self.slots):
            if (src, existing) == (source, fam):
                functions.add(function)
                return i
        self.slots.append((source, fam, {function}))
        return len(self.slots) - 1

    def new_state(self) -> Tiles:
        return Tiles(self._empty(in_tile=False))

    def _empty(self, in_tile: bool) -> list[Any]:
        return [_new_summary(fam, functions, in_tile) for _, fam, functions in self.slots]

    def answer_at(self, state: Tiles, ts: int) -> list[Any]:
        """The window summaries for an event at `ts`: the newest tile's, or merged afresh for an older one."""
        tile = ts // self.tile_ms
        if state.newest is None:
            return state.running
        if tile > state.newest:
            self._roll(state, tile, ts)
        if tile == state.newest:
            return state.running
        return self._window(state, tile)

    def add(self, state: Tiles, ts: int, inputs: tuple[Any, ...], late: bool) -> None:
        if late:
            return
        tile = ts // self.tile_ms
        if state.newest is None:
            state.newest = tile
        summaries = state.tiles.get(tile)
        if summaries is None:
            summaries = state.tiles[tile] = self._empty(in_tile=True)
        in_window = tile > state.newest - self.span
        key = (ts, state.arrivals)
        state.arrivals += 1
        for (source, fam, _), summary, window in zip(self.slots, summaries, state.running, strict=True):
            x = inputs[source]
            if x is None:
                continue
            if fam == "distinct":  # a window counts the tiles a value is in: once per tile
                if x in summary:
                    continue
                summary.add(x)
            elif fam == "sketch":  # hash once for the tile and the window
                j, rank = register_and_rank(x)
                summary.raise_register(j, rank)
                if in_window:
                    window.raise_register(j, rank)
                continue
            else:
                summary.add(key, x)
            if in_window:
                window.add(key, x)

    def _roll(self, state: Tiles, tile: int, ts: int) -> None:
        """The newest tile moves on: tiles that leave the window are taken out of it (sums and distinct
        counts subtract; min, max, first and last are merged again), tiles no accepted event can reach
        are forgotten."""
        previous, state.newest = state.newest, tile
        if tile - previous >= self.span:
            state.running = self._window(state, tile)
        else:
            leaving = [
                state.tiles[i] for i in range(previous - self.span + 1, tile - self.span + 1) if i in state.tiles
            ]
            for slot, window in enumerate(state.running):
                if isinstance(window, Moments):
                    for summaries in leaving:
                        window.merge(summaries[slot], sign=-1)
                elif isinstance(window, Distinct):
                    for summaries in leaving:
                        for x in summaries[slot]:
                            window.remove(0, x)
                elif leaving:
                    state.running[slot] = self._window(state, tile, slot)
        oldest_needed = (ts - self.lateness_ms) // self.tile_ms - self.span + 1
        if min(state.tiles, default=oldest_needed) < oldest_needed:
            for index in [i for i in state.tiles if i < oldest_needed]:
                del state.tiles[index]

    def _window(self, state: Tiles, tile: int, slot: int | None = None) -> Any:
        """The summaries of the window ending with `tile`, merged afresh (only `slot`'s, if given)."""
        window = self._empty(in_tile=False)
        slots = range(len(window)) if slot is None else [slot]
        for index in range(tile - self.span + 1, tile + 1):
            summaries = state.tiles.get(index)
            if summaries is not None:
                for i in slots:
                    _merge(window[i], summaries[i])
        return window if slot is None else window[slot]


def tiles_spanned(millis: int, tile_ms: int) -> int:
    """k: the tiles a window holds, its own included (ceil(D / T))."""
    return -(-millis // tile_ms)


def tiles_held(millis: int, tile_ms: int, lateness_ms: int) -> int:
    """At most how many tiles a key keeps for one tiled window."""
    return tiles_spanned(millis, tile_ms) + math.ceil(lateness_ms / tile_ms) + 1
