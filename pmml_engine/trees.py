"""TreeModel: generated code for records with every tested field present, an interpreter for the rest.

Missing values follow pypmml, our reference (checked case by case in tests/pmml_engine): an unknown
predicate counts as false under `none` and `nullPrediction`; under `lastPrediction` a node with no true
child but an unknown one returns its own score; `defaultChild` follows the named child.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

from pmml_engine.expressions import Env, Predicate, Scope, Unsupported, compile_predicate
from pmml_engine.parts import DataField, Evaluator, Prediction, Target, child_element, child_elements
from pmml_engine.treecode import NO_PREDICTION, compile_tree


@dataclass
class _Node:
    predicate: Predicate
    score: Any
    children: list[_Node]
    probabilities: dict[Any, float] | None
    node_id: str | None
    default_child: str | None
    confidences: dict[Any, float] | None = None
    by_surrogate: Predicate | None = None  # True when the predicate held by a surrogate: a missing value decided
    record_count: float = 0.0
    counts: dict[Any, float] | None = None  # records per class (ScoreDistribution recordCount)


def tree(element: Element, scope: Scope, fields: dict[str, DataField], target: Target) -> Evaluator:
    missing = element.get("missingValueStrategy", "none")
    no_true_child = element.get("noTrueChildStrategy", "returnNullPrediction")
    classification = element.get("functionName") == "classification"
    if missing not in ("none", "nullPrediction", "lastPrediction", "defaultChild", "weightedConfidence",
                       "aggregateNodes"):  # fmt: skip
        raise Unsupported(f"TreeModel missingValueStrategy {missing!r}")
    root_element = child_element(element, scope, "Node")
    if root_element is None:
        raise Unsupported("TreeModel without a Node")
    root = _node(root_element, scope, target, classification)
    weighs = missing in ("weightedConfidence", "aggregateNodes") and classification
    classes = (list(target.categories) or list(_first_leaf(root).counts or {})) if weighs else []
    return TreeEvaluator(root, root_element, scope, missing, no_true_child,
                         penalty=float(element.get("missingValuePenalty", "1")), classes=classes)  # fmt: skip


def _first_leaf(node: _Node) -> _Node:
    while node.children:
        node = node.children[0]
    return node


class TreeEvaluator:
    """A tree: its generated code for records with every tested field present, else the interpreter. The
    code is generated when first needed: in a forest, the forest's own code serves nearly every record."""

    def __init__(self, root: _Node, element: Element, scope: Scope, missing: str, no_true_child: str, *,
                 penalty: float = 1.0, classes: list[Any] | None = None) -> None:  # fmt: skip
        self.root, self.element, self.scope = root, element, scope
        self.missing, self.no_true_child = missing, no_true_child
        self.penalty = penalty  # missingValuePenalty: a confidence's factor each time a missing value decides
        self.classes = classes or []  # the classes a missing value's strategy weighs (classification)
        self.nodes = list(_preorder(root))
        self._leaf: Callable[[Env], int] | None = None

    def node(self, env: Env) -> _Node | None:
        return self.reached(env)[0]

    def reached(self, env: Env) -> tuple[_Node | None, int]:
        """The node a record ends at, and how many times a missing value decided the way (each costs the
        tree's missingValuePenalty in confidence)."""
        if self._leaf is None:
            self._leaf = compile_tree(self.element, self.scope, self.no_true_child)
        index = self._leaf(env)
        if index >= 0:
            return self.nodes[index], 0
        if index == NO_PREDICTION or self.root.predicate(env) is not True:
            return None, 0
        return _descend(self.root, env, self.missing, self.no_true_child, self.classes)  # a tested field is missing

    def __call__(self, env: Env) -> Prediction:
        node, penalised = self.reached(env)
        if node is None:
            return Prediction(None)
        confidences = node.confidences
        if penalised and confidences is not None:
            factor = self.penalty**penalised
            confidences = {c: v * factor for c, v in confidences.items()}
        return Prediction(node.score, node.probabilities, confidences=confidences, node_id=node.node_id)


def _preorder(node: _Node) -> Iterator[_Node]:
    yield node
    for child in node.children:
        yield from _preorder(child)


