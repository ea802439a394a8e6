"""The demo that `make run` shows: a small real model and a steady trickle of web-banking payments.

Stand-ins until `fraudscore train` and `fraudscore generate` exist: the model is a real PMML trained with
scikit-learn and exported by sklearn2pmml, the traffic real raw records on `raw.web`.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import orjson
import pandas as pd

DEMO_MODEL_ID = "fraud_amount_lr"
# The feature set `fraudscore up` deploys: the one the examples document.
FEATURES = Path(__file__).resolve().parent.parent / "examples" / "payments.fdsl"


def train_amount_lr(seed: int = 0, positive_above: float = 500.0) -> bytes:
    """A logistic regression on `amount` alone: P(fraud) rises with the amount. Returns PMML."""
    from sklearn.linear_model import LogisticRegression
    from sklearn2pmml import sklearn2pmml
    from sklearn2pmml.pipeline import PMMLPipeline

    rng = np.random.default_rng(seed)
    amount = rng.uniform(1, 1_000, 2_000)
    label = (amount + rng.normal(0, 100, amount.size) > positive_above).astype(int)
    pipeline = PMMLPipeline([("classifier", LogisticRegression())])
    pipeline.fit(pd.DataFrame({"amount": amount}), pd.Series(label, name="is_fraud"))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "model.pmml"
        sklearn2pmml(pipeline, str(out))
        return out.read_bytes()


def web_payment(n: int, customer: str, amount: float, ts_ms: int, id_prefix: str = "r") -> bytes:
    """A raw web-banking payment, as the online-banking front end logs it."""
    return orjson.dumps(
        {
            "request_id": f"{id_prefix}{n}",
            "action": "payment",
            "occurred_at": ts_ms,
            "customer": {"id": customer, "account": f"a-{customer}"},
            "session": {"ip": "198.51.100.7", "device_id": f"d-{customer}"},
            "amount": {"value": f"{amount:.2f}", "currency": "EUR"},
            "payee": {"merchant_id": f"m{n % 7}", "mcc": 5411, "country": "DE"},
            "outcome": "approved",
        }
    )


def demo_traffic(start_ms: int, customers: int = 50, seed: int = 7) -> Iterator[tuple[bytes, bytes]]:
    """Endless (key, raw record) pairs: mostly small payments, now and then a large one."""
    rng = random.Random(seed)
    n = 0
    while True:
        customer = f"c{rng.randrange(customers)}"
        amount = rng.uniform(700, 990) if rng.random() < 0.05 else rng.lognormvariate(3.5, 0.8)
        ts_ms = start_ms + n * 250
        yield customer.encode(), web_payment(n, customer, min(amount, 5_000), ts_ms, id_prefix=f"{start_ms}-")
        n += 1
