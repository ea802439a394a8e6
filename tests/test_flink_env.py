"""Which data plane jar the jobs load (the tree's build, or another named by FRAUDSCORE_DATAPLANE_JAR), the
options of the JVM an embedded job runs in, where a job may log its state's changes, and where a job with no
checkpoint directory keeps its checkpoints."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fraudscore.flink_env import (
    JOB_JVM_OPTIONS,
    FlinkSetupError,
    changelog_storage_known,
    checkpoints_of_this_run,
    dataplane_jar,
    tune_the_embedded_jvm,
)
from fraudscore.settings import FlinkSettings


def test_a_relative_name_is_the_jar_from_the_current_directory_as_an_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "aside.jar").write_bytes(b"PK")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FRAUDSCORE_DATAPLANE_JAR", "aside.jar")
    jar = dataplane_jar(tmp_path / "jvm")
    assert jar == tmp_path / "aside.jar"
    assert jar.is_absolute()  # Flink takes it as a file URI, which a relative path cannot be


def test_a_missing_jar_says_how_to_build_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAUDSCORE_DATAPLANE_JAR", str(tmp_path / "none.jar"))
    with pytest.raises(FlinkSetupError, match=r"none\.jar is missing: run `make`"):
        dataplane_jar(tmp_path / "jvm")


def test_the_embedded_jvm_gets_the_jobs_options_once_and_the_callers_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JVM_ARGS", "-Xlog:gc -XX:MaxTenuringThreshold=4")
    tune_the_embedded_jvm()
    tune_the_embedded_jvm()  # a second job built in the same process
    assert os.environ["JVM_ARGS"].split() == [*JOB_JVM_OPTIONS, "-Xlog:gc", "-XX:MaxTenuringThreshold=4"]
    monkeypatch.delenv("JVM_ARGS")
    tune_the_embedded_jvm()
    assert os.environ["JVM_ARGS"].split() == list(JOB_JVM_OPTIONS)


def test_under_flink_run_a_job_logs_its_state_changes_only_where_the_cluster_keeps_them_in_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PYFLINK_GATEWAY_PORT", raising=False)
    assert changelog_storage_known(FlinkSettings())  # a script: its own mini-cluster takes the job's settings
    monkeypatch.setenv("PYFLINK_GATEWAY_PORT", "41234")  # as `flink run`'s client sets it for the job file
    assert not changelog_storage_known(FlinkSettings())
    assert changelog_storage_known(FlinkSettings(cluster_changelog_on_files=True))


def test_a_run_without_a_checkpoint_dir_removes_the_checkpoints_of_runs_that_ended(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYFLINK_GATEWAY_PORT", raising=False)
    monkeypatch.setattr("fraudscore.flink_env.RUN_CHECKPOINTS", tmp_path)
    left = tmp_path / f"{_an_ended_process()}-scoring-abc"
    (left / "changelog").mkdir(parents=True)
    (left / "changelog" / "log").write_bytes(b"x" * 1000)
    running = tmp_path / f"{os.getpid()}-preprocessor-def"
    running.mkdir()
    other = tmp_path / "notes"  # not a run's: left alone
    other.mkdir()
    mine = checkpoints_of_this_run("scoring")
    assert mine.parent == tmp_path and mine.name.startswith(f"{os.getpid()}-scoring-") and mine.is_dir()
    assert sorted(tmp_path.iterdir()) == sorted([running, other, mine])


def test_under_flink_run_the_job_outlives_its_client_and_its_checkpoints_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYFLINK_GATEWAY_PORT", "41234")
    monkeypatch.setattr("fraudscore.flink_env.RUN_CHECKPOINTS", tmp_path)
    ended = tmp_path / f"{_an_ended_process()}-scoring-abc"
    ended.mkdir()
    mine = checkpoints_of_this_run("scoring")
    assert mine.parent != tmp_path
    mine.rmdir()
    assert ended.is_dir()


def _an_ended_process() -> int:
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    return int(ended.stdout)
