"""The scoring job's own Python per event, with no Flink: what its three operators cost before any PyFlink
plumbing, Kafka or JVM. The operators run in this process on the bench's canonical events, with the
payments feature set and the three models; their keyed state is pickled on every write and unpickled on
every read, as PyFlink's PICKLED_BYTE_ARRAY state is.

    .venv/bin/python bench/operators.py [--events 8000] [--profile]

Prints µs per event for each operator and in all, and the events/s one core could do with no plumbing at
all: an upper bound for the job, since THREAD mode runs every Python operator of a TaskManager under one
GIL. `--profile` adds cProfile's top functions. Seconds, not minutes, so a change to the hot path can be
measured here first and then in bench/scoring.py.
"""

from __future__ import annotations

import argparse
import cProfile
import pickle
import pstats
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scoring import FEATURES, MODELS, canonical_events, models  # bench/scoring.py

from fraudscore import control
from fraudscore.settings import Settings
from scoring_job.job import AssembleAndScore, ComputeFeatures, RouteEvents
from scoring_job.live_models import DictState

WARM_UP = 500  # events first run untimed: the models' and features' first calls compile and cache


class Keys:
    """One operator's keyed state: bytes per (state, key, map key), pickled as PyFlink pickles them."""

    def __init__(self) -> None:
        self.stored: dict[tuple, bytes] = {}
        self.current: str = ""


class _Value:
    def __init__(self, keys: Keys, name: str) -> None:
        self.keys, self.name = keys, name

    def value(self) -> Any:
        stored = self.keys.stored.get((self.name, self.keys.current))
        return None if stored is None else pickle.loads(stored)

    def update(self, value: Any) -> None:
        self.keys.stored[(self.name, self.keys.current)] = pickle.dumps(value)

    def clear(self) -> None:
        self.keys.stored.pop((self.name, self.keys.current), None)


class _Map:
    def __init__(self, keys: Keys, name: str) -> None:
        self.keys, self.name = keys, name

    def get(self, key: str) -> Any:
        stored = self.keys.stored.get((self.name, self.keys.current, key))
        return None if stored is None else pickle.loads(stored)

    def put(self, key: str, value: Any) -> None:
        self.keys.stored[(self.name, self.keys.current, key)] = pickle.dumps(value)

    def remove(self, key: str) -> None:
        self.keys.stored.pop((self.name, self.keys.current, key), None)


class _Timers:
    def current_processing_time(self) -> int:
        return int(time.time() * 1000)

    def register_processing_time_timer(self, timestamp: int) -> None:
        pass  # every part arrives at once here: no wait ever runs out


class _Metrics:
    def add_group(self, name: str) -> _Metrics:
        return self

    def counter(self, name: str) -> _Metrics:
        return self

    def inc(self, count: int = 1) -> None:
        pass


class Context:
    """What an operator is given, at open and with each element: its broadcast and keyed state, timers."""

    def __init__(self) -> None:
        self.broadcast = DictState()
        self.keys = Keys()

    def get_broadcast_state(self, descriptor: Any) -> DictState:
        return self.broadcast

    def get_state(self, descriptor: Any) -> _Value:
        return _Value(self.keys, descriptor.name)

    def get_map_state(self, descriptor: Any) -> _Map:
        return _Map(self.keys, descriptor.name)

    def get_current_key(self) -> str:
        return self.keys.current

    def timer_service(self) -> _Timers:
        return _Timers()

    def get_metrics_group(self) -> _Metrics:
        return _Metrics()

    def get_index_of_this_subtask(self) -> int:
        return 0


class Pipeline:
    """The three operators, each with its own state, the control topic applied to each."""

    def __init__(self, settings: Settings, control_records: list[str]) -> None:
        key = settings.control_key
        self.operators = [RouteEvents(key, []), ComputeFeatures(key, []), AssembleAndScore(key, [], settings.scoring)]
        self.contexts = [Context() for _ in self.operators]
        self.seconds = [0.0] * len(self.operators)
        for operator, context in zip(self.operators, self.contexts, strict=True):
            operator.open(context)
            for record in control_records:
                list(operator.process_broadcast_element(record, context) or ())

    def run(self, events: Iterable[str]) -> int:
        """Every event through the three operators; the score records made."""
        scores = 0
        for event in events:
            for keyed in self._timed(0, event, None):
                for part in self._timed(1, keyed[1], keyed[0]):
                    scores += sum(1 for row in self._timed(2, part[1], part[0]) if row[0] == "scores")
        return scores

    def _timed(self, index: int, element: Any, key: str | None) -> Iterator:
        context = self.contexts[index]
        if key is not None:
            context.keys.current = key
        started = time.perf_counter()
        out = list(self.operators[index].process_element(element, context))
        self.seconds[index] += time.perf_counter() - started
        return iter(out)


def control_records(settings: Settings) -> list[str]:
    key, pmml = settings.control_key, models(settings)
    records = [control.features_message(1, "payments", FEATURES, key)]
    records += [control.deploy_message(2 + i, kind, 1, pmml[kind], key, threshold=0.9) for i, kind in enumerate(MODELS)]
    return [value.decode() for _, value in records]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=8_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    settings = Settings()
    events = [orjson.dumps(e).decode() for e in canonical_events(args.events + WARM_UP)]
    pipeline = Pipeline(settings, control_records(settings))
    pipeline.run(events[:WARM_UP])
    pipeline.seconds = [0.0] * len(pipeline.seconds)
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    scores = pipeline.run(events[WARM_UP:])
    if profiler:
        profiler.disable()
    count = len(events) - WARM_UP
    if scores != count * len(MODELS):
        raise SystemExit(f"{scores} score records for {count} events and {len(MODELS)} models: not one each")
    names = ("RouteEvents", "ComputeFeatures (per event, all its parts)", "AssembleAndScore (all its parts)")
    for name, seconds in zip(names, pipeline.seconds, strict=True):
        print(f"{name}: {seconds / count * 1e6:,.0f} µs per event")
    total = sum(pipeline.seconds)
    print(f"in all: {total / count * 1e6:,.0f} µs per event, {count / total:,.0f} events/s on one core, no plumbing")
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
