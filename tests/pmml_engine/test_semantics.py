"""Small hand-written PMML for the corners sklearn2pmml rarely reaches, each scored by both engines:
missing values under every tree strategy, invalid values, expressions, normalisations, segmentations."""

from __future__ import annotations

import math

import pytest

from pmml_engine.engine import load_scorer

HEAD = '<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/>'
DICTIONARY = """<DataDictionary>
  <DataField name="y" optype="continuous" dataType="double"/>
  <DataField name="c" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/></DataField>
  <DataField name="x" optype="continuous" dataType="double"/>
</DataDictionary>"""
TREE = """<TreeModel functionName="regression" missingValueStrategy="{missing}" noTrueChildStrategy="{no_true}">
<MiningSchema><MiningField name="y" usageType="target"/><MiningField name="c" invalidValueTreatment="{invalid}"/>
  <MiningField name="x"/></MiningSchema>
<Output><OutputField name="y_hat" feature="predictedValue" dataType="double"/></Output>
<Node score="1"><True/>
  <Node score="3"><SimplePredicate field="x" operator="lessOrEqual" value="0.5"/></Node>
  <Node score="2" id="n2"><SimplePredicate field="c" operator="equal" value="a"/>
    <Node score="5"><SimplePredicate field="x" operator="greaterThan" value="9"/></Node></Node>
  <Node score="4"><CompoundPredicate booleanOperator="or"><SimplePredicate field="c" operator="isMissing"/>
    <SimpleSetPredicate field="c" booleanOperator="isIn"><Array type="string">b "a b"</Array></SimpleSetPredicate>
  </CompoundPredicate></Node>
</Node></TreeModel>"""
RECORDS = [{"c": None, "x": 0.1}, {"c": "a", "x": None}, {"c": "b", "x": None}, {"c": "a", "x": 1.0},
           {"c": None, "x": None}, {"c": "b", "x": 20.0}, {"c": "z", "x": 0.1}, {"c": "a", "x": 10.0}]  # fmt: skip


def both(pmml: str) -> tuple:
    data = pmml.encode()
    return load_scorer(data, engine="compiled"), load_scorer(data, engine="pypmml")


def agree(compiled, reference, records) -> None:
    for record in records:
        expected, got = reference.score_one(record), compiled.score_one(record)
        assert got.keys() == expected.keys(), record
        for name, value in expected.items():
            if value is None:
                assert got[name] is None, (record, expected, got)
            else:
                assert math.isclose(got[name], value, rel_tol=1e-9), (record, expected, got)


@pytest.mark.parametrize(
    "missing", ["none", "nullPrediction", "lastPrediction", "weightedConfidence", "aggregateNodes"]
)
@pytest.mark.parametrize("no_true", ["returnLastPrediction", "returnNullPrediction"])
@pytest.mark.parametrize("invalid", ["returnInvalid", "asIs", "asMissing"])
def test_tree_missing_values_and_invalid_categories_as_pypmml_has_them(missing, no_true, invalid):
    tree = TREE.format(missing=missing, no_true=no_true, invalid=invalid)
    agree(*both(f"{HEAD}{DICTIONARY}{tree}</PMML>"), RECORDS)


REGRESSION = """<RegressionModel functionName="{function}" normalizationMethod="{method}">
<MiningSchema><MiningField name="y" usageType="target"/><MiningField name="c" invalidValueTreatment="asIs"/>
  <MiningField name="x" missingValueReplacement="2.5"/></MiningSchema>
<Output>{outputs}</Output>
<LocalTransformations><DerivedField name="lx" optype="continuous" dataType="double">
  <Apply function="ln"><Apply function="+"><FieldRef field="x"/><Constant>1</Constant></Apply></Apply>
</DerivedField></LocalTransformations>
<RegressionTable intercept="0.3" targetCategory="{first}"><NumericPredictor name="lx" coefficient="0.8"/>
  <NumericPredictor name="x" coefficient="-0.1" exponent="2"/>
  <CategoricalPredictor name="c" value="a" coefficient="1.5"/>
</RegressionTable>{more}
</RegressionModel>"""
CLASSES = """<DataDictionary>
  <DataField name="y" optype="categorical" dataType="string">
    <Value value="p"/><Value value="q"/><Value value="r"/>
  </DataField>
  <DataField name="c" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/></DataField>
  <DataField name="x" optype="continuous" dataType="double"/>
</DataDictionary>"""
PROBABILITIES = "".join(
    f'<OutputField name="p_{k}" feature="probability" value="{k}" dataType="double"/>' for k in "pqr"
)


