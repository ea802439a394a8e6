"""PROCESS vs THREAD execution mode on our own operators, side by side in one run.

    .venv/bin/python bench/flink_modes.py [--events 60000] [--repeat 3]

Each pipeline runs in an embedded mini-cluster at parallelism 1, fed from an in-memory collection of raw
web-banking records (no Kafka: the Python operators are what the mode changes). A run's start-up is
taken out by timing a small run and a large one: events/s = (N - n) / (t_N - t_n); each figure is the
median of --repeat such pairs, with their spread. `source only` is the harness's own ceiling.

- preprocess: raw JSON -> the web adapter (decode, validate, normalise) -> canonical JSON

The scoring job has no Python operator any more (its operators are the data plane's, in Java): the
execution mode does not touch it, and bench/scoring.py measures it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyflink.common import Row, Types
from pyflink.datastream import DataStream
from pyflink.datastream.connectors import Sink
from pyflink.java_gateway import get_gateway

from fraudscore import demo, flink_env
from fraudscore.settings import FlinkSettings, Settings
from preprocessor_job.job import DLQ as PRE_DLQ
from preprocessor_job.job import IDENTIFIED_EVENT, Preprocess

RAW_RECORD = Types.ROW([Types.PRIMITIVE_ARRAY(Types.BYTE()), Types.INT(), Types.LONG()])

SMALL = 200


def raw_events(count: int) -> list[str]:
    traffic = demo.demo_traffic(1_795_320_000_000, customers=1_000)
    return [next(traffic)[1].decode() for _ in range(count)]


def run(mode: str, pipeline: str, events: list[str], settings: Settings) -> float:
    flink = FlinkSettings(execution_mode=mode, parallelism=1, checkpoint_interval_ms=60_000)
    env = flink_env.create_env(flink, settings.jvm_dir)
    raw = env.from_collection(events, type_info=Types.STRING())
    if pipeline == "source only":
        discard(raw)
        return _timed_execute(env, pipeline, mode)
    # The rows the Kafka source gives Preprocess: value bytes, partition, offset.
    records = raw.map(lambda text: Row(text.encode(), 0, 0), output_type=RAW_RECORD)
    preprocessed = records.process(Preprocess("web", "raw.web"), output_type=IDENTIFIED_EVENT)
    # Side outputs must have a consumer, as in the jobs: PyFlink only routes the tags it knows.
    discard(preprocessed.get_side_output(PRE_DLQ))
    discard(preprocessed.map(lambda row: row[1][1], output_type=Types.STRING()))
    return _timed_execute(env, pipeline, mode)


def _timed_execute(env, pipeline: str, mode: str) -> float:
    started = time.perf_counter()
    env.execute(f"bench-{pipeline}-{mode}")
    return time.perf_counter() - started


def discard(stream: DataStream) -> None:
    stream.sink_to(Sink(get_gateway().jvm.org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    settings = Settings()
    small = raw_events(SMALL)
    print(f"{'pipeline':<30} {'mode':<8} {'events/s':>10}   {'min-max':>15}  (median of {args.repeat})")
    for pipeline in ("source only", "preprocess"):
        large = raw_events(args.events)
        for mode in ("process", "thread"):
            rates = []
            for _ in range(args.repeat):
                t_small = run(mode, pipeline, small, settings)
                t_large = run(mode, pipeline, large, settings)
                rates.append((len(large) - len(small)) / max(t_large - t_small, 1e-9))
            spread = f"{min(rates):,.0f}-{max(rates):,.0f}"
            print(f"{pipeline:<30} {mode:<8} {statistics.median(rates):>10,.0f}   {spread:>15}", flush=True)


if __name__ == "__main__":
    main()
