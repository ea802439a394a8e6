"""The admin API over HTTP, with a real SQLite store and the real broker: every change lands on the control
topic signed, and every refusal has its status code and a message that says what to fix."""

from __future__ import annotations

import time

import orjson
import pytest

from fraudscore import control, kafka_io
from tests.api.conftest import auth
from tests.pmml_models import logistic

pytestmark = pytest.mark.integration

MODEL = logistic({"amount": 0.01})
TYPO = "featureset x version 1\nfeatures c per card_id { a = amont }"
FEATURES = "featureset shop version 1\nfeatures customer per customer_id {\n  n_1h = count() over 1h\n}\n"


def upload(client, model_id="fraud_lr", pmml=MODEL, role="operator", **form):
    return client.post(f"/models/{model_id}/versions", files={"pmml": ("m.pmml", pmml)}, data=form, headers=auth(role))


def control_messages(client) -> list[control.ControlMessage]:
    settings = client.app.state.settings
    topic = f"{settings.kafka.topic_prefix}control"
    records = kafka_io.read_to_end(settings.kafka.bootstrap, topic)
    return [control.decode(r.value, settings.control_key) for r in records if r.value is not None]  # no tombstones


def test_an_uploaded_model_is_stored_listed_and_published_signed_on_the_control_topic(client):
    response = upload(client, threshold="0.7", event_types="payment, transfer", description="amount only")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["version"]["version"] == 1
    assert body["version"]["author"] == "operator-token"
    assert body["version"]["schema"]["inputs"] == [{"name": "amount", "optype": "continuous", "data_type": "double"}]
    assert body["change"]["changed"] is True
    [deploy] = control_messages(client)
    assert (deploy.type, deploy.model_id, deploy.version, deploy.seq) == (
        "model.deploy",
        "fraud_lr",
        1,
        body["change"]["seqs"][0],
    )
    assert deploy.payload["event_types"] == ["payment", "transfer"]
    assert control.unpack_pmml(deploy.payload["pmml"]) == MODEL
    models = client.get("/models", headers=auth("viewer")).json()
    [live] = models[0].pop("live")
    assert models == [{"model_id": "fraud_lr", "latest_version": 1, "versions": 1}]
    assert (live["alias"], live["version"], live["mode"]) == ("champion", 1, "active")
    assert client.get("/models/fraud_lr/versions/1/pmml", headers=auth("viewer")).content == MODEL


def test_the_lifecycle_shadow_activate_threshold_rollback_retire(client):
    upload(client)
    upload(client, pmml=logistic({"amount": 0.02}), alias="challenger")
    detail = client.get("/models/fraud_lr", headers=auth("viewer")).json()
    assert [(e["alias"], e["version"], e["mode"]) for e in detail["live"]] == [
        ("champion", 1, "active"), ("challenger", 2, "shadow")]  # fmt: skip
    assert client.post("/models/fraud_lr/versions/2/activate", headers=auth("operator")).json()["changed"]
    threshold = client.put("/models/fraud_lr/versions/2/threshold", json={"threshold": 0.9}, headers=auth("operator"))
    assert threshold.status_code == 200
    rolled = client.post("/models/fraud_lr/rollback", headers=auth("operator")).json()
    assert rolled["description"].startswith("rolled back from v2")
    assert client.post("/models/fraud_lr/retire", headers=auth("operator")).status_code == 200
    types = [m.type for m in control_messages(client)]
    # The promotion deploys v2 whole as champion and removes the challenger; the retire removes the champion.
    assert types == ["model.deploy", "model.deploy", "model.deploy", "alias.set", "model.update", "model.deploy",
                     "alias.set"]  # fmt: skip
    audit = client.get("/models/fraud_lr/audit", headers=auth("viewer")).json()
    assert {entry["actor"] for entry in audit} == {"operator-token"}
    assert audit[0]["action"] == "retire"


