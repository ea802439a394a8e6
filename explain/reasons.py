"""Reasons for a score: each input's contribution is how much the score changes when that input alone is set
to its baseline (a typical value from the training data), everything else as the event had it. Signed (a
positive contribution pushed the score up) and ranked by size. A local, one-at-a-time attribution: it says
what moved this score given the rest of this event, not what caused the fraud, and contributions need not
add up to the score's distance from the baseline score when inputs interact (trees do)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fraudscore.errors import FraudError
from pmml_engine import PmmlDocument, Scorer

CARD = "model card"  # the median or most frequent value of the training data, as `fraudscore train` records it
PMML_REPLACEMENT = "PMML missing-value replacement"  # what the model reads for a missing input


class ExplainError(FraudError):
    """A record the model cannot be asked about (it gives no score for it)."""


class NoBaselineError(ExplainError):
    """A model with no baseline for any of its inputs: nothing to set an input to."""


@dataclass(frozen=True)
class Baseline:
    value: Any
    source: str  # CARD or PMML_REPLACEMENT


@dataclass(frozen=True)
class Contribution:
    input: str
    value: Any  # as the event had it (None: missing)
    baseline: Any
    baseline_source: str
    contribution: float | None  # score - the score with this input alone at its baseline; None: no such score


@dataclass(frozen=True)
class Explanation:
    score: float
    baseline_score: float | None  # every input with a baseline at it: what a typical event scores
    contributions: tuple[Contribution, ...]  # largest first, by size
    without_baseline: tuple[str, ...]  # inputs that could not be explained
    reason_codes: tuple[str, ...]  # the model's own (a Scorecard's), in its order

    def top(self, n: int = 3) -> list[Contribution]:
        """The n largest contributions that are not zero."""
        return [c for c in self.contributions if c.contribution][:n]


def baselines(document: PmmlDocument, card: Mapping[str, Any] | None) -> dict[str, Baseline]:
    """Each input's baseline: the model card's (`fraudscore train` records the training median or most
    frequent value), else the PMML's missing-value replacement (sklearn2pmml writes the imputer's training
    median), else none.

    >>> from pmml_engine.document import DataField
    >>> doc = PmmlDocument("4.4", "RegressionModel", "classification",
    ...                    (DataField("amount", "continuous", "double"), DataField("n", "continuous", "integer")),
    ...                    (), (), replacements=(("amount", "12.5"), ("n", "3")))
    >>> known = baselines(doc, {"baselines": {"amount": 42.1}})
    >>> known["amount"], known["n"].value, known["n"].source
    (Baseline(value=42.1, source='model card'), 3, 'PMML missing-value replacement')
    """
    from_card = (card or {}).get("baselines") or {}
    replaced = dict(document.replacements)
    result = {}
    for field in document.inputs:
        if from_card.get(field.name) is not None:
            result[field.name] = Baseline(from_card[field.name], CARD)
        elif field.name in replaced:
            result[field.name] = Baseline(_typed(replaced[field.name], field.data_type), PMML_REPLACEMENT)
    return result


def explain(scorer: Scorer, record: Mapping[str, Any], known: Mapping[str, Baseline], score_field: str) -> Explanation:
    """The record's score and each input's contribution to it, scored in one batch: the record, the record
    with each input alone at its baseline, and every input at its baseline."""
    inputs = scorer.input_names
    explained = [name for name in inputs if name in known]
    if not explained:
        raise NoBaselineError(
            "no input of the model has a baseline: its model card has no 'baselines' (`fraudscore train` writes "
            "them) and its PMML names no missing-value replacement"
        )
    rows = [dict(record)]
    rows += [{**record, name: known[name].value} for name in explained]
    rows.append({**record, **{name: known[name].value for name in explained}})
    outputs = scorer.score_batch(rows)
    score = _number(outputs[0].get(score_field))
    if score is None:
        raise ExplainError(
            f"the model gives no score ({score_field!r}) for this record: check that it has the model's inputs "
            f"({', '.join(inputs)}) with values of their types"
        )
    contributions = []
    for name, scored in zip(explained, outputs[1:-1], strict=True):
        alone = _number(scored.get(score_field))
        base = known[name]
        change = None if alone is None else score - alone
        contributions.append(Contribution(name, record.get(name), base.value, base.source, change))
    contributions.sort(key=lambda c: -abs(c.contribution) if c.contribution is not None else math.inf)
    codes = tuple(str(outputs[0][name]) for name in scorer.document.reason_codes if outputs[0].get(name) is not None)
    return Explanation(
        score=score,
        baseline_score=_number(outputs[-1].get(score_field)),
        contributions=tuple(contributions),
        without_baseline=tuple(name for name in inputs if name not in known),
        reason_codes=codes,
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _typed(text: str, data_type: str) -> Any:
    if data_type in ("double", "float"):
        return float(text)
    if data_type == "integer":
        return int(float(text))
    if data_type == "boolean":
        return text.strip().lower() in ("true", "1")
    return text
