"""`fraudscore kafka start|status|stop` runs a detached broker that outlives the command, and stops it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from fraudscore import processes
from fraudscore.broker import free_port
from fraudscore.topics import Topics

pytestmark = pytest.mark.integration


def fraudscore(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "fraudscore.cli", *args]
    environment = {**os.environ, **env}
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=180, check=False)


def test_kafka_start_status_stop(tmp_path):
    env = {"FRAUDSCORE_VAR_DIR": str(tmp_path), "FRAUDSCORE_KAFKA__BOOTSTRAP": f"127.0.0.1:{free_port()}"}
    try:
        started = fraudscore("kafka", "start", env=env)
        assert started.returncode == 0, started.stderr
        pid = int((tmp_path / "kafka" / "broker.pid").read_text())
        status = fraudscore("kafka", "status", env=env)
        assert status.returncode == 0
        assert f"(pid {pid})" in status.stdout
        from kafka.admin import KafkaAdminClient

        admin = KafkaAdminClient(bootstrap_servers=env["FRAUDSCORE_KAFKA__BOOTSTRAP"])
        assert {s.name for s in Topics().specs()} <= set(admin.list_topics())
        admin.close()
    finally:
        stopped = fraudscore("kafka", "stop", env=env)
    assert stopped.returncode == 0
    assert not processes.is_alive(pid)
    assert fraudscore("kafka", "status", env=env).returncode == 3


FAILURES = {
    "no jars": (("kafka", "start"), {"FRAUDSCORE_JVM_DIR": "/nowhere"}, "error: no Kafka jars in /nowhere"),
    "no broker": (("topics",), {"FRAUDSCORE_KAFKA__BOOTSTRAP": "127.0.0.1:1"}, "error: Kafka at 127.0.0.1:1"),
}


@pytest.mark.parametrize("args, env, message", FAILURES.values(), ids=FAILURES.keys())
def test_a_failure_is_one_line_without_a_stack_trace(tmp_path, args, env, message):
    result = fraudscore(*args, env={"FRAUDSCORE_VAR_DIR": str(tmp_path), **env})
    assert result.returncode == 1
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.stderr
