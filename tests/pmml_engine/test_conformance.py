"""The compiled engine gives what pypmml gives: every output field, relative tolerance 1e-9, on records
with missing values, unseen categories and wrong types, for each kind of model fraud teams export."""

from __future__ import annotations

import math
import random

import pytest

from pmml_engine.engine import load_scorer
from tests.pmml_engine.conftest import payments

FAST_KINDS = ["logistic regression", "gradient boosting", "hist gradient boosting", "xgboost", "random forest",
              "decision tree", "isolation forest", "multinomial logistic regression", "poisson regression"]  # fmt: skip
KINDS = [*FAST_KINDS, "lightgbm", "naive bayes", "neural network", "k-means", "nearest neighbours"]


def records() -> list[dict]:
    frame = payments(400, seed=3)
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    rng = random.Random(4)
    for row in rows[:80]:  # the gaps production brings: no channel, a new country, no count at all
        row[rng.choice(["channel", "country", "txn_count_1h", "amount"])] = rng.choice([None, "XX", 0.0, -3.5])
    return rows


def same(expected, got) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    if isinstance(expected, float) or isinstance(got, float):
        return math.isclose(expected, got, rel_tol=1e-9, abs_tol=1e-12)
    return expected == got


@pytest.mark.parametrize("kind", KINDS)
def test_every_output_equals_pypmmls(exported, kind):
    compiled = load_scorer(exported[kind], engine="compiled")
    reference = load_scorer(exported[kind], engine="pypmml")
    assert compiled.engine == "compiled" and compiled.fallback_reason is None
    assert compiled.output_names == reference.output_names
    mismatches = []
    for record in records():
        expected, got = reference.score_one(record), compiled.score_one(record)
        if list(got) != list(expected) or not all(same(expected[k], got[k]) for k in expected):
            mismatches.append((record, expected, got))
    assert mismatches == []


@pytest.mark.parametrize("kind", KINDS)
def test_a_batch_gives_what_one_record_at_a_time_gives(exported, kind):
    scorer = load_scorer(exported[kind])
    rows = records()
    assert scorer.score_batch(rows) == [scorer.score_one(r) for r in rows]
