"""Reasons on models whose answer is known by hand: a linear model (each contribution is coefficient x
distance from the baseline), a logistic regression (the same in log-odds), a tree where one input decides,
a scorecard with its own reason codes; and the baselines a model without a card falls back to."""

from __future__ import annotations

import math

import pytest

from explain import Baseline, ExplainError, baselines, explain
from explain.reasons import CARD, PMML_REPLACEMENT, NoBaselineError
from pmml_engine import load_scorer
from tests.pmml_models import logistic

NS = 'xmlns="http://www.dmg.org/PMML-4_4" version="4.4"'


def linear(coefficients: dict[str, float], intercept: float = 0.5, replacements: dict[str, str] | None = None) -> bytes:
    """A regression with no link: the score is intercept + sum of coefficient x input."""
    replacements = replacements or {}
    fields = "".join(f'<DataField name="{n}" optype="continuous" dataType="double"/>' for n in coefficients)
    mining = "".join(
        f'<MiningField name="{n}"'
        + (f' missingValueReplacement="{replacements[n]}"' if n in replacements else "")
        + "/>"
        for n in coefficients
    )
    predictors = "".join(f'<NumericPredictor name="{n}" coefficient="{c}"/>' for n, c in coefficients.items())
    return f"""<PMML {NS}><Header/><DataDictionary>{fields}
<DataField name="y" optype="continuous" dataType="double"/></DataDictionary>
<RegressionModel functionName="regression"><MiningSchema><MiningField name="y" usageType="target"/>{mining}
</MiningSchema><Output><OutputField name="score" optype="continuous" dataType="double" feature="predictedValue"/>
</Output><RegressionTable intercept="{intercept}">{predictors}</RegressionTable></RegressionModel></PMML>""".encode()


TREE = f"""<PMML {NS}><Header/><DataDictionary>
<DataField name="amount" optype="continuous" dataType="double"/>
<DataField name="hour" optype="continuous" dataType="double"/>
<DataField name="y" optype="continuous" dataType="double"/></DataDictionary>
<TreeModel functionName="regression"><MiningSchema><MiningField name="y" usageType="target"/>
<MiningField name="amount"/><MiningField name="hour"/></MiningSchema>
<Output><OutputField name="score" optype="continuous" dataType="double" feature="predictedValue"/></Output>
<Node score="0.1"><True/>
  <Node score="0.9"><SimplePredicate field="amount" operator="greaterThan" value="500"/></Node>
  <Node score="0.1"><True/></Node>
</Node></TreeModel></PMML>""".encode()

SCORECARD = f"""<PMML {NS}><Header/><DataDictionary>
<DataField name="amount" optype="continuous" dataType="double"/>
<DataField name="age" optype="continuous" dataType="double"/>
<DataField name="y" optype="continuous" dataType="double"/></DataDictionary>
<Scorecard functionName="regression" useReasonCodes="true" reasonCodeAlgorithm="pointsBelow" initialScore="0">
<MiningSchema><MiningField name="y" usageType="target"/><MiningField name="amount"/><MiningField name="age"/>
</MiningSchema><Output>
<OutputField name="points" optype="continuous" dataType="double" feature="predictedValue"/>
<OutputField name="reason1" optype="categorical" dataType="string" feature="reasonCode" rank="1"/>
<OutputField name="reason2" optype="categorical" dataType="string" feature="reasonCode" rank="2"/></Output>
<Characteristics>
<Characteristic name="by_amount" reasonCode="LARGE_AMOUNT" baselineScore="30">
  <Attribute partialScore="30"><SimplePredicate field="amount" operator="lessOrEqual" value="100"/></Attribute>
  <Attribute partialScore="5"><True/></Attribute></Characteristic>
<Characteristic name="by_age" reasonCode="NEW_ACCOUNT" baselineScore="20">
  <Attribute partialScore="20"><SimplePredicate field="age" operator="greaterThan" value="30"/></Attribute>
  <Attribute partialScore="12"><True/></Attribute></Characteristic>
</Characteristics></Scorecard></PMML>""".encode()


def explained(pmml: bytes, record: dict, card: dict | None, score_field: str):
    scorer = load_scorer(pmml)
    return explain(scorer, record, baselines(scorer.document, card), score_field)


def test_a_linear_model_contributes_coefficient_times_distance_from_baseline_in_that_order():
    coefficients = {"amount": 0.002, "velocity": 0.3, "distance_km": -0.0005, "age_days": 0.0}
    record = {"amount": 1161.07, "velocity": 2.0, "distance_km": 4200.0, "age_days": 900.0}
    card = {"baselines": {"amount": 42.10, "velocity": 1.0, "distance_km": 12.0, "age_days": 400.0}}
    explanation = explained(linear(coefficients), record, card, "score")
    expected = {n: c * (record[n] - card["baselines"][n]) for n, c in coefficients.items()}
    assert [c.input for c in explanation.contributions] == sorted(expected, key=lambda n: -abs(expected[n]))
    for c in explanation.contributions:
        assert c.contribution == pytest.approx(expected[c.input], abs=1e-12)
        assert (c.value, c.baseline, c.baseline_source) == (record[c.input], card["baselines"][c.input], CARD)
    assert [c.input for c in explanation.top(5)] == ["amount", "distance_km", "velocity"]  # age_days: zero
    assert explanation.baseline_score == pytest.approx(
        0.5 + sum(c * card["baselines"][n] for n, c in coefficients.items())
    )


