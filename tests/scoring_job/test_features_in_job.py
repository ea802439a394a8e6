"""Features in the scoring job, on the real broker and Flink: a feature set deployed through `control`
computes every block where its key lives (card, device, card and merchant, merchant), each event's parts
come together again before it is scored, and the features on `scores` are those `fraudscore dsl eval`
computes over the same events (train/serve parity)."""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import orjson
import pytest

from dsl import parse
from fraudscore import control, kafka_io
from fraudscore.local_jobs import LocalJob
from fraudscore.traffic import Traffic
from tests.pipeline import collect, deploy, values

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EVENTS = 2_500
# Every payments feature a model can read as a number, and the others by their type.
NUMERIC = ["txn_count_1h", "declined_10m", "amount_sum_24h", "amount_avg_30d", "amount_max_7d", "amount_std_30d",
           "merchants_7d", "countries_24h", "secs_since_last", "amount_ratio", "amount_z", "burst_5m", "amount_ewma",
           "recent_avg_10", "cards_on_device_24h", "logins_1h", "merchant_txn_1h", "merchant_declines_1h",
           "merchant_decline_rate", "merchant_cards_7d", "merchant_avg_7d", "merchant_amount_z"]  # fmt: skip
OTHER = {"last_country": "string", "new_country": "boolean", "risky_mcc": "boolean", "seen_merchant_before": "boolean"}


def regression_over_features() -> bytes:
    """A regression over every feature (missing ones read as 0), so that its score records carry them all."""
    fields = "".join(f'<DataField name="{n}" optype="continuous" dataType="double"/>' for n in NUMERIC)
    fields += "".join(f'<DataField name="{n}" optype="categorical" dataType="{t}"/>' for n, t in OTHER.items())
    mining = "".join(f'<MiningField name="{n}" missingValueReplacement="0"/>' for n in NUMERIC)
    mining += "".join(f'<MiningField name="{n}"/>' for n in OTHER)
    predictors = "".join(f'<NumericPredictor name="{n}" coefficient="0.001"/>' for n in NUMERIC)
    return f"""<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/>
<DataDictionary>{fields}<DataField name="risk" optype="continuous" dataType="double"/></DataDictionary>
<RegressionModel functionName="regression"><MiningSchema><MiningField name="risk" usageType="target"/>{mining}
</MiningSchema><RegressionTable intercept="0.1">{predictors}</RegressionTable></RegressionModel></PMML>""".encode()


def generated_events() -> list[bytes]:
    """Canonical events from the traffic generator: card, web, mobile and ATM activity, fraud, FX ticks."""
    traffic = Traffic(seed=5, customers=40, fraud_rate=0.02, fx_share=0.05)
    return [event.to_json() for event, _ in traffic.events(EVENTS)]


@pytest.fixture(scope="module")
def events() -> list[bytes]:
    return generated_events()


def dsl_eval(dsl: Path, events: list[bytes], tmp_path: Path) -> dict[str, dict]:
    """`fraudscore dsl eval` over the events, as a user runs it: features by event id."""
    source = tmp_path / "events.jsonl"
    source.write_bytes(b"\n".join(events) + b"\n")
    out = tmp_path / "features.jsonl"
    cli = Path(sys.executable).parent / "fraudscore"
    subprocess.run([cli, "dsl", "eval", str(dsl), "--events", str(source), "--output", str(out)], check=True)
    return {line["event_id"]: line["features"] for line in map(orjson.loads, out.read_bytes().splitlines())}


def same_features(got: dict, want: dict) -> bool:
    """The job's features are `dsl eval`'s: the same names and values, floats to a relative 1e-12. While the job
    computes features with the Python reference engine (until its per-event path moves to the JVM), a value
    that goes through a power or a logarithm (ewma's decay, logret) may differ in its last bit: libm and the
    JVM round those apart. Everything else is equal exactly."""
    if got.keys() != want.keys():
        return False
    return all(_same_value(got[name], want[name]) for name in want)


