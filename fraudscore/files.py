"""Reading the files users hand the CLI: a bad file or line is one error with its path and line number."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from fraudscore.errors import FraudError


def open_file(path: Path, mode: str = "rb", newline: str | None = None) -> IO[Any]:
    try:
        return path.open(mode, newline=newline)
    except OSError as exc:
        raise FraudError(f"{path}: cannot read: {exc.strerror}") from None


def read_bytes(path: Path) -> bytes:
    with open_file(path) as handle:
        return handle.read()


def json_lines(path: Path, lines: IO[bytes]) -> Iterator[tuple[int, Any]]:
    """Each non-empty line of a JSON-lines file as (line number, value); a line that is not JSON stops
    everything. What a value must be is the caller's to say."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise FraudError(f"{path}:{number}: not JSON ({exc})") from None
        yield number, value
