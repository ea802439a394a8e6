"""NeuralNetwork: layer by layer, each neuron's activation of its weighted inputs, as pypmml computes it.

An input that is missing leaves every output missing. Classification reads each class's probability from
the output neuron its NeuralOutput names (NormDiscrete of the target); regression reads the output
neuron back through its DerivedField (a FieldRef, or a NormContinuous undone).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element

from pmml_engine.expressions import Env, Scope, Unsupported, compile_expression
from pmml_engine.parts import DataField, Evaluator, Prediction, Target, child_element, child_elements

_ACTIVATIONS: dict[str, Callable[[float], float]] = {
    "logistic": lambda z: 1.0 / (1.0 + math.exp(-z)), "tanh": math.tanh, "identity": lambda z: z,
    "exponential": math.exp, "reciprocal": lambda z: 1.0 / z, "square": lambda z: z * z,
    "Gauss": lambda z: math.exp(-(z * z)), "sine": math.sin, "cosine": math.cos,
    "Elliott": lambda z: z / (1.0 + abs(z)), "arctan": lambda z: 2.0 * math.atan(z) / math.pi,
    "rectifier": lambda z: max(0.0, z),
}  # fmt: skip
Layer = tuple[list[tuple[str, float, list[tuple[str, float]]]], Callable[[float], float], str]


def neural_network(element: Element, scope: Scope, fields: dict[str, DataField], target: Target) -> Evaluator:
    inputs_element = child_element(element, scope, "NeuralInputs")
    if inputs_element is None:
        raise Unsupported("NeuralNetwork without NeuralInputs")
    inputs = [(i.get("id", ""), compile_expression(_expression_of(i, scope), scope))
              for i in child_elements(inputs_element, scope, "NeuralInput")]  # fmt: skip
    layers = [_layer(layer, element, scope) for layer in child_elements(element, scope, "NeuralLayer")]
    outputs_element = child_element(element, scope, "NeuralOutputs")
    outputs = child_elements(outputs_element, scope, "NeuralOutput") if outputs_element is not None else []
    read = _classes(outputs, scope, target) if element.get("functionName") == "classification" else \
        _regression(outputs, scope, target)  # fmt: skip

    def evaluate(env: Env) -> Prediction:
        values: dict[str, float] = {}
        for neuron, expression in inputs:
            x = expression(env)
            if x is None:
                return Prediction(None)
            values[neuron] = float(x)
        try:
            for neurons, activation, normalisation in layers:
                for neuron, bias, connections in neurons:
                    z = bias
                    for source, weight in connections:
                        z += values[source] * weight
                    values[neuron] = activation(z)
                _normalise(values, [n for n, _, _ in neurons], normalisation)
        except (OverflowError, ZeroDivisionError, ValueError):
            return Prediction(None)
        return read(values)

    return evaluate


def _expression_of(neural_input: Element, scope: Scope) -> Element:
    derived = child_element(neural_input, scope, "DerivedField")
    if derived is None:
        raise Unsupported("a NeuralInput without a DerivedField")
    return next(c for c in derived if scope.tag(c) not in ("Extension", "Value"))


def _layer(layer: Element, network: Element, scope: Scope) -> Layer:
    name = layer.get("activationFunction", network.get("activationFunction", ""))
    if name == "threshold":
        level = float(layer.get("threshold", network.get("threshold", "0")))
        activation: Callable[[float], float] = lambda z: 1.0 if z > level else 0.0  # noqa: E731
    elif name in _ACTIVATIONS:
        activation = _ACTIVATIONS[name]
    else:
        raise Unsupported(f"NeuralNetwork activation {name!r}")
    neurons = [(n.get("id", ""), float(n.get("bias", "0")),
                [(c.get("from", ""), float(c.get("weight", "0"))) for c in child_elements(n, scope, "Con")])
               for n in child_elements(layer, scope, "Neuron")]  # fmt: skip
    return neurons, activation, layer.get("normalizationMethod", network.get("normalizationMethod", "none"))


def _normalise(values: dict[str, float], neurons: list[str], method: str) -> None:
    if method == "simplemax":
        total = sum(values[n] for n in neurons)
        for n in neurons:
            values[n] = values[n] / total
    elif method == "softmax":
        total = sum(math.exp(values[n]) for n in neurons)
        for n in neurons:
            values[n] = math.exp(values[n]) / total
    elif method != "none":
        raise Unsupported(f"NeuralLayer normalization {method!r}")


def _classes(outputs: list[Element], scope: Scope, target: Target) -> Callable[[dict[str, float]], Prediction]:
    neurons: dict[Any, str] = {}
    for output in outputs:
        derived = child_element(output, scope, "DerivedField")
        norm = next((c for c in derived if scope.tag(c) == "NormDiscrete"), None) if derived is not None else None
        if norm is None:
            raise Unsupported("a classification NeuralOutput other than a NormDiscrete of the target")
        neurons[target.category(norm.get("value"))] = output.get("outputNeuron", "")
    classes = [c for c in target.categories if c in neurons] or list(neurons)

    def read(values: dict[str, float]) -> Prediction:
        probabilities = {c: values[neurons[c]] for c in classes}
        return Prediction(max(probabilities, key=probabilities.__getitem__), probabilities)

    return read


def _regression(outputs: list[Element], scope: Scope, target: Target) -> Callable[[dict[str, float]], Prediction]:
    if len(outputs) != 1:
        raise Unsupported("a regression NeuralNetwork with other than one NeuralOutput")
    neuron = outputs[0].get("outputNeuron", "")
    derived = child_element(outputs[0], scope, "DerivedField")
    expression = next((c for c in derived if scope.tag(c) not in ("Extension", "Value")), None) \
        if derived is not None else None  # fmt: skip
    if expression is None or scope.tag(expression) not in ("FieldRef", "NormContinuous"):
        raise Unsupported("a regression NeuralOutput other than a FieldRef or a NormContinuous")
    if scope.tag(expression) == "FieldRef":
        return lambda values: Prediction(values[neuron])
    points = [(float(p.get("orig", "0")), float(p.get("norm", "0"))) for p in expression
              if scope.tag(p) == "LinearNorm"]  # fmt: skip

    def undo(values: dict[str, float]) -> Prediction:
        y = values[neuron]
        i = next((k for k in range(len(points) - 1) if y <= points[k + 1][1]), len(points) - 2)
        (x0, y0), (x1, y1) = points[i], points[i + 1]
        return Prediction(x0 + (y - y0) * (x1 - x0) / (y1 - y0))

    return undo
