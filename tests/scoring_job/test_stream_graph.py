"""The scoring job carries each event in the JVM: the stream graph Flink would run (as PyFlink builds it,
operator chaining and all) holds the data plane's operators and no Python operator. And the environment it
is built in logs its state's changes where its delivery mode waits on checkpoints."""

from __future__ import annotations

import pytest
from pyflink.util.java_utils import is_instance_of

from scoring_job.job import build

pytestmark = pytest.mark.integration

DATA_PLANE = {
    "io.fraudscore.flink.RouteEvents",
    "io.fraudscore.flink.ComputeFeatures",
    "io.fraudscore.flink.AssembleAndScore",
}
SIMPLE_FACTORY = "org.apache.flink.streaming.api.operators.SimpleOperatorFactory"
UDF_OPERATOR = "org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator"


def operator_classes(env) -> dict[str, list[str]]:
    """Each stream node's name, with the classes of its operator and, for a function operator, its function."""
    graph = env._generate_stream_graph(clear_transformations=False)
    nodes: dict[str, list[str]] = {}
    for node in graph.getStreamNodes().toArray():
        factory = node.getOperatorFactory()
        classes = [factory.getClass().getName()]
        if is_instance_of(factory, SIMPLE_FACTORY):
            operator = factory.getOperator()
            classes.append(operator.getClass().getName())
            if is_instance_of(operator, UDF_OPERATOR):
                classes.append(operator.getUserFunction().getClass().getName())
        nodes[f"{node.getId()}:{node.getOperatorName()}"] = classes
    return nodes


def test_the_scoring_job_runs_no_python_operator(kafka, topics, settings):
    job = settings.model_copy(deep=True)
    job.kafka.bootstrap = kafka.bootstrap
    job.kafka.topic_prefix = topics.prefix
    nodes = operator_classes(build(job))
    python = {name: classes for name, classes in nodes.items() if any("python" in c.lower() for c in classes)}
    assert python == {}, f"Python operators in the scoring job: {python}"
    found = {c for classes in nodes.values() for c in classes}
    assert found >= DATA_PLANE, f"the data plane's operators are missing from {nodes}"


@pytest.mark.parametrize(
    ("delivery", "backend", "logged"),
    [("exactly-once", "heap", True), ("at-least-once", "heap", True), ("exactly-once", "rocksdb", False)],
)
def test_the_scoring_job_logs_its_state_changes_on_the_heap_backend(kafka, topics, settings, delivery, backend, logged):
    """`state_changelog: auto`: a heap checkpoint writes every key's state, which scores wait behind in either
    delivery mode; RocksDB's checkpoints are incremental already. The log goes out in small uploads."""
    job = settings.model_copy(deep=True)
    job.kafka.bootstrap = kafka.bootstrap
    job.kafka.topic_prefix = topics.prefix
    job.flink.delivery = delivery
    job.flink.state_backend = backend
    config = build(job)._j_stream_execution_environment.getConfiguration().toMap()
    assert (config.get("state.changelog.enabled") == "true") is logged, dict(config)
    if logged:
        assert config.get("state.changelog.dstl.dfs.preemptive-persist-threshold") == "256kb", dict(config)
