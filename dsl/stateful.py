"""The DSL's stateful functions: prev, logret, ema, ewma, rsi, macd, bollinger (../shared/DSL.md).

Each is a small picklable state over the key's sequence of non-null values, in arrival order. `update`
adds a value; `value` is the function of the sequence so far. An event whose value is null, or a late
event, does not update and sees `value()`: the function of the same sequence.
"""

from __future__ import annotations

import math
from collections import deque


def _finite(value: float | None) -> float | None:
    """NaN and infinities become null."""
    return value if value is not None and math.isfinite(value) else None


class Prev:
    """x at the key's previous (non-null) value.

    >>> p = Prev()
    >>> [p.update(x) or p.value() for x in (5.0, 7.0, 9.0)]
    [None, 5.0, 7.0]
    """

    __slots__ = ("last", "previous")

    def __init__(self) -> None:
        self.previous: float | None = None
        self.last: float | None = None

    def update(self, x: float, ts: int = 0) -> None:
        self.previous, self.last = self.last, x

    def value(self) -> float | None:
        return self.previous


class LogReturn:
    """ln(x / prev(x)); null without a previous value or when either is not positive.

    >>> r = LogReturn()
    >>> r.update(100.0); r.update(110.0); round(r.value(), 6)
    0.09531
    """

    __slots__ = ("prev",)

    def __init__(self) -> None:
        self.prev = Prev()

    def update(self, x: float, ts: int = 0) -> None:
        self.prev.update(x)

    def value(self) -> float | None:
        previous, last = self.prev.previous, self.prev.last
        if previous is None or last is None or previous <= 0 or last <= 0:
            return None
        return _finite(math.log(last / previous))


class Ema:
    """Exponential moving average, alpha = 2 / (N + 1), seeded with the first value.

    The same as pandas `ewm(span=N, adjust=False).mean()`.

    >>> e = Ema(3)
    >>> [e.update(x) or e.value() for x in (1.0, 2.0, 3.0)]
    [1.0, 1.5, 2.25]
    """

    __slots__ = ("alpha", "mean")

    def __init__(self, span: int) -> None:
        self.alpha = 2.0 / (span + 1)
        self.mean: float | None = None

    def update(self, x: float, ts: int = 0) -> None:
        self.mean = x if self.mean is None else self.alpha * x + (1 - self.alpha) * self.mean

    def value(self) -> float | None:
        return _finite(self.mean)


class Ewma:
    """Time-decayed mean with a half-life, in the same unit as `ts` (DSL.md's (m, w, t) recurrence).

    >>> e = Ewma(half_life=10)
    >>> e.update(0.0, ts=0); e.update(10.0, ts=10); round(e.value(), 6)
    6.666667
    """

    __slots__ = ("half_life", "mean", "ts", "weight")

    def __init__(self, half_life: float) -> None:
        self.half_life = half_life
        self.mean: float | None = None
        self.weight = 0.0
        self.ts = 0

    def update(self, x: float, ts: int = 0) -> None:
        if self.mean is None:
            self.mean, self.weight, self.ts = x, 1.0, ts
            return
        decay = 0.5 ** (max(0, ts - self.ts) / self.half_life)
        weight = self.weight * decay + 1
        self.mean = (self.mean * self.weight * decay + x) / weight
        self.weight, self.ts = weight, max(self.ts, ts)

    def value(self) -> float | None:
        return _finite(self.mean)


class Rsi:
    """Wilder's RSI over N changes; null until N changes are seen.

    >>> r = Rsi(2)
    >>> for x in (1.0, 2.0, 1.5, 2.5): r.update(x)
    >>> round(r.value(), 6)
    85.714286
    """

    __slots__ = ("avg_gain", "avg_loss", "changes", "last", "period")

    def __init__(self, period: int) -> None:
        self.period = period
        self.last: float | None = None
        self.changes: list[float] = []  # only until the first N are seen
        self.avg_gain: float | None = None
        self.avg_loss: float | None = None

    def update(self, x: float, ts: int = 0) -> None:
        if self.last is not None:
            self._add_change(x - self.last)
        self.last = x

    def _add_change(self, change: float) -> None:
        gain, loss = max(change, 0.0), max(-change, 0.0)
        if self.avg_gain is None:
            self.changes.append(change)
            if len(self.changes) == self.period:
                self.avg_gain = sum(max(c, 0.0) for c in self.changes) / self.period
                self.avg_loss = sum(max(-c, 0.0) for c in self.changes) / self.period
                self.changes = []
            return
        self.avg_gain = (self.avg_gain * (self.period - 1) + gain) / self.period
        self.avg_loss = (self.avg_loss * (self.period - 1) + loss) / self.period

    def value(self) -> float | None:
        if self.avg_gain is None:
            return None
        if self.avg_loss == 0:
            return 50.0 if self.avg_gain == 0 else 100.0
        return _finite(100.0 - 100.0 / (1.0 + self.avg_gain / self.avg_loss))


class Macd:
    """`.line` = ema(x, fast) - ema(x, slow), `.signal` = ema(line, signal), `.hist` = line - signal.

    >>> m = Macd(2, 4, 2)
    >>> for x in (1.0, 2.0, 3.0): m.update(x)
    >>> {k: round(v, 6) for k, v in m.value().items()}
    {'line': 0.515556, 'signal': 0.402963, 'hist': 0.112593}
    """

    __slots__ = ("fast", "signal", "slow")

    def __init__(self, fast: int, slow: int, signal: int) -> None:
        self.fast, self.slow, self.signal = Ema(fast), Ema(slow), Ema(signal)

    def update(self, x: float, ts: int = 0) -> None:
        self.fast.update(x)
        self.slow.update(x)
        self.signal.update(self.fast.mean - self.slow.mean)

    def value(self) -> dict[str, float | None]:
        if self.signal.mean is None:
            return {"line": None, "signal": None, "hist": None}
        line = self.fast.mean - self.slow.mean
        return {"line": _finite(line), "signal": _finite(self.signal.mean),
                "hist": _finite(line - self.signal.mean)}  # fmt: skip


class Bollinger:
    """`.mid` = mean of the last N values, `.upper`/`.lower` = mid ± k population stddevs.

    >>> b = Bollinger(3, 2)
    >>> for x in (1.0, 2.0, 3.0): b.update(x)
    >>> {k: round(v, 6) for k, v in b.value().items()}
    {'mid': 2.0, 'upper': 3.632993, 'lower': 0.367007}
    """

    __slots__ = ("k", "period", "values")

    def __init__(self, period: int, k: float) -> None:
        self.period, self.k = period, k
        self.values: deque[float] = deque(maxlen=period)

    def update(self, x: float, ts: int = 0) -> None:
        self.values.append(x)

    def value(self) -> dict[str, float | None]:
        if len(self.values) < self.period:
            return {"mid": None, "upper": None, "lower": None}
        # Two passes over N values: exact, and N is small (20 in practice).
        mid = sum(self.values) / self.period
        # d * d rounds once, as IEEE says; `d ** 2` goes through libm's pow, which the JVM engine cannot match.
        std = math.sqrt(sum((v - mid) * (v - mid) for v in self.values) / self.period)
        return {"mid": _finite(mid), "upper": _finite(mid + self.k * std), "lower": _finite(mid - self.k * std)}
