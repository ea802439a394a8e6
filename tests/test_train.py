"""`fraudscore generate --history` and `fraudscore train`: a labelled history, the DSL's features over it, a
model measured on a hold-out it never saw, its PMML (checked against scikit-learn) and its model card."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from fraudscore.cli import main
from pmml_engine import load_scorer

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
BUSINESS = "payment,transfer,withdrawal,login,device_enrolment,credential_change"


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("history") / "history.jsonl"
    assert main(["generate", "--records", "25000", "--fraud-rate", "0.006", "--history", str(path)]) == 0
    return path


def test_a_history_is_the_canonical_events_with_their_label_and_scenario(history):
    events = [orjson.loads(line) for line in history.read_bytes().splitlines()]
    assert {"event_id", "event_type", "ts", "is_fraud", "scenario"} <= set(events[0])
    fraud = [e for e in events if e["is_fraud"]]
    assert fraud and all(e["scenario"] for e in fraud)
    assert all(e["scenario"] is None for e in events if not e["is_fraud"])


@pytest.mark.parametrize(
    ("kind", "score_field", "inputs"),
    [("lr", "probability(1)", ["--inputs", "amount,amount_z,txn_count_1h"]), ("iforest", "anomalyScore", [])],
    ids=["lr on chosen inputs", "iforest"],
)
def test_train_measures_on_the_newest_events_and_writes_the_pmml_it_measured(
    history, tmp_path, capsys, kind, score_field, inputs
):
    out = tmp_path / "models" / f"{kind}.pmml"
    argv = ["train", "--features", str(EXAMPLES / "payments.fdsl"), "--history", str(history), "--label", "is_fraud",
            "--model", kind, "--out", str(out), "--event-types", BUSINESS, *inputs]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("hold-out (newest 20%: ")
    assert re.fullmatch(r"  precision \d\.\d{3}   recall \d\.\d{3}   ROC AUC \d\.\d{3}   \([\d,]+ alerts\)", printed[1])
    assert printed[3].startswith(f"publish it: fraudscore models publish MODEL_ID {out} --threshold ")
    assert printed[3].endswith(f"--score-field '{score_field}' --event-types {','.join(sorted(BUSINESS.split(',')))}")
    card = orjson.loads(out.with_suffix(".card.json").read_bytes())
    metrics = card["holdout_metrics"]
    assert card["feature_set"] == "payments:1" and card["score_field"] == score_field
    assert card["event_types"] == sorted(BUSINESS.split(","))  # no FX ticks: the model scores payments and such
    assert card["periods"]["fit"]["to"] <= card["periods"]["threshold"]["from"]
    assert card["periods"]["threshold"]["to"] <= card["periods"]["holdout"]["from"]
    assert metrics["fraud"] > 0 and 0.5 < metrics["roc_auc"] <= 1
    assert f"precision {metrics['precision']:.3f}" in printed[1]
    scorer = load_scorer(out.read_bytes())
    assert scorer.engine == "compiled" and score_field in scorer.output_names
    assert list(scorer.input_names) == card["inputs"]
    assert "amount_z" in card["inputs"]
    if inputs:
        assert card["inputs"] == inputs[1].split(",")
    assert card["pmml_vs_sklearn_max_gap"] <= 1e-6
    # What explaining and drift need: a baseline and a decile profile per input, from the fitting period.
    assert set(card["baselines"]) == set(card["distributions"]) == set(card["inputs"])
    amount = card["distributions"]["amount"]
    assert amount["kind"] == "numeric" and amount["rows"] == card["periods"]["fit"]["events"]
    assert amount["baseline"] == card["baselines"]["amount"] and 5 < amount["baseline"] < 200
    assert sum(amount["shares"]) + amount["missing"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--label", "nope"], "error: no event in the history has the label 'nope'"),
        (["--holdout", "0.9"], "error: --holdout is a share between 0.05 and 0.5"),
    ],
    ids=["unknown label", "hold-out too large"],
)
def test_bad_arguments_say_what_is_wrong(history, tmp_path, capsys, change, message):
    argv = ["train", "--features", str(EXAMPLES / "payments.fdsl"), "--history", str(history), "--label", "is_fraud",
            "--model", "gbm", "--out", str(tmp_path / "m.pmml"), *change]  # fmt: skip
    assert main(argv) == 1
    assert capsys.readouterr().err.strip().splitlines()[-1] == message


def test_a_feature_file_with_errors_is_reported_as_dsl_check_does(history, tmp_path, capsys):
    bad = tmp_path / "bad.fdsl"
    bad.write_text("featureset b version 1\nfeatures c per card_id { a = amont }\n")
    argv = ["train", "--features", str(bad), "--history", str(history), "--label", "is_fraud", "--model", "lr",
            "--out", str(tmp_path / "m.pmml")]  # fmt: skip
    assert main(argv) == 1
    assert f"{bad}:2:30: error: unknown field 'amont'" in capsys.readouterr().err


def test_an_unknown_input_is_named_with_those_there_are(history, tmp_path, capsys):
    argv = ["train", "--features", str(EXAMPLES / "payments.fdsl"), "--history", str(history), "--label", "is_fraud",
            "--model", "lr", "--out", str(tmp_path / "lr.pmml"), "--inputs", "amount,amont"]  # fmt: skip
    assert main(argv) == 1
    assert (
        capsys.readouterr()
        .err.splitlines()[-1]
        .startswith("error: no numeric values for amont; the inputs there are: amount, txn_count_1h, ")
    )
