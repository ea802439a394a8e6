"""Models trained on the features the scoring job computes: a feature file's features over a labelled
history of canonical events (the DSL engine, in time order, as the job computes them), fitted with
scikit-learn and exported as PMML by sklearn2pmml. sklearn2pmml is AGPL: it exports here and never runs
on the scoring path.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import math
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dsl import parse
from dsl.ast import FeatureSet
from dsl.jvm import JvmFeatureEngine
from explain import profile_inputs
from fraudscore.errors import FraudError
from fraudscore.traffic import Traffic
from pmml_engine import Scorer, load_scorer

KINDS = ("lr", "gbm", "rf", "iforest")
# The isolation forest's PMML says "decisionFunction": lower is more anomalous. The scoring job alerts at or
# over a threshold, so the exported model gets one more output, its negation.
ANOMALY_SCORE = "anomalyScore"
VALIDATION_SHARE = 0.2  # of the training period, for the threshold


@dataclass(frozen=True)
class Trained:
    """A model measured on the newest part of its history, exported."""

    kind: str
    splits: tuple[np.ndarray, np.ndarray, np.ndarray]  # row positions: fitting, threshold, hold-out
    threshold: float
    metrics: dict[str, Any]
    pmml: bytes
    gap: float  # the largest difference between the PMML's scores and scikit-learn's
    inputs: tuple[str, ...]  # what the PMML reads (the converter leaves out what the model does not use)


@dataclass(frozen=True)
class Dataset:
    """One row per labelled event, in time order: its time, the numeric features, the label."""

    ts: pd.Series
    features: pd.DataFrame
    labels: pd.Series
    event_types: tuple[str, ...]  # of the labelled events: the model knows these, and should score no other


def labelled_rows(
    featureset: FeatureSet,
    events: Iterable[dict[str, Any]],
    label: str,
    only: frozenset[str] | None = None,
    inputs: tuple[str, ...] | None = None,
) -> Dataset:
    """Every event goes through the JVM feature engine in order (the scoring job's, so that state builds as in
    the job); the
    events that carry `label` (0/1, or a boolean), of the event types `only` names if it does, become rows:
    `amount` and every feature that is a number or a boolean (booleans as 0/1, nulls as NaN), or only the
    `inputs` named."""
    events = list(events)
    with JvmFeatureEngine(featureset) as engine:
        computed = engine.process_all(events)
    times, rows, labels, types = [], [], [], set()
    for event, features in zip(events, computed, strict=True):
        value = event.get(label)
        if value is None or (only is not None and event.get("event_type") not in only):
            continue
        if value not in (0, 1):  # True and False are 1 and 0
            raise FraudError(f"event {event.get('event_id')!r}: label {label!r} is {value!r}, not 0/1 or a boolean")
        times.append(event["ts"])
        types.add(str(event.get("event_type")))
        rows.append({"amount": event.get("amount"), **features})
        labels.append(int(value))
    if not rows:
        raise FraudError(f"no event in the history has the label {label!r}")
    table = pd.DataFrame(rows)
    numeric = [c for c in table.columns if table[c].map(lambda v: v is None or isinstance(v, int | float)).all()]
    features = table[numeric].astype(float)
    features = features.loc[:, features.notna().any()]  # a column with no value at all cannot be imputed
    if inputs:
        unknown = [name for name in inputs if name not in features.columns]
        if unknown:
            raise FraudError(f"no numeric values for {', '.join(unknown)}; the inputs there are: "
                             f"{', '.join(features.columns)}")  # fmt: skip
        features = features[list(inputs)]
    return Dataset(pd.Series(times, name="ts"), features, pd.Series(labels, name="is_fraud"), tuple(sorted(types)))


def fit(kind: str, features: pd.DataFrame, labels: pd.Series, seed: int = 1) -> Any:
    """A PMMLPipeline: nulls imputed with the median (which the PMML says as each input's missing-value
    replacement), then `lr` (logistic regression on standardised inputs), `gbm` (100 trees of depth 3),
    `rf` (100 trees of depth 8) or `iforest` (an isolation forest of 100 trees, fitted without labels)."""
    from sklearn.ensemble import GradientBoostingClassifier, IsolationForest, RandomForestClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    from sklearn2pmml.pipeline import PMMLPipeline

    steps: list = [("impute", SimpleImputer(strategy="median"))]
    if kind == "lr":
        steps += [("scale", StandardScaler()), ("classifier", LogisticRegression(max_iter=2_000))]
    elif kind == "gbm":
        steps += [("classifier", GradientBoostingClassifier(n_estimators=100, max_depth=3, random_state=seed))]
    elif kind == "rf":
        steps += [("classifier", RandomForestClassifier(n_estimators=100, max_depth=8, random_state=seed, n_jobs=1))]
    elif kind == "iforest":
        steps += [("detector", IsolationForest(n_estimators=100, random_state=seed))]
    else:
        raise FraudError(f"unknown model kind {kind!r}; one of {', '.join(KINDS)}")
    pipeline = PMMLPipeline(steps)
    if kind == "iforest":
        pipeline.fit(features)
    else:
        if labels.nunique() < 2:
            raise FraudError("the training events all have the same label: nothing to learn")
        pipeline.fit(features, labels)
    return pipeline


def scores(kind: str, pipeline: Any, features: pd.DataFrame) -> np.ndarray:
    """The model's score per row, as the exported PMML's score field gives it: P(fraud), or for the
    isolation forest its anomaly score (higher: more anomalous)."""
    if kind == "iforest":
        return -pipeline.decision_function(features)
    return pipeline.predict_proba(features)[:, 1]


def score_field(kind: str) -> str:
    return ANOMALY_SCORE if kind == "iforest" else "probability(1)"


def export(kind: str, pipeline: Any) -> bytes:
    """The pipeline as PMML (sklearn2pmml; it runs Java)."""
    from sklearn2pmml import sklearn2pmml

    chatter = io.StringIO()  # the converter prints its banner and advertisements; shown only if it fails
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "model.pmml"
        try:
            with contextlib.redirect_stdout(chatter), contextlib.redirect_stderr(chatter):
                sklearn2pmml(pipeline, str(out))
        except RuntimeError as exc:
            raise FraudError(f"sklearn2pmml could not export the model: {exc}\n{chatter.getvalue()[-2000:]}") from None
        pmml = out.read_bytes()
    return _with_anomaly_score(pmml) if kind == "iforest" else pmml


def _with_anomaly_score(pmml: bytes) -> bytes:
    """An OutputField `anomalyScore` = -decisionFunction after the model's own outputs."""
    field = (f'<OutputField name="{ANOMALY_SCORE}" optype="continuous" dataType="double" feature="transformedValue">'
             '<Apply function="*"><FieldRef field="decisionFunction"/><Constant dataType="double">-1</Constant>'
             "</Apply></OutputField>")  # fmt: skip
    text, count = re.subn(r"</Output>", field + "</Output>", pmml.decode("utf-8"), count=1)
    if count != 1:
        raise FraudError("the isolation forest's PMML has no Output element to add the anomaly score to")
    return text.encode("utf-8")


