"""Decoding a raw JSON record: one object, or a reason why not."""

from __future__ import annotations

from typing import Any

import orjson

from preprocessor_job.outcome import Rejected


def json_object(raw: str) -> dict[str, Any] | Rejected:
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return Rejected(f"not JSON: {exc}")
    if not isinstance(record, dict):
        return Rejected("not a JSON object")
    return record


def label(value: Any) -> str | None:
    """A record's type field as text, or None: a list or an object there must not reach a set lookup."""
    return value if isinstance(value, str) else None
