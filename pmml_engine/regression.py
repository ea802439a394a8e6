"""RegressionModel: linear tables, with the link functions and class normalisations pypmml computes."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element

from pmml_engine.exprcode import fast_linear
from pmml_engine.expressions import Env, Scope, Unsupported, cast
from pmml_engine.parts import DataField, Evaluator, Prediction, Target, child_elements

NORMALISE: dict[str, Callable[[float], float]] = {
    "logit": lambda y: 1.0 / (1.0 + math.exp(-y)) if y > -700 else 0.0,
    "exp": math.exp,
    "probit": lambda y: 0.5 * math.erfc(-y / math.sqrt(2)),
    "cloglog": lambda y: 1.0 - math.exp(-math.exp(y)),
    "loglog": lambda y: math.exp(-math.exp(-y)),
    "cauchit": lambda y: 0.5 + math.atan(y) / math.pi,
    "none": lambda y: y,
}


Linear = Callable[[Env], float | None]


def regression(element: Element, scope: Scope, fields: dict[str, DataField], target: Target) -> Evaluator:
    tables = [(t.get("targetCategory"), _table(t, scope)) for t in child_elements(element, scope, "RegressionTable")]
    method = element.get("normalizationMethod", "none")
    if element.get("functionName") == "regression":
        (_, table), *_ = tables
        if method not in ("none", "exp", "logit", "probit", "cloglog", "cauchit", "softmax"):
            raise Unsupported(f"regression normalization {method!r}")  # pypmml gives no value for loglog
        normalise = NORMALISE["logit" if method == "softmax" else method]  # PMML: softmax of one value is logit
        return lambda env: Prediction(_normalised(normalise, table(env)))
    categories = [target.category(category) for category, _ in tables]
    if method not in (*NORMALISE, "softmax", "simplemax") or method == "exp":
        raise Unsupported(f"classification normalization {method!r}")
    if len(tables) > 2 and method not in ("softmax", "simplemax"):
        raise Unsupported(f"{method} over {len(tables)} categories")  # pypmml gives no value: nor do we guess one

    if method == "logit" and len(tables) == 2 and categories[0] != categories[1]:
        return _binary_logit(tables[0][1], tables[1][1], categories[0], categories[1])

    def classify(env: Env) -> Prediction:
        scores = [table(env) for _, table in tables]
        if any(s is None for s in scores):
            return Prediction(None)
        probabilities = normalise_classes(method, scores)
        if probabilities is None:
            return Prediction(None)
        by_category = dict(zip(categories, probabilities, strict=True))
        return Prediction(max(by_category, key=by_category.__getitem__), by_category)

    return classify


def _binary_logit(table: Linear, other: Linear, first: Any, second: Any) -> Evaluator:
    """The common case (scikit-learn's logistic regression and boosting): P(first) = 1 / (1 + e^-y), the
    other category the rest; as in the general case, no value when either table has none."""

    def classify(env: Env) -> Prediction:
        y = table(env)
        if y is None or other(env) is None:
            return Prediction(None)
        p = 1.0 / (1.0 + math.exp(-y)) if y > -700 else 0.0
        q = 1.0 - p
        return Prediction(first if p >= q else second, {first: p, second: q})

    return classify


def _normalised(normalise: Callable[[float], float], y: float | None) -> float | None:
    if y is None:
        return None
    try:
        return normalise(y)
    except OverflowError:
        return None


def normalise_classes(method: str, scores: list[float]) -> list[float] | None:
    try:
        if method == "softmax":
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            total = math.fsum(exps)
            return [e / total for e in exps]
        if method == "simplemax":
            total = math.fsum(scores)
            return [s / total for s in scores]
        first = [NORMALISE[method](s) for s in scores[:-1]]
        if method == "none":  # raw scores as probabilities: clipped to [0, 1], as pypmml does
            first = [min(max(p, 0.0), 1.0) for p in first]
            return [*first, max(0.0, 1.0 - math.fsum(first))]
        return [*first, 1.0 - math.fsum(first)]
    except (OverflowError, ZeroDivisionError):
        return None


def _table(table: Element, scope: Scope) -> Callable[[Env], float | None]:
    intercept = float(table.get("intercept", "0"))
    numeric = [(p.get("name", ""), float(p.get("coefficient", "0")), int(p.get("exponent", "1")))
               for p in child_elements(table, scope, "NumericPredictor")]  # fmt: skip
    categorical: dict[str, dict[Any, float]] = {}
    for p in child_elements(table, scope, "CategoricalPredictor"):
        name = p.get("name", "")
        value = cast(p.get("value"), scope.types.get(name, "string"))
        categorical.setdefault(name, {})[value] = float(p.get("coefficient", "0"))
    if child_elements(table, scope, "PredictorTerm"):
        raise Unsupported("PredictorTerm")

    return fast_linear(intercept, numeric, categorical)
