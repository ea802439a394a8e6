"""Reasons and drift as the API answers them: the stored model version, its model card and what the recent
activity holds, put together for explain (explain.reasons) and drift (explain.drift). No HTTP here."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from api.activity import RecentActivity
from explain import BANDS, drift, explain
from explain import baselines as input_baselines
from explain.drift import MIN_LIVE
from model_store import ModelStore, NotFoundError

SCORE_GAP = 1e-9  # a recomputed score further than this from the recorded one: the record lacks inputs


def explain_record(store: ModelStore, model_id: str, version: int | None, record: dict[str, Any]) -> dict[str, Any]:
    """The record's score by the version named (else the live champion) and each input's contribution."""
    used, scorer = store.scorer(model_id, version)
    row = store.version(model_id, used)
    card = row.extra if isinstance(row.extra, dict) else {}
    known = input_baselines(scorer.document, card)
    explanation = explain(scorer, record, known, row.score_field)
    inputs = scorer.input_names
    return {
        "model_id": model_id,
        "version": used,
        "engine": scorer.engine,
        "score_field": row.score_field,
        "score": explanation.score,
        "threshold": row.threshold,
        "decision": "alert" if explanation.score >= row.threshold else "ok",
        "baseline_score": explanation.baseline_score,
        "baselines_from": sorted({b.source for b in known.values()}),
        "contributions": [
            {
                "input": c.input,
                "value": _plain(c.value),
                "baseline": _plain(c.baseline),
                "baseline_source": c.baseline_source,
                "contribution": c.contribution,
            }
            for c in explanation.contributions
        ],
        "reason_codes": list(explanation.reason_codes),
        "without_baseline": list(explanation.without_baseline),
        "not_in_record": [name for name in inputs if name not in record],
    }


def explain_alert(store: ModelStore, activity: RecentActivity, event_id: str, model_id: str | None) -> dict[str, Any]:
    """Each recent alert of the event (of `model_id` only, if given), explained with the version that raised
    it, on the inputs it was scored on."""
    alerts, event_read = activity.alerts_of(event_id)
    if model_id is not None:
        alerts = [(alert, record) for alert, record in alerts if alert.get("model_id") == model_id]
    if not alerts:
        of = f" of model {model_id!r}" if model_id is not None else ""
        raise NotFoundError(
            f"no recent alert{of} for event {event_id!r}: the API keeps the latest 10,000 alerts; to explain "
            "any record, POST it to /models/{model_id}/explain"
        )
    explanations = []
    for alert, record in alerts:
        version = alert.get("model_version")
        result = explain_record(
            store, str(alert.get("model_id")), version if isinstance(version, int) else None, record
        )
        recorded = alert.get("score")
        result["recorded_score"] = recorded
        result["recorded_threshold"] = alert.get("threshold")
        result["scored_as_recorded"] = (
            isinstance(recorded, int | float) and abs(result["score"] - recorded) <= SCORE_GAP
        )
        explanations.append(result)
    return {"event_id": event_id, "event_read": event_read, "explanations": explanations}


def drift_report(store: ModelStore, records_of: Callable[[str, int], list[dict[str, Any]]]) -> dict[str, Any]:
    """Per live model version, each input's PSI over its recent score records against the training
    distribution in its model card, the largest first."""
    models = []
    for live in store.live():
        row = store.version(live.model_id, live.version)
        card = row.extra if isinstance(row.extra, dict) else {}
        records = records_of(live.model_id, live.version)
        entry: dict[str, Any] = {"model_id": live.model_id, "version": live.version, "alias": live.alias,
                                 "mode": live.mode, "live_records": len(records), "psi_max": None, "band": None,
                                 "inputs": [], "note": None}  # fmt: skip
        profiles = card.get("distributions")
        if not isinstance(profiles, dict) or not profiles:
            entry["note"] = "the model card has no training distributions (`fraudscore train` writes them)"
            models.append(entry)
            continue
        try:
            inputs = drift(profiles, records)
        except (KeyError, TypeError, ValueError) as exc:
            entry["note"] = f"the model card's training distributions cannot be read: {type(exc).__name__}: {exc}"
            models.append(entry)
            continue
        inputs.sort(key=lambda d: -d.psi if d.psi is not None else math.inf)
        entry["inputs"] = [{"input": d.input, "psi": d.psi, "band": d.band, "live": d.live,
                            "live_median": d.live_median, "training_median": _median(profiles[d.input])}
                           for d in inputs]  # fmt: skip
        figures = [d.psi for d in inputs if d.psi is not None]
        if figures:
            entry["psi_max"] = max(figures)
            entry["band"] = next(d.band for d in inputs if d.psi == entry["psi_max"])
        else:
            entry["note"] = f"fewer than {MIN_LIVE} live values of any input yet"
        models.append(entry)
    return {"bands": _bands(), "min_live": MIN_LIVE, "models": models}


def _bands() -> list[dict[str, Any]]:
    lower = 0.0
    result = []
    for upper, name in BANDS:
        result.append({"band": name, "from": lower, "below": None if math.isinf(upper) else upper})
        lower = upper
    return result


def _median(profile: Any) -> Any:
    return profile.get("baseline") if isinstance(profile, dict) and profile.get("kind") == "numeric" else None


def _plain(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value
