"""What one aggregate keeps about the values in a window, so that a window slides without a rescan.

Each accumulator takes `add(seq, x)` and `remove(seq, x)` of non-null values (removals oldest first)
and answers `result(function, current, include)`: the aggregate over its values, plus `current` when
`include` is true (a window that holds the current event). Sums are exact: kept as integers in units of
2**-k, k the finest binary place any value has needed (about 50 for amounts like 12.34), so adding and
removing never drifts, and a sum, mean or variance is the correctly rounded value of the exact one,
whatever the order of events.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

COUNTING = {"count", "sum", "distinct"}  # an empty window gives 0, every other aggregate null


def _float(numerator: int, denominator: int) -> float | None:
    """numerator / denominator rounded once; None where it leaves the float range."""
    try:
        return numerator / denominator
    except OverflowError:
        return None


class Moments:
    """count, sum, avg, var, stddev, zscore: the number of values and, in units of 2**-k, their exact
    sum s and sum of squares q (q in units of 2**-2k)."""

    __slots__ = ("k", "n", "q", "s", "squares", "sums")

    def __init__(self, sums: bool, squares: bool) -> None:
        self.sums, self.squares = sums or squares, squares
        self.n = self.s = self.q = self.k = 0

    def _units(self, x: float) -> int:
        """x in units of 2**-k, exactly; k grows (and s, q with it) when x needs a finer place."""
        numerator, denominator = x.as_integer_ratio()
        places = denominator.bit_length() - 1
        if places > self.k:
            finer = places - self.k
            self.s <<= finer
            self.q <<= 2 * finer
            self.k = places
            return numerator
        return numerator << (self.k - places)

    def add(self, seq: int, x: float) -> None:
        self.n += 1
        if self.sums:
            numerator, denominator = x.as_integer_ratio()  # _units(x) inlined: the engine's hottest path
            places = denominator.bit_length() - 1
            units = numerator << (self.k - places) if places <= self.k else self._units(x)
            self.s += units
            if self.squares:
                self.q += units * units

    def remove(self, seq: int, x: float) -> None:
        self.n -= 1
        if self.sums:
            units = self._units(x)
            self.s -= units
            if self.squares:
                self.q -= units * units

    def merge(self, other: Moments, sign: int = 1) -> None:
        """Add (or, with sign -1, take away) another summary's values."""
        if other.k > self.k:
            self.s <<= other.k - self.k
            self.q <<= 2 * (other.k - self.k)
            self.k = other.k
        shift = self.k - other.k
        self.n += sign * other.n
        self.s += sign * (other.s << shift)
        self.q += sign * (other.q << 2 * shift)

    def result(self, function: str, current: Any, include: bool) -> Any:
        if function == "count":
            return self.n + 1 if include and current is not None else self.n
        n, s, q, k = self.n, self.s, self.q, self.k
        if include and current is not None and self.sums:
            numerator, denominator = current.as_integer_ratio()
            places = denominator.bit_length() - 1
            if places > k:
                s, q, k = s << (places - k), q << 2 * (places - k), places
            units = numerator << (k - places)
            n, s, q = n + 1, s + units, q + units * units
        elif include and current is not None:
            n += 1
        return _moments(function, current, n=n, s=s, q=q, k=k)


def _moments(function: str, current: Any, *, n: int, s: int, q: int, k: int) -> Any:  # noqa: PLR0911 - one each
    if n == 0:
        return 0 if function in ("count", "sum") else None
    if function == "sum":
        return _float(s, 1 << k)
    if function == "avg":
        return _float(s, n << k)
    spread = n * q - s * s  # n² · 2**2k · variance, exactly; never below 0
    variance = _float(spread, (n * n) << (2 * k))
    if function == "var" or variance is None:
        return variance
    std = _std(spread, n, k, variance)
    if function == "stddev":
        return std
    mean = _float(s, n << k)  # zscore
    if current is None or not std or mean is None:
        return None
    z = (current - mean) / std
    return z if math.isfinite(z) else None


