"""The batch formats between the JVM (io.fraudscore.preprocess) and the adapters: the hex strings are the
ones `BatchFormatTest` checks on the Java side; every outcome of a batch is what `preprocess` makes of its
records one at a time."""

from __future__ import annotations

import pickle
import random

import orjson
import pytest

from fraudscore.events import CanonicalEvent
from preprocessor_job.batch import (
    EVENT,
    REJECT,
    RawRecord,
    Source,
    preprocess_batch,
    read_outcomes,
    read_records,
    write_records,
)
from preprocessor_job.outcome import KafkaOrigin, Rejected
from preprocessor_job.process import preprocess
from tests.preprocessor_job.test_adapters import RAW, SAMPLES

# BatchFormatTest.RAW_BATCH: what RawBatch writes for two records.
RAW_BATCH = bytes.fromhex(
    "8003423b0000000000000100000000000000000000000700000000000003e8000000027b7d"
    "00000004000000010000010000000000ffffffffffffffff00000001ff2e"
)
# BatchFormatTest.ANSWER: an event (id w1, key c1) and a reject of the web channel.
ANSWER = bytes.fromhex("00000000020000000200000007773163317b2261223a317d010000000000000003000000027765627b7d")
SOURCES = [Source(f"raw.{channel}", channel) for channel in sorted(SAMPLES)]


def test_the_records_java_writes_are_read():
    assert list(read_records(pickle.loads(RAW_BATCH))) == [
        RawRecord(1, 0, 7, 1_000, b"{}"),
        RawRecord(4, 1, 2**40, -1, b"\xff"),
    ]


@pytest.mark.parametrize("protocol", [3, 4, 5])
def test_the_answer_java_reads(protocol):
    assert list(read_outcomes(ANSWER)) == [(EVENT, b"w1", b"c1", b'{"a":1}'), (REJECT, b"", b"web", b"{}")]
    assert pickle.loads(pickle.dumps(ANSWER, protocol=protocol)) == ANSWER


def test_a_batch_gives_what_each_record_gives_alone():
    rng = random.Random(3)
    records = []
    for n in range(300):
        index = rng.randrange(len(SOURCES))
        lines = (RAW / SAMPLES[SOURCES[index].channel]).read_bytes().splitlines()
        raw = rng.choice(lines)
        records.append(RawRecord(index, n % 2, n, 1_795_320_000_000 + n, raw[: rng.randrange(len(raw) + 1)]))
    want = []
    for record in records:
        source = SOURCES[record.topic]
        for outcome in preprocess(source.channel, record.value, record.timestamp_ms):
            if isinstance(outcome, CanonicalEvent):
                want.append((EVENT, outcome.event_id.encode(), outcome.partition_key.encode(), outcome.to_json()))
            elif isinstance(outcome, Rejected):
                origin = KafkaOrigin(source.topic, record.partition, record.offset)
                dlq = outcome.dlq_record(source.channel, record.value, origin)
                want.append((REJECT, b"", source.channel.encode(), dlq))
    batch = write_records(records)
    assert list(read_outcomes(preprocess_batch(batch, SOURCES))) == want
    assert {kind for kind, *_ in want} == {EVENT, REJECT}


def test_a_record_with_no_kafka_time_is_adapted_as_one_without_ingestion_time():
    web = (RAW / SAMPLES["web"]).read_bytes().splitlines()[0]
    index = [s.channel for s in SOURCES].index("web")
    (_, _, _, json), *_ = read_outcomes(preprocess_batch(write_records([RawRecord(index, 0, 0, -1, web)]), SOURCES))
    assert orjson.loads(json)["ingested_ms"] is None
