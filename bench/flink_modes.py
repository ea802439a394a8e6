"""PROCESS vs THREAD execution mode on our own operators, side by side in one run.

    .venv/bin/python bench/flink_modes.py [--events 20000]

Each pipeline runs in an embedded mini-cluster at parallelism 1, fed from an in-memory collection of raw
web-banking records (no Kafka: the Python operators are what the mode changes). A run's start-up is
taken out by timing a small run and a large one: events/s = (N - n) / (t_N - t_n).

- preprocess: raw JSON -> the web adapter (decode, validate, normalise) -> canonical JSON
- preprocess+key+broadcast: the above, then keyed by customer into the scoring job's keyed-broadcast
  operator (event decode, broadcast-state read of the live models); no model is live, so this is the
  operator's own cost without PMML evaluation (pypmml costs ~3 ms a record in either mode).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyflink.common import Types
from pyflink.datastream.connectors import Sink
from pyflink.java_gateway import get_gateway

from fraudscore import demo, flink_env
from fraudscore.settings import FlinkSettings, Settings
from preprocessor_job.job import Preprocess
from scoring_job.job import CONTROL_STATE, ScoreEvents, customer_key

SMALL = 200


def raw_events(count: int) -> list[str]:
    traffic = demo.demo_traffic(1_795_320_000_000, customers=1_000)
    return [next(traffic)[1].decode() for _ in range(count)]


def run(mode: str, pipeline: str, events: list[str], settings: Settings) -> float:
    flink = FlinkSettings(execution_mode=mode, parallelism=1, checkpoint_interval_ms=60_000)
    env = flink_env.create_env(flink, settings.jvm_dir)
    raw = env.from_collection(events, type_info=Types.STRING())
    canonical = raw.process(Preprocess("web"), output_type=flink_env.KEYED_RECORD).map(
        lambda row: row[1], output_type=Types.STRING()
    )
    if pipeline == "preprocess":
        out = canonical
    else:
        control = env.from_collection(["{}"], type_info=Types.STRING())
        out = (
            canonical.key_by(customer_key, key_type=Types.STRING())
            .connect(control.broadcast(CONTROL_STATE))
            .process(ScoreEvents(settings.control_key), output_type=flink_env.KEYED_RECORD)
        )
    out.sink_to(Sink(get_gateway().jvm.org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink()))
    started = time.perf_counter()
    env.execute(f"bench-{pipeline}-{mode}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    settings = Settings()
    small, large = raw_events(SMALL), raw_events(args.events)
    print(f"{'pipeline':<28} {'mode':<8} {'events/s':>10}")
    for pipeline in ("preprocess", "preprocess+key+broadcast"):
        for mode in ("process", "thread"):
            t_small = run(mode, pipeline, small, settings)
            t_large = run(mode, pipeline, large, settings)
            rate = (len(large) - len(small)) / max(t_large - t_small, 1e-9)
            print(f"{pipeline:<28} {mode:<8} {rate:>10,.0f}", flush=True)


if __name__ == "__main__":
    main()
