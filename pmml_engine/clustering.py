"""ClusteringModel (center-based): the cluster nearest (or most similar) to the record, and its distance
to every cluster as affinities, as pypmml computes them: missing fields are left out and the measure
scaled up by the MissingValueWeights they carried."""

from __future__ import annotations

import math
from collections.abc import Callable
from xml.etree.ElementTree import Element

from pmml_engine.expressions import Env, Scope, Unsupported, array_values
from pmml_engine.parts import DataField, Evaluator, Prediction, Target, child_element, child_elements

_COMPARE: dict[str, Callable[[float, float, float], float]] = {
    "absDiff": lambda x, y, s: abs(x - y),
    "gaussSim": lambda x, y, s: math.exp(-math.log(2) * (x - y) * (x - y) / (s * s)),
    "delta": lambda x, y, s: 0.0 if x == y else 1.0,
    "equal": lambda x, y, s: 1.0 if x == y else 0.0,
}  # fmt: skip


def clustering(element: Element, scope: Scope, fields: dict[str, DataField], target: Target) -> Evaluator:
    if element.get("modelClass", "centerBased") != "centerBased":
        raise Unsupported("a distribution-based ClusteringModel")
    measure = child_element(element, scope, "ComparisonMeasure")
    if measure is None:
        raise Unsupported("a ClusteringModel without a ComparisonMeasure")
    distance = _distance(next(c for c in measure if scope.tag(c) != "Extension"), scope)
    similarity = measure.get("kind", "distance") == "similarity"
    default_compare = measure.get("compareFunction", "absDiff")
    clustering_fields = [f for f in child_elements(element, scope, "ClusteringField")
                         if f.get("isCenterField", "true") == "true"]  # fmt: skip
    names = [f.get("field", "") for f in clustering_fields]
    weights = [float(f.get("fieldWeight", "1")) for f in clustering_fields]
    scales = [float(f.get("similarityScale", "1")) for f in clustering_fields]
    compare_names = [f.get("compareFunction", default_compare) for f in clustering_fields]
    if any(name not in _COMPARE for name in compare_names):
        raise Unsupported(f"compare functions {compare_names}")
    compares = [_COMPARE[name] for name in compare_names]
    missing_weights_element = child_element(element, scope, "MissingValueWeights")
    adjustments = [float(v) for v in array_values(next(iter(missing_weights_element)))] \
        if missing_weights_element is not None else [1.0] * len(names)  # fmt: skip
    clusters = []
    for position, cluster in enumerate(child_elements(element, scope, "Cluster")):
        array = child_element(cluster, scope, "Array")
        if array is None:
            raise Unsupported("a Cluster without a center")
        center = [float(v) for v in array_values(array)]
        clusters.append((cluster.get("id", str(position + 1)), center))

    def evaluate(env: Env) -> Prediction:
        xs = [env.get(name) for name in names]
        present = [i for i, x in enumerate(xs) if x is not None]
        carried = sum(adjustments[i] for i in present)
        if carried == 0:
            return Prediction(None)
        adjust = sum(adjustments) / carried
        affinities = {}
        for cluster_id, center in clusters:
            terms = [(compares[i](float(xs[i]), center[i], scales[i]), weights[i]) for i in present]  # type: ignore[arg-type]
            affinities[cluster_id] = distance(terms, adjust)
        best = (max if similarity else min)(affinities, key=affinities.__getitem__)
        return Prediction(best, affinities=affinities)

    return evaluate


def _distance(element: Element, scope: Scope) -> Callable[[list[tuple[float, float]], float], float]:
    kind = scope.tag(element)
    if kind == "euclidean":
        return lambda terms, adjust: math.sqrt(_weighted(terms, 2.0) * adjust)
    if kind == "squaredEuclidean":
        return lambda terms, adjust: _weighted(terms, 2.0) * adjust
    if kind == "cityBlock":
        return lambda terms, adjust: _weighted(terms, 1.0) * adjust
    if kind == "chebychev":
        return lambda terms, adjust: max(c * w for c, w in terms) * adjust
    if kind == "minkowski":
        p = float(element.get("p-parameter", "2"))
        return lambda terms, adjust: math.pow(sum(math.pow(c, p) * w for c, w in terms) * adjust, 1 / p)
    raise Unsupported(f"ComparisonMeasure <{kind}>")


def _weighted(terms: list[tuple[float, float]], power: float) -> float:
    total = 0.0
    for c, w in terms:
        total += (c * c * w) if power == 2.0 else (c * w)
    return total
