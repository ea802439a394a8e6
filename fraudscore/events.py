"""The canonical event every channel is mapped to (DESIGN.md), and its JSON form on `events`."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import orjson


@dataclass(frozen=True)
class CanonicalEvent:
    """One business event, whatever channel it came from. Absent fields are None.

    >>> e = CanonicalEvent(event_id="w-1", event_type="payment", ts=1_700_000_000_000, channel="web",
    ...                    customer_id="c1", amount=12.5, currency="EUR")
    >>> CanonicalEvent.from_json(e.to_json()) == e
    True
    """

    event_id: str
    event_type: str
    ts: int
    channel: str
    customer_id: str | None = None
    account_id: str | None = None
    card_id: str | None = None
    device_id: str | None = None
    ip: str | None = None
    merchant_id: str | None = None
    mcc: int | None = None
    amount: float | None = None
    currency: str | None = None
    country: str | None = None
    status: str | None = None
    symbol: str | None = None
    price: float | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    # When the raw record reached Kafka (epoch ms): score latency is measured from here.
    ingested_ms: int | None = None

    def to_json(self) -> bytes:
        # orjson writes a dataclass itself, fields in order: the same bytes as asdict(), a seventh of the time.
        return orjson.dumps(self)

    @classmethod
    def from_json(cls, data: bytes | str) -> CanonicalEvent:
        raw = orjson.loads(data)
        return cls(**{name: raw.get(name) for name in FIELD_NAMES if name in raw})

    @property
    def partition_key(self) -> str:
        """`events` is keyed by customer; a market tick by its symbol; anything else by its own id."""
        return self.customer_id or self.symbol or self.event_id


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(CanonicalEvent))
