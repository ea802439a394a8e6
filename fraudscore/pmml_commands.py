"""`fraudscore pmml inspect MODEL` and `fraudscore pmml score MODEL --input IN --output OUT.csv`."""

from __future__ import annotations

import argparse
import contextlib
import csv
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fraudscore.errors import FraudError
from fraudscore.files import json_lines, open_file, read_bytes
from pmml_engine.engine import ENGINES, load_scorer

_BATCH = 1_000


def add_parsers(sub: argparse._SubParsersAction) -> None:
    pmml = sub.add_parser("pmml", help="inspect and score PMML models offline").add_subparsers(
        dest="pmml_command", required=True
    )
    inspect = pmml.add_parser("inspect", help="a model's schema and the engine that scores it")
    inspect.add_argument("model")
    inspect.set_defaults(run=cmd_pmml_inspect)
    score = pmml.add_parser("score", help="score a CSV or JSON-lines file; output columns as pypmml names them")
    score.add_argument("model")
    score.add_argument("--input", required=True, help="records: .csv (a header row) or .jsonl")
    score.add_argument("--output", help="CSV to write (default: standard output)")
    score.add_argument("--engine", choices=ENGINES, default="auto", help="default: compiled, else pypmml")
    score.set_defaults(run=cmd_pmml_score)


def cmd_pmml_inspect(args: argparse.Namespace, settings: Any) -> int:
    scorer = load_scorer(read_bytes(Path(args.model)))
    document = scorer.document
    function = f" ({document.function_name})" if document.function_name else ""
    print(f"model:   {document.model_element}{function}, PMML {document.version}")
    reason = f" ({scorer.fallback_reason})" if scorer.fallback_reason else ""
    print(f"engine:  {scorer.engine}{reason}")
    if scorer.engine == "compiled":
        fast = f"off ({scorer.fast_path_reason}): slower, same scores" if scorer.fast_path_reason else "on"
        print(f"fast path: {fast}")
    print(f"targets: {', '.join(document.targets) or '-'}")
    print("inputs:")
    width = max((len(f.name) for f in document.inputs), default=0)
    for field in document.inputs:
        print(f"  {field.name:<{width}}  {field.optype} {field.data_type}")
    print(f"outputs: {', '.join(scorer.output_names)}")
    return 0


def cmd_pmml_score(args: argparse.Namespace, settings: Any) -> int:
    scorer = load_scorer(read_bytes(Path(args.model)), engine=args.engine)
    types = {f.name: f.data_type for f in scorer.document.inputs}
    records = _records(Path(args.input), types)
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(Path(args.output).open("w", newline="")) if args.output else sys.stdout
        writer = csv.writer(out)
        writer.writerow(scorer.output_names)
        for batch in _batches(records):
            for row in scorer.score_batch(batch):
                writer.writerow(["" if row[name] is None else _cell(row[name]) for name in scorer.output_names])
    if args.output:
        print(f"scored by the {scorer.engine} engine into {args.output}", file=sys.stderr)
    return 0


def _records(path: Path, types: dict[str, str]) -> Iterator[dict[str, Any]]:
    """Records of a CSV (empty cell: missing) or JSON-lines file, CSV text typed as the model's inputs."""
    if path.suffix == ".jsonl":
        with open_file(path) as lines:
            for number, record in json_lines(path, lines):
                if not isinstance(record, dict):
                    raise FraudError(f"{path}:{number}: a record is a JSON object")
                yield record
        return
    with open_file(path, "r", newline="") as handle:
        for row in csv.DictReader(handle):
            yield {name: _typed(value, types.get(name, "string")) for name, value in row.items()}


def _typed(value: str | None, data_type: str) -> Any:
    if value is None or value == "":
        return None
    if data_type in ("double", "float", "integer"):
        try:
            return float(value) if data_type != "integer" else int(float(value))
        except ValueError:
            return value  # the engine treats it as the model says: missing or invalid
    return value


def _batches(records: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for record in records:
        batch.append(record)
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)
