"""Recent scores and alerts per customer, what the scoring job is scoring with, the control messages it
rejected, the web page's live summary, and what explaining and drift need (the inputs each recent alert and
score was made from): read from `events`, `scores`, `alerts` and `dlq` as they arrive, kept in memory,
bounded."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any

import numpy as np
import orjson
from kafka import KafkaConsumer, TopicPartition

from explain import LiveInputs
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


BINS = 20  # of a score distribution


class LiveSummary:
    """Pure: what the dashboard shows of the stream: the latest alerts, each live version's recent score
    distribution (over 0..1, or the scores' own range when a model's scores leave it), latency per model and
    records a second over the last minute (by the records' Kafka times, so a backlog read at start counts
    when it happened, not when it was read).

    >>> summary = LiveSummary()
    >>> summary.add_score({"model_id": "m", "model_version": 1, "alias": "champion", "score": 0.97,
    ...                    "latency_ms": 40}, at_ms=1_000)
    >>> snapshot = summary.snapshot(now_ms=2_000)
    >>> [(d["bins"][19], d["range"]) for d in snapshot["distributions"]]
    [(1, [0.0, 1.0])]
    >>> snapshot["latency"]
    [{'model_id': 'm', 'scores': 1, 'p50_ms': 40.0, 'p99_ms': 40.0}]
    """

    def __init__(self, window_ms: int = 60_000, per_version: int = 2_000, alerts: int = 30) -> None:
        self._window_ms = window_ms
        self._per_version = per_version
        self._scores: dict[tuple[str, int, str], deque[float]] = {}
        self._thresholds: dict[tuple[str, int, str], float] = {}
        self._latency: dict[str, deque[tuple[int, float]]] = {}
        self._score_times: deque[int] = deque(maxlen=200_000)
        self._alert_times: deque[int] = deque(maxlen=200_000)
        self._alerts: deque[dict[str, Any]] = deque(maxlen=alerts)

    def add_score(self, record: dict[str, Any], at_ms: int) -> None:
        self._score_times.append(at_ms)
        score = record.get("score")
        if _is_number(score):
            key = (str(record.get("model_id")), int(record.get("model_version") or 0), str(record.get("alias") or "-"))
            kept = self._scores.get(key)
            if kept is None:
                kept = self._scores[key] = deque(maxlen=self._per_version)
            kept.append(float(score))
            if _is_number(record.get("threshold")):
                self._thresholds[key] = float(record["threshold"])
        latency = record.get("latency_ms")
        if _is_number(latency):
            model = str(record.get("model_id"))
            times = self._latency.get(model)
            if times is None:
                times = self._latency[model] = deque(maxlen=100_000)
            times.append((at_ms, float(latency)))

    def add_alert(self, record: dict[str, Any], at_ms: int) -> None:
        self._alert_times.append(at_ms)
        self._alerts.appendleft(record)

    def snapshot(self, now_ms: int) -> dict[str, Any]:
        since = now_ms - self._window_ms
        distributions = []
        for key, scores in sorted(self._scores.items()):
            low, high = _score_range(scores)
            distributions.append({"model_id": key[0], "version": key[1], "alias": key[2], "count": len(scores),
                                  "range": [low, high], "bins": _histogram(scores, low, high),
                                  "threshold": self._thresholds.get(key)})  # fmt: skip
        return {
            "scores_per_s": sum(1 for t in self._score_times if t >= since) * 1000 / self._window_ms,
            "alerts_per_s": sum(1 for t in self._alert_times if t >= since) * 1000 / self._window_ms,
            "alerts": list(self._alerts),
            "distributions": distributions,
            "latency": [
                _latency(model, [v for t, v in times if t >= since]) for model, times in sorted(self._latency.items())
            ],
        }


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _score_range(scores: deque[float]) -> tuple[float, float]:
    """0..1 for scores that stay in it (probabilities); else the scores' own range."""
    low, high = min(scores), max(scores)
    if low >= 0.0 and high <= 1.0:
        return 0.0, 1.0
    return (low, high) if high > low else (low - 0.5, high + 0.5)


def _histogram(scores: deque[float], low: float, high: float) -> list[int]:
    bins = [0] * BINS
    for score in scores:
        bins[min(BINS - 1, max(0, int((score - low) / (high - low) * BINS)))] += 1
    return bins


def _latency(model: str, values: list[float]) -> dict[str, Any]:
    """p50 and p99 of the model's score latency (event ingestion to score), nearest rank."""
    if not values:
        return {"model_id": model, "scores": 0, "p50_ms": None, "p99_ms": None}
    p50, p99 = np.percentile(values, [50, 99], method="inverted_cdf")
    return {"model_id": model, "scores": len(values), "p50_ms": float(p50), "p99_ms": float(p99)}


