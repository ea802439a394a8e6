"""NaiveBayesModel: class priors times each present input's likelihood, normalised in log space.

As pypmml computes it: classes in the target's DataDictionary order; a missing input is left out; a
continuous input's Gaussian density, never below `threshold`; a discrete input's pair count over the
class's total count, `threshold` where the count is zero. A discrete value the model has no counts for,
or a Discretize that puts a value in no bin, is left out as a missing one (pypmml reads the first value's
counts instead: tests/pmml_engine/test_public_suites.py shows where). Poisson inputs are left to
pypmml, whose density divides by the digamma function where the gamma function belongs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element

from pmml_engine.expressions import Env, Scope, Unsupported, cast, compile_expression
from pmml_engine.parts import DataField, Evaluator, Prediction, Target, child_element, child_elements

Likelihoods = Callable[[Env], list[float] | None]  # per class, None when the input says nothing


def naive_bayes(element: Element, scope: Scope, fields: dict[str, DataField], target: Target) -> Evaluator:
    classes = list(target.categories)
    if not classes:
        raise Unsupported("NaiveBayesModel without the target's values")
    threshold = float(element.get("threshold", "0"))
    output = child_element(element, scope, "BayesOutput")
    counts = _counts(output, scope, target) if output is not None else {}
    log_priors = [math.log(counts[c]) if counts.get(c, 0.0) > 0 else -math.inf for c in classes]
    inputs_element = child_element(element, scope, "BayesInputs")
    found = child_elements(inputs_element, scope, "BayesInput") if inputs_element is not None else []
    inputs = [_input(i, scope, target, classes, threshold) for i in found]

    def evaluate(env: Env) -> Prediction:
        logs = list(log_priors)
        for likelihoods in inputs:
            values = likelihoods(env)
            if values is not None:
                logs = [total + (math.log(p) if p > 0 else -math.inf) for total, p in zip(logs, values, strict=True)]
        top = max(logs)
        if top == -math.inf or math.isnan(top):
            return Prediction(None)
        exps = [math.exp(x - top) for x in logs]
        total = sum(exps)
        probabilities = {c: e / total for c, e in zip(classes, exps, strict=True)}
        return Prediction(max(probabilities, key=probabilities.__getitem__), probabilities)

    return evaluate


def _counts(element: Element, scope: Scope, target: Target) -> dict[Any, float]:
    envelope = child_element(element, scope, "TargetValueCounts")
    found = child_elements(envelope, scope, "TargetValueCount") if envelope is not None else []
    return {target.category(c.get("value")): float(c.get("count", "0")) for c in found}


def _input(element: Element, scope: Scope, target: Target, classes: list[Any], threshold: float) -> Likelihoods:
    name = element.get("fieldName", "")
    stats = child_element(element, scope, "TargetValueStats")
    if stats is not None:
        return _continuous(name, stats, scope, target, classes=classes, threshold=threshold)
    derived = child_element(element, scope, "DerivedField")
    if derived is not None:
        expression = next(c for c in derived if scope.tag(c) not in ("Extension", "Value"))
        read = compile_expression(expression, scope)
        data_type = derived.get("dataType", "string")
    else:
        read, data_type = (lambda env: env.get(name)), scope.types.get(name, "string")
    table: dict[Any, list[float]] = {}
    totals = dict.fromkeys(classes, 0.0)
    for pair in child_elements(element, scope, "PairCounts"):
        counts = _counts(pair, scope, target)
        table[cast(pair.get("value"), data_type)] = [counts.get(c, 0.0) for c in classes]
        for c in classes:
            totals[c] += counts.get(c, 0.0)
    likelihoods = {value: [n / totals[c] if n > 0 else threshold for n, c in zip(row, classes, strict=True)]
                   for value, row in table.items()}  # fmt: skip

    def discrete(env: Env) -> list[float] | None:
        value = read(env)
        return None if value is None else likelihoods.get(cast(value, data_type))

    return discrete


def _continuous(
    name: str, stats: Element, scope: Scope, target: Target, *, classes: list[Any], threshold: float
) -> Likelihoods:
    gaussians: dict[Any, tuple[float, float, float]] = {}
    for stat in child_elements(stats, scope, "TargetValueStat"):
        distribution = next(c for c in stat if scope.tag(c) != "Extension")
        if scope.tag(distribution) != "GaussianDistribution":
            raise Unsupported(f"a NaiveBayes input with a {scope.tag(distribution)}")
        mean, variance = float(distribution.get("mean", "0")), float(distribution.get("variance", "1"))
        gaussians[target.category(stat.get("value"))] = (mean, variance, math.sqrt(2.0 * math.pi * variance))
    if set(gaussians) != set(classes):
        raise Unsupported(f"NaiveBayes input {name!r} without a distribution for every class")
    parameters = [gaussians[c] for c in classes]

    def continuous(env: Env) -> list[float] | None:
        x = env.get(name)
        if x is None:
            return None
        return [max(threshold, math.exp(-0.5 * ((x - mean) * (x - mean)) / variance) / beta)
                for mean, variance, beta in parameters]  # fmt: skip

    return continuous
