"""The demo that `make run` shows: a model trained on generated history as `fraudscore train` trains one,
and live traffic of every channel with fraud scenarios (`fraudscore.traffic`). Also two small pieces the
tests use: a logistic regression on the amount alone, and a raw web-banking payment."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from dsl import parse
from fraudscore import training
from fraudscore.traffic import Raw, Traffic

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
HISTORY_RECORDS = 30_000


@dataclass(frozen=True)
class DemoModel:
    """A model `fraudscore up` trains on a first start, on generated history, as `fraudscore train` would."""

    model_id: str
    kind: str
    features: Path  # the feature file it is trained with (the live set holds its features too)
    ticks: bool  # trained on the market's ticks, or on the business events
    traffic: dict[str, float]  # how the history is generated: enough incidents, or enough ticks, to learn from
    what: str
    inputs: tuple[str, ...] | None = None  # None: every numeric feature


MODELS = (
    DemoModel("payments_fraud", "gbm", EXAMPLES / "payments.fdsl", ticks=False, traffic={"fraud_rate": 0.006},
              what="fraud in payments, transfers, withdrawals and logins"),
    # Scale-free inputs only: price levels (EMA, bands) differ by currency pair, and a forest given them
    # isolates the rarer pairs instead of the jumps.
    DemoModel("market_anomaly", "iforest", EXAMPLES / "market.fdsl", ticks=True, traffic={"fx_share": 0.6},
              what="anomalies in FX ticks (price jumps)", inputs=("ret", "rsi_14", "price_z")),
)  # fmt: skip


def live_features() -> tuple[str, str]:
    """The feature set the demo's scoring job computes, and the name it goes by: the scoring job computes one
    feature set, so the blocks of `payments.fdsl` and of `market.fdsl` go live together, as `demo`."""
    bodies = []
    for path in (EXAMPLES / "payments.fdsl", EXAMPLES / "market.fdsl"):
        lines = path.read_text(encoding="utf-8").splitlines()
        header = next(n for n, line in enumerate(lines) if line.startswith("featureset "))
        bodies.append("\n".join([f"# From {path.name}", *lines[header + 1 :]]))
    return "featureset demo version 1\n" + "\n".join(bodies) + "\n", "demo.fdsl (payments.fdsl + market.fdsl)"


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


def train(model: DemoModel, say: Callable[[str], None]) -> tuple[bytes, dict[str, Any]]:
    """The model trained on two hours of generated history ending now: its PMML and its model card (hold-out
    precision, recall and ROC AUC on the newest events, which it was not trained on)."""
    start_ms = int(time.time() * 1000) - int(HISTORY_RECORDS * 200)
    say(f"{model.model_id}: generating {HISTORY_RECORDS:,} records of labelled history, computing their features")
    traffic = Traffic(seed=11, start_ms=start_ms, **model.traffic)
    history = traffic.labelled_events(HISTORY_RECORDS, ticks=model.ticks)
    featureset = parse(model.features.read_text(encoding="utf-8"), model.features.name)
    only = frozenset({"tick"}) if model.ticks else None
    data = training.labelled_rows(featureset, history, "is_fraud", only, model.inputs)
    trained = training.train_and_measure(model.kind, data, holdout=0.2, seed=1, say=say)
    card = training.model_card(trained, data, f"{featureset.name}:{featureset.version}", history="generated")
    return trained.pmml, card


def live_traffic(rate: float, seed: int = 7) -> Iterator[Raw]:
    """Endless raw records of every channel, fraud scenarios among them, from now on in event time, `rate`
    ordinary records to a second of it. An incident's records keep their minutes of event time, held back
    until their time while the ordinary traffic goes on: sent when their event time comes
    (`fraudscore up`), every record is stamped with the clock's time, never ahead of it."""
    return Traffic(seed=seed, start_ms=int(time.time() * 1000), mean_gap_ms=1000 / rate,
                   concurrent_incidents=True).records()  # fmt: skip
