"""Stateful functions against independently computed values (pandas, closed forms, plain loops), computed
by the JVM engine and by the Python reference engine, each through a feature file as an analyst writes it."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl.engine import ReferenceEngine
from dsl.jvm import JvmFeatureEngine
from dsl.parser import parse
from dsl.stateful import Bollinger, Ema, Ewma, LogReturn, Macd, Prev, Rsi

prices = st.lists(st.floats(1.0, 1_000.0, allow_nan=False), min_size=1, max_size=120)
ENGINES = {"jvm": JvmFeatureEngine, "reference": ReferenceEngine}


@pytest.fixture(scope="module", params=ENGINES)
def engine_of(request):
    return ENGINES[request.param]


def run(state, xs, ts=None):
    """A reference state object over the values, one value() per update (the pickling test's)."""
    out = []
    for i, x in enumerate(xs):
        state.update(x, ts[i] if ts else i)
        out.append(state.value())
    return out


def series(engine_of, features: dict[str, str], xs, ts=None) -> dict[str, list]:
    """Each feature over one key's prices, event by event, by the engine given (ts: epoch ms, else 0, 1, ...)."""
    body = "\n".join(f"  {name} = {expr}" for name, expr in features.items())
    engine = engine_of(parse(f"featureset s version 1\nfeatures m per symbol ttl 1000d {{\n{body}\n}}"))
    events = [{"ts": int(ts[i]) if ts else i, "symbol": "s", "price": x} for i, x in enumerate(xs)]
    rows = engine.process_all(events) if hasattr(engine, "process_all") else [engine.process(e) for e in events]
    return {name: [row[name] for row in rows] for name in features}


@settings(deadline=None)
@given(prices, st.integers(1, 30))
def test_ema_is_pandas_ewm_span_without_adjust(engine_of, xs, span):
    expected = pd.Series(xs).ewm(span=span, adjust=False).mean().tolist()
    assert series(engine_of, {"e": f"ema(price, {span})"}, xs)["e"] == pytest.approx(expected, rel=1e-9)


@settings(deadline=None)
@given(prices, st.integers(1, 8), st.integers(9, 30), st.integers(1, 12))
def test_macd_is_pandas_ewm_of_the_line(engine_of, xs, fast, slow, signal):
    prices_ = pd.Series(xs)
    line = prices_.ewm(span=fast, adjust=False).mean() - prices_.ewm(span=slow, adjust=False).mean()
    sig = line.ewm(span=signal, adjust=False).mean()
    call = f"macd(price, {fast}, {slow}, {signal})"
    got = series(engine_of, {m: f"{call}.{m}" for m in ("line", "signal", "hist")}, xs)
    assert got["line"] == pytest.approx(line.tolist(), rel=1e-9, abs=1e-9)
    assert got["signal"] == pytest.approx(sig.tolist(), rel=1e-9, abs=1e-9)
    assert got["hist"] == pytest.approx((line - sig).tolist(), rel=1e-9, abs=1e-9)


@settings(deadline=None)
@given(prices, st.integers(1, 25), st.sampled_from([0.5, 1, 2, 2.5, 3.0]))
def test_bollinger_is_pandas_rolling_population_std(engine_of, xs, period, k):
    prices_ = pd.Series(xs)
    mid = prices_.rolling(period).mean()
    std = prices_.rolling(period).std(ddof=0)
    got = series(engine_of, {m: f"bollinger(price, {period}, {k}).{m}" for m in ("mid", "upper", "lower")}, xs)
    for i in range(len(xs)):
        if i < period - 1:
            assert (got["mid"][i], got["upper"][i], got["lower"][i]) == (None, None, None)
        else:
            assert got["mid"][i] == pytest.approx(mid[i], rel=1e-9)
            assert got["upper"][i] == pytest.approx(mid[i] + k * std[i], rel=1e-9, abs=1e-9)
            assert got["lower"][i] == pytest.approx(mid[i] - k * std[i], rel=1e-9, abs=1e-9)


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


@settings(deadline=None)
@given(prices, st.integers(1, 20))
def test_rsi_is_wilders_definition(engine_of, xs, n):
    expected = wilder_rsi(xs, n)
    got = series(engine_of, {"r": f"rsi(price, {n})"}, xs)["r"]
    assert [g is None for g in got] == [e is None for e in expected]
    assert [g for g in got if g is not None] == pytest.approx([e for e in expected if e is not None], rel=1e-9)


def test_rsi_edge_cases(engine_of):
    def rsi(xs):
        return series(engine_of, {"r": "rsi(price, 2)"}, xs)["r"][-1]

    assert (rsi([5.0, 5.0, 5.0]), rsi([1.0, 2.0, 3.0]), rsi([3.0, 2.0, 1.0])) == (50.0, 100.0, 0.0)


@settings(deadline=None)
@given(st.lists(st.tuples(st.floats(-100, 100), st.integers(0, 10_000)), min_size=1, max_size=60),
       st.integers(1, 5_000))  # fmt: skip
def test_ewma_is_the_closed_form_weighted_mean_for_ordered_times(engine_of, points, half_life):
    xs = [x for x, _ in points]
    ts = list(np.cumsum([gap for _, gap in points]))
    got = series(engine_of, {"w": f"ewma(price, half_life={half_life}ms)"}, xs, ts)["w"]
    for i in range(len(xs)):
        weights = [0.5 ** ((ts[i] - ts[j]) / half_life) for j in range(i + 1)]
        expected = sum(w * x for w, x in zip(weights, xs[: i + 1], strict=True)) / sum(weights)
        assert got[i] == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_ewma_with_an_earlier_timestamp_does_not_decay(engine_of):
    got = series(engine_of, {"w": "ewma(price, half_life=10ms)"}, [0.0, 10.0, 0.0], [100, 50, 110])["w"]
    assert got[1] == pytest.approx(5.0)  # no decay back in time
    assert got[2] == pytest.approx(5.0 * 0.5)  # and the next one decays from 100, the newest ts, not from 50


def test_prev_and_logret(engine_of):
    got = series(engine_of, {"p": "prev(price)", "r": "logret(price)"}, [1.0, 2.0, 4.0, 0.0])
    assert got["p"] == [None, 1.0, 2.0, 4.0]
    assert got["r"] == [None, pytest.approx(math.log(2)), pytest.approx(math.log(2)), None]


@pytest.mark.parametrize("state", [Prev(), LogReturn(), Ema(3), Ewma(5), Rsi(3), Macd(2, 4, 2), Bollinger(3, 2)])
def test_states_survive_pickling_unchanged(state):
    run(state, [1.0, 3.0, 2.0, 5.0])
    restored = pickle.loads(pickle.dumps(state))
    for s in (state, restored):
        s.update(4.0, 10)
    assert restored.value() == state.value()
