"""One way to score a PMML model, whichever engine does it: compiled when it can, pypmml when it cannot.

`load_scorer` parses the document safely, compiles it, and falls back to pypmml for what the compiled
engine does not cover, saying why (`Scorer.engine`, `Scorer.fallback_reason`): never a silent guess.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pmml_engine.compiled import CompiledModel
from pmml_engine.document import PmmlDocument, PmmlError, choose_score_field, read_document
from pmml_engine.expressions import Unsupported
from pmml_engine.reference import load_model

ENGINES = ("auto", "compiled", "pypmml")


@dataclass
class Scorer:
    """A loaded model: its schema, the engine that scores it and why, and its output fields in order."""

    document: PmmlDocument
    engine: str  # "compiled" or "pypmml"
    fallback_reason: str | None  # why pypmml scores it, when it does
    output_names: tuple[str, ...]
    input_names: tuple[str, ...]
    _one: Callable[[dict[str, Any]], dict[str, Any]]
    _batch: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
    fast_path_reason: str | None = None  # compiled, but why no record takes the fast path, when none does

    def score_one(self, record: dict[str, Any]) -> dict[str, Any]:
        """Every output field for one record, None where the model gives no value."""
        return self._one(record)

    def score_batch(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self._batch(records)

    def score_field(self, preferred: str | None = None) -> str:
        """The output that is 'the score': as configured, else P(positive class), else the last output."""
        return choose_score_field(self.output_names, preferred)


def load_scorer(pmml: bytes, engine: str = "auto") -> Scorer:
    """The model, scored by `engine`: auto (compiled, else pypmml with the reason), compiled, or pypmml."""
    if engine not in ENGINES:
        raise PmmlError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    document, root, ns = read_document(pmml)
    reason = None
    if engine != "pypmml":
        try:
            compiled = CompiledModel(root, ns)
        except Unsupported as exc:
            if engine == "compiled":
                raise PmmlError(f"the compiled engine cannot score this model: {exc}") from None
            reason = f"not compiled: {exc}"
        except (ValueError, TypeError, KeyError, IndexError, ArithmeticError) as exc:
            # A malformed attribute (intercept="x"): a bad document, which must not crash whoever loads it.
            raise PmmlError(f"the PMML has a value that cannot be read: {type(exc).__name__}: {exc}") from None
        else:
            inputs = tuple(name for name, _ in compiled.inputs)
            return Scorer(document, "compiled", None, tuple(compiled.output_names), inputs, compiled.score_one,
                          compiled.score_batch, compiled.fast_path_reason)  # fmt: skip
    return _pypmml_scorer(pmml, document, reason)


def _pypmml_scorer(pmml: bytes, document: PmmlDocument, reason: str | None) -> Scorer:
    reference = load_model(pmml, document)
    names = reference.output_names

    def one(record: dict[str, Any]) -> dict[str, Any]:
        outputs = reference.score_one({k: _missing_as_none(v) for k, v in record.items()})
        return {name: _missing_as_none(outputs.get(name)) for name in names}

    def batch(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{name: _missing_as_none(row.get(name)) for name in names} for row in reference.score_many(records)]

    return Scorer(document, "pypmml", reason, names, reference.input_names, one, batch)


_MISSING_INTEGER = -(2**63)  # pypmml's value for a missing integer (a NaN cast to a Java long)


def _missing_as_none(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return None if isinstance(value, int) and value == _MISSING_INTEGER else value