def _std(spread: int, n: int, k: int, variance: float) -> float | None:
    if variance > 1e-290:
        return math.sqrt(variance)
    # Near the bottom of the float range: the sqrt of the exact value, so it does not underflow to 0.
    return _float(math.isqrt(spread << 128), (n << k) << 64)


class Distinct:
    """distinct: how many times each value is in the window."""

    __slots__ = ("counts",)

    def __init__(self) -> None:
        self.counts: dict[Any, int] = {}

    def add(self, seq: int, x: Any) -> None:
        self.counts[x] = self.counts.get(x, 0) + 1

    def remove(self, seq: int, x: Any) -> None:
        left = self.counts[x] - 1
        if left:
            self.counts[x] = left
        else:
            del self.counts[x]

    def result(self, function: str, current: Any, include: bool) -> int:
        extra = include and current is not None and current not in self.counts
        return len(self.counts) + extra


class Extreme:
    """min or max: the values that can still become the extreme as older ones leave, a monotonic deque."""

    __slots__ = ("kept", "smallest")

    def __init__(self, smallest: bool) -> None:
        self.smallest = smallest
        self.kept: deque[tuple[int, Any]] = deque()

    def add(self, seq: int, x: Any) -> None:
        kept = self.kept
        if self.smallest:
            while kept and kept[-1][1] >= x:
                kept.pop()
        else:
            while kept and kept[-1][1] <= x:
                kept.pop()
        kept.append((seq, x))

    def remove(self, seq: int, x: Any) -> None:
        if self.kept and self.kept[0][0] == seq:
            self.kept.popleft()

    def result(self, function: str, current: Any, include: bool) -> Any:
        best = self.kept[0][1] if self.kept else None
        if not include or current is None:
            return best
        if best is None:
            return current
        return min(best, current) if self.smallest else max(best, current)


class Ends:
    """first and last: the window's non-null values in order."""

    __slots__ = ("kept",)

    def __init__(self) -> None:
        self.kept: deque[tuple[int, Any]] = deque()

    def add(self, seq: int, x: Any) -> None:
        self.kept.append((seq, x))

    def remove(self, seq: int, x: Any) -> None:
        if self.kept and self.kept[0][0] == seq:
            self.kept.popleft()

    def result(self, function: str, current: Any, include: bool) -> Any:
        if function == "first":
            return self.kept[0][1] if self.kept else (current if include else None)
        if include and current is not None:
            return current
        return self.kept[-1][1] if self.kept else None


ORDER_FREE = (Moments, Distinct)  # their state does not depend on the order values came in


def family(function: str) -> str:
    """Aggregates of one family over the same input and window share one accumulator."""
    if function in ("min", "max"):
        return function
    if function in ("first", "last"):
        return "ends"
    return "distinct" if function == "distinct" else "moments"


def new_accumulator(family_name: str, functions: set[str]) -> Moments | Distinct | Extreme | Ends:
    if family_name == "moments":
        squares = bool(functions & {"var", "stddev", "zscore"})
        return Moments(sums=bool(functions - {"count"}), squares=squares)
    if family_name == "distinct":
        return Distinct()
    if family_name == "ends":
        return Ends()
    return Extreme(smallest=family_name == "min")


def aggregate(function: str, values: list[Any], current: Any = None) -> Any:
    """One aggregate over the non-null values of a window, in window order (the values hold the current
    event's where the window does); the same arithmetic as a sliding window.

    >>> aggregate("stddev", [1.0, 3.0]), aggregate("avg", []), aggregate("count", [])
    (1.0, None, 0)
    """
    if not values:
        return 0 if function in COUNTING else None
    accumulator = new_accumulator(family(function), {function})
    for seq, x in enumerate(values):
        accumulator.add(seq, x)
    return accumulator.result(function, current, include=False)
