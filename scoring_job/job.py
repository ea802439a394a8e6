"""The scoring Flink job: `events` and the broadcast `control` stream in; `scores`, `alerts`, `dlq` out.

    events ─> RouteEvents ──(by part key)──> ComputeFeatures ──(by customer)──> AssembleAndScore ─> scores
                                                                                            alerts, dlq

An event with one part (a feature set with one key, a tick) is scored as that part arrives: no wait, no
assembly state. An event with no part to compute passes through ComputeFeatures under its customer's key, so
that every record reaches the assembly by the one keyed path. Each operator names the key of what it sends
(flink_env.key_by_first_field): Flink keys it in Java, with no Python key selector in between.

Each operator reads `control` as a broadcast stream and keeps the live models and feature set in its
broadcast state (scoring_job.live_models), going by the control topic as it stood when the job was built
until that state has caught up; feature state per key lives in Flink keyed state.

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
from kafka.errors import KafkaError
from pyflink.common import Row, Types
from pyflink.datastream import BroadcastStream, DataStream, OutputTag, StreamExecutionEnvironment
from pyflink.datastream.functions import BroadcastProcessFunction, KeyedBroadcastProcessFunction
from pyflink.datastream.state import MapStateDescriptor, ValueStateDescriptor
from pyflink.table.expressions import col

from fraudscore import flink_env, kafka_io
from fraudscore.settings import ScoringSettings, Settings
from fraudscore.topics import Topics
from scoring_job.live_features import Part
from scoring_job.live_models import ControlRejected, OperatorControl
from scoring_job.score_record import EventFeatures, ScoringError, score_event

# Stable names: savepoints find state by them.
CONTROL_STATE = MapStateDescriptor("control_state", Types.STRING(), Types.STRING())
FEATURE_STATE = "feature_state"
PENDING_STATE = "pending"

# (event JSON, routing JSON): an event on its way to a part's state, or a part on its way to its event.
# A tuple, not a Row: PyFlink converts a Row's kind and fields one by one, in and out of every operator.
ROUTED = Types.TUPLE([Types.STRING(), Types.STRING()])
# What RouteEvents and ComputeFeatures send: Row(key, routed), the key for the next operator's key_by.
KEYED_ROUTED = flink_env.keyed_rows(ROUTED)
DLQ = OutputTag("dlq", flink_env.KEYED_RECORD)  # events that are not canonical events, from RouteEvents
# (sink, key, value): what AssembleAndScore sends on, all on its main output, since PyFlink takes no side
# output from a timer; each sink picks its rows by the first column (in the Table API: no Python runs).
TO_SCORES, TO_ALERTS, TO_DLQ = "scores", "alerts", "dlq"
TAGGED_RECORD = Types.ROW_NAMED(["tag", "k", "v"], [Types.STRING(), Types.STRING(), Types.STRING()])
_LATE_PART_GRACE_MS = 60_000  # a part later than the wait still finds its event marked scored this long
_COUNTER_FLUSH_S = 1.0


def now_ms() -> int:
    return int(time.time() * 1000)


class _ReadsControl:
    """The operator's broadcast state, read through one wrapper: PyFlink's get_broadcast_state builds a Java
    state descriptor and type converters at every call, and the state behind them is the same object for
    the operator's whole life (a restore makes a new operator)."""

    _control_state = None

    def _control(self, ctx) -> Any:
        if self._control_state is None:
            self._control_state = ctx.get_broadcast_state(CONTROL_STATE)
        return self._control_state


