"""The same job files on a real standalone Flink cluster (a JobManager and two TaskManagers, separate
processes), submitted with `flink run -py` at parallelism 2: each event scored once by its model, and a
TaskManager lost mid-stream costs no score and repeats none."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from fraudscore import control, kafka_io
from fraudscore.broker import free_port
from fraudscore.cli import JOB_FILES
from fraudscore.demo import train_amount_lr
from fraudscore.flink_cluster import StandaloneCluster
from fraudscore.topics import Topics
from pmml_engine import load_model
from tests.pipeline import collect, deploy, values, wait_until_live, web_payment, without_probes
from tests.scoring_job.test_features_in_job import (
    EXAMPLES,
    all_scored,
    dsl_eval,
    generated_events,
    publish_features_and_model,
    same_features,
    send_events_in_order,
    wait_for_features,
)
from tests.scoring_job.test_features_in_job import without_probes as without_scoring_probes

pytestmark = pytest.mark.integration

EVENTS = 60


@pytest.fixture(scope="module")
def standalone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandaloneCluster]:
    cluster = StandaloneCluster(tmp_path_factory.mktemp("flink"), rest_port=free_port())
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


class ClusterJob:
    """A job submitted to the standalone cluster, seen through the same surface as LocalJob."""

    def __init__(self, cluster: StandaloneCluster, name: str, env: dict[str, str]) -> None:
        self.cluster, self.name = cluster, name
        self.job_id = cluster.submit(JOB_FILES[name], parallelism=2, env=env)

    def is_alive(self) -> bool:
        return self.cluster.job_state(self.job_id) in ("CREATED", "INITIALIZING", "RUNNING", "RESTARTING")

    def log_tail(self, lines: int = 60) -> str:
        logs = sorted(self.cluster.log_dir.glob("*.log"))
        return "\n".join("\n".join(p.read_text(errors="replace").splitlines()[-lines:]) for p in logs)

    def stop(self) -> None:
        self.cluster.cancel(self.job_id)


def cluster_env(kafka, topics: Topics, settings, **extra: str) -> dict[str, str]:
    """The jobs' settings; parallelism is `flink run -p`'s."""
    return {"FRAUDSCORE_KAFKA__BOOTSTRAP": kafka.bootstrap, "FRAUDSCORE_KAFKA__TOPIC_PREFIX": topics.prefix,
            "FRAUDSCORE_CONTROL_KEY": settings.control_key, **extra}  # fmt: skip


def amount_of(n: int) -> float:
    return 20.0 + 17 * n


def run_scenario(kafka, topics: Topics, jobs, key: str, pmml: bytes) -> dict[str, tuple]:
    """Publish a model, send EVENTS payments; return each event's (version, score, decision)."""
    kafka_io.send(kafka.bootstrap, topics.control, [deploy(1, "fraud_lr", 1, pmml, key)])
    wait_until_live(kafka.bootstrap, topics, 1, jobs)
    payments = [(f"c{n % 5}".encode(), web_payment(n, f"c{n % 5}", amount_of(n))) for n in range(EVENTS)]
    kafka_io.send(kafka.bootstrap, topics.raw("web"), payments)
    records = collect(
        kafka.bootstrap, [topics.scores],
        lambda rs: len(without_probes(values(rs, topics.scores))) >= EVENTS, jobs,
    )  # fmt: skip
    scores = without_probes(values(records, topics.scores))
    assert len(scores) == EVENTS, "an event was scored twice"
    return {s["event_id"]: (s["model_version"], s["score"], s["decision"]) for s in scores}


def test_flink_run_at_parallelism_2_scores_every_event_with_its_model(kafka, settings, standalone):
    pmml = train_amount_lr()
    topics = Topics(f"cluster.{free_port()}.")
    kafka.create_topics(topics.specs())
    # Told nothing of the cluster's changelog storage (Flink's default keeps it in memory), no job logs to it.
    env = cluster_env(kafka, topics, settings, FRAUDSCORE_FLINK__CLUSTER_CHANGELOG_ON_FILES="false")
    jobs = [ClusterJob(standalone, name, env) for name in ("preprocessor", "scoring")]
    assert standalone.registered_task_managers() == 2
    try:
        results = run_scenario(kafka, topics, jobs, settings.control_key, pmml)
    finally:
        for job in jobs:
            job.stop()
    assert set(results) == {f"web-r{n}" for n in range(EVENTS)}
    assert not any((standalone.changelog_dir / job.job_id).exists() for job in jobs)
    reference = load_model(pmml)
    for n in range(EVENTS):
        version, score, decision = results[f"web-r{n}"]
        expected = reference.score_one({"amount": amount_of(n)})["probability(1)"]
        assert (version, score) == (1, pytest.approx(expected, rel=1e-12))
        assert decision == ("alert" if score >= 0.5 else "ok")


