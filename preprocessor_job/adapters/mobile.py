"""Mobile app: one JSON object per app event, with the device and the location nested, amounts in minor
units (cents), time in epoch milliseconds.

>>> raw = ('{"event_id": "m-7", "type": "transfer", "timestamp_ms": 1795323600000,'
...        ' "user": {"customer_id": "c1", "account_id": "a1"},'
...        ' "device": {"id": "d-9", "os": "ios", "app_version": "7.2.1", "rooted": false},'
...        ' "geo": {"lat": 52.37, "lon": 4.89, "country": "nl", "ip": "10.1.2.3"},'
...        ' "transaction": {"amount_minor": 125000, "currency": "EUR", "beneficiary": "NL91BANK0123"}}')
>>> event = adapt(raw, None)
>>> (event.event_id, event.event_type, event.amount, event.country, event.device_id, event.attrs["os"])
('mobile-m-7', 'transfer', 1250.0, 'NL', 'd-9', 'ios')
"""

from __future__ import annotations

from typing import Any

from fraudscore.events import CanonicalEvent
from preprocessor_job.adapters import fields as f
from preprocessor_job.adapters.json_records import typed_object
from preprocessor_job.outcome import Outcome

CHANNEL = "mobile"
TOPIC = "mobile"  # raw.mobile
# App event types -> canonical event types; the rest of what the app logs carries nothing to score.
_BUSINESS = {"payment": "payment", "transfer": "transfer", "login": "login", "card_change": "card_change",
             "credential_change": "credential_change", "device_enrolment": "device_enrolment"}  # fmt: skip
_MONEY = {"payment", "transfer"}
_NOISE = {kind: kind for kind in ("heartbeat", "app_open", "screen_view", "push_ack")}


def adapt(raw: str, ingested_ms: int | None) -> Outcome:
    typed = typed_object(raw, "type", _BUSINESS, _NOISE, "type")
    if not isinstance(typed, tuple):
        return typed
    record, kind = typed
    return f.or_rejected(_to_event, record, _BUSINESS[kind], ingested_ms)


def _to_event(record: dict[str, Any], event_type: str, ingested_ms: int | None) -> CanonicalEvent:
    user, device, geo = f.obj(record, "user"), f.obj(record, "device"), f.obj(record, "geo")
    transaction = f.obj(record, "transaction")
    currency = amount = None
    if event_type in _MONEY:
        currency = f.currency(transaction.get("currency"), "transaction.currency")
        amount = f.minor_amount(transaction.get("amount_minor"), currency, "transaction.amount_minor")
    merchant = f.obj(transaction, "merchant")
    return CanonicalEvent(
        event_id=f"{CHANNEL}-{f.required_id(record.get('event_id'), 'event_id')}",
        event_type=event_type,
        ts=f.timestamp(record.get("timestamp_ms"), "timestamp_ms"),
        channel=CHANNEL,
        customer_id=f.required_id(user.get("customer_id"), "user.customer_id"),
        account_id=f.optional_id(user.get("account_id"), "user.account_id"),
        device_id=f.required_id(device.get("id"), "device.id"),
        ip=f.optional_id(geo.get("ip"), "geo.ip"),
        merchant_id=f.optional_id(merchant.get("id"), "transaction.merchant.id"),
        mcc=f.optional_int(merchant.get("mcc"), "transaction.merchant.mcc"),
        amount=amount,
        currency=currency,
        country=f.country(geo.get("country"), "geo.country"),
        status=f.status(transaction.get("status"), "transaction.status"),
        attrs=_attrs(device, geo, transaction),
        ingested_ms=ingested_ms,
    )


def _attrs(device: dict[str, Any], geo: dict[str, Any], transaction: dict[str, Any]) -> dict[str, Any]:
    """The app's extra fields scoring may use: the device's make-up, the position, the beneficiary."""
    attrs = {"os": _text(device.get("os"), "device.os"), "app_version": _text(device.get("app_version"),
             "device.app_version"), "rooted": _flag(device.get("rooted"), "device.rooted"),
             "lat": _coordinate(geo.get("lat"), 90, "geo.lat"), "lon": _coordinate(geo.get("lon"), 180, "geo.lon"),
             "beneficiary": f.optional_id(transaction.get("beneficiary"), "transaction.beneficiary")}  # fmt: skip
    return {name: value for name, value in attrs.items() if value is not None}


def _text(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise f.Invalid(f"'{name}' must be a short string, got {str(value)[:80]!r}")
    return value


def _flag(value: Any, name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise f.Invalid(f"'{name}' must be true or false, got {value!r}")


def _coordinate(value: Any, limit: float, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not -limit <= value <= limit:
        raise f.Invalid(f"'{name}' must be a number in [-{limit}, {limit}], got {value!r}")
    return float(value)
