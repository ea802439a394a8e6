"""The feature engine: DSL.md's semantics, event by event."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl.engine import ReferenceEngine
from dsl.jvm import JvmFeatureEngine
from dsl.parser import parse
from fraudscore.cli import main

EXAMPLE = parse(Path(__file__).with_name("dsl_md_example.fdsl").read_text())
T0 = 1_795_320_000_000
MINUTE = 60_000


ENGINES = {"jvm": JvmFeatureEngine, "reference": ReferenceEngine}  # the JVM engine; the Python one, the oracle


@pytest.fixture(scope="module", params=ENGINES)
def engine_of(request):
    """Each test runs on the JVM engine (what dsl eval, training and the job run) and on the reference."""
    return ENGINES[request.param]


def engine_for(engine_of, body: str, lateness_ms: int = 3_600_000):
    return engine_of(parse(f"featureset t version 1\n{body}"), lateness_ms=lateness_ms)


def payment(minute: float, amount: float | None, **fields) -> dict:
    return {"event_type": "payment", "ts": int(T0 + minute * MINUTE), "card_id": "k1", "amount": amount, **fields}


def test_the_dsl_md_card_features_over_two_payments(engine_of):
    engine = engine_of(EXAMPLE)
    first = engine.process(payment(0, 10.0, status="approved", country="DE", merchant_id="m1", mcc=5411))
    second = engine.process(payment(1, 30.0, status="declined", country="FR", merchant_id="m1", mcc=4829))
    assert first["amount_avg_30d"] is None  # exclude current: nothing before it
    assert (first["amount_max_7d"], first["secs_since_last"], first["amount_ratio"]) == (0, -1, 1)  # defaults
    assert first["burst_5m"] == 288.0
    assert second["txn_count_1h"] == 2
    assert second["declined_10m"] == 1
    assert second["amount_sum_24h"] == 40.0
    assert second["amount_ratio"] == 3.0
    assert second["secs_since_last"] == 60.0  # timestamp - timestamp is seconds
    assert second["last_country"] == "DE"
    assert second["new_country"] is True
    assert second["risky_mcc"] is True
    assert second["seen_merchant_before"] is True
    decay = 0.5 ** (MINUTE / (6 * 3_600_000))
    assert second["amount_ewma"] == pytest.approx((10.0 * decay + 30.0) / (decay + 1))


def test_a_null_key_gives_the_blocks_defaults_and_leaves_its_state(engine_of):
    engine = engine_of(EXAMPLE)
    tick = engine.process({"event_type": "tick", "ts": T0, "symbol": "BTC", "price": 100.0})
    assert (tick["txn_count_1h"], tick["secs_since_last"], tick["amount_max_7d"]) == (None, -1, 0)
    assert engine.process(payment(1, 5.0))["txn_count_1h"] == 1


def test_fan_out_names_each_feature_by_its_key(engine_of):
    engine = engine_for(engine_of, "features party per card_id, device_id ttl 1d {\n  n = count() over 1h\n}")
    engine.process(payment(0, 1.0, device_id="d1"))
    out = engine.process(payment(1, 1.0, card_id="k2", device_id="d1"))
    assert out == {"n@card_id": 1, "n@device_id": 2}


def test_a_composite_key_is_one_key(engine_of):
    engine = engine_for(engine_of, "features cm per (card_id, merchant_id) ttl 1d {\n  n = count() over 1h\n}")
    engine.process(payment(0, 1.0, merchant_id="m1"))
    assert engine.process(payment(1, 1.0, merchant_id="m2")) == {"n": 1}
    assert engine.process(payment(2, 1.0, merchant_id="m1")) == {"n": 2}


def test_a_late_event_is_scored_but_changes_no_state(engine_of):
    engine = engine_for(
        engine_of, "features c per card_id ttl 1d {\n  n = count() over 1d\n  e = ema(amount, 3)\n}", lateness_ms=MINUTE
    )
    engine.process(payment(10, 10.0))
    late = engine.process(payment(0, 1_000.0))
    assert late == {"n": 1, "e": 10.0}  # its own window; the ema it sees, unchanged
    assert engine.process(payment(11, 10.0)) == {"n": 2, "e": 10.0}


def test_an_event_with_a_later_ts_is_not_in_an_earlier_events_window(engine_of):
    engine = engine_for(engine_of, "features c per card_id ttl 1d {\n  n = count() over 1h\n}")
    engine.process(payment(30, 1.0))
    assert engine.process(payment(20, 1.0)) == {"n": 1}
    assert engine.process(payment(40, 1.0)) == {"n": 3}


NULLS = {
    "arithmetic with null": ("amount * 2", {"amount": None}, None),
    "division by zero": ("amount / 0", {"amount": 3.0}, None),
    "comparison with null": ("amount > 1", {"amount": None}, False),
    "equals null": ("amount == null", {"amount": None}, True),
    "coalesce": ("coalesce(amount, 7)", {"amount": None}, 7),
    "log of zero": ("log(amount)", {"amount": 0.0}, None),
    "in with null": ("mcc in (1, 2)", {"mcc": None}, False),
    "default replaces null": ("amount / 0 default -1", {"amount": 1.0}, -1),
    "NaN from JSON is null": ("amount", {"amount": math.nan}, None),
    "infinity from JSON is null": ("amount + 1", {"amount": math.inf}, None),
    "a string where a number belongs": ("amount * 2", {"amount": "12"}, None),
    "overflow": ("exp(amount)", {"amount": 1e6}, None),
    "an integer outside 64 bits": ("mcc", {"mcc": 2**64}, None),
    "integer arithmetic outside 64 bits": ("mcc * mcc", {"mcc": 2**62}, None),
    "the smallest 64-bit integer is one": ("mcc", {"mcc": -(2**63)}, -(2**63)),
    "true is not a number": ("amount + 1", {"amount": True}, None),
    "round of a string": ("round(amount, 1)", {"amount": "abc"}, None),
    "min of a string and a number": ("min(amount, 1)", {"amount": "abc"}, None),
}


@pytest.mark.parametrize("expr, fields, expected", NULLS.values(), ids=NULLS.keys())
def test_null_semantics(engine_of, expr, fields, expected):
    engine = engine_for(engine_of, f"features c per card_id ttl 1d {{\n  x = {expr}\n}}")
    assert engine.process({"ts": T0, "card_id": "k", **fields}) == {"x": expected}


def test_a_tiled_window_holds_whole_tiles_where_the_exact_one_cuts_at_now_minus_24h(engine_of):
    engine = engine_for(
        engine_of, "features c per card_id ttl 2d {\n  exact = count() over 24h\n  tiled = count() over 24h every 1h\n}"
    )
    for minute in (30, 50, 90):  # 00:30 and 00:50 are in the tile of hour 0; 01:30 in hour 1
        engine.process(payment(minute, 1.0))
    # At 24:45 the exact window starts after 00:45; the tiled one holds hours 1 to 24, whole.
    assert engine.process(payment(24 * 60 + 45, 1.0)) == {"exact": 3, "tiled": 2}


def test_approx_distinct_is_within_its_stated_error_and_exact_enough_when_small(engine_of):
    engine = engine_for(
        engine_of,
        "features m per merchant_id ttl 8d {\n"
        "  cards = distinct(card_id) over 7d approx\n"
        "  exact = distinct(card_id) over 7d\n"
        "}",
    )
    counts = []
    for n in range(20_000):  # 10,000 cards, each twice, over 5 days
        out = engine.process({"ts": T0 + n * 21_600, "merchant_id": "m", "card_id": f"card{n % 10_000}"})
        if n in (49, 19_999):
            counts.append((out["cards"], out["exact"]))
    (small, small_exact), (large, large_exact) = counts
    assert small_exact == 50 and abs(small - 50) <= 2
    assert large_exact == 10_000 and abs(large - 10_000) <= 3 * 0.046 * 10_000


def test_aggregates_skip_values_of_the_wrong_type_and_non_finite_ones(engine_of):
    engine = engine_for(
        engine_of, "features c per card_id ttl 1d {\n  s = sum(amount) over 1h\n  n = count(amount) over 1h\n}"
    )
    for amount in (2.0, "3", math.nan, True, None):
        out = engine.process(payment(1, amount))
    assert out == {"s": 2.0, "n": 1}


def test_a_key_that_is_not_an_id_gives_the_defaults_like_a_null_key(engine_of):
    engine = engine_for(engine_of, "features c per card_id ttl 1d {\n  n = count() over 1h default -1\n}")
    assert engine.process(payment(1, 1.0, card_id=["k"])) == {"n": -1}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 120), st.sampled_from(["approved", "declined", None]),
                          st.one_of(st.none(), st.floats(0, 100))), max_size=40))  # fmt: skip
def test_filtered_aggregates_equal_a_recount_of_the_history(engine_of, rows):
    engine = engine_for(
        engine_of,
        "features c per card_id ttl 1d {\n"
        '  d = count(where status == "declined") over 10m\n'
        '  s = sum(amount where status != "declined") over 30m exclude current\n'
        "}",
    )
    seen: list[tuple[int, str | None, float | None]] = []
    for minute, status, amount in sorted(rows, key=lambda r: r[0]):
        ts = T0 + minute * MINUTE
        out = engine.process({"ts": ts, "card_id": "k", "status": status, "amount": amount})
        declined = [r for r in [*seen, (ts, status, amount)] if ts - 10 * MINUTE < r[0] <= ts and r[1] == "declined"]
        summed = [r[2] for r in seen if ts - 30 * MINUTE < r[0] <= ts and r[1] != "declined" and r[2] is not None]
        assert out["d"] == len(declined)
        assert out["s"] == pytest.approx(math.fsum(summed))
        seen.append((ts, status, amount))


def test_dsl_eval_writes_one_line_per_event_in_input_order(tmp_path, capsys):
    events = tmp_path / "events.jsonl"
    events.write_text(
        '{"event_id": "a", "ts": 1000, "card_id": "k", "amount": 5.0}\n'
        '{"event_id": "b", "ts": 2000, "card_id": "k", "amount": 7.0}\n'
    )
    out = tmp_path / "features.jsonl"
    examples = Path(__file__).parents[2] / "examples"
    assert main(["dsl", "eval", str(examples / "payments.fdsl"), "--events", str(events), "--output", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert [line.split('"features"')[0] for line in lines] == ['{"event_id":"a",', '{"event_id":"b",']
    assert '"amount_sum_24h":12.0' in lines[1]


def test_dsl_eval_stops_at_a_bad_line_with_its_number(tmp_path, capsys):
    events = tmp_path / "events.jsonl"
    events.write_text('{"event_id": "a", "ts": 1000}\n{"ts": "yesterday"}\n')
    examples = Path(__file__).parents[2] / "examples"
    assert main(["dsl", "eval", str(examples / "payments.fdsl"), "--events", str(events)]) == 1
    assert capsys.readouterr().err.startswith(f"error: {events}:2: an event needs 'ts'")


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=5)),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
    max_leaves=3,
)
FIELDS = ["card_id", "device_id", "merchant_id", "amount", "country", "status", "mcc", "price", "symbol", "event_type"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(-(10**6), 10**6), st.dictionaries(st.sampled_from(FIELDS), json_values)), max_size=25
    )
)
def test_whatever_a_json_event_carries_the_example_gives_features_not_exceptions(engine_of, rows):
    engine = engine_of(EXAMPLE)
    for offset, fields in rows:
        features = engine.process({**fields, "ts": T0 + offset})
        assert len(features) == 26


STATEFUL_BLOCK = """features m per symbol ttl 1d {
  p  = prev(price)
  r  = logret(price)
  e  = ema(price, 5)
  w  = ewma(price, half_life=10m)
  s  = rsi(price, 3)
  h  = macd(price, 2, 4, 2).hist
  b  = bollinger(price, 3, 2).upper
}"""


def replay(points: list[tuple[float, int]]) -> dict:
    """The stateful functions over a key's accepted values, computed afresh from the start."""
    from dsl.stateful import Bollinger, Ema, Ewma, LogReturn, Macd, Prev, Rsi

    states = {"p": Prev(), "r": LogReturn(), "e": Ema(5), "w": Ewma(600_000), "s": Rsi(3), "h": Macd(2, 4, 2),
              "b": Bollinger(3, 2)}  # fmt: skip
    for x, ts in points:
        for state in states.values():
            state.update(x, ts)
    values = {name: state.value() for name, state in states.items()}
    return {**values, "h": values["h"]["hist"], "b": values["b"]["upper"]}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(-30, 120), st.one_of(st.none(), st.floats(1, 100))), max_size=40),
       st.integers(0, 20))  # fmt: skip
