"""A crash of the preprocessor job mid-stream, exactly-once delivery: the job process and its whole
mini-cluster are killed without warning while records flow, a new one resumes from the last completed
checkpoint (its offsets, its de-duplication state, its open transactions), and every good record is on
`events` once, every bad one on `dlq` once, as consumers that read committed records see them. The
de-duplication state comes back through the state changelog the job keeps by default: a channel's resend,
after the restart, of records read before the crash is dropped."""

from __future__ import annotations

from collections import Counter

import pytest

from fraudscore import kafka_io
from fraudscore.flink_env import CHANGELOG_DIR
from fraudscore.local_jobs import LocalJob
from tests.pipeline import collect, values, web_payment

pytestmark = pytest.mark.integration

RECORDS = 1_200


def raw_records(first: int, last: int) -> list[tuple[bytes, bytes]]:
    """Web payments of three customers, every seventh record broken."""
    records = []
    for n in range(first, last):
        customer = f"c{n % 3}"
        value = web_payment(n, customer, 10.0 + n) if n % 7 else b'{"request_id": "broken-%d", "action"' % n
        records.append((customer.encode(), value))
    return records


def test_a_crash_mid_stream_neither_loses_nor_repeats_a_record(kafka, topics, settings, log_dir, tmp_path):
    env = {"FRAUDSCORE_KAFKA__BOOTSTRAP": kafka.bootstrap, "FRAUDSCORE_KAFKA__TOPIC_PREFIX": topics.prefix,
           "FRAUDSCORE_FLINK__PARALLELISM": "1", "FRAUDSCORE_FLINK__DELIVERY": "exactly-once",
           "FRAUDSCORE_FLINK__CHECKPOINT_DIR": str(tmp_path / "checkpoints")}  # fmt: skip
    good = {f"web-r{n}" for n in range(RECORDS) if n % 7}
    broken = RECORDS - len(good)
    first = LocalJob("preprocessor", env, log_dir / "before")
    try:
        kafka_io.send(kafka.bootstrap, topics.raw("web"), raw_records(0, RECORDS // 2))
        collect(kafka.bootstrap, [topics.events], lambda rs: len(rs) >= 100, [first])  # committed, so mid-stream
    finally:
        first.kill()
    kafka_io.send(kafka.bootstrap, topics.raw("web"), raw_records(RECORDS // 2, RECORDS))
    changelog = tmp_path / "checkpoints" / f"{topics.prefix}preprocessor" / CHANGELOG_DIR
    assert any(p.is_file() for p in changelog.rglob("*")), "the checkpoints logged no state change"
    resent = [record for n, record in enumerate(raw_records(0, 100)) if n % 7]
    kafka_io.send(kafka.bootstrap, topics.raw("web"), resent)
    with LocalJob("preprocessor", env, log_dir / "after") as second:
        records = collect(kafka.bootstrap, [topics.events, topics.dlq],
                          lambda rs: len(rs) >= len(good) + broken, [second])  # fmt: skip
        # Two more checkpoints: anything the job would still write twice would be committed by then.
        records = kafka_io.read(kafka.bootstrap, [topics.events, topics.dlq], timeout_s=3 * 2)
    events = Counter(e["event_id"] for e in values(records, topics.events))
    rejects = Counter(r["raw"] for r in values(records, topics.dlq))
    assert set(events) == good and set(events.values()) == {1}
    assert len(rejects) == broken and set(rejects.values()) == {1}
