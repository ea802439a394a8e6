"""LiveModels: control messages against a plain dict standing in for Flink's broadcast state."""

from __future__ import annotations

import pytest

from fraudscore import control
from fraudscore.demo import train_amount_lr
from pmml_engine import load_scorer
from scoring_job.live_models import Applied, ControlRejected, DictState, LiveModels, OperatorControl, Skipped

KEY = "test-key"


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
    "older format": (
        lambda p: b'{"type": "model.deploy", "seq": 5, "model_id": "lr", "signature": "00"}',
        "control message of an older format: republish",
    ),
    "body changed after signing": (
        lambda p: deploy(2, 2, p).replace(b'\\"seq\\":2', b'\\"seq\\": 2'),
        "bad control message signature",
    ),
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


def message(type_: str, seq: int, version: int | None = None, **payload) -> bytes:
    return control.encode(type_, seq, "lr", KEY, version=version, payload=payload)


def live_table(models: LiveModels, state: DictState) -> list[tuple[int, str, str, float]]:
    return [(m.version, m.alias, m.mode, m.threshold) for m in models.live(state)]


def test_a_challenger_scores_in_shadow_next_to_the_champion(pmml):
    state, models = DictState(), LiveModels(KEY)
    models.apply(deploy(1, 1, pmml), state)
    assert isinstance(models.apply(deploy(2, 2, pmml, alias="challenger", threshold=0.7), state), Applied)
    assert live_table(models, state) == [(1, "champion", "active", 0.5), (2, "challenger", "shadow", 0.7)]


def test_promoting_the_challenger_makes_it_decide_and_retires_the_old_champion(pmml):
    state, models = DictState(), LiveModels(KEY)
    models.apply(deploy(1, 1, pmml), state)
    models.apply(deploy(2, 2, pmml, alias="challenger"), state)
    outcome = models.apply(message("alias.set", 3, 2, alias="champion"), state)
    assert outcome == Applied("lr v2 now champion (active)")
    assert live_table(models, state) == [(2, "champion", "active", 0.5)]
    assert [k for k in state if k.startswith("spec:")] == ["spec:lr:2"]


def test_a_model_kept_in_shadow_stays_in_shadow_when_its_challenger_is_promoted(pmml):
    state, models = DictState(), LiveModels(KEY)
    models.apply(deploy(1, 1, pmml, mode="shadow"), state)
    models.apply(deploy(2, 2, pmml, alias="challenger"), state)
    models.apply(message("alias.set", 3, 2, alias="champion"), state)
    assert live_table(models, state) == [(2, "champion", "shadow", 0.5)]


def test_an_alias_without_a_version_is_taken_away(pmml):
    state, models = DictState(), LiveModels(KEY)
    models.apply(deploy(1, 1, pmml), state)
    models.apply(deploy(2, 2, pmml, alias="challenger"), state)
    assert models.apply(message("alias.set", 3, alias="challenger"), state) == Applied("lr: challenger removed")
    assert live_table(models, state) == [(1, "champion", "active", 0.5)]
    assert "spec:lr:2" not in state


def test_a_threshold_or_mode_changes_without_a_redeploy(pmml):
    compiled = []
    state, models = DictState(), LiveModels(KEY, lambda p, e: compiled.append(1) or load_scorer(p, e))
    models.apply(deploy(1, 4, pmml), state)
    assert models.apply(message("model.update", 2, 4, threshold=0.85, mode="shadow"), state) == Applied(
        "lr v4 (champion): threshold 0.85, mode shadow"
    )
    assert live_table(models, state) == [(4, "champion", "shadow", 0.85)]
    assert len(compiled) == 1


def test_retiring_one_version_leaves_the_others(pmml):
    state, models = DictState(), LiveModels(KEY)
    models.apply(deploy(1, 1, pmml), state)
    models.apply(deploy(2, 2, pmml, alias="challenger"), state)
    assert models.apply(message("model.retire", 3, 2), state) == Applied("lr v2 (challenger) retired")
    assert live_table(models, state) == [(1, "champion", "active", 0.5)]


ALIAS_REJECTIONS = {
    "promote a version that is not live": (message("alias.set", 3, 9, alias="champion"), "lr v9 is not live"),
    "an alias that is not a name": (message("alias.set", 3, 2, alias="Champion!"), "alias must be a lowercase name"),
    "an active challenger": (message("model.update", 3, 2, mode="active"), "only the champion decides"),
    "a new PMML through update": (message("model.update", 3, 1, pmml="x"), "not pmml"),
    "a threshold that is not a number": (message("model.update", 3, 1, threshold="high"), "threshold must be"),
    "update without a version": (message("model.update", 3, threshold=0.1), "model.update needs a 'version'"),
    "retire a version that is not live": (message("model.retire", 3, 7), "lr v7 is not live"),
}


