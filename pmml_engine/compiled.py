"""A whole PMML document compiled once into a Python evaluator: inputs typed as the DataDictionary says,
the TransformationDictionary, the model, and the output fields named as pypmml names them."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

from pmml_engine.default_outputs import default_outputs
from pmml_engine.document import is_model
from pmml_engine.expressions import Scope, Unsupported, cast, caster
from pmml_engine.fastpath import fast_path
from pmml_engine.models import build_model
from pmml_engine.parts import DataField, Invalid
from pmml_engine.surroundings import derived_fields


class CompiledModel:
    """Scores records with no JVM: `score_one` for the stream, `score_batch` for many records at once."""

    def __init__(self, root: Element, ns: str) -> None:
        self.fields = _data_dictionary(root, ns)
        scope = Scope({name: f.data_type for name, f in self.fields.items()}, ns,
                      {name: f.values for name, f in self.fields.items() if f.values})  # fmt: skip
        model = next((c for c in root if is_model(scope.tag(c))), None)
        if model is None:
            raise Unsupported("no model element")
        if len([c for c in root if is_model(scope.tag(c))]) > 1:
            raise Unsupported("several model elements")
        schema = next((c for c in model if scope.tag(c) == "MiningSchema"), None)
        mining = [m for m in schema if scope.tag(m) == "MiningField"] if schema is not None else []
        self.inputs = [(m.get("name", ""), self.fields[m.get("name", "")].data_type) for m in mining
                       if m.get("usageType", "active") == "active" and m.get("name", "") in self.fields]  # fmt: skip
        transformations = next((c for c in root if scope.tag(c) == "TransformationDictionary"), None)
        self._transform = derived_fields(transformations, scope)
        self._model = build_model(model, scope, self.fields)
        self._casters = [(name, caster(data_type)) for name, data_type in self.inputs]
        names = _output_names(model, scope)
        self._defaults = default_outputs(model, scope, self.fields) if names is None else []
        self.output_names = [name for name, _ in self._defaults] if names is None else names
        self.fast_path_reason: str | None = None  # why every record takes the general path, when it does
        try:
            fast = fast_path(model, scope, fields=self.fields, inputs=self.inputs, transformations=transformations,
                             output_names=self.output_names, slow=self.score_general)  # fmt: skip
        except Unsupported as exc:
            self.fast_path_reason = str(exc)
        else:
            self.score_one, self.score_batch = fast.score_one, fast.score_batch  # type: ignore[method-assign]

    def score_one(self, record: dict[str, Any]) -> dict[str, Any]:
        """Every visible output field for one record; None where pypmml gives a missing value (NaN)."""
        return self.score_general(record)

    def score_batch(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [self.score_general(record) for record in records]

    def score_general(self, record: dict[str, Any]) -> dict[str, Any]:
        """score_one by the evaluators of pmml_engine.models, which follow PMML for every record; the
        fast path (pmml_engine.fastpath) hands them the records it does not keep."""
        get = record.get
        env = {name: convert(get(name)) for name, convert in self._casters}
        try:
            prediction = self._model(self._transform(env))
        except Invalid:
            return dict.fromkeys(self.output_names)
        if self._defaults:
            return {name: read(prediction) for name, read in self._defaults}
        return {name: prediction.outputs.get(name) for name in self.output_names}


def _data_dictionary(root: Element, ns: str) -> dict[str, DataField]:
    fields = {}
    for element in root.iterfind(f"{ns}DataDictionary/{ns}DataField"):
        name, data_type = element.get("name", ""), element.get("dataType", "string")
        optype = element.get("optype", "")
        valid = [v.get("value") for v in element.iterfind(f"{ns}Value") if v.get("property", "valid") == "valid"]
        texts = tuple(dict.fromkeys(v for v in valid if v is not None)) if optype != "continuous" else ()
        ordered = tuple(cast(v, data_type) for v in texts)
        fields[name] = DataField(name, optype, data_type, frozenset(ordered) if ordered else None, ordered, texts)
    return fields


def _output_names(model: Element, scope: Scope) -> list[str] | None:
    output = next((c for c in model if scope.tag(c) == "Output"), None)
    if output is None and scope.tag(model) == "MiningModel":
        # A model chain answers with its last model's output fields (sklearn2pmml's boosting models).
        segmentation = next((c for c in model if scope.tag(c) == "Segmentation"), None)
        if segmentation is not None and segmentation.get("multipleModelMethod") == "modelChain":
            last = [c for c in segmentation if scope.tag(c) == "Segment"][-1]
            return _output_names(next(c for c in last if is_model(scope.tag(c))), scope)
    if output is None:
        return None  # pypmml's own output fields: pmml_engine.default_outputs
    return [o.get("name", "") for o in output if scope.tag(o) == "OutputField" and o.get("isFinalResult") != "false"]