class RouteEvents(_ReadsControl, BroadcastProcessFunction):
    """Sends each event to the state of every part of the live feature set that has a key on it, each copy
    saying where the event is assembled: its customer (its event id when it has none)."""

    def __init__(self, signing_key: str, history: list[str]) -> None:
        self.signing_key = signing_key
        self.history = history
        self.control: OperatorControl | None = None

    def open(self, runtime_context) -> None:
        self.control = OperatorControl(self.signing_key, self.history, models=False)

    def process_element(self, value: str, ctx: BroadcastProcessFunction.ReadOnlyContext):
        try:
            event = orjson.loads(value)
            assembled_at = event.get("customer_id") or event["event_id"]
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
            yield DLQ, Row("events", orjson.dumps({"source": "scoring", "reason": "not a canonical event",
                                                   "raw": value[:4096]}).decode())  # fmt: skip
            return
        features = self.control.view(self._control(ctx)).features
        if features is None:
            yield Row(assembled_at, (value, '{"parts": [], "local": {}, "fv": null}'))
            return
        routing = features.route(event)
        meta = {"fv": features.label, "parts": [part.name for part, _ in routing.remote], "local": routing.local}
        if not routing.remote:
            yield Row(assembled_at, (value, orjson.dumps(meta).decode()))
        for part, key in routing.remote:
            yield Row(key, (value, orjson.dumps({**meta, "part": part.state_id, "to": assembled_at}).decode()))

    def process_broadcast_element(self, value: str, ctx: BroadcastProcessFunction.Context):
        self.control.apply(value, ctx.get_broadcast_state(CONTROL_STATE))


class ComputeFeatures(_ReadsControl, KeyedBroadcastProcessFunction):
    """Keyed by part key (a block and its key's value): the part's features for the event, its state
    updated, sent on to where the event is assembled. An event with no part passes through unchanged."""

    def __init__(self, signing_key: str, history: list[str]) -> None:
        self.signing_key = signing_key
        self.history = history
        self.control: OperatorControl | None = None

    def open(self, runtime_context) -> None:
        self.control = OperatorControl(self.signing_key, self.history, models=False)
        self.keys = runtime_context.get_state(ValueStateDescriptor(FEATURE_STATE, Types.PICKLED_BYTE_ARRAY()))

    def process_element(self, routed: tuple[str, str], ctx: KeyedBroadcastProcessFunction.ReadOnlyContext):
        meta = orjson.loads(routed[1])
        if "part" not in meta:
            yield Row(ctx.get_current_key(), routed)
            return
        part = self._part(ctx, meta["part"])
        # A part whose block this subtask does not know yet (the swap reached it after the router) goes on
        # without values: the event is scored without them and says so.
        values = self._compute(part, orjson.loads(routed[0]), ctx) if part is not None else None
        reply = {"fv": meta["fv"], "parts": meta["parts"], "local": meta["local"],
                 "part": part.name if part is not None else None, "features": values}  # fmt: skip
        yield Row(meta["to"], (routed[0], orjson.dumps(reply).decode()))

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
        live = self.control.view(self._control(ctx))
        for feature_set in (live.features, live.previous_features):
            part = feature_set.part(state_id) if feature_set is not None else None
            if part is not None:
                return part
        return None

    def process_broadcast_element(self, value: str, ctx: KeyedBroadcastProcessFunction.Context):
        self.control.apply(value, ctx.get_broadcast_state(CONTROL_STATE))


