"""The output fields pypmml gives a model that declares none, named and computed as pypmml does:
`predicted_<target>` for a regression; for a classification also `probability` (of the predicted class)
and `probability_<class>` for each class, a tree adding `confidence` and `node_id`; for a clustering
`cluster`, `cluster_name` when its clusters have names, and `distance` (or `similarity`) to the cluster."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element

from pmml_engine.expressions import Scope, Unsupported
from pmml_engine.parts import DataField, Prediction, child_elements, find_target

Reader = Callable[[Prediction], Any]


def default_outputs(model: Element, scope: Scope, fields: dict[str, DataField]) -> list[tuple[str, Reader]]:
    tag, function = scope.tag(model), model.get("functionName")
    if function == "clustering":
        return _clustering(model, scope)
    target = find_target(model, scope, fields)
    if target.name is None:
        raise Unsupported("a model without an Output element or a target")
    predicted: list[tuple[str, Reader]] = [(f"predicted_{target.name}", lambda p: p.value)]
    if function == "regression":
        return predicted
    if function != "classification" or not target.categories:
        raise Unsupported("a model without an Output element (pypmml names its outputs itself)")
    tree = tag == "TreeModel"
    outputs = [*predicted]
    if tree:
        outputs.append(("confidence", lambda p: None if p.confidences is None else p.confidences.get(p.value)))
    outputs.append(("probability", lambda p: None if p.probabilities is None else p.probabilities.get(p.value)))
    texts = fields[target.name].texts
    outputs += [(f"probability_{text}", _probability(category)) for text, category in
                zip(texts, target.categories, strict=True)]  # fmt: skip
    if tree:
        outputs.append(("node_id", lambda p: p.node_id))
    return outputs


def _probability(category: Any) -> Reader:
    return lambda p: None if p.probabilities is None else p.probabilities.get(category)


def _clustering(model: Element, scope: Scope) -> list[tuple[str, Reader]]:
    clusters = child_elements(model, scope, "Cluster")
    outputs: list[tuple[str, Reader]] = [("cluster", lambda p: p.value)]
    if clusters and clusters[0].get("name") is not None:
        names = {c.get("id", str(i + 1)): c.get("name") for i, c in enumerate(clusters)}
        outputs.append(("cluster_name", lambda p: names.get(p.value)))
    measure = next((c for c in model if scope.tag(c) == "ComparisonMeasure"), None)
    kind = "similarity" if measure is not None and measure.get("kind") == "similarity" else "distance"
    outputs.append((kind, lambda p: None if p.affinities is None else p.affinities.get(p.value)))
    return outputs
