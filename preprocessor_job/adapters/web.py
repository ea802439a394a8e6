"""Web banking: one JSON object per user action, as the online-banking front end logs it.

>>> raw = ('{"request_id": "w-1", "action": "payment", "occurred_at": "2026-11-22T05:00:00Z",'
...        ' "customer": {"id": "c1", "account": "a1"}, "amount": {"value": "12.50", "currency": "eur"},'
...        ' "payee": {"merchant_id": "m9", "mcc": 5411, "country": "de"}, "outcome": "approved"}')
>>> event = adapt(raw, ingested_ms=None)
>>> (event.event_id, event.event_type, event.amount, event.currency, event.country, event.ts)
('web-w-1', 'payment', 12.5, 'EUR', 'DE', 1795323600000)
>>> adapt('{"request_id": "w-2", "action": "heartbeat"}', None)
Dropped(reason='heartbeat')
"""

from __future__ import annotations

from typing import Any

from fraudscore.events import CanonicalEvent
from preprocessor_job.adapters import fields as f
from preprocessor_job.adapters.json_records import typed_object
from preprocessor_job.outcome import Outcome

CHANNEL = "web"
TOPIC = "web"  # raw.web
_BUSINESS_ACTIONS = {"payment", "transfer", "login", "card_change", "withdrawal"}
_MONEY_ACTIONS = {"payment", "transfer", "withdrawal"}
_NOISE_ACTIONS = {action: action for action in ("heartbeat", "ping", "page_view")}


def adapt(raw: str, ingested_ms: int | None) -> Outcome:
    typed = typed_object(raw, "action", _BUSINESS_ACTIONS, _NOISE_ACTIONS, "action")
    if not isinstance(typed, tuple):
        return typed
    record, action = typed
    return f.or_rejected(_to_event, record, action, ingested_ms)


def _to_event(record: dict[str, Any], action: str, ingested_ms: int | None) -> CanonicalEvent:
    customer = f.obj(record, "customer")
    session = f.obj(record, "session")
    money = f.obj(record, "amount")
    payee = f.obj(record, "payee")
    amount = f.amount(money.get("value"), "amount.value") if action in _MONEY_ACTIONS else None
    return CanonicalEvent(
        event_id=f"{CHANNEL}-{f.required_id(record.get('request_id'), 'request_id')}",
        event_type=action,
        ts=f.timestamp(record.get("occurred_at"), "occurred_at"),
        channel=CHANNEL,
        customer_id=f.required_id(customer.get("id"), "customer.id"),
        account_id=f.optional_id(customer.get("account"), "customer.account"),
        device_id=f.optional_id(session.get("device_id"), "session.device_id"),
        ip=f.optional_id(session.get("ip"), "session.ip"),
        merchant_id=f.optional_id(payee.get("merchant_id"), "payee.merchant_id"),
        mcc=f.optional_int(payee.get("mcc"), "payee.mcc"),
        amount=amount,
        currency=f.currency(money.get("currency"), "amount.currency") if amount is not None else None,
        country=f.country(payee.get("country"), "payee.country"),
        status=f.status(record.get("outcome"), "outcome"),
        ingested_ms=ingested_ms,
    )
