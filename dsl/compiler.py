"""Compiles a checked block to Python: one function for its aggregate inputs, one for its features.

The generated code is straight-line Python with DSL.md's null semantics in small helpers (dsl.evaluate),
so an event costs a few calls per feature instead of a walk over the syntax tree. Every name in the
generated source is ours (`e0`, `f3`, `s1`, `w[2]`); literals and field names are written with `repr`.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dsl import ast
from dsl.checker import STATEFUL
from dsl.evaluate import INT64, SCALAR_FUNCTIONS, arithmetic, compare, logical

InputKey = tuple[Any, Any, str]  # (argument or None for count(), where filter or None, value kind)


@dataclass(frozen=True)
class CompiledCode:
    inputs: Callable[[dict[str, Any]], tuple[Any, ...]]
    features: Callable[[dict[str, Any], list[Any], list[Any], bool, int], dict[str, Any]]
    source: str


def compile_block(
    block: ast.Block,
    order: list[ast.Feature],
    inputs: list[InputKey],
    windows: dict[ast.Windowed, int],
    stateful: dict[ast.Call, int],
) -> CompiledCode:
    """Python for `block`: `inputs(event)` gives each aggregate input; `features(event, w, fns, late, ts)`
    gives the features in block order from the window results `w` and the stateful functions `fns`."""
    source = "\n".join([_inputs_source(inputs), "", _features_source(block, order, windows, stateful)])
    namespace = dict(_HELPERS)
    exec(compile(source, f"<features {block.name}>", "exec"), namespace)  # our own generated code, names and reprs only
    return CompiledCode(namespace["inputs"], namespace["features"], source)


def _inputs_source(inputs: list[InputKey]) -> str:
    emitter = _Emitter({}, {}, {})
    values = []
    for argument, where, kind in inputs:
        value = "1" if argument is None else f"_as_{kind}({emitter.expr(argument)})"
        if where is not None:
            value = f"({value} if {emitter.expr(where)} is True else None)"
        values.append(value)
    body = [*emitter.field_reads(), f"return ({''.join(v + ', ' for v in values)})"]
    return "def inputs(event):\n" + "\n".join(f"    {line}" for line in body)


def _features_source(
    block: ast.Block, order: list[ast.Feature], windows: dict[ast.Windowed, int], stateful: dict[ast.Call, int]
) -> str:
    names = {feature.name: f"f{i}" for i, feature in enumerate(order)}
    emitter = _Emitter(names, windows, {call: f"s{i}" for call, i in stateful.items()})
    body: list[str] = []
    for feature in order:
        for call in stateful_calls(feature.expr):
            if call in emitter.hoisted:
                continue
            argument = emitter.expr(call.args[0])
            body.append(f"{emitter.stateful[call]} = _stateful(fns[{stateful[call]}], {argument}, late, ts)")
            emitter.hoisted.add(call)
        local = names[feature.name]
        body.append(f"{local} = {emitter.expr(feature.expr)}")  # every part is finite or None already
        if feature.default is not None:
            body.append(f"if {local} is None: {local} = {feature.default.value!r}")
    result = ", ".join(f"{f.name!r}: {names[f.name]}" for f in block.features)
    body = [*emitter.field_reads(), *body, f"return {{{result}}}"]
    return "def features(event, w, fns, late, ts):\n" + "\n".join(f"    {line}" for line in body)


def stateful_calls(node: ast.Expr) -> list[ast.Call]:
    """Stateful calls below `node`, inner ones first: `ema(logret(price), 3)` needs logret's value."""
    found = [n for n in ast.walk(node) if isinstance(n, ast.Call) and n.function in STATEFUL]
    return list(reversed(found))


