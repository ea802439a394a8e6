"""Parse tree -> AST. Builds nodes only; meaning is judged by the checker, never here."""

from __future__ import annotations

import json

from lark import Token, Transformer, v_args

from dsl import ast
from dsl.durations import parse_duration


def _span(file: str, meta_or_token) -> ast.Span:
    return ast.Span(file, getattr(meta_or_token, "line", 1), getattr(meta_or_token, "column", 1))


@v_args(meta=True)
class ToAst(Transformer):
    """Keeps each node's position: every error later points at the text that caused it."""

    def __init__(self, file: str) -> None:
        super().__init__()
        self.file = file

    def _at(self, meta) -> ast.Span:
        return _span(self.file, meta)

    def start(self, meta, children):
        header, *blocks = children
        name, version, span = header
        return ast.FeatureSet(name, version, tuple(blocks), span)

    def header(self, meta, children):
        name, version = children
        return str(name), int(version), self._at(meta)

    def block(self, meta, children):
        name, (keys, composite), *rest = children
        ttl = rest[0] if rest and isinstance(rest[0], ast.Duration) else None
        features = tuple(c for c in rest if isinstance(c, ast.Feature))
        return ast.Block(str(name), keys, composite, ttl, features, self._at(meta))

    def fanout_keys(self, meta, children):
        return tuple(str(c) for c in children), False

    def composite_key(self, meta, children):
        return tuple(str(c) for c in children), True

    def ttl(self, meta, children):
        return self._duration(children[0])

    def feature(self, meta, children):
        name, expr, *default = children
        return ast.Feature(str(name), expr, default[0] if default else None, _span(self.file, name))

    def default(self, meta, children):
        return children[0]

    def or_(self, meta, children):
        return ast.Binary("or", children[0], children[1], self._at(meta))

    def and_(self, meta, children):
        return ast.Binary("and", children[0], children[1], self._at(meta))

    def not_(self, meta, children):
        return ast.Unary("not", children[0], self._at(meta))

    def neg(self, meta, children):
        return ast.Unary("-", children[1], self._at(meta))

    def compare(self, meta, children):
        left, op, right = children
        return ast.Binary(str(op), left, right, _span(self.file, op))

    def binary(self, meta, children):
        left, op, right = children
        return ast.Binary(str(op), left, right, _span(self.file, op))

    def in_(self, meta, children):
        operand, *options = children
        return ast.In(operand, tuple(options), self._at(meta))

    def member(self, meta, children):
        target, name = children
        return ast.Member(target, str(name), _span(self.file, name))

    def name(self, meta, children):
        return ast.Name(str(children[0]), _span(self.file, children[0]))

    def call(self, meta, children):
        name, *rest = children
        args, keywords, where = rest[0] if rest else ((), (), None)
        return ast.Call(str(name), args, keywords, where, _span(self.file, name))

    def arguments(self, meta, children):
        where = children[-1] if children and isinstance(children[-1], _Where) else None
        items = children[:-1] if where else children
        args = tuple(c for c in items if not isinstance(c, _Keyword))
        keywords = tuple((c.name, c.value) for c in items if isinstance(c, _Keyword))
        return args, keywords, where.expr if where else None

    def keyword(self, meta, children):
        name, value = children
        if isinstance(value, Token) and value.type == "DURATION":
            value = self._duration(value)
        return _Keyword(str(name), value)

    def where(self, meta, children):
        return _Where(children[0])

    def windowed(self, meta, children):
        call, (kind, value), *modifiers = children
        window = ast.Window(
            kind=kind,
            duration=value if kind == "time" else None,
            count=value if kind == "last" else None,
            exclude_current=any(m == ("exclude_current", None) for m in modifiers),
            every=next((v for k, v in modifiers if k == "every"), None),
            approx=any(k == "approx" for k, _ in modifiers),
        )
        return ast.Windowed(call, window, call.span)

    def window_time(self, meta, children):
        return "time", self._duration(children[0])

    def window_last(self, meta, children):
        return "last", int(children[0])

    def window_lifetime(self, meta, children):
        return "lifetime", None

    def exclude_current(self, meta, children):
        return "exclude_current", None

    def every(self, meta, children):
        return "every", self._duration(children[0])

    def approx(self, meta, children):
        return "approx", None

    def number(self, meta, children):
        text = str(children[0])
        value = float(text) if any(c in text for c in ".eE") else int(text)
        return ast.Literal(value, _span(self.file, children[0]))

    def negative_number(self, meta, children):
        literal = self.number(meta, children[1:])
        return ast.Literal(-literal.value, _span(self.file, children[0]))

    def string(self, meta, children):
        token = children[0]
        return ast.Literal(_unquote(str(token)), _span(self.file, token))

    def true(self, meta, children):
        return ast.Literal(True, self._at(meta))

    def false(self, meta, children):
        return ast.Literal(False, self._at(meta))

    def null(self, meta, children):
        return ast.Literal(None, self._at(meta))

    def _duration(self, token: Token) -> ast.Duration:
        return ast.Duration(str(token), parse_duration(str(token)), _span(self.file, token))


class _Keyword:
    def __init__(self, name: str, value) -> None:
        self.name, self.value = name, value


class _Where:
    def __init__(self, expr) -> None:
        self.expr = expr


def _unquote(text: str) -> str:
    return json.loads(text)
