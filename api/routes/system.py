"""The system around the models: health, metrics, status of the jobs, the audit log, recent activity of a
customer, and rebuilding the control topic from the store."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import SQLAlchemyError

from api import status as system_status
from api.deps import ActivityDep, Admin, SettingsDep, StoreDep, Viewer
from api.schemas import AuditOut, ChangeOut, error_responses
from fraudscore.topics import Topics

router = APIRouter(tags=["system"], responses=error_responses(401, 403))


@router.get("/health")
def health(store: StoreDep, activity: ActivityDep) -> JSONResponse:
    """200 when the store answers and the broker is being read; 503 with what is wrong otherwise. No token."""
    problems = []
    try:
        store.models()
    except SQLAlchemyError as exc:
        problems.append(f"store: {type(exc).__name__}")
    if activity.error:
        problems.append(f"kafka: {activity.error}")
    body = {"status": "ok" if not problems else "degraded", "problems": problems}
    return JSONResponse(body, status_code=200 if not problems else 503)


@router.get("/metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Prometheus text format. No token, like most scrape targets: it holds counts, no model or customer data."""
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/status")
def status(store: StoreDep, settings: SettingsDep, activity: ActivityDep, caller: Viewer) -> dict[str, Any]:
    """Live models as the store has them and as the scoring job is seen scoring with them, control messages
    the job rejected, consumer lag of both jobs, and the jobs on the Flink cluster when one is configured."""
    topics = Topics(settings.kafka.topic_prefix)
    scored = activity.scored_by()
    live = [
        {"model_id": r.model_id, "alias": r.alias, "version": r.version, "mode": r.mode,
         "last_scored_ts": scored.get((r.model_id, r.version, r.alias))}
        for r in store.live()
    ]  # fmt: skip
    result: dict[str, Any] = {
        "live_models": live,
        "scored_by": [
            {"model_id": m, "version": v, "alias": a, "last_ts": ts}
            for (m, v, a), ts in sorted(scored.items(), key=str)
        ],
        "control_rejections": activity.control_rejections(),
        "kafka": {"bootstrap": settings.kafka.bootstrap, "error": activity.error},
    }
    try:
        result["consumer_lag"] = system_status.consumer_lag(settings.kafka.bootstrap, topics)
    except Exception as exc:  # the broker is away: the rest of the status still helps
        result["consumer_lag"] = {"error": f"{type(exc).__name__}: {exc}"}
    if settings.api.flink_rest_url:
        try:
            result["jobs"] = system_status.flink_jobs(settings.api.flink_rest_url)
        except Exception as exc:  # the cluster is away
            result["jobs"] = {"error": f"{type(exc).__name__}: {exc}"}
    return result


@router.get("/audit")
def audit(store: StoreDep, caller: Viewer, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[AuditOut]:
    """Every change, latest first, with the name of the token that made it."""
    return [AuditOut.model_validate(entry) for entry in store.audit(limit=limit)]


@router.get("/customers/{customer_id}/activity")
def customer_activity(customer_id: str, activity: ActivityDep, caller: Viewer) -> dict[str, list[dict[str, Any]]]:
    """The customer's latest score records and alerts, latest first."""
    return activity.of(customer_id)


@router.post("/control/republish")
def republish(store: StoreDep, caller: Admin) -> ChangeOut:
    """Publish what is live again (the feature set, each live version): a lost or damaged control
    topic is rebuilt from the store."""
    return ChangeOut.model_validate(store.republish(caller.name))
