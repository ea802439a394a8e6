"""What every model evaluator shares: a record's prediction, the data fields, the target, and small
helpers to read PMML elements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from pmml_engine.expressions import Env, Scope, cast


class Invalid(Exception):
    """An input value outside the field's valid values, under `invalidValueTreatment="returnInvalid"`."""


@dataclass
class Prediction:
    value: Any  # a number (regression) or a category (classification); None: missing
    probabilities: dict[Any, float] | None = None
    outputs: dict[str, Any] = field(default_factory=dict)  # this model's Output fields, for chains
    affinities: dict[Any, float] | None = None  # a clustering model's distance (or similarity) to each cluster
    reason_codes: list[str | None] | None = None  # a scorecard's reason codes, most important first
    entities: list[Any] | None = None  # the ids of a nearest-neighbour model's neighbours, nearest first
    confidences: dict[Any, float] | None = None  # a tree node's confidence in each class
    node_id: str | None = None  # the id of the tree node that gave the prediction


@dataclass(frozen=True)
class DataField:
    name: str
    optype: str
    data_type: str
    values: frozenset[Any] | None  # the valid values of a categorical field, typed; None: any
    ordered: tuple[Any, ...] = ()  # the same values in document order (a target's classes)
    texts: tuple[str, ...] = ()  # and as the document writes them


Evaluator = Callable[[Env], Prediction]


def child_element(element: Element, scope: Scope, tag: str) -> Element | None:
    return next((c for c in element if scope.tag(c) == tag), None)


def child_elements(element: Element, scope: Scope, tag: str) -> list[Element]:
    return [c for c in element if scope.tag(c) == tag]


@dataclass(frozen=True)
class Target:
    name: str | None
    data_type: str
    categories: tuple[Any, ...]  # in DataDictionary order

    def category(self, text: str | None) -> Any:
        return cast(text, self.data_type)


def find_target(element: Element, scope: Scope, fields: dict[str, DataField]) -> Target:
    schema = child_element(element, scope, "MiningSchema")
    mining = child_elements(schema, scope, "MiningField") if schema is not None else []
    names = [f.get("name") for f in mining if f.get("usageType") in ("target", "predicted")]
    name = names[0] if names else None
    data_field = fields.get(name or "")
    data_type = data_field.data_type if data_field else "double"
    categories = data_field.ordered if data_field else ()
    return Target(name, data_type, categories)
