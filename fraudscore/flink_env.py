"""Flink set-up shared by both jobs: connector jar, the venv's Python, checkpoints, restarts, Kafka I/O."""

from __future__ import annotations

import os
import shutil
import site
import sys
import tempfile
from pathlib import Path

from py4j.java_gateway import JavaObject
from pyflink.common import Configuration, Types, WatermarkStrategy
from pyflink.common.serialization import DeserializationSchema
from pyflink.datastream import DataStream, StreamExecutionEnvironment
from pyflink.datastream.connectors.kafka import (
    KafkaOffsetResetStrategy,
    KafkaOffsetsInitializer,
    KafkaSource,
)
from pyflink.java_gateway import get_gateway
from pyflink.table import StreamTableEnvironment, TableDescriptor
from pyflink.table.schema import Schema
from pyflink.table.types import DataTypes
from pyflink.util.java_utils import add_jars_to_context_class_loader

from fraudscore import processes
from fraudscore.errors import FraudError
from fraudscore.settings import FlinkSettings, KafkaSettings

# How long a sink's producer waits to fill a request: what it adds, at most, to a record's latency.
_LINGER_MS = 5
# A Kafka transaction must outlive a checkpoint plus a restart, and stay under the broker's
# transaction.max.timeout.ms (15 min by default), or the connector refuses to start.
_TRANSACTION_TIMEOUT_MS = 600_000

# (key, value) rows: the sinks write the key column as the Kafka key and the value as the payload.
KEYED_RECORD = Types.ROW_NAMED(["k", "v"], [Types.STRING(), Types.STRING()])


class FlinkSetupError(FraudError):
    """Flink cannot be set up as configured (a missing jar, say)."""


def connector_jars(jvm_dir: Path) -> list[Path]:
    jars = sorted((jvm_dir / "flink-lib").glob("flink-sql-connector-kafka-*.jar"))
    if not jars:
        msg = f"no Flink Kafka connector in {jvm_dir / 'flink-lib'}: run `make jars`"
        raise FlinkSetupError(msg)
    return jars


def dataplane_jar(jvm_dir: Path) -> Path:
    """The data plane's operators (jvm/dataplane), which both jobs run in Java; `FRAUDSCORE_DATAPLANE_JAR`
    names another build of it (one copied aside while the tree's is being rebuilt, say)."""
    named = os.environ.get("FRAUDSCORE_DATAPLANE_JAR")
    built = jvm_dir.parent / "dataplane" / "target" / "fraudscore-dataplane.jar"
    jar = Path(named).expanduser().absolute() if named else built  # a relative name has no file URI for Flink
    if not jar.is_file():
        raise FlinkSetupError(f"the data plane jar {jar} is missing: run `make` (it builds jvm/dataplane)")
    return jar


# The jobs' keyed feature state lives on the heap and takes new objects at each event: G1 copied them between
# its survivor spaces up to 15 times before promoting them, most of a young pause (docs/performance-log.md). Most of a
# young pause is now the old objects each event wrote a new reference into (a pause scans them all), however
# long the young generation grew: a 15 ms goal keeps it small and the pauses at 14-15 ms instead of 28-38, for
# the same throughput (docs/performance-log.md, "What any job of the scoring job's shape reaches here").
JOB_JVM_OPTIONS = ("-XX:MaxTenuringThreshold=1", "-XX:MaxGCPauseMillis=15")


def tune_the_embedded_jvm() -> None:
    """The JVM options of the mini-cluster's JVM, which PyFlink starts with `JVM_ARGS` when the job is built:
    ours first, so that an option the caller set in `JVM_ARGS` wins (the JVM takes the last)."""
    given = os.environ.get("JVM_ARGS", "").split()
    os.environ["JVM_ARGS"] = " ".join([*(o for o in JOB_JVM_OPTIONS if o not in given), *given])


