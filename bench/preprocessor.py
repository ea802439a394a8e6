"""The preprocessor job, Kafka in to Kafka out, on this machine: records/s.

    .venv/bin/python bench/preprocessor.py [--records 60000] [--runs at-least-once/1 exactly-once/1 ...]

Starts the project's embedded broker (free port, data in a temp dir); for each run (delivery/parallelism,
side by side on the one broker), loads --records raw records into fresh raw topics first (the channels'
sample records with fresh ids: 40% web, 25% card, 15% mobile, 10% ATM, 10% Coinbase frames; 2% of them
broken), then starts the job (embedded mini-cluster, THREAD mode) and times its output: records/s =
outputs / (last output's time - first output's time), as the broker stamped them, so the job's start-up
is not counted. Exactly-once runs checkpoint every 2 s (the default interval).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fraudscore import demo, kafka_io
from fraudscore.broker import BrokerConfig, EmbeddedBroker, free_port
from fraudscore.local_jobs import LocalJob
from fraudscore.settings import Settings
from fraudscore.topics import Topics

RAW = Path(__file__).resolve().parent.parent / "examples" / "raw"


def _json_sample(name: str, index: int = 0) -> dict:
    return orjson.loads((RAW / name).read_text().splitlines()[index])


def _web(i: int) -> bytes:
    return demo.web_payment(i, f"c{i % 500}", 10.0 + i % 900, ts_ms=1_795_320_000_000 + i)


def _mobile(i: int) -> bytes:
    return orjson.dumps({**_MOBILE, "event_id": f"b{i}", "user": {"customer_id": f"c{i % 500}"}})


def _card(i: int) -> bytes:
    return orjson.dumps({**_CARD, "de37_rrn": f"b{i}", "customer_ref": f"c{i % 500}"})


def _atm(i: int) -> bytes:
    fields = _ATM.split("|")
    fields[1], fields[2], fields[6] = f"T{i // 1_000_000}", f"{i % 1_000_000:06d}", f"c{i % 500}"
    return "|".join(fields).encode()


def _ticks(i: int) -> bytes:
    return orjson.dumps({**_FRAME, "sequence_num": i})


_MOBILE, _CARD, _FRAME = _json_sample("mobile.jsonl", 1), _json_sample("card.jsonl"), _json_sample("ticks.jsonl")
_ATM = (RAW / "atm.txt").read_text().splitlines()[0]
MIX: list[tuple[str, float, Callable[[int], bytes]]] = [
    ("web", 0.40, _web), ("card", 0.25, _card), ("mobile", 0.15, _mobile), ("atm", 0.10, _atm),
    ("ticks", 0.10, _ticks),
]  # fmt: skip


def load(bootstrap: str, topics: Topics, records: int) -> None:
    """Write the raw records: each gives one output, an event or a reject."""
    rng = random.Random(5)
    batches: dict[str, list[tuple[None, bytes]]] = {channel: [] for channel, _, _ in MIX}
    for i in range(records):
        channel, _, make = rng.choices(MIX, weights=[w for _, w, _ in MIX])[0]
        raw = make(i)
        batches[channel].append((None, raw[: len(raw) // 2] if rng.random() < 0.02 else raw))
    for channel, batch in batches.items():
        kafka_io.send(bootstrap, topics.raw(channel), batch)


def measure(broker: EmbeddedBroker, topics: Topics, records: int, run: str, logs: Path) -> str:
    delivery, parallelism = run.split("/")
    broker.create_topics(topics.specs())
    started = time.perf_counter()
    load(broker.bootstrap, topics, records)
    print(f"{run}: loaded {records:,} raw records in {time.perf_counter() - started:.1f} s", flush=True)
    env = {"FRAUDSCORE_KAFKA__BOOTSTRAP": broker.bootstrap, "FRAUDSCORE_KAFKA__TOPIC_PREFIX": topics.prefix,
           "FRAUDSCORE_FLINK__PARALLELISM": parallelism, "FRAUDSCORE_FLINK__DELIVERY": delivery}  # fmt: skip
    with LocalJob("preprocessor", env, logs) as job:
        outputs = kafka_io.read(broker.bootstrap, [topics.events, topics.dlq],
                                lambda rs: len(rs) >= records, timeout_s=1800)  # fmt: skip
        if not job.is_alive() or len(outputs) < records:
            raise SystemExit(f"only {len(outputs)} of {records} outputs:\n{job.log_tail()}")
    stamps = sorted(r.timestamp_ms for r in outputs)
    seconds = (stamps[-1] - stamps[0]) / 1000
    events = sum(r.topic == topics.events for r in outputs)
    return (f"{run:>18}: {len(outputs):,} outputs ({events:,} events, {len(outputs) - events:,} rejects) "
            f"in {seconds:.1f} s: {len(outputs) / seconds:,.0f} records/s through the job")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=60_000)
    parser.add_argument("--runs", nargs="+", default=["at-least-once/1", "exactly-once/1", "at-least-once/2"],
                        help="delivery/parallelism, each measured in turn")  # fmt: skip
    args = parser.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        config = BrokerConfig(data_dir=Path(tmp) / "kafka", lib_dir=settings.jvm_dir / "kafka-lib", port=free_port())
        with EmbeddedBroker.start(config) as broker:
            figures = [measure(broker, Topics(f"bench{n}."), args.records, run, Path(tmp) / f"logs{n}")
                       for n, run in enumerate(args.runs)]  # fmt: skip
    print("\n".join(figures))


if __name__ == "__main__":
    main()
