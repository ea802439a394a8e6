"""The preprocessor job, Kafka in to Kafka out, on this machine: records/s, against the no-Python copy
ceiling measured in the same run, and latency at a steady rate.

    .venv/bin/python bench/preprocessor.py [--records 60000] [--runs at-least-once/1 exactly-once/1 ...]
        [--rate 2000] [--seconds 20] [--waits 5]

Starts the project's embedded broker (free port, data in a temp dir); for each run (delivery/parallelism,
side by side on the one broker), loads --records raw records into fresh raw topics first (the channels'
sample records with fresh ids: 40% web, 25% card, 15% mobile, 10% ATM, 10% Coinbase frames; 2% of them
broken), then starts the job (embedded mini-cluster, THREAD mode) and times its output: records/s =
outputs / (last output's time - first output's time), as the broker stamped them, so the job's start-up
is not counted. Exactly-once runs checkpoint every 2 s (the default interval).

Ceiling: the first run's raw topics (the same records, before its job starts) copied by Flink SQL with no
Python (bench/passthrough_job.py, one source over the five topics, parallelism 1), records/s as stamped.
Latency (at-least-once, parallelism 1, once per --waits value, FRAUDSCORE_PREPROCESSOR__BATCH_MAX_WAIT_MS):
the job started on empty topics and given 5 s of records at --rate, then fresh raw records sent at --rate
records/s for --seconds; each event's latency from its record's send to its arrival at a consumer of `events`
reading committed records, and in the job alone (its record's Kafka timestamp to its event's).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fraudscore import demo, kafka_io
from fraudscore.broker import BrokerConfig, EmbeddedBroker, TopicSpec, free_port
from fraudscore.events import CanonicalEvent
from fraudscore.local_jobs import LocalJob
from fraudscore.settings import Settings
from fraudscore.topics import Topics
from preprocessor_job.process import preprocess

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "examples" / "raw"


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


def raw_records(records: int, first: int = 0, broken: float = 0.02) -> list[tuple[str, bytes]]:
    """(channel, raw record) pairs: each gives one output, an event or a reject."""
    rng = random.Random(5 + first)
    made = []
    for i in range(first, first + records):
        channel, _, make = rng.choices(MIX, weights=[w for _, w, _ in MIX])[0]
        raw = make(i)
        made.append((channel, raw[: len(raw) // 2] if rng.random() < broken else raw))
    return made


def load(bootstrap: str, topics: Topics, records: int) -> None:
    """Write the raw records."""
    batches: dict[str, list[tuple[None, bytes]]] = {channel: [] for channel, _, _ in MIX}
    for channel, raw in raw_records(records):
        batches[channel].append((None, raw))
    for channel, batch in batches.items():
        kafka_io.send(bootstrap, topics.raw(channel), batch)


def copy_rate(broker: EmbeddedBroker, topics: Topics, records: int, job: str, *args: str) -> float:
    """Records/s of a bench job that copies the raw topics into a topic of their own, as the copies were
    stamped: bench/passthrough_job.py (Flink SQL, no Python, the ceiling) or bench/arrow_job.py."""
    copy = f"{topics.prefix}copy.{job}.{'.'.join(args)}"
    broker.create_topics([TopicSpec(copy)])
    raw_topics = ";".join(topics.raw(channel) for channel, _, _ in MIX)
    subprocess.run([sys.executable, str(ROOT / "bench" / job), broker.bootstrap, raw_topics, copy, *args],
                   check=True, capture_output=True)  # fmt: skip
    copied = kafka_io.read(broker.bootstrap, [copy], lambda rs: len(rs) >= records, timeout_s=600)
    return rate(len(copied), [r.timestamp_ms for r in copied])


def measure(
    broker: EmbeddedBroker,
    topics: Topics,
    records: int,
    run: str,
    *,
    logs: Path,
    ceiling: list[float],
    arrow: dict[str, float],
) -> tuple[str, float]:
    delivery, parallelism = run.split("/")
    broker.create_topics(topics.specs())
    started = time.perf_counter()
    load(broker.bootstrap, topics, records)
    print(f"{run}: loaded {records:,} raw records in {time.perf_counter() - started:.1f} s", flush=True)
    if not ceiling:
        ceiling.append(copy_rate(broker, topics, records, "passthrough_job.py"))
        print(f"ceiling, Flink SQL copy with no Python: {ceiling[0]:,.0f} records/s", flush=True)
        for kind in list(arrow):
            arrow[kind] = copy_rate(broker, topics, records, "arrow_job.py", kind)
            print(f"Arrow (pandas) Python function, {kind}: {arrow[kind]:,.0f} records/s", flush=True)
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
    per_second = len(outputs) / seconds
    return (f"{run:>18}: {len(outputs):,} outputs ({events:,} events, {len(outputs) - events:,} rejects) "
            f"in {seconds:.1f} s: {per_second:,.0f} records/s through the job"), per_second  # fmt: skip


def latency(
    broker: EmbeddedBroker, topics: Topics, per_second: int, seconds: float, *, wait_ms: int, logs: Path
) -> str:
    """p50/p99 from a raw record's send to its event's arrival, records sent steadily to a running job."""
    broker.create_topics(topics.specs())
    warm_up = raw_records(20, first=10_000_000, broken=0)
    records = raw_records(int(per_second * seconds), first=20_000_000, broken=0)
    ids = [[o.event_id for o in preprocess(channel, raw, None) if isinstance(o, CanonicalEvent)]
           for channel, raw in records]  # fmt: skip
    env = {"FRAUDSCORE_KAFKA__BOOTSTRAP": broker.bootstrap, "FRAUDSCORE_KAFKA__TOPIC_PREFIX": topics.prefix,
           "FRAUDSCORE_FLINK__PARALLELISM": "1",
           "FRAUDSCORE_PREPROCESSOR__BATCH_MAX_WAIT_MS": str(wait_ms)}  # fmt: skip
    arrived: dict[str, int] = {}
    sent: dict[str, int] = {}
    in_job: list[int] = []  # the event record's Kafka timestamp minus its raw record's: the job's own part
    stop = threading.Event()

    def follow() -> None:
        with kafka_io.Follower(broker.bootstrap, [topics.events]) as follower:
            while not stop.is_set():
                for record in follower.poll(timeout_s=0.05):
                    event = orjson.loads(record.value)
                    arrived.setdefault(event["event_id"], now_ms())
                    if event["event_id"] in sent:
                        in_job.append(record.timestamp_ms - event["ingested_ms"])

    with LocalJob("preprocessor", env, logs) as job:
        reader = threading.Thread(target=follow)
        reader.start()
        try:
            for channel, raw in warm_up:  # the job is up once these are through
                kafka_io.send(broker.bootstrap, topics.raw(channel), [(None, raw)])
            wait_for(lambda: len(arrived) >= len(warm_up) - 2 or not job.is_alive(), timeout_s=300)
            # 5 s at the rate, not measured: the JIT's first compilations of the job's path are behind it then.
            warm = raw_records(per_second * 5, first=30_000_000, broken=0)
            send_steadily(broker.bootstrap, topics, warm, [[] for _ in warm], per_second)
            time.sleep(2)
            sent.update(send_steadily(broker.bootstrap, topics, records, ids, per_second))
            wait_for(lambda: all(i in arrived for i in sent) or not job.is_alive(), timeout_s=120)
        finally:
            stop.set()
            reader.join()
    latencies = [arrived[i] - at for i, at in sent.items() if i in arrived]
    return (f"latency at {per_second:,}/s, batches of at most {wait_ms} ms wait: p50 / p99 "
            f"{percentile(latencies, 50):,.0f} / {percentile(latencies, 99):,.0f} ms to a consumer, "
            f"{percentile(in_job, 50):,.0f} / {percentile(in_job, 99):,.0f} ms in the job (Kafka timestamps in "
            f"and out; {len(latencies):,} of {len(sent):,} events)")  # fmt: skip


def send_steadily(bootstrap: str, topics: Topics, records: list, ids: list[list[str]], per_second: int) -> dict:
    """The records every 10 ms, as many as make the rate; returns each event's send time."""
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=0)
    sent: dict[str, int] = {}
    start, per_tick, at = time.monotonic(), per_second / 100, 0
    for tick in range(int(len(records) / per_tick) + 1):
        time.sleep(max(0.0, start + tick * 0.01 - time.monotonic()))
        upto = min(len(records), round((tick + 1) * per_tick))
        stamp = now_ms()
        for (channel, raw), event_ids in zip(records[at:upto], ids[at:upto], strict=True):
            producer.send(topics.raw(channel), value=raw)
            sent.update(dict.fromkeys(event_ids, stamp))
        at = upto
    producer.flush()
    producer.close()
    return sent