def task_manager_logs(standalone: StandaloneCluster) -> str:
    return "".join(p.read_text(errors="replace") for p in standalone.log_dir.glob("*taskexecutor*.log"))


def materializations(standalone: StandaloneCluster) -> int:
    """How many times the cluster's feature operators have written their whole state since it started."""
    return len(re.findall(r"Task ComputeFeatures \S+ finishes materialization", task_manager_logs(standalone)))


def wait_for_materializations(
    standalone: StandaloneCluster, count: int, job: ClusterJob, timeout_s: float = 60
) -> None:
    deadline = time.monotonic() + timeout_s
    while materializations(standalone) < count:
        assert time.monotonic() < deadline, f"the features' state was never written whole:\n{job.log_tail()}"
        time.sleep(0.5)


def test_a_task_manager_killed_mid_stream_fails_over_and_scores_each_event_once(
    kafka, settings, standalone, tmp_path: Path
):
    """Exactly-once at parallelism 2, the payments feature set's keyed state spread over both TaskManagers:
    one is SIGKILLed while events flow; the job restarts on the one left from its last checkpoint, which logged
    the state's changes (the changelog, on by default in exactly-once) and wrote the whole state every 2 s: the
    restore reads the last whole state and replays the log since, where a key's feature state is its last whole
    write and the changes its events logged after it (those the whole state holds already skipped). Every
    event is scored once, with the features `dsl eval` gives: no key's state lost or counted twice; a forged
    control message sent meanwhile is reported on `dlq` once."""
    events = generated_events()
    want = dsl_eval(EXAMPLES / "payments.fdsl", events, tmp_path)
    topics = Topics(f"failover.{free_port()}.")
    kafka.create_topics(topics.specs())
    publish_features_and_model(kafka, topics, settings)
    env = cluster_env(kafka, topics, settings, FRAUDSCORE_FLINK__DELIVERY="exactly-once",
                      FRAUDSCORE_FLINK__CHECKPOINT_DIR=str(tmp_path / "checkpoints"),
                      FRAUDSCORE_FLINK__CHANGELOG_MATERIALIZE_S="2")  # fmt: skip
    before = materializations(standalone)
    job = ClusterJob(standalone, "scoring", env)
    try:
        wait_for_features(kafka, topics, job)
        half = len(events) // 2
        send_events_in_order(kafka, topics, events[:half])
        collect(kafka.bootstrap, [topics.scores], all_scored(topics, events[: half // 3]), [job])  # mid-stream
        wait_for_materializations(standalone, before + 1, job)
        standalone.kill_task_manager(1)
        forged = control.deploy_message(9, "risk", 2, b"<PMML/>", key="not-the-key")
        kafka_io.send(kafka.bootstrap, topics.control, [forged])
        send_events_in_order(kafka, topics, events[half:])
        collect(kafka.bootstrap, [topics.scores], all_scored(topics, events), [job], 300)
        outputs = [topics.scores, topics.dlq]
        records = kafka_io.read(kafka.bootstrap, outputs, timeout_s=3 * 2)  # two more checkpoints
        assert standalone.failures(job.job_id), "the job never noticed its TaskManager go"
        storages = re.findall(r"Creating a changelog storage with name '(\w+)'", task_manager_logs(standalone))
        assert storages and set(storages) == {"filesystem"}, f"the changelog kept in {storages} (in memory?)"
    finally:
        job.stop()
        standalone.start_task_manager(1)
    scores = without_scoring_probes(values(records, topics.scores))
    assert Counter(s["event_id"] for s in scores) == Counter({orjson.loads(e)["event_id"]: 1 for e in events})
    assert [d["reason"] for d in values(records, topics.dlq)] == ["bad control message signature"]
    wrong = [
        (s["event_id"], s["missing_parts"]) for s in scores if not same_features(s["features"], want[s["event_id"]])
    ]
    assert not wrong, f"{len(wrong)} events scored with other features (event, parts missing): {wrong[:5]}"