@pytest.mark.parametrize("raw, reason", ALIAS_REJECTIONS.values(), ids=ALIAS_REJECTIONS.keys())
def test_an_alias_or_settings_change_that_cannot_apply_changes_nothing_but_its_seq(pmml, raw, reason):
    state, models = DictState(), LiveModels(KEY)
    models.apply(deploy(1, 1, pmml), state)
    models.apply(deploy(2, 2, pmml, alias="challenger"), state)
    before = {**state, "seq": "3"}
    outcome = models.apply(raw, state)
    assert isinstance(outcome, ControlRejected)
    assert reason in outcome.reason
    assert state == before


def test_a_version_deployed_under_another_alias_moves_there_compiled_once(pmml):
    """A promotion on a compacted topic: the whole deploy under the new alias, then the old alias's removal
    (not live any more: nothing to do)."""
    calls: list = []
    state, models = DictState(), LiveModels(KEY, counting_compiles(calls))
    models.apply(deploy(1, 1, pmml), state)
    models.apply(deploy(2, 2, pmml, alias="challenger", threshold=0.7), state)
    outcome = models.apply(deploy(3, 2, pmml, threshold=0.7), state)
    assert outcome.description.startswith("lr v2 moved from challenger to champion (active, ")
    assert live_table(models, state) == [(2, "champion", "active", 0.7)]
    assert [k for k in state if k.startswith("spec:")] == ["spec:lr:2"]
    assert len(calls) == 2, "the moved version is not compiled again"
    assert models.apply(message("alias.set", 4, alias="challenger"), state) == Applied("lr: no challenger to remove")
    assert live_table(models, state) == [(2, "champion", "active", 0.7)]
    assert state["seq"] == "4"


def test_a_version_moved_with_another_engine_is_compiled_for_it(pmml):
    calls: list = []
    state, models = DictState(), LiveModels(KEY, counting_compiles(calls))
    models.apply(deploy(1, 1, pmml, alias="challenger"), state)
    models.apply(deploy(2, 1, pmml, engine="pypmml"), state)
    assert calls == ["auto", "pypmml"]
    assert live_table(models, state) == [(1, "champion", "active", 0.5)]


def test_the_settings_of_a_version_not_live_change_nothing_but_the_seq(pmml):
    state, models = DictState(), LiveModels(KEY)
    models.apply(deploy(1, 1, pmml), state)
    before = {**state, "seq": "2"}
    outcome = models.apply(message("model.update", 2, 5, mode="active", threshold=0.1, event_types=[]), state)
    assert outcome == Applied("lr v5 is not live: nothing to update")
    assert state == before


def test_a_tombstone_is_skipped_without_using_a_seq(pmml):
    state, models = DictState(), LiveModels(KEY)
    models.apply(deploy(1, 1, pmml), state)
    before = dict(state)
    assert models.apply(None, state) == Skipped()
    assert state == before
    assert isinstance(OperatorControl(KEY, [None, deploy(2, 2, pmml).decode(), None]).apply(None, state), Skipped)


def versions(view) -> list[int]:
    return [m.version for m in view.models]


def counting_compiles(calls: list) -> object:
    return lambda pmml, engine: calls.append(engine) or load_scorer(pmml, engine)


def test_before_the_broadcast_state_has_anything_the_control_topic_found_at_submission_scores(pmml):
    other = train_amount_lr(seed=1, positive_above=300)
    history = [deploy(1, 1, pmml).decode(), deploy(2, 2, other, alias="challenger").decode()]
    calls: list = []
    control_ = OperatorControl(KEY, history, counting_compiles(calls))
    state = DictState()
    assert versions(control_.view(state)) == [1, 2], "events before the control stream still meet the models"
    for raw in history:  # the control stream, read from the start, replays the same messages
        control_.apply(raw, state)
    assert versions(control_.view(state)) == [1, 2]
    assert state["seq"] == "2"
    assert len(calls) == 2, "each model compiled once, for the history and the state alike"
    control_.apply(deploy(3, 3, pmml), state)
    assert versions(control_.view(state)) == [3, 2]


def test_a_restored_state_further_on_than_the_history_is_used_at_once(pmml):
    state = DictState()
    LiveModels(KEY).apply(deploy(1, 1, pmml), state)
    LiveModels(KEY).apply(deploy(2, 2, pmml), state)
    control_ = OperatorControl(KEY, [deploy(1, 1, pmml).decode()])
    assert versions(control_.view(state)) == [2]


def test_a_history_newer_than_the_restored_state_serves_until_the_state_catches_up(pmml):
    """Messages published while the job was down: the new version scores from the first event, and the old
    one never comes back while the stream replays them."""
    state = DictState()
    LiveModels(KEY).apply(deploy(1, 1, pmml), state)
    newer = [deploy(1, 1, pmml).decode(), deploy(2, 2, pmml).decode(), deploy(3, 3, pmml).decode()]
    control_ = OperatorControl(KEY, newer)
    seen = [versions(control_.view(state))]
    for raw in newer[1:]:
        control_.apply(raw, state)
        seen.append(versions(control_.view(state)))
    assert seen == [[3], [3], [3]]


def test_without_history_the_broadcast_state_is_all_there_is(pmml):
    control_, state = OperatorControl(KEY), DictState()
    assert control_.view(state).models == ()
    control_.apply(deploy(1, 1, pmml), state)
    assert versions(control_.view(state)) == [1]
