"""The model elements sklearn2pmml and the other JPMML converters write, as evaluators over a record.

RegressionModel, TreeModel and MiningModel (sum, average, weighted average, majority votes, median,
max, model chain, select first), each with its MiningSchema (missing-value replacement, invalid
values), LocalTransformations, Targets and Output. Missing values in trees follow pypmml's evaluator,
our reference (checked case by case in tests/pmml_engine): an unknown predicate counts as false under
`none` and `nullPrediction`; under `lastPrediction` a node with no true child but an unknown one
returns its own score; `defaultChild` follows the named child.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from pmml_engine.expressions import (
    Env,
    Expression,
    Predicate,
    Scope,
    Unsupported,
    cast,
    compile_expression,
    compile_predicate,
)
from pmml_engine.treecode import INTERPRET, NO_PREDICTION, compile_ensemble, compile_tree


class Invalid(Exception):
    """An input value outside the field's valid values, under `invalidValueTreatment="returnInvalid"`."""


@dataclass
class Prediction:
    value: Any  # a number (regression) or a category (classification); None: missing
    probabilities: dict[Any, float] | None = None
    outputs: dict[str, Any] = field(default_factory=dict)  # this model's Output fields, for chains


@dataclass(frozen=True)
class DataField:
    name: str
    optype: str
    data_type: str
    values: frozenset[Any] | None  # the valid values of a categorical field, typed; None: any


Evaluator = Callable[[Env], Prediction]


def build_model(element: Element, scope: Scope, fields: dict[str, DataField], nested: bool = False) -> Evaluator:
    """The evaluator of one model element, with everything around it (schema, transformations, output).
    A nested model (a segment) takes its inputs as the top model prepared them: like pypmml, only the top
    MiningSchema judges invalid values; a nested one may still replace missing ones."""
    tag = scope.tag(element)
    builders = {"RegressionModel": _regression, "TreeModel": _tree, "MiningModel": _mining}
    if tag not in builders:
        raise Unsupported(f"model <{tag}>")
    if element.get("isScorable") == "false":
        raise Unsupported("a model marked not scorable")
    target = _target(element, scope, fields)
    prepare = _mining_schema(element, scope, fields, judge_invalid=not nested)
    local = _child(element, scope, "LocalTransformations")
    transform = derived_fields(local, scope)
    core = builders[tag](element, scope, fields, target)
    rescale = _targets(_child(element, scope, "Targets"), scope)
    output = _child(element, scope, "Output")
    outputs = output_fields(output, scope, target)
    if prepare is None and local is None and rescale is None and output is None:
        return core  # a bare model (the trees of an ensemble): no wrapper to pay for

    def evaluate(env: Env) -> Prediction:
        env = transform(prepare(env) if prepare is not None else env)
        prediction = core(env)
        if rescale is not None and prediction.value is not None:
            prediction.value = rescale(prediction.value)
        if output is not None:  # else a model chain answers with its last model's outputs
            prediction.outputs = outputs(env, prediction)
        return prediction

    return evaluate


def _child(element: Element, scope: Scope, tag: str) -> Element | None:
    return next((c for c in element if scope.tag(c) == tag), None)


def _children(element: Element, scope: Scope, tag: str) -> list[Element]:
    return [c for c in element if scope.tag(c) == tag]


@dataclass(frozen=True)
class _Target:
    name: str | None
    data_type: str
    categories: tuple[Any, ...]

    def category(self, text: str | None) -> Any:
        return cast(text, self.data_type)


def _target(element: Element, scope: Scope, fields: dict[str, DataField]) -> _Target:
    schema = _child(element, scope, "MiningSchema")
    mining = _children(schema, scope, "MiningField") if schema is not None else []
    names = [f.get("name") for f in mining if f.get("usageType") in ("target", "predicted")]
    name = names[0] if names else None
    data_field = fields.get(name or "")
    data_type = data_field.data_type if data_field else "double"
    categories = tuple(sorted(data_field.values, key=str)) if data_field and data_field.values else ()
    return _Target(name, data_type, categories)


