"""The parser: DSL.md's example is a contract; syntax errors say what was expected, where."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl import ast
from dsl.errors import DslSyntaxError
from dsl.parser import SYNTAX_EXAMPLES, parse

EXAMPLE = Path(__file__).with_name("dsl_md_example.fdsl").read_text()


def feature(source: str) -> ast.Expr:
    """The expression of a one-feature file."""
    text = f"featureset t version 1\nfeatures b per card_id {{\n  f = {source}\n}}\n"
    (block,) = parse(text).blocks
    return block.features[0].expr


def test_the_dsl_md_example_parses_into_its_blocks():
    featureset = parse(EXAMPLE, "payments.fdsl")
    assert (featureset.name, featureset.version) == ("payments", 1)
    shape = [(b.name, b.keys, b.composite, b.ttl.text, len(b.features)) for b in featureset.blocks]
    assert shape == [
        ("card", ("card_id",), False, "45d", 17),
        ("device", ("device_id",), False, "7d", 2),
        ("card_merchant", ("card_id", "merchant_id"), True, "90d", 1),
        ("market", ("symbol",), False, "7d", 6),
    ]


def test_fan_out_keys_are_a_list_and_a_composite_key_is_one():
    text = "featureset t version 1\nfeatures a per card_id, device_id { n = count() over 1h }\n"
    (block,) = parse(text).blocks
    assert (block.keys, block.composite, block.ttl) == (("card_id", "device_id"), False, None)


def test_a_window_with_every_modifier():
    expr = feature("distinct(merchant_id) over 7d every 1h approx exclude current")
    assert expr.window == ast.Window(
        "time", duration=expr.window.duration, exclude_current=True, every=expr.window.every, approx=True
    )
    assert (expr.window.duration.millis, expr.window.every.millis) == (7 * 86_400_000, 3_600_000)


def test_an_aggregate_filter_and_a_keyword_argument():
    summed = feature('sum(amount where channel == "web") over 24h')
    assert summed.call.where == ast.Binary("==", ast.Name("channel", None), ast.Literal("web", None), None)
    ewma = feature("ewma(amount, half_life=6h)")
    ((keyword, duration),) = ewma.keywords
    assert (keyword, duration.millis) == ("half_life", 6 * 3_600_000)


def n(name: str) -> ast.Name:
    return ast.Name(name, None)


def lit(value) -> ast.Literal:
    return ast.Literal(value, None)


def b(op: str, left, right) -> ast.Binary:
    return ast.Binary(op, left, right, None)


PRECEDENCE = {
    "product before sum": ("a + b * c", b("+", n("a"), b("*", n("b"), n("c")))),
    "left associative": ("a - b - c", b("-", b("-", n("a"), n("b")), n("c"))),
    "unary minus": ("-a * b", b("*", ast.Unary("-", n("a"), None), n("b"))),
    "comparison after sum": ("a + 1 > b", b(">", b("+", n("a"), lit(1)), n("b"))),
    "and before or": ("a or b and c", b("or", n("a"), b("and", n("b"), n("c")))),
    "not binds its comparison": ("not a == b", ast.Unary("not", b("==", n("a"), n("b")), None)),
    "in with literals": ("mcc in (4829, -1)", ast.In(n("mcc"), (lit(4829), lit(-1)), None)),
    "member of a call": ("macd(price, 12, 26, 9).hist", ast.Member(
        ast.Call("macd", (n("price"), lit(12), lit(26), lit(9)), (), None, None), "hist", None)),
    "floats stay floats": ("x / 288.0", b("/", n("x"), lit(288.0))),
    "strings unescape": ('"a\\"b"', lit('a"b')),
}  # fmt: skip


@pytest.mark.parametrize("source, expected", PRECEDENCE.values(), ids=PRECEDENCE.keys())
def test_operator_precedence(source, expected):
    assert feature(source) == expected


def test_a_window_binds_to_its_aggregate_before_comparison():
    expr = feature("count() over 90d exclude current > 0")
    assert expr.op == ">"
    assert isinstance(expr.left, ast.Windowed)
    assert expr.left.window.exclude_current


SYNTAX_ERRORS = {
    "no header": (
        "features card per card_id { a = 1 }\n",
        "r.fdsl:1:1: error: expected `featureset NAME version N` on the first line",
    ),
    "missing equals": (
        "featureset p version 1\nfeatures card per card_id {\n  amount_big amount > 100\n}\n",
        "r.fdsl:3:14: error: missing '=' after feature name",
    ),
    "unclosed paren": (
        "featureset p version 1\nfeatures card per card_id {\n  a = (amount + 1\n}\n",
        "r.fdsl:4:1: error: unclosed '('",
    ),
    "bad window": (
        "featureset p version 1\nfeatures card per card_id {\n  a = sum(amount) over 7 days\n}\n",
        "r.fdsl:3:24: error: expected a window such as `1h`, `last 20` or `lifetime`",
    ),
    "bad duration unit": (
        "featureset p version 1\nfeatures card per card_id ttl 45y {\n  a = 1\n}\n",
        "r.fdsl:2:31: error: expected a duration such as `500ms`, `30s`, `10m`, `1h`, `1d` or `2w`",
    ),
    "missing brace": (
        "featureset p version 1\nfeatures card per card_id {\n  a = 1\n",
        "r.fdsl:3:8: error: missing '}' at the end of the block",
    ),
    "default not literal": (
        "featureset p version 1\nfeatures card per card_id {\n  a = 1 default amount\n}\n",
        "r.fdsl:3:17: error: expected a literal after `default` (a number, a string, true, false or null)",
    ),
    "bad escape in a string": (
        'featureset p version 1\nfeatures card per card_id {\n  a = "\\q"\n}\n',
        'r.fdsl:3:7: error: bad string: use JSON escapes (\\" \\\\ \\n \\t \\uXXXX) and no control characters',
    ),
    "stray character": (
        "featureset p version 1\nfeatures card per card_id {\n  a = amount $ 2\n}\n",
        "r.fdsl:3:14: error: unexpected character '$'",
    ),
}


@pytest.mark.parametrize("source, expected", SYNTAX_ERRORS.values(), ids=SYNTAX_ERRORS.keys())
def test_syntax_errors_say_where_and_what_was_expected(source, expected):
    with pytest.raises(DslSyntaxError) as caught:
        parse(source, "r.fdsl")
    assert str(caught.value) == expected


def test_a_syntax_error_renders_the_line_and_a_caret():
    with pytest.raises(DslSyntaxError) as caught:
        parse("featureset p version 1\nfeatures card per card_id { a b }\n", "r.fdsl")
    assert caught.value.render().splitlines()[1:] == ["features card per card_id { a b }", " " * 30 + "^"]


@pytest.mark.parametrize("label", SYNTAX_EXAMPLES)
def test_every_syntax_example_gets_its_own_words(label):
    for source in SYNTAX_EXAMPLES[label]:
        with pytest.raises(DslSyntaxError) as caught:
            parse(source)
        assert caught.value.message == label, source


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('featurs pvion1{}()=+-*/<>.,#"\n_abcdhmw0123456789')), max_size=200))
def test_random_text_is_parsed_or_rejected_never_crashes(text):
    try:
        parse(text)
    except DslSyntaxError as error:
        assert error.span.line >= 1


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(EXAMPLE) - 1), st.integers(1, 8), st.text(max_size=4))
def test_mutations_of_the_example_never_crash(position, length, insert):
    try:
        parse(EXAMPLE[:position] + insert + EXAMPLE[position + length :])
    except DslSyntaxError as error:
        assert error.span.line >= 1


def test_deep_nesting_is_an_error_not_a_crash():
    with pytest.raises(DslSyntaxError):
        feature("-" * 5_000 + "1")
