"""`fraudscore generate`: realistic raw traffic with labelled fraud (fraudscore.traffic), into files or onto
the raw topics, with a ground-truth file naming each canonical event's label and scenario."""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from fraudscore.errors import FraudError
from fraudscore.settings import Settings
from fraudscore.topics import Topics
from fraudscore.traffic import Traffic, send_records

_EXTENSIONS = {"atm": "txt"}
_BATCH = 500


def add_parser(sub: argparse._SubParsersAction) -> None:
    generate = sub.add_parser("generate", help="realistic raw traffic with labelled fraud, to files or Kafka")
    generate.add_argument("--records", type=int, default=10_000, help="how many raw records (default 10,000)")
    generate.add_argument("--out", help="a directory for raw.<channel> files and truth.jsonl")
    generate.add_argument("--kafka", action="store_true", help="send to the raw topics of the configured broker")
    generate.add_argument("--history", help="a JSON-lines file of the canonical events, labelled (is_fraud, "
                          "scenario): a history to train on")  # fmt: skip
    generate.add_argument("--rate", type=float, default=0, help="records/s onto Kafka; 0: as fast as possible")
    generate.add_argument("--truth", help="ground-truth file with --kafka (default: var/truth.jsonl)")
    generate.add_argument("--customers", type=int, default=500)
    generate.add_argument("--fraud-rate", type=float, default=0.003, help="fraud incidents per record")
    generate.add_argument("--seed", type=int, default=7)
    generate.set_defaults(run=cmd_generate)


def cmd_generate(args: argparse.Namespace, settings: Settings) -> int:
    if sum(map(bool, (args.out, args.kafka, args.history))) != 1:
        raise FraudError("say where the traffic goes: --out DIR, --kafka or --history FILE")
    traffic = Traffic(seed=args.seed, customers=args.customers, fraud_rate=args.fraud_rate)
    if args.history:
        return _history(traffic, args.records, Path(args.history))
    records = itertools.islice(traffic.records(), args.records)
    out = Path(args.out) if args.out else None
    truth_path = out / "truth.jsonl" if out else Path(args.truth or settings.var_dir / "truth.jsonl")
    try:
        if out:
            out.mkdir(parents=True, exist_ok=True)
        truth_path.parent.mkdir(parents=True, exist_ok=True)
        with truth_path.open("wb") as truth:
            counts = _to_files(records, out, truth) if out else _to_kafka(records, settings, args.rate, truth)
    except OSError as exc:
        raise FraudError(f"cannot write: {exc}") from None
    fraud = {k: n for k, n in counts.items() if k != "normal"}
    print(f"{sum(counts.values()):,} records ({', '.join(f'{k}: {n:,}' for k, n in sorted(fraud.items()))} "
          f"in fraud incidents); ground truth in {truth_path}", file=sys.stderr)  # fmt: skip
    return 0


def _to_files(records: Any, out: Path, truth: Any) -> Counter[str]:
    counts: Counter[str] = Counter()
    files: dict[str, Any] = {}
    try:
        for raw in records:
            if raw.channel not in files:
                files[raw.channel] = (out / f"raw.{raw.channel}.{_EXTENSIONS.get(raw.channel, 'jsonl')}").open("wb")
            files[raw.channel].write(raw.value + b"\n")
            truth.writelines(line + b"\n" for line in raw.truth())
            counts[raw.scenario or "normal"] += 1
    finally:
        for handle in files.values():
            handle.close()
    return counts


def _to_kafka(records: Any, settings: Settings, rate: float, truth: Any) -> Counter[str]:
    """Batches onto raw.<channel>, paced to `rate` records/s of wall time when it is not 0."""
    topics = Topics(settings.kafka.topic_prefix)
    counts: Counter[str] = Counter()
    started = time.monotonic()
    sent = 0
    for batch in iter(lambda: list(itertools.islice(records, _BATCH)), []):
        for raw in batch:
            truth.writelines(line + b"\n" for line in raw.truth())
            counts[raw.scenario or "normal"] += 1
        send_records(settings.kafka.bootstrap, topics, batch)
        sent += len(batch)
        if rate > 0:
            time.sleep(max(0.0, started + sent / rate - time.monotonic()))
    return counts


def _history(traffic: Traffic, records: int, path: Path) -> int:
    """The canonical events the preprocessor makes of the records, each with its label and scenario."""
    counts: Counter[str] = Counter()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            for event in traffic.labelled_events(records):
                out.write(orjson.dumps(event) + b"\n")
                counts["fraud" if event["is_fraud"] else "events"] += 1
    except OSError as exc:
        raise FraudError(f"cannot write: {exc}") from None
    print(f"{sum(counts.values()):,} labelled events ({counts['fraud']:,} fraudulent) in {path}", file=sys.stderr)
    return 0