@pytest.mark.parametrize("method", ["softmax", "simplemax"])
def test_multinomial_regressions_normalise_as_pypmml_does(method):
    more = ('<RegressionTable intercept="-0.2" targetCategory="q"><NumericPredictor name="x" coefficient="0.4"/>'
            '</RegressionTable><RegressionTable intercept="0" targetCategory="r"/>')  # fmt: skip
    model = REGRESSION.format(function="classification", method=method, outputs=PROBABILITIES, first="p", more=more)
    records = [{"c": c, "x": x} for c in ("a", "b", None) for x in (0.0, 1.5, None, 7.0)]
    agree(*both(f"{HEAD}{CLASSES}{model}</PMML>"), records)


def test_a_logit_over_three_categories_is_left_to_pypmml_and_says_so():
    more = '<RegressionTable intercept="0" targetCategory="q"/><RegressionTable intercept="0" targetCategory="r"/>'
    model = REGRESSION.format(function="classification", method="logit", outputs=PROBABILITIES, first="p", more=more)
    scorer = load_scorer(f"{HEAD}{CLASSES}{model}</PMML>".encode())
    assert (scorer.engine, scorer.fallback_reason) == ("pypmml", "not compiled: logit over 3 categories")


@pytest.mark.parametrize("method", ["none", "exp", "logit", "probit", "cloglog", "loglog", "cauchit"])
def test_binary_and_plain_regressions_with_transformations_as_pypmml_does(method):
    output = '<OutputField name="y_hat" feature="predictedValue" dataType="double"/>'
    model = REGRESSION.format(function="regression", method=method, outputs=output, first="", more="")
    records = [{"c": c, "x": x} for c in ("a", "b", None) for x in (0.0, 1.5, None, 7.0)]
    if method == "loglog":  # pypmml gives no value for it: the compiled engine does not guess one
        assert load_scorer(f"{HEAD}{DICTIONARY}{model}</PMML>".encode()).engine == "pypmml"
    else:
        agree(*both(f"{HEAD}{DICTIONARY}{model}</PMML>"), records)
    if method != "exp":
        two = CLASSES.replace('<Value value="r"/>', "")
        binary = REGRESSION.format(function="classification", method=method, outputs=PROBABILITIES, first="p",
                                   more='<RegressionTable intercept="0" targetCategory="q"/>')  # fmt: skip
        agree(*both(f"{HEAD}{two}{binary}</PMML>"), records)


DERIVED = """<LocalTransformations>
  <DerivedField name="ratio" optype="continuous" dataType="double">
    <Apply function="/"><FieldRef field="x"/>
      <Apply function="-"><FieldRef field="x"/><Constant>2</Constant></Apply></Apply>
  </DerivedField>
  <DerivedField name="logx" optype="continuous" dataType="double"><Apply function="ln"><FieldRef field="x"/></Apply>
  </DerivedField>
  <DerivedField name="gate" optype="continuous" dataType="double">
    <Apply function="if"><Apply function="isMissing"><FieldRef field="x"/></Apply><Constant>-1</Constant>
      <Apply function="max"><FieldRef field="x"/><Constant>3</Constant></Apply></Apply>
  </DerivedField>
</LocalTransformations>"""
EXPRESSIONS = f"""<RegressionModel functionName="regression">
<MiningSchema><MiningField name="y" usageType="target"/><MiningField name="x"/></MiningSchema>
<Output><OutputField name="y_hat" feature="predictedValue" dataType="double"/>
  <OutputField name="doubled" feature="transformedValue" dataType="double">
    <Apply function="*"><FieldRef field="y_hat"/><Constant>2</Constant></Apply></OutputField></Output>
{DERIVED}
<RegressionTable intercept="1"><NumericPredictor name="gate" coefficient="0.5"/></RegressionTable>
</RegressionModel>"""
MORE_TERMS = '<NumericPredictor name="ratio" coefficient="1"/><NumericPredictor name="logx" coefficient="1"/>'
WITH_RATIO = EXPRESSIONS.replace("</RegressionTable>", f"{MORE_TERMS}</RegressionTable>")