def _same_value(got: object, want: object) -> bool:
    if type(got) is float and type(want) is float:
        return math.isclose(got, want, rel_tol=1e-12)
    return got == want and type(got) is type(want)


def job_env(kafka, topics, settings, **extra: str) -> dict[str, str]:
    return {"FRAUDSCORE_KAFKA__BOOTSTRAP": kafka.bootstrap, "FRAUDSCORE_KAFKA__TOPIC_PREFIX": topics.prefix,
            "FRAUDSCORE_CONTROL_KEY": settings.control_key, "FRAUDSCORE_FLINK__PARALLELISM": "1", **extra}  # fmt: skip


def publish_features_and_model(kafka, topics, settings) -> None:
    dsl = (EXAMPLES / "payments.fdsl").read_text()
    kafka_io.send(kafka.bootstrap, topics.control, [
        control.features_message(1, "payments", dsl, settings.control_key),
        deploy(2, "risk", 1, regression_over_features(), settings.control_key, threshold=0.9),
    ])  # fmt: skip


def wait_for_features(kafka, topics, job, label: str | None = "payments:1", timeout_s: float = 120) -> None:
    """Send probe events (a card and a device of their own, so two parts) until one is scored with `label`
    (None: no feature set) and nothing missing: then every operator has the feature set and the models."""
    deadline = time.monotonic() + timeout_s
    for n in itertools.count():
        probe = {"event_id": f"probe-{n}", "event_type": "login", "ts": 1_795_320_000_000, "channel": "web",
                 "customer_id": "probe", "card_id": f"probe-card-{n}", "device_id": f"probe-device-{n}"}  # fmt: skip
        kafka_io.send(kafka.bootstrap, topics.events, [(b"probe", orjson.dumps(probe))])
        scores = values(kafka_io.read(kafka.bootstrap, [topics.scores], timeout_s=1), topics.scores)
        if any(s["features_version"] == label and not s["missing_parts"] for s in scores):
            return
        assert job.is_alive() and time.monotonic() < deadline, f"{label} never went live:\n{job.log_tail()}"


def without_probes(scores: list[dict]) -> list[dict]:
    return [s for s in scores if not s["event_id"].startswith("probe-")]


def all_scored(topics, events: list[bytes]):
    return lambda records: len(without_probes(values(records, topics.scores))) >= len(events)


def send_events_in_order(kafka, topics, events: list[bytes]) -> None:
    # One key, so one partition: the job sees the events in the order `dsl eval` reads them. (A merchant's
    # events come from many customers; over several partitions their order, and so an out-of-order event's
    # windows, would depend on how the partitions interleave.)
    kafka_io.send(kafka.bootstrap, topics.events, [(b"in-order", event) for event in events])


def test_features_on_scores_are_those_dsl_eval_computes(kafka, topics, settings, log_dir, events, tmp_path):
    """The events are on `events` before the job starts: its very first events are scored by the feature set
    and model already on `control` (read when the job is built), not by nothing."""
    want = dsl_eval(EXAMPLES / "payments.fdsl", events, tmp_path)
    publish_features_and_model(kafka, topics, settings)
    send_events_in_order(kafka, topics, events)
    with LocalJob("scoring", job_env(kafka, topics, settings), log_dir) as job:
        records = collect(kafka.bootstrap, [topics.scores], all_scored(topics, events), [job], 300)
    scores = without_probes(values(records, topics.scores))
    assert Counter(s["event_id"] for s in scores) == Counter({orjson.loads(e)["event_id"]: 1 for e in events})
    for score in scores:
        assert score["features_version"] == "payments:1"
        assert score["missing_parts"] == []
        assert same_features(score["features"], want[score["event_id"]]), (score["features"], want[score["event_id"]])
    # Every path through the job was taken: events with several parts, with one, with none (ticks).
    kinds = Counter(event_shape(orjson.loads(e)) for e in events)
    assert kinds["several parts"] > 100 and kinds["one part"] > 10 and kinds["no part"] > 10
    # Just deployed: features that look back over time say so; those that do not, do not.
    warming = set().union(*(s["warming"] for s in scores))
    assert {"txn_count_1h", "amount_avg_30d", "amount_ratio"} <= warming
    assert not warming & {"risky_mcc", "amount_ewma", "recent_avg_10"}


