"""What a model must pass before it is stored and published: parse, compile, the contract with the live
features, a smoke score. Pure logic; every problem found is reported, not only the first."""

from __future__ import annotations

import difflib
import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dsl.checker import FIELD_TYPES
from model_store.errors import RejectedError
from pmml_engine import PmmlError, Scorer, load_scorer
from pmml_engine.document import DataField

# PMML data type -> the DSL types whose values it takes (a bool is 0/1 to a numeric input; `any` is a
# feature whose type is not known statically: it is given the benefit of the doubt).
_COMPATIBLE = {
    "double": {"number", "timestamp", "bool", "any"},
    "float": {"number", "timestamp", "bool", "any"},
    "integer": {"number", "timestamp", "bool", "any"},
    "string": {"string", "any"},
    "boolean": {"bool", "any"},
}


@dataclass(frozen=True)
class CheckedModel:
    """A model that passed every check, with what the store keeps of it."""

    scorer: Scorer
    score_field: str
    sha256: str
    schema: dict[str, Any]


def check_model(
    pmml: bytes, *, engine: str, score_field: str | None, features: Mapping[str, str], features_label: str | None
) -> CheckedModel:
    """Parse and compile the PMML, check its inputs against the live features (`features`: name -> DSL type)
    and the canonical event, and score a record; raise RejectedError listing every problem."""
    try:
        scorer = load_scorer(pmml, engine)
        chosen = scorer.score_field(score_field)
    except PmmlError as exc:
        raise RejectedError("the PMML cannot be used", [str(exc)]) from None
    problems = contract_problems(scorer.document.inputs, features, features_label)
    problems += smoke_problems(scorer, chosen)
    if problems:
        raise RejectedError("the model does not fit", problems)
    return CheckedModel(scorer, chosen, hashlib.sha256(pmml).hexdigest(), schema_of(scorer))


def contract_problems(
    inputs: tuple[DataField, ...], features: Mapping[str, str], features_label: str | None
) -> list[str]:
    """Every PMML input must be a live feature or a canonical event field, of a compatible type.

    >>> contract_problems((DataField("amount", "continuous", "double"),), {}, None)
    []
    >>> contract_problems((DataField("amont", "continuous", "double"),), {}, None)
    ["input 'amont' is neither a feature (no feature set is live) nor an event field; did you mean 'amount'?"]
    >>> contract_problems((DataField("new_country", "categorical", "string"),), {"new_country": "bool"}, "p:1")
    ["input 'new_country' is string in the PMML, but feature 'new_country' of p:1 is a bool"]
    """
    problems = []
    where = f"a feature of {features_label}" if features_label else "a feature (no feature set is live)"
    for field in inputs:
        if field.name in features:
            kind, what = features[field.name], f"feature {field.name!r} of {features_label}"
        elif field.name in FIELD_TYPES:
            kind, what = FIELD_TYPES[field.name], f"event field {field.name!r}"
        else:
            near = difflib.get_close_matches(field.name, [*features, *FIELD_TYPES], n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            problems.append(f"input {field.name!r} is neither {where} nor an event field{hint}")
            continue
        if kind not in _COMPATIBLE.get(field.data_type, {kind}):
            problems.append(f"input {field.name!r} is {field.data_type} in the PMML, but {what} is a {kind}")
    return problems


def smoke_problems(scorer: Scorer, score_field: str) -> list[str]:
    """The model scores a plain record (numbers 0, the rest missing), or one with every input missing, to a
    finite number: a model that cannot is caught here, not on every event of the live stream."""
    plain = {f.name: _plain_value(f.data_type) for f in scorer.document.inputs}
    missing = dict.fromkeys(plain)
    failures = []
    for record in (plain, missing):
        try:
            score = scorer.score_one(record)[score_field]
        except Exception as exc:  # any failure of the model on a record is what this check is for
            failures.append(f"{type(exc).__name__}: {str(exc)[:200]}")
            continue
        if isinstance(score, int | float) and not isinstance(score, bool) and math.isfinite(score):
            return []
        failures.append(f"{score_field} = {score!r}")
    return [f"smoke score: no finite {score_field!r} for a plain record nor a missing one ({'; '.join(failures)})"]


def schema_of(scorer: Scorer) -> dict[str, Any]:
    """The schema users see: inputs with their types, targets, outputs, the model element and the engine."""
    document = scorer.document
    return {
        "model_element": document.model_element,
        "function_name": document.function_name,
        "pmml_version": document.version,
        "inputs": [{"name": f.name, "optype": f.optype, "data_type": f.data_type} for f in document.inputs],
        "targets": list(document.targets),
        "outputs": list(scorer.output_names),
        "engine": scorer.engine,
        "fallback_reason": scorer.fallback_reason,
    }


def _plain_value(data_type: str) -> Any:
    if data_type in ("double", "float", "integer"):
        return 0
    return None
