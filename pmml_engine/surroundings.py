"""What surrounds a model: its MiningSchema (missing and invalid values), DerivedFields, Targets and
Output fields."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element

from pmml_engine.exprcode import fast_expression
from pmml_engine.expressions import Env, Expression, Scope, Unsupported, cast, caster, compile_expression
from pmml_engine.parts import DataField, Invalid, Prediction, Target, child_element, child_elements


def mining_schema(
    element: Element, scope: Scope, fields: dict[str, DataField], judge_invalid: bool
) -> Callable[[Env], Env] | None:
    """Missing-value replacement and invalid-value treatment of the model's active fields (None: nothing)."""
    schema = child_element(element, scope, "MiningSchema")
    steps = []
    for mining in child_elements(schema, scope, "MiningField") if schema is not None else []:
        if mining.get("usageType", "active") != "active":
            continue
        name = mining.get("name", "")
        data_type = fields[name].data_type if name in fields else scope.types.get(name, "double")
        replacement = cast(mining.get("missingValueReplacement"), data_type)
        treatment = mining.get("invalidValueTreatment", "returnInvalid")
        valid = fields[name].values if name in fields and judge_invalid else None
        if mining.get("outliers", "asIs") != "asIs" or treatment not in ("returnInvalid", "asIs", "asMissing"):
            raise Unsupported(f"MiningField {name!r}: outlier or invalid-value treatment")
        if replacement is None and (valid is None or treatment == "asIs"):
            continue
        steps.append((name, replacement, None if treatment == "asIs" else valid, treatment))
    if not steps:
        return None

    def prepare(env: Env) -> Env:
        env = dict(env)
        for name, replacement, valid, treatment in steps:
            value = env.get(name)
            if value is not None and valid is not None and value not in valid:
                if treatment == "returnInvalid":
                    raise Invalid(name)
                value = None
            env[name] = replacement if value is None else value
        return env

    return prepare


def derived_fields(element: Element | None, scope: Scope) -> Callable[[Env], Env]:
    """DerivedFields in order, each cast to its dataType (`float` keeps double precision, as in pypmml)."""
    if element is None:
        return lambda env: env
    steps: list[tuple[str, Expression, Callable[[Any], Any]]] = []
    for derived in child_elements(element, scope, "DerivedField"):
        name, data_type = derived.get("name", ""), derived.get("dataType", "double")
        scope.types[name] = data_type
        expression = next((c for c in derived if scope.tag(c) != "Extension" and scope.tag(c) != "Value"), None)
        if expression is None:
            raise Unsupported(f"DerivedField {name!r} without an expression")
        slow = compile_expression(expression, scope)
        steps.append((name, fast_expression(expression, scope, slow), caster(data_type)))
    if child_elements(element, scope, "DefineFunction"):
        raise Unsupported("DefineFunction")

    def transform(env: Env) -> Env:
        env = dict(env)
        for name, expression, convert in steps:
            env[name] = convert(expression(env))
        return env

    return transform


def targets(element: Element | None, scope: Scope) -> Callable[[Any], Any] | None:
    if element is None:
        return None
    targets = child_elements(element, scope, "Target")
    if len(targets) != 1 or child_elements(targets[0], scope, "TargetValue"):
        raise Unsupported("Targets other than one rescaled value")
    target = targets[0]
    factor, constant = float(target.get("rescaleFactor", "1")), float(target.get("rescaleConstant", "0"))
    low, high = float(target.get("min", "-inf")), float(target.get("max", "inf"))
    rounding = target.get("castInteger")

    def rescale(value: Any) -> Any:
        result = min(max(value, low), high) * factor + constant
        if rounding == "round":
            return float(math.floor(result + 0.5))
        if rounding in ("ceiling", "floor"):
            return float(math.ceil(result) if rounding == "ceiling" else math.floor(result))
        return result

    return rescale


OutputFields = Callable[[Env, Prediction], dict[str, Any]]


def output_fields(element: Element | None, scope: Scope, target: Target) -> OutputFields:
    """Output fields in order; a field may read the ones before it (by FieldRef)."""
    if element is None:
        return lambda env, prediction: {}
    steps = [(name, compute, caster(data_type)) for name, compute, data_type in
             (_output(o, scope, target) for o in child_elements(element, scope, "OutputField"))]  # fmt: skip

    def outputs(env: Env, prediction: Prediction) -> dict[str, Any]:
        values: dict[str, Any] = {}
        scoped = dict(env)
        for name, compute, convert in steps:
            value = convert(compute(scoped, prediction))
            values[name] = scoped[name] = value
        return values

    def from_prediction(env: Env, prediction: Prediction) -> dict[str, Any]:
        return {name: convert(compute(env, prediction)) for name, compute, convert in steps}

    reads_fields = any(o.get("feature") in ("transformedValue", "decision") for o in element)
    return outputs if reads_fields else from_prediction  # values and probabilities need no copy of the record


def _output(element: Element, scope: Scope, target: Target) -> tuple[str, Callable[[Env, Prediction], Any], str]:  # noqa: PLR0911 - one per feature
    name, feature = element.get("name", ""), element.get("feature", "predictedValue")
    data_type = element.get("dataType", "double")
    scope.types[name] = data_type
    if element.get("segmentId") is not None:
        raise Unsupported("OutputField of one segment")
    if feature == "predictedValue":
        return name, lambda env, p: p.value, data_type
    if feature == "predictedDisplayValue":
        return name, lambda env, p: p.value, "string"
    if feature == "probability":
        wanted = element.get("value")
        category = target.category(wanted) if wanted is not None else None
        return name, lambda env, p: _probability(p, category, wanted), data_type
    if feature in ("transformedValue", "decision"):
        expression = next((c for c in element if scope.tag(c) not in ("Extension", "Decisions", "Value")), None)
        if expression is None:
            return name, lambda env, p: p.value, data_type
        compiled = fast_expression(expression, scope, compile_expression(expression, scope))
        return name, lambda env, p: compiled(env), data_type
    if feature == "reasonCode":
        rank = int(element.get("rank", "1"))
        return name, lambda env, p: _ranked(p.reason_codes, rank), data_type
    if feature == "affinity" and element.get("value") is not None:
        cluster = element.get("value")
        return name, lambda env, p: None if p.affinities is None else p.affinities.get(cluster), data_type
    if feature in ("entityId", "clusterId"):
        rank = int(element.get("rank", "1"))
        return name, lambda env, p: p.value if p.entities is None else _ranked(p.entities, rank), data_type
    raise Unsupported(f"OutputField feature {feature!r}")


def _ranked(items: list[Any] | None, rank: int) -> Any:
    return items[rank - 1] if items is not None and 0 < rank <= len(items) else None


def _probability(prediction: Prediction, category: Any, wanted: str | None) -> float | None:
    if prediction.probabilities is None:
        return None
    if wanted is None:
        return prediction.probabilities.get(prediction.value)
    return prediction.probabilities.get(category)  # a category the model does not know: no value, as pypmml
