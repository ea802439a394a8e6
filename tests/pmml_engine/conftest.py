"""Models as fraud teams export them: scikit-learn pipelines (imputation, scaling, one-hot with unseen
categories ignored) trained on synthetic payments and written by sklearn2pmml, once per session."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

NUMERIC = ["amount", "txn_count_1h"]
CATEGORICAL = ["channel", "country"]


def payments(n: int, seed: int) -> pd.DataFrame:
    """Payments with gaps: amounts missing now and then, a channel missing, countries never seen."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "amount": rng.lognormal(3, 1, n), "txn_count_1h": rng.poisson(2, n).astype(float),
        "channel": rng.choice(["web", "mobile", "atm"], n), "country": rng.choice(["DE", "FR", "NL", "US"], n),
    })  # fmt: skip
    frame.loc[rng.random(n) < 0.1, "amount"] = np.nan
    return frame


def fraud_label(frame: pd.DataFrame, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    risky = (frame.amount.fillna(20) > 60) & (frame.txn_count_1h > 2) | (frame.channel == "atm") & (
        rng.random(len(frame)) < 0.2
    )
    return pd.Series((risky | (rng.random(len(frame)) < 0.05)).astype(int), name="is_fraud")


def preprocessing():
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())])
    return ColumnTransformer([("num", numeric, NUMERIC), ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL)])


UNSUPERVISED = ("isolation forest", "k-means")


def _estimators() -> dict:
    from lightgbm import LGBMClassifier
    from sklearn.cluster import KMeans
    from sklearn.ensemble import (
        GradientBoostingClassifier,
        HistGradientBoostingClassifier,
        IsolationForest,
        RandomForestClassifier,
    )
    from sklearn.linear_model import LogisticRegression, PoissonRegressor
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.tree import DecisionTreeClassifier
    from xgboost import XGBClassifier

    return {
        "logistic regression": LogisticRegression(),
        "gradient boosting": GradientBoostingClassifier(n_estimators=30, max_depth=3, random_state=0),
        "hist gradient boosting": HistGradientBoostingClassifier(max_iter=20, max_depth=4, random_state=0),
        "xgboost": XGBClassifier(n_estimators=20, max_depth=3, random_state=0),
        "lightgbm": LGBMClassifier(n_estimators=20, num_leaves=8, random_state=0, verbose=-1),
        "random forest": RandomForestClassifier(n_estimators=20, max_depth=6, random_state=0),
        "decision tree": DecisionTreeClassifier(max_depth=5, random_state=0),
        "isolation forest": IsolationForest(n_estimators=20, random_state=0),
        "multinomial logistic regression": LogisticRegression(),
        "poisson regression": PoissonRegressor(),
        "naive bayes": GaussianNB(),
        "neural network": MLPClassifier(hidden_layer_sizes=(8, 4), max_iter=300, random_state=0),
        "k-means": KMeans(n_clusters=4, random_state=0, n_init=3),
        "nearest neighbours": KNeighborsClassifier(n_neighbors=5),
    }


def _fit(name: str, pipeline, frame: pd.DataFrame, label: pd.Series) -> None:
    """Each model on what it learns: fraud, a risk band (three classes), refunds (a count), or nothing."""
    if name in UNSUPERVISED:
        pipeline.fit(frame)
    elif name == "multinomial logistic regression":
        amount = frame.amount.fillna(20)
        band = np.where(amount > 60, "high", np.where(frame.txn_count_1h > 2, "busy", "low"))
        pipeline.fit(frame, pd.Series(band, name="band"))
    elif name == "poisson regression":
        refunds = np.random.default_rng(7).poisson(1 + frame.txn_count_1h.fillna(0) / 2)
        pipeline.fit(frame, pd.Series(refunds, name="refunds"))
    else:
        pipeline.fit(frame, label)


@pytest.fixture(scope="session")
def exported(tmp_path_factory) -> dict[str, bytes]:
    """Each estimator behind the same preprocessing, as PMML."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn2pmml import sklearn2pmml
    from sklearn2pmml.pipeline import PMMLPipeline

    out = tmp_path_factory.mktemp("pmml")
    frame = payments(3_000, seed=1)
    label = fraud_label(frame, seed=2)
    models = {}
    for name, estimator in _estimators().items():
        pipeline = PMMLPipeline([("preprocess", preprocessing()), ("model", estimator)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # a small network, good enough to compare engines
            _fit(name, pipeline, frame, label)
        path = Path(out) / f"{name.replace(' ', '_')}.pmml"
        sklearn2pmml(pipeline, str(path))
        models[name] = path.read_bytes()
    return models
