"""The live feature set, without services: how a feature file is cut into parts computed where their key
lives, what a changed file keeps, and what goes on a score record about it."""

from __future__ import annotations

import pickle
from pathlib import Path

import orjson
import pytest

from dsl import ReferenceEngine, parse
from fraudscore import control
from fraudscore.traffic import Traffic
from scoring_job.live_features import FeatureSetError, compile_feature_set
from scoring_job.live_models import Applied, ControlRejected, LiveModels
from tests.scoring_job.test_live_models import KEY, DictState

PAYMENTS = (Path(__file__).resolve().parents[2] / "examples" / "payments.fdsl").read_text()
DEPLOYED_AT = 1_800_000_000_000
HOUR = 3_600_000


def payments(since: dict[str, int] | None = None, issued_at: int = DEPLOYED_AT):
    return compile_feature_set(PAYMENTS, "payments.fdsl", since or {}, issued_at)


def test_each_block_is_a_part_routed_by_its_key():
    event = {"card_id": "k1", "device_id": "d1", "merchant_id": "m1", "ts": 0}
    routing = payments().route(event)
    assert [(part.name, key.split("|")[1]) for part, key in routing.remote] == [
        ("card", '["k1"]'), ("device", '["d1"]'), ("card_merchant", '["k1","m1"]'), ("merchant", '["m1"]')
    ]  # fmt: skip
    assert routing.local == {}


def test_a_block_whose_key_the_event_lacks_gives_its_defaults_where_the_event_is():
    routing = payments().route({"card_id": "k1", "ts": 0})
    assert [part.name for part, _ in routing.remote] == ["card"]
    assert routing.local == {"cards_on_device_24h": None, "logins_1h": None, "seen_merchant_before": None,
                             "merchant_txn_1h": None, "merchant_declines_1h": None, "merchant_decline_rate": 0,
                             "merchant_cards_7d": None, "merchant_avg_7d": None, "merchant_amount_z": None}  # fmt: skip


def test_a_fan_out_block_is_one_part_per_key_with_the_features_named_after_it():
    live = compile_feature_set("featureset f version 1\nfeatures both per card_id, device_id { n = count() over 1h }",
                               "f.fdsl", {}, 0)  # fmt: skip
    routing = live.route({"card_id": "k", "device_id": "d", "ts": 5})
    assert [part.name for part, _ in routing.remote] == ["both@card_id", "both@device_id"]
    assert [part.evaluate({"ts": 5}, part.new_state()) for part, _ in routing.remote] == [
        {"n@card_id": 1},
        {"n@device_id": 1},
    ]


def test_the_parts_computed_apart_with_their_state_pickled_give_what_the_engine_gives():
    """The job's way, played without Flink: a state per route key, pickled between events as Flink keeps
    it, parts merged per event; the same features as the one-process engine `dsl eval` runs."""
    events = [orjson.loads(e.to_json()) for e, _ in Traffic(seed=9, customers=30, fraud_rate=0.02).events(3_000)]
    engine = ReferenceEngine(parse(PAYMENTS))
    live = payments()
    stored: dict[str, bytes] = {}
    for event in events:
        routing = live.route(event)
        features = dict(routing.local)
        for part, key in routing.remote:
            state = pickle.loads(stored[key]) if key in stored else part.new_state()
            features |= part.evaluate(event, state)
            stored[key] = pickle.dumps(state)
        assert features == engine.process(event), event["event_id"]


def test_a_feature_file_with_errors_says_each_where_dsl_check_would():
    with pytest.raises(FeatureSetError) as error:
        compile_feature_set("featureset f version 1\nfeatures c per card_id {\n  a = count() over 1h\n  b = stauts\n}",
                            "risk.fdsl", {}, 0)  # fmt: skip
    assert (
        str(error.value)
        == "risk.fdsl:4:7: error: unknown field 'stauts'; did you mean 'status'?\n  b = stauts\n      ^"
    )


def test_an_unchanged_block_keeps_its_state_and_age_across_versions_a_changed_one_starts_afresh():
    first = payments()
    changed = PAYMENTS.replace("version 1", "version 2").replace(
        "distinct(card_id) over 24h", "distinct(card_id) over 12h"
    )
    changed = "# a comment moves every line\n" + changed
    second = compile_feature_set(changed, "payments.fdsl", first.since, DEPLOYED_AT + HOUR)
    before = {p.name: p.state_id for p in first.parts}
    after = {p.name: p.state_id for p in second.parts}
    assert [name for name in before if before[name] == after[name]] == ["card", "card_merchant", "merchant"]
    assert second.since[second.block_of["cards_on_device_24h"]] == DEPLOYED_AT + HOUR
    assert second.since[second.block_of["txn_count_1h"]] == DEPLOYED_AT


def test_features_that_look_back_further_than_their_block_has_been_live_are_warming():
    live = payments()
    names = ["txn_count_1h", "amount_avg_30d", "amount_ratio", "risky_mcc", "recent_avg_10", "secs_since_last"]
    assert live.warming(names, DEPLOYED_AT + 2 * HOUR) == ["amount_avg_30d", "amount_ratio", "secs_since_last"]
    assert live.warming(names, DEPLOYED_AT + 46 * 24 * HOUR) == []


def features_deploy(seq: int, dsl: str, key: str = KEY) -> bytes:
    return control.features_message(seq, "payments", dsl, key)[1]


def test_features_deploy_makes_the_set_live_and_keeps_the_one_before_for_parts_in_flight():
    state, models = DictState(), LiveModels(KEY)
    assert models.apply(features_deploy(1, PAYMENTS), state) == Applied(
        "feature set payments:1 live: 4 blocks, 0 kept from before"
    )
    assert models.features(state).label == "payments:1" and models.previous_features(state) is None
    assert isinstance(models.apply(features_deploy(2, PAYMENTS.replace("version 1", "version 2")), state), Applied)
    assert models.features(state).label == "payments:2" and models.previous_features(state).label == "payments:1"
    # A restored subtask (new objects, the same state) finds both.
    assert LiveModels(KEY).features(state).label == "payments:2"


def test_a_bad_feature_file_is_rejected_and_the_live_set_stays():
    state, models = DictState(), LiveModels(KEY)
    models.apply(features_deploy(1, PAYMENTS), state)
    rejected = models.apply(features_deploy(2, PAYMENTS.replace("count() over 1h", "count() over")), state)
    assert isinstance(rejected, ControlRejected)
    assert rejected.reason.startswith("payments.fdsl:9:3: error: unexpected 'declined_10m'; expected `last`")
    assert models.features(state).label == "payments:1"
