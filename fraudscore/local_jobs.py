"""Run a job in its own process on an embedded Flink mini-cluster, attached to ours."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fraudscore import processes
from fraudscore.settings import PROJECT_ROOT

JOB_MODULES = {"preprocessor": "preprocessor_job.job", "scoring": "scoring_job.job"}


class LocalJob:
    """`python -m <job module>`; its Flink mini-cluster lives in that process's JVM and dies with it."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_file = log_dir / f"{name}.log"
        job_env = {**os.environ, **env, "FLINK_LOG_DIR": str(log_dir / f"{name}-flink")}
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", JOB_MODULES[name]],
                cwd=PROJECT_ROOT,
                env=job_env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=processes.die_with_parent,  # noqa: PLW1509
                # Its own group: stop() then ends the JVM and Python workers Flink started, too.
                start_new_session=True,
            )

    def is_alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 60) -> str:
        text = self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def kill(self) -> None:
        """A crash: the job's whole process group (its JVM, its Python workers) killed at once."""
        processes.kill(self.process.pid, group=True)
        self.process.wait()

    def stop(self) -> None:
        processes.terminate(self.process.pid, timeout_s=20, group=True)
        self.process.wait()

    def __enter__(self) -> LocalJob:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
