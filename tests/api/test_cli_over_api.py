"""`fraudscore models` and `fraudscore features` against the API served over a real socket (uvicorn), with a
real store and broker: the tables people read, the JSON scripts read, and exit codes that tell cases apart."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from fraudscore.broker import free_port
from fraudscore.cli import main
from tests.api.conftest import TOKENS
from tests.pmml_models import logistic

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def cli(served, monkeypatch: pytest.MonkeyPatch) -> str:
    """The CLI pointed at the served API with the operator's token."""
    url, _ = served
    monkeypatch.setenv("FRAUDSCORE_API__URL", url)
    monkeypatch.setenv("FRAUDSCORE_API__TOKEN", TOKENS["operator"])
    return url


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_publish_list_show_activate_and_roll_back_from_the_command_line(cli, tmp_path, capsys):
    first, second = tmp_path / "v1.pmml", tmp_path / "v2.pmml"
    first.write_bytes(logistic({"amount": 0.01}))
    second.write_bytes(logistic({"amount": 0.02}))
    assert run(capsys, "features", "deploy", str(EXAMPLES / "payments.fdsl"))[:2] == (
        0,
        "feature set payments:1 deployed\n",
    )
    code, out, _ = run(capsys, "models", "publish", "fraud_lr", str(first), "--threshold", "0.8", "--description", "v1")
    assert (code, out) == (0, "fraud_lr v1 published: fraud_lr v1 stored; v1 live as champion (active)\n")
    assert run(capsys, "models", "publish", "fraud_lr", str(second), "--alias", "challenger")[0] == 0
    code, out, _ = run(capsys, "models", "list")
    assert out.splitlines() == [
        "MODEL     LATEST  VERSIONS  LIVE",
        "fraud_lr  2       2         v1 champion (active), v2 challenger (shadow)",
    ]
    assert run(capsys, "models", "activate", "fraud_lr", "2")[:2] == (
        0,
        "v2 moved from challenger to champion (active)\n",
    )
    code, out, _ = run(capsys, "models", "show", "fraud_lr")
    assert [line.split()[:3] for line in out.splitlines()] == [
        ["VERSION", "LIVE", "THRESHOLD"], ["1", "-", "0.8"], ["2", "champion", "(active)"]]  # fmt: skip
    code, out, _ = run(capsys, "models", "rollback", "fraud_lr")
    assert (code, out) == (0, "rolled back from v2: v1 live as champion (active)\n")
    code, out, _ = run(capsys, "models", "show", "fraud_lr", "--json")
    assert [entry["version"] for entry in orjson.loads(out)["live"]] == [1]
    code, out, _ = run(capsys, "models", "score", "fraud_lr", "--record", '{"amount": 300}')
    assert out.splitlines()[1].split() == ["1", "0.7310585786300049", "ok"]  # under v1's threshold of 0.8


def test_exit_codes_tell_a_refusal_a_missing_model_a_bad_token_and_no_api_apart(cli, tmp_path, capsys, monkeypatch):
    bad = tmp_path / "bad.pmml"
    bad.write_bytes(b"<PMML>cut")
    code, _, err = run(capsys, "models", "publish", "fraud_lr", str(bad))
    assert (code, err) == (1, "error: the PMML cannot be used (HTTP 422)\n"
                              "  - PMML is not well-formed XML: no element found: line 1, column 9\n")  # fmt: skip
    code, _, err = run(capsys, "models", "show", "nope")
    assert (code, err) == (3, "error: no model 'nope' (HTTP 404)\n")
    monkeypatch.setenv("FRAUDSCORE_API__TOKEN", TOKENS["viewer"])
    code, _, err = run(capsys, "models", "rollback", "nope")
    assert (code, err) == (4, "error: token 'viewer-token' has the role viewer; this needs operator (HTTP 403)\n")
    monkeypatch.setenv("FRAUDSCORE_API__URL", f"http://127.0.0.1:{free_port()}")
    code, _, err = run(capsys, "models", "list")
    assert code == 5 and "cannot be reached" in err


def test_a_feature_file_is_checked_on_the_api_with_file_line_and_column(cli, tmp_path, capsys):
    typo = tmp_path / "typo.fdsl"
    typo.write_text("featureset t version 1\nfeatures c per card_id { a = amont }\n")
    code, out, _ = run(capsys, "features", "check", str(typo))
    assert code == 1
    assert out.splitlines()[0] == "typo.fdsl:2:30: error: unknown field 'amont'; did you mean 'amount'?"
    code, out, _ = run(capsys, "features", "check", str(EXAMPLES / "payments.fdsl"))
    assert (code, out) == (0, f"{EXAMPLES / 'payments.fdsl'}: payments:1 OK, 26 features\n")
