"""Models trained on the project's own traffic and features: a feature file's features over generated
traffic (`fraudscore.traffic`), labelled by its ground truth, fitted with scikit-learn and exported as PMML
by sklearn2pmml. sklearn2pmml is AGPL: it exports here and never runs on the scoring path.

For demos, tests and benchmarks: models that read the same features the scoring job computes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import orjson
import pandas as pd

from dsl import FeatureEngine, parse
from fraudscore.traffic import Traffic

KINDS = ("lr", "gbm", "rf")


def labelled_features(dsl: str, records: int, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """One row per business event (not ticks): `amount` and every feature that is a number or a boolean
    (booleans as 0/1, nulls as NaN), and the event's label."""
    engine = FeatureEngine(parse(dsl))
    rows, labels = [], []
    for made, raw in Traffic(seed=seed).events(records):
        if made.event_type == "tick":
            continue
        event = orjson.loads(made.to_json())
        features = engine.process(event)
        rows.append({"amount": event.get("amount"), **features})
        labels.append(int(made.event_id in raw.fraudulent))
    table = pd.DataFrame(rows)
    numeric = [c for c in table.columns if table[c].map(lambda v: v is None or isinstance(v, int | float)).all()]
    return table[numeric].astype(float), pd.Series(labels, name="is_fraud")


def train(dsl: str, kind: str, records: int = 20_000, seed: int = 1) -> bytes:
    """A fraud classifier over the feature file's features, as PMML: `lr` (logistic regression on
    standardised inputs), `gbm` (100 trees of depth 3) or `rf` (100 trees of depth 8); nulls imputed with
    the median, which the PMML says as each input's missing-value replacement."""
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    from sklearn2pmml import sklearn2pmml
    from sklearn2pmml.pipeline import PMMLPipeline

    features, labels = labelled_features(dsl, records, seed)
    features = features.loc[:, features.notna().any()]  # a column with no value at all cannot be imputed
    steps: list = [("impute", SimpleImputer(strategy="median"))]
    if kind == "lr":
        steps += [("scale", StandardScaler()), ("classifier", LogisticRegression(max_iter=2_000))]
    elif kind == "gbm":
        steps += [("classifier", GradientBoostingClassifier(n_estimators=100, max_depth=3, random_state=seed))]
    elif kind == "rf":
        steps += [("classifier", RandomForestClassifier(n_estimators=100, max_depth=8, random_state=seed, n_jobs=1))]
    else:
        raise ValueError(f"unknown model kind {kind!r}; one of {', '.join(KINDS)}")
    pipeline = PMMLPipeline(steps)
    pipeline.fit(features, labels)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "model.pmml"
        sklearn2pmml(pipeline, str(out))
        return out.read_bytes()
