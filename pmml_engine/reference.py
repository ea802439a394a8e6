"""The reference evaluator: pypmml (Apache-2.0), one record per call."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pmml_engine.document import PmmlDocument, PmmlError, choose_score_field, parse_pmml


@dataclass
class ReferenceModel:
    """A PMML model checked by parse_pmml and evaluated by pypmml."""

    document: PmmlDocument
    _model: Any

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.document.inputs)

    @property
    def output_names(self) -> tuple[str, ...]:
        return tuple(self._model.outputNames)

    def score_many(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Many records in one pypmml call (a DataFrame), outputs as score_one gives them."""
        import pandas as pd

        frame = self._model.predict(pd.DataFrame(records, columns=list(self.input_names)))
        return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]

    def score_one(self, record: dict[str, Any]) -> dict[str, Any]:
        """Every PMML output field for one record; missing inputs are passed as missing."""
        inputs = {name: record.get(name) for name in self.input_names}
        outputs = self._model.predict(inputs)
        return {k: _plain(v) for k, v in outputs.items()}

    def score_field(self, preferred: str | None = None) -> str:
        """The output that is 'the score' (see choose_score_field)."""
        return choose_score_field(self.document.outputs or self.output_names, preferred)


def load_model(pmml: bytes, document: PmmlDocument | None = None) -> ReferenceModel:
    """Check the document safely (unless the caller has: `document`), then hand it to pypmml."""
    document = document or parse_pmml(pmml)
    from pypmml import Model  # starts a JVM on first use: import only when a model is loaded

    try:
        model = Model.fromString(pmml.decode("utf-8"))
    except Exception as exc:  # pypmml raises Py4J errors with a Java trace: keep only the reason
        reason = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
        raise PmmlError(f"pypmml cannot load the model: {reason}") from None
    return ReferenceModel(document, model)


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