class AssembleAndScore(_ReadsControl, KeyedBroadcastProcessFunction):
    """Keyed by customer: an event's parts come together (for at most `part_wait_ms`, longer just after a
    start: `start_wait_ms`) and the event is scored with every live model. Scoring in one place keyed by
    customer is what keeps a customer's versions from going back during a swap. An event with one part (or
    none) is scored as it arrives, with no state. Reports rejected control messages on `dlq` (subtask 0
    only, not once per subtask)."""

    def __init__(self, signing_key: str, history: list[str], waits: ScoringSettings) -> None:
        self.signing_key = signing_key
        self.history = history
        self.part_wait_ms = waits.part_wait_ms
        self.start_wait_ms = waits.start_wait_ms
        self.started_ms = 0
        self.control: OperatorControl | None = None
        self.counters: Counters | None = None

    def open(self, runtime_context) -> None:
        self.control = OperatorControl(self.signing_key, self.history)
        self.pending = runtime_context.get_map_state(
            MapStateDescriptor(PENDING_STATE, Types.STRING(), Types.PICKLED_BYTE_ARRAY())
        )
        self.reports_rejections = subtask_index(runtime_context) == 0
        self.started_ms = now_ms()
        # Flink metrics under `fraudscore`: scores per engine (a model left to pypmml shows on dashboards),
        # events scored with parts missing, parts that came after their event was scored.
        group = runtime_context.get_metrics_group().add_group("fraudscore")
        names = ("scores_compiled", "scores_pypmml", "events_missing_parts", "late_parts")
        self.counters = Counters({name: group.counter(name) for name in names})

    def process_element(self, routed: tuple[str, str], ctx: KeyedBroadcastProcessFunction.ReadOnlyContext):
        meta = orjson.loads(routed[1])
        parts = meta["parts"]
        if len(parts) <= 1:  # nothing to wait for
            got = meta.get("features")
            missing = parts if parts and got is None else []
            yield from self._scored(ctx, routed[0], {**meta["local"], **(got or {})}, meta["fv"], missing)
            return
        event_id = orjson.loads(routed[0])["event_id"]
        pending = self.pending.get(event_id)
        if pending is None:
            now = ctx.timer_service().current_processing_time()
            deadline = max(now + self.part_wait_ms, self.started_ms + self.start_wait_ms)
            pending = {"event": routed[0], "features": dict(meta["local"]), "got": [], "arrived": 0,
                       "parts": parts, "fv": meta["fv"], "deadline": deadline}  # fmt: skip
            ctx.timer_service().register_processing_time_timer(deadline)
        elif pending.get("scored"):
            self.counters.inc("late_parts")  # its event went without it; scoring it again would repeat it
            return
        pending["arrived"] += 1
        if meta["features"] is not None:
            pending["features"].update(meta["features"])
            pending["got"].append(meta["part"])
        if pending["arrived"] < len(parts):
            self.pending.put(event_id, pending)
            return
        self.pending.remove(event_id)
        missing = [name for name in parts if name not in pending["got"]]
        yield from self._scored(ctx, routed[0], pending["features"], meta["fv"], missing)

    def on_timer(self, timestamp: int, ctx: KeyedBroadcastProcessFunction.OnTimerContext):
        """The customer's events whose wait is over: scored without the parts not in yet, then remembered
        for a grace period so that a part still on its way is dropped, not scored again."""
        due = [(event_id, pending) for event_id, pending in self.pending.items() if pending["deadline"] <= timestamp]
        for event_id, pending in due:
            if pending.get("scored"):
                self.pending.remove(event_id)
                continue
            missing = [name for name in pending["parts"] if name not in pending["got"]]
            yield from self._scored(ctx, pending["event"], pending["features"], pending["fv"], missing)
            self.pending.put(event_id, {"scored": True, "deadline": timestamp + _LATE_PART_GRACE_MS})
            ctx.timer_service().register_processing_time_timer(timestamp + _LATE_PART_GRACE_MS)

    def _scored(self, ctx, event_json: str, values: dict, label: str | None, missing: list[str]) -> Iterator[Row]:
        """A (output tag id, key, value) row for each score record, alert and failure."""
        live = self.control.view(self._control(ctx))
        event = orjson.loads(event_json)
        same_set = live.features if live.features is not None and live.features.label == label else None
        features = EventFeatures(values, label, missing, same_set)
        key = event.get("customer_id") or event.get("event_id") or ""
        if missing:
            self.counters.inc("events_missing_parts")
        for result in score_event(event, live.models, now_ms(), features):
            if isinstance(result, ScoringError):
                yield Row(TO_DLQ, key, result.dlq_record(event).decode())
                continue
            self.counters.inc(f"scores_{result['engine']}")
            record = orjson.dumps(result).decode()
            yield Row(TO_SCORES, key, record)
            if result["decision"] == "alert" and result["mode"] == "active":
                yield Row(TO_ALERTS, key, record)

    def process_broadcast_element(self, value: str, ctx: KeyedBroadcastProcessFunction.Context):
        outcome = self.control.apply(value, ctx.get_broadcast_state(CONTROL_STATE))
        if isinstance(outcome, ControlRejected) and self.reports_rejections:
            yield Row(TO_DLQ, outcome.model_id or "control", outcome.dlq_record(value).decode())


