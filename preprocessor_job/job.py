"""The preprocessor Flink job: raw.<channel> topics in, canonical `events` and `dlq` out; events
de-duplicated by their channel's natural id within `preprocessor.dedup_horizon_s`.

Run locally (embedded mini-cluster): `python -m preprocessor_job.job`.
On a Flink cluster, the same file: `flink run -py preprocessor_job/job.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # `flink run -py preprocessor_job/job.py` runs this file as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyflink.common import Row, Types
from pyflink.datastream import KeyedProcessFunction, OutputTag, ProcessFunction, StreamExecutionEnvironment
from pyflink.datastream.state import ValueStateDescriptor

from fraudscore import flink_env
from fraudscore.events import CanonicalEvent
from fraudscore.settings import Settings
from fraudscore.topics import Topics
from preprocessor_job.adapters import ADAPTERS
from preprocessor_job.outcome import KafkaOrigin, Rejected
from preprocessor_job.process import preprocess

DLQ = OutputTag("dlq", flink_env.KEYED_RECORD)
# An event on its way to the de-duplication: its key on `events` and its JSON, keyed by its id (the channel's
# natural id) for `flink_env.key_by_first_field`.
EVENT = Types.TUPLE([Types.STRING(), Types.STRING()])
IDENTIFIED_EVENT = flink_env.keyed_rows(EVENT)
SEEN = "seen"  # stable state name: savepoints find the de-duplication state by it


class Preprocess(ProcessFunction):
    """Adapter only: the mapping and validation live in preprocessor_job.adapters. Takes the rows of
    `flink_env.kafka_records`."""

    def __init__(self, channel: str, topic: str) -> None:
        self.channel = channel
        self.topic = topic

    def process_element(self, record: Row, ctx: ProcessFunction.Context):
        raw = record[0]
        for outcome in preprocess(self.channel, raw, ctx.timestamp()):
            if isinstance(outcome, CanonicalEvent):
                yield Row(outcome.event_id, (outcome.partition_key, outcome.to_json().decode()))
            elif isinstance(outcome, Rejected):
                origin = KafkaOrigin(self.topic, record[1], record[2])
                yield DLQ, Row(self.channel, outcome.dlq_record(self.channel, raw, origin).decode())


class DropRepeats(KeyedProcessFunction):
    """Keyed by event id: the first event with an id goes on; the same id again within the horizon (a
    channel's resend, a producer's retry) is dropped. A processing-time timer forgets the id `horizon_s`
    after it was first seen. (Not Flink's state TTL: PyFlink's THREAD mode cannot build a TTL config on a
    standalone TaskManager, it looks for a JVM gateway there.)"""

    def __init__(self, horizon_s: int) -> None:
        self.horizon_ms = horizon_s * 1000
        self.seen = None

    def open(self, runtime_context) -> None:
        self.seen = runtime_context.get_state(ValueStateDescriptor(SEEN, Types.BOOLEAN()))

    def process_element(self, event: tuple[str, str], ctx: KeyedProcessFunction.Context):
        if self.seen.value():
            return
        self.seen.update(True)
        timers = ctx.timer_service()
        timers.register_processing_time_timer(timers.current_processing_time() + self.horizon_ms)
        yield Row(*event)

    def on_timer(self, timestamp: int, ctx: KeyedProcessFunction.OnTimerContext):
        self.seen.clear()
        return iter(())


def build(settings: Settings) -> StreamExecutionEnvironment:
    """Add the preprocessor pipeline to a new environment and return it, not yet started."""
    topics = Topics(settings.kafka.topic_prefix)
    env = flink_env.create_env(settings.flink, settings.jvm_dir, f"{topics.prefix}preprocessor")
    t_env = flink_env.table_env(env)
    flink_env.register_keyed_sink(t_env, "events_sink", topics.events, settings.kafka, settings.flink)
    flink_env.register_keyed_sink(t_env, "pre_dlq_sink", topics.dlq, settings.kafka, settings.flink)
    events, rejects = [], []
    for channel in sorted(ADAPTERS):  # one source per raw topic, so each record is read by its own adapter
        topic = topics.raw(channel)
        raw = flink_env.kafka_records(t_env, settings.kafka, topic, f"{topics.prefix}preprocessor")
        processed = raw.process(Preprocess(channel, topic), output_type=IDENTIFIED_EVENT).uid(f"preprocess_{channel}")
        events.append(processed)
        rejects.append(processed.get_side_output(DLQ))
    # Keyed by the id the adapters name: with PyFlink's key_by, the key selector after the union would be a
    # Python task of its own, one more call into Python for every event.
    unique = (
        flink_env.key_by_first_field(events[0].union(*events[1:]), EVENT)
        .process(DropRepeats(settings.preprocessor.dedup_horizon_s), output_type=flink_env.KEYED_RECORD)
        .uid("drop_repeats")
    )
    statements = t_env.create_statement_set()
    statements.add_insert("events_sink", t_env.from_data_stream(unique))
    statements.add_insert("pre_dlq_sink", t_env.from_data_stream(rejects[0].union(*rejects[1:])))
    statements.attach_as_datastream()
    return env


def main() -> None:
    build(Settings()).execute("fraudscore-preprocessor")


if __name__ == "__main__":
    # Run from the importable module, not __main__: Flink pickles our functions by reference then.
    from preprocessor_job.job import main as module_main

    module_main()
