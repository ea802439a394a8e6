"""What an adapter makes of one raw record: a canonical event, a rejection, or a deliberate drop."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from fraudscore.events import CanonicalEvent


@dataclass(frozen=True)
class Rejected:
    """A record scoring cannot use; it goes to `dlq` with this reason."""

    reason: str

    def dlq_record(self, channel: str, raw: str) -> bytes:
        return orjson.dumps({"source": "preprocessor", "channel": channel, "reason": self.reason, "raw": raw})


@dataclass(frozen=True)
class Dropped:
    """A well-formed record that carries nothing to score (a heartbeat); counted, not forwarded."""

    reason: str


Outcome = CanonicalEvent | Rejected | Dropped
