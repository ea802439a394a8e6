"""Feature sets: validate a DSL file (errors as `dsl check` prints them, as JSON), deploy it, list them."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import Operator, StoreDep, Viewer
from api.schemas import (
    ChangeOut,
    DslProblem,
    FeatureOut,
    FeaturesDeployed,
    FeatureSetOut,
    FeaturesIn,
    FeaturesOverview,
    FeaturesValidation,
    error_responses,
)
from model_store import FeatureFileError

router = APIRouter(prefix="/features", tags=["features"], responses=error_responses(401, 403, 409, 422, 503))


@router.get("")
def list_feature_sets(store: StoreDep, caller: Viewer) -> FeaturesOverview:
    live = store.live_features()
    return FeaturesOverview(
        live=FeatureSetOut.model_validate(live) if live else None,
        versions=[FeatureSetOut.model_validate(row) for row in store.feature_sets()],
    )


@router.post("/validate")
def validate_features(body: FeaturesIn, store: StoreDep, caller: Viewer) -> FeaturesValidation:
    """Check a feature file without deploying it: every error with its file, line and column."""
    try:
        checked = store.check_features(body.dsl, body.source)
    except FeatureFileError as exc:
        errors = [DslProblem(file=e.span.file, line=e.span.line, column=e.span.column, message=e.message,
                             rendered=e.render()) for e in exc.errors]  # fmt: skip
        return FeaturesValidation(valid=False, feature_set=None, errors=errors, features=[])
    features = [FeatureOut(name=name, type=kind) for name, kind in checked.feature_types.items()]
    return FeaturesValidation(valid=True, feature_set=checked.label, errors=[], features=features)


@router.post("", status_code=201)
def deploy_features(body: FeaturesIn, store: StoreDep, caller: Operator) -> FeaturesDeployed:
    """Check the file and that every live model still finds its inputs in it, then publish it: the scoring job
    computes it from then on (new features warm up from that moment)."""
    row, outcome = store.deploy_features(body.dsl, body.source, caller.name)
    return FeaturesDeployed(feature_set=FeatureSetOut.model_validate(row), change=ChangeOut.model_validate(outcome))