class Counters:
    """Flink counters, added to at most once a second: each `inc` on a Flink counter is a call into the JVM,
    and the scores counters would pay it for every score record."""

    def __init__(self, flink_counters: dict[str, Any]) -> None:
        self._flink = flink_counters
        self._pending = dict.fromkeys(flink_counters, 0)
        self._flushed_at = time.monotonic()

    def inc(self, name: str) -> None:
        self._pending[name] += 1
        if time.monotonic() - self._flushed_at >= _COUNTER_FLUSH_S:
            self.flush()

    def flush(self) -> None:
        for name, count in self._pending.items():
            if count:
                self._flink[name].inc(count)
                self._pending[name] = 0
        self._flushed_at = time.monotonic()


def subtask_index(runtime_context) -> int:
    try:
        return runtime_context.get_index_of_this_subtask()
    except AttributeError:
        # THREAD mode in PyFlink 2.2 calls RuntimeContext.getIndexOfThisSubtask, which Flink 2 moved to TaskInfo.
        return runtime_context._runtime_context.getTaskInfo().getIndexOfThisSubtask()


def control_history(settings: Settings, topics: Topics) -> list[str]:
    """The control topic as it stands now, for the operators to start from (OperatorControl): a first start
    scores its first events by the models already published. Without it (the broker not answering yet),
    the job still runs, and events read before `control` go unscored; say so."""
    try:
        return [r.value.decode() for r in kafka_io.read_to_end(settings.kafka.bootstrap, topics.control)]
    except (KafkaError, TimeoutError, UnicodeDecodeError) as exc:
        print(f"warning: {topics.control} not read before the start ({exc}): events read before it is "
              "may go unscored", file=sys.stderr)  # fmt: skip
        return []


def scoring_operators(
    events: DataStream, control: BroadcastStream, settings: Settings, history: list[str]
) -> tuple[DataStream, DataStream]:
    """Canonical events (JSON strings) and the broadcast control stream in; out, the TAGGED_RECORD rows for
    scores, alerts and control rejections, and the KEYED_RECORD rows of events that are not canonical."""
    key = settings.control_key
    routed = events.connect(control).process(RouteEvents(key, history), output_type=KEYED_ROUTED).uid("route_events")
    parts = (
        flink_env.key_by_first_field(routed, ROUTED)
        .connect(control)
        .process(ComputeFeatures(key, history), output_type=KEYED_ROUTED)
        .uid("compute_features")
    )
    scored = (
        flink_env.key_by_first_field(parts, ROUTED)
        .connect(control)
        .process(AssembleAndScore(key, history, settings.scoring), output_type=TAGGED_RECORD)
        .uid("assemble_and_score")
    )
    return scored, routed.get_side_output(DLQ)


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
    scored, rejected = scoring_operators(events, control, settings, control_history(settings, topics))
    assembled = t_env.from_data_stream(scored)
    statements = t_env.create_statement_set()
    for sink, tag in (("scores_sink", TO_SCORES), ("alerts_sink", TO_ALERTS), ("scoring_dlq_sink", TO_DLQ)):
        table = assembled.where(col("tag") == tag).select(col("k"), col("v"))
        if tag == TO_DLQ:
            table = table.union_all(t_env.from_data_stream(rejected))
        statements.add_insert(sink, table)
    statements.attach_as_datastream()
    return env


def main() -> None:
    build(Settings()).execute("fraudscore-scoring")


if __name__ == "__main__":
    # Run from the importable module, not __main__: Flink pickles our functions by reference then.
    from scoring_job.job import main as module_main

    module_main()
