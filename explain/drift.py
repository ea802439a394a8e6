"""Drift: the live distribution of each model input against its training distribution (the model card's
bins), as a population stability index, PSI = sum over bins of (live - train) * ln(live / train), read in
the usual bands: under 0.1 stable, 0.1 to 0.25 a moderate shift, 0.25 and over a significant one."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from explain.profile import bin_counts, expected_shares

BANDS = ((0.1, "stable"), (0.25, "moderate"), (math.inf, "significant"))
SHARE_FLOOR = 1e-4  # an empty bin counts as this share, so that ln() stays finite
MIN_LIVE = 100  # fewer live values than this give no PSI: too few to tell noise from drift


def band(value: float) -> str:
    """The PSI band's name.

    >>> [band(v) for v in (0.0, 0.1, 0.2, 0.25, 3.0)]
    ['stable', 'moderate', 'moderate', 'significant', 'significant']
    """
    return next(name for upper, name in BANDS if value < upper)


def psi(expected: Sequence[float], actual: Sequence[float], floor: float = SHARE_FLOOR) -> float:
    """Population stability index of two distributions over the same bins (shares that sum to 1).

    >>> psi([0.5, 0.5], [0.5, 0.5])
    0.0
    >>> round(psi([0.5, 0.5], [0.9, 0.1]), 3)
    0.879
    """
    if len(expected) != len(actual):
        raise ValueError(f"{len(expected)} training bins against {len(actual)} live bins")
    total = 0.0
    for train_share, live_share in zip(expected, actual, strict=True):
        train, live = max(train_share, floor), max(live_share, floor)
        total += (live - train) * math.log(live / train)
    return total


@dataclass(frozen=True)
class InputDrift:
    """One input of one model version: its PSI and band (None with too few live values), how many live
    values it rests on, and the live and training shares per bin (the missing bin last)."""

    input: str
    psi: float | None
    band: str | None
    live: int
    live_shares: tuple[float, ...]
    training_shares: tuple[float, ...]
    live_median: float | None  # a number's median among the live values


def drift(profiles: Mapping[str, dict[str, Any]], records: Sequence[Mapping[str, Any]],
          min_live: int = MIN_LIVE) -> list[InputDrift]:  # fmt: skip
    """Each profiled input's drift over the live `records` (the inputs of recent score records). A record
    that does not name an input (its value was not known to whoever recorded it) does not count for it; a
    record that names it as None counts as missing.

    >>> profile = {"kind": "numeric", "edges": [10.0], "shares": [0.5, 0.5], "missing": 0.0}
    >>> [d.band for d in drift({"amount": profile}, [{"amount": 50.0}] * 200)]
    ['significant']
    >>> drift({"amount": profile}, [{"amount": 5.0}] * 3)[0].psi is None
    True
    """
    result = []
    for name, profile in profiles.items():
        values = [record[name] for record in records if name in record]
        counts = bin_counts(profile, values)
        live = len(values)
        shares = tuple(n / live for n in counts) if live else tuple(0.0 for _ in counts)
        expected = tuple(expected_shares(profile))
        value = psi(expected, shares) if live >= min_live else None
        numbers = [
            float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
        ]
        median = float(np.median(numbers)) if numbers and profile["kind"] == "numeric" else None
        result.append(InputDrift(name, value, None if value is None else band(value), live, shares, expected, median))
    return result


class LiveInputs:
    """Pure: the inputs of the latest `window` score records of each model version, to compare with training.

    >>> live = LiveInputs(window=2)
    >>> for amount in (1.0, 2.0, 3.0):
    ...     live.add(("m", 1), {"amount": amount})
    >>> live.records(("m", 1))
    [{'amount': 2.0}, {'amount': 3.0}]
    """

    def __init__(self, window: int = 2_000) -> None:
        self.window = window
        self._records: dict[Hashable, deque[Mapping[str, Any]]] = {}

    def add(self, key: Hashable, inputs: Mapping[str, Any]) -> None:
        kept = self._records.get(key)
        if kept is None:
            kept = self._records[key] = deque(maxlen=self.window)
        kept.append(inputs)

    def records(self, key: Hashable) -> list[Mapping[str, Any]]:
        return list(self._records.get(key, ()))
