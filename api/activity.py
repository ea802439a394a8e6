"""Recent scores and alerts per customer, what the scoring job is scoring with, the control messages it
rejected, and the web page's live summary: read from `scores`, `alerts` and `dlq` as they arrive, kept in
memory, bounded."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any

import orjson
from kafka import KafkaConsumer, TopicPartition

from fraudscore import kafka_crc  # noqa: F401  (its consumer checksums every batch it reads in C)
from fraudscore.topics import Topics

log = logging.getLogger("fraudscore.api")


class CustomerActivity:
    """Pure: the latest score records and alerts of the most recently active customers.

    >>> activity = CustomerActivity(per_customer=2)
    >>> for n in range(3):
    ...     activity.add_score({"customer_id": "c1", "event_id": f"e{n}", "model_id": "m", "model_version": 1})
    >>> [s["event_id"] for s in activity.of("c1")["scores"]]
    ['e2', 'e1']
    """

    def __init__(self, per_customer: int = 50, customers: int = 100_000, rejections: int = 20) -> None:
        self._per_customer = per_customer
        self._customers = customers
        self._scores: OrderedDict[str, deque[dict[str, Any]]] = OrderedDict()
        self._alerts: OrderedDict[str, deque[dict[str, Any]]] = OrderedDict()
        self.scored_by: dict[tuple[str, int, str | None], int] = {}  # (model, version, alias) -> last ts scored
        self.control_rejections: deque[dict[str, Any]] = deque(maxlen=rejections)
        self.records = 0

    def add_score(self, record: dict[str, Any]) -> None:
        self._remember(self._scores, record)
        alias = record.get("alias")
        key = (
            str(record.get("model_id")),
            int(record.get("model_version") or 0),
            alias if isinstance(alias, str) else None,
        )
        self.scored_by[key] = max(self.scored_by.get(key, 0), int(record.get("ts") or 0))

    def add_alert(self, record: dict[str, Any]) -> None:
        self._remember(self._alerts, record)

    def add_dead_letter(self, record: dict[str, Any]) -> None:
        if record.get("source") == "control":
            self.control_rejections.appendleft({k: record.get(k) for k in ("reason", "model_id")})

    def of(self, customer_id: str) -> dict[str, list[dict[str, Any]]]:
        """Latest first."""
        return {
            "scores": list(reversed(self._scores.get(customer_id, ()))),
            "alerts": list(reversed(self._alerts.get(customer_id, ()))),
        }

    def _remember(self, table: OrderedDict[str, deque[dict[str, Any]]], record: dict[str, Any]) -> None:
        self.records += 1
        customer = record.get("customer_id")
        if not isinstance(customer, str):
            return
        kept = table.get(customer)
        if kept is None:
            kept = table[customer] = deque(maxlen=self._per_customer)
        else:
            table.move_to_end(customer)
        kept.append(record)
        while len(table) > self._customers:
            table.popitem(last=False)


BINS = 20  # of a score distribution over [0, 1]


class LiveSummary:
    """Pure: what the dashboard shows of the stream: the latest alerts, each live version's recent score
    distribution, and records a second (by the records' Kafka times, so a backlog read at start counts
    when it happened, not when it was read).

    >>> summary = LiveSummary()
    >>> summary.add_score({"model_id": "m", "model_version": 1, "alias": "champion", "score": 0.97}, at_ms=1_000)
    >>> [d["bins"][19] for d in summary.snapshot(now_ms=2_000)["distributions"]]
    [1]
    """

    def __init__(self, window_ms: int = 60_000, per_version: int = 2_000, alerts: int = 30) -> None:
        self._window_ms = window_ms
        self._per_version = per_version
        self._scores: dict[tuple[str, int, str], deque[float]] = {}
        self._score_times: deque[int] = deque(maxlen=200_000)
        self._alert_times: deque[int] = deque(maxlen=200_000)
        self._alerts: deque[dict[str, Any]] = deque(maxlen=alerts)

    def add_score(self, record: dict[str, Any], at_ms: int) -> None:
        self._score_times.append(at_ms)
        score = record.get("score")
        if isinstance(score, int | float) and not isinstance(score, bool):
            key = (str(record.get("model_id")), int(record.get("model_version") or 0), str(record.get("alias") or "-"))
            kept = self._scores.get(key)
            if kept is None:
                kept = self._scores[key] = deque(maxlen=self._per_version)
            kept.append(float(score))

    def add_alert(self, record: dict[str, Any], at_ms: int) -> None:
        self._alert_times.append(at_ms)
        self._alerts.appendleft(record)

    def snapshot(self, now_ms: int) -> dict[str, Any]:
        since = now_ms - self._window_ms
        return {
            "scores_per_s": sum(1 for t in self._score_times if t >= since) * 1000 / self._window_ms,
            "alerts_per_s": sum(1 for t in self._alert_times if t >= since) * 1000 / self._window_ms,
            "alerts": list(self._alerts),
            "distributions": [
                {"model_id": m, "version": v, "alias": a, "count": len(scores), "bins": _histogram(scores)}
                for (m, v, a), scores in sorted(self._scores.items())
            ],
        }


def _histogram(scores: deque[float]) -> list[int]:
    bins = [0] * BINS
    for score in scores:
        bins[min(BINS - 1, max(0, int(score * BINS)))] += 1
    return bins


class RecentActivity:
    """CustomerActivity and LiveSummary fed by a consumer thread, from the last `lookback` records of each
    partition on."""

    def __init__(self, bootstrap: str, topics: Topics, lookback: int = 10_000) -> None:
        self.activity = CustomerActivity()
        self.summary = LiveSummary()
        self._bootstrap = bootstrap
        self._topics = topics
        self._lookback = lookback
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="recent-activity", daemon=True)
        self.error: str | None = None

    def start(self) -> RecentActivity:
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def of(self, customer_id: str) -> dict[str, list[dict[str, Any]]]:
        with self._lock:
            return self.activity.of(customer_id)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return self.summary.snapshot(int(time.time() * 1000))

    def scored_by(self) -> dict[tuple[str, int, str | None], int]:
        with self._lock:
            return dict(self.activity.scored_by)

    def control_rejections(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.activity.control_rejections)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._follow()
            except Exception as exc:  # the broker went away: say so in /status, try again
                self.error = f"{type(exc).__name__}: {exc}"
                log.warning("recent activity: %s; retrying", self.error)
                self._stop.wait(5)

    def _follow(self) -> None:
        consumer = KafkaConsumer(bootstrap_servers=self._bootstrap, enable_auto_commit=False,
                                 isolation_level="read_committed", request_timeout_ms=10_000)  # fmt: skip
        try:
            handlers = {self._topics.scores: self._score, self._topics.alerts: self._alert,
                        self._topics.dlq: lambda record, _: self.activity.add_dead_letter(record)}  # fmt: skip
            partitions = [
                TopicPartition(t, p) for t in handlers for p in sorted(consumer.partitions_for_topic(t) or ())
            ]
            if not partitions:
                self._stop.wait(5)  # the topics are not there yet
                return
            consumer.assign(partitions)
            for partition, end in consumer.end_offsets(partitions).items():
                consumer.seek(partition, max(0, end - self._lookback))
            self.error = None
            while not self._stop.is_set():
                for partition, batch in consumer.poll(timeout_ms=500).items():
                    with self._lock:
                        for message in batch:
                            _feed(handlers[partition.topic], message.value, message.timestamp)
        finally:
            consumer.close()

    def _score(self, record: dict[str, Any], at_ms: int) -> None:
        self.activity.add_score(record)
        self.summary.add_score(record, at_ms)

    def _alert(self, record: dict[str, Any], at_ms: int) -> None:
        self.activity.add_alert(record)
        self.summary.add_alert(record, at_ms)


def _feed(handler: Callable[[dict[str, Any], int], None], value: bytes, at_ms: int) -> None:
    try:
        record = orjson.loads(value)
    except orjson.JSONDecodeError:
        return
    if isinstance(record, dict):
        handler(record, at_ms)
