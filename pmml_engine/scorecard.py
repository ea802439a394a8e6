"""Scorecard: partial scores summed, and reason codes ranked by the points each characteristic missed.

As pypmml (our reference) ranks them: each reason code collects the points its characteristics missed
against their baseline (`pointsBelow`: baseline - partial; `pointsAbove`: partial - baseline); codes that
missed more come first, equal ones in reverse order of their text; only codes that missed points count,
and when fewer than the output asks for, the last one repeats. A characteristic with no true attribute
leaves the score missing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

from pmml_engine.expressions import Env, Predicate, Scope, Unsupported, compile_expression, compile_predicate
from pmml_engine.parts import DataField, Evaluator, Prediction, Target, child_element, child_elements


@dataclass(frozen=True)
class _Attribute:
    predicate: Predicate
    score: Callable[[Env], Any]
    reason_code: str | None


@dataclass(frozen=True)
class _Characteristic:
    attributes: tuple[_Attribute, ...]
    baseline: float | None

    def partial(self, env: Env) -> tuple[float, str | None] | None:
        """The first true attribute's score and reason code; None when no attribute is true."""
        for attribute in self.attributes:
            if attribute.predicate(env) is True:
                score = attribute.score(env)
                return (math.nan if score is None else float(score)), attribute.reason_code
        return None


def scorecard(element: Element, scope: Scope, fields: dict[str, DataField], target: Target) -> Evaluator:
    initial = float(element.get("initialScore", "0"))
    use_reasons = element.get("useReasonCodes", "true") == "true"
    below = element.get("reasonCodeAlgorithm", "pointsBelow") == "pointsBelow"
    baseline = element.get("baselineScore")
    envelope = child_element(element, scope, "Characteristics")
    if envelope is None:
        raise Unsupported("a Scorecard without Characteristics")
    characteristics = [_characteristic(c, scope, baseline) for c in child_elements(envelope, scope, "Characteristic")]
    if use_reasons and any(c.baseline is None for c in characteristics):
        raise Unsupported("reason codes without a baseline score")
    codes = sorted({a.reason_code for c in characteristics for a in c.attributes if a.reason_code is not None})
    output = child_element(element, scope, "Output")
    wanted = sum(1 for o in child_elements(output, scope, "OutputField") if o.get("feature") == "reasonCode") \
        if output is not None else 0  # fmt: skip

    def evaluate(env: Env) -> Prediction:
        partials = [c.partial(env) for c in characteristics]
        if any(p is None for p in partials):
            return Prediction(None, reason_codes=[None] * wanted)
        total = sum(score for score, _ in partials) + initial  # type: ignore[misc]  # in pypmml's order
        if math.isnan(total):
            return Prediction(None, reason_codes=[None] * wanted)
        if not use_reasons:
            return Prediction(total)
        missed = dict.fromkeys(codes, 0.0)
        for characteristic, (score, code) in zip(characteristics, partials, strict=True):  # type: ignore[misc]
            difference = characteristic.baseline - score if below else score - characteristic.baseline
            missed[code] = missed.get(code, 0.0) + difference
        return Prediction(total, reason_codes=_ranked(missed, codes, wanted))

    return evaluate


def _ranked(missed: dict[str | None, float], codes: list[str], wanted: int) -> list[str | None]:
    order = {code: i for i, code in enumerate(codes)}
    ranked = sorted((c for c, points in missed.items() if points > 0 and c is not None),
                    key=lambda c: (-missed[c], -order[c]))  # fmt: skip
    if len(ranked) >= wanted:
        return list(ranked)
    if not ranked:
        return [None] * wanted
    return [*ranked, *[ranked[-1]] * (wanted - len(ranked))]


def _characteristic(element: Element, scope: Scope, default_baseline: str | None) -> _Characteristic:
    code = element.get("reasonCode")
    attributes = []
    for attribute in child_elements(element, scope, "Attribute"):
        predicate = next(c for c in attribute if scope.tag(c) not in ("Extension", "ComplexPartialScore"))
        complex_score = child_element(attribute, scope, "ComplexPartialScore")
        if complex_score is not None:
            expression = next(c for c in complex_score if scope.tag(c) != "Extension")
            score = compile_expression(expression, scope)
        else:
            if attribute.get("partialScore") is None:
                raise Unsupported("an Attribute without a partial score")
            constant = float(attribute.get("partialScore", "0"))
            score = lambda env, constant=constant: constant  # noqa: E731 - one constant per attribute
        attributes.append(_Attribute(compile_predicate(predicate, scope), score, attribute.get("reasonCode", code)))
    baseline = element.get("baselineScore", default_baseline)
    return _Characteristic(tuple(attributes), None if baseline is None else float(baseline))
