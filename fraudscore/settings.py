"""Settings for every entry point, read from `FRAUDSCORE_*` environment variables at the edge."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class KafkaSettings(BaseModel):
    """Where Kafka is and how the project's topics are named."""

    bootstrap: str = "127.0.0.1:9092"
    topic_prefix: str = ""
    partitions: int = 2


class FlinkSettings(BaseModel):
    """How the jobs run inside Flink."""

    # THREAD runs Python inside the TaskManager JVM (pemja): about 3-10x the throughput of PROCESS
    # on our operators (README, bench/flink_modes.py). PROCESS isolates a crashing worker.
    execution_mode: Literal["thread", "process"] = "thread"
    # None: Flink decides (the cores of this machine locally, `flink run -p N` on a cluster).
    parallelism: int | None = None
    checkpoint_interval_ms: int = 2_000
    # Where keyed state lives (features per key, events waiting for their parts, event ids seen). `heap`: Java
    # objects, the fastest, but all of it must fit in the TaskManager's memory and every checkpoint writes all
    # of it. `rocksdb`: on local disk, as large as the disk, checkpoints write only the files changed since the
    # last one (incremental); each access reads and writes the key's state as bytes (docs/performance-log.md).
    state_backend: Literal["heap", "rocksdb"] = "heap"
    # The longest a record waits in a network buffer between two tasks before it is sent on anyway. Flink's
    # default, 100 ms, was most of the scoring job's median latency at moderate rates: an event crosses three
    # exchanges. Under load buffers fill and go sooner; 0 sends every record on its own (slower).
    buffer_timeout_ms: int = 5
    restart_attempts: int = 10
    restart_delay_ms: int = 1_000  # the first; each next one twice as long, up to the max
    restart_max_delay_ms: int = 30_000
    delivery: Literal["exactly-once", "at-least-once"] = "at-least-once"
    # Where a job keeps its completed checkpoints, one directory per job; a job started again resumes from
    # the newest there (its Kafka offsets, keyed state and open transactions), which is what makes a crash of
    # the whole job, not only of a task, lose and repeat nothing. None: in a directory of the run's own, which
    # no later start resumes from (`flink_env.checkpoints_of_this_run`).
    checkpoint_dir: Path | None = None
    # A job that logs its state's changes (the jobs' `state_changelog`) writes its whole keyed state this
    # often; each checkpoint between two writes the changes since the last checkpoint, and a restore replays
    # the log since the last whole state.
    changelog_materialize_s: int = 600
    # A task's logged changes wait in memory for the next checkpoint unless they pass this size first, then
    # they are uploaded at once (Flink's `state.changelog.dstl.dfs.preemptive-persist-threshold`, 5 MB by
    # default). At 5 MB they lived about a second and survived young collections, whose pauses doubled, and
    # the scoring job's checkpoints took 300-330 ms; at 256 KB 39-50 ms, and end to end at 3,250/s at-least-once
    # the p99 was 78-80 against 112-287 ms (docs/performance-log.md), for some 17 files a second instead of 1. A
    # cluster takes it from its own configuration, like the storage.
    changelog_upload_kb: int = 256
    # Flink takes the changelog's storage from the cluster's configuration, not the job's: under `flink run`
    # a job logs its state's changes only when this says the cluster keeps that log in files
    # (`state.changelog.storage: filesystem`; `fraudscore submit` says so for its own cluster). In memory, the
    # log would ride in every checkpoint's metadata until the next whole-state write.
    cluster_changelog_on_files: bool = False


class PreprocessorSettings(BaseModel):
    """How the preprocessor job cleans the raw streams."""

    # How long an event id is remembered, so that a channel's resend of it is dropped: keyed state of
    # about 100 bytes per id seen in that time (README).
    dedup_horizon_s: int = 300
    # Raw records reach the Python adapters in batches (README, Performance): a batch goes when it holds
    # this many records or bytes, or when its first record has waited batch_max_wait_ms, and before every
    # checkpoint. The wait bounds what batching adds to a record's latency when traffic is light.
    batch_max_records: int = 500
    batch_max_bytes: int = 4 * 1024 * 1024
    batch_max_wait_ms: int = 5
    # Checkpoints write only the event ids seen since the last one (Flink's changelog state backend), not
    # every id of the horizon again: end to end at 2,800 events/s they took a median 31-47 ms against 93-151
    # (docs/performance-log.md), and their cost follows the rate, no longer the rate times the horizon.
    state_changelog: bool = True
    # Its own checkpoint interval; None: the jobs' (`FRAUDSCORE_FLINK__CHECKPOINT_INTERVAL_MS`). Exactly-once,
    # the scoring job reads the preprocessor's events only as each of its checkpoints commits them.
    checkpoint_interval_ms: int | None = None


