"""The same job files on a real standalone Flink cluster (a JobManager and two TaskManagers, separate
processes), submitted with `flink run -py` at parallelism 2, give what the mini-cluster gives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fraudscore import kafka_io
from fraudscore.broker import free_port
from fraudscore.cli import JOB_FILES
from fraudscore.demo import train_amount_lr
from fraudscore.flink_cluster import StandaloneCluster
from fraudscore.local_jobs import LocalJob
from fraudscore.topics import Topics
from tests.pipeline import collect, deploy, values, wait_until_live, web_payment, without_probes

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


def run_scenario(kafka, topics: Topics, jobs, key: str, pmml: bytes) -> dict[str, tuple]:
    """Publish a model, send EVENTS payments; return each event's (version, score, decision)."""
    kafka_io.send(kafka.bootstrap, topics.control, [deploy(1, "fraud_lr", 1, pmml, key)])
    wait_until_live(kafka.bootstrap, topics, 1, jobs)
    payments = [(f"c{n % 5}".encode(), web_payment(n, f"c{n % 5}", 20.0 + 17 * n)) for n in range(EVENTS)]
    kafka_io.send(kafka.bootstrap, topics.raw("web"), payments)
    records = collect(
        kafka.bootstrap, [topics.scores],
        lambda rs: len(without_probes(values(rs, topics.scores))) >= EVENTS, jobs,
    )  # fmt: skip
    scores = without_probes(values(records, topics.scores))
    assert len(scores) == EVENTS, "an event was scored twice"
    return {s["event_id"]: (s["model_version"], s["score"], s["decision"]) for s in scores}


def test_flink_run_at_parallelism_2_scores_like_the_mini_cluster(kafka, settings, standalone, log_dir):
    pmml = train_amount_lr()
    results = {}
    for where in ("mini", "cluster"):
        topics = Topics(f"{where}.{free_port()}.")
        kafka.create_topics(topics.specs())
        env = {
            "FRAUDSCORE_KAFKA__BOOTSTRAP": kafka.bootstrap,
            "FRAUDSCORE_KAFKA__TOPIC_PREFIX": topics.prefix,
            "FRAUDSCORE_CONTROL_KEY": settings.control_key,
        }
        if where == "mini":
            jobs = [LocalJob(name, env, log_dir) for name in ("preprocessor", "scoring")]
        else:
            jobs = [ClusterJob(standalone, name, env) for name in ("preprocessor", "scoring")]
            assert standalone.registered_task_managers() == 2
        try:
            results[where] = run_scenario(kafka, topics, jobs, settings.control_key, pmml)
        finally:
            for job in jobs:
                job.stop()
    assert set(results["cluster"]) == {f"web-r{n}" for n in range(EVENTS)}
    assert results["cluster"] == results["mini"]
