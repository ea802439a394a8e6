"""`fraudscore dsl check FILE...`: exit 0 when valid; else every problem with its line and a caret."""

from __future__ import annotations

import re
from pathlib import Path

from fraudscore.cli import main

EXAMPLE = Path(__file__).with_name("dsl_md_example.fdsl")


def test_a_valid_file_exits_0(capsys):
    assert main(["dsl", "check", str(EXAMPLE)]) == 0
    assert capsys.readouterr().out == "1 file OK\n"


def test_problems_in_several_files_are_all_printed_and_exit_1(tmp_path, capsys):
    typo = tmp_path / "typo.fdsl"
    typo.write_text('featureset p version 1\nfeatures c per card_id {\n  d = count(where stauts == "x") over 1h\n}\n')
    broken = tmp_path / "broken.fdsl"
    broken.write_text("featureset p version 1\nfeatures c per card_id {\n  d count()\n}\n")
    assert main(["dsl", "check", str(typo), str(EXAMPLE), str(broken)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{typo}:3:19: error: unknown field 'stauts'; did you mean 'status'?",
        '  d = count(where stauts == "x") over 1h',
        "                  ^",
        f"{broken}:3:5: error: missing '=' after feature name",
        "  d count()",
        "    ^",
    ]


def test_unreadable_and_non_utf8_files_are_errors_not_traces(tmp_path, capsys):
    latin = tmp_path / "latin.fdsl"
    latin.write_bytes(b"featureset p version 1\n# caf\xe9\n")
    assert main(["dsl", "check", str(tmp_path / "missing.fdsl"), str(latin)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{tmp_path / 'missing.fdsl'}:1:1: error: cannot read the file: No such file or directory",
        f"{latin}:2:1: error: not UTF-8 text",
    ]


def test_the_shipped_examples_are_valid(capsys):
    examples = sorted(str(p) for p in (Path(__file__).parents[2] / "examples").glob("*.fdsl"))
    assert len(examples) >= 2
    assert main(["dsl", "check", *examples]) == 0


def test_explain_prints_each_features_state_and_each_blocks_cost(tmp_path, capsys):
    features = tmp_path / "f.fdsl"
    features.write_text(
        "featureset p version 3\n"
        "features card per card_id ttl 30d {\n"
        "  n_1h  = count() over 1h\n"
        "  avg_7d = avg(amount) over 7d every 1h\n"
        "  ratio = amount / nullif(avg_7d, 0)\n"
        "  e     = ema(amount, 5)\n"
        "}\n"
    )
    assert main(["dsl", "check", "--explain", str(features)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:8] == [
        f"{features}:",
        "  featureset p version 3 (lateness 1h)",
        "",
        "  block card per card_id, ttl 30d",
        "    n_1h    count over 1h: exact, a count",
        "    avg_7d  avg over 7d every 1h: tiled, at most 170 tiles of 1h, one summary each; covers 7d minus up to 1h",
        "    ratio   no state of its own: from the event and other features",
        "    e       ema: 1 number",
    ]
    assert lines[8] == "    state per key: a log of one entry per event in the last 2h, " \
                       "1 tiled window (1 summary a tile), 1 stateful function"  # fmt: skip
    assert lines[9].startswith("    measured: the tiled windows take at most about ")
    assert re.search(r"\(170 tiles of about \d+ bytes\), whatever its number of events$", lines[9])
    assert lines[10].startswith("    measured: ") and lines[10].endswith("bytes per log entry")
    assert lines[-1] == "1 file OK"