def _node(element: Element, scope: Scope, target: Target, classification: bool) -> _Node:
    predicate_element = next(c for c in element if scope.tag(c) not in ("Extension", "Node", "ScoreDistribution"))
    score_text = element.get("score")
    score = target.category(score_text) if classification else (float(score_text) if score_text else None)
    probabilities = None
    distribution = child_elements(element, scope, "ScoreDistribution")
    counts = {target.category(d.get("value")): float(d.get("recordCount", "0")) for d in distribution}
    if distribution:
        given = {target.category(d.get("value")): d.get("probability") for d in distribution}
        if all(v is not None for v in given.values()):
            probabilities = {k: float(v) for k, v in given.items()}
        else:
            total = math.fsum(counts.values())
            probabilities = {k: v / total for k, v in counts.items()} if total else None
    children = [_node(c, scope, target, classification) for c in child_elements(element, scope, "Node")]
    confidences = {target.category(d.get("value")): float(d.get("confidence", "nan")) for d in distribution
                   if d.get("confidence") is not None} or None  # fmt: skip
    return _Node(compile_predicate(predicate_element, scope), score, children, probabilities, element.get("id"),
                 element.get("defaultChild"), confidences, _by_surrogate(predicate_element, scope),
                 float(element.get("recordCount", "nan")), counts or None)  # fmt: skip


def _by_surrogate(element: Element, scope: Scope) -> Predicate | None:
    if scope.tag(element) != "CompoundPredicate" or element.get("booleanOperator") != "surrogate":
        return None
    first = compile_predicate(next(c for c in element if scope.tag(c) != "Extension"), scope)
    return lambda env: first(env) is None


def _descend(node: _Node, env: Env, missing: str, no_true_child: str, classes: list[Any]) -> tuple[_Node | None, int]:
    """The node a record with a missing value ends at (by the tree's strategy, as pypmml follows it), and
    how many times a missing value decided (a surrogate or a default child)."""
    penalised = 0
    while node.children:
        unknown = False
        chosen = None
        for child in node.children:
            verdict = child.predicate(env)
            if verdict is True:
                chosen = child
                if child.by_surrogate is not None and child.by_surrogate(env):
                    penalised += 1
                break
            unknown = unknown or verdict is None
        if chosen is None and unknown:
            if missing == "lastPrediction":
                return node, penalised
            if missing == "defaultChild" and node.default_child is not None:
                chosen = next((c for c in node.children if c.node_id == node.default_child), None)
                penalised += 1
            elif missing in ("weightedConfidence", "aggregateNodes") and classes:
                weighed = (_weighted_confidence if missing == "weightedConfidence" else _aggregated)(node, env, classes)
                if weighed is not None:
                    return weighed, 0
        if chosen is None:
            return (node if no_true_child == "returnLastPrediction" else None), penalised
        node = chosen
    return node, penalised


def _verdict_node(value: Any, confidence: float) -> _Node:
    """What a strategy that weighs several nodes gives: a class and its confidence, no probabilities, and
    an empty node id (as pypmml: no single node made the prediction)."""
    return _Node(lambda env: True, value, [], None, "", None, {value: confidence})


def _weighted_confidence(node: _Node, env: Env, classes: list[Any]) -> _Node | None:
    """The children whose predicates are unknown, each class's confidence weighted by their records."""
    candidates = [c for c in node.children if c.predicate(env) is None]
    best, best_confidence = None, 0.0
    for cls in classes:
        confidence = 0.0
        for candidate in candidates:
            confidence += (candidate.confidences or {}).get(cls, 0.0) * candidate.record_count / node.record_count
        if confidence > best_confidence:
            best, best_confidence = cls, confidence
    return None if best is None else _verdict_node(best, best_confidence)


def _aggregated(node: _Node, env: Env, classes: list[Any]) -> _Node | None:
    """Every leaf the record may reach (unknown predicates followed too), their records added per class."""
    leaves: dict[int, _Node] = {}
    _reachable_leaves(node, env, leaves)
    records = [math.fsum((leaf.counts or {}).get(cls, 0.0) for leaf in leaves.values()) for cls in classes]
    best, best_records = None, 0.0
    for cls, count in zip(classes, records, strict=True):
        if count > best_records:
            best, best_records = cls, count
    return None if best is None else _verdict_node(best, best_records / sum(records))


def _reachable_leaves(node: _Node, env: Env, leaves: dict[int, _Node]) -> None:
    if not node.children:
        leaves[id(node)] = node
        return
    for child in node.children:
        verdict = child.predicate(env)
        if verdict is not False:
            _reachable_leaves(child, env, leaves)
        if verdict is True:
            break
