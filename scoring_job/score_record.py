"""Score one canonical event with the live models: one score record per model that scores its type."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from scoring_job.live_models import LiveModel


class ScoringError(Exception):
    """One model failed on one event; the event goes to `dlq` for that model, the others still score."""

    def __init__(self, model: LiveModel, reason: str) -> None:
        super().__init__(reason)
        self.model = model

    def dlq_record(self, event: dict[str, Any]) -> bytes:
        return orjson.dumps(
            {
                "source": "scoring",
                "reason": str(self),
                "event_id": event.get("event_id"),
                "model_id": self.model.model_id,
                "model_version": self.model.version,
            }
        )


def score_event(
    event: dict[str, Any], models: Iterable[LiveModel], now_ms: int, features_version: str | None = None
) -> Iterator[dict[str, Any] | ScoringError]:
    """A score record (DESIGN.md) per live model for the event's type, or the error of that model."""
    ingested = event.get("ingested_ms")
    latency = now_ms - ingested if isinstance(ingested, int) else None
    for model in models:
        if not model.scores(event.get("event_type", "")):
            continue
        try:
            outputs = model.evaluator.score_one(event)
        except Exception as exc:
            yield ScoringError(model, f"{type(exc).__name__}: {str(exc)[:300]}")
            continue
        score = outputs.get(model.score_field)
        if not isinstance(score, int | float) or not math.isfinite(score):
            yield ScoringError(model, f"output {model.score_field!r} is not a number: {score!r}")
            continue
        yield {
            "event_id": event.get("event_id"),
            "customer_id": event.get("customer_id"),
            "ts": event.get("ts"),
            "event_type": event.get("event_type"),
            "model_id": model.model_id,
            "model_version": model.version,
            "mode": model.mode,
            "engine": model.evaluator.engine,  # compiled, or pypmml where the compiled engine cannot
            "score": float(score),
            "decision": "alert" if score >= model.threshold else "ok",
            "threshold": model.threshold,
            "outputs": outputs,
            "features_version": features_version,
            "latency_ms": latency,
        }