@pytest.mark.parametrize("model", [EXPRESSIONS, WITH_RATIO], ids=["if-isMissing-max", "division and log"])
def test_expressions_at_their_edges_as_pypmml_has_them(model):
    records = [{"x": x} for x in (None, 2.0, 0.0, -1.5, 5.0, 1e308)]  # x - 2 = 0, ln(0), ln(-1.5), overflow
    agree(*both(f"{HEAD}{DICTIONARY}{model}</PMML>"), records)


SCORECARD = """<DataDictionary>
  <DataField name="score" optype="continuous" dataType="double"/>
  <DataField name="age" optype="continuous" dataType="double"/>
  <DataField name="channel" optype="categorical" dataType="string">
    <Value value="web"/><Value value="atm"/><Value value="mobile"/></DataField>
  <DataField name="amount" optype="continuous" dataType="double"/>
</DataDictionary>
<Scorecard functionName="regression" useReasonCodes="true" reasonCodeAlgorithm="{algorithm}" initialScore="10"
    baselineMethod="other" {baseline}>
<MiningSchema><MiningField name="score" usageType="predicted"/><MiningField name="age"/>
  <MiningField name="channel" invalidValueTreatment="asMissing"/><MiningField name="amount"/></MiningSchema>
<Output><OutputField name="final" feature="predictedValue" dataType="double"/>
  <OutputField name="why1" feature="reasonCode" dataType="string"/>
  <OutputField name="why2" feature="reasonCode" rank="2" dataType="string"/>
  <OutputField name="why3" feature="reasonCode" rank="3" dataType="string"/></Output>
<Characteristics>
  <Characteristic name="age_score" reasonCode="RC_AGE" baselineScore="18">
    <Attribute partialScore="-1"><SimplePredicate field="age" operator="isMissing"/></Attribute>
    <Attribute partialScore="5"><SimplePredicate field="age" operator="lessOrEqual" value="25"/></Attribute>
    <Attribute partialScore="20"><SimplePredicate field="age" operator="lessThan" value="60"/></Attribute>
    <Attribute partialScore="30"><True/></Attribute>
  </Characteristic>
  <Characteristic name="channel_score" reasonCode="RC_CHANNEL" baselineScore="10">
    <Attribute partialScore="12" reasonCode="RC_WEB"><SimplePredicate field="channel" operator="equal" value="web"/>
    </Attribute>
    <Attribute partialScore="2"><SimpleSetPredicate field="channel" booleanOperator="isIn">
      <Array type="string">atm mobile</Array></SimpleSetPredicate></Attribute>
    <Attribute partialScore="4"><SimplePredicate field="channel" operator="isMissing"/></Attribute>
  </Characteristic>
  <Characteristic name="amount_score" reasonCode="RC_AMOUNT" baselineScore="8">
    <Attribute reasonCode="RC_BIG"><SimplePredicate field="amount" operator="greaterThan" value="1000"/>
      <ComplexPartialScore><Apply function="-"><Constant>8</Constant>
        <Apply function="/"><FieldRef field="amount"/><Constant>1000</Constant></Apply></Apply>
      </ComplexPartialScore></Attribute>
    <Attribute partialScore="8"><SimplePredicate field="amount" operator="greaterOrEqual" value="0"/></Attribute>
  </Characteristic>
</Characteristics></Scorecard>"""
SCORECARD_RECORDS = [
    {"age": a, "channel": c, "amount": m}
    for a in (None, 20.0, 25.0, 40.0, 70.0) for c in ("web", "atm", None, "fax") for m in (5.0, 5000.0, 1e4)
]  # fmt: skip


@pytest.mark.parametrize("algorithm", ["pointsBelow", "pointsAbove"])
@pytest.mark.parametrize("baseline", ["", 'baselineScore="9"'], ids=["per characteristic", "scorecard baseline"])
def test_scorecard_scores_and_reason_codes_as_pypmml_gives_them(algorithm, baseline):
    """Partial scores by the first true attribute, complex partial scores, reason codes ranked by points
    missed (an attribute's code before its characteristic's), padded with the last when fewer than asked."""
    model = SCORECARD.format(algorithm=algorithm, baseline=baseline)
    compiled, reference = both(f"{HEAD}{model}</PMML>")
    assert compiled.engine == "compiled"
    for record in SCORECARD_RECORDS:
        assert compiled.score_one(record) == reference.score_one(record), record


