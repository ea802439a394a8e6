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

import math
from datetime import datetime
from typing import Any

import orjson

from fraudscore.events import CanonicalEvent
from preprocessor_job.outcome import Dropped, Outcome, Rejected

CHANNEL = "web"
_BUSINESS_ACTIONS = {"payment", "transfer", "login", "card_change", "withdrawal"}
_MONEY_ACTIONS = {"payment", "transfer", "withdrawal"}
_NOISE_ACTIONS = {"heartbeat", "ping", "page_view"}
MAX_AMOUNT = 10_000_000.0
# 2000-01-01 .. 2100-01-01: anything outside is a broken clock, not an event.
_TS_RANGE_MS = (946_684_800_000, 4_102_444_800_000)


class _Invalid(Exception):
    """Internal: a field failed validation; becomes a Rejected with this message."""


def adapt(raw: str, ingested_ms: int | None) -> Outcome:
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return Rejected(f"not JSON: {exc}")
    if not isinstance(record, dict):
        return Rejected("not a JSON object")
    action = record.get("action")
    if action in _NOISE_ACTIONS:
        return Dropped(action)
    if action not in _BUSINESS_ACTIONS:
        return Rejected(f"unknown action {action!r}")
    try:
        return _to_event(record, action, ingested_ms)
    except _Invalid as exc:
        return Rejected(str(exc))


def _to_event(record: dict[str, Any], action: str, ingested_ms: int | None) -> CanonicalEvent:
    customer = _object(record, "customer")
    session = _object(record, "session")
    money = _object(record, "amount")
    payee = _object(record, "payee")
    amount = _amount(money.get("value")) if action in _MONEY_ACTIONS else None
    currency = _currency(money.get("currency")) if amount is not None else None
    return CanonicalEvent(
        event_id=f"{CHANNEL}-{_id(record.get('request_id'), 'request_id')}",
        event_type=action,
        ts=_timestamp(record.get("occurred_at")),
        channel=CHANNEL,
        customer_id=_id(customer.get("id"), "customer.id"),
        account_id=_optional_id(customer.get("account")),
        device_id=_optional_id(session.get("device_id")),
        ip=_optional_id(session.get("ip")),
        merchant_id=_optional_id(payee.get("merchant_id")),
        mcc=_optional_int(payee.get("mcc"), "payee.mcc"),
        amount=amount,
        currency=currency,
        country=_country(payee.get("country")),
        status=_status(record.get("outcome")),
        ingested_ms=ingested_ms,
    )


def _object(record: dict[str, Any], name: str) -> dict[str, Any]:
    value = record.get(name) or {}
    if not isinstance(value, dict):
        raise _Invalid(f"'{name}' must be an object")
    return value


def _id(value: Any, name: str) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise _Invalid(f"missing or invalid '{name}'")
    text = str(value).strip()
    if len(text) > 128:
        raise _Invalid(f"'{name}' longer than 128 characters")
    return text


def _optional_id(value: Any) -> str | None:
    return None if value in (None, "") else _id(value, "id")


def _optional_int(value: Any, name: str) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _Invalid(f"'{name}' must be an integer, got {value!r}") from None


def _amount(value: Any) -> float:
    try:
        amount = float(value)
    except (TypeError, ValueError):
        raise _Invalid(f"'amount.value' must be a number, got {value!r}") from None
    if not math.isfinite(amount) or amount <= 0 or amount > MAX_AMOUNT:
        raise _Invalid(f"'amount.value' out of range (0, {MAX_AMOUNT:.0f}]: {value!r}")
    return amount


def _currency(value: Any) -> str:
    if not isinstance(value, str) or len(value) != 3 or not value.isalpha():
        raise _Invalid(f"'amount.currency' must be an ISO 4217 code, got {value!r}")
    return value.upper()


def _country(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) != 2 or not value.isalpha():
        raise _Invalid(f"'payee.country' must be an ISO 3166 alpha-2 code, got {value!r}")
    return value.upper()


def _status(value: Any) -> str | None:
    if value in (None, "approved", "declined"):
        return value
    raise _Invalid(f"'outcome' must be 'approved' or 'declined', got {value!r}")


def _timestamp(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        ts = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise _Invalid(f"'occurred_at' is not an ISO 8601 time: {value!r}") from None
        if parsed.tzinfo is None:
            raise _Invalid(f"'occurred_at' has no time zone: {value!r}")
        ts = int(parsed.timestamp() * 1000)
    else:
        raise _Invalid("missing 'occurred_at'")
    if not _TS_RANGE_MS[0] <= ts < _TS_RANGE_MS[1]:
        raise _Invalid(f"'occurred_at' out of range: {value!r}")
    return ts
