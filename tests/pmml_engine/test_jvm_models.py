"""The JVM's PMML scorer (io.fraudscore.scoring, PMML4S inside the data plane jar) gives what pypmml gives and
what the API's ad-hoc score gives: every output field, relative tolerance 1e-9, on the same generated records
(missing values, unseen categories, wrong types), for every kind of model fraud teams export and for the
PMML specification's examples. The scorer runs as `io.fraudscore.scoring.ScoreCommand PMML < records.jsonl`.

FRAUDSCORE_SCORING_CLASSPATH runs the same comparison on another classpath (how the PMML4S version was chosen:
README, "PMML4S in the JVM")."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from dsl.jvm import DATAPLANE_JAR
from pmml_engine.engine import load_scorer
from tests.pmml_engine import test_public_suites
from tests.pmml_engine.test_conformance import KINDS, records, same

SCORE_MAIN = "io.fraudscore.scoring.ScoreCommand"
LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">&lol2;</PMML>"""


def score_in_jvm(pmml: bytes, rows: list[dict], tmp_path: Path) -> list[dict]:
    classpath = os.environ.get("FRAUDSCORE_SCORING_CLASSPATH") or str(DATAPLANE_JAR)
    assert classpath != str(DATAPLANE_JAR) or DATAPLANE_JAR.is_file(), "build the jar first: run `make`"
    model = tmp_path / "model.pmml"
    model.write_bytes(pmml)
    lines = "".join(json.dumps(row) + "\n" for row in rows)
    done = subprocess.run(["java", "-XX:TieredStopAtLevel=1", "-cp", classpath, SCORE_MAIN, str(model)],
                          input=lines.encode(), capture_output=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    return [json.loads(line) for line in done.stdout.decode().splitlines()]


def mismatches(expected: list[dict], got: list[dict], rows: list[dict]) -> list[tuple]:
    assert len(got) == len(expected)
    return [(row, e, g) for row, e, g in zip(rows, expected, got, strict=True)
            if list(g) != list(e) or not all(same(e[k], g[k]) for k in e)]  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
def test_every_output_equals_pypmmls_and_the_apis(exported, kind, tmp_path):
    rows = records()
    got = score_in_jvm(exported[kind], rows, tmp_path)
    reference = load_scorer(exported[kind], engine="pypmml")
    assert mismatches([reference.score_one(row) for row in rows], got, rows) == []
    api = load_scorer(exported[kind])  # what POST /models/{id}/score and `fraudscore pmml score` use
    assert mismatches([api.score_one(row) for row in rows], got, rows) == []


@pytest.mark.parametrize("name", sorted(p.name for p in (test_public_suites.SUITES / "dmg").glob("*.xml")))
def test_specification_examples_score_as_pypmml_scores_them(name, tmp_path):
    pmml = (test_public_suites.SUITES / "dmg" / name).read_bytes()
    rows = test_public_suites.records(pmml)
    got = score_in_jvm(pmml, rows, tmp_path)
    reference = load_scorer(pmml, engine="pypmml")
    assert mismatches([reference.score_one(row) for row in rows], got, rows) == []


def test_a_refused_model_says_why_as_the_python_side_does(tmp_path):
    model = tmp_path / "model.pmml"
    model.write_text(LAUGHS)
    classpath = os.environ.get("FRAUDSCORE_SCORING_CLASSPATH") or str(DATAPLANE_JAR)
    done = subprocess.run(["java", "-cp", classpath, SCORE_MAIN, str(model)], input=b"", capture_output=True,
                          timeout=60, check=False)  # fmt: skip
    assert (done.returncode, done.stderr.decode().strip()) == (2, "PMML must not declare a DTD or entities")
