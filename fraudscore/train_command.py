"""`fraudscore train --features F.fdsl --history H.jsonl --label L --model gbm|rf|lr|iforest --out M.pmml`:
features from the DSL engine over a labelled history, a scikit-learn model, its PMML and a model card.

The history is split by time: the model is fitted on the oldest part, its alert threshold chosen (best F1)
on the part after that, and precision, recall and ROC AUC measured on the newest part, which neither saw.
The PMML written is the model measured, and its scores are checked against scikit-learn's before it is."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from dsl import check_file
from fraudscore import training
from fraudscore.errors import FraudError
from fraudscore.files import json_lines, open_file
from pmml_engine import Scorer, load_scorer

VALIDATION_SHARE = 0.2  # of the training period, for the threshold


@dataclass(frozen=True)
class _Trained:
    splits: tuple[np.ndarray, np.ndarray, np.ndarray]  # row positions: fitting, threshold, hold-out
    threshold: float
    metrics: dict[str, Any]
    pmml: bytes
    gap: float  # the largest difference between the PMML's scores and scikit-learn's
    inputs: tuple[str, ...]  # what the PMML reads (the converter leaves out what the model does not use)


def add_parser(sub: argparse._SubParsersAction) -> None:
    train = sub.add_parser("train", help="train a model on a labelled history with the DSL's features, as PMML")
    train.add_argument("--features", required=True, help="the feature file the scoring job runs")
    train.add_argument("--history", required=True, help="canonical events, one JSON object a line, with a label")
    train.add_argument("--label", required=True, help="the events' label field: 0/1 or a boolean")
    train.add_argument("--model", required=True, choices=training.KINDS)
    train.add_argument("--out", required=True, help="the PMML to write; the model card goes next to it")
    train.add_argument("--holdout", type=float, default=0.2, help="newest share of events kept back (0.2)")
    train.add_argument("--seed", type=int, default=1)
    train.set_defaults(run=cmd_train)


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
    data = training.labelled_rows(featureset, events, args.label)
    fit_rows, valid_rows, test_rows = _split_by_time(len(data.ts), args.holdout)
    for name, rows in (("training", fit_rows), ("threshold", valid_rows), ("hold-out", test_rows)):
        if data.labels.iloc[rows].sum() == 0:
            raise FraudError(f"the {name} period has no positive label: a longer history, or another --holdout")
    _say(f"Fitting {args.model} on {len(fit_rows):,} events ({_span(data.ts.iloc[fit_rows])})")
    pipeline = training.fit(args.model, data.features.iloc[fit_rows], data.labels.iloc[fit_rows], args.seed)
    valid_scores = training.scores(args.model, pipeline, data.features.iloc[valid_rows])
    threshold = _best_f1_threshold(valid_scores, data.labels.iloc[valid_rows].to_numpy())
    test_scores = training.scores(args.model, pipeline, data.features.iloc[test_rows])
    metrics = _metrics(test_scores, data.labels.iloc[test_rows].to_numpy(), threshold)
    _say("Exporting PMML with sklearn2pmml")
    pmml = training.export(args.model, pipeline)
    scorer = load_scorer(pmml)
    gap = _pmml_gap(scorer, training.score_field(args.model), data.features.iloc[test_rows[:500]], test_scores[:500])
    trained = _Trained((fit_rows, valid_rows, test_rows), threshold, metrics, pmml, gap, scorer.input_names)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pmml)
    card_path = out.with_suffix(".card.json")
    card_path.write_bytes(orjson.dumps(_card(args, featureset, data, trained), option=orjson.OPT_INDENT_2) + b"\n")
    _print_result(args, trained, out, card_path)
    return 0


def _events(path: Path) -> list[dict[str, Any]]:
    events = []
    with open_file(path) as lines:
        for number, event in json_lines(path, lines):
            if not isinstance(event, dict) or type(event.get("ts")) is not int:
                raise FraudError(f"{path}:{number}: an event needs 'ts' in epoch milliseconds (an integer)")
            events.append(event)
    return events


def _split_by_time(n: int, holdout: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row positions (rows are in time order): fitting, choosing the threshold, the hold-out."""
    test_start = int(n * (1 - holdout))
    valid_start = int(test_start * (1 - VALIDATION_SHARE))
    rows = np.arange(n)
    return rows[:valid_start], rows[valid_start:test_start], rows[test_start:]