def train_and_measure(
    kind: str, data: Dataset, holdout: float, seed: int, say: Callable[[str], None] = lambda _: None
) -> Trained:
    """Split the rows by time: fit on the oldest, choose the alert threshold (best F1) on the next stretch,
    measure precision, recall and ROC AUC on the newest `holdout` share, which neither saw; export the PMML
    and check that it scores as the model measured."""
    fit_rows, valid_rows, test_rows = _split_by_time(len(data.ts), holdout)
    for name, rows in (("training", fit_rows), ("threshold", valid_rows), ("hold-out", test_rows)):
        if data.labels.iloc[rows].sum() == 0:
            raise FraudError(f"the {name} period has no positive label: a longer history, or another hold-out")
    say(f"Fitting {kind} on {len(fit_rows):,} events")
    pipeline = fit(kind, data.features.iloc[fit_rows], data.labels.iloc[fit_rows], seed)
    valid_scores = scores(kind, pipeline, data.features.iloc[valid_rows])
    threshold = _best_f1_threshold(valid_scores, data.labels.iloc[valid_rows].to_numpy())
    test_scores = scores(kind, pipeline, data.features.iloc[test_rows])
    measured = _metrics(test_scores, data.labels.iloc[test_rows].to_numpy(), threshold)
    say("Exporting PMML with sklearn2pmml")
    pmml = export(kind, pipeline)
    scorer = load_scorer(pmml)
    gap = _pmml_gap(scorer, score_field(kind), data.features.iloc[test_rows[:500]], test_scores[:500])
    return Trained(kind, (fit_rows, valid_rows, test_rows), threshold, measured, pmml, gap, scorer.input_names)


def model_card(trained: Trained, data: Dataset, feature_set: str, **context: Any) -> dict[str, Any]:
    """What the model is, what it reads, what it was fitted, tuned and measured on, as JSON; and for
    explaining and drift, each input's baseline (median, or most frequent value) and its distribution by
    deciles over the events it was fitted on."""
    import sklearn

    periods = {}
    for name, rows in zip(("fit", "threshold", "holdout"), trained.splits, strict=True):
        times = data.ts.iloc[rows]
        periods[name] = {"events": len(rows), "fraud": int(data.labels.iloc[rows].sum()),
                         "from": _iso(times.min()), "to": _iso(times.max())}  # fmt: skip
    inputs = [name for name in trained.inputs if name in data.features.columns]
    profiles = profile_inputs(data.features.iloc[trained.splits[0]][inputs])
    return {
        "model": trained.kind,
        **context,
        "pmml_sha256": hashlib.sha256(trained.pmml).hexdigest(),
        "score_field": score_field(trained.kind),
        "threshold": trained.threshold,
        "threshold_chosen": "best F1 on the threshold period",
        "holdout_metrics": trained.metrics,
        "feature_set": feature_set,
        "inputs": list(trained.inputs),
        "event_types": list(data.event_types),
        "periods": periods,
        "pmml_vs_sklearn_max_gap": trained.gap,
        "baselines": {name: profile["baseline"] for name, profile in profiles.items()},
        "distributions": profiles,
        "profiled_on": "fit",
        "scikit_learn": sklearn.__version__,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def _iso(ms: Any) -> str:
    return dt.datetime.fromtimestamp(int(ms) / 1000, tz=dt.UTC).strftime("%Y-%m-%d %H:%M")


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


def train(dsl: str, kind: str, records: int = 20_000, seed: int = 1) -> bytes:
    """A model of `kind` over the feature file's features on generated traffic (`fraudscore.traffic`), as
    PMML: for tests and benchmarks."""
    data = labelled_rows(parse(dsl), Traffic(seed=seed).labelled_events(records, ticks=False), "is_fraud")
    return export(kind, fit(kind, data.features, data.labels, seed))