def create_env(
    flink: FlinkSettings, jvm_dir: Path, job: str = "", *, state_changelog: bool = False
) -> StreamExecutionEnvironment:
    """A streaming environment: a mini-cluster when run as a script, the cluster's under `flink run`.
    With `flink.checkpoint_dir`, the job's checkpoints are kept in `<checkpoint_dir>/<job>` and a new start
    resumes from the newest of them. With `state_changelog`, its checkpoints write what changed since the
    last one (`log_state_changes`), where the log's storage is known to be files (`changelog_storage_known`)."""
    _let_embedded_python_find_the_venv()
    tune_the_embedded_jvm()
    config = Configuration()
    if flink.checkpoint_dir is not None:
        directory = flink.checkpoint_dir / job
        config.set_string("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION")
        config.set_string("execution.checkpointing.num-retained", "2")
        latest = latest_checkpoint(directory)
        if latest is not None:
            config.set_string("execution.state-recovery.path", latest.as_uri())
            # The new start owns the checkpoint it resumes from (the job's own history goes on). The default,
            # NO_CLAIM, must first write a whole new checkpoint, which a job logging its state's changes
            # cannot: each checkpoint after the restore failed, and the job with them.
            config.set_string("execution.state-recovery.claim-mode", "CLAIM")
    else:
        # Still files, in a directory of this run's own: checkpoints kept in the JobManager's memory fail
        # once a job's state passes 5 MB (a few thousand keys of features), and the job with them.
        directory = checkpoints_of_this_run(job or "job")
    config.set_string("execution.checkpointing.dir", directory.resolve().as_uri())
    if changelog_applies(flink, state_changelog):
        log_state_changes(config, directory / CHANGELOG_DIR, flink.changelog_materialize_s, flink.changelog_upload_kb)
    elif state_changelog:
        print(f"fraudscore: {job or 'the job'} runs without its state changelog: the cluster's changelog storage is"
              " not known to be files (README, 'Running against your own Kafka and Flink'); set"
              " FRAUDSCORE_FLINK__CLUSTER_CHANGELOG_ON_FILES=true once it is", file=sys.stderr)  # fmt: skip
    config.set_string("python.execution-mode", flink.execution_mode)
    jars = [*connector_jars(jvm_dir), dataplane_jar(jvm_dir)]
    config.set_string("pipeline.jars", ";".join(j.as_uri() for j in jars))
    config.set_string("execution.checkpointing.interval", f"{flink.checkpoint_interval_ms}ms")
    config.set_string("execution.buffer-timeout.interval", f"{flink.buffer_timeout_ms}ms")
    config.set_string("execution.checkpointing.mode", "EXACTLY_ONCE")
    _choose_state_backend(config, flink.state_backend)
    # Doubling delays (1 s up to 30 s), ten attempts: about 3 minutes of patience, longer than a cluster takes
    # to declare a lost TaskManager dead (50 s of missed heartbeats by default). Until then Flink keeps
    # placing the restarted tasks in the dead TaskManager's slots; ten restarts a second apart gave up first.
    config.set_string("restart-strategy.type", "exponential-delay")
    config.set_string("restart-strategy.exponential-delay.initial-backoff", f"{flink.restart_delay_ms}ms")
    config.set_string("restart-strategy.exponential-delay.max-backoff", f"{flink.restart_max_delay_ms}ms")
    config.set_string("restart-strategy.exponential-delay.backoff-multiplier", "2.0")
    config.set_string("restart-strategy.exponential-delay.attempts-before-reset-backoff", str(flink.restart_attempts))
    # Low-latency output: records leave a Python operator after a short wait, not a full bundle.
    config.set_string("python.fn-execution.bundle.time", "20")
    env = StreamExecutionEnvironment.get_execution_environment(config)
    # pipeline.jars ships the jars with the job; the operators' classes must also load here, where the job
    # is built (the Java builders are called through the gateway).
    add_jars_to_context_class_loader([jar.as_uri() for jar in jars])
    env.set_python_executable(sys.executable)
    if flink.parallelism is not None:
        env.set_parallelism(flink.parallelism)
    return env


RUN_CHECKPOINTS = Path(tempfile.gettempdir()) / "fraudscore-checkpoints"


