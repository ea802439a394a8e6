"""`fraudscore preprocess --channel C --input RAW [--output OUT.jsonl]`: a channel's adapter run offline on
a file of raw records (one a line), as the preprocessor job runs it, so that a mapping can be tried before
it is deployed. Canonical events go to the output, one JSON object a line (a repeated event id is dropped,
as the job drops it); each rejected record goes to standard error as a JSON line with its line number and
reason; a summary ends it. Exit status 1 when any record was rejected."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from fraudscore.errors import FraudError
from fraudscore.events import CanonicalEvent
from fraudscore.files import open_file
from preprocessor_job.adapters import ADAPTERS
from preprocessor_job.outcome import Dropped, Rejected
from preprocessor_job.process import preprocess


def add_parser(sub: argparse._SubParsersAction) -> None:
    preprocess = sub.add_parser("preprocess", help="run a channel's adapter on a raw file, as the job would")
    preprocess.add_argument("--channel", required=True, help=f"one of: {', '.join(sorted(ADAPTERS))}")
    preprocess.add_argument("--input", required=True, help="raw records, one a line")
    preprocess.add_argument("--output", help="canonical events as JSON lines (default: standard output)")
    preprocess.set_defaults(run=cmd_preprocess)


def cmd_preprocess(args: argparse.Namespace, settings: Any) -> int:
    if args.channel not in ADAPTERS:
        raise FraudError(f"unknown channel {args.channel!r}; the channels are {', '.join(sorted(ADAPTERS))}")
    counts: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    seen: set[str] = set()  # the job forgets an id after its horizon; a file is short enough to remember all
    path = Path(args.input)
    with open_file(path) as raw_lines, _output(args.output) as out:
        for number, line in enumerate(raw_lines, start=1):
            raw = line.rstrip(b"\r\n")
            if not raw.strip():
                continue
            for outcome in preprocess(args.channel, raw, None):
                if isinstance(outcome, CanonicalEvent) and outcome.event_id in seen:
                    dropped["duplicate"] += 1
                elif isinstance(outcome, CanonicalEvent):
                    seen.add(outcome.event_id)
                    out.write(outcome.to_json() + b"\n")
                    counts["events"] += 1
                elif isinstance(outcome, Rejected):
                    reject = {"line": number, "channel": args.channel, "reason": outcome.reason,
                              "raw": raw[:1000].decode("utf-8", errors="replace")}  # fmt: skip
                    sys.stderr.write(orjson.dumps(reject).decode() + "\n")
                    counts["rejected"] += 1
                elif isinstance(outcome, Dropped):
                    dropped[outcome.reason] += 1
    why = f" ({', '.join(f'{reason}: {n}' for reason, n in sorted(dropped.items()))})" if dropped else ""
    print(f"{path}: {counts['events']} events, {counts['rejected']} rejected, {sum(dropped.values())} dropped{why}",
          file=sys.stderr)  # fmt: skip
    return 1 if counts["rejected"] else 0


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[IO[bytes]]:
    if path is None:
        yield sys.stdout.buffer
        return
    try:
        with Path(path).open("wb") as handle:
            yield handle
    except OSError as exc:
        raise FraudError(f"{path}: cannot write: {exc.strerror}") from None
