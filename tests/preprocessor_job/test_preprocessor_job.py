"""The preprocessor job on the real broker, every channel at once: the sample records, resent ones, and
2,000 malformed ones mixed in (broken JSON, wrong types, missing ids, negative and absurd amounts, 1 MB
fields, bytes that are not UTF-8, times far in the future or past, unknown types): the job keeps running,
every good event is on `events` once, every bad record on `dlq` once with its reason."""

from __future__ import annotations

import base64
import random
from collections import Counter
from pathlib import Path

import orjson
import pytest

from fraudscore import kafka_io
from fraudscore.events import CanonicalEvent
from fraudscore.local_jobs import LocalJob
from preprocessor_job.job import build
from preprocessor_job.outcome import Rejected
from preprocessor_job.process import preprocess
from tests.pipeline import collect, values
from tests.preprocessor_job.test_adapters import RAW, SAMPLES

pytestmark = pytest.mark.integration

MALFORMED = 2_000


def samples() -> dict[str, list[bytes]]:
    return {channel: (RAW / name).read_bytes().splitlines() for channel, name in SAMPLES.items()}


def malformed(rng: random.Random, channel: str, good: bytes) -> bytes:
    """One broken version of a good record of the channel."""
    kind = rng.randrange(9)
    if kind == 0:  # cut short
        return good[: rng.randrange(1, len(good))]
    if kind == 1:  # bytes that are not UTF-8
        at = rng.randrange(len(good))
        return good[:at] + b"\xff\xfe" + good[at:]
    if kind == 2:  # a 1 MB field, rarely: it costs the broker a megabyte each
        return one_megabyte_id(good) if rng.random() < 0.02 else good[:-3]
    if channel == "atm":
        fields = good.decode().split("|")
        at = rng.randrange(len(fields))
        fields[at] = rng.choice(
            ["", "-5", "9" * 40, "20990101000000", "19700101000000", "+9999", "XYZ", "\u00e9\u00e9"]
        )
        return "|".join(fields).encode()
    record = orjson.loads(good)
    key = rng.choice(sorted(record))
    record[key] = rng.choice([None, [], {}, True, -5, 1e30, "", "x" * 300, "2299-01-01T00:00:00Z", 0, "teleport"])
    return orjson.dumps(record)


def one_megabyte_id(good: bytes) -> bytes:
    """The record with its customer id (or, for a tick, its symbol) a megabyte long."""
    for id_ in (b"c10", b"UNI-USD", b"BCH-USD", b"SOL-USD", b"BTC-USD", b"ETH-USD"):
        if id_ in good:
            return good.replace(id_, id_ + b"9" * 1_000_000, 1)
    return good[:-3]


def expected(channel: str, raw: bytes) -> list:
    """What the job must make of a raw record: the adapters' answer."""
    return preprocess(channel, raw, None)


def test_every_good_record_once_on_events_and_every_bad_one_once_on_dlq(kafka, topics, settings, log_dir):
    rng = random.Random(11)
    sent: dict[str, list[bytes]] = samples()
    broken = 0
    for channel in sorted(sent):  # one megabyte-long id per channel, for sure
        sent[channel].append(one_megabyte_id(samples()[channel][0]))
        broken += 1
    while broken < MALFORMED:  # damage that leaves a record valid (an optional field emptied) does not count
        channel = rng.choice(sorted(sent))
        raw = malformed(rng, channel, rng.choice(samples()[channel]))
        if all(isinstance(o, Rejected) for o in expected(channel, raw)):
            sent[channel].insert(rng.randrange(len(sent[channel]) + 1), raw)
            broken += 1
    sent["web"] += samples()["web"]  # a channel resends: every event is still there once
    sent["ticks"] += samples()["ticks"][:5]
    outcomes = [o for channel, lines in sent.items() for raw in lines for o in expected(channel, raw)]
    want_events = Counter({o.event_id: 1 for o in outcomes if isinstance(o, CanonicalEvent)})
    want_rejects = Counter(o.reason for o in outcomes if isinstance(o, Rejected))
    assert sum(want_events.values()) == 41 and sum(want_rejects.values()) == MALFORMED + 5  # and the samples' own

    env = {"FRAUDSCORE_KAFKA__BOOTSTRAP": kafka.bootstrap, "FRAUDSCORE_KAFKA__TOPIC_PREFIX": topics.prefix,
           "FRAUDSCORE_FLINK__PARALLELISM": "1"}  # fmt: skip
    with LocalJob("preprocessor", env, log_dir) as job:
        for channel, lines in sent.items():
            kafka_io.send(kafka.bootstrap, topics.raw(channel), [(None, line) for line in lines])
        total = sum(want_events.values()) + sum(want_rejects.values())
        records = collect(kafka.bootstrap, [topics.events, topics.dlq], lambda rs: len(rs) >= total, [job], 300)
        assert job.is_alive()

    events = values(records, topics.events)
    rejects = values(records, topics.dlq)
    assert Counter(e["event_id"] for e in events) == want_events
    assert {r["source"] for r in rejects} == {"preprocessor"}
    assert Counter(r["reason"] for r in rejects) == want_rejects
    # Each reject names the raw record it was, and carries its bytes unchanged.
    everything_sent = sum(map(len, sent.values()))
    read = kafka_io.read(kafka.bootstrap, map(topics.raw, sent), lambda rs: len(rs) >= everything_sent)
    raw = {(r.topic, r.partition, r.offset): r.value for r in read}
    assert all(raw[r["topic"], r["partition"], r["offset"]] == raw_bytes(r) for r in rejects)
    assert all(r["topic"] == topics.raw(r["channel"]) for r in rejects)


def raw_bytes(reject: dict) -> bytes:
    return reject["raw"].encode() if "raw" in reject else base64.b64decode(reject["raw_base64"])


def test_the_sample_files_stand_for_every_channel():
    assert sorted(SAMPLES) == sorted(p.stem for p in Path(RAW).iterdir() if p.suffix in (".jsonl", ".txt"))


@pytest.mark.parametrize(("own", "interval_ms"), [(None, 2_000), (500, 500)])
def test_the_preprocessor_checkpoints_at_its_own_interval_when_it_has_one(settings, own, interval_ms):
    """Exactly-once, the scoring job reads its events as each of its checkpoints commits them (README)."""
    job = settings.model_copy(deep=True)
    job.flink.checkpoint_interval_ms = 2_000
    job.preprocessor.checkpoint_interval_ms = own
    assert build(job).get_checkpoint_config().get_checkpoint_interval() == interval_ms
