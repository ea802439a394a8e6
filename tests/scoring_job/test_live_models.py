"""LiveModels: control messages against a plain dict standing in for Flink's broadcast state."""

from __future__ import annotations

import pytest

from fraudscore import control
from fraudscore.demo import train_amount_lr
from scoring_job.live_models import Applied, ControlRejected, LiveModels

KEY = "test-key"


class DictState(dict):
    def put(self, key: str, value: str) -> None:
        self[key] = value

    def remove(self, key: str) -> None:
        self.pop(key, None)


@pytest.fixture(scope="module")
def pmml() -> bytes:
    return train_amount_lr()


def deploy(seq: int, version: int, pmml: bytes, key: str = KEY, **payload) -> bytes:
    body = {"pmml": control.pack_pmml(pmml), **payload}
    return control.encode("model.deploy", seq, "lr", key, version=version, payload=body)


def test_deploy_makes_the_model_live_with_its_version_and_settings(pmml):
    state = DictState()
    models = LiveModels(KEY)
    assert isinstance(models.apply(deploy(1, 7, pmml, threshold=0.9, mode="shadow"), state), Applied)
    (live,) = models.live(state)
    assert (live.model_id, live.version, live.mode, live.threshold) == ("lr", 7, "shadow", 0.9)
    assert live.score_field == "probability(1)"


def test_a_restored_subtask_rebuilds_the_live_models_from_state_alone(pmml):
    state = DictState()
    LiveModels(KEY).apply(deploy(1, 3, pmml), state)
    (live,) = LiveModels(KEY).live(state)
    assert live.version == 3
    assert live.evaluator.score_one({"amount": 900.0})["probability(1)"] > 0.5


REJECTIONS = {
    "forged": (lambda p: deploy(2, 2, p, key="wrong"), "bad control message signature"),
    "unsigned": (lambda p: b'{"type": "model.deploy", "seq": 5}', "unsigned control message"),
    "not json": (lambda p: b"unsigned", "control message is not JSON"),
    "stale seq": (lambda p: deploy(1, 2, p), "stale seq 1: 1 already applied"),
    "corrupt pmml": (lambda p: deploy(2, 2, b"<PMML>truncated"), "PMML is not well-formed XML"),
    "unknown type": (lambda p: control.encode("model.explode", 2, "lr", KEY), "unknown control message type"),
    "bad mode": (lambda p: deploy(2, 2, p, mode="loud"), "mode must be one of"),
    "bad payload": (
        lambda p: control.encode("model.deploy", 2, "lr", KEY, version=2, payload={"pmml": "%%"}),
        "not gzip+base64",
    ),
}


# Authentic and fresh, but its content cannot go live: it uses up its seq and changes nothing else.
CONTENT_REJECTIONS = {"corrupt pmml", "bad mode", "bad payload"}


@pytest.mark.parametrize("make, reason", REJECTIONS.values(), ids=REJECTIONS.keys())
def test_a_rejected_message_changes_nothing(pmml, make, reason, request):
    state = DictState()
    models = LiveModels(KEY)
    models.apply(deploy(1, 1, pmml), state)
    before = dict(state)
    outcome = models.apply(make(pmml), state)
    assert isinstance(outcome, ControlRejected)
    assert reason in outcome.reason
    if request.node.callspec.id in CONTENT_REJECTIONS:
        before["seq"] = "2"
    assert state == before
    assert [m.version for m in models.live(state)] == [1]


def test_an_operator_that_keeps_no_models_agrees_on_the_sequence_with_one_that_does(pmml):
    """A corrupt model: rejected where models are compiled, not even looked at where they are not; both
    then take the next message and refuse a replay of the corrupt one's seq."""
    full, full_state = LiveModels(KEY), DictState()
    router, router_state = LiveModels(KEY, models=False), DictState()
    corrupt = control.encode("model.deploy", 1, "lr", KEY, version=1,
                             payload={"pmml": control.pack_pmml(b"<PMML>cut")})  # fmt: skip
    assert isinstance(full.apply(corrupt, full_state), ControlRejected)
    assert isinstance(router.apply(corrupt, router_state), Applied)
    for message, kind in ((deploy(2, 2, pmml), Applied), (deploy(1, 3, pmml), ControlRejected)):
        assert isinstance(full.apply(message, full_state), kind)
        assert isinstance(router.apply(message, router_state), kind)
    assert full_state["seq"] == router_state["seq"] == "2"


def test_retire_removes_the_model_and_its_pmml(pmml):
    state = DictState()
    models = LiveModels(KEY)
    models.apply(deploy(1, 1, pmml), state)
    assert isinstance(models.apply(control.encode("model.retire", 2, "lr", KEY), state), Applied)
    assert models.live(state) == ()
    assert not any(k.startswith("spec:") for k in state)


def test_a_new_version_replaces_the_old_one_and_drops_its_pmml(pmml):
    state = DictState()
    models = LiveModels(KEY)
    models.apply(deploy(1, 1, pmml), state)
    models.apply(deploy(2, 2, pmml), state)
    assert [m.version for m in models.live(state)] == [2]
    assert [k for k in state if k.startswith("spec:")] == ["spec:lr:2"]
