"""Explaining one alert through the API: `GET /alerts/{event_id}/reasons` over HTTP (in-process client), for
a GBM-100 of depth 3 as the demo's `payments_fraud` is (sklearn2pmml, median imputation), on amount and the
numeric features of examples/payments.fdsl, with its model card's baselines.

    .venv/bin/python bench/explain.py [--calls 300]

The model is fitted on synthetic values (training the demo's model takes a minute of the feature engine;
what an explanation costs depends on the model's shape, not on what it learnt). The store is a real SQLite
store whose control messages go nowhere; the alert is put into the API's recent activity as the consumer
would put it. Prints p50 and p99 of the request's wall time, and of the explanation alone (no HTTP).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import orjson
import pandas as pd
from fastapi.testclient import TestClient

from api import create_app
from api.explaining import explain_record
from dsl import check_file
from explain import profile_inputs
from fraudscore import training
from fraudscore.settings import ApiSettings, ApiToken, KafkaSettings, Settings
from model_store import ModelStore

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


class _Nowhere:
    """Control messages acknowledged and dropped: the bench measures explaining, not publishing."""

    def __init__(self) -> None:
        self.seq = -1

    def last_seq(self) -> int:
        return self.seq

    def publish(self, records: list[tuple[bytes, bytes]]) -> None:
        self.seq += len(records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    featureset, _ = check_file(EXAMPLES / "payments.fdsl")
    names = ["amount"] + [f.name for b in featureset.blocks for f in b.features if f.name != "last_country"]
    rng = np.random.default_rng(1)
    rows = 20_000
    frame = pd.DataFrame({name: rng.lognormal(1.0, 1.0, rows) for name in names})
    labels = pd.Series((frame["amount"] * frame["amount_z"] + rng.normal(0, 3, rows) > 12).astype(int), name="y")
    print(f"fitting and exporting a GBM-100 of depth 3 on {len(names)} inputs", file=sys.stderr)
    pmml = training.export("gbm", training.fit("gbm", frame, labels))
    profiles = profile_inputs(frame)
    card = {"baselines": {n: p["baseline"] for n, p in profiles.items()}, "distributions": profiles}

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(kafka=KafkaSettings(bootstrap="127.0.0.1:1"),
                            api=ApiSettings(tokens=[ApiToken(name="bench", token="t", role="viewer")]))  # fmt: skip
        store = ModelStore(f"sqlite:///{tmp}/models.db", "bench-key", _Nowhere())
        store.deploy_features((EXAMPLES / "payments.fdsl").read_text(), "payments.fdsl", "bench")
        store.upload("payments_fraud", pmml, "bench", alias="champion", mode=None, threshold=0.5, event_types=(),
                     engine="auto", score_field=None, description="", metadata=card, expected_version=None)  # fmt: skip
        record = {name: float(v) for name, v in frame.iloc[7].items()}
        record["amount"] = 1161.07
        with TestClient(create_app(settings, store)) as client:
            activity = client.app.state.activity
            activity.inputs.add_event({"event_id": "e1", "amount": record["amount"]})
            features = {k: v for k, v in record.items() if k != "amount"}
            activity.inputs.add_alert({"event_id": "e1", "model_id": "payments_fraud", "model_version": 1,
                                       "score": 0.9, "features": features})  # fmt: skip
            headers = {"Authorization": "Bearer t"}
            http, alone = [], []
            for _ in range(args.calls):
                started = time.perf_counter()
                response = client.get("/alerts/e1/reasons", headers=headers)
                http.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
                started = time.perf_counter()
                explain_record(store, "payments_fraud", 1, record)
                alone.append((time.perf_counter() - started) * 1000)
            top = response.json()["explanations"][0]["contributions"][0]
        store.close()
    print(f"explain an alert, GBM-100 depth 3, {len(names)} inputs, {args.calls} calls: "
          f"GET /alerts/{{id}}/reasons p50 {np.percentile(http, 50):.1f} ms, p99 {np.percentile(http, 99):.1f} ms; "
          f"the explanation alone p50 {np.percentile(alone, 50):.1f} ms, p99 {np.percentile(alone, 99):.1f} ms "
          f"(top reason: {top['input']} {orjson.dumps(top['contribution']).decode()})")  # fmt: skip


if __name__ == "__main__":
    main()
