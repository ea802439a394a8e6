"""The preprocessor Flink job: raw.<channel> topics in, canonical `events` and `dlq` out; events
de-duplicated by their channel's natural id within `preprocessor.dedup_horizon_s`.

The plumbing is the data plane's (io.fraudscore.preprocess, in the JVM): one Kafka source for every raw
topic, records gathered into batches (sent on when full, after `batch_max_wait_ms`, and before every
checkpoint barrier), one call into Python per batch where each record goes through its channel's adapter
(`preprocessor_job.batch`), the answers split into events and rejects, events de-duplicated by id in
keyed state with a TTL.

Run locally (embedded mini-cluster): `python -m preprocessor_job.job`.
On a Flink cluster, the same file: `flink run -py preprocessor_job/job.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # `flink run -py preprocessor_job/job.py` runs this file as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyflink.common import Types
from pyflink.datastream import DataStream, MapFunction, StreamExecutionEnvironment
from pyflink.java_gateway import get_gateway
from pyflink.table import StreamTableEnvironment
from pyflink.util.java_utils import add_jars_to_context_class_loader, to_jarray

from fraudscore import flink_env
from fraudscore.settings import Settings
from fraudscore.topics import Topics
from preprocessor_job.adapters import ADAPTERS
from preprocessor_job.batch import Source, preprocess_batch


class AdaptBatch(MapFunction):
    """Adapter only: one batch of raw records in, the outcomes of its records out (`preprocess_batch`)."""

    def __init__(self, sources: list[Source]) -> None:
        self.sources = sources

    def map(self, batch: bytes) -> bytes:
        return preprocess_batch(batch, self.sources)


def preprocessed(
    env: StreamExecutionEnvironment, t_env: StreamTableEnvironment, settings: Settings
) -> tuple[DataStream, DataStream]:
    """The preprocessor's streams, not yet written anywhere: canonical events de-duplicated, and rejects,
    both (k, v) rows of `flink_env.KEYED_RECORD` (the key on `events` or the channel, the JSON). A job that
    goes on with the events (the scoring job, chained) takes them from here."""
    topics = Topics(settings.kafka.topic_prefix)
    pre = settings.preprocessor
    sources = [Source(topics.raw(channel), channel) for channel in sorted(ADAPTERS)]
    records = flink_env.kafka_raw_records(t_env, settings.kafka, [s.topic for s in sources],
                                          f"{topics.prefix}preprocessor")  # fmt: skip
    gateway = get_gateway()
    # The builders below run here, where the job is built: the data plane's classes must load in this JVM
    # too, not only in the tasks (pipeline.jars).
    add_jars_to_context_class_loader([flink_env.dataplane_jar(settings.jvm_dir).as_uri()])
    plane = gateway.jvm.io.fraudscore.preprocess.PreprocessPlane
    batches = DataStream(plane.batch(
        records._j_data_stream, to_jarray(gateway.jvm.String, [s.topic for s in sources]),
        pre.batch_max_records, pre.batch_max_bytes, pre.batch_max_wait_ms,
        Types.PICKLED_BYTE_ARRAY().get_java_type_info(),
    ))  # fmt: skip
    answers = batches.map(AdaptBatch(sources), output_type=Types.PICKLED_BYTE_ARRAY()).uid("adapt_batches")
    split = plane.split(answers._j_data_stream, pre.dedup_horizon_s * 1000)
    return DataStream(split.events()), DataStream(split.rejects())


def build(settings: Settings) -> StreamExecutionEnvironment:
    """Add the preprocessor pipeline to a new environment and return it, not yet started."""
    topics = Topics(settings.kafka.topic_prefix)
    flink = settings.flink
    if settings.preprocessor.checkpoint_interval_ms is not None:
        flink = flink.model_copy(update={"checkpoint_interval_ms": settings.preprocessor.checkpoint_interval_ms})
    env = flink_env.create_env(
        flink, settings.jvm_dir, f"{topics.prefix}preprocessor", state_changelog=settings.preprocessor.state_changelog
    )
    # No copy of each record between chained operators (a fifth of the source task's time, profiled): none
    # of ours keeps a record it was given after the call.
    env.get_config().enable_object_reuse()
    # Records between tasks (to the de-duplication, to the sinks) wait at most as long as for their batch, not
    # Flink's default 100 ms for a network buffer to fill.
    env.set_buffer_timeout(settings.preprocessor.batch_max_wait_ms)
    t_env = flink_env.table_env(env)
    flink_env.register_keyed_sink(t_env, "events_sink", topics.events, settings.kafka, settings.flink)
    flink_env.register_keyed_sink(t_env, "pre_dlq_sink", topics.dlq, settings.kafka, settings.flink)
    events, rejects = preprocessed(env, t_env, settings)
    statements = t_env.create_statement_set()
    statements.add_insert("events_sink", t_env.from_data_stream(events))
    statements.add_insert("pre_dlq_sink", t_env.from_data_stream(rejects))
    statements.attach_as_datastream()
    return env


def main() -> None:
    build(Settings()).execute("fraudscore-preprocessor")


if __name__ == "__main__":
    # Run from the importable module, not __main__: Flink pickles our functions by reference then.
    from preprocessor_job.job import main as module_main

    module_main()
