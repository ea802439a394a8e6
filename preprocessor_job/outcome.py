"""What an adapter makes of one raw record: a canonical event, a rejection, or a deliberate drop."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import orjson

from fraudscore.events import CanonicalEvent


@dataclass(frozen=True)
class Rejected:
    """A record scoring cannot use; it goes to `dlq` with this reason."""

    reason: str

    def dlq_record(self, channel: str, raw: bytes, origin: KafkaOrigin | None = None) -> bytes:
        """The reason, where the record came from, and its bytes as they were: as text when they are
        UTF-8, else base64 in `raw_base64`, so that the record can be replayed once its channel is fixed."""
        record: dict[str, object] = {"source": "preprocessor", "channel": channel, "reason": self.reason}
        if origin is not None:
            record |= {"topic": origin.topic, "partition": origin.partition, "offset": origin.offset}
        try:
            record["raw"] = raw.decode("utf-8")
        except UnicodeDecodeError:
            record["raw_base64"] = base64.b64encode(raw).decode("ascii")
        return orjson.dumps(record)


@dataclass(frozen=True)
class KafkaOrigin:
    """Where a raw record was read."""

    topic: str
    partition: int
    offset: int


@dataclass(frozen=True)
class Dropped:
    """A well-formed record that carries nothing to score (a heartbeat); counted, not forwarded."""

    reason: str


Outcome = CanonicalEvent | Rejected | Dropped
