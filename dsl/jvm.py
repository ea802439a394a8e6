"""The JVM feature engine, driven from Python: what `fraudscore dsl eval`, training and `dsl check --explain`
run, so that a model is trained on the very code that scores it (jvm/dataplane, the engine the scoring job
runs). A feature set goes to the JVM as its plan (dsl.plan); events go as JSON lines.

One `java` process (an engine host) serves every engine of this Python process, so a test suite or a
training run pays the JVM's start once; `dsl eval` over a file runs its own process on the files directly.
"""

from __future__ import annotations

import atexit
import json
import subprocess
import tempfile
import threading
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import orjson

from dsl import ast
from dsl.engine import DEFAULT_LATENESS_MS
from dsl.plan import compile_plan
from fraudscore.errors import FraudError

DATAPLANE_JAR = Path(__file__).resolve().parents[1] / "jvm" / "dataplane" / "target" / "fraudscore-dataplane.jar"
# One engine thread: the serial collector. The keys' state is spread over memory, so huge pages (fewer TLB
# misses) and a large young generation (fewer collections moving it) are worth up to 2x (README, Performance).
JAVA_OPTIONS = ("-XX:+UseSerialGC", "-XX:+UseTransparentHugePages", "-Xms1g", "-Xmn768m")
# C1 only: a `dsl eval` or a training run ends before C2's compilations (seconds of the other core) pay off;
# measured on 100,000 events: 2.7-4.3 s against 5.2 s with C2 on a busy machine. Benchmarks want C2.
QUICK_START = ("-XX:TieredStopAtLevel=1",)
_EVAL_MAIN = "io.fraudscore.features.eval.EvalCommand"
_HOST_MAIN = "io.fraudscore.features.eval.EngineHost"


class JvmEngineError(FraudError):
    """The JVM engine could not start or said an event, plan or request was wrong; the message says why."""


def java_command(main: str, *args: str, quick_start: bool = True) -> list[str]:
    """The command that runs one of the data plane's entry points (for peak speed: quick_start=False)."""
    jar = DATAPLANE_JAR
    if not jar.is_file():
        raise JvmEngineError(f"the data plane jar {jar} is missing: run `make` (it builds jvm/dataplane)")
    options = (*JAVA_OPTIONS, *QUICK_START) if quick_start else JAVA_OPTIONS
    return ["java", *options, "-cp", str(jar), main, *args]


def event_line(event: dict[str, Any]) -> bytes:
    """An event as one JSON line; NaN and infinities as JSON's extensions (the engine makes them null)."""
    try:
        return orjson.dumps(event)
    except TypeError:  # orjson refuses integers outside 64 bits (null for the engine) and a few other types
        return json.dumps(event, default=str).encode()


def evaluate_file(
    featureset: ast.FeatureSet, events: Path, output: Path | None, lateness_ms: int = DEFAULT_LATENESS_MS
) -> None:
    """`fraudscore dsl eval`: features for every event of `events`, one line each, into `output` (None:
    standard output). A bad line stops everything with its number (JvmEngineError)."""
    with tempfile.NamedTemporaryFile("wb", suffix=".plan.json") as plan:
        plan.write(orjson.dumps(compile_plan(featureset, lateness_ms)))
        plan.flush()
        command = java_command(
            _EVAL_MAIN, plan.name, str(events), str(output) if output else "-", "--name", str(events)
        )
        result = subprocess.run(command, stdout=None, stderr=subprocess.PIPE, check=False)
    if result.returncode:
        raise JvmEngineError(
            result.stderr.decode(errors="replace").strip() or f"the JVM engine exited {result.returncode}"
        )