def checkpoints_of_this_run(job: str) -> Path:
    """A new directory for the checkpoints of a job started without `checkpoint_dir`, which no later start
    resumes from. On the job's own mini-cluster it is named by this process, and those of processes that have
    ended are removed first: a job's changelog leaves hundreds of MB there (a job killed never cleans up).
    Under `flink run` the job outlives this client, and its directory is left to whoever runs the cluster."""
    if "PYFLINK_GATEWAY_PORT" in os.environ:
        return Path(tempfile.mkdtemp(prefix=f"fraudscore-{job}-checkpoints-"))
    RUN_CHECKPOINTS.mkdir(exist_ok=True)
    for directory in RUN_CHECKPOINTS.iterdir():
        owner = directory.name.split("-", 1)[0]
        if owner.isdigit() and not processes.is_alive(int(owner)):
            shutil.rmtree(directory, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-{job}-", dir=RUN_CHECKPOINTS))


def _choose_state_backend(config: Configuration, backend: str) -> None:
    if backend == "rocksdb":
        config.set_string("state.backend.type", "rocksdb")
        # Each checkpoint uploads only the SST files written since the one before; a restore reads them all.
        config.set_string("execution.checkpointing.incremental", "true")
    else:
        config.set_string("state.backend.type", "hashmap")


CHANGELOG_DIR = "changelog"  # beside a job's checkpoints, which refer to its files


def changelog_applies(flink: FlinkSettings, state_changelog: bool) -> bool:
    """Whether a job that asks for its state changelog runs with it (`create_env` decides by this)."""
    return state_changelog and changelog_storage_known(flink)


def changelog_storage_known(flink: FlinkSettings) -> bool:
    """Whether a state changelog the job asks for would be kept in files: Flink makes each TaskManager's
    changelog storage from the cluster's configuration and ignores the job's. A script starts its own
    mini-cluster, whose configuration is the job's; under `flink run` (whose client hands PyFlink its gateway)
    only the settings can say."""
    return "PYFLINK_GATEWAY_PORT" not in os.environ or flink.cluster_changelog_on_files


def log_state_changes(config: Configuration, directory: Path, materialize_s: int, upload_kb: int) -> None:
    """Flink's changelog state backend over the chosen one: each state write is also logged, a checkpoint
    uploads the log since the last one (and a task's changes go early once they pass `upload_kb`), and the
    whole state is written (materialized) every `materialize_s`. The log's files live beside the checkpoints
    that refer to them: a restore reads both."""
    config.set_string("state.changelog.enabled", "true")
    config.set_string("state.changelog.periodic-materialize.interval", f"{materialize_s}s")
    for key, value in changelog_storage(directory, upload_kb).items():
        config.set_string(f"state.changelog.{key}", value)


UPLOAD_BUFFER_KB = 64


def changelog_storage(directory: Path, upload_kb: int) -> dict[str, str]:
    """The changelog storage's options, below `state.changelog.`: a job's own mini-cluster takes them from the
    job's configuration, any other cluster only from its own (the standalone cluster writes the same)."""
    return {
        "storage": "filesystem",
        "dstl.dfs.base-path": directory.resolve().as_uri(),
        "dstl.dfs.preemptive-persist-threshold": f"{upload_kb}kb",
        # Each upload writes through a buffer of its own, 1 MB by default: at tens of uploads a second that was
        # a sixteenth of the scoring job's allocation (profiled), for files of a few hundred KB at most.
        "dstl.dfs.upload.buffer-size": f"{UPLOAD_BUFFER_KB}kb",
    }


def latest_checkpoint(directory: Path) -> Path | None:
    """The newest completed checkpoint under a job's checkpoint directory (one with its `_metadata`)."""
    completed = [m.parent for m in directory.glob("*/chk-*/_metadata")] if directory.is_dir() else []
    return max(completed, key=lambda c: c.stat().st_mtime, default=None)


def _let_embedded_python_find_the_venv() -> None:
    """THREAD mode runs Python inside the JVM (pemja), which only sees PYTHONPATH, not the venv."""
    paths = [*site.getsitepackages(), str(Path(__file__).resolve().parent.parent)]
    current = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = os.pathsep.join([*paths, *filter(None, current.split(os.pathsep))])


def kafka_strings(
    env: StreamExecutionEnvironment,
    kafka: KafkaSettings,
    topics: list[str],
    group_id: str,
    name: str,
    *,
    from_start: bool = False,
) -> DataStream:
    """The values of `topics` as strings: from the group's committed offsets (earliest for a new group),
    or from the very start with `from_start` (the control topic, to rebuild every model). A null value (a
    tombstone of the compacted control topic) is skipped.

    A restore from a checkpoint or savepoint takes the offsets in it instead.
    """
    values = get_gateway().jvm.io.fraudscore.flink.SkippingNullStrings()
    return _kafka_values(env, kafka, topics, group_id, name, values=values, from_start=from_start)


def kafka_bytes(
    env: StreamExecutionEnvironment, kafka: KafkaSettings, topics: list[str], group_id: str, name: str
) -> DataStream:
    """The values of `topics` as they are (byte arrays), for Java operators to parse, from the group's
    committed offsets (earliest for a new group); a null value is skipped."""
    values = get_gateway().jvm.io.fraudscore.flink.SkippingNullBytes()
    return _kafka_values(env, kafka, topics, group_id, name, values=values, from_start=False)


def _kafka_values(
    env: StreamExecutionEnvironment,
    kafka: KafkaSettings,
    topics: list[str],
    group_id: str,
    name: str,
    *,
    values: JavaObject,
    from_start: bool,
) -> DataStream:
    offsets = (
        KafkaOffsetsInitializer.earliest()
        if from_start
        else KafkaOffsetsInitializer.committed_offsets(KafkaOffsetResetStrategy.EARLIEST)
    )
    source = (
        KafkaSource.builder()
        .set_bootstrap_servers(kafka.bootstrap)
        .set_topics(*topics)
        .set_group_id(group_id)
        .set_starting_offsets(offsets)
        .set_value_only_deserializer(DeserializationSchema(values))
        .set_property("isolation.level", "read_committed")
        .set_property("partition.discovery.interval.ms", "10000")
        .build()
    )
    return env.from_source(source, WatermarkStrategy.no_watermarks(), name).uid(f"source_{name}")


def kafka_raw_records(
    t_env: StreamTableEnvironment, kafka: KafkaSettings, topics: list[str], group_id: str
) -> DataStream:
    """The records of all `topics`, one source, as rows of (value bytes, topic, partition, offset, Kafka
    timestamp) for Java operators to read (io.fraudscore.preprocess), from the group's committed offsets
    (earliest for a new group); a restore takes the offsets in its checkpoint instead."""
    schema = (
        Schema.new_builder()
        .column("value", DataTypes.BYTES())
        .column_by_metadata("topic", DataTypes.STRING(), "topic", True)
        .column_by_metadata("partition", DataTypes.INT(), "partition", True)
        .column_by_metadata("offset", DataTypes.BIGINT(), "offset", True)
        .column_by_metadata("kafka_time", DataTypes.TIMESTAMP_LTZ(3), "timestamp", True)
        .build()
    )
    source = (
        TableDescriptor.for_connector("kafka")
        .schema(schema)
        .option("topic", ";".join(topics))
        .option("properties.bootstrap.servers", kafka.bootstrap)
        .option("properties.group.id", group_id)
        .option("properties.isolation.level", "read_committed")
        .option("properties.auto.offset.reset", "earliest")
        .option("scan.startup.mode", "group-offsets")
        .option("scan.topic-partition-discovery.interval", "10s")
        .option("value.format", "raw")
        .build()
    )
    return t_env.to_data_stream(t_env.from_descriptor(source))


def table_env(env: StreamExecutionEnvironment) -> StreamTableEnvironment:
    return StreamTableEnvironment.create(env)


def producer_config(flink: FlinkSettings) -> dict[str, str]:
    """The Kafka producer settings of every sink of ours (Table API or Java), as Kafka names them."""
    config = {
        "max.request.size": str(64 * 1024 * 1024),
        # A request per few ms, not per record: with no linger each record left in a request of its own, and
        # the producer's thread and the broker spent more on requests than the job on its records.
        "linger.ms": str(_LINGER_MS),
        "batch.size": str(256 * 1024),
    }
    if flink.delivery == "exactly-once":
        config["transaction.timeout.ms"] = str(_TRANSACTION_TIMEOUT_MS)
    return config


def register_keyed_sink(
    t_env: StreamTableEnvironment, name: str, topic: str, kafka: KafkaSettings, flink: FlinkSettings
) -> None:
    """A Kafka sink table taking (k, v) rows: k becomes the record key, v its value, both UTF-8."""
    builder = (
        TableDescriptor.for_connector("kafka")
        .schema(Schema.new_builder().column("k", DataTypes.STRING()).column("v", DataTypes.STRING()).build())
        .option("topic", topic)
        .option("properties.bootstrap.servers", kafka.bootstrap)
        .option("key.format", "raw")
        .option("key.fields", "k")
        .option("value.format", "raw")
        .option("value.fields-include", "EXCEPT_KEY")
        .option("sink.partitioner", "default")
    )
    for key, value in producer_config(flink).items():
        builder = builder.option(f"properties.{key}", value)
    if flink.delivery == "exactly-once":
        builder = builder.option("sink.delivery-guarantee", "exactly-once").option(
            "sink.transactional-id-prefix", f"{kafka.topic_prefix}{name}"
        )
    else:
        builder = builder.option("sink.delivery-guarantee", "at-least-once")
    t_env.create_temporary_table(name, builder.build())
