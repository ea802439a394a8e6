"""The web-banking adapter: raw JSON in, a canonical event, a rejection with its reason, or a drop."""

from __future__ import annotations

import base64

import orjson
import pytest

from fraudscore.events import CanonicalEvent
from preprocessor_job.adapters.web import adapt
from preprocessor_job.outcome import Dropped, KafkaOrigin, Rejected
from preprocessor_job.process import preprocess

GOOD = {
    "request_id": "w-42",
    "action": "transfer",
    "occurred_at": "2026-11-22T06:00:00.250+01:00",
    "customer": {"id": "c-7", "account": "acc-1"},
    "session": {"ip": "203.0.113.9", "device_id": "dev-3"},
    "amount": {"value": "1250.00", "currency": "chf"},
    "payee": {"merchant_id": "m-1", "mcc": "4829", "country": "ch"},
    "outcome": "declined",
}


def raw(**changes: object) -> str:
    record = {**GOOD, **changes}
    return orjson.dumps({k: v for k, v in record.items() if v is not ...}).decode()


def test_a_transfer_becomes_a_normalised_canonical_event():
    event = adapt(raw(), ingested_ms=123)
    assert event == CanonicalEvent(
        event_id="web-w-42",
        event_type="transfer",
        ts=1_795_323_600_250,
        channel="web",
        customer_id="c-7",
        account_id="acc-1",
        device_id="dev-3",
        ip="203.0.113.9",
        merchant_id="m-1",
        mcc=4829,
        amount=1250.0,
        currency="CHF",
        country="CH",
        status="declined",
        ingested_ms=123,
    )


def test_a_login_carries_no_amount():
    event = adapt(raw(action="login", amount=...), ingested_ms=None)
    assert isinstance(event, CanonicalEvent)
    assert (event.event_type, event.amount, event.currency) == ("login", None, None)


@pytest.mark.parametrize("action", ["heartbeat", "ping", "page_view"])
def test_noise_is_dropped_not_rejected(action):
    assert adapt(raw(action=action), None) == Dropped(action)


REJECTS = {
    "broken json": ("{", "not JSON"),
    "not an object": ("[1, 2]", "not a JSON object"),
    "unknown action": (raw(action="teleport"), "unknown action 'teleport'"),
    "missing id": (raw(request_id=...), "missing or invalid 'request_id'"),
    "missing customer": (raw(customer={"account": "a"}), "missing or invalid 'customer.id'"),
    "customer not object": (raw(customer="c-7"), "'customer' must be an object"),
    "negative amount": (raw(amount={"value": "-5", "currency": "EUR"}), "'amount.value' out of range"),
    "absurd amount": (raw(amount={"value": 1e12, "currency": "EUR"}), "'amount.value' out of range"),
    "nan amount": (raw(amount={"value": "NaN", "currency": "EUR"}), "'amount.value' out of range"),
    "text amount": (raw(amount={"value": "lots", "currency": "EUR"}), "'amount.value' must be a number"),
    "bad currency": (raw(amount={"value": "5", "currency": "EURO"}), "ISO 4217"),
    "bad country": (raw(payee={"country": "Germany"}), "ISO 3166"),
    "bad mcc": (raw(payee={"mcc": "food"}), "'payee.mcc' must be an integer"),
    "bad outcome": (raw(outcome="maybe"), "'outcome' must be"),
    "no time zone": (raw(occurred_at="2026-11-22T06:00:00"), "has no time zone"),
    "not a time": (raw(occurred_at="yesterday"), "not an ISO 8601 time"),
    "far future": (raw(occurred_at="2150-01-01T00:00:00Z"), "'occurred_at' out of range"),
    "far past": (raw(occurred_at=0), "'occurred_at' out of range"),
    "missing time": (raw(occurred_at=...), "missing 'occurred_at'"),
    "huge id": (raw(request_id="x" * 1_000_000), "longer than 128 characters"),
}


@pytest.mark.parametrize("text, reason", REJECTS.values(), ids=REJECTS.keys())
def test_bad_records_are_rejected_with_a_reason(text, reason):
    outcome = adapt(text, None)
    assert isinstance(outcome, Rejected)
    assert reason in outcome.reason


def test_a_rejection_keeps_the_raw_record_and_where_it_was_read_for_the_dlq():
    record = orjson.loads(Rejected("not JSON").dlq_record("web", b"{", KafkaOrigin("raw.web", 1, 42)))
    assert record == {"source": "preprocessor", "channel": "web", "reason": "not JSON", "raw": "{",
                      "topic": "raw.web", "partition": 1, "offset": 42}  # fmt: skip


def test_a_record_that_is_not_text_reaches_the_dlq_byte_for_byte():
    raw = b'{"request_id": "\xff\xfe"}'
    [outcome] = preprocess("web", raw, None)
    assert outcome == Rejected("not valid UTF-8 at byte 16")
    record = orjson.loads(outcome.dlq_record("web", raw))
    assert "raw" not in record and base64.b64decode(record["raw_base64"]) == raw
