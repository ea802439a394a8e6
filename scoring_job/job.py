"""The scoring Flink job: `events` and the broadcast `control` stream in; `scores`, `alerts`, `dlq` out.

    events ─> RouteEvents ──(by part key)──> ComputeFeatures ──(by event id)──> AssembleAndScore ─> scores
                   └───────── events with no part to compute ──────────────────────┘
              ComputeFeatures scores an event itself when it is the event's only part (a feature set with
              one key, a tick): no second exchange then.

Each operator reads `control` as a broadcast stream and keeps the live models and feature set in its
broadcast state (scoring_job.live_models); feature state per key lives in Flink keyed state.

Run locally (embedded mini-cluster): `python -m scoring_job.job`.
On a Flink cluster, the same file: `flink run -py scoring_job/job.py`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `flink run -py scoring_job/job.py` runs this file as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson
from pyflink.common import Row, Types
from pyflink.datastream import OutputTag, StreamExecutionEnvironment
from pyflink.datastream.functions import BroadcastProcessFunction, KeyedBroadcastProcessFunction
from pyflink.datastream.state import MapStateDescriptor, ValueStateDescriptor
from pyflink.table.expressions import col

from fraudscore import flink_env
from fraudscore.settings import Settings
from fraudscore.topics import Topics
from scoring_job.live_features import Part
from scoring_job.live_models import ControlRejected, LiveModels
from scoring_job.score_record import EventFeatures, ScoringError, score_event

# Stable names: savepoints find state by them.
CONTROL_STATE = MapStateDescriptor("control_state", Types.STRING(), Types.STRING())
FEATURE_STATE = "feature_state"
PENDING_STATE = "pending"

# (key, event JSON, routing JSON): an event on its way to a part's state, or a part on its way to its event.
ROUTED = Types.ROW_NAMED(["k", "event", "meta"], [Types.STRING(), Types.STRING(), Types.STRING()])
TO_ASSEMBLE = OutputTag("to_assemble", ROUTED)
SCORES = OutputTag("scores", flink_env.KEYED_RECORD)
ALERTS = OutputTag("alerts", flink_env.KEYED_RECORD)
DLQ = OutputTag("dlq", flink_env.KEYED_RECORD)
# (output tag id, key, value): what AssembleAndScore sends on, all on its main output, since PyFlink takes
# no side output from a timer; the sinks pick their rows by the tag (in the Table API, so no Python runs).
TAGGED_RECORD = Types.ROW_NAMED(["tag", "k", "v"], [Types.STRING(), Types.STRING(), Types.STRING()])
_LATE_PART_GRACE_MS = 60_000  # a part later than the wait still finds its event marked scored this long


def now_ms() -> int:
    return int(time.time() * 1000)


class RouteEvents(BroadcastProcessFunction):
    """Sends each event to the state of every part of the live feature set that has a key on it."""

    def __init__(self, signing_key: str) -> None:
        self.signing_key = signing_key
        self.control: LiveModels | None = None

    def open(self, runtime_context) -> None:
        self.control = LiveModels(self.signing_key, models=False)

    def process_element(self, value: str, ctx: BroadcastProcessFunction.ReadOnlyContext):
        try:
            event = orjson.loads(value)
            event_id = event["event_id"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            yield DLQ, Row("events", orjson.dumps({"source": "scoring", "reason": "not a canonical event",
                                                   "raw": value[:4096]}).decode())  # fmt: skip
            return
        features = self.control.features(ctx.get_broadcast_state(CONTROL_STATE))
        if features is None:
            yield TO_ASSEMBLE, Row(event_id, value, '{"parts": []}')
            return
        routing = features.route(event)
        meta = {"fv": features.label, "parts": [part.name for part, _ in routing.remote], "local": routing.local}
        if not routing.remote:
            yield TO_ASSEMBLE, Row(event_id, value, orjson.dumps(meta).decode())
        for part, key in routing.remote:
            yield Row(key, value, orjson.dumps({**meta, "part": part.state_id}).decode())

    def process_broadcast_element(self, value: str, ctx: BroadcastProcessFunction.Context):
        self.control.apply(value, ctx.get_broadcast_state(CONTROL_STATE))


class _Scoring(KeyedBroadcastProcessFunction):
    """What the two operators that score share: the live models, the metrics, the score records."""

    def __init__(self, signing_key: str) -> None:
        self.signing_key = signing_key
        self.control: LiveModels | None = None
        self.counters: dict[str, Any] = {}

    def open(self, runtime_context) -> None:
        self.control = LiveModels(self.signing_key)
        # Flink metrics under `fraudscore`: scores per engine (a model left to pypmml shows on dashboards),
        # events scored with parts missing, parts that came after their event was scored.
        group = runtime_context.get_metrics_group().add_group("fraudscore")
        names = ("scores_compiled", "scores_pypmml", "events_missing_parts", "late_parts")
        self.counters = {name: group.counter(name) for name in names}

    def scored(self, ctx, event_json: str, values: dict, label: str | None, missing: list[str]) -> Iterator:
        """(output tag, row) for each score record, alert and failure."""
        state = ctx.get_broadcast_state(CONTROL_STATE)
        event = orjson.loads(event_json)
        live = self.control.features(state)
        features = EventFeatures(values, label, missing, live if live is not None and live.label == label else None)
        key = event.get("customer_id") or event.get("event_id") or ""
        if missing:
            self.counters["events_missing_parts"].inc()
        for result in score_event(event, self.control.live(state), now_ms(), features):
            if isinstance(result, ScoringError):
                yield DLQ, Row(key, result.dlq_record(event).decode())
                continue
            self.counters[f"scores_{result['engine']}"].inc()
            record = orjson.dumps(result).decode()
            yield SCORES, Row(key, record)
            if result["decision"] == "alert" and result["mode"] == "active":
                yield ALERTS, Row(key, record)


class ComputeFeatures(_Scoring):
    """Keyed by part key (a block and its key's value): the part's features for the event, its state
    updated; scores the event itself when this is its only part, else sends the part to be assembled."""

    def open(self, runtime_context) -> None:
        super().open(runtime_context)
        self.keys = runtime_context.get_state(ValueStateDescriptor(FEATURE_STATE, Types.PICKLED_BYTE_ARRAY()))

    def process_element(self, routed: Row, ctx: KeyedBroadcastProcessFunction.ReadOnlyContext):
        meta = orjson.loads(routed[2])
        part = self._part(ctx, meta["part"])
        values: dict[str, Any] = {}
        if part is not None:
            values = self._compute(part, orjson.loads(routed[1]), ctx)
        if len(meta["parts"]) == 1:
            missing = [] if part is not None else meta["parts"]
            yield from self.scored(ctx, routed[1], {**meta["local"], **values}, meta["fv"], missing)
            return
        event_id = orjson.loads(routed[1])["event_id"]
        name = part.name if part is not None else None
        reply = {"fv": meta["fv"], "parts": meta["parts"], "local": meta["local"], "part": name, "features": values}
        yield Row(event_id, routed[1], orjson.dumps(reply).decode())

    def _compute(self, part: Part, event: dict[str, Any], ctx) -> dict[str, Any]:
        stored = self.keys.value()
        if stored is None:
            key_state = part.new_state()
            timers = ctx.timer_service()
            timers.register_processing_time_timer(timers.current_processing_time() + part.ttl_ms)
        else:
            key_state = stored[0]
        values = part.evaluate(event, key_state)
        self.keys.update((key_state, now_ms()))
        return values

    def on_timer(self, timestamp: int, ctx: KeyedBroadcastProcessFunction.OnTimerContext):
        """The block's ttl, in processing time, since the key was last updated: its state goes."""
        stored = self.keys.value()
        if stored is not None:
            part = self._part(ctx, ctx.get_current_key().split("|", 1)[0])
            touched = stored[1]
            if part is None or touched + part.ttl_ms <= timestamp:
                self.keys.clear()
            else:
                ctx.timer_service().register_processing_time_timer(touched + part.ttl_ms)
        return iter(())

    def _part(self, ctx, state_id: str) -> Part | None:
        """The part in the live feature set, or in the one before it for events routed just before a swap."""
        state = ctx.get_broadcast_state(CONTROL_STATE)
        for feature_set in (self.control.features(state), self.control.previous_features(state)):
            part = feature_set.part(state_id) if feature_set is not None else None
            if part is not None:
                return part
        return None

    def process_broadcast_element(self, value: str, ctx: KeyedBroadcastProcessFunction.Context):
        self.control.apply(value, ctx.get_broadcast_state(CONTROL_STATE))


class AssembleAndScore(_Scoring):
    """Keyed by event id: waits for the event's parts (at most `part_wait_ms`), then scores it with every
    live model. The one operator that reports rejected control messages on `dlq` (subtask 0 only)."""

    def __init__(self, signing_key: str, part_wait_ms: int) -> None:
        super().__init__(signing_key)
        self.part_wait_ms = part_wait_ms

    def open(self, runtime_context) -> None:
        super().open(runtime_context)
        self.pending = runtime_context.get_state(ValueStateDescriptor(PENDING_STATE, Types.PICKLED_BYTE_ARRAY()))
        self.reports_rejections = subtask_index(runtime_context) == 0

    def process_element(self, routed: Row, ctx: KeyedBroadcastProcessFunction.ReadOnlyContext):
        meta = orjson.loads(routed[2])
        if not meta["parts"]:  # nothing computed elsewhere: score now
            yield from self._emit(self.scored(ctx, routed[1], meta.get("local", {}), meta.get("fv"), []))
            return
        pending = self.pending.value()
        if pending is None:
            pending = {"features": dict(meta["local"]), "got": []}
            timers = ctx.timer_service()
            timers.register_processing_time_timer(timers.current_processing_time() + self.part_wait_ms)
        elif pending.get("scored"):
            self.counters["late_parts"].inc()  # its event went without it; scoring it again would repeat it
            return
        pending["features"].update(meta["features"])
        pending["got"].append(meta["part"])
        if len(pending["got"]) < len(meta["parts"]):
            pending |= {"event": routed[1], "parts": meta["parts"], "fv": meta["fv"]}
            self.pending.update(pending)
            return
        self.pending.clear()
        yield from self._emit(self.scored(ctx, routed[1], pending["features"], meta["fv"], []))

    def on_timer(self, timestamp: int, ctx: KeyedBroadcastProcessFunction.OnTimerContext):
        pending = self.pending.value()
        if pending is None:  # scored in time
            return
        if pending.get("scored"):  # the grace for late parts is over
            self.pending.clear()
            return
        missing = [name for name in pending["parts"] if name not in pending["got"]]
        yield from self._emit(self.scored(ctx, pending["event"], pending["features"], pending["fv"], missing))
        self.pending.update({"scored": True})
        ctx.timer_service().register_processing_time_timer(timestamp + _LATE_PART_GRACE_MS)

    def _emit(self, outputs: Iterator) -> Iterator:
        for tag, row in outputs:
            yield Row(tag.tag_id, row[0], row[1])

    def process_broadcast_element(self, value: str, ctx: KeyedBroadcastProcessFunction.Context):
        outcome = self.control.apply(value, ctx.get_broadcast_state(CONTROL_STATE))
        if isinstance(outcome, ControlRejected) and self.reports_rejections:
            yield Row(DLQ.tag_id, outcome.model_id or "control", outcome.dlq_record(value).decode())


def subtask_index(runtime_context) -> int:
    try:
        return runtime_context.get_index_of_this_subtask()
    except AttributeError:
        # THREAD mode in PyFlink 2.2 calls RuntimeContext.getIndexOfThisSubtask, which Flink 2 moved to TaskInfo.
        return runtime_context._runtime_context.getTaskInfo().getIndexOfThisSubtask()


def build(settings: Settings) -> StreamExecutionEnvironment:
    """The scoring pipeline in a new environment, not yet started."""
    topics = Topics(settings.kafka.topic_prefix)
    env = flink_env.create_env(settings.flink, settings.jvm_dir, f"{topics.prefix}scoring")
    t_env = flink_env.table_env(env)
    sinks = (("scores_sink", topics.scores), ("alerts_sink", topics.alerts), ("scoring_dlq_sink", topics.dlq))
    for name, topic in sinks:
        flink_env.register_keyed_sink(t_env, name, topic, settings.kafka, settings.flink)
    group = f"{topics.prefix}scoring"
    events = flink_env.kafka_strings(env, settings.kafka, [topics.events], group, "events")
    control = flink_env.kafka_strings(
        env, settings.kafka, [topics.control], f"{group}_control", "control", from_start=True
    ).broadcast(CONTROL_STATE)
    key = settings.control_key
    routed = events.connect(control).process(RouteEvents(key), output_type=ROUTED).uid("route_events")
    parts = (
        routed.key_by(lambda row: row[0], key_type=Types.STRING())
        .connect(control)
        .process(ComputeFeatures(key), output_type=ROUTED)
        .uid("compute_features")
    )
    scored = (
        parts.union(routed.get_side_output(TO_ASSEMBLE))
        .key_by(lambda row: row[0], key_type=Types.STRING())
        .connect(control)
        .process(AssembleAndScore(key, settings.scoring.part_wait_ms), output_type=TAGGED_RECORD)
        .uid("assemble_and_score")
    )
    assembled = t_env.from_data_stream(scored)
    also = {SCORES: [parts.get_side_output(SCORES)], ALERTS: [parts.get_side_output(ALERTS)],
            DLQ: [parts.get_side_output(DLQ), routed.get_side_output(DLQ)]}  # fmt: skip
    statements = t_env.create_statement_set()
    for sink, tag in (("scores_sink", SCORES), ("alerts_sink", ALERTS), ("scoring_dlq_sink", DLQ)):
        table = assembled.where(col("tag") == tag.tag_id).select(col("k"), col("v"))
        for stream in also[tag]:
            table = table.union_all(t_env.from_data_stream(stream))
        statements.add_insert(sink, table)
    statements.attach_as_datastream()
    return env


def main() -> None:
    build(Settings()).execute("fraudscore-scoring")


if __name__ == "__main__":
    # Run from the importable module, not __main__: Flink pickles our functions by reference then.
    from scoring_job.job import main as module_main

    module_main()
