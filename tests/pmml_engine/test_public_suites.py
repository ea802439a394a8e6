"""PMML written by other tools (the PMML specification's examples, see suites/NOTICE.md), scored by both
engines on records built from each document's own categories and thresholds, with values just either
side of them, missing ones and unknown ones: every output equal to pypmml's."""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from xml.etree.ElementTree import Element

import pytest

from pmml_engine.document import read_document
from pmml_engine.engine import load_scorer
from tests.pmml_engine.test_conformance import same

SUITES = Path(__file__).parent / "suites"
_NUMBERS = ("value", "orig", "leftMargin", "rightMargin", "mean")
# Where pypmml's answer is not PMML's, and the compiled engine keeps PMML's (pmml_engine.naive_bayes): a
# car age below every bin is a missing input, left out; pypmml counts it as the first bin.
DIVERGES = {"naive_bayes.xml": lambda record: record["age of car"] is not None and record["age of car"] < 0}


def records(pmml: bytes, count: int = 300) -> list[dict]:
    document, root, ns = read_document(pmml)
    numbers = sorted({float(v) for e in root.iter() for a in _NUMBERS if (v := e.get(a)) is not None and _is_number(v)})
    choices = {}
    for field in document.inputs:
        declared = [v.get("value") for v in _data_field(root, ns, field.name).iterfind(f"{ns}Value")]
        if declared or field.data_type == "string":
            choices[field.name] = [*declared, "unknown", None]
        else:
            near = [x + d for x in numbers for d in (-0.5, 0.0, 0.5)]
            choices[field.name] = [*(int(x) if field.data_type == "integer" else x for x in near), None]
    rng = random.Random(7)
    every = list(itertools.product(*choices.values()))
    picked = every if len(every) <= count else rng.sample(every, count)
    return [dict(zip(choices, values, strict=True)) for values in picked]


def _data_field(root: Element, ns: str, name: str) -> Element:
    return next(f for f in root.iterfind(f"{ns}DataDictionary/{ns}DataField") if f.get("name") == name)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("name", sorted(p.name for p in (SUITES / "dmg").glob("*.xml")))
def test_specification_examples_score_as_pypmml_scores_them(name):
    pmml = (SUITES / "dmg" / name).read_bytes()
    scorer, reference = load_scorer(pmml), load_scorer(pmml, engine="pypmml")
    assert scorer.engine == "compiled", scorer.fallback_reason
    assert scorer.output_names == reference.output_names
    mismatches = []
    for record in records(pmml):
        if name in DIVERGES and DIVERGES[name](record):
            continue
        expected, got = reference.score_one(record), scorer.score_one(record)
        if not all(same(expected[k], got[k]) for k in expected):
            mismatches.append((record, expected, got))
    assert mismatches == []
