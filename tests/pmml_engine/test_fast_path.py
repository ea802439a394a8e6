"""The fast path (pmml_engine.fastpath) keeps the common record and gives exactly what the general
evaluator gives; what it does not keep, the general evaluator scores. A batch walks a forest over arrays
(pmml_engine.forestarrays) and gives exactly what one record at a time gives."""

from __future__ import annotations

import random
from typing import Any

import pytest

from pmml_engine.compiled import CompiledModel
from pmml_engine.document import read_document
from tests.pmml_engine.conftest import payments
from tests.pmml_engine.test_conformance import FAST_KINDS, KINDS, records


class Watched(CompiledModel):
    """A compiled model that counts the records its fast path hands to the general evaluator."""

    def __init__(self, pmml: bytes) -> None:
        self.handed_over: list[dict[str, Any]] = []
        _, root, ns = read_document(pmml)
        super().__init__(root, ns)

    def score_general(self, record: dict[str, Any]) -> dict[str, Any]:
        self.handed_over.append(record)
        return super().score_general(record)


def clean_records() -> list[dict[str, Any]]:
    """Payments as a stream brings them: some amounts missing (the model replaces them), counts as ints."""
    frame = payments(300, seed=11)
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for row in rows[::3]:
        row["txn_count_1h"] = int(row["txn_count_1h"])
    return rows


ODD_VALUES = [("amount", "12.5"), ("amount", True), ("amount", float("nan")), ("amount", 10**400),
              ("amount", [1.0]), ("txn_count_1h", None), ("country", "XX"), ("country", 7), ("channel", None),
              ("amount", float("inf")), ("amount", -0.0)]  # fmt: skip


@pytest.mark.parametrize("kind", FAST_KINDS)
def test_every_exported_regression_and_tree_model_has_a_fast_path(exported, kind):
    assert Watched(exported[kind]).fast_path_reason is None


@pytest.mark.parametrize("kind", FAST_KINDS)
def test_the_common_record_never_leaves_the_fast_path(exported, kind):
    model = Watched(exported[kind])
    for record in clean_records():
        model.score_one(record)
    model.score_batch(clean_records())
    assert model.handed_over == []


@pytest.mark.parametrize("kind", KINDS)
def test_the_fast_path_gives_exactly_what_the_general_evaluator_gives(exported, kind):
    model = Watched(exported[kind])
    rows = clean_records() + records()
    for field, value in ODD_VALUES:
        rows += [{**row, field: value} for row in rows[:5]]
    assert [model.score_one(row) for row in rows] == [CompiledModel.score_general(model, row) for row in rows]
    odd = len(ODD_VALUES) * 5
    assert len(model.handed_over) >= odd  # every odd value went to the general evaluator


@pytest.mark.parametrize("kind", KINDS)
def test_a_batch_of_any_size_gives_what_one_record_at_a_time_gives(exported, kind):
    model = Watched(exported[kind])
    rows = records() + [{**row, "amount": "odd"} for row in clean_records()[:7]]
    random.Random(5).shuffle(rows)
    for size in (0, 1, 2, 300, len(rows)):
        assert model.score_batch(rows[:size]) == [model.score_one(row) for row in rows[:size]]


HEAD = """<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/><DataDictionary>
  <DataField name="y" optype="{optype}" dataType="{target_type}">{target_values}</DataField>
  <DataField name="x" optype="continuous" dataType="double"/>
  <DataField name="n" optype="continuous" dataType="integer"/>
  <DataField name="c" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/><Value value="c"/>
  </DataField></DataDictionary>"""
SCHEMA = """<MiningSchema><MiningField name="y" usageType="target"/><MiningField name="x"/>
  <MiningField name="n" missingValueReplacement="2"/><MiningField name="c"/></MiningSchema>"""
TREE_SCHEMA = '<MiningSchema><MiningField name="x"/><MiningField name="n"/><MiningField name="c"/></MiningSchema>'


def random_predicate(rng: random.Random) -> str:
    kind = rng.choice(["x", "x", "x", "n", "c", "set", "true", "false"])
    if kind == "x":
        operator = rng.choice(["lessOrEqual", "lessThan", "greaterThan", "greaterOrEqual", "equal", "notEqual"])
        return f'<SimplePredicate field="x" operator="{operator}" value="{rng.choice([0, 0.5, 1.25, -2])}"/>'
    if kind == "n":
        operator = rng.choice(["lessOrEqual", "greaterThan", "equal", "notEqual"])
        return f'<SimplePredicate field="n" operator="{operator}" value="{rng.randint(0, 4)}"/>'
    if kind == "c":
        operator = rng.choice(["equal", "notEqual"])
        return f'<SimplePredicate field="c" operator="{operator}" value="{rng.choice("abc")}"/>'
    if kind == "set":
        operator = rng.choice(["isIn", "isNotIn"])
        return (f'<SimpleSetPredicate field="c" booleanOperator="{operator}"><Array type="string">'
                f'{" ".join(rng.sample("abc", 2))}</Array></SimpleSetPredicate>')  # fmt: skip
    return "<True/>" if kind == "true" else "<False/>"


def random_node(rng: random.Random, depth: int, classification: bool, predicate: str) -> str:
    if classification:
        p = rng.choice([0.0, 0.25, 0.5, 1.0, rng.random()])
        inner = (f'<ScoreDistribution value="0" recordCount="1" probability="{1 - p!r}"/>'
                 f'<ScoreDistribution value="1" recordCount="1" probability="{p!r}"/>')  # fmt: skip
        score = f'score="{int(p > 0.5)}"'
    else:
        inner, score = "", f'score="{rng.uniform(-3, 3)!r}"'
    children = 0 if depth == 0 or rng.random() < 0.2 else rng.randint(1, 3)
    inner += "".join(random_node(rng, depth - 1, classification, random_predicate(rng)) for _ in range(children))
    return f"<Node {score}>{predicate}{inner}</Node>"


