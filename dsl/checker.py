"""Semantic checks: names, functions, windows, types, cycles. Returns every problem, in file order."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass

from dsl import ast
from dsl.errors import DslSemanticError
from dsl.evaluate import INT64

# The canonical event's fields (DESIGN.md) and the type each has in the DSL.
FIELD_TYPES: dict[str, str] = {
    "event_id": "string", "event_type": "string", "ts": "timestamp", "channel": "string",
    "customer_id": "string", "account_id": "string", "card_id": "string", "device_id": "string",
    "ip": "string", "merchant_id": "string", "mcc": "number", "amount": "number", "currency": "string",
    "country": "string", "status": "string", "symbol": "string", "price": "number",
}  # fmt: skip

AGGREGATES = {"count", "sum", "avg", "min", "max", "stddev", "var", "distinct", "first", "last", "zscore"}
NUMERIC_AGGREGATES = {"sum", "avg", "stddev", "var", "zscore"}
STATEFUL = {"prev": 1, "logret": 1, "ema": 2, "ewma": 1, "rsi": 2, "macd": 4, "bollinger": 3}
STATEFUL_MEMBERS = {"macd": ("line", "signal", "hist"), "bollinger": ("mid", "upper", "lower")}
SCALARS = {
    "if": (3, 3), "nullif": (2, 2), "coalesce": (1, 99), "abs": (1, 1), "log": (1, 1), "exp": (1, 1),
    "sqrt": (1, 1), "round": (1, 2), "lower": (1, 1), "upper": (1, 1), "min": (2, 2), "max": (2, 2),
}  # fmt: skip
KNOWN_FUNCTIONS = sorted(AGGREGATES | set(STATEFUL) | set(SCALARS))
# Names analysts bring from SQL and pandas, for the "did you mean" hint.
SYNONYMS = {"mean": "avg", "average": "avg", "std": "stddev", "stdev": "stddev", "variance": "var",
            "nunique": "distinct", "count_distinct": "distinct", "ifnull": "coalesce", "ln": "log"}  # fmt: skip
ANY = "any"  # null, or a value whose type is not known statically


@dataclass
class _Scope:
    block: ast.Block
    features: dict[str, ast.Feature]
    other_blocks: dict[str, str]  # feature name -> block name, for a precise message


def check(featureset: ast.FeatureSet) -> list[DslSemanticError]:
    """Every semantic problem in the file, sorted by position.

    >>> from dsl.parser import parse
    >>> [str(e) for e in check(parse("featureset p version 1\\nfeatures c per card_id { a = stauts }", "r"))]
    ["r:2:30: error: unknown field 'stauts'; did you mean 'status'?"]
    """
    errors = list(_duplicates(featureset))
    owner = {f.name: b.name for b in featureset.blocks for f in b.features}
    for block in featureset.blocks:
        features = {f.name: f for f in block.features}
        others = {name: owner_block for name, owner_block in owner.items() if owner_block != block.name}
        scope = _Scope(block, features, others)
        errors += _check_block(scope)
        errors += _cycles(block)
    return sorted(errors, key=lambda e: (e.span.line, e.span.column, e.message))


def _duplicates(featureset: ast.FeatureSet) -> Iterator[DslSemanticError]:
    seen: dict[str, ast.Feature] = {}
    blocks: dict[str, ast.Block] = {}
    for block in featureset.blocks:
        if block.name in blocks:
            first = blocks[block.name].span
            yield DslSemanticError(f"duplicate block '{block.name}' (first at {first.line}:{first.column})", block.span)
        blocks.setdefault(block.name, block)
        for feature in block.features:
            if feature.name in seen:
                first = seen[feature.name].span
                msg = f"duplicate feature '{feature.name}' (first defined at {first.line}:{first.column})"
                yield DslSemanticError(msg, feature.span)
            elif feature.name in FIELD_TYPES:
                msg = f"feature '{feature.name}' has the name of an event field; choose another name"
                yield DslSemanticError(msg, feature.span)
            seen.setdefault(feature.name, feature)


def _check_block(scope: _Scope) -> list[DslSemanticError]:
    block = scope.block
    errors = []
    for key in block.keys:
        if key not in FIELD_TYPES:
            errors.append(DslSemanticError(_unknown("key field", key, list(FIELD_TYPES)), block.span))
    if block.ttl is not None and block.ttl.millis <= 0:
        errors.append(DslSemanticError("a ttl must be longer than 0", block.ttl.span))
    for feature in block.features:
        checker = _ExprChecker(scope)
        checker.type_of(feature.expr)
        errors += checker.errors
        errors += _windows(feature.expr, block)
    return errors


def _windows(expr: ast.Expr, block: ast.Block) -> Iterator[DslSemanticError]:
    for node in ast.walk(expr):
        if not isinstance(node, ast.Windowed):
            continue
        window = node.window
        if window.kind == "time" and window.duration.millis <= 0:
            yield DslSemanticError("a window must be longer than 0", window.duration.span)
        if window.kind == "time" and block.ttl is not None and window.duration.millis > block.ttl.millis:
            msg = f"window {window.duration.text} is longer than the block's ttl {block.ttl.text}"
            yield DslSemanticError(msg, window.duration.span)
        if window.kind == "last" and window.count < 1:
            yield DslSemanticError("`over last N` needs N of at least 1", node.span)
        if window.kind == "lifetime" and block.ttl is None:
            msg = f"`over lifetime` means the block's ttl: declare one, as in `features {block.name} per ... ttl 30d`"
            yield DslSemanticError(msg, node.span)
        if window.approx and (node.call.function != "distinct" or window.kind == "last"):
            msg = "`approx` counts distinct values over a time window: `distinct(card_id) over 7d approx`"
            yield DslSemanticError(msg, node.span)
        if window.every is not None and (window.kind != "time" or window.every.millis >= window.duration.millis):
            msg = "`every` sets the tile of a time window and must be shorter than the window"
            yield DslSemanticError(msg, window.every.span)


def _cycles(block: ast.Block) -> Iterator[DslSemanticError]:
    names = {f.name for f in block.features}
    uses = {f.name: [n.name for n in ast.walk(f.expr) if isinstance(n, ast.Name) and n.name in names]
            for f in block.features}  # fmt: skip
    spans = {f.name: f.span for f in block.features}
    reported: set[frozenset[str]] = set()
    for start in uses:
        cycle = _find_cycle(start, uses)
        if cycle and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            path = " -> ".join([*cycle, cycle[0]])
            yield DslSemanticError(f"features depend on each other in a cycle: {path}", spans[cycle[0]])


def _find_cycle(start: str, uses: dict[str, list[str]]) -> list[str] | None:
    stack = [(start, [start])]
    while stack:
        name, path = stack.pop()
        for used in uses.get(name, []):
            if used == start:
                return path
            if used not in path:
                stack.append((used, [*path, used]))
    return None


class _ExprChecker:
    """Infers the type of an expression, collecting every error it meets on the way."""

    def __init__(self, scope: _Scope) -> None:
        self.scope = scope
        self.errors: list[DslSemanticError] = []

    def error(self, message: str, span: ast.Span) -> str:
        self.errors.append(DslSemanticError(message, span))
        return ANY

    def type_of(self, node: ast.Expr, in_window: bool = False) -> str:
        method = getattr(self, f"_{type(node).__name__.lower()}")
        return method(node, in_window)

    def _literal(self, node: ast.Literal, in_window: bool) -> str:
        if node.value is None:
            return ANY
        if isinstance(node.value, bool):
            return "bool"
        if isinstance(node.value, int) and node.value not in INT64:
            return self.error(f"the integer {node.value} is outside 64 bits; write it as a decimal number", node.span)
        return "string" if isinstance(node.value, str) else "number"

    def _name(self, node: ast.Name, in_window: bool) -> str:
        if node.name in FIELD_TYPES:
            return FIELD_TYPES[node.name]
        if node.name in self.scope.features:
            if in_window:
                msg = f"aggregates read event fields; '{node.name}' is a feature (aggregate its inputs instead)"
                return self.error(msg, node.span)
            return ANY
        if node.name in self.scope.other_blocks:
            msg = (f"feature '{node.name}' belongs to block '{self.scope.other_blocks[node.name]}'; "
                   "a feature can only use features of its own block")  # fmt: skip
            return self.error(msg, node.span)
        candidates = [*FIELD_TYPES, *self.scope.features]
        return self.error(_unknown("field", node.name, candidates), node.span)

    def _unary(self, node: ast.Unary, in_window: bool) -> str:
        operand = self.type_of(node.operand, in_window)
        if node.op == "not":
            return self._expect(operand, "bool", "`not`", node.operand)
        return self._expect(operand, "number", "unary `-`", node.operand)

    def _binary(self, node: ast.Binary, in_window: bool) -> str:
        left, right = self.type_of(node.left, in_window), self.type_of(node.right, in_window)
        if node.op in ("and", "or"):
            self._expect(left, "bool", f"`{node.op}`", node.left)
            return self._expect(right, "bool", f"`{node.op}`", node.right)
        if node.op in ("==", "!=", "<", "<=", ">", ">="):
            if ANY not in (left, right) and left != right:
                return self.error(f"cannot compare {left} with {right} using `{node.op}`", node.span)
            return "bool"
        if node.op == "-" and left == right == "timestamp":
            return "number"  # timestamp minus timestamp: seconds
        for side, kind in ((node.left, left), (node.right, right)):
            if kind == "timestamp":
                msg = f"`{node.op}` on a timestamp: only timestamp - timestamp (seconds) is defined"
                return self.error(msg, side.span)
        self._expect(left, "number", f"`{node.op}`", node.left)
        return self._expect(right, "number", f"`{node.op}`", node.right)

    def _in(self, node: ast.In, in_window: bool) -> str:
        operand = self.type_of(node.operand, in_window)
        for option in node.options:
            kind = self._literal(option, in_window)
            if ANY not in (operand, kind) and kind != operand:
                self.error(f"`in` compares a {operand} with a {kind}", option.span)
        return "bool"

    def _member(self, node: ast.Member, in_window: bool) -> str:
        target = node.target
        function = target.function if isinstance(target, ast.Call) else None
        if function not in STATEFUL_MEMBERS:
            return self.error(f"`.{node.member}` only applies to macd(...) and bollinger(...)", node.span)
        self._call(target, in_window, member=node.member)
        if node.member not in STATEFUL_MEMBERS[function]:
            options = ", ".join(f"`.{m}`" for m in STATEFUL_MEMBERS[function])
            return self.error(f"{function} has no `.{node.member}`; use {options}", node.span)
        return "number"

    def _windowed(self, node: ast.Windowed, in_window: bool) -> str:
        call = node.call
        if in_window:
            return self.error("an aggregate cannot contain another aggregate", node.span)
        if call.function not in AGGREGATES:
            if call.function in SCALARS or call.function in STATEFUL:
                return self.error(f"`{call.function}` is not an aggregate; `over` applies to aggregates", node.span)
            return self.error(_unknown("function", call.function, KNOWN_FUNCTIONS), call.span)
        return self._aggregate(call, node.window)

    def _aggregate(self, call: ast.Call, window: ast.Window) -> str:
        if call.keywords:
            return self.error(f"`{call.function}` takes no keyword arguments", call.span)
        if call.where is not None:
            self._expect(self.type_of(call.where, True), "bool", "a `where` filter", call.where)
        allowed = (0, 1) if call.function == "count" else (1, 1)
        if not allowed[0] <= len(call.args) <= allowed[1]:
            return self.error(f"`{call.function}` takes {_count(allowed)}, got {len(call.args)}", call.span)
        if not call.args:
            return "number"
        argument = self.type_of(call.args[0], True)
        if call.function in NUMERIC_AGGREGATES:
            self._expect(argument, "number", f"`{call.function}`", call.args[0])
        if call.function in ("count", "distinct", *NUMERIC_AGGREGATES):
            return "number"
        return argument  # min, max, first, last keep the type of what they aggregate

    def _call(self, node: ast.Call, in_window: bool, member: str | None = None) -> str:
        function = node.function
        if function in AGGREGATES and function not in SCALARS:
            example = "zscore(price) over last 60" if function == "zscore" else f"{function}(amount) over 24h"
            return self.error(f"`{function}` is an aggregate and needs a window, as in `{example}`", node.span)
        if node.where is not None:
            return self.error(f"`where` filters an aggregate; `{function}` is not one", node.where.span)
        if function in STATEFUL:
            if in_window:
                return self.error(f"`{function}` keeps its own state and cannot be aggregated", node.span)
            return self._stateful(node, member)
        if function in SCALARS:
            return self._scalar(node, in_window)
        return self.error(_unknown("function", function, KNOWN_FUNCTIONS), node.span)

    def _stateful(self, node: ast.Call, member: str | None) -> str:
        function = node.function
        if function in STATEFUL_MEMBERS and member is None:
            options = ", ".join(f"`.{m}`" for m in STATEFUL_MEMBERS[function])
            return self.error(f"`{function}(...)` has several outputs: pick one with {options}", node.span)
        if len(node.args) != STATEFUL[function]:
            return self.error(f"`{function}` takes {STATEFUL[function]} arguments, got {len(node.args)}", node.span)
        self._expect(self.type_of(node.args[0]), "number", f"`{function}`", node.args[0])
        periods = node.args[1:2] if function == "bollinger" else node.args[1:]  # bollinger's k need not be whole
        for period in periods:
            if not (isinstance(period, ast.Literal) and _whole(period.value) and period.value >= 1):
                self.error(f"`{function}` periods are whole numbers of at least 1", period.span)
        if function == "bollinger":
            k = node.args[2]
            if not (isinstance(k, ast.Literal) and _numeric(k.value) and k.value > 0):
                self.error("bollinger's `k` is a number above 0, such as `2` or `2.5`", k.span)
        return self._keywords(node)

    def _keywords(self, node: ast.Call) -> str:
        names = [name for name, _ in node.keywords]
        if node.function != "ewma":
            return self.error(f"`{node.function}` takes no keyword arguments", node.span) if names else "number"
        if names != ["half_life"]:
            return self.error("`ewma` needs `half_life=DURATION`, as in `ewma(amount, half_life=6h)`", node.span)
        value = node.keywords[0][1]
        if not isinstance(value, ast.Duration) or value.millis <= 0:
            return self.error("`half_life` must be a duration longer than 0, such as `6h`", node.span)
        return "number"

    def _scalar(self, node: ast.Call, in_window: bool) -> str:
        function = node.function
        low, high = SCALARS[function]
        if node.keywords:
            return self.error(f"`{function}` takes no keyword arguments", node.span)
        if not low <= len(node.args) <= high:
            return self.error(f"`{function}` takes {_count((low, high))}, got {len(node.args)}", node.span)
        kinds = [self.type_of(a, in_window) for a in node.args]
        if function == "if":
            self._expect(kinds[0], "bool", "the condition of `if`", node.args[0])
            return kinds[1] if kinds[1] != ANY else kinds[2]
        if function in ("nullif", "coalesce"):
            return next((k for k in kinds if k != ANY), ANY)
        if function in ("lower", "upper"):
            return self._expect(kinds[0], "string", f"`{function}`", node.args[0])
        for argument, kind in zip(node.args, kinds, strict=True):
            self._expect(kind, "number", f"`{function}`", argument)
        return "number"

    def _expect(self, actual: str, wanted: str, what: str, node: ast.Expr) -> str:
        if actual in (ANY, wanted):
            return wanted
        described = f"'{node.name}' is" if isinstance(node, ast.Name) else "this is"
        return self.error(f"{what} needs a {wanted}, but {described} a {actual}", node.span)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _numeric(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _unknown(what: str, name: str, candidates: list[str]) -> str:
    close = [SYNONYMS[name]] if name in SYNONYMS else difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown {what} '{name}'{hint}"


def _count(bounds: tuple[int, int]) -> str:
    low, high = bounds
    if low == high:
        return f"{low} argument{'s' if low != 1 else ''}"
    return f"{low} to {high} arguments" if high < 99 else f"at least {low} argument{'s' if low != 1 else ''}"


def feature_types(featureset: ast.FeatureSet) -> dict[str, str]:
    """Each feature's static type in a checked feature set: number, timestamp, string, bool or any (a feature
    built on another feature is `any`: its type is not inferred through the other).

    >>> from dsl.parser import parse
    >>> feature_types(parse("featureset p version 1\\nfeatures c per card_id { n = count() over 1h }", "r"))
    {'n': 'number'}
    """
    types = {}
    for block in featureset.blocks:
        checker = _ExprChecker(_Scope(block, {f.name: f for f in block.features}, {}))
        types |= {feature.name: checker.type_of(feature.expr) for feature in block.features}
    return types


def value_type(expr: ast.Expr, block: ast.Block) -> str:
    """The static type of an aggregate's argument in a checked block: number, timestamp, string, bool or any."""
    scope = _Scope(block, {f.name: f for f in block.features}, {})
    return _ExprChecker(scope).type_of(expr, in_window=True)
