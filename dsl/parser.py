"""Text -> AST, with syntax errors that say what was expected, in words, at FILE:LINE:COL."""

from __future__ import annotations

import functools

from lark import Lark, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from dsl import ast
from dsl.errors import DslSyntaxError
from dsl.transformer import ToAst

# Each message is matched by lark against the parser state of these small wrong files (lark's
# match_examples): an error in the same state gets the same words.
SYNTAX_EXAMPLES: dict[str, list[str]] = {
    "expected `featureset NAME version N` on the first line": [
        "features card per card_id { a = 1 }",
        "featureset payments\n",
        "featureset payments version\n",
        "featureset version 1",
    ],
    "expected a block such as `features card per card_id ttl 45d { ... }`": [
        "featureset p version 1\nfeature card per card_id { a = 1 }",
        "featureset p version 1\na = 1",
    ],
    "expected `per KEY` after the block name": [
        "featureset p version 1\nfeatures card { a = 1 }",
        "featureset p version 1\nfeatures card card_id { a = 1 }",
    ],
    "expected a key field after `per`": [
        "featureset p version 1\nfeatures card per { a = 1 }",
        "featureset p version 1\nfeatures card per 12 { a = 1 }",
    ],
    "expected `{` to open the block": [
        "featureset p version 1\nfeatures card per card_id a = 1 }",
        "featureset p version 1\nfeatures card per card_id ttl 4d a = 1",
    ],
    "expected a duration such as `500ms`, `30s`, `10m`, `1h`, `1d` or `2w`": [
        "featureset p version 1\nfeatures card per card_id ttl { a = 1 }",
        "featureset p version 1\nfeatures card per card_id ttl 45 { a = 1 }",
        "featureset p version 1\nfeatures card per card_id ttl 45x { a = 1 }",
    ],
    "missing '=' after feature name": [
        "featureset p version 1\nfeatures card per card_id { a 1 }",
        "featureset p version 1\nfeatures card per card_id { a count() }",
    ],
    "expected an expression": [
        "featureset p version 1\nfeatures card per card_id { a = }",
        "featureset p version 1\nfeatures card per card_id { a = * 2 }",
        "featureset p version 1\nfeatures card per card_id { a = 1 + }",
        "featureset p version 1\nfeatures card per card_id { a = (}",
    ],
    "expected a window such as `1h`, `last 20` or `lifetime`": [
        "featureset p version 1\nfeatures card per card_id { a = count() over }",
        "featureset p version 1\nfeatures card per card_id { a = count() over 12 }",
        "featureset p version 1\nfeatures card per card_id { a = count() over last }",
        "featureset p version 1\nfeatures card per card_id { a = count() over yesterday }",
    ],
    "expected `current` after `exclude`": [
        "featureset p version 1\nfeatures card per card_id { a = count() over 1h exclude }",
    ],
    "unclosed '('": [
        "featureset p version 1\nfeatures card per card_id { a = (amount }",
        "featureset p version 1\nfeatures card per card_id { a = sum(amount }",
        "featureset p version 1\nfeatures card per card_id { a = (1 + 2",
    ],
    "expected a literal after `default` (a number, a string, true, false or null)": [
        "featureset p version 1\nfeatures card per card_id { a = 1 default }",
        "featureset p version 1\nfeatures card per card_id { a = 1 default amount }",
    ],
    "expected `(` and literals after `in`, as in `mcc in (4829, 6051)`": [
        "featureset p version 1\nfeatures card per card_id { a = mcc in 4829 }",
        "featureset p version 1\nfeatures card per card_id { a = mcc in (amount) }",
    ],
    "missing '}' at the end of the block": [
        "featureset p version 1\nfeatures card per card_id { a = 1",
        "featureset p version 1\nfeatures card per card_id { a = 1\nfeatures b per x { c = 1 }",
    ],
}


@functools.cache
def _parser() -> Lark:
    return Lark.open("grammar.lark", rel_to=__file__, parser="lalr", propagate_positions=True)


def parse(text: str, file: str = "<string>") -> ast.FeatureSet:
    """Parse a feature file; raise DslSyntaxError at the first place it stops making sense.

    >>> parse("featureset p version 2\\nfeatures card per card_id { n = count() over 1h }").version
    2
    >>> parse("featureset p version 1\\nfeatures card per card_id { n count() }", "r.fdsl")
    Traceback (most recent call last):
    ...
    dsl.errors.DslSyntaxError: r.fdsl:2:31: error: missing '=' after feature name
    """
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text, file) from None
    try:
        return ToAst(file).transform(tree)
    except RecursionError:
        msg = "expression nested too deeply"
        raise DslSyntaxError(msg, ast.Span(file, 1, 1)) from None


def _syntax_error(exc: UnexpectedInput, text: str, file: str) -> DslSyntaxError:
    line, column = _position(exc, text)
    if isinstance(exc, UnexpectedCharacters) and exc.char == '"':
        label = 'bad string: use JSON escapes (\\" \\\\ \\n \\t \\uXXXX) and no control characters'
    else:
        label = exc.match_examples(_parser().parse, SYNTAX_EXAMPLES, use_accepts=True)
    if label is None:
        label = _describe(exc)
    lines = text.splitlines()
    source_line = lines[line - 1] if 0 < line <= len(lines) else None
    return DslSyntaxError(label, ast.Span(file, line, column), source_line)


def _position(exc: UnexpectedInput, text: str) -> tuple[int, int]:
    at_end = isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
    if at_end or isinstance(exc, UnexpectedEOF) or getattr(exc, "line", -1) in (None, -1):
        lines = text.splitlines() or [""]
        return len(lines), len(lines[-1]) + 1
    return exc.line, exc.column


def _describe(exc: UnexpectedInput) -> str:
    if isinstance(exc, UnexpectedCharacters):
        return f"unexpected character {exc.char!r}"
    if isinstance(exc, UnexpectedToken):
        found = "end of file" if exc.token.type == "$END" else repr(str(exc.token))
        expected = ", ".join(sorted(_words(name) for name in exc.accepts or exc.expected))
        return f"unexpected {found}; expected {expected}"
    return "unexpected end of file"


_TERMINAL_WORDS = {
    "NAME": "a name",
    "NUMBER": "a number",
    "INT": "a whole number",
    "DURATION": "a duration",
    "STRING": "a string",
    "LPAR": "'('",
    "RPAR": "')'",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "COMMA": "','",
    "EQUAL": "'='",
    "DOT": "'.'",
    "MINUS": "'-'",
    "PLUS": "'+'",
    "MUL_OP": "'*', '/' or '%'",
    "COMPARE": "a comparison",
    "$END": "end of file",
}


def _words(terminal: str) -> str:
    return _TERMINAL_WORDS.get(terminal, f"`{terminal.lower()}`")
