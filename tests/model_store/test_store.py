"""The model store over a real SQLite file and a real PostgreSQL server (conftest.py). Its control messages
are checked by applying them as the scoring job does (LiveModels): after every change the job's live models
are the store's, also from the records a compaction of the topic leaves (test_compacted_control.py has a
broker compact them)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from fraudscore import control
from model_store import ConflictError, FeatureFileError, ModelStore, NotFoundError, PublishError, RejectedError
from scoring_job.live_models import DictState, LiveModels
from tests.model_store.histories import a_long_history, compacted, job_table, memo_compile, store_table
from tests.pmml_models import logistic

KEY = "store-test-key"
PAYMENTS = (Path(__file__).resolve().parents[2] / "examples" / "payments.fdsl").read_text()


class RecordingPublisher:
    """Stands in for the control topic in these unit tests (tests/api covers the real topic)."""

    def __init__(self, last_seq: int = -1) -> None:
        self.records: list[tuple[bytes, bytes | None]] = []
        self.topic_seq = last_seq
        self.down = False
        self.refuses_sends = False  # reachable, but a send fails (a timeout, a record too large)

    def last_seq(self) -> int:
        if self.down:
            raise ConnectionError("broker not reachable")
        return self.topic_seq

    def publish(self, records: list[tuple[bytes, bytes | None]]) -> None:
        if self.down or self.refuses_sends:
            raise ConnectionError("broker not reachable")
        self.records.extend(records)

    def messages(self) -> list[control.ControlMessage]:
        return [control.decode(value, KEY) for _, value in self.records if value is not None]


@pytest.fixture
def publisher() -> RecordingPublisher:
    return RecordingPublisher()


@pytest.fixture
def store(database_url: str, publisher: RecordingPublisher) -> ModelStore:
    store = ModelStore(database_url, KEY, publisher)
    yield store
    store.close()


def store_live(store: ModelStore) -> list[tuple]:
    return sorted((r.model_id, r.alias, r.version, r.mode) for r in store.live())


def job_live(publisher: RecordingPublisher) -> list[tuple]:
    """What the scoring job has live after applying everything published, in order."""
    models, state = LiveModels(KEY), DictState()
    for _, value in publisher.records:
        outcome = models.apply(value.decode() if value is not None else None, state)
        assert not hasattr(outcome, "reason"), outcome
    return sorted((m.model_id, m.alias, m.version, m.mode) for m in models.live(state))


AMOUNT_MODEL = logistic({"amount": 0.01})


def test_an_upload_is_stored_as_the_next_version_and_goes_live_as_the_active_champion(store, publisher):
    row, outcome = store.upload("fraud_lr", AMOUNT_MODEL, "alice", threshold=0.7, event_types=("payment",))
    assert (row.version, row.author, row.score_field, row.threshold) == (1, "alice", "probability(1)", 0.7)
    assert row.schema["inputs"] == [{"name": "amount", "optype": "continuous", "data_type": "double"}]
    assert store.pmml("fraud_lr", 1) == AMOUNT_MODEL
    assert outcome.changed
    assert store_live(store) == job_live(publisher) == [("fraud_lr", "champion", 1, "active")]
    [deploy] = publisher.messages()
    assert (deploy.type, deploy.payload["threshold"], deploy.payload["event_types"]) == (
        "model.deploy",
        0.7,
        ["payment"],
    )


def test_an_upload_kept_back_is_stored_and_not_live(store, publisher):
    row, outcome = store.upload("fraud_lr", AMOUNT_MODEL, "alice", alias=None)
    assert row.version == 1
    assert not outcome.changed
    assert store_live(store) == job_live(publisher) == []


def test_a_challenger_scores_in_shadow_until_activated(store, publisher):
    store.upload("fraud_lr", AMOUNT_MODEL, "alice")
    store.upload("fraud_lr", logistic({"amount": 0.02}), "alice", alias="challenger")
    assert store_live(store) == job_live(publisher) == [
        ("fraud_lr", "challenger", 2, "shadow"), ("fraud_lr", "champion", 1, "active")]  # fmt: skip
    store.activate("fraud_lr", 2, "bob")
    deploy, removal = publisher.messages()[-2:]  # deployed whole as champion (the job moves it), challenger gone
    assert (deploy.type, deploy.version, deploy.payload["alias"], deploy.payload["mode"]) == (
        "model.deploy", 2, "champion", "active")  # fmt: skip
    assert (removal.type, removal.version, removal.payload) == ("alias.set", None, {"alias": "challenger"})
    assert store_live(store) == job_live(publisher) == [("fraud_lr", "champion", 2, "active")]


def test_shadowing_the_champion_stops_its_decisions_and_activating_restores_them(store, publisher):
    store.upload("fraud_lr", AMOUNT_MODEL, "alice")
    store.shadow("fraud_lr", 1, "bob")
    assert store_live(store) == job_live(publisher) == [("fraud_lr", "champion", 1, "shadow")]
    assert not store.shadow("fraud_lr", 1, "bob").changed
    store.activate("fraud_lr", 1, "bob")
    assert store_live(store) == job_live(publisher) == [("fraud_lr", "champion", 1, "active")]
    assert not store.activate("fraud_lr", 1, "bob").changed


def test_a_version_not_live_goes_live_in_shadow_as_the_challenger(store, publisher):
    store.upload("fraud_lr", AMOUNT_MODEL, "alice")
    store.upload("fraud_lr", logistic({"amount": 0.02}), "alice", alias=None)
    store.shadow("fraud_lr", 2, "bob")
    assert store_live(store) == job_live(publisher) == [
        ("fraud_lr", "challenger", 2, "shadow"), ("fraud_lr", "champion", 1, "active")]  # fmt: skip


def test_rollback_walks_the_champions_back_one_at_a_time(store, publisher):
    for coefficient in (0.01, 0.02, 0.03):
        store.upload("fraud_lr", logistic({"amount": coefficient}), "alice")
    store.rollback("fraud_lr", "bob")
    assert store_live(store) == job_live(publisher) == [("fraud_lr", "champion", 2, "active")]
    store.rollback("fraud_lr", "bob")
    assert store_live(store) == job_live(publisher) == [("fraud_lr", "champion", 1, "active")]
    with pytest.raises(ConflictError, match="nothing to roll back to: fraud_lr v1 is its first champion"):
        store.rollback("fraud_lr", "bob")


def test_rollback_after_a_promotion_brings_the_old_champion_back(store, publisher):
    store.upload("fraud_lr", AMOUNT_MODEL, "alice")
    store.upload("fraud_lr", logistic({"amount": 0.02}), "alice", alias="challenger")
    store.activate("fraud_lr", 2, "bob")
    store.rollback("fraud_lr", "bob")
    assert store_live(store) == job_live(publisher) == [("fraud_lr", "champion", 1, "active")]


def test_a_threshold_changes_live_without_sending_the_pmml_again(store, publisher):
    store.upload("fraud_lr", AMOUNT_MODEL, "alice")
    store.set_threshold("fraud_lr", 1, 0.9, "bob")
    update = publisher.messages()[-1]
    assert (update.type, update.payload) == ("model.update", {"mode": "active", "threshold": 0.9, "event_types": []})
    models, state = LiveModels(KEY), DictState()
    for _, value in publisher.records:
        models.apply(value.decode() if value is not None else None, state)
    assert [m.threshold for m in models.live(state)] == [0.9]
    assert store.version("fraud_lr", 1).threshold == 0.9


def test_retire_takes_one_version_or_every_version_out(store, publisher):
    store.upload("fraud_lr", AMOUNT_MODEL, "alice")
    store.upload("fraud_lr", logistic({"amount": 0.02}), "alice", alias="challenger")
    store.retire("fraud_lr", "bob", version=2)
    assert store_live(store) == job_live(publisher) == [("fraud_lr", "champion", 1, "active")]
    store.retire("fraud_lr", "bob")
    assert store_live(store) == job_live(publisher) == []
    with pytest.raises(ConflictError, match="fraud_lr is not live: nothing to retire"):
        store.retire("fraud_lr", "bob")
    assert [v.version for v in store.versions("fraud_lr")] == [1, 2]  # retired, not forgotten


def test_every_input_must_be_a_live_feature_or_an_event_field_of_a_compatible_type(store, publisher):
    store.deploy_features(PAYMENTS, "payments.fdsl", "alice")
    model = logistic({"amount_z": 1.0, "amont": 0.1, "last_country": 0.0, "secs_since_lst": 0.0},
                     data_types={"last_country": "double"})  # fmt: skip
    with pytest.raises(RejectedError) as raised:
        store.upload("fraud_lr", model, "alice")
    assert raised.value.problems == [
        "input 'amont' is neither a feature of payments:1 nor an event field; did you mean 'amount'?",
        "input 'last_country' is double in the PMML, but feature 'last_country' of payments:1 is a string",
        "input 'secs_since_lst' is neither a feature of payments:1 nor an event field; did you mean 'secs_since_last'?",
    ]
    assert store.models() == []
    store.upload("fraud_lr", logistic({"amount_z": 1.0, "amount": 0.01}), "alice")


@pytest.mark.parametrize(
    ("pmml", "problem"),
    [
        (b"<PMML>truncated", "PMML is not well-formed XML"),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><PMML/>', "PMML must not declare a DTD or entities"),
        (AMOUNT_MODEL.replace(b'intercept="-2.0"', b'intercept="x"'), "value that cannot be read: ValueError"),
    ],
    ids=["truncated", "entities", "bad number"],
)
def test_a_pmml_that_cannot_be_used_is_refused_with_the_reason(store, publisher, pmml, problem):
    with pytest.raises(RejectedError, match=problem):
        store.upload("fraud_lr", pmml, "alice")
    assert publisher.records == []


def test_bad_settings_are_all_reported_at_once(store):
    with pytest.raises(RejectedError) as raised:
        store.upload("-bad", AMOUNT_MODEL, "alice", threshold=float("nan"), event_types=("Payment",), mode="active",
                     alias="challenger")  # fmt: skip
    assert len(raised.value.problems) == 4


def test_a_stale_expected_version_is_refused(store):
    store.upload("fraud_lr", AMOUNT_MODEL, "alice", expected_version=1)
    with pytest.raises(ConflictError, match="stale version: fraud_lr is at v1, the next is v2, not v1"):
        store.upload("fraud_lr", AMOUNT_MODEL, "alice", expected_version=1)


def test_unknown_models_and_versions_are_not_found(store):
    with pytest.raises(NotFoundError, match="no model 'nope'"):
        store.activate("nope", 1, "bob")
    store.upload("fraud_lr", AMOUNT_MODEL, "alice")
    with pytest.raises(NotFoundError, match="fraud_lr has no version 7"):
        store.activate("fraud_lr", 7, "bob")


def test_when_the_control_topic_does_not_take_a_change_the_store_keeps_nothing_of_it(store, publisher):
    store.upload("fraud_lr", AMOUNT_MODEL, "alice")
    publisher.down = True
    with pytest.raises(PublishError, match="nothing changed: broker not reachable"):  # cannot read its last seq
        store.upload("fraud_lr", logistic({"amount": 0.02}), "alice")
    with pytest.raises(PublishError):
        store.shadow("fraud_lr", 1, "bob")
    with pytest.raises(NotFoundError):  # a refusal is still itself, not a broker error
        store.activate("fraud_lr", 7, "bob")
    publisher.down, publisher.refuses_sends = False, True
    with pytest.raises(PublishError, match="the control topic did not take the change, nothing changed"):
        store.upload("fraud_lr", logistic({"amount": 0.02}), "alice")
    publisher.refuses_sends = False
    assert [v.version for v in store.versions("fraud_lr")] == [1]
    assert store_live(store) == [("fraud_lr", "champion", 1, "active")]
    assert [e.action for e in store.audit()] == ["live", "upload"]
    row, _ = store.upload("fraud_lr", logistic({"amount": 0.02}), "alice")
    assert row.version == 2 and job_live(publisher) == [("fraud_lr", "champion", 2, "active")]


def test_seqs_continue_above_the_topic_and_above_what_the_store_published(database_url):
    publisher = RecordingPublisher(last_seq=41)
    url = database_url
    store = ModelStore(url, KEY, publisher)
    store.upload("fraud_lr", AMOUNT_MODEL, "alice")
    store.close()
    emptied = RecordingPublisher(last_seq=-1)  # a topic emptied while the store was down
    restarted = ModelStore(url, KEY, emptied)
    _, outcome = restarted.upload("fraud_lr", AMOUNT_MODEL, "alice")
    assert [m.seq for m in publisher.messages()] == [42]
    assert outcome.seqs == [43]
    emptied.topic_seq = 99  # someone else published meanwhile
    assert restarted.retire("fraud_lr", "bob").seqs == [100]
    assert [v.version for v in restarted.versions("fraud_lr")] == [1, 2]
    restarted.close()


def test_a_feature_file_with_errors_is_refused_with_file_line_and_column(store, publisher):
    with pytest.raises(FeatureFileError) as raised:
        store.deploy_features("featureset p version 1\nfeatures c per card_id { a = amont }\n", "p.fdsl", "alice")
    assert raised.value.problems[0].startswith("p.fdsl:2:30: error: unknown field 'amont'; did you mean 'amount'?")
    assert publisher.records == []


def test_a_feature_set_version_is_immutable_and_must_feed_the_live_models(store, publisher):
    store.deploy_features(PAYMENTS, "payments.fdsl", "alice")
    assert not store.deploy_features(PAYMENTS, "payments.fdsl", "alice")[1].changed
    with pytest.raises(ConflictError, match="payments:1 exists with other content: raise the version"):
        store.deploy_features(PAYMENTS + "\n# changed\n", "payments.fdsl", "alice")
    store.upload("fraud_z", logistic({"amount_z": 1.0}), "alice")
    smaller = "featureset payments version 2\nfeatures customer per customer_id { n = count() over 1h }\n"
    with pytest.raises(RejectedError) as raised:
        store.deploy_features(smaller, "payments.fdsl", "alice")
    assert raised.value.problems == [
        "fraud_z v1 (champion): input 'amount_z' is neither a feature of payments:2 nor an event field; "
        "did you mean 'amount'?"
    ]
    assert store.live_features().version == 1


def test_every_change_is_audited_with_who_made_it_latest_first(store):
    store.upload("fraud_lr", AMOUNT_MODEL, "alice")
    store.set_threshold("fraud_lr", 1, 0.8, "bob")
    store.retire("fraud_lr", "carol")
    entries = [(e.actor, e.action, e.version) for e in store.audit("fraud_lr")]
    assert entries == [("carol", "retire", None), ("bob", "update", 1), ("alice", "live", 1), ("alice", "upload", 1)]
    assert all(e.seq is not None for e in store.audit("fraud_lr") if e.action != "upload")


def test_republishing_rebuilds_what_is_live_in_a_job_that_lost_its_control_topic(store, publisher):
    store.deploy_features(PAYMENTS, "payments.fdsl", "alice")
    store.upload("fraud_lr", AMOUNT_MODEL, "alice")
    store.upload("fraud_lr", logistic({"amount": 0.02}), "alice", alias="challenger")
    store.upload("other", AMOUNT_MODEL, "alice", threshold=0.3)
    before = job_live(publisher)
    publisher.records.clear()
    store.republish("admin")
    assert job_live(publisher) == before == store_live(store)
    assert [m.type for m in publisher.messages()] == ["features.deploy", *["model.deploy"] * 3]
    assert orjson.loads(orjson.dumps(publisher.messages()[-1].payload["threshold"])) == 0.3


def test_ad_hoc_scoring_uses_the_champion_unless_a_version_is_named(store):
    store.upload("fraud_lr", AMOUNT_MODEL, "alice")
    store.upload("fraud_lr", logistic({"amount": 0.0}, intercept=0.0), "alice", alias=None)
    version, scorer = store.scorer("fraud_lr")
    assert version == 1 and scorer.score_one({"amount": 200})["probability(1)"] == pytest.approx(0.5)
    version, scorer = store.scorer("fraud_lr", 2)
    assert version == 2 and scorer.score_one({"amount": 200})["probability(1)"] == pytest.approx(0.5)
    store.retire("fraud_lr", "bob")
    with pytest.raises(ConflictError, match="no live champion"):
        store.scorer("fraud_lr")


def test_each_record_is_keyed_by_what_it_states_and_a_deploy_or_removal_tombstones_the_settings(store, publisher):
    a_long_history(store)
    records = publisher.records
    for i, (key, value) in enumerate(records):
        if value is None:
            assert key.endswith(b"/settings"), key
            continue
        message = control.decode(value, KEY)
        alias = message.payload.get("alias")
        if message.type == "features.deploy":
            assert key == f"features:{message.model_id}".encode()
        elif message.type == "model.update":
            assert key.startswith(f"{message.model_id}/".encode()) and key.endswith(b"/settings")
            assert sorted(message.payload) == ["event_types", "mode", "threshold"]  # every setting, always
        else:
            assert (message.type, message.version is None) in {("model.deploy", False), ("alias.set", True)}
            assert key == control.alias_key(message.model_id, alias)
            assert records[i + 1] == (control.settings_key(message.model_id, alias), None)
    kinds = {control.decode(v, KEY).type for _, v in records if v is not None}
    assert kinds == {"features.deploy", "model.deploy", "model.update", "alias.set"}


@pytest.mark.parametrize("tombstones", [True, False], ids=["tombstones kept", "tombstones gone"])
def test_a_compacted_topic_rebuilds_what_is_live_wherever_the_compaction_stopped(store, publisher, tombstones):
    """Kafka compacts the topic up to some offset (never its newest segment); a job that replays what is left
    from any such cut must rebuild exactly the live models, with every message applied."""
    a_long_history(store)
    records, compile_model = publisher.records, memo_compile()
    expected = store_table(store)
    assert job_table(KEY, [v for _, v in records], compile_model) == expected
    assert len(expected) == 3 and len(compacted(records)) < len(records) / 2
    for upto in range(len(records) + 1):
        left = compacted(records, upto, tombstones=tombstones)
        assert job_table(KEY, [v for _, v in left], compile_model) == expected, f"compacted up to {upto}"
