"""The scoring Flink job: `events` and the broadcast `control` stream in; `scores`, `alerts`, `dlq` out.

Run locally (embedded mini-cluster): `python -m scoring_job.job`.
On a Flink cluster, the same file: `flink run -py scoring_job/job.py`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `flink run -py scoring_job/job.py` runs this file as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson
from pyflink.common import Row, Types
from pyflink.datastream import OutputTag, StreamExecutionEnvironment
from pyflink.datastream.functions import KeyedBroadcastProcessFunction
from pyflink.datastream.state import MapStateDescriptor

from fraudscore import flink_env
from fraudscore.settings import Settings
from fraudscore.topics import Topics
from scoring_job.live_models import ControlRejected, LiveModels
from scoring_job.score_record import ScoringError, score_event

# Stable names: savepoints find state by them.
CONTROL_STATE = MapStateDescriptor("control_state", Types.STRING(), Types.STRING())
ALERTS = OutputTag("alerts", flink_env.KEYED_RECORD)
DLQ = OutputTag("dlq", flink_env.KEYED_RECORD)


def customer_key(event_json: str) -> str:
    event = orjson.loads(event_json)
    return event.get("customer_id") or event.get("event_id") or ""


class ScoreEvents(KeyedBroadcastProcessFunction):
    """Adapter only: control logic in scoring_job.live_models, scoring in scoring_job.score_record."""

    def __init__(self, signing_key: str) -> None:
        self.signing_key = signing_key
        self.models: LiveModels | None = None
        self.scored_by: dict[str, Any] = {}

    def open(self, runtime_context) -> None:
        self.models = LiveModels(self.signing_key)
        # Flink metrics fraudscore.scores_compiled and fraudscore.scores_pypmml: how many scores each engine
        # gave, so that a model left to pypmml (slow) shows on the dashboards, not only in its score records.
        group = runtime_context.get_metrics_group().add_group("fraudscore")
        self.scored_by = {engine: group.counter(f"scores_{engine}") for engine in ("compiled", "pypmml")}

    def process_element(self, value: str, ctx: KeyedBroadcastProcessFunction.ReadOnlyContext):
        event = orjson.loads(value)
        live = self.models.live(ctx.get_broadcast_state(CONTROL_STATE))
        key = ctx.get_current_key()
        for result in score_event(event, live, now_ms=int(time.time() * 1000)):
            if isinstance(result, ScoringError):
                yield DLQ, Row(key, result.dlq_record(event).decode())
                continue
            self.scored_by[result["engine"]].inc()
            record = orjson.dumps(result).decode()
            yield Row(key, record)
            if result["decision"] == "alert" and result["mode"] == "active":
                yield ALERTS, Row(key, record)

    def process_broadcast_element(self, value: str, ctx: KeyedBroadcastProcessFunction.Context):
        outcome = self.models.apply(value, ctx.get_broadcast_state(CONTROL_STATE))
        if isinstance(outcome, ControlRejected):
            yield DLQ, Row(outcome.model_id or "control", outcome.dlq_record(value).decode())


def build(settings: Settings) -> StreamExecutionEnvironment:
    """The scoring pipeline in a new environment, not yet started."""
    topics = Topics(settings.kafka.topic_prefix)
    env = flink_env.create_env(settings.flink, settings.jvm_dir, f"{topics.prefix}scoring")
    t_env = flink_env.table_env(env)
    for name, topic in (
        ("scores_sink", topics.scores),
        ("alerts_sink", topics.alerts),
        ("scoring_dlq_sink", topics.dlq),
    ):
        flink_env.register_keyed_sink(t_env, name, topic, settings.kafka, settings.flink)
    group = f"{topics.prefix}scoring"
    events = flink_env.kafka_strings(env, settings.kafka, [topics.events], group, "events")
    control = flink_env.kafka_strings(
        env, settings.kafka, [topics.control], f"{group}_control", "control", from_start=True
    )
    scored = (
        events.key_by(customer_key, key_type=Types.STRING())
        .connect(control.broadcast(CONTROL_STATE))
        .process(ScoreEvents(settings.control_key), output_type=flink_env.KEYED_RECORD)
        .uid("score_events")
    )
    statements = t_env.create_statement_set()
    statements.add_insert("scores_sink", t_env.from_data_stream(scored))
    statements.add_insert("alerts_sink", t_env.from_data_stream(scored.get_side_output(ALERTS)))
    statements.add_insert("scoring_dlq_sink", t_env.from_data_stream(scored.get_side_output(DLQ)))
    statements.attach_as_datastream()
    return env


def main() -> None:
    build(Settings()).execute("fraudscore-scoring")


if __name__ == "__main__":
    # Run from the importable module, not __main__: Flink pickles our functions by reference then.
    from scoring_job.job import main as module_main

    module_main()
