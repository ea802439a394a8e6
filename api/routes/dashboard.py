"""The web page (`/`): live alerts with their top reasons, score distributions, input drift, latency, models with
their versions, aliases and modes, throughput and lag; operators shadow, promote and roll back from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.deps import ActivityDep, Viewer
from api.schemas import error_responses

router = APIRouter(tags=["dashboard"], responses=error_responses(401, 403))

PAGE = Path(__file__).resolve().parent.parent / "web" / "index.html"


@router.get("/", include_in_schema=False)
def page() -> HTMLResponse:
    """The page itself holds no data: it asks for a token and reads everything through the API with it."""
    return HTMLResponse(PAGE.read_text(encoding="utf-8"))


@router.get("/activity")
def activity(activity: ActivityDep, caller: Viewer) -> dict[str, Any]:
    """The latest alerts, each live version's recent score distribution (20 bins over 0..1), and scores and
    alerts a second over the last minute."""
    return activity.snapshot()
