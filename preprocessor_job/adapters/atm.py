"""ATM switch log: one line per terminal message, twelve fields separated by `|`, fixed formats:

    version | terminal | sequence | local time (YYYYMMDDhhmmss) | UTC offset (+hhmm) | card token |
    customer | type (WDL, BAL, DEP; HBT heartbeats) | amount (12 digits, minor units) |
    currency (ISO 4217 numeric) | response code (00 approved) | country (ISO 3166 alpha-2)

A terminal's sequence restarts every day, so the event id is terminal, local date and sequence.

>>> event = adapt("ATM1|NL0042|000731|20261122060000|+0100|tok-4111|c1|WDL|000000010000|978|00|NL", None)
>>> (event.event_id, event.event_type, event.amount, event.currency, event.ts, event.status)
('atm-NL0042-20261122-000731', 'withdrawal', 100.0, 'EUR', 1795323600000, 'approved')
>>> adapt("ATM1|NL0042|000732|20261122060100|+0100||c1|HBT|000000000000|978|00|NL", None)
Dropped(reason='heartbeat')
"""

from __future__ import annotations

from datetime import datetime

from fraudscore.events import CanonicalEvent
from preprocessor_job.adapters import fields as f
from preprocessor_job.outcome import Dropped, Outcome, Rejected

CHANNEL = "atm"
TOPIC = "atm"  # raw.atm
VERSION = "ATM1"
FIELDS = ("version", "terminal", "sequence", "local_time", "utc_offset", "card", "customer", "type", "amount",
          "currency", "response_code", "country")  # fmt: skip
_TYPES = {"WDL": "withdrawal", "BAL": "balance_inquiry", "DEP": "deposit"}
_MONEY = {"WDL", "DEP"}
_ATM_MCC = 6011  # automated cash disbursement
_MAX_LINE = 1024


def adapt(raw: str, ingested_ms: int | None) -> Outcome:
    line = _fields(raw)
    if isinstance(line, Rejected):
        return line
    if line["type"] == "HBT":
        return Dropped("heartbeat")
    if line["type"] not in _TYPES:
        return Rejected(f"unknown type {line['type']!r}")
    return f.or_rejected(_to_event, line, ingested_ms)


def _to_event(line: dict[str, str], ingested_ms: int | None) -> CanonicalEvent:
    local = _local_time(line["local_time"], line["utc_offset"])
    currency = amount = None
    if line["type"] in _MONEY:
        currency = f.currency(line["currency"], "currency")
        amount = f.minor_amount(line["amount"], currency, "amount")
    terminal = f.required_id(line["terminal"], "terminal")
    code = line["response_code"]
    if len(code) != 2 or not code.isalnum():
        raise f.Invalid(f"'response_code' must be two characters, got {code!r}")
    return CanonicalEvent(
        event_id=f"{CHANNEL}-{terminal}-{local:%Y%m%d}-{f.required_id(line['sequence'], 'sequence')}",
        event_type=_TYPES[line["type"]],
        ts=f.in_range(int(local.timestamp() * 1000), line["local_time"], "local_time"),
        channel=CHANNEL,
        customer_id=f.required_id(line["customer"], "customer"),
        card_id=f.required_id(line["card"], "card"),
        merchant_id=terminal,
        mcc=_ATM_MCC,
        amount=amount,
        currency=currency,
        country=f.country(line["country"], "country"),
        status="approved" if code == "00" else "declined",
        attrs={"response_code": code},
        ingested_ms=ingested_ms,
    )


def _fields(raw: str) -> dict[str, str] | Rejected:
    if len(raw) > _MAX_LINE:
        return Rejected(f"line longer than {_MAX_LINE} characters")
    parts = raw.rstrip("\r\n").split("|")
    if len(parts) != len(FIELDS):
        return Rejected(f"expected {len(FIELDS)} fields separated by '|', got {len(parts)}")
    line = dict(zip(FIELDS, (p.strip() for p in parts), strict=True))
    if line["version"] != VERSION:
        return Rejected(f"unknown record version {line['version']!r}")
    return line


def _local_time(text: str, offset: str) -> datetime:
    if len(offset) != 5 or offset[0] not in "+-" or not offset[1:].isdigit() or int(offset[1:3]) > 14:
        raise f.Invalid(f"'utc_offset' must be +hhmm or -hhmm, got {offset!r}")
    try:
        return datetime.strptime(text + offset, "%Y%m%d%H%M%S%z")
    except ValueError:
        raise f.Invalid(f"'local_time' must be YYYYMMDDhhmmss, got {text!r}") from None
