"""The thin slice on real parts: raw web event -> preprocessor -> events -> scoring -> scores.

Both jobs run as real Flink jobs in embedded mini-clusters against the project's real Kafka broker; the
models are real PMML trained here with scikit-learn and exported with sklearn2pmml.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict

import pytest
from fastapi.testclient import TestClient

from api import create_app
from fraudscore import kafka_io
from fraudscore.demo import train_amount_lr
from fraudscore.local_jobs import LocalJob
from pmml_engine import load_model
from tests.api.conftest import api_settings, auth
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


def test_models_published_through_the_api_go_live_in_the_running_job_and_roll_back(
    kafka, topics, settings, log_dir, tmp_path, pmml_versions
):
    """Upload, threshold, challenger, promotion and rollback through the admin API, each seen in the scores
    of the running job; forged, corrupt, replayed and unsigned messages sent around the API change nothing.
    At least once; rejections on the transactional `dlq` of exactly-once: tests/test_cluster.py."""
    env = job_env(kafka, topics, settings)
    api_config = api_settings(kafka.bootstrap, topics, tmp_path, control_key=settings.control_key)
    with (
        LocalJob("preprocessor", env, log_dir) as pre,
        LocalJob("scoring", env, log_dir) as scoring,
        TestClient(create_app(api_config)) as api,
    ):
        jobs = [pre, scoring]
        published = api.post("/models/fraud_lr/versions", files={"pmml": ("v1.pmml", pmml_versions[1])},
                             headers=auth("operator"))  # fmt: skip
        assert published.status_code == 201, published.text
        wait_until_live(kafka.bootstrap, topics, 1, jobs)
        _rejected_messages_leave_the_live_model_scoring(kafka, topics, settings, pmml_versions, jobs)
        _a_challenger_shadows_the_champion_until_promoted(kafka, topics, api, pmml_versions, jobs)
        _a_rollback_brings_the_old_champion_back(kafka, topics, api, jobs)


def _rejected_messages_leave_the_live_model_scoring(kafka, topics, settings, pmml_versions, jobs) -> None:
    """The API published seq 0; the corrupt model uses up seq 1, and the API's next messages go above all.
    Events on `events` that are not canonical (not JSON; no event id) go to `dlq` too."""
    key = settings.control_key
    forged = deploy(2, "fraud_lr", 2, pmml_versions[2], key="not-the-key")
    corrupt = deploy(1, "fraud_lr", 3, b"<PMML>truncated", key)
    replayed = deploy(0, "fraud_lr", 9, pmml_versions[2], key)
    kafka_io.send(kafka.bootstrap, topics.control, [forged, corrupt, replayed, (b"x", b"unsigned")])
    kafka_io.send(kafka.bootstrap, topics.events, [(b"c9", b"{not json"), (b"c9", b'{"customer_id": "c9"}')])
    kafka_io.send(kafka.bootstrap, topics.raw("web"), events(0, 20))
    records = collect(
        kafka.bootstrap,
        [topics.scores, topics.dlq],
        lambda rs: len(without_probes(values(rs, topics.scores))) >= 20 and sum(r.topic == topics.dlq for r in rs) >= 6,
        jobs,
    )
    scores = without_probes(values(records, topics.scores))
    assert len(scores) == 20
    assert {s["model_version"] for s in scores} == {1}
    reasons = sorted(d["reason"] for d in values(records, topics.dlq))
    assert any("bad control message signature" in r for r in reasons)
    assert any("PMML" in r for r in reasons)
    assert any("stale seq 0" in r for r in reasons)
    assert any("not JSON" in r for r in reasons)
    not_canonical = [d for d in values(records, topics.dlq) if d["reason"] == "not a canonical event"]
    assert sorted(d["raw"] for d in not_canonical) == sorted(["{not json", '{"customer_id": "c9"}'])


def _a_challenger_shadows_the_champion_until_promoted(kafka, topics, api, pmml_versions, jobs) -> None:
    """A threshold changed live (v1 alerts on everything), v2 scored next to it in shadow, then promoted:
    only the champion's alerts reach `alerts`."""
    changed = api.put("/models/fraud_lr/versions/1/threshold", json={"threshold": 0.0}, headers=auth("operator"))
    assert changed.status_code == 200, changed.text
    challenger = api.post("/models/fraud_lr/versions", files={"pmml": ("v2.pmml", pmml_versions[2])},
                          data={"alias": "challenger"}, headers=auth("operator"))  # fmt: skip
    assert challenger.status_code == 201, challenger.text
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

    assert api.post("/models/fraud_lr/versions/2/activate", headers=auth("operator")).status_code == 200
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


def _a_rollback_brings_the_old_champion_back(kafka, topics, api, jobs) -> None:
    """v1 returns as the champion with the threshold it was given (0: every event alerts)."""
    rolled = api.post("/models/fraud_lr/rollback", headers=auth("operator"))
    assert rolled.status_code == 200, rolled.text
    wait_until_live(kafka.bootstrap, topics, 1, jobs)
    kafka_io.send(kafka.bootstrap, topics.raw("web"), events(60, 80))
    records = collect(kafka.bootstrap, [topics.scores, topics.alerts],
                      _scored_and_alerted(topics, range(60, 80), 20), jobs)  # fmt: skip
    scores = _by_event(records, topics.scores, range(60, 80))
    assert {(s["model_version"], s["alias"], s["decision"]) for (s,) in scores.values()} == {(1, "champion", "alert")}
    assert [entry["action"] for entry in api.get("/audit", headers=auth("viewer")).json()][:2] == ["rollback", "live"]


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
