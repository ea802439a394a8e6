"""Raw records to the adapters in batches and their outcomes back, one call into Python per batch: the
formats of the JVM's io.fraudscore.preprocess (`RawBatch` writes the records, `Outcomes` reads the answer).

A batch of records, per record, big-endian: topic index, partition (int32), offset, Kafka timestamp in ms
(-1 if none; int64), length (int32), the raw bytes. The answer, per outcome: kind (int8: 0 an event, 1 a
reject), the lengths of id, key and value (int32), then those bytes: an event's natural id (the
de-duplication key), its key on `events` and its canonical JSON; a reject's channel and `dlq` record.
Dropped records leave nothing.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from fraudscore.events import CanonicalEvent
from preprocessor_job.outcome import KafkaOrigin, Rejected
from preprocessor_job.process import preprocess

_RECORD = struct.Struct(">iiqqi")
_OUTCOME = struct.Struct(">biii")
EVENT, REJECT = 0, 1


class RawRecord(NamedTuple):
    """One raw Kafka record of a batch; `topic` is an index into the job's list of sources."""

    topic: int
    partition: int
    offset: int
    timestamp_ms: int
    value: bytes


class Source(NamedTuple):
    """A raw topic and the channel whose adapter reads it."""

    topic: str
    channel: str


def read_records(batch: bytes) -> Iterator[RawRecord]:
    """The records of a batch, in order.

    >>> list(read_records(write_records([RawRecord(1, 0, 7, 1_000, b"{}")])))
    [RawRecord(topic=1, partition=0, offset=7, timestamp_ms=1000, value=b'{}')]
    """
    at, end, unpack = 0, len(batch), _RECORD.unpack_from
    while at < end:
        topic, partition, offset, timestamp_ms, length = unpack(batch, at)
        at += _RECORD.size
        yield RawRecord(topic, partition, offset, timestamp_ms, batch[at : at + length])
        at += length


def write_records(records: Iterable[RawRecord]) -> bytes:
    """A batch as `RawBatch` writes it (inside its pickle): for tests and benches."""
    return b"".join(_RECORD.pack(*r[:4], len(r.value)) + r.value for r in records)


def preprocess_batch(batch: bytes, sources: Sequence[Source]) -> bytes:
    """Every record of a batch through its channel's adapter (`preprocess`, the one entry point), the
    outcomes written for `Outcomes`: each event with its id, key and JSON, each reject as its `dlq` record.

    >>> import orjson
    >>> answer = preprocess_batch(write_records([RawRecord(0, 1, 9, -1, b"{cut")]), [Source("raw.web", "web")])
    >>> [(kind, key, orjson.loads(value)["offset"]) for kind, _, key, value in read_outcomes(answer)]
    [(1, b'web', 9)]
    """
    out: list[bytes] = []
    pack = _OUTCOME.pack
    for topic, partition, offset, timestamp_ms, raw in read_records(batch):
        source = sources[topic]
        for outcome in preprocess(source.channel, raw, timestamp_ms if timestamp_ms >= 0 else None):
            if isinstance(outcome, CanonicalEvent):
                id_, key, value = outcome.event_id.encode(), outcome.partition_key.encode(), outcome.to_json()
                out += (pack(EVENT, len(id_), len(key), len(value)), id_, key, value)
            elif isinstance(outcome, Rejected):
                key = source.channel.encode()
                value = outcome.dlq_record(source.channel, raw, KafkaOrigin(source.topic, partition, offset))
                out += (pack(REJECT, 0, len(key), len(value)), key, value)
    return b"".join(out)


def read_outcomes(answer: bytes) -> Iterator[tuple[int, bytes, bytes, bytes]]:
    """(kind, id, key, value) of each outcome in an answer, as `Outcomes` reads them: for tests."""
    at, end = 0, len(answer)
    while at < end:
        kind, *lengths = _OUTCOME.unpack_from(answer, at)
        at += _OUTCOME.size
        fields = []
        for length in lengths:
            fields.append(answer[at : at + length])
            at += length
        yield kind, *fields