def test_a_scorecard_with_no_true_attribute_gives_no_score_where_pypmml_fails():
    model = SCORECARD.format(algorithm="pointsBelow", baseline="")
    compiled = load_scorer(f"{HEAD}{model}</PMML>".encode(), engine="compiled")
    for amount in (None, -1.0):  # no attribute of amount_score holds
        record = {"age": 30.0, "channel": "web", "amount": amount}
        assert compiled.score_one(record) == {"final": None, "why1": None, "why2": None, "why3": None}


GLM_DICTIONARY = """<DataDictionary>
  <DataField name="y" optype="{optype}" dataType="{target_type}">{target_values}</DataField>
  <DataField name="x" optype="continuous" dataType="double"/>
  <DataField name="c" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/></DataField>
</DataDictionary>"""
GLM = """<GeneralRegressionModel functionName="{function}" modelType="{model_type}" {extra}>
<MiningSchema><MiningField name="y" usageType="target"/><MiningField name="x"/><MiningField name="c"/></MiningSchema>
<Output>{outputs}</Output>
<ParameterList><Parameter name="p0"/><Parameter name="p1"/><Parameter name="p2"/><Parameter name="p3"/>
  <Parameter name="p4"/></ParameterList>
<FactorList><Predictor name="c"/></FactorList><CovariateList><Predictor name="x"/></CovariateList>
<PPMatrix><PPCell value="1" predictorName="x" parameterName="p1"/>
  <PPCell value="2" predictorName="x" parameterName="p2"/>
  <PPCell value="a" predictorName="c" parameterName="p3"/>
  <PPCell value="b" predictorName="c" parameterName="p4"/><PPCell value="1" predictorName="x" parameterName="p4"/>
</PPMatrix>
<ParamMatrix>{cells}</ParamMatrix></GeneralRegressionModel>"""
GLM_CELLS = ('<PCell {category} parameterName="p0" beta="{b0}"/><PCell {category} parameterName="p1" beta="0.3"/>'
             '<PCell {category} parameterName="p2" beta="-0.05"/><PCell {category} parameterName="p3" beta="{b3}"/>'
             '<PCell {category} parameterName="p4" beta="0.2"/>')  # fmt: skip
GLM_RECORDS = [{"x": x, "c": c} for x in (None, -2.0, 0.0, 1.5, 4.0) for c in (None, "a", "b", "z")]


@pytest.mark.parametrize(("model_type", "extra"), [
    ("generalLinear", ""), ("regression", ""),
    ("generalizedLinear", 'linkFunction="log" offsetValue="0.5" distribution="poisson"'),
    ("generalizedLinear", 'linkFunction="logit" trialsValue="3" distribution="binomial"'),
    ("generalizedLinear", 'linkFunction="power" linkParameter="0.5" distribution="gamma"'),
], ids=["generalLinear", "regression", "log link", "logit link", "power link"])  # fmt: skip
def test_general_regression_of_a_continuous_target_as_pypmml_computes_it(model_type, extra):
    """Covariates with exponents, factors, an interaction (a factor times a covariate), links and offsets."""
    dictionary = GLM_DICTIONARY.format(optype="continuous", target_type="double", target_values="")
    model = GLM.format(function="regression", model_type=model_type, extra=extra, cells=GLM_CELLS.format(
        category="", b0="1.2", b3="-0.4"), outputs='<OutputField name="y_hat" feature="predictedValue"/>')  # fmt: skip
    compiled, reference = both(f"{HEAD}{dictionary}{model}</PMML>")
    assert compiled.engine == "compiled"
    agree(compiled, reference, GLM_RECORDS)


def test_multinomial_general_regression_against_its_reference_category_as_pypmml_computes_it():
    classes = '<Value value="p"/><Value value="q"/><Value value="r"/>'
    dictionary = GLM_DICTIONARY.format(optype="categorical", target_type="string", target_values=classes)
    cells = GLM_CELLS.format(category='targetCategory="p"', b0="0.5", b3="1.5") + GLM_CELLS.format(
        category='targetCategory="q"', b0="-0.5", b3="0.1")  # fmt: skip
    model = GLM.format(function="classification", model_type="multinomialLogistic", extra="", cells=cells,
                       outputs=PROBABILITIES)  # fmt: skip
    compiled, reference = both(f"{HEAD}{dictionary}{model}</PMML>")
    assert compiled.engine == "compiled"
    agree(compiled, reference, GLM_RECORDS)