def random_forest(rng: random.Random, classification: bool) -> bytes:
    trees = []
    for _ in range(rng.randint(1, 6)):
        no_true = rng.choice(["returnLastPrediction"] * 3 + ["returnNullPrediction"])
        root_predicate = rng.choice(["<True/>"] * 5 + [random_predicate(rng)])
        root = random_node(rng, rng.randint(1, 5), classification, root_predicate)
        trees.append(f'<Segment><True/><TreeModel functionName="{"classification" if classification else "regression"}"'
                     f' noTrueChildStrategy="{no_true}" missingValueStrategy="nullPrediction">{TREE_SCHEMA}{root}'
                     "</TreeModel></Segment>")  # fmt: skip
    function = "classification" if classification else "regression"
    method = "average" if classification else rng.choice(["sum", "average"])
    outputs = ('<OutputField name="p1" feature="probability" value="1" dataType="double"/>'
               '<OutputField name="label" feature="predictedValue" dataType="integer"/>' if classification else
               '<OutputField name="score" feature="predictedValue" dataType="double"/>')  # fmt: skip
    head = HEAD.format(optype="categorical" if classification else "continuous",
                       target_type="integer" if classification else "double",
                       target_values='<Value value="0"/><Value value="1"/>' if classification else "")  # fmt: skip
    return (f'{head}<MiningModel functionName="{function}">{SCHEMA}<Output>{outputs}</Output>'
            f'<Segmentation multipleModelMethod="{method}" missingPredictionTreatment="returnMissing">'
            f'{"".join(trees)}</Segmentation></MiningModel></PMML>').encode()  # fmt: skip


def random_record(rng: random.Random) -> dict[str, Any]:
    """Mostly what the fast path keeps; now and then a missing or unknown value, which it hands over."""
    return {"x": rng.choice([None, 0, 0.5, 1.25, -2, *(rng.uniform(-3, 3) for _ in range(5))]),
            "n": rng.choice([None, 0, 1, 2, 3, 4]), "c": rng.choice([None, "d", *"abcabcabc"])}  # fmt: skip


@pytest.mark.parametrize("classification", [False, True], ids=["regression", "classification"])
def test_random_forests_walked_over_arrays_give_what_each_record_gives(classification):
    """Every operator, sets, True and False, nodes of one to three children, both no-true-child strategies,
    values on the thresholds: the batch, the fast path and the general evaluator agree to the last bit."""
    rng = random.Random(17 + classification)
    kept = 0
    for _ in range(60):
        model = Watched(random_forest(rng, classification))
        rows = [random_record(rng) for _ in range(80)]
        expected = [CompiledModel.score_general(model, row) for row in rows]
        assert [model.score_one(row) for row in rows] == expected
        model.handed_over.clear()
        assert model.score_batch(rows) == expected
        kept += len(rows) - len(model.handed_over)
    assert kept > 60 * 80 / 4  # many records were walked over arrays, not handed over


def test_a_forest_whose_sum_is_the_prediction_has_a_fast_path_too():
    """No Targets, no Output: nothing is computed after the trees (its batch code once failed to compile,
    which failed the deploy); pypmml's default output field, one record and a batch, as the general way."""
    rng = random.Random(5)
    trees = "".join(f'<Segment><True/><TreeModel functionName="regression">{TREE_SCHEMA}'
                    f'{random_node(rng, 3, False, "<True/>")}</TreeModel></Segment>' for _ in range(4))  # fmt: skip
    head = HEAD.format(optype="continuous", target_type="double", target_values="")
    segmentation = f'<Segmentation multipleModelMethod="sum" missingPredictionTreatment="returnMissing">{trees}'
    model = Watched(f'{head}<MiningModel functionName="regression">{SCHEMA}{segmentation}</Segmentation>'
                    "</MiningModel></PMML>".encode())  # fmt: skip
    assert model.fast_path_reason is None
    rows = [random_record(rng) for _ in range(50)]
    expected = [CompiledModel.score_general(model, row) for row in rows]
    assert [model.score_one(row) for row in rows] == expected
    assert model.score_batch(rows) == expected
    assert set(expected[0]) == {"predicted_y"}


NORMALISED = """<RegressionModel functionName="regression">{schema}
<Output><OutputField name="y_hat" feature="predictedValue" dataType="double"/></Output>
<LocalTransformations><DerivedField name="nx" optype="continuous" dataType="double">
  <NormContinuous field="x"><LinearNorm orig="0" norm="0"/><LinearNorm orig="10" norm="1"/></NormContinuous>
</DerivedField></LocalTransformations>
<RegressionTable intercept="1"><NumericPredictor name="nx" coefficient="2"/></RegressionTable></RegressionModel>"""


def test_a_model_the_fast_path_does_not_follow_says_why_and_is_scored_the_general_way():
    head = HEAD.format(optype="continuous", target_type="double", target_values="")
    model = Watched(f"{head}{NORMALISED.format(schema=SCHEMA)}</PMML>".encode())
    assert model.fast_path_reason == "DerivedField 'nx' in the fast path"
    assert model.score_one({"x": 5.0, "n": 1, "c": "a"}) == {"y_hat": 2.0}
    assert model.score_batch([{"x": 10.0, "n": 1, "c": "a"}]) == [{"y_hat": 3.0}]
    assert len(model.handed_over) == 2