def wait_for(done: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not done() and time.monotonic() < deadline:
        time.sleep(0.2)


def rate(count: float, stamps: list[int]) -> float:
    return count / max(1e-3, (max(stamps) - min(stamps)) / 1000)


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def now_ms() -> int:
    return int(time.time() * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=60_000)
    parser.add_argument("--runs", nargs="+", default=["at-least-once/1", "exactly-once/1", "at-least-once/2"],
                        help="delivery/parallelism, each measured in turn")  # fmt: skip
    parser.add_argument("--rate", type=int, default=2_000, help="records/s of the latency runs")
    parser.add_argument("--seconds", type=float, default=20, help="length of each latency run")
    parser.add_argument("--waits", type=int, nargs="*", default=[5],
                        help="batch_max_wait_ms of each latency run (none: no latency run)")  # fmt: skip
    parser.add_argument("--arrow", nargs="*", default=[], choices=["empty", "adapters"],
                        help="also copy the first run's records through bench/arrow_job.py")  # fmt: skip
    args = parser.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        config = BrokerConfig(data_dir=Path(tmp) / "kafka", lib_dir=settings.jvm_dir / "kafka-lib", port=free_port())
        with EmbeddedBroker.start(config) as broker:
            ceiling: list[float] = []
            arrow = dict.fromkeys(args.arrow, 0.0)
            runs = [measure(broker, Topics(f"bench{n}."), args.records, run,
                            logs=Path(tmp) / f"logs{n}", ceiling=ceiling, arrow=arrow)
                    for n, run in enumerate(args.runs)]  # fmt: skip
            # Once more after the runs, on the first run's records: one copy of a few seconds is easily caught
            # by another process's burst on this shared machine, two seldom both are.
            ceiling.append(copy_rate(broker, Topics("bench0."), args.records, "passthrough_job.py", "again"))
            best = max(ceiling)
            figures = [f"{'ceiling':>18}: {best:,.0f} records/s, Flink SQL copy with no Python (the better of "
                       f"{ceiling[0]:,.0f} before the runs and {ceiling[1]:,.0f} after)"]  # fmt: skip
            figures += [f"{'Arrow, ' + kind:>18}: {per_second:,.0f} records/s, bench/arrow_job.py {kind} (a copy: "
                        f"no de-duplication, no dlq), {per_second / best:.0%} of the copy ceiling"
                        for kind, per_second in arrow.items()]  # fmt: skip
            figures += [f"{text}, {per_second / best:.0%} of the copy ceiling" for text, per_second in runs]
            figures += [latency(broker, Topics(f"latency{n}."), args.rate, args.seconds,
                                wait_ms=wait, logs=Path(tmp) / f"lat{n}")
                        for n, wait in enumerate(args.waits)]  # fmt: skip
    print("\n".join(figures))


if __name__ == "__main__":
    main()