class ModelInputs:
    """Pure: what recent alerts and scores were made from, for explaining and drift: each recent event's own
    fields (from `events`), the latest alerts by event id, and each model version's recent inputs. A score
    record names the features a model read; the event's own fields (amount...) come from its event, when
    that was read first.

    >>> inputs = ModelInputs()
    >>> inputs.add_event({"event_id": "e1", "amount": 1161.07, "attrs": {"os": "ios"}})
    >>> alert = {"event_id": "e1", "model_id": "m", "model_version": 1, "features": {"amount_z": 4.2}}
    >>> inputs.add_score(alert)
    >>> inputs.add_alert(alert)
    >>> [(a["model_id"], record) for a, record in inputs.alerts_of("e1")]
    [('m', {'event_id': 'e1', 'amount': 1161.07, 'amount_z': 4.2})]
    >>> inputs.records("m", 1)
    [{'event_id': 'e1', 'amount': 1161.07, 'amount_z': 4.2}]
    """

    def __init__(self, events: int = 20_000, alerts: int = 10_000, window: int = 2_000) -> None:
        self._events: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._max_events = events
        self._alerts: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        self._max_alerts = alerts
        self.live = LiveInputs(window)

    def add_event(self, event: dict[str, Any]) -> None:
        event_id = event.get("event_id")
        if not isinstance(event_id, str):
            return
        self._events[event_id] = {k: v for k, v in event.items() if not isinstance(v, dict | list)}
        self._events.move_to_end(event_id)
        while len(self._events) > self._max_events:
            self._events.popitem(last=False)

    def add_score(self, record: dict[str, Any]) -> None:
        inputs = self._inputs(record)
        if inputs is not None:
            self.live.add((str(record.get("model_id")), int(record.get("model_version") or 0)), inputs)

    def add_alert(self, record: dict[str, Any]) -> None:
        event_id = record.get("event_id")
        if not isinstance(event_id, str):
            return
        kept = self._alerts.setdefault(event_id, [])
        kept[:] = [a for a in kept if (a.get("model_id"), a.get("model_version")) !=
                   (record.get("model_id"), record.get("model_version"))]  # fmt: skip
        kept.append({**record, "_event": self._events.get(event_id)})  # its event, read before it or not yet
        self._alerts.move_to_end(event_id)
        while len(self._alerts) > self._max_alerts:
            self._alerts.popitem(last=False)

    def alerts_of(self, event_id: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """Each alert of the event (one per model), and the record of inputs it was scored on."""
        result = []
        for kept in self._alerts.get(event_id, ()):
            alert = {k: v for k, v in kept.items() if k != "_event"}
            event = kept.get("_event") or self._events.get(event_id) or {}
            features = alert.get("features")
            result.append((alert, {**event, **(features if isinstance(features, dict) else {})}))
        return result

    def event_known(self, event_id: str) -> bool:
        return any(kept.get("_event") for kept in self._alerts.get(event_id, ())) or event_id in self._events

    def records(self, model_id: str, version: int) -> list[dict[str, Any]]:
        return self.live.records((model_id, version))  # type: ignore[return-value]

    def _inputs(self, record: dict[str, Any]) -> dict[str, Any] | None:
        features = record.get("features")
        features = features if isinstance(features, dict) else {}
        event = self._events.get(record.get("event_id"))  # type: ignore[arg-type]
        return {**event, **features} if event is not None else dict(features)


class RecentActivity:
    """CustomerActivity and LiveSummary fed by a consumer thread, from the last `lookback` records of each
    partition on."""

    def __init__(self, bootstrap: str, topics: Topics, lookback: int = 10_000) -> None:
        self.activity = CustomerActivity()
        self.summary = LiveSummary()
        self.inputs = ModelInputs()
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

    def alerts_of(self, event_id: str) -> tuple[list[tuple[dict[str, Any], dict[str, Any]]], bool]:
        """The event's recent alerts with the inputs each was scored on, and whether its event was read."""
        with self._lock:
            return self.inputs.alerts_of(event_id), self.inputs.event_known(event_id)

    def inputs_of(self, model_id: str, version: int) -> list[dict[str, Any]]:
        with self._lock:
            return self.inputs.records(model_id, version)

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
            # Events first: a score or alert is joined with its event's fields as it is read.
            handlers = {self._topics.events: lambda record, _: self.inputs.add_event(record),
                        self._topics.scores: self._score, self._topics.alerts: self._alert,
                        self._topics.dlq: lambda record, _: self.activity.add_dead_letter(record)}  # fmt: skip
            order = list(handlers)
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
                polled = consumer.poll(timeout_ms=500)
                for partition, batch in sorted(polled.items(), key=lambda item: order.index(item[0].topic)):
                    with self._lock:
                        for message in batch:
                            _feed(handlers[partition.topic], message.value, message.timestamp)
        finally:
            consumer.close()

    def _score(self, record: dict[str, Any], at_ms: int) -> None:
        self.activity.add_score(record)
        self.summary.add_score(record, at_ms)
        self.inputs.add_score(record)

    def _alert(self, record: dict[str, Any], at_ms: int) -> None:
        self.activity.add_alert(record)
        self.summary.add_alert(record, at_ms)
        self.inputs.add_alert(record)


def _feed(handler: Callable[[dict[str, Any], int], None], value: bytes, at_ms: int) -> None:
    try:
        record = orjson.loads(value)
    except orjson.JSONDecodeError:
        return
    if isinstance(record, dict):
        handler(record, at_ms)
