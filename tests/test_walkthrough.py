"""The README's walk-through, command by command, against the API on a real socket with a real store and
broker, as `make run` leaves them (the demo's feature set live, `payments_fraud` v1 the champion). Only the
history is smaller (`--records 12000`), to keep the suite quick."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import httpx
import pytest

from fraudscore import demo
from fraudscore.cli import main
from tests.api.conftest import TOKENS, auth, served_api
from tests.pmml_models import logistic

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]
MARKER = "<!-- walkthrough: tests/test_walkthrough.py runs these commands, in this order -->"


def readme_commands() -> list[list[str]]:
    """The commands of the fenced block after the marker, continuation lines joined."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(re.escape(MARKER) + r"\n```\n(.*?)\n```", text, re.S)
    assert block, "the README lost its walk-through"
    joined = block.group(1).replace("\\\n", " ")
    return [shlex.split(line) for line in joined.splitlines() if line.strip()]


def test_the_readme_walk_through_trains_publishes_promotes_and_rolls_back(kafka, topics, tmp_path, monkeypatch,
                                                                           capsys):  # fmt: skip
    commands = readme_commands()
    assert [c[1:3] for c in commands] == [["generate", "--records"], ["train", "--features"],
                                         ["models", "publish"], ["models", "show"], ["models", "activate"],
                                         ["models", "rollback"]]  # fmt: skip
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    with served_api(kafka.bootstrap, topics, tmp_path) as (url, _):
        monkeypatch.setenv("FRAUDSCORE_API__URL", url)
        monkeypatch.setenv("FRAUDSCORE_API__TOKEN", TOKENS["operator"])
        with httpx.Client(base_url=url, timeout=60) as api:  # what `make run` published
            dsl, source = demo.live_features()
            api.post("/features", json={"dsl": dsl, "source": source}, headers=auth("operator")).raise_for_status()
            api.post("/models/payments_fraud/versions", files={"pmml": ("v1.pmml", logistic({"amount_z": 1.0}))},
                     headers=auth("operator")).raise_for_status()  # fmt: skip
            outputs = []
            for command in commands:
                argv = [("12000" if arg == "60000" else arg) for arg in command[1:]]
                assert main(argv) == 0, (command, capsys.readouterr())
                outputs.append(capsys.readouterr().out)
                if command[1:3] == ["models", "publish"]:
                    assert {alias: version for alias, version, _ in live(api)} == {"champion": 1, "challenger": 2}
                if command[1:3] == ["models", "activate"]:
                    assert live(api) == [("champion", 2, "active")]
            assert live(api) == [("champion", 1, "active")]
    assert "precision" in outputs[1] and "ROC AUC" in outputs[1]
    shown = [line.split()[:3] for line in outputs[3].splitlines()[1:]]
    assert shown == [["1", "champion", "(active)"], ["2", "challenger", "(shadow)"]]
    assert (tmp_path / "var" / "models" / "payments_rf.card.json").exists()


def live(api: httpx.Client) -> list[tuple[str, int, str]]:
    """payments_fraud's live entries as the API lists them: (alias, version, mode)."""
    entries = api.get("/models/payments_fraud", headers=auth("viewer")).json()["live"]
    return [(e["alias"], e["version"], e["mode"]) for e in entries]
