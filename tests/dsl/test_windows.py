"""Window aggregates: the pruned per-key log answers exactly what a naive recomputation over the full
history answers, on random streams with out-of-order and late events, nulls, filters and idle gaps: in the
Python reference's WindowPlan and in the JVM engine."""

from __future__ import annotations

import math
import pickle
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl.accumulators import aggregate
from dsl.jvm import JvmFeatureEngine
from dsl.windows import EVICT_EVERY, AggregateSpec, WindowPlan, WindowSpec

FUNCTIONS = ["count", "sum", "avg", "min", "max", "stddev", "var", "distinct", "first", "last", "zscore"]


def tiled(millis: int, tile_ms: int, exclude_current: bool) -> WindowSpec:
    return WindowSpec("time", millis, exclude_current=exclude_current, tile_ms=tile_ms)


windows = st.one_of(
    st.builds(WindowSpec, kind=st.just("time"), millis=st.integers(1, 200), exclude_current=st.booleans()),
    st.builds(WindowSpec, kind=st.just("last"), count=st.integers(1, 6), exclude_current=st.booleans()),
    st.builds(tiled, st.integers(20, 200), st.integers(5, 40), st.booleans()),
)
EVERY_EVENT = 5  # the input that is 1 for every event: what the engine gives `count()`
specs = st.lists(
    st.one_of(
        st.builds(AggregateSpec, function=st.sampled_from(FUNCTIONS), window=windows),
        st.builds(AggregateSpec, function=st.just("count"), window=windows, source=st.just(EVERY_EVENT),
                  every_event=st.just(True)),
    ),
    min_size=1,
    max_size=5,
)  # fmt: skip
values = st.one_of(st.none(), st.integers(-5, 5).map(float), st.floats(-1e6, 1e6), st.integers(-3, 3))
streams = st.lists(st.tuples(st.integers(-40, 60), st.lists(values, min_size=5, max_size=5)), max_size=60)


class Keyed:
    """One key's windows: the plan and the state, as the engine holds them."""

    def __init__(self, aggregates, lateness_ms, ttl_ms):
        self.plan = WindowPlan(aggregates, lateness_ms=lateness_ms, ttl_ms=ttl_ms)
        self.log = self.plan.new_log()

    def update(self, ts, inputs):
        return self.plan.update(self.log, ts, inputs)


def reference(function, values, current):
    """Each aggregate the plain way, exact where the standard library is (pvariance works in fractions)."""
    if not values:
        return 0 if function in ("count", "sum", "distinct") else None
    mean = math.fsum(values) / len(values)
    results = {
        "count": len, "sum": math.fsum, "distinct": lambda v: len(set(v)), "min": min, "max": max,
        "first": lambda v: v[0], "last": lambda v: v[-1], "avg": lambda v: mean,
        "var": statistics.pvariance, "stddev": statistics.pstdev,
        "zscore": lambda v: None if current is None or statistics.pstdev(v) == 0
        else (current - mean) / statistics.pstdev(v),
    }  # fmt: skip
    return results[function](values)


def naive(events, aggregates, lateness, ttl):
    """Recompute every window from the whole history: no eviction, no cleverness. A late event's exact
    windows see only the horizon DSL.md promises (`horizon`)."""
    history, results, newest, seq = [], [], None, 0
    for ts, inputs in events:
        if newest is not None and ts - newest > ttl:
            history = []
        late = newest is not None and ts < newest - lateness
        seen = horizon(history, aggregates, newest - lateness) if late else history
        row = []
        for i, spec in enumerate(aggregates):
            window = spec.window
            if window.tile_ms:
                tile, span = ts // window.tile_ms, -(-window.millis // window.tile_ms)
                chosen = [e for e in history if tile - span < e[0] // window.tile_ms <= tile]
            elif window.kind == "time":
                chosen = [e for e in seen if ts - window.millis < e[0] <= ts]
            else:
                older = [e for e in seen if e[0] <= ts]
                wanted = window.count if window.exclude_current else window.count - 1
                chosen = older[max(0, len(older) - wanted) :] if wanted > 0 else []
            if not window.exclude_current:
                chosen = [*chosen, (ts, math.inf, inputs)]
            source = i if spec.source is None else spec.source
            present = [e[2][source] for e in chosen if e[2][source] is not None]
            row.append(reference(spec.function, present, inputs[source]))
        results.append((late, row))
        if not late:
            history = sorted([*history, (ts, seq, inputs)], key=lambda e: (e[0], e[1]))
            seq += 1
            newest = ts if newest is None else max(newest, ts)
    return results


def horizon(history, aggregates, oldest_accepted):
    """What a late event's exact windows see: the events inside the longest exact time window reaching back
    from the oldest accepted ts, and the largest `last N`'s entries before it."""
    longest = max((s.window.millis for s in aggregates if s.window.kind == "time" and not s.window.tile_ms), default=0)
    last = max((s.window.count - (0 if s.window.exclude_current else 1) for s in aggregates if s.window.kind == "last"),
               default=0)  # fmt: skip
    cut = next((i for i, e in enumerate(history) if e[0] > oldest_accepted - longest), len(history))
    if last:
        before = sum(1 for e in history if e[0] <= oldest_accepted)
        cut = min(cut, max(0, before - last))
    return history[cut:]


def same(got, expected) -> bool:
    if got is None or expected is None:
        return got is expected
    return math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=500, deadline=None)
