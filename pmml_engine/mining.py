"""MiningModel: segments combined (sum, average, weighted average, majority votes, median, max), chained
(each model sees the Output of the ones before) or chosen (select first). A forest of bare trees is one
generated function."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element

from pmml_engine.document import is_model
from pmml_engine.expressions import Env, Predicate, Scope, Unsupported, compile_predicate
from pmml_engine.parts import DataField, Evaluator, Prediction, Target, child_element, child_elements
from pmml_engine.treecode import INTERPRET, compile_ensemble
from pmml_engine.trees import TreeEvaluator


def mining(
    element: Element, scope: Scope, fields: dict[str, DataField], target: Target, build: Callable[..., Evaluator]
) -> Evaluator:
    segmentation = child_element(element, scope, "Segmentation")
    if segmentation is None:
        raise Unsupported("MiningModel without a Segmentation")
    method = segmentation.get("multipleModelMethod", "")
    on_missing = segmentation.get("missingPredictionTreatment", "continue")
    segments = []
    always: list[bool] = []
    for segment in child_elements(segmentation, scope, "Segment"):
        predicate = next(c for c in segment if scope.tag(c) != "Extension" and not is_model(scope.tag(c)))
        model = next((c for c in segment if is_model(scope.tag(c))), None)
        if model is None:
            raise Unsupported("a Segment without a model")
        segments.append((compile_predicate(predicate, scope), float(segment.get("weight", "1")),
                         build(model, scope, fields, nested=True)))  # fmt: skip
        always.append(scope.tag(predicate) == "True")
    classification = element.get("functionName") == "classification"
    if method == "modelChain":
        return _chain(segments)
    if method == "selectFirst":
        return lambda env: next((m(env) for predicate, _, m in segments if predicate(env) is True), Prediction(None))
    trees = [model for _, _, model in segments if isinstance(model, TreeEvaluator)]
    if all(always) and len(trees) == len(segments) and on_missing == "returnMissing":
        if not classification and method in ("sum", "average"):
            return ForestSum(trees, scope, average=method == "average")
        if classification and method == "average":
            return ForestAverage(trees, scope)
    combine = _combiner(method, classification)

    def evaluate(env: Env) -> Prediction:
        predictions = []
        for predicate, weight, model in segments:
            if predicate(env) is not True:
                continue
            prediction = model(env)
            if prediction.value is None:
                if on_missing == "returnMissing":
                    return Prediction(None)
                continue
            predictions.append((weight, prediction))
        return combine(predictions) if predictions else Prediction(None)

    return evaluate


class ForestSum:
    """Boosted trees (sum) and isolation forests (average): leaf scores added in segment order, by one
    generated function; a record with a tested field missing goes tree by tree through the interpreter."""

    def __init__(self, trees: list[TreeEvaluator], scope: Scope, average: bool) -> None:
        self.trees, self.average = trees, average
        self.values = [[n.score for n in t.nodes] for t in trees]  # each tree's node scores, in pre-order
        self.forest = compile_ensemble([(t.element, t.no_true_child, v) for t, v in zip(trees, self.values,
                                        strict=True)], scope, 0)  # fmt: skip

    def __call__(self, env: Env) -> Prediction:
        total = self.forest(env)
        if total is INTERPRET:
            total = 0.0
            for tree in self.trees:
                node = tree.node(env)
                if node is None or node.score is None:
                    return Prediction(None)
                total += node.score
        elif total is None:
            return Prediction(None)
        return Prediction(total / len(self.trees) if self.average else total)


class ForestAverage:
    """Random forests: the leaves' class probabilities averaged."""

    def __init__(self, trees: list[TreeEvaluator], scope: Scope) -> None:
        self.trees = trees
        self.classes = list(dict.fromkeys(c for t in trees for n in t.nodes for c in n.probabilities or ()))
        self.values = [[None if n.probabilities is None else tuple(n.probabilities.get(c, 0.0) for c in self.classes)
                        for n in t.nodes] for t in trees]  # fmt: skip
        self.forest = compile_ensemble([(t.element, t.no_true_child, v) for t, v in zip(trees, self.values,
                                        strict=True)], scope, len(self.classes))  # fmt: skip

    def __call__(self, env: Env) -> Prediction:
        sums = self.forest(env)
        if sums is INTERPRET:
            sums = [0.0] * len(self.classes)
            for tree in self.trees:
                node = tree.node(env)
                if node is None or node.probabilities is None:
                    return Prediction(None)
                sums = [total + node.probabilities.get(c, 0.0) for total, c in zip(sums, self.classes, strict=True)]
        elif sums is None:
            return Prediction(None)
        return self.prediction(sums)

    def prediction(self, sums: tuple[float, ...] | list[float]) -> Prediction:
        """The averaged probabilities and the first most probable class, from each class's sum over trees."""
        probabilities = {c: total / len(self.trees) for c, total in zip(self.classes, sums, strict=True)}
        return Prediction(max(probabilities, key=probabilities.__getitem__), probabilities)


def _chain(segments: list[tuple[Predicate, float, Evaluator]]) -> Evaluator:
    """Each segment sees the Output fields of the ones before it; the last one's prediction is the model's."""

    def evaluate(env: Env) -> Prediction:
        env = dict(env)
        result = Prediction(None)
        for predicate, _, model in segments:
            if predicate(env) is not True:
                continue
            result = model(env)
            env.update(result.outputs)
        return result

    return evaluate


def _combiner(method: str, classification: bool) -> Callable[[list[tuple[float, Prediction]]], Prediction]:
    if not classification:
        regressions: dict[str, Callable[[list[tuple[float, Prediction]]], float]] = {
            "sum": lambda ps: math.fsum(p.value for _, p in ps),
            "average": lambda ps: math.fsum(p.value for _, p in ps) / len(ps),
            "weightedAverage": lambda ps: math.fsum(w * p.value for w, p in ps) / math.fsum(w for w, _ in ps),
            "median": lambda ps: statistics.median(p.value for _, p in ps),
            "max": lambda ps: max(p.value for _, p in ps),
        }
        if method not in regressions:
            raise Unsupported(f"regression Segmentation {method!r}")
        return lambda ps: Prediction(regressions[method](ps))
    if method in ("average", "weightedAverage"):
        return lambda ps: _average_probabilities(ps, weighted=method == "weightedAverage")
    if method in ("majorityVote", "weightedMajorityVote"):
        return lambda ps: _vote(ps, weighted=method == "weightedMajorityVote")
    raise Unsupported(f"classification Segmentation {method!r}")


def _average_probabilities(predictions: list[tuple[float, Prediction]], weighted: bool) -> Prediction:
    totals: dict[Any, float] = {}
    weights = 0.0
    for weight, prediction in predictions:
        if prediction.probabilities is None:
            return Prediction(None)
        w = weight if weighted else 1.0
        weights += w
        for category, probability in prediction.probabilities.items():
            totals[category] = totals.get(category, 0.0) + w * probability
    probabilities = {category: total / weights for category, total in totals.items()}
    return Prediction(max(probabilities, key=probabilities.__getitem__), probabilities)


def _vote(predictions: list[tuple[float, Prediction]], weighted: bool) -> Prediction:
    votes: dict[Any, float] = {}
    for weight, prediction in predictions:
        votes[prediction.value] = votes.get(prediction.value, 0.0) + (weight if weighted else 1.0)
    total = math.fsum(votes.values())
    probabilities = {category: count / total for category, count in votes.items()}
    return Prediction(max(votes, key=votes.__getitem__), probabilities)
