"""Small real PMML models for tests, trained here with scikit-learn and exported by sklearn2pmml."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd


def train_amount_lr(seed: int = 0, positive_above: float = 500.0) -> bytes:
    """A logistic regression on `amount` alone: P(fraud) rises with the amount."""
    from sklearn.linear_model import LogisticRegression
    from sklearn2pmml import sklearn2pmml
    from sklearn2pmml.pipeline import PMMLPipeline

    rng = np.random.default_rng(seed)
    amount = rng.uniform(1, 1_000, 2_000)
    label = (amount + rng.normal(0, 100, amount.size) > positive_above).astype(int)
    frame = pd.DataFrame({"amount": amount})
    pipeline = PMMLPipeline([("classifier", LogisticRegression())])
    pipeline.fit(frame, pd.Series(label, name="is_fraud"))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "model.pmml"
        sklearn2pmml(pipeline, str(out))
        return out.read_bytes()
