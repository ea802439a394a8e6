"""Plain Kafka clients for the CLI, the demo and tests: send records, read a topic from the start."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from fraudscore import kafka_crc  # noqa: F401  (the clients made here, and by importers, checksum in C)


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    timestamp_ms: int


def send(bootstrap: str, topic: str, records: Iterable[tuple[bytes | None, bytes]]) -> int:
    """Send (key, value) records and wait until the broker has them all; return how many."""
    # Batches of up to 1 MB: a test or the bench sends tens of thousands of events in one call.
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", max_request_size=64 * 1024 * 1024,
                             batch_size=1024 * 1024)  # fmt: skip
    try:
        count = 0
        for key, value in records:
            producer.send(topic, key=key, value=value)
            count += 1
        producer.flush()
        return count
    finally:
        producer.close()


class Follower:
    """New records of `topics` as they arrive, from the beginning (or only those after now), one poll at a
    time."""

    def __init__(
        self, bootstrap: str, topics: Iterable[str], committed_only: bool = True, *, from_end: bool = False
    ) -> None:
        self._consumer = _consumer_from_start(bootstrap, topics, committed_only)
        if from_end:
            self._consumer.seek_to_end(*self._consumer.assignment())

    def poll(self, timeout_s: float = 1) -> list[Record]:
        batches = self._consumer.poll(timeout_ms=int(timeout_s * 1000)).values()
        return [Record(m.topic, m.partition, m.offset, m.key, m.value, m.timestamp) for b in batches for m in b]

    def to_end(self, timeout_s: float = 30) -> list[Record]:
        """The records up to the end offsets the topics have when called."""
        ends = self._consumer.end_offsets(list(self._consumer.assignment()))
        records: list[Record] = []
        deadline = time.monotonic() + timeout_s
        while any(self._consumer.position(partition) < end for partition, end in ends.items()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"not at the end offsets {ends} after {timeout_s:.0f} s")
            records.extend(self.poll(timeout_s=0.5))
        return records

    @property
    def assigned(self) -> bool:
        """Whether any partition is read: none when the topics did not exist when the follower was made."""
        return bool(self._consumer.assignment())

    def close(self) -> None:
        self._consumer.close()

    def __enter__(self) -> Follower:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def read(
    bootstrap: str,
    topics: Iterable[str],
    until: Callable[[list[Record]], bool] = lambda _: False,
    timeout_s: float = 60,
    committed_only: bool = True,
) -> list[Record]:
    """Every record of `topics` from the beginning, until `until(records)` holds or time runs out."""
    records: list[Record] = []
    with Follower(bootstrap, topics, committed_only) as follower:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            records.extend(follower.poll(timeout_s=0.5))
            if until(records):
                break
    return records


def wait_for_records(
    bootstrap: str, topic: str, count: int, timeout_s: float = 60, committed_only: bool = False
) -> None:
    """Until `topic`'s partitions hold `count` records (committed or not), by their end offsets alone: a
    watcher that reads no records, so that it costs the broker and this machine next to nothing. With
    `committed_only`, by their last stable offsets: committed records, but a transaction's commit marker
    takes an offset too, so it counts them."""
    isolation = "read_committed" if committed_only else "read_uncommitted"
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, isolation_level=isolation)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        deadline = time.monotonic() + timeout_s
        while sum(consumer.end_offsets(partitions).values()) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{topic} has not {count} records after {timeout_s:.0f} s")
            time.sleep(0.5)
    finally:
        consumer.close()


def read_to_end(bootstrap: str, topic: str, timeout_s: float = 30) -> list[Record]:
    """Every committed record of `topic` as of now (none of a topic that does not exist)."""
    with Follower(bootstrap, [topic]) as follower:
        return follower.to_end(timeout_s)


def _consumer_from_start(bootstrap: str, topics: Iterable[str], committed_only: bool) -> KafkaConsumer:
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        isolation_level="read_committed" if committed_only else "read_uncommitted",
        fetch_max_bytes=64 * 1024 * 1024,
        max_partition_fetch_bytes=64 * 1024 * 1024,
    )
    partitions = [TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or ())]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    return consumer
