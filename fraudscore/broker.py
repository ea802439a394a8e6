"""The embedded Kafka broker: one KRaft node on 127.0.0.1, run from the jars `jvm/pom.xml` fetches."""

from __future__ import annotations

import base64
import contextlib
import os
import random
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from fraudscore import processes
from fraudscore.errors import FraudError
from fraudscore.topics import CONTROL_MAX_MESSAGE_BYTES, TopicSpec

_LOG4J2 = """\
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = {log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = WARN
logger.apache.name = org.apache.kafka
logger.apache.level = WARN
"""


class BrokerError(FraudError):
    """The embedded broker could not be set up, started or reached."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, below Linux's ephemeral range (32768 up):
    a port the kernel handed out could be taken, before our server binds it, by the local end of any
    outgoing connection (a Kafka client's), and the server would then fail to start."""
    for _ in range(200):
        port = random.randrange(20_000, 32_768)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise OSError("no free port between 20000 and 32767")


# G1 as Kafka's own start script sets it (kafka-run-class.sh: short pauses, marking started early), the whole heap
# committed at start, and regions of 4 MB instead of the 1 MB a 512 MB heap gets: G1 allocates an object of half a
# region or more as "humongous", and the broker reads each produce request (up to 1 MB from the jobs' sinks) into
# one buffer. With the defaults and the cleaner's map below, a two-minute bench run made 251 pauses and started 78
# concurrent cycles, 72 of them for a humongous allocation; with these, 24-32 pauses and 2-4 cycles, none for one.
BROKER_GC_OPTIONS = (
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-XX:G1HeapRegionSize=4m",
)
# The log cleaner (the compacted control topic) allocates its de-duplication map once, on the heap, for the
# broker's whole life: Kafka's 128 MB default left 172 MB of the embedded broker's 512 MB in use after a full
# collection, 57 MB with 16 MB, which maps the newest offset of some 600,000 keys a pass (the control topic has a
# key per model, alias and feature set).
CLEANER_DEDUPE_BUFFER_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class BrokerConfig:
    """Where the broker keeps its files and which ports it listens on."""

    data_dir: Path
    lib_dir: Path
    port: int = 9092
    controller_port: int | None = None
    heap: str = "512m"

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "broker.pid"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "server.log"

    def server_properties(self, controller_port: int) -> str:
        return "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.voters=1@127.0.0.1:{controller_port}",
                f"listeners=PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{controller_port}",
                f"advertised.listeners=PLAINTEXT://127.0.0.1:{self.port}",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                f"log.dirs={self.data_dir / 'logs'}",
                "num.partitions=2",
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=4",
                "group.initial.rebalance.delay.ms=0",
                f"message.max.bytes={CONTROL_MAX_MESSAGE_BYTES + 1024}",
                f"replica.fetch.max.bytes={CONTROL_MAX_MESSAGE_BYTES + 1024}",
                f"log.cleaner.dedupe.buffer.size={CLEANER_DEDUPE_BUFFER_BYTES}",
                "",
            ]
        )


