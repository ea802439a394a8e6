"""The store's database: a SQLite file always, and a real PostgreSQL server when one can be had: the one at
FRAUDSCORE_TEST_POSTGRES_URL, else a throwaway cluster made with this machine's initdb and pg_ctl (Debian's
postgresql package). Without either, the PostgreSQL cases are skipped and say why."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy

from fraudscore.broker import free_port

_PG_BIN = Path("/usr/lib/postgresql")


def _pg_tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(_PG_BIN.glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None


def _as_postgres_user(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the package's `postgres` user."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if os.environ.get("FRAUDSCORE_TEST_POSTGRES_URL"):
        yield os.environ["FRAUDSCORE_TEST_POSTGRES_URL"]
        return
    initdb, pg_ctl = _pg_tool("initdb"), _pg_tool("pg_ctl")
    if initdb is None or pg_ctl is None:
        pytest.skip("no PostgreSQL here (no initdb/pg_ctl, no FRAUDSCORE_TEST_POSTGRES_URL)")
    # Not under pytest's temporary directory: that is private to root, and the server runs as `postgres`.
    home = Path(tempfile.mkdtemp(prefix="fraudscore-pg-"))
    home.chmod(0o777)
    data, port = home / "data", free_port()
    _run([initdb, "-D", str(data), "-A", "trust", "-U", "postgres"])
    _run([pg_ctl, "-D", str(data), "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {home}", "-l", str(home / "log"),
          "-w", "start"])  # fmt: skip
    url = f"postgresql+pg8000://postgres@127.0.0.1:{port}/postgres"
    try:
        _wait_for(url)
        yield url
    finally:
        subprocess.run(_as_postgres_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), check=False,
                       capture_output=True)  # fmt: skip
        shutil.rmtree(home, ignore_errors=True)


def _run(argv: list[str]) -> None:
    done = subprocess.run(_as_postgres_user(argv), check=False, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(argv[:1])} failed:\n{done.stdout}{done.stderr}")


def _wait_for(url: str, timeout_s: float = 30) -> None:
    engine = sqlalchemy.create_engine(url)
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            try:
                with engine.connect():
                    return
            except sqlalchemy.exc.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each store test on both databases; a PostgreSQL test gets an empty database of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'models.db'}"
        return
    server = request.getfixturevalue("postgres_url")
    name = f"store_{abs(hash(request.node.nodeid)) % 10**12}"
    admin = sqlalchemy.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    yield server.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
