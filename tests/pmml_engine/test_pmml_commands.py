"""`fraudscore pmml inspect` and `fraudscore pmml score`: what a user runs before deploying a model."""

from __future__ import annotations

import csv
import math

import orjson

from fraudscore.cli import main


def test_inspect_shows_the_schema_and_the_engine(exported, tmp_path, capsys):
    model = tmp_path / "gbm.pmml"
    model.write_bytes(exported["gradient boosting"])
    assert main(["pmml", "inspect", str(model)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "model:   MiningModel (classification), PMML 4.4",
        "engine:  compiled",
        "fast path: on",
        "targets: is_fraud",
        "inputs:",
        "  amount        continuous double",
        "  txn_count_1h  continuous double",
        "  channel       categorical string",
        "  country       categorical string",
        "outputs: probability(0), probability(1)",
    ]


def test_score_writes_pypmmls_columns_with_empty_cells_for_missing_inputs(exported, tmp_path, capsys):
    model = tmp_path / "forest.pmml"
    model.write_bytes(exported["isolation forest"])
    records = tmp_path / "in.csv"
    records.write_text("amount,txn_count_1h,channel,country\n12.5,1,web,DE\n,,atm,\n9000,40,mobile,XX\n")
    outputs = {}
    for engine in ("compiled", "pypmml"):
        out = tmp_path / f"{engine}.csv"
        assert (
            main(["pmml", "score", str(model), "--input", str(records), "--output", str(out), "--engine", engine]) == 0
        )
        outputs[engine] = list(csv.reader(out.open()))
    assert outputs["compiled"][0] == ["decisionFunction", "outlier", "predict(outlier)"]
    assert len(outputs["compiled"]) == 4
    for compiled, reference in zip(outputs["compiled"][1:], outputs["pypmml"][1:], strict=True):
        assert math.isclose(float(compiled[0]), float(reference[0]), rel_tol=1e-9)
        assert compiled[1:] == [reference[1].lower(), reference[2]]
    assert "scored by the compiled engine" in capsys.readouterr().err


def test_score_reads_json_lines(exported, tmp_path, capsys):
    model = tmp_path / "lr.pmml"
    model.write_bytes(exported["logistic regression"])
    records = tmp_path / "in.jsonl"
    records.write_bytes(b"\n".join(orjson.dumps(r) for r in [{"amount": 10.0, "channel": "web"}, {"country": "FR"}]))
    assert main(["pmml", "score", str(model), "--input", str(records)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "probability(0),probability(1)" and len(lines) == 3


def test_errors_are_one_line_not_a_trace(tmp_path, capsys):
    assert main(["pmml", "inspect", str(tmp_path / "missing.pmml")]) == 1
    broken = tmp_path / "broken.pmml"
    broken.write_text("<PMML")
    assert main(["pmml", "score", str(broken), "--input", str(broken)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: {tmp_path / 'missing.pmml'}: cannot read: No such file or directory",
        "error: PMML is not well-formed XML: unclosed token: line 1, column 0",
    ]
