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


def tree(element: Element, scope: Scope, fields: dict[str, DataField], target: Target) -> Evaluator:
    missing = element.get("missingValueStrategy", "none")
    no_true_child = element.get("noTrueChildStrategy", "returnNullPrediction")
    if missing not in ("none", "nullPrediction", "lastPrediction", "defaultChild"):
        raise Unsupported(f"TreeModel missingValueStrategy {missing!r}")
    classification = element.get("functionName") == "classification"
    root_element = child_element(element, scope, "Node")
    if root_element is None:
        raise Unsupported("TreeModel without a Node")
    return TreeEvaluator(_node(root_element, scope, target, classification), root_element, scope, missing,
                         no_true_child)  # fmt: skip


class TreeEvaluator:
    """A tree: its generated code for records with every tested field present, else the interpreter. The
    code is generated when first needed: in a forest, the forest's own code serves nearly every record."""

    def __init__(self, root: _Node, element: Element, scope: Scope, missing: str, no_true_child: str) -> None:
        self.root, self.element, self.scope = root, element, scope
        self.missing, self.no_true_child = missing, no_true_child
        self.nodes = list(_preorder(root))
        self._leaf: Callable[[Env], int] | None = None

    def node(self, env: Env) -> _Node | None:
        if self._leaf is None:
            self._leaf = compile_tree(self.element, self.scope, self.no_true_child)
        index = self._leaf(env)
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


def _node(element: Element, scope: Scope, target: Target, classification: bool) -> _Node:
    predicate_element = next(c for c in element if scope.tag(c) not in ("Extension", "Node", "ScoreDistribution"))
    score_text = element.get("score")
    score = target.category(score_text) if classification else (float(score_text) if score_text else None)
    probabilities = None
    distribution = child_elements(element, scope, "ScoreDistribution")
    if distribution:
        counts = {target.category(d.get("value")): float(d.get("recordCount", "0")) for d in distribution}
        given = {target.category(d.get("value")): d.get("probability") for d in distribution}
        if all(v is not None for v in given.values()):
            probabilities = {k: float(v) for k, v in given.items()}
        else:
            total = math.fsum(counts.values())
            probabilities = {k: v / total for k, v in counts.items()} if total else None
    children = [_node(c, scope, target, classification) for c in child_elements(element, scope, "Node")]
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