class EmbeddedBroker:
    """A running single-node Kafka; stop() (or leaving the `with` block) ends its JVM."""

    def __init__(self, config: BrokerConfig, process: subprocess.Popen[bytes] | None, pid: int) -> None:
        self.config = config
        self._process = process
        self.pid = pid

    @property
    def bootstrap(self) -> str:
        return self.config.bootstrap

    @classmethod
    def start(cls, config: BrokerConfig, *, attached: bool = True, timeout_s: float = 90) -> EmbeddedBroker:
        """Format storage if new, start the JVM and return once the broker answers requests.

        attached: the JVM dies with this process (tests, `make run`); detached it outlives it
        (`fraudscore kafka start`) and is found again through its pid file.
        """
        classpath = _classpath(config.lib_dir)
        controller_port = config.controller_port or free_port()
        properties = _write_config(config, controller_port)
        _format_storage(config, classpath, properties)
        command = [
            _java(),
            f"-Xmx{config.heap}",
            f"-Xms{config.heap}",
            *BROKER_GC_OPTIONS,
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={config.data_dir / 'log4j2.properties'}",
            "-cp",
            classpath,
            "kafka.Kafka",
            str(properties),
        ]
        with config.log_file.open("ab") as log:
            process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=processes.die_with_parent if attached else None,  # noqa: PLW1509
                start_new_session=not attached,
            )
        config.pid_file.write_text(str(process.pid))
        broker = cls(config, process, process.pid)
        try:
            broker.wait_ready(timeout_s)
        except BaseException:
            broker.stop()
            raise
        return broker

    @classmethod
    def find(cls, config: BrokerConfig) -> EmbeddedBroker | None:
        """The detached broker recorded in the pid file, if it is still alive."""
        try:
            pid = int(config.pid_file.read_text())
        except (OSError, ValueError):
            return None
        return cls(config, None, pid) if processes.is_alive(pid) else None

    def wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if not self.is_alive():
                raise BrokerError(f"Kafka broker exited during start-up\n{self.log_tail()}")
            try:
                with self.admin() as admin:
                    admin.list_topics()
                return
            except KafkaError as exc:
                last_error = exc
                time.sleep(0.5)
        raise BrokerError(f"Kafka broker not ready after {timeout_s:.0f}s ({last_error})\n{self.log_tail()}")

    def is_alive(self) -> bool:
        if self._process is not None:
            return self._process.poll() is None
        return processes.is_alive(self.pid)

    @contextlib.contextmanager
    def admin(self) -> Iterator[KafkaAdminClient]:
        client = KafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=5_000)
        try:
            yield client
        finally:
            client.close()

    def create_topics(self, specs: Iterable[TopicSpec], default_partitions: int = 2) -> None:
        """Create the topics that do not exist yet; existing ones are left as they are."""
        ensure_topics(self.bootstrap, specs, default_partitions)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.config.log_file.read_text(errors="replace")
        except OSError:
            return "(no broker log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout_s: float = 30) -> None:
        """Shut the broker down cleanly (SIGKILL after `timeout_s`) and forget its pid file."""
        processes.terminate(self.pid, timeout_s)
        self.config.pid_file.unlink(missing_ok=True)

    def __enter__(self) -> EmbeddedBroker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def ensure_topics(bootstrap: str, specs: Iterable[TopicSpec], default_partitions: int = 2) -> None:
    """Create the topics that do not exist yet on any cluster; existing ones are left as they are."""
    # A broker that answers does so in milliseconds: say it is not there after 10 s, not kafka-python's 30.
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000, bootstrap_timeout_ms=10_000)
    try:
        existing = set(admin.list_topics())
        new = [
            NewTopic(s.name, s.partitions or default_partitions, 1, topic_configs=s.configs)
            for s in specs
            if s.name not in existing
        ]
        if new:
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(new)
    finally:
        admin.close()


def _classpath(lib_dir: Path) -> str:
    jars = sorted(lib_dir.glob("*.jar"))
    if not any(j.name.startswith("kafka_2.13") for j in jars):
        raise BrokerError(f"no Kafka jars in {lib_dir}: run `make jars` (mvn -f jvm/pom.xml package)")
    return os.pathsep.join(str(j) for j in jars)


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    java = Path(java_home, "bin", "java") if java_home else shutil.which("java")
    if not java:
        raise BrokerError("no `java` on PATH and JAVA_HOME unset: install Java 17")
    return str(java)


def _write_config(config: BrokerConfig, controller_port: int) -> Path:
    config.data_dir.mkdir(parents=True, exist_ok=True)
    (config.data_dir / "log4j2.properties").write_text(_LOG4J2.format(log=config.log_file))
    properties = config.data_dir / "server.properties"
    properties.write_text(config.server_properties(controller_port))
    return properties


def _format_storage(config: BrokerConfig, classpath: str, properties: Path) -> None:
    if (config.data_dir / "logs" / "meta.properties").exists():
        return
    command = [
        _java(),
        f"-Dlog4j2.configurationFile={config.data_dir / 'log4j2.properties'}",
        "-cp",
        classpath,
        "kafka.tools.StorageTool",
        "format",
        "--ignore-formatted",
        "-t",
        _cluster_id(),
        "-c",
        str(properties),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BrokerError(f"formatting Kafka storage failed:\n{result.stdout}{result.stderr}")


def _cluster_id() -> str:
    """A KRaft cluster id: 16 random bytes in URL-safe base64 without padding, not starting with `-`
    (the storage tool would read it as an option: one start in 64 failed so; Kafka's own ids avoid it too)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id
