"""One raw record through its channel's adapter, as the job and `fraudscore preprocess` both run it:
always a list of outcomes (a Coinbase frame holds several), never an exception."""

from __future__ import annotations

from preprocessor_job.adapters import ADAPTERS
from preprocessor_job.outcome import Outcome, Rejected


def preprocess(channel: str, raw: bytes, ingested_ms: int | None) -> list[Outcome]:
    try:
        # Strict: a record that is not text has no id or name we could trust; a lenient decode would make
        # a different one of it.
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [Rejected(f"not valid UTF-8 at byte {exc.start}")]
    adapted = ADAPTERS[channel](text, ingested_ms)
    return adapted if isinstance(adapted, list) else [adapted]
