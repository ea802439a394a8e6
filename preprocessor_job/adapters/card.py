"""Card-terminal authorisations: ISO 8583 messages as the acquirer forwards them, one JSON object each,
data elements named as the standard numbers them (`de4_amount`, `de49_currency`...), amounts in minor
units as 12 digits, currency and country as ISO numeric codes. The acquirer adds `acquirer_ts` (ISO 8601)
because DE7 carries no year.

>>> raw = ('{"mti": "0100", "de2_pan_token": "tok-4111", "de3_processing_code": "000000",'
...        ' "de4_amount": "000000004599", "de11_stan": "004211", "de18_mcc": "5999",'
...        ' "de19_country": "276", "de22_pos_entry_mode": "071", "de37_rrn": "633012004211",'
...        ' "de39_response_code": "05", "de41_terminal_id": "T-88", "de42_merchant_id": "M-1234",'
...        ' "de49_currency": "978", "customer_ref": "c1", "acquirer_ts": "2026-11-22T05:00:00Z"}')
>>> event = adapt(raw, None)
>>> (event.event_id, event.event_type, event.amount, event.currency, event.country, event.status)
('pos-633012004211', 'payment', 45.99, 'EUR', 'DE', 'declined')
>>> adapt('{"mti": "0800", "de70_network_code": "301"}', None)
Dropped(reason='network management')
"""

from __future__ import annotations

from typing import Any

from fraudscore.events import CanonicalEvent
from preprocessor_job.adapters import fields as f
from preprocessor_job.adapters.json_records import typed_object
from preprocessor_job.outcome import Outcome

CHANNEL = "pos"
TOPIC = "card"  # raw.card
_AUTHORISATIONS = {"0100", "0200"}  # authorisation and financial requests
_REVERSALS = {"0400", "0420"}
_NOISE = {"0800": "network management", "0810": "network management", "0110": "response", "0210": "response"}
# Processing code, first two digits: the transaction type.
_TRANSACTION_TYPES = {"00": "payment", "01": "withdrawal", "20": "refund", "31": "balance_inquiry"}
_POS_ENTRY = {"01": "manual", "05": "chip", "07": "contactless", "81": "ecommerce", "90": "magstripe"}


def adapt(raw: str, ingested_ms: int | None) -> Outcome:
    typed = typed_object(raw, "mti", _AUTHORISATIONS | _REVERSALS, _NOISE, "message type (mti)")
    if not isinstance(typed, tuple):
        return typed
    record, mti = typed
    return f.or_rejected(_to_event, record, mti, ingested_ms)


def _to_event(record: dict[str, Any], mti: str, ingested_ms: int | None) -> CanonicalEvent:
    processing = _digits(record.get("de3_processing_code"), 6, "de3_processing_code")
    if processing[:2] not in _TRANSACTION_TYPES:
        raise f.Invalid(f"'de3_processing_code' has an unknown transaction type {processing[:2]!r}")
    event_type = "reversal" if mti in _REVERSALS else _TRANSACTION_TYPES[processing[:2]]
    currency = amount = None
    if event_type != "balance_inquiry":
        currency = f.currency(_digits(record.get("de49_currency"), 3, "de49_currency"), "de49_currency")
        amount = f.minor_amount(_digits(record.get("de4_amount"), 12, "de4_amount"), currency, "de4_amount")
    response = record.get("de39_response_code")
    entry = _digits(record.get("de22_pos_entry_mode"), 3, "de22_pos_entry_mode") \
        if record.get("de22_pos_entry_mode") is not None else None  # fmt: skip
    attrs = {"mti": mti, "stan": f.optional_id(record.get("de11_stan"), "de11_stan"),
             "terminal_id": f.optional_id(record.get("de41_terminal_id"), "de41_terminal_id"),
             "entry_mode": _POS_ENTRY.get(entry[:2], entry) if entry else None,
             "response_code": response}  # fmt: skip
    return CanonicalEvent(
        event_id=f"{CHANNEL}-{f.required_id(record.get('de37_rrn'), 'de37_rrn')}",
        event_type=event_type,
        ts=f.timestamp(record.get("acquirer_ts"), "acquirer_ts"),
        channel=CHANNEL,
        customer_id=f.required_id(record.get("customer_ref"), "customer_ref"),
        card_id=f.required_id(record.get("de2_pan_token"), "de2_pan_token"),
        merchant_id=f.optional_id(record.get("de42_merchant_id"), "de42_merchant_id"),
        mcc=f.optional_int(record.get("de18_mcc"), "de18_mcc"),
        amount=amount,
        currency=currency,
        country=f.country(record.get("de19_country"), "de19_country"),
        status=_status(response),
        attrs={name: value for name, value in attrs.items() if value is not None},
        ingested_ms=ingested_ms,
    )


def _digits(value: Any, length: int, name: str) -> str:
    if not isinstance(value, str) or len(value) != length or not value.isdigit() or not value.isascii():
        raise f.Invalid(f"'{name}' must be {length} digits, got {str(value)[:40]!r}")
    return value


def _status(response: Any) -> str | None:
    """DE39: 00 approved, any other code declined; absent on a request not yet answered."""
    if response is None:
        return None
    if not isinstance(response, str) or len(response) != 2 or not response.isalnum():
        raise f.Invalid(f"'de39_response_code' must be two characters, got {str(response)[:40]!r}")
    return "approved" if response == "00" else "declined"
