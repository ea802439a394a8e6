"""A feature file from disk: read, parse, check; every problem as a DslError with its source line."""

from __future__ import annotations

from pathlib import Path

from dsl import ast
from dsl.checker import check
from dsl.errors import DslError, DslSyntaxError
from dsl.parser import parse

MAX_FILE_BYTES = 1024 * 1024


def check_file(path: Path) -> tuple[ast.FeatureSet | None, list[DslError]]:
    """The parsed feature set (None on a syntax error) and every error, each knowing its line."""
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [DslError(f"cannot read the file: {exc.strerror}", ast.Span(name, 1, 1))]
    if len(data) > MAX_FILE_BYTES:
        return None, [DslError(f"file larger than {MAX_FILE_BYTES} bytes", ast.Span(name, 1, 1))]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [DslError("not UTF-8 text", ast.Span(name, line, 1))]
    return check_text(text, name)


def check_text(text: str, name: str) -> tuple[ast.FeatureSet | None, list[DslError]]:
    """As check_file, for a feature file's text (one sent in a control message); `name` names it in errors."""
    lines = text.splitlines()
    try:
        featureset = parse(text, name)
    except DslSyntaxError as error:
        return None, [error]
    errors: list[DslError] = list(check(featureset))
    for error in errors:
        if 0 < error.span.line <= len(lines):
            error.source_line = lines[error.span.line - 1]
    return featureset, errors
