"""The preprocessor Flink job: raw.<channel> topics in, canonical `events` and `dlq` out.

Run locally (embedded mini-cluster): `python -m preprocessor_job.job`.
On a Flink cluster, the same file: `flink run -py preprocessor_job/job.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # `flink run -py preprocessor_job/job.py` runs this file as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyflink.common import Row
from pyflink.datastream import OutputTag, ProcessFunction, StreamExecutionEnvironment

from fraudscore import flink_env
from fraudscore.events import CanonicalEvent
from fraudscore.settings import Settings
from fraudscore.topics import Topics
from preprocessor_job.adapters import ADAPTERS
from preprocessor_job.outcome import Rejected
from preprocessor_job.process import preprocess

DLQ = OutputTag("dlq", flink_env.KEYED_RECORD)


class Preprocess(ProcessFunction):
    """Adapter only: the mapping and validation live in preprocessor_job.adapters."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def process_element(self, value: str, ctx: ProcessFunction.Context):
        for outcome in preprocess(self.channel, value, ctx.timestamp()):
            if isinstance(outcome, CanonicalEvent):
                yield Row(outcome.partition_key, outcome.to_json().decode())
            elif isinstance(outcome, Rejected):
                yield DLQ, Row(self.channel, outcome.dlq_record(self.channel, value).decode())


def build(settings: Settings) -> StreamExecutionEnvironment:
    """Add the preprocessor pipeline to a new environment and return it, not yet started."""
    topics = Topics(settings.kafka.topic_prefix)
    env = flink_env.create_env(settings.flink, settings.jvm_dir)
    t_env = flink_env.table_env(env)
    flink_env.register_keyed_sink(t_env, "events_sink", topics.events, settings.kafka, settings.flink)
    flink_env.register_keyed_sink(t_env, "pre_dlq_sink", topics.dlq, settings.kafka, settings.flink)
    events, rejects = [], []
    for channel in sorted(ADAPTERS):  # one source per raw topic, so each record is read by its own adapter
        raw = flink_env.kafka_strings(
            env, settings.kafka, [topics.raw(channel)], f"{topics.prefix}preprocessor", f"raw_{channel}"
        )
        processed = raw.process(Preprocess(channel), output_type=flink_env.KEYED_RECORD).uid(f"preprocess_{channel}")
        events.append(processed)
        rejects.append(processed.get_side_output(DLQ))
    statements = t_env.create_statement_set()
    statements.add_insert("events_sink", t_env.from_data_stream(events[0].union(*events[1:])))
    statements.add_insert("pre_dlq_sink", t_env.from_data_stream(rejects[0].union(*rejects[1:])))
    statements.attach_as_datastream()
    return env


def main() -> None:
    build(Settings()).execute("fraudscore-preprocessor")


if __name__ == "__main__":
    # Run from the importable module, not __main__: Flink pickles our functions by reference then.
    from preprocessor_job.job import main as module_main

    module_main()
