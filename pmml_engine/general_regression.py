"""GeneralRegressionModel: parameters built from predictors (the PPMatrix), weighted by the ParamMatrix.

A parameter's value is the product of its cells: a covariate raised to the cell's value (its exponent), a
factor 1.0 when the record has the cell's category and 0.0 otherwise (missing too, as pypmml has it); a
parameter with no cell is the intercept (1.0). A missing covariate leaves the prediction missing.
Model types: regression and generalLinear (the weighted sum), generalizedLinear with a continuous target
(the sum plus the offset through the inverse link, times the trials), multinomialLogistic (a softmax
against the reference category, whose sum is 0). Ordinal, Cox, contrast matrices and binomial
classification are left to pypmml.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element

from pmml_engine.expressions import Env, Scope, Unsupported, cast
from pmml_engine.parts import DataField, Evaluator, Prediction, Target, child_element, child_elements

Cell = tuple[str, Any, bool]  # predictor, value (exponent or category), is a factor


def _inverse_link(element: Element) -> Callable[[float], float]:  # noqa: PLR0911 - one per link
    link = element.get("linkFunction", "")
    d = float(element.get("linkParameter", "nan"))
    if link == "identity":
        return lambda y: y
    if link == "log":
        return math.exp
    if link == "logit":
        return lambda y: 1 / (1 + math.exp(-y))
    if link == "probit":
        return lambda y: 0.5 * math.erfc(-y / math.sqrt(2))
    if link == "cloglog":
        return lambda y: 1 - math.exp(-math.exp(y))
    if link == "loglog":
        return lambda y: math.exp(-math.exp(-y))
    if link == "logc":
        return lambda y: 1 - math.exp(y)
    if link == "power":
        return (lambda y: math.pow(y, 1 / d)) if d != 0 else math.exp
    if link == "oddspower":
        return (lambda y: 1 / (1 + math.pow(1 + d * y, -1 / d))) if d != 0 else (lambda y: 1 / (1 + math.exp(-y)))
    raise Unsupported(f"GeneralRegressionModel link {link!r}")


def general_regression(element: Element, scope: Scope, fields: dict[str, DataField], target: Target) -> Evaluator:
    model_type = element.get("modelType", "")
    parameters = [p.get("name", "") for p in child_elements(_required(element, scope, "ParameterList"), scope,
                                                              "Parameter")]  # fmt: skip
    factors = _names(element, scope, "FactorList")
    if any(child_elements(p, scope, "Matrix") for p in _predictors(element, scope, "FactorList")):
        raise Unsupported("a factor with a contrast matrix")
    cells: dict[str, list[Cell]] = {name: [] for name in parameters}
    for cell in child_elements(_required(element, scope, "PPMatrix"), scope, "PPCell"):
        name = cell.get("predictorName", "")
        factor = name in factors
        value = cast(cell.get("value"), scope.types.get(name, "string")) if factor else float(cell.get("value", "1"))
        cells.setdefault(cell.get("parameterName", ""), []).append((name, value, factor))
    betas: dict[Any, list[tuple[str, float]]] = {}
    for cell in child_elements(_required(element, scope, "ParamMatrix"), scope, "PCell"):
        category = cell.get("targetCategory")
        key = None if category is None else target.category(category)
        betas.setdefault(key, []).append((cell.get("parameterName", ""), float(cell.get("beta", "0"))))

    def sums(env: Env) -> dict[Any, float] | None:
        values = {}
        for name in parameters:
            value = _parameter(cells[name], env)
            if value is None:
                return None
            values[name] = value
        return {key: sum(values[name] * beta for name, beta in terms) for key, terms in betas.items()}

    if model_type in ("regression", "generalLinear"):
        return lambda env: Prediction(None if (s := sums(env)) is None else next(iter(s.values())))
    if model_type == "generalizedLinear" and element.get("functionName") == "regression":
        return _generalized(element, sums)
    if model_type == "multinomialLogistic":
        return _multinomial(element, target, sums, betas)
    raise Unsupported(f"GeneralRegressionModel of type {model_type!r} ({element.get('functionName')})")


def _generalized(element: Element, sums: Callable[[Env], dict[Any, float] | None]) -> Evaluator:
    inverse = _inverse_link(element)
    offset_field, offset = element.get("offsetVariable"), float(element.get("offsetValue", "0"))
    trials_field, trials = element.get("trialsVariable"), int(element.get("trialsValue", "1"))

    def evaluate(env: Env) -> Prediction:
        total = sums(env)
        a = env.get(offset_field) if offset_field else offset
        b = env.get(trials_field) if trials_field else trials
        if total is None or a is None or b is None:
            return Prediction(None)
        try:
            return Prediction(int(b) * inverse(next(iter(total.values())) + a))
        except (OverflowError, ValueError, ZeroDivisionError):
            return Prediction(None)

    return evaluate


def _multinomial(
    element: Element, target: Target, sums: Callable[[Env], dict[Any, float] | None], betas: dict[Any, Any]
) -> Evaluator:
    classes = list(target.categories)
    reference = element.get("targetReferenceCategory")
    missing = [c for c in classes if c not in betas]
    if reference is not None:
        missing = [target.category(reference)]
    if len(betas) == len(classes) - 1 and len(missing) == 1:
        betas.setdefault(missing[0], [])  # the reference category: a sum of nothing

    def evaluate(env: Env) -> Prediction:
        totals = sums(env)
        if totals is None:
            return Prediction(None)
        probabilities = {}
        for category, mine in totals.items():
            differences = [other - mine for other in totals.values()]
            probabilities[category] = 0.0 if any(d > 700 for d in differences) else \
                1.0 / sum(math.exp(d) for d in differences)  # fmt: skip
        ordered = {c: probabilities[c] for c in classes if c in probabilities}
        return Prediction(max(ordered, key=ordered.__getitem__), ordered)

    return evaluate


def _parameter(cells: list[Cell], env: Env) -> float | None:
    value = 1.0
    for name, wanted, factor in cells:
        x = env.get(name)
        if factor:
            value *= 1.0 if x is not None and x == wanted else 0.0
        elif x is None:
            return None
        else:
            value *= math.pow(x, wanted)
    return value


def _required(element: Element, scope: Scope, tag: str) -> Element:
    found = child_element(element, scope, tag)
    if found is None:
        raise Unsupported(f"a GeneralRegressionModel without {tag}")
    return found


def _predictors(element: Element, scope: Scope, tag: str) -> list[Element]:
    found = child_element(element, scope, tag)
    return child_elements(found, scope, "Predictor") if found is not None else []


def _names(element: Element, scope: Scope, tag: str) -> set[str]:
    return {p.get("name", "") for p in _predictors(element, scope, tag)}