@given(streams, specs, st.integers(0, 50), st.integers(100, 400))
def test_the_windows_equal_a_naive_recomputation(stream, aggregates, lateness, ttl):
    # Absolute timestamps: a drifting clock with jitter, so events arrive out of order.
    events = [(1_000 + 10 * n + jitter, (*v, 1)) for n, (jitter, v) in enumerate(stream)]
    keyed = Keyed(aggregates, lateness_ms=lateness, ttl_ms=ttl)
    for (ts, inputs), (late, expected) in zip(events, naive(events, aggregates, lateness, ttl), strict=True):
        got = keyed.update(ts, inputs)
        # A late event's tiled windows hold the tiles still kept, which DSL.md does not pin down.
        checked = [not (late and spec.window.tile_ms) for spec in aggregates]
        wrong = [(g, e) for g, e, c in zip(got, expected, checked, strict=True) if c and not same(g, e)]
        assert not wrong, (late, wrong)


def plan_of(aggregates, lateness_ms, ttl_ms) -> dict:
    """A feature plan with one block whose features are these aggregates over inputs x0..x4 and the 1 that
    `count()` reads: the windows stated directly, with no DSL in between."""
    inputs = [{"value": {"field": f"x{i}"}, "where": None, "kind": "any"} for i in range(EVERY_EVENT)]
    inputs.append({"value": None, "where": None, "kind": "any"})
    return {
        "format": "fraudscore.feature-plan", "plan_version": 1, "featureset": "w", "version": 1,
        "lateness_ms": lateness_ms,
        "blocks": [{
            "name": "w", "keys": ["card_id"], "composite": False, "ttl_ms": ttl_ms,
            "parts": [{"name": "w", "state_id": "w#test", "fields": ["card_id"], "suffix": None}],
            "inputs": inputs,
            "aggregates": [{"function": s.function, "input": i if s.source is None else s.source,
                            "every_event": s.every_event,
                            "window": {"kind": s.window.kind, "millis": s.window.millis, "count": s.window.count,
                                       "exclude_current": s.window.exclude_current, "tile_ms": s.window.tile_ms,
                                       "approx": s.window.approx}} for i, s in enumerate(aggregates)],
            "stateful": [],
            "features": [{"name": f"a{i}", "type": "any", "updates": [], "expr": {"aggregate": i}, "default": None}
                         for i in range(len(aggregates))],
            "outputs": [f"a{i}" for i in range(len(aggregates))],
        }],
    }  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(streams, specs, st.integers(0, 50), st.integers(100, 400))
