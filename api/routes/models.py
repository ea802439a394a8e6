"""Models and their versions: upload, list, activate, shadow, threshold, retire, roll back, score and explain
ad hoc."""

from __future__ import annotations

import math
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile

from api import explaining
from api.deps import Operator, SettingsDep, StoreDep, Viewer
from api.errors import BodyTooLargeError
from api.schemas import (
    AuditOut,
    ChangeOut,
    ExplainIn,
    ExplanationOut,
    LiveEntry,
    ModelDetail,
    ModelSummary,
    ModelVersionOut,
    ScoreIn,
    ScoreOut,
    ScoreResult,
    ThresholdIn,
    UploadOut,
    error_responses,
)
from model_store import CHAMPION, ModelStore, RejectedError

router = APIRouter(prefix="/models", tags=["models"], responses=error_responses(401, 403, 404, 409, 413, 422, 503))

MAX_VERSION = 2**31 - 1  # versions are 32-bit in the store
Version = Annotated[int, Path(ge=1, le=MAX_VERSION)]


@router.get("")
def list_models(store: StoreDep, caller: Viewer) -> list[ModelSummary]:
    return [ModelSummary.model_validate(summary) for summary in store.models()]


@router.post("/{model_id}/versions", status_code=201)
def upload_model(
    model_id: str,
    *,
    store: StoreDep,
    settings: SettingsDep,
    caller: Operator,
    pmml: Annotated[UploadFile, File(description="the PMML document")],
    alias: Annotated[
        str, Form(description="champion, challenger, ...; 'none' stores it without going live")
    ] = CHAMPION,
    mode: Annotated[str | None, Form(description="active or shadow (default: active for the champion)")] = None,
    threshold: Annotated[float, Form()] = 0.5,
    event_types: Annotated[str, Form(description="comma-separated; empty: every event type")] = "",
    engine: Annotated[str, Form(description="auto, compiled or pypmml")] = "auto",
    score_field: Annotated[str | None, Form(description="the output that is the score")] = None,
    description: Annotated[str, Form(max_length=4096)] = "",
    metadata: Annotated[str, Form(description="a JSON object")] = "{}",
    expected_version: Annotated[
        int | None, Form(ge=1, le=MAX_VERSION, description="refuse unless this is the next version")
    ] = None,
) -> UploadOut:
    """Check the PMML (parse, compile, contract with the live feature set, smoke score), store it as the
    model's next version and publish it under `alias`. A 422 lists every problem found."""
    data = pmml.file.read(settings.api.max_upload_bytes + 1)
    if len(data) > settings.api.max_upload_bytes:
        raise BodyTooLargeError(f"the PMML is over {settings.api.max_upload_bytes} bytes")
    row, outcome = store.upload(
        model_id, data, caller.name,
        alias=None if alias == "none" else alias, mode=mode, threshold=threshold,
        event_types=tuple(t.strip() for t in event_types.split(",") if t.strip()), engine=engine,
        score_field=score_field or None, description=description, metadata=_json_object(metadata),
        expected_version=expected_version,
    )  # fmt: skip
    return UploadOut(version=ModelVersionOut.model_validate(row), change=ChangeOut.model_validate(outcome))


@router.get("/{model_id}")
def get_model(model_id: str, store: StoreDep, caller: Viewer) -> ModelDetail:
    versions = [ModelVersionOut.model_validate(row) for row in store.versions(model_id)]
    return ModelDetail(model_id=model_id, live=_live(store, model_id), versions=versions)


@router.get("/{model_id}/versions/{version}")
def get_version(model_id: str, version: Version, store: StoreDep, caller: Viewer) -> ModelVersionOut:
    return ModelVersionOut.model_validate(store.version(model_id, version))


@router.get("/{model_id}/versions/{version}/pmml", response_class=Response)
def download_pmml(model_id: str, version: Version, store: StoreDep, caller: Viewer) -> Response:
    return Response(store.pmml(model_id, version), media_type="application/xml")


@router.post("/{model_id}/versions/{version}/activate")
def activate(model_id: str, version: Version, store: StoreDep, caller: Operator) -> ChangeOut:
    """The version becomes the champion and decides."""
    return ChangeOut.model_validate(store.activate(model_id, version, caller.name))


