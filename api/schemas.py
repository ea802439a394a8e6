"""What the API takes and returns (pydantic), as the OpenAPI document at /docs shows it."""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_BATCH = 10_000


class Problem(BaseModel):
    """Every error response: what went wrong, and each problem found."""

    error: str
    problems: list[str] = []


_MEANINGS = {
    401: "no token, or an unknown one",
    403: "the token's role is too low",
    404: "no such model, version or recent alert",
    409: "does not fit the current state (a stale version, nothing to roll back to, no baseline to explain with)",
    413: "the upload is over the size limit",
    422: "invalid: every problem listed",
    503: "the control topic did not take the change; nothing changed",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The refusals a router's routes can give, for the OpenAPI document."""
    return {status: {"model": Problem, "description": _MEANINGS[status]} for status in statuses}


class LiveEntry(BaseModel):
    alias: str
    version: int
    mode: str
    since_ms: int


class ModelSummary(BaseModel):
    model_id: str
    latest_version: int
    versions: int
    live: list[LiveEntry]


class ModelVersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    model_id: str
    version: int
    sha256: str
    size_bytes: int
    model_schema: dict[str, Any] = Field(validation_alias="schema", serialization_alias="schema")
    engine: str
    score_field: str
    threshold: float
    event_types: list[str]
    description: str
    metadata: dict[str, Any] = Field(validation_alias="extra")
    features_version: str | None
    author: str
    created_ms: int


class ModelDetail(BaseModel):
    model_id: str
    live: list[LiveEntry]
    versions: list[ModelVersionOut]


class ChangeOut(BaseModel):
    """What a change did; `seqs` are the control messages it published (none when there was nothing to do)."""

    model_config = ConfigDict(from_attributes=True)

    description: str
    changed: bool
    seqs: list[int]


class UploadOut(BaseModel):
    version: ModelVersionOut
    change: ChangeOut


class ThresholdIn(BaseModel):
    threshold: float

    @field_validator("threshold")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value


class ScoreIn(BaseModel):
    """One record, or a batch of them: field name -> value, as the model's inputs are named."""

    record: dict[str, Any] | None = None
    records: list[dict[str, Any]] | None = Field(default=None, max_length=MAX_BATCH)

    @model_validator(mode="after")
    def _one_of(self) -> ScoreIn:
        if (self.record is None) == (self.records is None):
            raise ValueError("give either 'record' or 'records'")
        return self


class ScoreResult(BaseModel):
    score: float | None
    decision: str | None  # alert at or over the version's threshold; None when the model gives no score
    outputs: dict[str, Any]


class ScoreOut(BaseModel):
    model_id: str
    version: int
    engine: str
    results: list[ScoreResult]


class FeaturesIn(BaseModel):
    dsl: str = Field(max_length=1024 * 1024)
    source: str = Field(default="features.fdsl", min_length=1, max_length=256)


class DslProblem(BaseModel):
    """One error as `fraudscore dsl check` prints it, and its parts."""

    file: str
    line: int
    column: int
    message: str
    rendered: str


class FeatureOut(BaseModel):
    name: str
    type: str


class FeaturesValidation(BaseModel):
    valid: bool
    feature_set: str | None
    errors: list[DslProblem]
    features: list[FeatureOut]


class FeatureSetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    version: int
    source: str
    sha256: str
    author: str
    created_ms: int


class FeaturesOverview(BaseModel):
    live: FeatureSetOut | None
    versions: list[FeatureSetOut]


class FeaturesDeployed(BaseModel):
    feature_set: FeatureSetOut
    change: ChangeOut


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at_ms: int
    actor: str
    action: str
    model_id: str | None
    version: int | None
    details: dict[str, Any]
    seq: int | None


class ExplainIn(BaseModel):
    """One record to explain: field name -> value, as the model's inputs are named (an event's fields and its
    features)."""

    record: dict[str, Any]


class ContributionOut(BaseModel):
    input: str
    value: Any
    baseline: Any
    baseline_source: str  # "model card" (training median / most frequent) or "PMML missing-value replacement"
    contribution: float | None  # the score minus the score with this input alone at its baseline


class ExplanationOut(BaseModel):
    """Why the version scored the record as it did: contributions ranked by size, signed (positive: the
    input's value pushed the score up), with the values and the baselines they are measured from."""

    model_id: str
    version: int
    engine: str
    score_field: str
    score: float
    threshold: float
    decision: str
    baseline_score: float | None  # every input with a baseline at it: what a typical record scores
    baselines_from: list[str]
    contributions: list[ContributionOut]
    reason_codes: list[str]  # the model's own (a Scorecard's), in its order
    without_baseline: list[str]  # inputs that could not be explained
    not_in_record: list[str]  # inputs the record did not have: explained as missing
    recorded_score: float | None = None  # for an alert: the score the scoring job recorded
    recorded_threshold: float | None = None
    scored_as_recorded: bool | None = None  # False: the record lacks inputs the job had


class AlertReasonsOut(BaseModel):
    event_id: str
    event_read: bool  # whether the API read the event itself (its own fields: amount...) from `events`
    explanations: list[ExplanationOut]  # one per model that alerted on it
