"""`bench/scoring.py`'s load generator's Kafka producer: librdkafka through confluent-kafka, not kafka-python.

A latency run stamps each batch of records as it starts sending it, so the time the producer takes to accept a
batch counts against the job being measured, and its CPU is taken from the same two cores. kafka-python took a
median 5.0-5.4 ms (p99 9.4-13.9) of Python to accept 200 events, confluent-kafka 0.47 ms (p99 0.6-0.9), in two
runs on a quiet machine against the embedded broker (events shaped like `bench/scoring.py`'s, serialized by orjson
in both). Measure again:
`.venv/bin/python bench/load_producer.py` (both producers, side by side, on a fresh embedded broker).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import confluent_kafka
import orjson
from kafka import KafkaProducer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fraudscore.broker import BrokerConfig, EmbeddedBroker, free_port
from fraudscore.settings import Settings
from fraudscore.topics import TopicSpec

EVENT = {"event_id": "", "event_type": "payment", "ts": 1764900000000, "customer_id": "c-000123",
         "card_id": "card-000123", "device_id": "d-00077", "merchant_id": "m-00042", "amount": 123.45,
         "currency": "EUR", "country": "DE", "status": "approved", "mcc": 5411}  # fmt: skip


class LoadProducer:
    """Sends records as fast as Python hands them over; `close` waits for all and fails if any was lost."""

    def __init__(self, bootstrap: str, linger_ms: int) -> None:
        # murmur2_random: the Java client's partitioner (kafka-python's too), so a key lands where the jobs' own
        # producers would put it.
        self._producer = confluent_kafka.Producer(
            {
                "bootstrap.servers": bootstrap,
                "linger.ms": linger_ms,
                "partitioner": "murmur2_random",
                "enable.idempotence": True,
                "log.connection.close": False,  # the broker closing an idle connection is not news
            }
        )
        self._failures: list[str] = []

    def send(self, topic: str, value: bytes, key: bytes | None = None, timestamp_ms: int = 0) -> None:
        self._producer.produce(topic, value=value, key=key, timestamp=timestamp_ms, on_delivery=self._delivered)

    def serve(self) -> None:
        """Runs the delivery reports due, without waiting: call it between batches."""
        self._producer.poll(0)

    def close(self, timeout_s: float = 60) -> None:
        left = self._producer.flush(timeout_s)
        if left or self._failures:
            raise RuntimeError(f"{left} records not delivered after {timeout_s:.0f} s; failed: {self._failures[:3]}")

    def _delivered(self, error: confluent_kafka.KafkaError | None, _message: confluent_kafka.Message) -> None:
        if error is not None:
            self._failures.append(str(error))

    def __enter__(self) -> LoadProducer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self.close()


def batch_times_ms(
    send: Callable[[bytes, bytes], None], between: Callable[[], None], batches: int, size: int
) -> list[float]:
    """How long handing each batch of events over takes, the first tenth (connections, metadata) left out."""
    times = []
    for n in range(batches):
        started = time.perf_counter()
        for i in range(size):
            event = EVENT | {"event_id": f"e-{n}-{i}", "ingested_ms": 1}
            send(event["customer_id"].encode(), orjson.dumps(event))
        times.append((time.perf_counter() - started) * 1000)
        between()
        time.sleep(0.05)
    return times[batches // 10 :]


def text(name: str, times: list[float]) -> str:
    p99 = statistics.quantiles(times, n=100, method="inclusive")[98]
    return f"{name}: a batch handed over in a median {statistics.median(times):.2f} ms, p99 {p99:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=300)
    parser.add_argument("--size", type=int, default=200, help="events a batch (bench/scoring.py: 200 at 4,000/s)")
    args = parser.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        config = BrokerConfig(data_dir=Path(tmp) / "kafka", lib_dir=settings.jvm_dir / "kafka-lib", port=free_port())
        with EmbeddedBroker.start(config) as broker:
            broker.create_topics([TopicSpec("old"), TopicSpec("new")])
            old = KafkaProducer(bootstrap_servers=broker.bootstrap, linger_ms=2)
            old_times = batch_times_ms(lambda key, value: old.send("old", key=key, value=value, timestamp_ms=1),
                                       lambda: None, args.batches, args.size)  # fmt: skip
            old.close()
            with LoadProducer(broker.bootstrap, linger_ms=2) as new:
                new_times = batch_times_ms(lambda key, value: new.send("new", value, key, timestamp_ms=1),
                                           new.serve, args.batches, args.size)  # fmt: skip
    print(text("kafka-python", old_times))
    print(text("confluent-kafka (LoadProducer)", new_times))


if __name__ == "__main__":
    main()