@router.post("/{model_id}/versions/{version}/shadow")
def shadow(model_id: str, version: Version, store: StoreDep, caller: Operator) -> ChangeOut:
    """The version scores without deciding: the champion turns shadow, a version not live becomes the challenger."""
    return ChangeOut.model_validate(store.shadow(model_id, version, caller.name))


@router.put("/{model_id}/versions/{version}/threshold")
def set_threshold(model_id: str, version: Version, body: ThresholdIn, store: StoreDep, caller: Operator) -> ChangeOut:
    return ChangeOut.model_validate(store.set_threshold(model_id, version, body.threshold, caller.name))


@router.post("/{model_id}/versions/{version}/retire")
def retire_version(model_id: str, version: Version, store: StoreDep, caller: Operator) -> ChangeOut:
    return ChangeOut.model_validate(store.retire(model_id, caller.name, version=version))


@router.post("/{model_id}/retire")
def retire_model(model_id: str, store: StoreDep, caller: Operator) -> ChangeOut:
    """Every live version of the model stops scoring; the versions stay in the store."""
    return ChangeOut.model_validate(store.retire(model_id, caller.name))


@router.post("/{model_id}/rollback")
def rollback(model_id: str, store: StoreDep, caller: Operator) -> ChangeOut:
    """The champion goes back to the version that was champion before it."""
    return ChangeOut.model_validate(store.rollback(model_id, caller.name))


@router.post("/{model_id}/score")
def score(
    model_id: str,
    body: ScoreIn,
    store: StoreDep,
    caller: Viewer,
    version: Annotated[int | None, Query(ge=1, le=MAX_VERSION, description="default: the live champion")] = None,
) -> ScoreOut:
    """Score one record or a batch with a stored version, as the scoring job would (no features computed:
    give them in the record)."""
    used, scorer = store.scorer(model_id, version)
    row = store.version(model_id, used)
    records = [body.record] if body.record is not None else body.records or []
    results = []
    for outputs in scorer.score_batch(records):
        value = outputs.get(row.score_field)
        number = float(value) if isinstance(value, int | float) and math.isfinite(value) else None
        decision = None if number is None else ("alert" if number >= row.threshold else "ok")
        results.append(ScoreResult(score=number, decision=decision, outputs=_plain(outputs)))
    return ScoreOut(model_id=model_id, version=used, engine=scorer.engine, results=results)


@router.post("/{model_id}/explain")
def explain(
    model_id: str,
    body: ExplainIn,
    store: StoreDep,
    caller: Viewer,
    version: Annotated[int | None, Query(ge=1, le=MAX_VERSION, description="default: the live champion")] = None,
) -> ExplanationOut:
    """Why a stored version scores a record as it does: each input's contribution is the change of the score
    when that input alone is set to its baseline (the model card's training median or most frequent value,
    else the PMML's missing-value replacement), ranked by size, signed. 409 when no input has a baseline;
    422 when the model gives no score for the record."""
    return ExplanationOut.model_validate(explaining.explain_record(store, model_id, version, body.record))


@router.get("/{model_id}/audit")
def model_audit(
    model_id: str, store: StoreDep, caller: Viewer, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[AuditOut]:
    store.versions(model_id)  # 404 for a model the store never had
    return [AuditOut.model_validate(entry) for entry in store.audit(model_id, limit)]


def _live(store: ModelStore, model_id: str) -> list[LiveEntry]:
    return [LiveEntry(alias=r.alias, version=r.version, mode=r.mode, since_ms=r.since_ms) for r in store.live(model_id)]


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = orjson.loads(text or "{}")
    except orjson.JSONDecodeError as exc:
        raise RejectedError("the request is not valid", [f"metadata is not JSON: {exc}"]) from None
    if not isinstance(value, dict):
        raise RejectedError("the request is not valid", ["metadata must be a JSON object"])
    return value


def _plain(outputs: dict[str, Any]) -> dict[str, Any]:
    """JSON has no NaN or infinity: such an output is given as null."""
    return {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in outputs.items()}
