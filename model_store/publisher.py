"""The store's control messages onto the `control` topic, each one acknowledged by the broker."""

from __future__ import annotations

from kafka import KafkaProducer

from fraudscore import control, kafka_io
from fraudscore.topics import CONTROL_MAX_MESSAGE_BYTES


class KafkaControlPublisher:
    """Sends to the control topic and waits for every record to be acknowledged (acks=all)."""

    def __init__(self, bootstrap: str, topic: str, timeout_s: float = 15) -> None:
        self._bootstrap = bootstrap
        self._topic = topic
        self._timeout_s = timeout_s
        self._producer: KafkaProducer | None = None
        self._follower: kafka_io.Follower | None = None
        self._max_seq = -1

    def last_seq(self) -> int:
        """The highest `seq` on the topic, also of messages others published (a second API, a script): the
        store's next one is above it. Reads only what came since the last call."""
        if self._follower is None:
            self._follower = kafka_io.Follower(self._bootstrap, [self._topic])
        records = self._follower.to_end(self._timeout_s)
        self._max_seq = max([self._max_seq, *(control.seq_of(record.value) for record in records)])
        if not self._follower.assigned:  # no topic yet: look again next time
            self._follower.close()
            self._follower = None
        return self._max_seq

    def publish(self, records: list[tuple[bytes, bytes | None]]) -> None:
        """Send each (key, value) record (a None value: a tombstone) and wait until every one is acknowledged."""
        producer = self._connected()
        futures = [producer.send(self._topic, key=key, value=value) for key, value in records]
        for future in futures:
            future.get(timeout=self._timeout_s)

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close()
            self._producer = None
        if self._follower is not None:
            self._follower.close()
            self._follower = None

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
