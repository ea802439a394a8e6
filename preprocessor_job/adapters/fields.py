"""What every adapter checks the same way: ids, amounts, currencies, countries, timestamps. A value that
fails raises Invalid with a message naming the raw field, which the job puts on `dlq` as the reason."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from preprocessor_job.outcome import Rejected

T = TypeVar("T")

MAX_AMOUNT = 10_000_000.0
MAX_ID_LENGTH = 128
# 2000-01-01 .. 2100-01-01: anything outside is a broken clock, not an event.
TS_RANGE_MS = (946_684_800_000, 4_102_444_800_000)

# ISO 4217: numeric code -> (alphabetic code, minor-unit digits), for the currencies the channels carry.
CURRENCIES: dict[str, tuple[str, int]] = {
    "978": ("EUR", 2), "840": ("USD", 2), "826": ("GBP", 2), "756": ("CHF", 2), "752": ("SEK", 2),
    "578": ("NOK", 2), "208": ("DKK", 2), "985": ("PLN", 2), "203": ("CZK", 2), "348": ("HUF", 2),
    "392": ("JPY", 0), "124": ("CAD", 2), "036": ("AUD", 2), "949": ("TRY", 2), "048": ("BHD", 3),
    "156": ("CNY", 2), "356": ("INR", 2), "986": ("BRL", 2), "484": ("MXN", 2), "710": ("ZAR", 2),
}  # fmt: skip
MINOR_DIGITS = dict(CURRENCIES.values())
# ISO 3166: numeric code -> alpha-2, for the countries the card network reports.
COUNTRIES: dict[str, str] = {
    "528": "NL", "276": "DE", "250": "FR", "056": "BE", "442": "LU", "724": "ES", "380": "IT", "620": "PT",
    "826": "GB", "372": "IE", "840": "US", "124": "CA", "756": "CH", "040": "AT", "752": "SE", "578": "NO",
    "208": "DK", "246": "FI", "616": "PL", "203": "CZ", "348": "HU", "642": "RO", "300": "GR", "792": "TR",
    "392": "JP", "156": "CN", "356": "IN", "076": "BR", "484": "MX", "710": "ZA", "566": "NG", "643": "RU",
    "036": "AU", "702": "SG", "784": "AE",
}  # fmt: skip


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


class Invalid(Exception):
    """A raw field that fails validation: the message says which and why."""


def or_rejected(build: Callable[..., T], *args: Any) -> T | Rejected:
    """build(*args), or the rejection its Invalid names."""
    try:
        return build(*args)
    except Invalid as exc:
        return Rejected(str(exc))


def obj(record: dict[str, Any], name: str) -> dict[str, Any]:
    """A nested object, empty when absent."""
    value = record.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid(f"'{name}' must be an object")
    return value


def required_id(value: Any, name: str) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise Invalid(f"missing or invalid '{name}'")
    text = str(value).strip()
    if len(text) > MAX_ID_LENGTH:
        raise Invalid(f"'{name}' longer than {MAX_ID_LENGTH} characters")
    return text


def optional_id(value: Any, name: str) -> str | None:
    return None if value in (None, "") else required_id(value, name)


def optional_int(value: Any, name: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise Invalid(f"'{name}' must be an integer, got {value!r}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Invalid(f"'{name}' must be an integer, got {value!r}") from None


def amount(value: Any, name: str) -> float:
    """A positive amount in major units, at most MAX_AMOUNT; numbers that arrive as strings are parsed."""
    if isinstance(value, bool):
        raise Invalid(f"'{name}' must be a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Invalid(f"'{name}' must be a number, got {value!r}") from None
    if not math.isfinite(number) or number <= 0 or number > MAX_AMOUNT:
        raise Invalid(f"'{name}' out of range (0, {MAX_AMOUNT:.0f}]: {value!r}")
    return number


def minor_amount(value: Any, currency: str, name: str) -> float:
    """An amount given in minor units (cents), as major units of its currency."""
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
        raise Invalid(f"'{name}' must be a whole number of minor units, got {value!r}")
    return amount(int(value) / 10 ** MINOR_DIGITS.get(currency, 2), name)


def currency(value: Any, name: str) -> str:
    """An ISO 4217 code, alphabetic (any case) or numeric."""
    if isinstance(value, str) and value.isdigit() and value.zfill(3) in CURRENCIES:
        return CURRENCIES[value.zfill(3)][0]
    if not isinstance(value, str) or len(value) != 3 or not value.isalpha() or not value.isascii():
        raise Invalid(f"'{name}' must be an ISO 4217 code, got {value!r}")
    return value.upper()


def country(value: Any, name: str) -> str | None:
    """An ISO 3166 code, alpha-2 (any case) or numeric; None when absent."""
    if value in (None, ""):
        return None
    if isinstance(value, str) and value.isdigit():
        if value.zfill(3) not in COUNTRIES:
            raise Invalid(f"'{name}' is not a known ISO 3166 numeric code: {value!r}")
        return COUNTRIES[value.zfill(3)]
    if not isinstance(value, str) or len(value) != 2 or not value.isalpha() or not value.isascii():
        raise Invalid(f"'{name}' must be an ISO 3166 alpha-2 code, got {value!r}")
    return value.upper()


def status(value: Any, name: str) -> str | None:
    if value in (None, "approved", "declined"):
        return value
    raise Invalid(f"'{name}' must be 'approved' or 'declined', got {value!r}")


def timestamp(value: Any, name: str) -> int:
    """Epoch milliseconds (an integer) or an ISO 8601 time with a zone; within 2000..2100."""
    if isinstance(value, int) and not isinstance(value, bool):
        ts = value
    elif isinstance(value, str):
        ts = _iso_ms(value, name)
    else:
        raise Invalid(f"missing '{name}'")
    return in_range(ts, value, name)


def in_range(ts: int, raw: Any, name: str) -> int:
    if not TS_RANGE_MS[0] <= ts < TS_RANGE_MS[1]:
        raise Invalid(f"'{name}' out of range: {raw!r}")
    return ts


def _iso_ms(text: str, name: str) -> int:
    head, dot, tail = text.partition(".")
    if dot:  # keep microseconds: feeds send nanoseconds, which datetime does not parse
        digits = len(tail) - len(tail.lstrip("0123456789"))
        text = f"{head}.{tail[: min(digits, 6)]}{tail[digits:]}"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"'{name}' is not an ISO 8601 time: {text!r}") from None
    if parsed.tzinfo is None:
        raise Invalid(f"'{name}' has no time zone: {text!r}")
    return (parsed - _EPOCH) // _MILLISECOND  # exact: no float on the way