def _mining_schema(
    element: Element, scope: Scope, fields: dict[str, DataField], judge_invalid: bool
) -> Callable[[Env], Env] | None:
    """Missing-value replacement and invalid-value treatment of the model's active fields (None: nothing)."""
    schema = _child(element, scope, "MiningSchema")
    steps = []
    for mining in _children(schema, scope, "MiningField") if schema is not None else []:
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
    """DerivedFields in order, each cast to its dataType (float32 for `float`)."""
    if element is None:
        return lambda env: env
    steps: list[tuple[str, Expression, str]] = []
    for derived in _children(element, scope, "DerivedField"):
        name, data_type = derived.get("name", ""), derived.get("dataType", "double")
        scope.types[name] = data_type
        expression = next((c for c in derived if scope.tag(c) != "Extension" and scope.tag(c) != "Value"), None)
        if expression is None:
            raise Unsupported(f"DerivedField {name!r} without an expression")
        steps.append((name, compile_expression(expression, scope), data_type))
    if _children(element, scope, "DefineFunction"):
        raise Unsupported("DefineFunction")

    def transform(env: Env) -> Env:
        env = dict(env)
        for name, expression, data_type in steps:
            env[name] = cast(expression(env), data_type)
        return env

    return transform


def _targets(element: Element | None, scope: Scope) -> Callable[[Any], Any] | None:
    if element is None:
        return None
    targets = _children(element, scope, "Target")
    if len(targets) != 1 or _children(targets[0], scope, "TargetValue"):
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


def output_fields(element: Element | None, scope: Scope, target: _Target) -> OutputFields:
    """Output fields in order; a field may read the ones before it (by FieldRef)."""
    if element is None:
        return lambda env, prediction: {}
    steps = [_output(o, scope, target) for o in _children(element, scope, "OutputField")]

    def outputs(env: Env, prediction: Prediction) -> dict[str, Any]:
        values: dict[str, Any] = {}
        scoped = dict(env)
        for name, compute, data_type in steps:
            value = cast(compute(scoped, prediction), data_type)
            values[name] = scoped[name] = value
        return values

    return outputs


def _output(element: Element, scope: Scope, target: _Target) -> tuple[str, Callable[[Env, Prediction], Any], str]:
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
        compiled = compile_expression(expression, scope)
        return name, lambda env, p: compiled(env), data_type
    raise Unsupported(f"OutputField feature {feature!r}")


def _probability(prediction: Prediction, category: Any, wanted: str | None) -> float | None:
    if prediction.probabilities is None:
        return None
    if wanted is None:
        return prediction.probabilities.get(prediction.value)
    return prediction.probabilities.get(category)  # a category the model does not know: no value, as pypmml


# RegressionModel ------------------------------------------------------------------------------------

_NORMALISE: dict[str, Callable[[float], float]] = {
    "logit": lambda y: 1.0 / (1.0 + math.exp(-y)) if y > -700 else 0.0,
    "exp": math.exp,
    "probit": lambda y: 0.5 * math.erfc(-y / math.sqrt(2)),
    "cloglog": lambda y: 1.0 - math.exp(-math.exp(y)),
    "loglog": lambda y: math.exp(-math.exp(-y)),
    "cauchit": lambda y: 0.5 + math.atan(y) / math.pi,
    "none": lambda y: y,
}


def _regression(element: Element, scope: Scope, fields: dict[str, DataField], target: _Target) -> Evaluator:
    tables = [(t.get("targetCategory"), _table(t, scope)) for t in _children(element, scope, "RegressionTable")]
    method = element.get("normalizationMethod", "none")
    if element.get("functionName") == "regression":
        (_, table), *_ = tables
        if method not in ("none", "exp", "logit", "probit", "cloglog", "cauchit", "softmax"):
            raise Unsupported(f"regression normalization {method!r}")  # pypmml gives no value for loglog
        normalise = _NORMALISE["logit" if method == "softmax" else method]  # PMML: softmax of one value is logit
        return lambda env: Prediction(_normalised(normalise, table(env)))
    categories = [target.category(category) for category, _ in tables]
    if method not in (*_NORMALISE, "softmax", "simplemax") or method == "exp":
        raise Unsupported(f"classification normalization {method!r}")
    if len(tables) > 2 and method not in ("softmax", "simplemax"):
        raise Unsupported(f"{method} over {len(tables)} categories")  # pypmml gives no value: nor do we guess one

    def classify(env: Env) -> Prediction:
        scores = [table(env) for _, table in tables]
        if any(s is None for s in scores):
            return Prediction(None)
        probabilities = _normalise_classes(method, scores)
        if probabilities is None:
            return Prediction(None)
        by_category = dict(zip(categories, probabilities, strict=True))
        return Prediction(max(by_category, key=by_category.__getitem__), by_category)

    return classify


def _normalised(normalise: Callable[[float], float], y: float | None) -> float | None:
    if y is None:
        return None
    try:
        return normalise(y)
    except OverflowError:
        return None


