"""NearestNeighborModel: the k training instances nearest to the record, their ids, and the prediction
they vote or average, as pypmml computes them.

Distances use absolute differences (weighted; euclidean, squared euclidean, city block, Chebychev or
Minkowski) over every training instance at once with NumPy, feature by feature in document order, so
each sum is the one pypmml adds; equal distances keep the training order. A missing input leaves every
output missing. Neighbours without an id variable are numbered from 1 in training order. Majority votes
break ties by the category with more training instances, then the smallest. The weighted methods and
similarity measures are left to pypmml.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element

import numpy as np

from pmml_engine.expressions import Env, Scope, Unsupported, cast
from pmml_engine.parts import DataField, Evaluator, Prediction, Target, child_element, child_elements

Distance = Callable[[np.ndarray, np.ndarray, list[float]], np.ndarray]


def nearest_neighbors(element: Element, scope: Scope, fields: dict[str, DataField], target: Target) -> Evaluator:
    k = int(element.get("numberOfNeighbors", "1"))
    instances = child_element(element, scope, "TrainingInstances")
    knn = child_element(element, scope, "KNNInputs")
    measure = child_element(element, scope, "ComparisonMeasure")
    if instances is None or knn is None or measure is None:
        raise Unsupported("a NearestNeighborModel without training instances, inputs or a measure")
    if measure.get("kind", "distance") != "distance":
        raise Unsupported("a similarity measure for nearest neighbours")
    inputs = child_elements(knn, scope, "KNNInput")
    if any(i.get("compareFunction", measure.get("compareFunction", "absDiff")) != "absDiff" for i in inputs):
        raise Unsupported("a nearest-neighbour compare function other than absDiff")
    names = [i.get("field", "") for i in inputs]
    weights = [float(i.get("fieldWeight", "1")) for i in inputs]
    distance = _distance(next(c for c in measure if scope.tag(c) != "Extension"), scope)
    columns = _table(instances, scope)
    if any(name not in columns for name in names):
        raise Unsupported("KNN inputs the training instances do not hold (untransformed instances)")
    matrix = np.array([[float(v) for v in columns[name]] for name in names]).T
    id_variable = element.get("instanceIdVariable")
    rows = len(matrix)
    ids = columns[id_variable] if id_variable in columns else [str(i + 1) for i in range(rows)]
    predict = _predictor(element, target, columns)

    def evaluate(env: Env) -> Prediction:
        xs = [env.get(name) for name in names]
        if any(x is None for x in xs):
            return Prediction(None)
        nearest = np.argsort(distance(matrix, np.array(xs, dtype=np.float64), weights), kind="stable")[:k].tolist()
        return Prediction(predict(nearest), entities=[ids[i] for i in nearest])

    return evaluate


def _table(instances: Element, scope: Scope) -> dict[str, list[str]]:
    """The training instances by field: each InstanceField's column of the InlineTable, as text."""
    fields = child_element(instances, scope, "InstanceFields")
    table = child_element(instances, scope, "InlineTable")
    if fields is None or table is None:
        raise Unsupported("training instances outside an InlineTable")
    column_of = {f.get("field", ""): f.get("column", f.get("field", "")).rpartition(":")[2]
                 for f in child_elements(fields, scope, "InstanceField")}  # fmt: skip
    rows = [{cell.tag.rpartition("}")[2]: (cell.text or "").strip() for cell in row}
            for row in table if scope.tag(row) == "row"]  # fmt: skip
    return {field: [row.get(column, "") for row in rows] for field, column in column_of.items()}


def _distance(element: Element, scope: Scope) -> Distance:
    kind = scope.tag(element)
    p = float(element.get("p-parameter", "2"))

    def terms(matrix: np.ndarray, x: np.ndarray, weights: list[float], power: float) -> np.ndarray:
        total = np.zeros(len(matrix))
        for j, weight in enumerate(weights):  # feature by feature: pypmml's order of addition
            d = np.abs(x[j] - matrix[:, j])
            total += (d * d * weight) if power == 2.0 else (np.power(d, power) * weight)
        return total

    if kind == "euclidean":
        return lambda m, x, w: np.sqrt(terms(m, x, w, 2.0))
    if kind == "squaredEuclidean":
        return lambda m, x, w: terms(m, x, w, 2.0)
    if kind == "cityBlock":
        return lambda m, x, w: terms(m, x, w, 1.0)
    if kind == "minkowski":
        return lambda m, x, w: np.power(terms(m, x, w, p), 1 / p)
    if kind == "chebychev":
        return lambda m, x, w: np.max(np.abs(x - m) * np.array(w), axis=1)
    raise Unsupported(f"ComparisonMeasure <{kind}> for nearest neighbours")


def _predictor(element: Element, target: Target, columns: dict[str, list[str]]) -> Callable[[list[int]], Any]:
    if target.name is None or target.name not in columns:
        return lambda nearest: None
    values = [target.category(v) for v in columns[target.name]]
    if element.get("functionName") == "classification":
        if element.get("categoricalScoringMethod", "majorityVote") != "majorityVote":
            raise Unsupported("a weighted majority vote (pypmml divides the weights twice)")
        training = Counter(values)

        def vote(nearest: list[int]) -> Any:
            votes = Counter(values[i] for i in nearest)
            top = max(votes.values())
            tied = [v for v, n in votes.items() if n == top]
            return min(tied, key=lambda v: (-training[v], v))

        return vote
    method = element.get("continuousScoringMethod", "average")
    numbers = [cast(v, "double") for v in columns[target.name]]
    if method == "average":
        return lambda nearest: sum(numbers[i] for i in nearest) / len(nearest)  # type: ignore[misc]
    if method == "median":
        return lambda nearest: statistics.median(numbers[i] for i in nearest)  # type: ignore[type-var]
    raise Unsupported(f"nearest-neighbour scoring method {method!r}")