def test_the_jvm_engines_windows_equal_a_naive_recomputation(stream, aggregates, lateness, ttl):
    """The same property, on the JVM engine: its windows are what the job and `dsl eval` compute."""
    events = [(1_000 + 10 * n + jitter, (*v, 1)) for n, (jitter, v) in enumerate(stream)]
    with JvmFeatureEngine.from_plan(plan_of(aggregates, lateness, ttl)) as engine:
        rows = engine.process_all(
            [
                {"ts": ts, "card_id": "k", **{f"x{i}": x for i, x in enumerate(inputs[:EVERY_EVENT])}}
                for ts, inputs in events
            ]
        )
    for row, (late, expected) in zip(rows, naive(events, aggregates, lateness, ttl), strict=True):
        got = [row[f"a{i}"] for i in range(len(aggregates))]
        checked = [not (late and spec.window.tile_ms) for spec in aggregates]
        wrong = [(g, e) for g, e, c in zip(got, expected, checked, strict=True) if c and not same(g, e)]
        assert not wrong, (late, wrong)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-40, 60), st.one_of(st.none(), st.integers(0, 400))), max_size=80),
    st.integers(20, 200),
    st.integers(5, 40),
    st.booleans(),
)
def test_approx_distinct_stays_close_to_the_exact_count_of_its_tiles(stream, millis, tile, exclude):
    tiled = WindowSpec("time", millis, exclude_current=exclude, tile_ms=tile)
    sketched = WindowSpec("time", millis, exclude_current=exclude, tile_ms=tile, approx=True)
    aggregates = [AggregateSpec("distinct", sketched, source=0), AggregateSpec("distinct", tiled, source=0)]
    keyed = Keyed(aggregates, lateness_ms=30, ttl_ms=400)
    for n, (jitter, card) in enumerate(stream):
        sketched, exact = keyed.update(1_000 + 10 * n + jitter, (card,))
        assert abs(sketched - exact) <= max(2, 0.1 * exact)


@settings(max_examples=100, deadline=None)
@given(streams, specs, st.integers(0, 50), st.integers(100, 400))
def test_a_key_state_restored_from_pickle_carries_on_identically(stream, aggregates, lateness, ttl):
    events = [(1_000 + 10 * n + jitter, (*v, 1)) for n, (jitter, v) in enumerate(stream)]
    straight, restored = Keyed(aggregates, lateness, ttl), Keyed(aggregates, lateness, ttl)
    for ts, inputs in events:
        assert straight.update(ts, inputs) == restored.update(ts, inputs)
        restored.log = pickle.loads(pickle.dumps(restored.log))


def test_a_late_events_exact_windows_end_at_the_horizon_even_before_eviction():
    log = Keyed([AggregateSpec("count", WindowSpec("time", millis=600_000))], lateness_ms=60_000, ttl_ms=10**9)
    log.update(0, (1,))
    log.update(100 * 60_000, (1,))
    # Horizon: newest - lateness - longest window = 89 min. The event at 0 is still in the log, yet unseen.
    assert log.update(5 * 60_000, (1,)) == [1]


def test_a_late_event_is_counted_and_changes_nothing():
    spec = AggregateSpec("count", WindowSpec("time", millis=10_000))
    log = Keyed([spec], lateness_ms=100, ttl_ms=100_000)
    log.update(1_000, (1,))
    # Scored over what came before it in event time: the event at 1,000 is later, so not in its window.
    assert log.update(500, (1,)) == [1]
    assert log.log.late_events == 1
    assert log.update(1_001, (1,)) == [2]


def test_the_log_stays_bounded_on_a_long_in_order_stream():
    aggregates = [
        AggregateSpec("sum", WindowSpec("time", millis=3_600_000)),
        AggregateSpec("avg", WindowSpec("last", count=10)),
    ]
    log = Keyed(aggregates, lateness_ms=60_000, ttl_ms=7_200_000)
    for n in range(20_000):  # one event a second for 5.5 hours
        log.update(n * 1_000, (1.0, float(n)))
    # The longest window, the lateness, the `last 10`, the event itself, and what awaits the next eviction.
    assert len(log.log) <= 3_600 + 60 + 10 + 1 + EVICT_EVERY
    assert len(pickle.dumps(log.log)) < 400_000


def test_an_idle_key_forgets_its_history_after_the_ttl():
    spec = AggregateSpec("count", WindowSpec("last", count=5, exclude_current=True))
    log = Keyed([spec], lateness_ms=0, ttl_ms=1_000)
    log.update(0, (1,))
    log.update(10, (1,))
    assert log.update(5_000, (1,)) == [0]


EMPTY = {"count": 0, "sum": 0, "distinct": 0, "avg": None, "min": None, "first": None, "zscore": None}


@pytest.mark.parametrize("function, expected", EMPTY.items(), ids=EMPTY.keys())
def test_an_empty_window(function, expected):
    assert aggregate(function, []) == expected


def test_zscore_of_the_current_value():
    assert aggregate("zscore", [1.0, 3.0], current=5.0) == 3.0
    assert aggregate("zscore", [2.0, 2.0], current=5.0) is None
