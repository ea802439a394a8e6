"""`fraudscore dsl check FILE...`: exit 0 when valid; else every problem with its line and a caret."""

from __future__ import annotations

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