def event_shape(event: dict) -> str:
    card, device, merchant = (event.get(key) is not None for key in ("card_id", "device_id", "merchant_id"))
    parts = card + device + merchant + (card and merchant)
    return {0: "no part", 1: "one part"}.get(parts, "several parts")


def test_a_part_later_than_the_wait_is_scored_without_and_never_twice(kafka, topics, settings, log_dir, events):
    """With no wait at all most events are scored before their parts are in: each still once per model,
    and each names the parts it went without; the features it carries are those that had arrived."""
    publish_features_and_model(kafka, topics, settings)
    env = job_env(kafka, topics, settings, FRAUDSCORE_SCORING__PART_WAIT_MS="0", FRAUDSCORE_SCORING__START_WAIT_MS="0")
    with LocalJob("scoring", env, log_dir) as job:
        wait_for_features(kafka, topics, job)
        send_events_in_order(kafka, topics, events)
        collect(kafka.bootstrap, [topics.scores], all_scored(topics, events), [job], 300)
        records = kafka_io.read(kafka.bootstrap, [topics.scores], timeout_s=5)  # anything scored twice is in by now
    scores = without_probes(values(records, topics.scores))
    assert Counter(s["event_id"] for s in scores) == Counter({orjson.loads(e)["event_id"]: 1 for e in events})
    assert any(s["missing_parts"] for s in scores)
    features_of = {b.name: {f.name for f in b.features} for b in parse((EXAMPLES / "payments.fdsl").read_text()).blocks}
    for score in scores:
        went_without = set().union(*(features_of[part] for part in score["missing_parts"]))
        assert not went_without & set(score["features"]), score


def test_a_crash_mid_stream_restores_every_key_s_features_and_scores_each_event_once(
    kafka, topics, settings, log_dir, events, tmp_path
):
    """Exactly-once: the job and its mini-cluster killed while events flow, a new one started from the last
    checkpoint: each event scored once, with the features `dsl eval` gives, so no key's state was lost or
    counted an event twice. On RocksDB with incremental checkpoints (the heap backend's restore is the cluster
    failover's test): every key's state goes through its bytes at each event, and the restore reads files
    written by several checkpoints."""
    want = dsl_eval(EXAMPLES / "payments.fdsl", events, tmp_path)
    publish_features_and_model(kafka, topics, settings)
    env = job_env(kafka, topics, settings, FRAUDSCORE_FLINK__DELIVERY="exactly-once",
                  FRAUDSCORE_FLINK__CHECKPOINT_DIR=str(tmp_path / "checkpoints"),
                  FRAUDSCORE_FLINK__STATE_BACKEND="rocksdb")  # fmt: skip
    half = len(events) // 2
    first = LocalJob("scoring", env, log_dir / "before")
    try:
        wait_for_features(kafka, topics, first)
        send_events_in_order(kafka, topics, events[:half])
        collect(kafka.bootstrap, [topics.scores], all_scored(topics, events[: half // 3]), [first])  # mid-stream
    finally:
        first.kill()
    send_events_in_order(kafka, topics, events[half:])
    with LocalJob("scoring", env, log_dir / "after") as second:
        collect(kafka.bootstrap, [topics.scores], all_scored(topics, events), [second], 300)
        records = kafka_io.read(kafka.bootstrap, [topics.scores], timeout_s=3 * 2)  # two more checkpoints
    scores = without_probes(values(records, topics.scores))
    assert Counter(s["event_id"] for s in scores) == Counter({orjson.loads(e)["event_id"]: 1 for e in events})
    assert all(same_features(score["features"], want[score["event_id"]]) for score in scores)