def test_a_record_or_a_batch_is_scored_ad_hoc_by_the_champion_or_a_named_version(client):
    upload(client, threshold="0.5")
    one = client.post("/models/fraud_lr/score", json={"record": {"amount": 300}}, headers=auth("viewer")).json()
    assert one["version"] == 1 and one["engine"] == "compiled"
    assert one["results"][0]["score"] == pytest.approx(0.731, abs=1e-3)
    assert one["results"][0]["decision"] == "alert"
    batch = client.post("/models/fraud_lr/score?version=1", json={"records": [{"amount": 0}, {"amount": None}]},
                        headers=auth("viewer")).json()  # fmt: skip
    assert [r["decision"] for r in batch["results"]] == ["ok", None]


BAD = {
    "corrupt PMML": (lambda c: upload(c, pmml=b"<PMML>cut"), 422, "the PMML cannot be used",
                     ["PMML is not well-formed XML: no element found: line 1, column 9"]),
    "contract mismatch": (lambda c: upload(c, pmml=logistic({"amont": 1.0, "n_24h": 1.0})), 422,
                          "the model does not fit",
                          ["input 'amont' is neither a feature of shop:1 nor an event field; did you mean 'amount'?",
                           "input 'n_24h' is neither a feature of shop:1 nor an event field; did you mean 'n_1h'?"]),
    "unknown model": (lambda c: c.post("/models/nope/versions/1/activate", headers=auth("operator")), 404,
                      "no model 'nope'", []),
    "unknown version": (lambda c: c.get("/models/fraud_lr/versions/9", headers=auth("viewer")), 404,
                        "fraud_lr has no version 9", []),
    "stale version": (lambda c: upload(c, expected_version="1"), 409,
                      "stale version: fraud_lr is at v1, the next is v2, not v1", []),
    "nothing to roll back": (lambda c: c.post("/models/fraud_lr/rollback", headers=auth("operator")), 409,
                             "nothing to roll back to: fraud_lr v1 is its first champion", []),
    "no token": (lambda c: c.post("/models/fraud_lr/retire"), 401,
                 "this needs a bearer token (Authorization: Bearer <token>)", []),
    "wrong token": (lambda c: c.get("/models", headers={"Authorization": "Bearer guess"}), 401, "unknown token", []),
    "wrong role": (lambda c: upload(c, role="viewer"), 403,
                   "token 'viewer-token' has the role viewer; this needs operator", []),
    "operator rebuilding the topic": (lambda c: c.post("/control/republish", headers=auth("operator")), 403,
                                      "token 'operator-token' has the role operator; this needs admin", []),
    "oversize PMML": (lambda c: upload(c, pmml=b" " * 300_000 + MODEL), 413, "the PMML is over 200000 bytes", []),
    "oversize body": (lambda c: upload(c, pmml=b" " * 1_300_000 + MODEL), 413,
                      "the request body is over 1248576 bytes", []),
    "bad form field": (lambda c: upload(c, threshold="high"), 422, "the request is not valid",
                       ["body.threshold: Input should be a valid number, unable to parse string as a number"]),
    "bad settings": (lambda c: upload(c, mode="active", alias="challenger", event_types="Payment"), 422,
                     "the request is not valid",
                     ["event type 'Payment': a lowercase name like 'payment'",
                      "only the champion decides: a challenger is shadow"]),
    "bad DSL": (lambda c: c.post("/features", json={"dsl": TYPO, "source": "x.fdsl"}, headers=auth("operator")), 422,
                "the feature file has errors",
                ["x.fdsl:2:30: error: unknown field 'amont'; did you mean 'amount'?\n"
                 "features c per card_id { a = amont }\n                             ^"]),
    "bad JSON body": (lambda c: c.put("/models/fraud_lr/versions/1/threshold", content=b"{",
                                            headers={**auth("operator"), "Content-Type": "application/json"}),
                      422, "the request is not valid", ["body.1: JSON decode error"]),
}  # fmt: skip


@pytest.mark.parametrize(("call", "status", "error", "problems"), BAD.values(), ids=BAD.keys())
def test_every_refusal_has_its_status_and_says_what_is_wrong(client, call, status, error, problems):
    client.post("/features", json={"dsl": FEATURES, "source": "shop.fdsl"}, headers=auth("operator"))
    assert upload(client).status_code == 201
    published = len(control_messages(client))
    response = call(client)
    assert response.status_code == status, response.text
    assert response.json() == {"error": error, "problems": problems}
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"
    assert len(control_messages(client)) == published  # a refusal publishes nothing
    assert client.get("/models/fraud_lr", headers=auth("viewer")).json()["live"][0]["version"] == 1


