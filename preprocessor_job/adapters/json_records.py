"""Decoding a raw JSON record: one object, or a reason why not."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import orjson

from preprocessor_job.outcome import Dropped, Rejected


def json_object(raw: str) -> dict[str, Any] | Rejected:
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return Rejected(f"not JSON: {exc}")
    if not isinstance(record, dict):
        return Rejected("not a JSON object")
    return record


def typed_object(
    raw: str, type_field: str, known: Collection[str], noise: Mapping[str, str], called: str
) -> tuple[dict[str, Any], str] | Dropped | Rejected:
    """The record and its type (the value of `type_field`, one of `known`); a drop, for the reason `noise`
    gives, when the type is noise; a rejection when the record is not a JSON object or its type is unknown
    (`called` names the field in the reason: "unknown action 'teleport'")."""
    record = json_object(raw)
    if isinstance(record, Rejected):
        return record
    kind = label(record.get(type_field))
    if kind in noise:
        return Dropped(noise[kind])
    if kind not in known:
        return Rejected(f"unknown {called} {record.get(type_field)!r}")
    return record, kind


def label(value: Any) -> str | None:
    """A record's type field as text, or None: a list or an object there must not reach a set lookup."""
    return value if isinstance(value, str) else None
