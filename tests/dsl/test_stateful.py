"""Stateful functions against independently computed values (pandas, closed forms, plain loops)."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl.stateful import Bollinger, Ema, Ewma, LogReturn, Macd, Prev, Rsi

prices = st.lists(st.floats(1.0, 1_000.0, allow_nan=False), min_size=1, max_size=120)


def run(state, xs, ts=None):
    out = []
    for i, x in enumerate(xs):
        state.update(x, ts[i] if ts else i)
        out.append(state.value())
    return out


@given(prices, st.integers(1, 30))
def test_ema_is_pandas_ewm_span_without_adjust(xs, span):
    expected = pd.Series(xs).ewm(span=span, adjust=False).mean().tolist()
    assert run(Ema(span), xs) == pytest.approx(expected, rel=1e-9)


@given(prices, st.integers(1, 8), st.integers(9, 30), st.integers(1, 12))
def test_macd_is_pandas_ewm_of_the_line(xs, fast, slow, signal):
    series = pd.Series(xs)
    line = series.ewm(span=fast, adjust=False).mean() - series.ewm(span=slow, adjust=False).mean()
    sig = line.ewm(span=signal, adjust=False).mean()
    got = run(Macd(fast, slow, signal), xs)
    assert [g["line"] for g in got] == pytest.approx(line.tolist(), rel=1e-9, abs=1e-9)
    assert [g["signal"] for g in got] == pytest.approx(sig.tolist(), rel=1e-9, abs=1e-9)
    assert [g["hist"] for g in got] == pytest.approx((line - sig).tolist(), rel=1e-9, abs=1e-9)


@given(prices, st.integers(1, 25), st.floats(0.5, 3.0))
def test_bollinger_is_pandas_rolling_population_std(xs, period, k):
    series = pd.Series(xs)
    mid = series.rolling(period).mean()
    std = series.rolling(period).std(ddof=0)
    got = run(Bollinger(period, k), xs)
    for i, g in enumerate(got):
        if i < period - 1:
            assert g == {"mid": None, "upper": None, "lower": None}
        else:
            assert g["mid"] == pytest.approx(mid[i], rel=1e-9)
            assert g["upper"] == pytest.approx(mid[i] + k * std[i], rel=1e-9, abs=1e-9)
            assert g["lower"] == pytest.approx(mid[i] - k * std[i], rel=1e-9, abs=1e-9)


def wilder_rsi(xs: list[float], n: int) -> list[float | None]:
    """Wilder's RSI written from the definition, with numpy arrays."""
    changes = np.diff(np.asarray(xs))
    gains, losses = np.clip(changes, 0, None), np.clip(-changes, 0, None)
    out: list[float | None] = [None] * len(xs)
    if len(changes) < n:
        return out
    avg_gain, avg_loss = gains[:n].mean(), losses[:n].mean()
    for i in range(n, len(xs)):
        if i > n:
            avg_gain = (avg_gain * (n - 1) + gains[i - 1]) / n
            avg_loss = (avg_loss * (n - 1) + losses[i - 1]) / n
        if avg_loss == 0:
            out[i] = 50.0 if avg_gain == 0 else 100.0
        else:
            out[i] = 100 - 100 / (1 + avg_gain / avg_loss)
    return out


@given(prices, st.integers(1, 20))
def test_rsi_is_wilders_definition(xs, n):
    expected = wilder_rsi(xs, n)
    got = run(Rsi(n), xs)
    assert [g is None for g in got] == [e is None for e in expected]
    assert [g for g in got if g is not None] == pytest.approx([e for e in expected if e is not None], rel=1e-9)


def test_rsi_edge_cases():
    assert run(Rsi(2), [5.0, 5.0, 5.0])[-1] == 50.0
    assert run(Rsi(2), [1.0, 2.0, 3.0])[-1] == 100.0
    assert run(Rsi(2), [3.0, 2.0, 1.0])[-1] == 0.0


@settings(deadline=None)
@given(st.lists(st.tuples(st.floats(-100, 100), st.integers(0, 10_000)), min_size=1, max_size=60),
       st.integers(1, 5_000))  # fmt: skip
def test_ewma_is_the_closed_form_weighted_mean_for_ordered_times(points, half_life):
    xs = [x for x, _ in points]
    ts = list(np.cumsum([gap for _, gap in points]))
    got = run(Ewma(half_life), xs, ts)
    for i in range(len(xs)):
        weights = [0.5 ** ((ts[i] - ts[j]) / half_life) for j in range(i + 1)]
        expected = sum(w * x for w, x in zip(weights, xs[: i + 1], strict=True)) / sum(weights)
        assert got[i] == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_ewma_with_an_earlier_timestamp_does_not_decay():
    e = Ewma(half_life=10)
    e.update(0.0, ts=100)
    e.update(10.0, ts=50)
    assert e.value() == pytest.approx(5.0)
    assert e.ts == 100


def test_prev_and_logret():
    assert run(Prev(), [1.0, 2.0, 4.0]) == [None, 1.0, 2.0]
    assert run(LogReturn(), [1.0, 2.0, 4.0]) == [None, pytest.approx(math.log(2)), pytest.approx(math.log(2))]
    assert run(LogReturn(), [1.0, 0.0])[-1] is None


@pytest.mark.parametrize("state", [Prev(), LogReturn(), Ema(3), Ewma(5), Rsi(3), Macd(2, 4, 2), Bollinger(3, 2)])
def test_states_survive_pickling_unchanged(state):
    run(state, [1.0, 3.0, 2.0, 5.0])
    restored = pickle.loads(pickle.dumps(state))
    for s in (state, restored):
        s.update(4.0, 10)
    assert restored.value() == state.value()