def test_a_feature_file_is_validated_with_every_error_as_json_then_deployed(client):
    two_typos = "featureset x version 1\nfeatures c per card_id {\n a = sum(amont) over 1h\n b = stauts\n}"
    bad = client.post("/features/validate", json={"dsl": two_typos}, headers=auth("viewer")).json()
    assert bad["valid"] is False
    assert [(e["line"], e["column"]) for e in bad["errors"]] == [(3, 10), (4, 6)]
    good = client.post("/features/validate", json={"dsl": FEATURES}, headers=auth("viewer")).json()
    assert good == {
        "valid": True,
        "feature_set": "shop:1",
        "errors": [],
        "features": [{"name": "n_1h", "type": "number"}],
    }
    deployed = client.post("/features", json={"dsl": FEATURES, "source": "shop.fdsl"}, headers=auth("operator"))
    assert deployed.status_code == 201
    assert client.get("/features", headers=auth("viewer")).json()["live"]["name"] == "shop"
    [message] = control_messages(client)
    assert (message.type, message.payload["source"]) == ("features.deploy", "shop.fdsl")


def test_an_admin_rebuilds_the_control_topic_from_the_store(client):
    client.post("/features", json={"dsl": FEATURES, "source": "shop.fdsl"}, headers=auth("operator"))
    upload(client)
    rebuilt = client.post("/control/republish", headers=auth("admin")).json()
    assert rebuilt["description"] == "2 control messages published"
    types = [m.type for m in control_messages(client)]
    assert types == ["features.deploy", "model.deploy", "features.deploy", "model.deploy"]


def test_recent_scores_and_alerts_of_a_customer_come_from_the_topics(client):
    settings = client.app.state.settings
    prefix, bootstrap = settings.kafka.topic_prefix, settings.kafka.bootstrap
    score = {"event_id": "e1", "customer_id": "c7", "model_id": "fraud_lr", "model_version": 1, "alias": "champion",
             "ts": 1_700_000_000_000, "score": 0.93, "decision": "alert"}  # fmt: skip
    kafka_io.send(bootstrap, f"{prefix}scores", [(b"c7", orjson.dumps(score))])
    kafka_io.send(bootstrap, f"{prefix}alerts", [(b"c7", orjson.dumps(score))])
    kafka_io.send(bootstrap, f"{prefix}dlq", [(None, orjson.dumps({"source": "control", "reason": "stale seq 3"}))])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        activity = client.get("/customers/c7/activity", headers=auth("viewer")).json()
        if activity["alerts"]:
            break
        time.sleep(0.2)
    assert activity == {"scores": [score], "alerts": [score]}
    status = client.get("/status", headers=auth("viewer")).json()
    assert status["scored_by"] == [{"model_id": "fraud_lr", "version": 1, "alias": "champion", "last_ts": score["ts"]}]
    assert status["control_rejections"] == [{"reason": "stale seq 3", "model_id": None}]
    assert status["consumer_lag"] == {"preprocessor": None, "scoring": None}  # no job has committed here


def test_health_needs_no_token_and_metrics_count_requests_by_route(client):
    assert client.get("/health").json() == {"status": "ok", "problems": []}
    upload(client)
    client.get("/models/fraud_lr", headers=auth("viewer"))
    client.get("/models/nope", headers=auth("viewer"))
    text = client.get("/metrics").text
    assert 'fraudscore_api_requests_total{method="GET",route="/models/{model_id}",status="404"} 1.0' in text
    assert 'fraudscore_api_requests_total{method="POST",route="/models/{model_id}/versions",status="201"} 1.0' in text
    assert 'fraudscore_live_models{mode="active"} 1.0' in text
    assert client.get("/openapi.json").json()["info"]["title"] == "fraudscore admin API"
