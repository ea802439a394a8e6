"""What a model's inputs looked like when it was trained, as its model card keeps it: a baseline per input
(the median of a number, the most frequent value of a category) and the input's distribution in bins cut at
its training quantiles, with the share of training rows in each bin and the share missing."""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

MISSING = "missing"
QUANTILES = 10  # deciles: 10 bins when the values allow, fewer where many rows share a value
TOP_CATEGORIES = 20  # a category's values beyond these share one "other" bin


def profile_inputs(frame: pd.DataFrame, quantiles: int = QUANTILES) -> dict[str, dict[str, Any]]:
    """Per column: its kind, baseline, bins and the share of rows in each bin, and the share missing.

    A number's bins are cut at its quantiles (`edges`: bin i holds edges[i-1] < x <= edges[i]); a
    category's bins are its most frequent values and "other".

    >>> profile = profile_inputs(pd.DataFrame({"amount": [1.0, 2.0, 3.0, 4.0, None]}), quantiles=2)
    >>> profile["amount"]
    {'kind': 'numeric', 'baseline': 2.5, 'edges': [2.5], 'shares': [0.4, 0.4], 'missing': 0.2, 'rows': 5}
    >>> profile_inputs(pd.DataFrame({"country": ["NL", "NL", "DE"]}))["country"]["baseline"]
    'NL'
    """
    return {str(name): _profile(frame[name].tolist(), quantiles) for name in frame.columns}


def _profile(values: list[Any], quantiles: int) -> dict[str, Any]:
    rows = len(values)
    present = [v for v in values if not _is_missing(v)]
    missing = (rows - len(present)) / rows if rows else 0.0
    if all(_is_number(v) for v in present):
        numbers = np.array([float(v) for v in present], dtype=float)
        if numbers.size == 0:
            return {"kind": "numeric", "baseline": None, "edges": [], "shares": [], "missing": missing, "rows": rows}
        cuts = np.quantile(numbers, [i / quantiles for i in range(1, quantiles)])
        edges = sorted({float(c) for c in cuts})
        profile = {"kind": "numeric", "baseline": float(np.median(numbers)), "edges": edges}
    else:
        counts = Counter(str(v) for v in present)
        categories = [value for value, _ in counts.most_common(TOP_CATEGORIES)]
        profile = {"kind": "categorical", "baseline": categories[0], "categories": categories}
    counts = bin_counts(profile, present)
    profile |= {"shares": [n / rows for n in counts[:-1]], "missing": missing, "rows": rows}
    return profile


def bins(profile: dict[str, Any]) -> int:
    """How many bins the profile has, the missing bin included.

    >>> bins({"kind": "numeric", "edges": [1.0, 2.0]})
    4
    """
    if profile["kind"] == "numeric":
        return len(profile["edges"]) + 2
    return len(profile["categories"]) + 2  # and "other", and missing


def bin_of(profile: dict[str, Any], value: Any) -> int:
    """The bin a value falls in; the last bin is "missing" (None, NaN, or a value of the wrong kind).

    >>> profile = {"kind": "numeric", "edges": [1.0, 2.0]}
    >>> [bin_of(profile, v) for v in (0.5, 1.0, 1.5, 7, True, None, "x")]
    [0, 0, 1, 2, 0, 3, 3]
    """
    last = bins(profile) - 1
    if _is_missing(value):
        return last
    if profile["kind"] == "numeric":
        if not _is_number(value):
            return last
        return bisect.bisect_left(profile["edges"], float(value))
    categories = profile["categories"]
    text = str(value)
    return categories.index(text) if text in categories else len(categories)


def bin_counts(profile: dict[str, Any], values: Iterable[Any]) -> list[int]:
    """How many of `values` fall in each bin, the missing bin last."""
    counts = [0] * bins(profile)
    if profile["kind"] == "numeric":
        numbers, last = [], len(counts) - 1
        for value in values:
            if _is_number(value) and not _is_missing(value):
                numbers.append(float(value))
            else:
                counts[last] += 1
        positions = np.searchsorted(np.array(profile["edges"], dtype=float), np.array(numbers, dtype=float), "left")
        for position, n in zip(*np.unique(positions, return_counts=True), strict=True):
            counts[int(position)] += int(n)
        return counts
    for value in values:
        counts[bin_of(profile, value)] += 1
    return counts


def expected_shares(profile: dict[str, Any]) -> list[float]:
    """The training share of every bin, the missing bin last.

    >>> expected_shares({"kind": "numeric", "edges": [2.5], "shares": [0.4, 0.4], "missing": 0.2})
    [0.4, 0.4, 0.2]
    """
    return [*profile["shares"], profile["missing"]]


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not (
        isinstance(value, float | np.floating) and math.isinf(value)
    )
