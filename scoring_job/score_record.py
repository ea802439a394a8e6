"""Score one canonical event with the live models: one score record per model that scores its type."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from scoring_job.live_features import LiveFeatureSet
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


@dataclass(frozen=True)
class EventFeatures:
    """An event's features, as assembled: their values, the feature set's `name:version`, the parts that
    did not arrive in time, and the live feature set when it is the one they came from (for warm-up)."""

    values: dict[str, Any] = field(default_factory=dict)
    version: str | None = None
    missing_parts: list[str] = field(default_factory=list)
    live: LiveFeatureSet | None = None


def score_event(
    event: dict[str, Any], models: Iterable[LiveModel], now_ms: int, features: EventFeatures = EventFeatures()
) -> Iterator[dict[str, Any] | ScoringError]:
    """A score record (DESIGN.md) per live model for the event's type, or the error of that model. A model
    reads the event's fields and the features (a feature wins over a field of the same name); its record
    carries the features it used, the parts that did not arrive in time and the features still warming up."""
    ingested = event.get("ingested_ms")
    latency = now_ms - ingested if isinstance(ingested, int) else None
    values = features.values
    record = {**event, **values} if values else event
    for model in models:
        if not model.scores(event.get("event_type", "")):
            continue
        try:
            outputs = model.evaluator.score_one(record)
        except Exception as exc:
            yield ScoringError(model, f"{type(exc).__name__}: {str(exc)[:300]}")
            continue
        score = outputs.get(model.score_field)
        if not isinstance(score, int | float) or not math.isfinite(score):
            yield ScoringError(model, f"output {model.score_field!r} is not a number: {score!r}")
            continue
        used = [name for name in model.evaluator.input_names if name in values]
        yield {
            "event_id": event.get("event_id"),
            "customer_id": event.get("customer_id"),
            "ts": event.get("ts"),
            "event_type": event.get("event_type"),
            "model_id": model.model_id,
            "model_version": model.version,
            "alias": model.alias,
            "mode": model.mode,
            "engine": model.evaluator.engine,  # compiled, or pypmml where the compiled engine cannot
            "score": float(score),
            "decision": "alert" if score >= model.threshold else "ok",
            "threshold": model.threshold,
            "outputs": outputs,
            "features_version": features.version,
            "features": {name: values[name] for name in used},
            "missing_parts": features.missing_parts,
            "warming": features.live.warming(used, now_ms) if features.live else [],
            "latency_ms": latency,
        }