def test_a_logistic_regression_contributes_in_log_odds_exactly_with_the_coefficients_sign():
    coefficients = {"amount": 0.004, "new_device": 1.5, "tenure_years": -0.2}
    record = {"amount": 900.0, "new_device": 1.0, "tenure_years": 12.0}
    card = {"baselines": {"amount": 40.0, "new_device": 0.0, "tenure_years": 3.0}}
    explanation = explained(logistic(coefficients), record, card, "probability(1)")
    logit = lambda p: math.log(p / (1 - p))  # noqa: E731
    distance = {n: c * (record[n] - card["baselines"][n]) for n, c in coefficients.items()}
    for c in explanation.contributions:
        alone = explanation.score - c.contribution
        assert logit(explanation.score) - logit(alone) == pytest.approx(distance[c.input], rel=1e-9)
        assert math.copysign(1, c.contribution) == math.copysign(1, distance[c.input])
    by_log_odds = sorted(distance, key=lambda n: -abs(distance[n]))
    assert by_log_odds == ["amount", "tenure_years", "new_device"]
    # In probability the S-curve weighs a move up more than an equal move down from 0.67: tenure (-1.8 in
    # log-odds) moves the score less than the new device (+1.5) does. The ranking is by the score's change.
    assert [c.input for c in explanation.contributions] == ["amount", "new_device", "tenure_years"]


def test_in_a_tree_where_one_input_decides_it_gets_the_whole_difference_and_the_other_none():
    card = {"baselines": {"amount": 40.0, "hour": 14.0}}
    explanation = explained(TREE, {"amount": 1200.0, "hour": 3.0}, card, "score")
    assert [(c.input, c.contribution) for c in explanation.contributions] == [
        ("amount", pytest.approx(0.8)),
        ("hour", 0.0),
    ]
    assert explanation.baseline_score == pytest.approx(0.1)
    quiet = explained(TREE, {"amount": 60.0, "hour": 3.0}, card, "score")  # below the split: nothing moved it
    assert [c.contribution for c in quiet.contributions] == [0.0, 0.0]
    assert quiet.top() == []


def test_a_scorecard_gives_its_own_reason_codes_next_to_the_contributions():
    card = {"baselines": {"amount": 50.0, "age": 400.0}}
    explanation = explained(SCORECARD, {"amount": 700.0, "age": 10.0}, card, "points")
    assert explanation.score == 17.0
    assert explanation.reason_codes == ("LARGE_AMOUNT", "NEW_ACCOUNT")  # 25 points missed, then 8
    assert [(c.input, c.contribution) for c in explanation.contributions] == [("amount", -25.0), ("age", -8.0)]


def test_without_a_card_the_pmml_missing_value_replacement_is_the_baseline_and_says_so():
    pmml = linear({"amount": 0.01, "velocity": 0.5}, replacements={"amount": "40"})
    explanation = explained(pmml, {"amount": 140.0, "velocity": 3.0}, None, "score")
    assert [(c.input, c.baseline, c.baseline_source) for c in explanation.contributions] == [
        ("amount", 40.0, PMML_REPLACEMENT)
    ]
    assert explanation.contributions[0].contribution == pytest.approx(1.0)
    assert explanation.without_baseline == ("velocity",)


def test_a_missing_input_is_explained_as_what_the_model_reads_for_it():
    pmml = linear({"amount": 0.01, "velocity": 0.5}, replacements={"amount": "40", "velocity": "1"})
    card = {"baselines": {"amount": 40.0, "velocity": 2.0}}
    explanation = explained(pmml, {"amount": None, "velocity": 2.0}, card, "score")
    amount = next(c for c in explanation.contributions if c.input == "amount")
    assert (amount.value, amount.contribution) == (None, 0.0)  # missing reads as 40, the baseline


REFUSALS = {
    "no baseline at all": (linear({"amount": 0.01}), {"amount": 3.0}, None, NoBaselineError, "no input of the model"),
    "a value of the wrong type": (
        logistic({"amount": 0.01}),
        {"amount": "lots"},
        {"baselines": {"amount": 1.0}},
        ExplainError,
        "the model gives no score ('probability(1)') for this record",
    ),
}


@pytest.mark.parametrize("pmml, record, card, error, message", REFUSALS.values(), ids=REFUSALS.keys())
def test_what_cannot_be_explained_says_why(pmml, record, card, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        explained(pmml, record, card, "probability(1)" if b"probability(1)" in pmml else "score")


def test_a_card_baseline_wins_over_the_pmml_replacement():
    scorer = load_scorer(linear({"amount": 0.01}, replacements={"amount": "40"}))
    assert baselines(scorer.document, {"baselines": {"amount": 42.1}}) == {"amount": Baseline(42.1, CARD)}
