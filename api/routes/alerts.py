"""Why an alert was raised, and whether each live model still sees the world it was trained on."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api import explaining
from api.deps import ActivityDep, StoreDep, Viewer
from api.schemas import AlertReasonsOut, error_responses

router = APIRouter(tags=["alerts"], responses=error_responses(401, 403))


@router.get("/alerts/{event_id}/reasons", responses=error_responses(404, 409, 422))
def alert_reasons(
    event_id: str,
    store: StoreDep,
    activity: ActivityDep,
    caller: Viewer,
    model_id: Annotated[str | None, Query(description="only this model's alert (default: every one)")] = None,
) -> AlertReasonsOut:
    """Each recent alert of the event explained by the version that raised it, on the inputs it was scored
    on: every input's contribution is the change of the score when that input alone is set to its baseline
    (the training median, or most frequent value, from the model card). A local, one-at-a-time attribution,
    not a cause. 404 when the API no longer holds the alert; 409 when the model has no baseline at all."""
    return AlertReasonsOut.model_validate(explaining.explain_alert(store, activity, event_id, model_id))


@router.get("/drift")
def input_drift(store: StoreDep, activity: ActivityDep, caller: Viewer) -> dict[str, Any]:
    """Per live model version, each input's population stability index (PSI) over its latest 2,000 score
    records against the training distribution in its model card: under 0.1 stable, 0.1 to 0.25 moderate,
    0.25 and over significant. Also in /metrics as `fraudscore_input_psi`."""
    return explaining.drift_report(store, activity.inputs_of)
