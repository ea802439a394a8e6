"""Small PMML models written out by hand, for tests that need a model in milliseconds, not a training run."""

from __future__ import annotations


def logistic(
    coefficients: dict[str, float], intercept: float = -2.0, data_types: dict[str, str] | None = None
) -> bytes:
    """A logistic regression on the given inputs with outputs probability(0), probability(1).

    The inputs are doubles unless `data_types` says otherwise."""
    types = {name: "double" for name in coefficients} | (data_types or {})
    fields = "".join(
        f'<DataField name="{n}" optype="{"continuous" if t != "string" else "categorical"}" dataType="{t}"/>'
        for n, t in types.items()
    )
    mining = "".join(f'<MiningField name="{n}"/>' for n in coefficients)
    predictors = "".join(
        f'<NumericPredictor name="{n}" coefficient="{c}"/>' for n, c in coefficients.items() if types[n] != "string"
    )
    return f"""<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/><DataDictionary>{fields}
<DataField name="is_fraud" optype="categorical" dataType="integer"><Value value="0"/><Value value="1"/></DataField>
</DataDictionary><RegressionModel functionName="classification" normalizationMethod="logit">
<MiningSchema><MiningField name="is_fraud" usageType="target"/>{mining}</MiningSchema>
<Output><OutputField name="probability(0)" optype="continuous" dataType="double" feature="probability" value="0"/>
<OutputField name="probability(1)" optype="continuous" dataType="double" feature="probability" value="1"/></Output>
<RegressionTable intercept="{intercept}" targetCategory="1">{predictors}</RegressionTable>
<RegressionTable intercept="0" targetCategory="0"/></RegressionModel></PMML>""".encode()
