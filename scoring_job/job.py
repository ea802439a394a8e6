"""The scoring Flink job: `events` and the broadcast `control` stream in; `scores`, `alerts`, `dlq` out.

    events ─> RouteEvents ──(by part key)──> ComputeFeatures ──(by customer)──> AssembleAndScore ─> ScoringSink
                                                                              (scores, alerts, dlq)

Python builds the job and steers it; the JVM carries each event (DESIGN.md, "Two planes"): the operators
are the data plane's (`jvm/dataplane`, package `io.fraudscore.flink`), added here through PyFlink's gateway
after the Kafka sources, the Kafka sink among them: no Python operator, and no Table API, on the way.
Each reads `control` as a broadcast stream into its broadcast state, starting from the control topic as it
stood when the job was built (`control_history`): a first start scores its first events by the models
already published.

Run locally (embedded mini-cluster): `python -m scoring_job.job`.
On a Flink cluster, the same file: `flink run -py scoring_job/job.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # `flink run -py scoring_job/job.py` runs this file as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kafka.errors import KafkaError
from pyflink.datastream import DataStream, StreamExecutionEnvironment
from pyflink.java_gateway import get_gateway

from fraudscore import flink_env, kafka_io
from fraudscore.settings import Settings
from fraudscore.topics import Topics


def control_history(settings: Settings, topics: Topics) -> list[str]:
    """The control topic as it stands now, for the operators to start from: a first start scores its first
    events by the models already published. Without it (the broker not answering yet), the job still runs,
    and events read before `control` go unscored; say so."""
    try:
        records = kafka_io.read_to_end(settings.kafka.bootstrap, topics.control)
        return [r.value.decode() for r in records if r.value is not None]  # a tombstone: a key's state gone
    except (KafkaError, TimeoutError, UnicodeDecodeError) as exc:
        print(f"warning: {topics.control} not read before the start ({exc}): events read before it is "
              "may go unscored", file=sys.stderr)  # fmt: skip
        return []


def scoring_operators(
    events: DataStream, control: DataStream, settings: Settings, history: list[str], *, logs_state_changes: bool
) -> DataStream:
    """Canonical events (as read from Kafka, bytes) and the control records in; out, the (tag, k, v) rows of score
    records, alerts, scoring failures, rejected control messages and events that are not canonical. With
    `logs_state_changes` (the job's state changelog is on), a key's features log each event's change to its
    state rather than the whole state."""
    gateway = get_gateway()
    java_history = gateway.jvm.java.util.ArrayList()
    for record in history:
        java_history.add(record)
    scored = gateway.jvm.io.fraudscore.flink.ScoringOperators.add(
        events._j_data_stream,
        control._j_data_stream,
        settings.control_key,
        java_history,
        settings.scoring.part_wait_ms,
        settings.scoring.start_wait_ms,
        logs_state_changes,
    )
    return DataStream(scored)


def build(settings: Settings) -> StreamExecutionEnvironment:
    """The scoring pipeline in a new environment, not yet started."""
    topics = Topics(settings.kafka.topic_prefix)
    state_changelog = settings.scoring.logs_state_changes(settings.flink)
    env = flink_env.create_env(
        settings.flink, settings.jvm_dir, f"{topics.prefix}scoring", state_changelog=state_changelog
    )
    # No copy of each score row between the assembly and the sink chained to it (a twelfth of the job's allocation,
    # profiled). No operator of ours changes a record it emitted, and the assembly, which keeps waiting events, gets
    # them over the network: Flink deserializes every network input into new objects, reuse or not.
    env.get_config().enable_object_reuse()
    group = f"{topics.prefix}scoring"
    events = flink_env.kafka_bytes(env, settings.kafka, [topics.events], group, "events")
    control = flink_env.kafka_strings(
        env, settings.kafka, [topics.control], f"{group}_control", "control", from_start=True
    )
    history = control_history(settings, topics)
    logs_changes = flink_env.changelog_applies(settings.flink, state_changelog)
    scored = scoring_operators(events, control, settings, history, logs_state_changes=logs_changes)
    add_sink(scored, settings, topics)
    return env


def add_sink(scored: DataStream, settings: Settings, topics: Topics) -> None:
    """The rows out, each to the topic its tag names, by one Java Kafka sink (io.fraudscore.flink.ScoringSink)."""
    gateway = get_gateway()
    producer = gateway.jvm.java.util.HashMap()
    for key, value in flink_env.producer_config(settings.flink).items():
        producer.put(key, value)
    gateway.jvm.io.fraudscore.flink.ScoringSink.add(
        scored._j_data_stream,
        settings.kafka.bootstrap,
        topics.scores,
        topics.alerts,
        topics.dlq,
        settings.flink.delivery == "exactly-once",
        f"{topics.prefix}scoring_sink",
        producer,
    )


def main() -> None:
    build(Settings()).execute("fraudscore-scoring")


if __name__ == "__main__":
    main()