def _best_f1_threshold(scores: np.ndarray, labels: np.ndarray) -> float:
    from sklearn.metrics import precision_recall_curve

    precision, recall, thresholds = precision_recall_curve(labels, scores)
    f1 = 2 * precision[:-1] * recall[:-1] / np.maximum(precision[:-1] + recall[:-1], 1e-12)
    return float(thresholds[int(np.argmax(f1))])


def _metrics(scores: np.ndarray, labels: np.ndarray, threshold: float) -> dict[str, Any]:
    from sklearn.metrics import precision_score, recall_score, roc_auc_score

    alerts = scores >= threshold
    return {
        "events": int(labels.size),
        "fraud": int(labels.sum()),
        "alerts": int(alerts.sum()),
        "precision": float(precision_score(labels, alerts, zero_division=0)),
        "recall": float(recall_score(labels, alerts, zero_division=0)),
        "roc_auc": float(roc_auc_score(labels, scores)),
    }


def _pmml_gap(scorer: Scorer, field: str, features: Any, expected: np.ndarray) -> float:
    """The largest difference between the PMML's score, by the engine the scoring job uses, and the score
    measured: the exported model must be the one measured."""
    records = [{k: None if math.isnan(v) else v for k, v in row.items()} for row in features.to_dict("records")]
    got = np.array([row[field] for row in scorer.score_batch(records)], dtype=float)
    gap = float(np.max(np.abs(got - expected))) if len(got) else 0.0
    if not gap <= 1e-6:
        raise FraudError(f"the exported PMML scores up to {gap:.3g} away from the model measured: not written")
    return gap


def _card(args: argparse.Namespace, featureset: Any, data: training.Dataset, trained: _Trained) -> dict[str, Any]:
    import sklearn

    periods = {}
    for name, rows in zip(("fit", "threshold", "holdout"), trained.splits, strict=True):
        labels = data.labels.iloc[rows]
        periods[name] = {"events": len(rows), "fraud": int(labels.sum()), "from": _iso(data.ts.iloc[rows].min()),
                         "to": _iso(data.ts.iloc[rows].max())}  # fmt: skip
    return {
        "model": args.model,
        "pmml": Path(args.out).name,
        "pmml_sha256": hashlib.sha256(trained.pmml).hexdigest(),
        "score_field": training.score_field(args.model),
        "threshold": trained.threshold,
        "threshold_chosen": "best F1 on the threshold period",
        "holdout_metrics": trained.metrics,
        "feature_set": f"{featureset.name}:{featureset.version}",
        "features_file": args.features,
        "inputs": list(trained.inputs),
        "history": args.history,
        "label": args.label,
        "periods": periods,
        "pmml_vs_sklearn_max_gap": trained.gap,
        "seed": args.seed,
        "scikit_learn": sklearn.__version__,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def _print_result(args: argparse.Namespace, trained: _Trained, out: Path, card: Path) -> None:
    metrics, threshold = trained.metrics, trained.threshold
    print(f"hold-out (newest {args.holdout:.0%}: {metrics['events']:,} events, {metrics['fraud']:,} fraud), "
          f"threshold {threshold:.4g}:")  # fmt: skip
    print(f"  precision {metrics['precision']:.3f}   recall {metrics['recall']:.3f}   ROC AUC {metrics['roc_auc']:.3f}"
          f"   ({metrics['alerts']:,} alerts)")  # fmt: skip
    print(f"wrote {out} (its scores within {trained.gap:.1g} of scikit-learn's) and the model card {card}")
    print(f"publish it: fraudscore models publish MODEL_ID {out} --threshold {threshold:.6g} "
          f"--score-field '{training.score_field(args.model)}'")  # fmt: skip


def _span(ts: Any) -> str:
    return f"{_iso(ts.min())} to {_iso(ts.max())}"


def _iso(ms: Any) -> str:
    return dt.datetime.fromtimestamp(int(ms) / 1000, tz=dt.UTC).strftime("%Y-%m-%d %H:%M")


def _say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)
