"""Which data plane jar the jobs load: the tree's build, or another named by FRAUDSCORE_DATAPLANE_JAR."""

from pathlib import Path

import pytest

from fraudscore.flink_env import FlinkSetupError, dataplane_jar


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
