"""Reasons for alerts and drift per live model over the API, with a real store and the real broker: the
alert's event and score records are read off the topics as the scoring job writes them."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import pytest

from explain import profile_inputs
from fraudscore import kafka_io
from tests.api.conftest import auth
from tests.pmml_models import logistic

PAYMENTS = Path(__file__).resolve().parents[2] / "examples" / "payments.fdsl"  # amount_z, txn_count_1h

pytestmark = pytest.mark.integration

MODEL = logistic({"amount": 0.004, "amount_z": 0.5, "txn_count_1h": 0.1})


def card(seed: int = 1, rows: int = 5_000) -> dict:
    """A model card as `fraudscore train` writes it: baselines and decile distributions of the inputs."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"amount": np.exp(rng.normal(3.7, 0.6, rows)), "amount_z": rng.normal(0, 1, rows),
                          "txn_count_1h": rng.poisson(1.0, rows).astype(float)})  # fmt: skip
    profiles = profile_inputs(frame)
    return {"baselines": {n: p["baseline"] for n, p in profiles.items()}, "distributions": profiles}


def publish(client, model_id: str, metadata: dict | None = None, threshold: float = 0.5):
    if client.get("/features", headers=auth("viewer")).json()["live"] is None:
        deployed = client.post("/features", json={"dsl": PAYMENTS.read_text(), "source": "payments.fdsl"},
                               headers=auth("operator"))  # fmt: skip
        assert deployed.status_code in (200, 201), deployed.text
    data = {"threshold": str(threshold), "metadata": orjson.dumps(metadata or {}).decode()}
    response = client.post(f"/models/{model_id}/versions", files={"pmml": ("m.pmml", MODEL)}, data=data,
                           headers=auth("operator"))  # fmt: skip
    assert response.status_code == 201, response.text


def send(client, topic: str, records: list[dict]) -> None:
    settings = client.app.state.settings
    pairs = [(str(r.get("customer_id", "c")).encode(), orjson.dumps(r)) for r in records]
    kafka_io.send(settings.kafka.bootstrap, f"{settings.kafka.topic_prefix}{topic}", pairs)


def eventually(read, until, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if until(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def test_an_alert_is_explained_on_its_event_and_features_and_a_viewer_may_read_it(client):
    publish(client, "fraud_lr", card())
    event = {"event_id": "pos-1", "event_type": "payment", "customer_id": "c7", "ts": 1_795_320_000_000,
             "amount": 1161.07, "currency": "EUR", "attrs": {"os": "ios"}}  # fmt: skip
    record = {"amount": 1161.07, "amount_z": 4.2, "txn_count_1h": 1.0}
    scored = client.post("/models/fraud_lr/score", json={"record": record}, headers=auth("viewer")).json()
    alert = {"event_id": "pos-1", "customer_id": "c7", "event_type": "payment", "model_id": "fraud_lr",
             "model_version": 1, "alias": "champion", "score": scored["results"][0]["score"], "decision": "alert",
             "threshold": 0.5, "features": {"amount_z": 4.2, "txn_count_1h": 1.0}, "latency_ms": 12}  # fmt: skip
    send(client, "events", [event])
    send(client, "scores", [alert])
    send(client, "alerts", [alert])

    response = eventually(lambda: client.get("/alerts/pos-1/reasons", headers=auth("viewer")),
                          lambda r: r.status_code == 200)  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["event_id"] == "pos-1" and body["event_read"] is True
    [explanation] = body["explanations"]
    assert explanation["scored_as_recorded"] is True and explanation["not_in_record"] == []
    assert explanation["baselines_from"] == ["model card"]
    assert [c["input"] for c in explanation["contributions"]] == ["amount", "amount_z", "txn_count_1h"]
    amount = explanation["contributions"][0]
    assert amount["value"] == 1161.07 and amount["baseline"] == pytest.approx(card()["baselines"]["amount"])
    assert amount["contribution"] > 0.3  # 0.004 x (1161 - ~40) in log-odds, from a score of ~0.99

    by_model = client.get("/alerts/pos-1/reasons", params={"model_id": "other"}, headers=auth("viewer"))
    assert by_model.status_code == 404
    assert by_model.json()["error"].startswith("no recent alert of model 'other' for event 'pos-1'")
    assert client.get("/alerts/pos-1/reasons").status_code == 401


def test_a_record_is_explained_ad_hoc_and_what_cannot_be_explained_says_why(client):
    publish(client, "fraud_lr", card())
    publish(client, "no_card", None)
    record = {"amount": 900.0, "amount_z": 0.0, "txn_count_1h": 1.0}
    explained = client.post("/models/fraud_lr/explain", json={"record": record}, headers=auth("viewer"))
    assert explained.status_code == 200, explained.text
    assert explained.json()["contributions"][0]["input"] == "amount"

    refusals = {
        "/models/no_card/explain": (409, "no input of the model has a baseline"),
        "/models/nope/explain": (404, "model 'nope'"),
    }
    for path, (status, words) in refusals.items():
        response = client.post(path, json={"record": record}, headers=auth("viewer"))
        assert response.status_code == status and words in response.text, response.text
    wrong = client.post("/models/fraud_lr/explain", json={"record": {**record, "amount": "lots"}},
                        headers=auth("viewer"))  # fmt: skip
    assert wrong.status_code == 422
    assert wrong.json()["error"].startswith("the model gives no score ('probability(1)') for this record")
    assert client.post("/models/fraud_lr/explain", json={"records": []}, headers=auth("viewer")).status_code == 422


def test_drift_per_live_version_is_named_by_band_on_the_api_and_in_metrics(client):
    publish(client, "fraud_lr", card())
    publish(client, "no_card", None)
    rng = np.random.default_rng(9)
    events, scores = [], []
    for n in range(300):  # amounts tripled since training; the rest as in training
        events.append({"event_id": f"e{n}", "customer_id": "c1", "amount": float(3 * np.exp(rng.normal(3.7, 0.6)))})
        features = {"amount_z": float(rng.normal(0, 1)), "txn_count_1h": float(rng.poisson(1.0))}
        scores.append({"event_id": f"e{n}", "customer_id": "c1", "model_id": "fraud_lr", "model_version": 1,
                       "alias": "champion", "score": 0.2, "features": features, "latency_ms": n % 50})  # fmt: skip
    send(client, "events", events)
    send(client, "scores", scores)

    def read():
        return client.get("/drift", headers=auth("viewer")).json()

    report = eventually(read, lambda r: r["models"] and r["models"][0]["live_records"] == 300)
    lr, no_card = sorted(report["models"], key=lambda m: m["model_id"])
    assert (lr["model_id"], lr["version"], lr["live_records"], lr["band"]) == ("fraud_lr", 1, 300, "significant")
    inputs = {i["input"]: i for i in lr["inputs"]}
    assert lr["inputs"][0]["input"] == "amount" and inputs["amount"]["psi"] > 0.25
    assert inputs["amount_z"]["band"] == inputs["txn_count_1h"]["band"] == "stable"
    assert no_card["note"].startswith("the model card has no training distributions")
    assert [b["band"] for b in report["bands"]] == ["stable", "moderate", "significant"]
    metrics = client.get("/metrics").text
    assert (
        f'fraudscore_input_psi{{input="amount",model_id="fraud_lr",version="1"}} {inputs["amount"]["psi"]}' in metrics
    )
    latency = client.get("/activity", headers=auth("viewer")).json()["latency"]
    assert latency == [{"model_id": "fraud_lr", "scores": 300, "p50_ms": 24.0, "p99_ms": 49.0}]