class ScoringSettings(BaseModel):
    """How the scoring job assembles an event's features."""

    # How long an event waits for the features computed under its other keys (its device's, its merchant's)
    # before it is scored without those that have not arrived; its score records name the missing parts.
    part_wait_ms: int = 1_000
    # For this long after the job starts or restarts, an event waits until then for its parts: the operators
    # come up seconds apart and a restart re-reads a backlog, so a part is slow then, not lost.
    start_wait_ms: int = 15_000
    # `auto`: on for the heap backend, off for RocksDB (its checkpoints are incremental already). With the
    # changelog, an event logs what it changed in a key's feature state (tens of bytes; the whole state, 2-4 KB
    # for a card, once the changes since outweigh it), and the assembly logs each event while it waits for its
    # parts (about 1 KB); a heap checkpoint writes every key once an interval instead, 300-500 ms at 3,500/s,
    # which late scores waited behind. With the log uploaded in 256 KB pieces (`changelog_upload_kb`), its
    # checkpoints took 40-50 ms, end to end at 3,250/s at-least-once p99 78-80 against 112-287 ms, at no cost
    # in throughput; the cost is disk: about 5 MB/s at 3,500/s until the next whole write (docs/performance-log.md).
    state_changelog: bool | Literal["auto"] = "auto"

    def logs_state_changes(self, flink: FlinkSettings) -> bool:
        """Whether the scoring job runs on the changelog state backend, `auto` resolved."""
        if self.state_changelog == "auto":
            return flink.state_backend == "heap"
        return self.state_changelog


class ApiToken(BaseModel):
    """A bearer token of the admin API: its name (what the audit log records), secret and role."""

    name: str
    token: str
    role: Literal["viewer", "operator", "admin"]


class ApiSettings(BaseModel):
    """The REST admin API: where it listens, its store, who may call it, and how large an upload may be."""

    host: str = "127.0.0.1"
    port: int = 8000
    # Where the CLI finds the API (`fraudscore models ...`).
    url: str = "http://127.0.0.1:8000"
    # The token the CLI presents; None: the first of `tokens` (the local default, on a laptop).
    token: str | None = None
    # SQLAlchemy URL of the model store; None: a SQLite file under var_dir. PostgreSQL: postgresql+psycopg://...
    database_url: str | None = None
    # FRAUDSCORE_API__TOKENS='[{"name": "ops-1", "token": "...", "role": "operator"}]'. The default is for a
    # laptop only, like control_key.
    tokens: list[ApiToken] = [ApiToken(name="local-admin", token="dev-only-change-me", role="admin")]
    max_upload_bytes: int = 64 * 1024 * 1024
    # A standalone Flink cluster's REST address, for job status; None: the jobs are not on a cluster.
    flink_rest_url: str | None = None


class Settings(BaseSettings):
    """Everything a fraudscore process needs; built once where the process starts."""

    model_config = SettingsConfigDict(env_prefix="FRAUDSCORE_", env_nested_delimiter="__")

    kafka: KafkaSettings = KafkaSettings()
    flink: FlinkSettings = FlinkSettings()
    preprocessor: PreprocessorSettings = PreprocessorSettings()
    scoring: ScoringSettings = ScoringSettings()
    api: ApiSettings = ApiSettings()
    var_dir: Path = PROJECT_ROOT / "var"
    jvm_dir: Path = PROJECT_ROOT / "jvm" / "target"
    # Shared by the API (which signs control messages) and the scoring job (which verifies them).
    control_key: str = "dev-only-change-me"

    @property
    def database_url(self) -> str:
        return self.api.database_url or f"sqlite:///{self.var_dir / 'models.db'}"
