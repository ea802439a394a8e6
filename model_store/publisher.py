"""The store's control messages onto the `control` topic, each one acknowledged by the broker."""

from __future__ import annotations

import orjson
from kafka import KafkaProducer

from fraudscore import kafka_io
from fraudscore.topics import CONTROL_MAX_MESSAGE_BYTES


class KafkaControlPublisher:
    """Sends to the control topic and waits for every record to be acknowledged (acks=all)."""

    def __init__(self, bootstrap: str, topic: str, timeout_s: float = 15) -> None:
        self._bootstrap = bootstrap
        self._topic = topic
        self._timeout_s = timeout_s
        self._producer: KafkaProducer | None = None

    def last_seq(self) -> int:
        """The highest `seq` on the topic: whoever published before the store did is not overtaken."""
        seqs = [_seq(record.value) for record in kafka_io.read_to_end(self._bootstrap, self._topic, self._timeout_s)]
        return max(seqs, default=-1)

    def publish(self, records: list[tuple[bytes, bytes]]) -> None:
        producer = self._connected()
        futures = [producer.send(self._topic, key=key, value=value) for key, value in records]
        for future in futures:
            future.get(timeout=self._timeout_s)

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close()
            self._producer = None

    def _connected(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = KafkaProducer(
                bootstrap_servers=self._bootstrap,
                acks="all",
                max_request_size=CONTROL_MAX_MESSAGE_BYTES,
                max_block_ms=int(self._timeout_s * 1000),
                retries=3,
                max_in_flight_requests_per_connection=1,  # in order, also on a retry
            )
        return self._producer


def _seq(value: bytes) -> int:
    try:
        seq = orjson.loads(value).get("seq")
    except (orjson.JSONDecodeError, AttributeError):
        return -1
    return seq if isinstance(seq, int) else -1
