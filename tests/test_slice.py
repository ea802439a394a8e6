"""The thin slice on real parts: raw web event -> preprocessor -> events -> scoring -> scores.

Both jobs run as real Flink jobs in embedded mini-clusters against the project's real Kafka broker; the
models are real PMML trained here with scikit-learn and exported with sklearn2pmml.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict

import pytest

from fraudscore import control, kafka_io
from fraudscore.demo import train_amount_lr
from fraudscore.local_jobs import LocalJob
from pmml_engine import load_model
from tests.pipeline import collect, deploy, values, wait_until_live, web_payment, without_probes

pytestmark = pytest.mark.integration

CUSTOMERS = ("c0", "c1", "c2")


def amount_of(n: int) -> float:
    return float(37 + (n * 97) % 900)


def events(first: int, last: int) -> list[tuple[bytes, bytes]]:
    # Keyed by customer, as channels should publish: one customer's events keep their order.
    return [(CUSTOMERS[n % 3].encode(), web_payment(n, CUSTOMERS[n % 3], amount_of(n))) for n in range(first, last)]


@pytest.fixture(scope="module")
def pmml_versions() -> dict[int, bytes]:
    return {1: train_amount_lr(seed=0, positive_above=500), 2: train_amount_lr(seed=1, positive_above=300)}


def job_env(kafka, topics, settings, delivery: str = "at-least-once") -> dict[str, str]:
    return {
        "FRAUDSCORE_FLINK__DELIVERY": delivery,
        "FRAUDSCORE_KAFKA__BOOTSTRAP": kafka.bootstrap,
        "FRAUDSCORE_KAFKA__TOPIC_PREFIX": topics.prefix,
        "FRAUDSCORE_CONTROL_KEY": settings.control_key,
        # One scoring subtask: "scored after v2 was seen" then means "scored by v2".
        "FRAUDSCORE_FLINK__PARALLELISM": "1",
    }


def test_hot_swap_scores_every_event_once_with_the_version_live_at_the_time(
    kafka, topics, settings, log_dir, pmml_versions
):
    env = job_env(kafka, topics, settings)
    key = settings.control_key
    with LocalJob("preprocessor", env, log_dir) as pre, LocalJob("scoring", env, log_dir) as scoring:
        jobs = [pre, scoring]
        kafka_io.send(kafka.bootstrap, topics.control, [deploy(1, "fraud_lr", 1, pmml_versions[1], key)])
        wait_until_live(kafka.bootstrap, topics, 1, jobs)
        kafka_io.send(kafka.bootstrap, topics.raw("web"), [*events(0, 40), (None, b"{not json")])
        collect(
            kafka.bootstrap,
            [topics.scores],
            lambda rs: len(without_probes(values(rs, topics.scores))) >= 40,
            jobs,
        )

        # Version 2 is published while events keep flowing.
        flowing = threading.Thread(target=_send_slowly, args=(kafka.bootstrap, topics.raw("web"), 40, 100))
        flowing.start()
        kafka_io.send(kafka.bootstrap, topics.control, [deploy(2, "fraud_lr", 2, pmml_versions[2], key)])
        flowing.join()
        collect(
            kafka.bootstrap,
            [topics.scores],
            lambda rs: any(b'"model_version":2' in r.value for r in rs),
            jobs,
        )
        kafka_io.send(kafka.bootstrap, topics.raw("web"), events(100, 140))
        outputs = [topics.scores, topics.alerts, topics.dlq]
        records = collect(kafka.bootstrap, outputs, _all_scores_and_alerts(topics), jobs)

    scores = without_probes(values(records, topics.scores))
    by_event = {s["event_id"]: s for s in scores}
    assert Counter(s["event_id"] for s in scores).most_common(1)[0][1] == 1, "an event was scored twice"
    assert set(by_event) == {f"web-r{n}" for n in range(140)}, "an event was lost"
    assert {by_event[f"web-r{n}"]["model_version"] for n in range(40)} == {1}
    assert {by_event[f"web-r{n}"]["model_version"] for n in range(100, 140)} == {2}
    _assert_versions_never_go_back_per_customer(by_event)
    _assert_each_score_is_its_versions_pmml_output(by_event, pmml_versions)
    alerts = without_probes(values(records, topics.alerts))
    assert sorted(a["event_id"] for a in alerts) == sorted(s["event_id"] for s in scores if s["decision"] == "alert")
    assert any("not JSON" in d["reason"] for d in values(records, topics.dlq))


def test_control_messages_change_a_running_job_and_rejected_ones_change_nothing(
    kafka, topics, settings, log_dir, pmml_versions
):
    """At least once; rejections on the transactional `dlq` of exactly-once: tests/test_cluster.py."""
    env = job_env(kafka, topics, settings)
    with LocalJob("preprocessor", env, log_dir) as pre, LocalJob("scoring", env, log_dir) as scoring:
        jobs = [pre, scoring]
        first = deploy(1, "fraud_lr", 1, pmml_versions[1], settings.control_key)
        kafka_io.send(kafka.bootstrap, topics.control, [first])
        wait_until_live(kafka.bootstrap, topics, 1, jobs)
        _rejected_messages_leave_the_live_model_scoring(kafka, topics, settings, pmml_versions, jobs)
        _a_challenger_shadows_the_champion_until_promoted(kafka, topics, settings, pmml_versions, jobs)


def _rejected_messages_leave_the_live_model_scoring(kafka, topics, settings, pmml_versions, jobs) -> None:
    key = settings.control_key
    forged = deploy(2, "fraud_lr", 2, pmml_versions[2], key="not-the-key")
    corrupt = deploy(3, "fraud_lr", 3, b"<PMML>truncated", key)
    replayed = deploy(1, "fraud_lr", 9, pmml_versions[2], key)
    kafka_io.send(kafka.bootstrap, topics.control, [forged, corrupt, replayed, (b"x", b"unsigned")])
    kafka_io.send(kafka.bootstrap, topics.raw("web"), events(0, 20))
    records = collect(
        kafka.bootstrap,
        [topics.scores, topics.dlq],
        lambda rs: len(without_probes(values(rs, topics.scores))) >= 20 and sum(r.topic == topics.dlq for r in rs) >= 4,
        jobs,
    )
    scores = without_probes(values(records, topics.scores))
    assert len(scores) == 20
    assert {s["model_version"] for s in scores} == {1}
    reasons = sorted(d["reason"] for d in values(records, topics.dlq))
    assert any("bad control message signature" in r for r in reasons)
    assert any("PMML" in r for r in reasons)
    assert any("stale seq 1" in r for r in reasons)
    assert any("not JSON" in r for r in reasons)


def _a_challenger_shadows_the_champion_until_promoted(kafka, topics, settings, pmml_versions, jobs) -> None:
    """A threshold changed live (v1 alerts on everything), v2 scored next to it in shadow, then promoted:
    only the champion's alerts reach `alerts`. Seq 3 went to the corrupt model above."""
    key = settings.control_key
    to_zero = control.encode("model.update", 4, "fraud_lr", key, version=1, payload={"threshold": 0.0})
    challenger = deploy(5, "fraud_lr", 2, pmml_versions[2], key, alias="challenger")
    kafka_io.send(kafka.bootstrap, topics.control, [(b"fraud_lr", to_zero), challenger])
    wait_until_live(kafka.bootstrap, topics, 2, jobs, alias="challenger")  # the update came before it
    kafka_io.send(kafka.bootstrap, topics.raw("web"), events(20, 40))
    outputs = [topics.scores, topics.alerts]
    records = collect(kafka.bootstrap, outputs, _scored_and_alerted(topics, range(20, 40), 40), jobs)
    scores, alerts = _by_event(records, topics.scores, range(20, 40)), _by_event(records, topics.alerts, range(20, 40))
    for event_id, (champion, shadow) in scores.items():
        assert (champion["model_version"], champion["mode"], champion["decision"]) == (1, "active", "alert")
        assert champion["threshold"] == 0.0
        assert (shadow["model_version"], shadow["alias"], shadow["mode"]) == (2, "challenger", "shadow")
        assert [a["model_version"] for a in alerts.get(event_id, [])] == [1], "only the champion alerts"

    promote = control.encode("alias.set", 6, "fraud_lr", key, version=2, payload={"alias": "champion"})
    kafka_io.send(kafka.bootstrap, topics.control, [(b"fraud_lr", promote)])
    wait_until_live(kafka.bootstrap, topics, 2, jobs)
    kafka_io.send(kafka.bootstrap, topics.raw("web"), events(40, 60))
    records = collect(kafka.bootstrap, outputs, _scored_and_alerted(topics, range(40, 60), 20), jobs)
    scores = _by_event(records, topics.scores, range(40, 60))
    assert {(s["model_version"], s["alias"], s["mode"], s["threshold"]) for (s,) in scores.values()} == {
        (2, "champion", "active", 0.5)
    }
    alerted = {e for e, (s,) in scores.items() if s["decision"] == "alert"}
    assert 0 < len(alerted) < 20
    assert set(_by_event(records, topics.alerts, range(40, 60))) == alerted


