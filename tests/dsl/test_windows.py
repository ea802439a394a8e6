"""Window aggregates: the pruned per-key log answers exactly what a naive recomputation over the full
history answers, on random streams with out-of-order and late events, nulls, filters and idle gaps."""

from __future__ import annotations

import math
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl.windows import AggregateSpec, KeyLog, WindowSpec, aggregate

FUNCTIONS = ["count", "sum", "avg", "min", "max", "stddev", "var", "distinct", "first", "last", "zscore"]

windows = st.one_of(
    st.builds(WindowSpec, kind=st.just("time"), millis=st.integers(1, 200), exclude_current=st.booleans()),
    st.builds(WindowSpec, kind=st.just("last"), count=st.integers(1, 6), exclude_current=st.booleans()),
)
specs = st.lists(st.builds(AggregateSpec, function=st.sampled_from(FUNCTIONS), window=windows), min_size=1, max_size=5)
values = st.one_of(st.none(), st.integers(-5, 5).map(float))
streams = st.lists(st.tuples(st.integers(-40, 60), st.lists(values, min_size=5, max_size=5)), max_size=60)


def naive(events, aggregates, lateness, ttl):
    """Recompute every window from the whole history: no eviction, no cleverness."""
    history, results, newest, seq = [], [], None, 0
    for ts, inputs in events:
        if newest is not None and ts - newest > ttl:
            history = []
        row = []
        for i, spec in enumerate(aggregates):
            window = spec.window
            if window.kind == "time":
                chosen = [e for e in history if ts - window.millis < e[0] <= ts]
            else:
                older = [e for e in history if e[0] <= ts]
                wanted = window.count if window.exclude_current else window.count - 1
                chosen = older[max(0, len(older) - wanted) :] if wanted > 0 else []
            if not window.exclude_current:
                chosen = [*chosen, (ts, math.inf, inputs)]
            present = [e[2][i] for e in chosen if e[2][i] is not None]
            row.append(aggregate(spec.function, present, inputs[i]))
        late = newest is not None and ts < newest - lateness
        results.append((late, row))
        if not late:
            history = sorted([*history, (ts, seq, inputs)], key=lambda e: (e[0], e[1]))
            seq += 1
            newest = ts if newest is None else max(newest, ts)
    return results


def same(got, expected) -> bool:
    if got is None or expected is None:
        return got is expected
    return math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=400, deadline=None)
@given(streams, specs, st.integers(0, 50), st.integers(100, 400))
def test_the_log_equals_a_naive_recomputation(stream, aggregates, lateness, ttl):
    # Absolute timestamps: a drifting clock with jitter, so events arrive out of order.
    events = [(1_000 + 10 * n + jitter, tuple(v)) for n, (jitter, v) in enumerate(stream)]
    log = KeyLog(aggregates, lateness_ms=lateness, ttl_ms=ttl)
    for (ts, inputs), (late, expected) in zip(events, naive(events, aggregates, lateness, ttl), strict=True):
        got = log.update(ts, inputs)
        if not late:  # a late event sees what is kept; only on-time events are promised exact windows
            assert [same(g, e) for g, e in zip(got, expected, strict=True)] == [True] * len(got), (got, expected)


def test_a_late_event_is_counted_and_changes_nothing():
    spec = AggregateSpec("count", WindowSpec("time", millis=10_000))
    log = KeyLog([spec], lateness_ms=100, ttl_ms=100_000)
    log.update(1_000, (1,))
    # Scored over what came before it in event time: the event at 1,000 is later, so not in its window.
    assert log.update(500, (1,)) == [1]
    assert log.late_events == 1
    assert log.update(1_001, (1,)) == [2]


def test_the_log_stays_bounded_on_a_long_in_order_stream():
    aggregates = [
        AggregateSpec("sum", WindowSpec("time", millis=3_600_000)),
        AggregateSpec("avg", WindowSpec("last", count=10)),
    ]
    log = KeyLog(aggregates, lateness_ms=60_000, ttl_ms=7_200_000)
    for n in range(20_000):  # one event a second for 5.5 hours
        log.update(n * 1_000, (1.0, float(n)))
    assert len(log.entries) <= 3_600 + 60 + 10 + 1
    assert len(pickle.dumps(log)) < 400_000


def test_an_idle_key_forgets_its_history_after_the_ttl():
    spec = AggregateSpec("count", WindowSpec("last", count=5, exclude_current=True))
    log = KeyLog([spec], lateness_ms=0, ttl_ms=1_000)
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
