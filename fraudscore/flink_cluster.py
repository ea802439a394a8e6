"""A local standalone Flink cluster from the apache-flink wheel: one JobManager, two TaskManagers.

The jobs are submitted to it with `flink run -py`, unchanged, exactly as they would be to any cluster.
"""

from __future__ import annotations

import os
import re
import shutil
import site
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import orjson
import pyflink
import yaml

from fraudscore import flink_env, processes
from fraudscore.broker import free_port
from fraudscore.errors import FraudError
from fraudscore.settings import PROJECT_ROOT, FlinkSettings

FLINK_HOME = Path(pyflink.__file__).resolve().parent
_JOB_ID = re.compile(r"JobID ([0-9a-f]{32})")


class FlinkClusterError(FraudError):
    """The standalone cluster did not start, or a job could not be submitted to it."""


@dataclass(frozen=True)
class StandaloneCluster:
    """Where the cluster keeps its configuration, logs and pid files, and its REST port."""

    home: Path
    rest_port: int = 8081
    task_managers: int = 2
    # Both jobs at parallelism 2 need four slots.
    slots_per_task_manager: int = 2
    # The cluster's, not the jobs': Flink makes each TaskManager's changelog storage from it (settings.py).
    changelog_upload_kb: int = FlinkSettings.model_fields["changelog_upload_kb"].default

    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def log_dir(self) -> Path:
        return self.home / "log"

    @property
    def changelog_dir(self) -> Path:
        """Where the jobs that log their state's changes (`state_changelog`) write that log on this cluster."""
        return self.home / "changelog"

    @property
    def rest_url(self) -> str:
        return f"http://127.0.0.1:{self.rest_port}"

    def env(self) -> dict[str, str]:
        """The environment of every `bin/` script: our conf, logs and pids; the venv for THREAD mode."""
        python_path = os.pathsep.join([*site.getsitepackages(), str(PROJECT_ROOT)])
        return {
            **os.environ,
            "FLINK_HOME": str(FLINK_HOME),
            "FLINK_CONF_DIR": str(self.conf_dir),
            "FLINK_LOG_DIR": str(self.log_dir),
            "FLINK_LIB_DIR": str(self.home / "lib"),
            "PYTHONPATH": python_path,
        }

    def start(self, *, attached: bool = True, timeout_s: float = 120) -> None:
        """Start the JobManager and the TaskManagers, and wait until all have registered.

        Each is our own child process (`start-foreground`). attached: they die with this process
        (tests); detached they outlive it (`fraudscore flink start`) and stop() finds them by pid file.
        """
        self._write_conf()
        self._spawn("jobmanager", "jobmanager.sh", attached)
        for index in range(self.task_managers):
            self._spawn(f"taskmanager-{index}", "taskmanager.sh", attached)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.registered_task_managers() >= self.task_managers:
                return
            if not all(processes.is_alive(pid) for pid in self._pids()):
                break
            time.sleep(1)
        self.stop()
        raise FlinkClusterError(
            f"{self.task_managers} TaskManagers did not register within {timeout_s:.0f}s; logs in {self.log_dir}"
        )

    def stop(self) -> None:
        """Stop every process this cluster started (SIGTERM, then SIGKILL), TaskManagers first."""
        for pid_file in sorted(self.pid_dir.glob("*.pid"), reverse=True):
            try:
                pid = int(pid_file.read_text())
            except (OSError, ValueError):
                pid = None
            if pid is not None:
                processes.terminate(pid, timeout_s=30, group=True)
            pid_file.unlink(missing_ok=True)

    def kill_task_manager(self, index: int) -> None:
        """SIGKILL a TaskManager's JVM (and the Python it embeds): a machine lost, for failover tests."""
        pid_file = self.pid_dir / f"taskmanager-{index}.pid"
        processes.kill(int(pid_file.read_text()), group=True)
        pid_file.unlink()

    def start_task_manager(self, index: int, *, attached: bool = True) -> None:
        """Start (again) TaskManager `index`: it registers with the JobManager in a few seconds."""
        self._spawn(f"taskmanager-{index}", "taskmanager.sh", attached)

    def is_running(self) -> bool:
        pids = self._pids()
        return bool(pids) and all(processes.is_alive(pid) for pid in pids)

    @property
    def pid_dir(self) -> Path:
        return self.home / "pid"

    def _pids(self) -> list[int]:
        pids = []
        for pid_file in self.pid_dir.glob("*.pid"):
            try:
                pids.append(int(pid_file.read_text()))
            except (OSError, ValueError):
                continue
        return pids

    def _spawn(self, name: str, script: str, attached: bool) -> None:
        with (self.log_dir / f"{name}.out").open("ab") as out:
            process = subprocess.Popen(
                [str(FLINK_HOME / "bin" / script), "start-foreground"],
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=processes.die_with_parent if attached else None,  # noqa: PLW1509
                start_new_session=True,  # its own group: stop() ends the JVM the script execs, too
            )
        (self.pid_dir / f"{name}.pid").write_text(str(process.pid))

    def registered_task_managers(self) -> int:
        overview = self._rest("/overview")
        return int(overview.get("taskmanagers", 0)) if overview else 0

    def submit(self, job_file: Path, parallelism: int, env: dict[str, str]) -> str:
        """`flink run -d -py job_file` with the venv's Python; returns the job id."""
        command = [
            str(FLINK_HOME / "bin" / "flink"), "run", "-d",
            "-m", f"127.0.0.1:{self.rest_port}",
            "-p", str(parallelism),
            "-pyexec", sys.executable,
            "-pyclientexec", sys.executable,
            "-py", str(job_file),
        ]  # fmt: skip
        environment = self.env()
        environment.setdefault("FRAUDSCORE_FLINK__CLUSTER_CHANGELOG_ON_FILES", "true")  # `_write_conf` sees to it
        environment.update(env)
        result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False, timeout=300)
        match = _JOB_ID.search(result.stdout)
        if result.returncode != 0 or not match:
            tail = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
            raise FlinkClusterError(f"flink run -py {job_file.name} failed:\n{tail}")
        return match.group(1)

    def job_state(self, job_id: str) -> str:
        job = self._rest(f"/jobs/{job_id}")
        return str(job.get("state", "UNKNOWN")) if job else "UNKNOWN"

    def failures(self, job_id: str) -> list[str]:
        """The exceptions the job failed over on, oldest first."""
        history = (self._rest(f"/jobs/{job_id}/exceptions") or {}).get("exceptionHistory", {})
        return [entry.get("exceptionName", "") for entry in reversed(history.get("entries", []))]

    def cancel(self, job_id: str) -> None:
        subprocess.run(
            [str(FLINK_HOME / "bin" / "flink"), "cancel", "-m", f"127.0.0.1:{self.rest_port}", job_id],
            env=self.env(), capture_output=True, check=False, timeout=120,
        )  # fmt: skip

    def _write_conf(self) -> None:
        for folder in (self.conf_dir, self.log_dir, self.pid_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self._link_lib()
        for name in ("log4j.properties", "log4j-cli.properties", "log4j-console.properties"):
            shutil.copy(FLINK_HOME / "conf" / name, self.conf_dir / name)
        config = yaml.safe_load((FLINK_HOME / "conf" / "config.yaml").read_text())
        config["jobmanager"].update({"bind-host": "127.0.0.1", "rpc": {"address": "127.0.0.1", "port": 0}})
        config["jobmanager"]["rpc"]["port"] = free_port()
        config["jobmanager"]["memory"] = {"process": {"size": "1024m"}}
        # load-balance SLOTS: each job's subtasks go to different TaskManagers, so losing one process fails
        # a job over for real (Flink 2 dropped the older `cluster.evenly-spread-out-slots`).
        config["taskmanager"].update(
            {"bind-host": "127.0.0.1", "host": "127.0.0.1", "numberOfTaskSlots": self.slots_per_task_manager,
             "memory": {"process": {"size": "1536m"}}, "load-balance": {"mode": "SLOTS"}}
        )  # fmt: skip
        # A TaskManager that stops answering is dead after 10 s here (Flink's default is 50 s, for networks
        # less reliable than one machine's loopback): its tasks restart on the others sooner.
        config["heartbeat"] = {"interval": 2000, "timeout": 10000}
        opts = config.setdefault("env", {}).setdefault("java", {}).setdefault("opts", {})
        opts["taskmanager"] = " ".join(flink_env.JOB_JVM_OPTIONS)
        config["rest"] = {"address": "127.0.0.1", "bind-address": "127.0.0.1", "port": self.rest_port}
        # Flink makes a TaskManager's changelog storage from the cluster's configuration, not the job's:
        # without these, a job with `state.changelog.enabled` logs to memory, carried in every checkpoint's
        # metadata until the next whole-state write (README, "Running against your own Kafka and Flink").
        config["state"] = {"changelog": flink_env.changelog_storage(self.changelog_dir, self.changelog_upload_kb)}
        (self.conf_dir / "config.yaml").write_text(yaml.safe_dump(config))
        (self.conf_dir / "masters").write_text(f"127.0.0.1:{self.rest_port}\n")
        (self.conf_dir / "workers").write_text("localhost\n")

    def _link_lib(self) -> None:
        """The wheel's lib/ plus flink-python from opt/: a cluster needs it to run Python operators."""
        lib = self.home / "lib"
        shutil.rmtree(lib, ignore_errors=True)
        lib.mkdir(parents=True)
        for jar in [*(FLINK_HOME / "lib").glob("*.jar"), *(FLINK_HOME / "opt").glob("flink-python-*.jar")]:
            (lib / jar.name).symlink_to(jar)

    def _rest(self, path: str) -> dict | None:
        try:
            with urllib.request.urlopen(self.rest_url + path, timeout=5) as response:
                return orjson.loads(response.read())
        except (urllib.error.URLError, OSError, orjson.JSONDecodeError):
            return None