def _by_event(records, topic: str, numbers: range) -> dict[str, list[dict]]:
    """The records of those events, each event's sorted by version."""
    wanted = {f"web-r{n}" for n in numbers}
    by_event: dict[str, list[dict]] = defaultdict(list)
    for record in values(records, topic):
        if record["event_id"] in wanted:
            by_event[record["event_id"]].append(record)
    return {e: sorted(rs, key=lambda r: r["model_version"]) for e, rs in by_event.items()}


def _scored_and_alerted(topics, numbers: range, scores: int):
    """Done when `scores` score records of those events are in, and every alert their active ones decided."""

    def done(records) -> bool:
        scored = [s for rs in _by_event(records, topics.scores, numbers).values() for s in rs]
        alerting = sum(s["decision"] == "alert" and s["mode"] == "active" for s in scored)
        alerts = sum(len(rs) for rs in _by_event(records, topics.alerts, numbers).values())
        return len(scored) >= scores and alerts >= alerting

    return done


def _send_slowly(bootstrap: str, topic: str, first: int, last: int) -> None:
    for start in range(first, last, 5):
        kafka_io.send(bootstrap, topic, events(start, min(start + 5, last)))
        time.sleep(0.1)


def _assert_versions_never_go_back_per_customer(by_event: dict[str, dict]) -> None:
    versions = defaultdict(list)
    for n in range(140):
        score = by_event[f"web-r{n}"]
        versions[score["customer_id"]].append(score["model_version"])
    for customer, seen in versions.items():
        assert seen == sorted(seen), f"{customer} went back to an older version: {seen}"


def _all_scores_and_alerts(topics):
    """Done when the 140 payments are scored and every alert among them has arrived on its own topic."""

    def done(records) -> bool:
        scores = without_probes(values(records, topics.scores))
        alerting = sum(s["decision"] == "alert" for s in scores)
        return len(scores) >= 140 and len(without_probes(values(records, topics.alerts))) >= alerting

    return done


def _assert_each_score_is_its_versions_pmml_output(by_event: dict[str, dict], pmml: dict[int, bytes]) -> None:
    reference = {v: load_model(p) for v, p in pmml.items()}
    for n in range(0, 140, 7):
        score = by_event[f"web-r{n}"]
        expected = reference[score["model_version"]].score_one({"amount": amount_of(n)})
        assert score["outputs"] == pytest.approx(expected, rel=1e-12)
        assert score["score"] == pytest.approx(expected["probability(1)"], rel=1e-12)