class _Host:
    """The engine host process: one request line in, one answer line out, in order."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            java_command(_HOST_MAIN), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.lock = threading.Lock()  # one conversation at a time
        self.dropped: list[int] = []  # engines no one holds any more: dropped before the next request

    def drop_later(self, engine: int) -> None:
        self.dropped.append(engine)  # from a finalizer, maybe mid-conversation: no request from here

    def _drop_pending(self) -> None:
        while self.dropped:
            self.write_all([f"D {self.dropped.pop()}\n".encode()])
            self.read_answer()

    @property
    def stdin(self) -> IO[bytes]:
        return self.process.stdin  # type: ignore[return-value]

    def ask(self, request: bytes) -> dict[str, Any]:
        with self.lock:
            self._drop_pending()
            self.write_all([request + b"\n"])
            answer = self.read_answer()
        if "error" in answer:
            raise JvmEngineError(answer["error"])
        return answer

    def write_all(self, lines: list[bytes]) -> None:
        try:
            self.stdin.writelines(lines)
            self.stdin.flush()
        except BrokenPipeError:
            pass  # the host stopped: read_answer says why

    def read_answer(self) -> dict[str, Any]:
        line = self.process.stdout.readline()  # type: ignore[union-attr]
        if not line:
            self.process.wait(timeout=10)
            stderr = self.process.stderr.read().decode(errors="replace").strip()  # type: ignore[union-attr]
            raise JvmEngineError(f"the JVM engine stopped: {stderr or 'no message'}")
        return orjson.loads(line)

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        if self.alive():
            self.stdin.close()
            self.process.wait(timeout=10)


_host: _Host | None = None
_host_lock = threading.Lock()


def _shared_host() -> _Host:
    global _host  # noqa: PLW0603 - one JVM for the process, started on first use
    with _host_lock:
        if _host is None or not _host.alive():
            _host = _Host()
            atexit.register(_host.close)
        return _host


class JvmFeatureEngine:
    """The JVM engine behind the reference engine's interface: `process(event)` gives every feature of
    one event (a round trip each), `process_all(events)` streams many.

    >>> from dsl.parser import parse
    >>> fs = parse("featureset p version 1\\nfeatures c per card_id { n = count() over 1h }")
    >>> with JvmFeatureEngine(fs) as engine:
    ...     [engine.process({"ts": t, "card_id": "k"})["n"] for t in (0, 1_000, 3_700_000)]
    [1, 2, 1]
    """

    def __init__(self, featureset: ast.FeatureSet, lateness_ms: int = DEFAULT_LATENESS_MS) -> None:
        self.featureset = featureset
        self._start(compile_plan(featureset, lateness_ms))

    @classmethod
    def from_plan(cls, plan: dict[str, Any]) -> JvmFeatureEngine:
        """An engine on a plan as it is, not compiled here (tests state aggregates and windows directly)."""
        engine = cls.__new__(cls)
        engine._start(plan)
        return engine

    def _start(self, plan: dict[str, Any]) -> None:
        self._host = _shared_host()
        self._id = self._host.ask(b"P " + orjson.dumps(plan))["engine"]
        self._prefix = f"E {self._id} ".encode()
        self._finalizer = weakref.finalize(self, self._host.drop_later, self._id)

    def process(self, event: dict[str, Any]) -> dict[str, Any]:
        return self._host.ask(self._prefix + event_line(event))["features"]

    def process_all(self, events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """Every event's features, in order; the events are written while the answers are read (a pipe holds
        only so much), and every answer is read before an error is raised, so the host stays in step."""
        lines = [self._prefix + event_line(event) + b"\n" for event in events]
        host = self._host
        with host.lock:
            host._drop_pending()
            writer = threading.Thread(target=host.write_all, args=(lines,), daemon=True)
            writer.start()
            answers = [host.read_answer() for _ in lines]
            writer.join()
        for answer in answers:
            if "error" in answer:
                raise JvmEngineError(answer["error"])
        return [answer["features"] for answer in answers]

    def state_sizes(self) -> list[dict[str, Any]]:
        """Per part: keys, serialized bytes of every key's state, log entries, and the bytes of an empty key."""
        return self._host.ask(f"S {self._id}".encode())["parts"]

    def close(self) -> None:
        """Frees the engine's state in the JVM now (otherwise when this object is collected)."""
        self._finalizer()

    def __enter__(self) -> JvmFeatureEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