class _Emitter:
    def __init__(self, features: dict[str, str], windows: dict[ast.Windowed, int], stateful: dict) -> None:
        self.features, self.windows, self.stateful = features, windows, stateful
        self.fields: dict[str, str] = {}
        self.hoisted: set[ast.Call] = set()

    def field_reads(self) -> list[str]:
        lines = []
        for name, local in self.fields.items():
            lines.append(f"{local} = event.get({name!r})")
            # JSON may carry NaN or Infinity: null, as DSL.md says (x - x is 0.0 for every finite float);
            # an integer outside 64 bits too (the JVM engine's Long cannot hold it)
            lines.append(f"if {local}.__class__ is float and {local} - {local}: {local} = None")
            lines.append(f"elif {local}.__class__ is int and {local} not in _INT64: {local} = None")
        return lines

    def expr(self, node: ast.Expr) -> str:  # noqa: PLR0911 - one case per node kind
        if isinstance(node, ast.Literal):
            return repr(node.value)
        if isinstance(node, ast.Name):
            return self._name(node.name)
        if isinstance(node, ast.Windowed):
            return f"w[{self.windows[node]}]"
        if isinstance(node, ast.Unary):
            return f"{'_not' if node.op == 'not' else '_neg'}({self.expr(node.operand)})"
        if isinstance(node, ast.Binary):
            return self._binary(node)
        if isinstance(node, ast.In):
            options = "".join(f"{option.value!r}, " for option in node.options)
            return f"_isin({self.expr(node.operand)}, ({options}))"
        if isinstance(node, ast.Member):
            return f"{self.expr(node.target)}[{node.member!r}]"
        return self._call(node)

    def _name(self, name: str) -> str:
        if name in self.features:
            return self.features[name]
        return self.fields.setdefault(name, f"e{len(self.fields)}")

    def _binary(self, node: ast.Binary) -> str:
        left, right = self.expr(node.left), self.expr(node.right)
        if node.op in ("==", "!="):
            return f"({left} {node.op} {right})"
        if node.op == "-" and is_timestamp(node.left) and is_timestamp(node.right):
            return f"_seconds_between({left}, {right})"
        return f"{_BINARY[node.op]}({left}, {right})"

    def _call(self, node: ast.Call) -> str:
        if node.function in STATEFUL:
            return self.stateful[node]
        args = [self.expr(a) for a in node.args]
        if node.function == "if":
            return f"({args[1]} if {args[0]} is True else {args[2]})"
        return f"_fn_{node.function}({', '.join(args)})"


def is_timestamp(node: ast.Expr) -> bool:
    if isinstance(node, ast.Name):
        return node.name == "ts"
    if isinstance(node, ast.Windowed):
        return node.call.function in ("first", "last", "min", "max") and is_timestamp(node.call.args[0])
    return False


def _stateful(state: Any, x: Any, late: bool, ts: int) -> Any:
    """A stateful function sees each non-null numeric value once; a late event only reads it."""
    if not late and ((x.__class__ is float and math.isfinite(x)) or x.__class__ is int):
        state.update(x, ts)
    return state.value()


def _seconds_between(later: Any, earlier: Any) -> float | None:
    difference = arithmetic("-", later, earlier)
    return None if difference is None else difference / 1000.0  # timestamps differ in seconds


def _binary_helper(op: str) -> Callable[[Any, Any], Any]:
    if op in ("and", "or"):
        return lambda left, right: logical(op, left, right)
    if op in ("<", "<=", ">", ">="):
        return lambda left, right: compare(op, left, right)
    return lambda left, right: arithmetic(op, left, right)


def _fast(op: str) -> Callable[[Any, Any], Any]:
    """`+ - * /` with a shortcut for plain numbers, the common case on every payment."""
    general = _binary_helper(op)
    apply = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}[op]
    numbers = (float, int)  # not bool: true + 1 is null in the DSL

    def arithmetic_on_numbers(left: Any, right: Any) -> Any:
        if left is None or right is None:
            return None
        if left.__class__ in numbers and right.__class__ in numbers and (op != "/" or right):
            try:
                result = apply(left, right)
            except OverflowError:  # an integer too large for a float
                return None
            if result.__class__ is int:
                return result if result in INT64 else None
            return result if result - result == 0.0 else None
        return general(left, right)

    return arithmetic_on_numbers


def _number(x: Any) -> Any:
    return x if (x.__class__ is float and math.isfinite(x)) or x.__class__ is int else None


def _string(x: Any) -> Any:
    return x if x.__class__ is str else None


def _boolean(x: Any) -> Any:
    return x if x.__class__ is bool else None


def _scalar(x: Any) -> Any:
    return x if x.__class__ in (str, int, bool) else _number(x)


_OPERATOR_NAMES = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod", "<": "lt", "<=": "le", ">": "gt",
                   ">=": "ge", "and": "and", "or": "or"}  # fmt: skip
_BINARY = {op: f"_{name}" for op, name in _OPERATOR_NAMES.items()}
_HELPERS: dict[str, Any] = {
    **{f"_{name}": _binary_helper(op) for op, name in _OPERATOR_NAMES.items()},
    **{f"_{_OPERATOR_NAMES[op]}": _fast(op) for op in "+-*/"},
    "_not": lambda x: None if x is None else not x,
    "_neg": lambda x: arithmetic("-", 0, x),
    "_isin": lambda x, options: x is not None and x in options,
    "_stateful": _stateful,
    "_INT64": INT64,
    "_seconds_between": _seconds_between,
    "_as_number": _number,
    "_as_timestamp": _number,
    "_as_string": _string,
    "_as_bool": _boolean,
    "_as_any": _scalar,
    **{f"_fn_{name}": function for name, function in SCALAR_FUNCTIONS.items()},
}
