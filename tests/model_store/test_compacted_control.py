"""The control topic compacted by a real broker: the model store lives a long history on it (uploads,
champions and challengers, thresholds and modes, promotions, rollbacks, retires, two feature sets), the
broker compacts it, and a job replaying what is left, Python's OperatorControl and the JVM's
(io.fraudscore.live.ReplayCommand, the data plane jar: run `make` first), rebuilds exactly what the whole
history gives and what the store says is live, applying every message."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import orjson
import pytest

from dsl.jvm import DATAPLANE_JAR
from fraudscore import kafka_io
from fraudscore.topics import Topics, TopicSpec
from model_store import KafkaControlPublisher, ModelStore
from tests.model_store.histories import LiveRow, a_long_history, job_table, store_table

pytestmark = pytest.mark.integration

KEY = "compaction-test-key"
# The topic's own settings, and a broker that compacts at once: a segment rolls after 100 ms, any dirt is
# worth cleaning, tombstones go 100 ms after. The cleaner looks every 15 s (log.cleaner.backoff.ms).
FAST = {"segment.ms": "100", "min.cleanable.dirty.ratio": "0.01", "delete.retention.ms": "100"}


class Recording:
    """The real publisher, keeping a copy of every record it has sent."""

    def __init__(self, publisher: KafkaControlPublisher) -> None:
        self.publisher = publisher
        self.records: list[tuple[bytes, bytes | None]] = []

    def last_seq(self) -> int:
        return self.publisher.last_seq()

    def publish(self, records: list[tuple[bytes, bytes | None]]) -> None:
        self.publisher.publish(records)
        self.records += records


def in_jvm(values: list[bytes | None], tmp_path: Path) -> tuple[list[dict], list[LiveRow]]:
    """What ReplayCommand says to each message, and what it has live after the last."""
    assert DATAPLANE_JAR.is_file(), "build the data plane jar first: run `make`"
    script = tmp_path / "replay.jsonl"
    lines = [{"control": value.decode() if value is not None else None} for value in values] + [{"live": True}]
    script.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    done = subprocess.run(["java", "-XX:TieredStopAtLevel=1", "-cp", str(DATAPLANE_JAR),
                           "io.fraudscore.live.ReplayCommand", KEY, str(script)],
                          capture_output=True, timeout=600, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    *said, live = [orjson.loads(line) for line in done.stdout.splitlines()]
    table = sorted((m["model_id"], m["alias"], m["version"], m["mode"], m["threshold"], tuple(sorted(m["event_types"])))
                   for m in live["live"])  # fmt: skip
    return said, table


def compacted_records(bootstrap: str, topic: str, published: int, timeout_s: float = 120) -> list:
    """The topic's records once the broker has compacted it (fewer than were published)."""
    deadline = time.monotonic() + timeout_s
    while True:
        records = kafka_io.read_to_end(bootstrap, topic)
        if len(records) < published:
            return records
        assert time.monotonic() < deadline, f"the broker did not compact {topic} in {timeout_s} s"
        time.sleep(2)


def test_a_job_replaying_the_compacted_control_topic_rebuilds_exactly_what_is_live(kafka, topics, tmp_path):
    [control_spec] = [spec for spec in Topics(topics.prefix).specs() if spec.name == topics.control]
    assert control_spec.configs["cleanup.policy"] == "compact" and control_spec.partitions == 1
    topic = f"{topics.control}_compacting"
    kafka.create_topics([TopicSpec(topic, 1, {**control_spec.configs, **FAST})])
    publisher = Recording(KafkaControlPublisher(kafka.bootstrap, topic))
    store = ModelStore(f"sqlite:///{tmp_path / 'models.db'}", KEY, publisher)
    try:
        a_long_history(store, pause=lambda: time.sleep(0.3))  # each phase in segments of its own
        expected = store_table(store)
    finally:
        store.close()
        publisher.publisher.close()
    whole = [value for _, value in publisher.records]
    assert job_table(KEY, whole) == expected

    records = compacted_records(kafka.bootstrap, topic, len(whole))
    left = [record.value for record in records]
    assert len(left) < len(whole)
    assert job_table(KEY, left) == expected, "Python's job logic, from the compacted topic"
    said, live = in_jvm(left, tmp_path)
    assert [s for s in said if "applied" not in s] == [], "every message applies in the JVM too"
    assert live == expected, "the JVM's job logic, from the compacted topic"
