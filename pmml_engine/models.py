"""The model elements sklearn2pmml and the other JPMML converters write, as evaluators over a record:
RegressionModel, TreeModel and MiningModel, each with what surrounds it (pmml_engine.surroundings)."""

from __future__ import annotations

from functools import partial
from xml.etree.ElementTree import Element

from pmml_engine.clustering import clustering
from pmml_engine.expressions import Env, Scope, Unsupported
from pmml_engine.general_regression import general_regression
from pmml_engine.mining import mining
from pmml_engine.naive_bayes import naive_bayes
from pmml_engine.nearest_neighbors import nearest_neighbors
from pmml_engine.neural import neural_network
from pmml_engine.parts import DataField, Evaluator, Prediction, child_element, find_target
from pmml_engine.regression import regression
from pmml_engine.scorecard import scorecard
from pmml_engine.surroundings import derived_fields, mining_schema, output_fields, targets
from pmml_engine.trees import tree


def build_model(element: Element, scope: Scope, fields: dict[str, DataField], nested: bool = False) -> Evaluator:
    """The evaluator of one model element, with everything around it (schema, transformations, output).
    A nested model (a segment) takes its inputs as the top model prepared them: like pypmml, only the top
    MiningSchema judges invalid values; a nested one may still replace missing ones."""
    tag = scope.tag(element)
    builders = {"RegressionModel": regression, "TreeModel": tree, "MiningModel": partial(mining, build=build_model),
                "NaiveBayesModel": naive_bayes, "NeuralNetwork": neural_network, "ClusteringModel": clustering,
                "Scorecard": scorecard, "GeneralRegressionModel": general_regression,
                "NearestNeighborModel": nearest_neighbors}  # fmt: skip
    if tag not in builders:
        raise Unsupported(f"model <{tag}>")
    if element.get("isScorable") == "false":
        raise Unsupported("a model marked not scorable")
    target = find_target(element, scope, fields)
    prepare = mining_schema(element, scope, fields, judge_invalid=not nested)
    local = child_element(element, scope, "LocalTransformations")
    transform = derived_fields(local, scope)
    core = builders[tag](element, scope, fields, target)
    scope.cores[element] = core
    rescale = targets(child_element(element, scope, "Targets"), scope)
    output = child_element(element, scope, "Output")
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