def test_stateful_functions_equal_a_replay_of_the_accepted_values(engine_of, rows, lateness_minutes):
    """Arrival order, nulls skipped, late events read without updating, a key idle past its ttl
    starting afresh: the engine's answer equals a replay of the values it should have accepted."""
    engine = engine_for(engine_of, STATEFUL_BLOCK, lateness_ms=lateness_minutes * MINUTE)
    accepted: list[tuple[float, int]] = []
    newest = None
    for n, (jitter, price) in enumerate(rows):
        ts = T0 + (n * 5 + jitter) * MINUTE + (1_500 * MINUTE if n == 20 else 0)  # one gap over a day
        if newest is not None and ts - newest > 86_400_000:
            accepted, newest = [], None
        late = newest is not None and ts < newest - lateness_minutes * MINUTE
        if not late and price is not None:
            accepted.append((price, ts))
        expected = replay(accepted)
        got = engine.process({"ts": ts, "symbol": "BTC", "price": price})
        assert got.keys() == expected.keys()
        for name, value in expected.items():
            assert (got[name] is None) == (value is None), (n, name, got, expected)
            assert value is None or math.isclose(got[name], value, rel_tol=1e-12), (n, name, got, expected)
        if not late:
            newest = ts if newest is None else max(newest, ts)
