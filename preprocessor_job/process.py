"""One raw record through its channel's adapter, as the job and `fraudscore preprocess` both run it:
always a list of outcomes (a Coinbase frame holds several), never an exception."""

from __future__ import annotations

from preprocessor_job.adapters import ADAPTERS
from preprocessor_job.outcome import Outcome, Rejected

# Kafka's string deserializer and our file reader replace bytes that are not UTF-8 with U+FFFD: a record
# that carries it was not text, and an id or a name built from it would be a different one.
_REPLACED = "\ufffd"


def preprocess(channel: str, raw: str, ingested_ms: int | None) -> list[Outcome]:
    if _REPLACED in raw:
        return [Rejected("not valid UTF-8")]
    adapted = ADAPTERS[channel](raw, ingested_ms)
    return adapted if isinstance(adapted, list) else [adapted]
