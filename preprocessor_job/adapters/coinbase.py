"""Market ticks in the Coinbase Advanced Trade `ticker` channel format: one frame holds events, each
holding several tickers; every ticker becomes one canonical `tick` event. Numbers that arrive as strings
(Coinbase sends prices as strings) are parsed.

>>> frame = ('{"channel": "ticker", "timestamp": "2025-04-27T23:51:49.257807091Z", "sequence_num": 15,'
...          ' "events": [{"type": "update", "tickers": [{"type": "ticker", "product_id": "BTC-USD",'
...          ' "price": "94012.5", "volume_24_h": "8123.4", "best_bid": "94012.1", "best_ask": "94013"},'
...          ' {"type": "ticker", "product_id": "ETH-USD", "price": "1790.2"}]}]}')
>>> [(e.event_id, e.symbol, e.price, e.ts) for e in adapt(frame, None)]
[('feed-BTC-USD-15', 'BTC-USD', 94012.5, 1745797909257), ('feed-ETH-USD-15', 'ETH-USD', 1790.2, 1745797909257)]
"""

from __future__ import annotations

import math
from typing import Any

from fraudscore.events import CanonicalEvent
from preprocessor_job.adapters import fields as f
from preprocessor_job.adapters.json_records import typed_object
from preprocessor_job.outcome import Dropped, Outcome, Rejected

CHANNEL = "feed"
TOPIC = "ticks"  # raw.ticks
_NOISE_CHANNELS = {channel: channel for channel in ("heartbeats", "subscriptions")}
_NUMBERS = ("volume_24_h", "low_24_h", "high_24_h", "low_52_w", "high_52_w", "price_percent_chg_24_h",
            "best_bid", "best_ask", "best_bid_quantity", "best_ask_quantity", "last_size")  # fmt: skip
_MAX_TICKERS = 1000


def adapt(raw: str, ingested_ms: int | None) -> Outcome | list[Outcome]:
    typed = typed_object(raw, "channel", {"ticker"}, _NOISE_CHANNELS, "channel")
    if not isinstance(typed, tuple):
        return typed
    header = f.or_rejected(_header, typed[0])
    if isinstance(header, Rejected):
        return header
    ts, sequence, tickers = header
    if not tickers:
        return Dropped("no tickers")
    return [_tick(ticker, ts, sequence, i, ingested_ms) for i, ticker in enumerate(tickers)]


def _header(frame: dict[str, Any]) -> tuple[int, int | None, list[Any]]:
    """The frame's time, sequence number and tickers."""
    return (
        f.timestamp(frame.get("timestamp"), "timestamp"),
        f.optional_int(frame.get("sequence_num"), "sequence_num"),
        _tickers(frame),
    )


def _tickers(frame: dict[str, Any]) -> list[Any]:
    events = frame.get("events")
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise f.Invalid("'events' must be a list of objects")
    tickers = []
    for event in events:
        found = event.get("tickers", [])
        if not isinstance(found, list):
            raise f.Invalid("'events[].tickers' must be a list")
        tickers += found
    if len(tickers) > _MAX_TICKERS:
        raise f.Invalid(f"more than {_MAX_TICKERS} tickers in one frame")
    return tickers


def _tick(ticker: Any, ts: int, sequence: int | None, position: int, ingested_ms: int | None) -> Outcome:
    """One ticker of the frame: its event, or the reason it is unusable (its neighbours still go on)."""
    if not isinstance(ticker, dict):
        return Rejected(f"ticker {position} is not an object")
    return f.or_rejected(_tick_event, ticker, ts, sequence, position, ingested_ms)


def _tick_event(
    ticker: dict[str, Any], ts: int, sequence: int | None, position: int, ingested_ms: int | None
) -> CanonicalEvent:
    symbol = f.required_id(ticker.get("product_id"), f"tickers[{position}].product_id")
    price = _number(ticker.get("price"), f"{symbol}.price")
    if price is None or price <= 0:
        raise f.Invalid(f"'{symbol}.price' must be a positive number, got {ticker.get('price')!r}")
    # A frame's sequence number names it; without one, its time does.
    suffix = sequence if sequence is not None else f"{ts}-{position}"
    attrs = {name: _number(ticker.get(name), f"{symbol}.{name}") for name in _NUMBERS}
    return CanonicalEvent(
        event_id=f"{CHANNEL}-{symbol}-{suffix}",
        event_type="tick",
        ts=ts,
        channel=CHANNEL,
        symbol=symbol,
        price=price,
        currency=symbol.rpartition("-")[2] if "-" in symbol else None,
        attrs={name: value for name, value in attrs.items() if value is not None},
        ingested_ms=ingested_ms,
    )


def _number(value: Any, name: str) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise f.Invalid(f"'{name}' must be a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise f.Invalid(f"'{name}' must be a number, got {str(value)[:40]!r}") from None
    if not math.isfinite(number):
        raise f.Invalid(f"'{name}' must be finite, got {value!r}")
    return number