def _normalise_classes(method: str, scores: list[float]) -> list[float] | None:
    try:
        if method == "softmax":
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            total = math.fsum(exps)
            return [e / total for e in exps]
        if method == "simplemax":
            total = math.fsum(scores)
            return [s / total for s in scores]
        first = [_NORMALISE[method](s) for s in scores[:-1]]
        if method == "none":  # raw scores as probabilities: clipped to [0, 1], as pypmml does
            first = [min(max(p, 0.0), 1.0) for p in first]
            return [*first, max(0.0, 1.0 - math.fsum(first))]
        return [*first, 1.0 - math.fsum(first)]
    except (OverflowError, ZeroDivisionError):
        return None


def _table(table: Element, scope: Scope) -> Callable[[Env], float | None]:
    intercept = float(table.get("intercept", "0"))
    numeric = [(p.get("name", ""), float(p.get("coefficient", "0")), int(p.get("exponent", "1")))
               for p in _children(table, scope, "NumericPredictor")]  # fmt: skip
    categorical: dict[str, dict[Any, float]] = {}
    for p in _children(table, scope, "CategoricalPredictor"):
        name = p.get("name", "")
        value = cast(p.get("value"), scope.types.get(name, "string"))
        categorical.setdefault(name, {})[value] = float(p.get("coefficient", "0"))
    if _children(table, scope, "PredictorTerm"):
        raise Unsupported("PredictorTerm")

    def linear(env: Env) -> float | None:
        total = intercept
        for name, coefficient, exponent in numeric:
            x = env.get(name)
            if x is None:
                return None
            total += coefficient * (x if exponent == 1 else x**exponent)
        for name, coefficients in categorical.items():
            total += coefficients.get(env.get(name), 0.0)  # a missing or unseen category adds nothing
        return total

    return linear


# TreeModel ------------------------------------------------------------------------------------------


@dataclass
class _Node:
    predicate: Predicate
    score: Any
    children: list[_Node]
    probabilities: dict[Any, float] | None
    node_id: str | None
    default_child: str | None


def _tree(element: Element, scope: Scope, fields: dict[str, DataField], target: _Target) -> Evaluator:
    missing = element.get("missingValueStrategy", "none")
    no_true_child = element.get("noTrueChildStrategy", "returnNullPrediction")
    if missing not in ("none", "nullPrediction", "lastPrediction", "defaultChild"):
        raise Unsupported(f"TreeModel missingValueStrategy {missing!r}")
    classification = element.get("functionName") == "classification"
    root_element = _child(element, scope, "Node")
    if root_element is None:
        raise Unsupported("TreeModel without a Node")
    evaluator = TreeEvaluator(_node(root_element, scope, target, classification),
                              compile_tree(root_element, scope, no_true_child), missing, no_true_child)  # fmt: skip
    evaluator.element = root_element
    return evaluator


class TreeEvaluator:
    """A tree: its generated code for records with every tested field present, else the interpreter."""

    def __init__(self, root: _Node, leaf: Callable[[Env], int], missing: str, no_true_child: str) -> None:
        self.root, self.leaf, self.missing, self.no_true_child = root, leaf, missing, no_true_child
        self.nodes = list(_preorder(root))
        self.element: Element | None = None  # its Node element, for a forest's generated code

    def node(self, env: Env) -> _Node | None:
        index = self.leaf(env)
        if index >= 0:
            return self.nodes[index]
        if index == NO_PREDICTION or self.root.predicate(env) is not True:
            return None
        return _descend(self.root, env, self.missing, self.no_true_child)  # a tested field is missing

    def __call__(self, env: Env) -> Prediction:
        node = self.node(env)
        return Prediction(None) if node is None else Prediction(node.score, node.probabilities)


def _preorder(node: _Node) -> Iterator[_Node]:
    yield node
    for child in node.children:
        yield from _preorder(child)


def _node(element: Element, scope: Scope, target: _Target, classification: bool) -> _Node:
    predicate_element = next(c for c in element if scope.tag(c) not in ("Extension", "Node", "ScoreDistribution"))
    score_text = element.get("score")
    score = target.category(score_text) if classification else (float(score_text) if score_text else None)
    probabilities = None
    distribution = _children(element, scope, "ScoreDistribution")
    if distribution:
        counts = {target.category(d.get("value")): float(d.get("recordCount", "0")) for d in distribution}
        given = {target.category(d.get("value")): d.get("probability") for d in distribution}
        if all(v is not None for v in given.values()):
            probabilities = {k: float(v) for k, v in given.items()}
        else:
            total = math.fsum(counts.values())
            probabilities = {k: v / total for k, v in counts.items()} if total else None
    children = [_node(c, scope, target, classification) for c in _children(element, scope, "Node")]
    return _Node(compile_predicate(predicate_element, scope), score, children, probabilities, element.get("id"),
                 element.get("defaultChild"))  # fmt: skip


