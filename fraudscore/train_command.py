"""`fraudscore train --features F.fdsl --history H.jsonl --label L --model gbm|rf|lr|iforest --out M.pmml`:
features from the DSL engine over a labelled history, a scikit-learn model, its PMML and a model card.

The history is split by time: the model is fitted on the oldest part, its alert threshold chosen (best F1)
on the part after that, and precision, recall and ROC AUC measured on the newest part, which neither saw.
The PMML written is the model measured, and its scores are checked against scikit-learn's before it is."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import orjson

from dsl import check_file
from fraudscore import training
from fraudscore.errors import FraudError
from fraudscore.files import json_lines, open_file


def add_parser(sub: argparse._SubParsersAction) -> None:
    train = sub.add_parser("train", help="train a model on a labelled history with the DSL's features, as PMML")
    train.add_argument("--features", required=True, help="the feature file the scoring job runs")
    train.add_argument("--history", required=True, help="canonical events, one JSON object a line, with a label")
    train.add_argument("--label", required=True, help="the events' label field: 0/1 or a boolean")
    train.add_argument("--model", required=True, choices=training.KINDS)
    train.add_argument("--out", required=True, help="the PMML to write; the model card goes next to it")
    train.add_argument(
        "--event-types",
        type=_names,
        default=(),
        help="comma-separated: train on these event types only "
        "(every event still builds the features' state); default: every labelled event",
    )
    train.add_argument(
        "--inputs",
        type=_names,
        default=(),
        help="comma-separated: only these features as the model's "
        "inputs (default: amount and every numeric or boolean feature)",
    )
    train.add_argument("--holdout", type=float, default=0.2, help="newest share of events kept back (0.2)")
    train.add_argument("--seed", type=int, default=1)
    train.set_defaults(run=cmd_train)


def _names(text: str) -> tuple[str, ...]:
    """A comma-separated list of names, as `--event-types` and `--inputs` take them."""
    return tuple(name.strip() for name in text.split(",") if name.strip())


def cmd_train(args: argparse.Namespace, settings: Any) -> int:
    if not 0.05 <= args.holdout <= 0.5:
        raise FraudError("--holdout is a share between 0.05 and 0.5")
    featureset, errors = check_file(Path(args.features))
    if errors or featureset is None:
        for error in errors:
            print(error.render(), file=sys.stderr)
        return 1
    _say(f"Reading {args.history}")
    events = sorted(_events(Path(args.history)), key=lambda e: e["ts"])
    _say(f"Computing {featureset.name}:{featureset.version} features over {len(events):,} events")
    only = frozenset(args.event_types) or None
    data = training.labelled_rows(featureset, events, args.label, only, args.inputs or None)
    trained = training.train_and_measure(args.model, data, args.holdout, args.seed, _say)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(trained.pmml)
    context = {"pmml": out.name, "features_file": args.features, "history": args.history, "label": args.label,
               "seed": args.seed}  # fmt: skip
    card = training.model_card(trained, data, f"{featureset.name}:{featureset.version}", **context)
    card_path = out.with_suffix(".card.json")
    card_path.write_bytes(orjson.dumps(card, option=orjson.OPT_INDENT_2) + b"\n")
    _print_result(args, trained, out, card, card_path)
    return 0


def _events(path: Path) -> list[dict[str, Any]]:
    events = []
    with open_file(path) as lines:
        for number, event in json_lines(path, lines):
            if not isinstance(event, dict) or type(event.get("ts")) is not int:
                raise FraudError(f"{path}:{number}: an event needs 'ts' in epoch milliseconds (an integer)")
            events.append(event)
    return events


def _print_result(args: argparse.Namespace, trained: training.Trained, out: Path, card: dict[str, Any],
                  card_path: Path) -> None:  # fmt: skip
    metrics, threshold = trained.metrics, trained.threshold
    print(f"hold-out (newest {args.holdout:.0%}: {metrics['events']:,} events, {metrics['fraud']:,} fraud), "
          f"threshold {threshold:.4g}:")  # fmt: skip
    print(f"  precision {metrics['precision']:.3f}   recall {metrics['recall']:.3f}   ROC AUC {metrics['roc_auc']:.3f}"
          f"   ({metrics['alerts']:,} alerts)")  # fmt: skip
    print(f"wrote {out} (its scores within {trained.gap:.1g} of scikit-learn's) and the model card {card_path}")
    print(f"publish it: fraudscore models publish MODEL_ID {out} --threshold {threshold:.6g} "
          f"--score-field '{training.score_field(args.model)}' "
          f"--event-types {','.join(card['event_types'])}")  # fmt: skip


def _say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)