def _descend(node: _Node, env: Env, missing: str, no_true_child: str) -> _Node | None:
    while node.children:
        unknown = False
        chosen = None
        for child in node.children:
            verdict = child.predicate(env)
            if verdict is True:
                chosen = child
                break
            unknown = unknown or verdict is None
        if chosen is None and unknown and missing == "lastPrediction":
            return node
        if chosen is None and unknown and missing == "defaultChild" and node.default_child is not None:
            chosen = next((c for c in node.children if c.node_id == node.default_child), None)
        if chosen is None:
            return node if no_true_child == "returnLastPrediction" else None
        node = chosen
    return node


# MiningModel ----------------------------------------------------------------------------------------


def _mining(element: Element, scope: Scope, fields: dict[str, DataField], target: _Target) -> Evaluator:
    segmentation = _child(element, scope, "Segmentation")
    if segmentation is None:
        raise Unsupported("MiningModel without a Segmentation")
    method = segmentation.get("multipleModelMethod", "")
    on_missing = segmentation.get("missingPredictionTreatment", "continue")
    segments = []
    always: list[bool] = []
    for segment in _children(segmentation, scope, "Segment"):
        predicate = next(c for c in segment if scope.tag(c) != "Extension" and not scope.tag(c).endswith("Model"))
        model = next((c for c in segment if scope.tag(c).endswith("Model")), None)
        if model is None:
            raise Unsupported("a Segment without a model")
        segments.append((compile_predicate(predicate, scope), float(segment.get("weight", "1")),
                         build_model(model, scope, fields, nested=True)))  # fmt: skip
        always.append(scope.tag(predicate) == "True")
    classification = element.get("functionName") == "classification"
    if method == "modelChain":
        return _chain(segments)
    if method == "selectFirst":
        return lambda env: next((m(env) for predicate, _, m in segments if predicate(env) is True), Prediction(None))
    trees = [model for _, _, model in segments if isinstance(model, TreeEvaluator)]
    if all(always) and len(trees) == len(segments) and on_missing == "returnMissing":
        if not classification and method in ("sum", "average"):
            return _tree_sum(trees, scope, average=method == "average")
        if classification and method == "average":
            return _tree_average(trees, scope)
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


def _tree_sum(trees: list[TreeEvaluator], scope: Scope, average: bool) -> Evaluator:
    """Boosted trees (sum) and isolation forests (average): leaf scores added in segment order, by one
    generated function; a record with a tested field missing goes tree by tree through the interpreter."""
    forest = compile_ensemble([(t.element, t.no_true_child, [n.score for n in t.nodes]) for t in trees], scope, 0)

    def evaluate(env: Env) -> Prediction:
        total = forest(env)
        if total is INTERPRET:
            total = 0.0
            for tree in trees:
                node = tree.node(env)
                if node is None or node.score is None:
                    return Prediction(None)
                total += node.score
        elif total is None:
            return Prediction(None)
        return Prediction(total / len(trees) if average else total)

    return evaluate


def _tree_average(trees: list[TreeEvaluator], scope: Scope) -> Evaluator:
    """Random forests: the leaves' class probabilities averaged."""
    classes = list(dict.fromkeys(c for t in trees for n in t.nodes if n.probabilities for c in n.probabilities))
    values = [[None if n.probabilities is None else tuple(n.probabilities.get(c, 0.0) for c in classes)
               for n in t.nodes] for t in trees]  # fmt: skip
    forest = compile_ensemble([(t.element, t.no_true_child, v) for t, v in zip(trees, values, strict=True)], scope,
                              len(classes))  # fmt: skip

    def evaluate(env: Env) -> Prediction:
        sums = forest(env)
        if sums is INTERPRET:
            sums = [0.0] * len(classes)
            for tree in trees:
                node = tree.node(env)
                if node is None or node.probabilities is None:
                    return Prediction(None)
                sums = [total + node.probabilities.get(c, 0.0) for total, c in zip(sums, classes, strict=True)]
        elif sums is None:
            return Prediction(None)
        probabilities = {c: total / len(trees) for c, total in zip(classes, sums, strict=True)}
        return Prediction(max(probabilities, key=probabilities.__getitem__), probabilities)

    return evaluate


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
