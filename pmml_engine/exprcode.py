"""Expressions and regression tables as generated Python, for records in which every field they read is
present: then PMML's arithmetic is Python's, and a DerivedField costs a line instead of a chain of calls.
A record with a missing field, or a computation that fails (a division by zero, the log of a negative),
is handed to the closures of pmml_engine.expressions, which give PMML's answer. Names in the generated
source are ours (`x0`, `MATH[...]`); constants are written with `repr`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element

from pmml_engine.expressions import COMPARISON_OPERATORS, MATH_FUNCTIONS, Env, Expression, Scope, constant_value

_OPERATORS = {"+": "+", "-": "-", "*": "*", "/": "/", **COMPARISON_OPERATORS}
_AGGREGATES = {"min": "min", "max": "max", "sum": "FSUM", "avg": "AVG"}


def fast_expression(element: Element, scope: Scope, slow: Expression) -> Expression:
    """The expression as generated code when every field it reads is present, else `slow`."""
    writer = _Writer(scope)
    source = writer.expression(element)
    if source is None:
        return slow
    reads = [f"    {local} = env.get({name!r})" for name, local in writer.fields.items()]
    guard = " or ".join(f"{local} is None" for local in writer.fields.values())
    lines = ["def fast(env):", *reads]
    if guard:
        lines.append(f"    if {guard}: return SLOW(env)")
    lines += ["    try:", f"        return {source}", "    except (ArithmeticError, ValueError, TypeError):",
              "        return SLOW(env)"]  # fmt: skip
    return _function(lines, "fast", SLOW=slow)


def fast_linear(
    intercept: float, numeric: list[tuple[str, float, int]], categorical: dict[str, dict[Any, float]]
) -> Callable[[Env], float | None]:
    """A regression table's linear predictor as one expression; None when a numeric input is missing; a
    missing or unseen category adds nothing. The terms are added in the order the interpreter adds them."""
    locals_ = {name: f"x{i}" for i, name in enumerate(dict.fromkeys(n for n, _, _ in numeric))}
    reads = [f"    {local} = env.get({name!r})" for name, local in locals_.items()]
    guard = " or ".join(f"{local} is None" for local in locals_.values())
    terms = [repr(intercept)]
    terms += [f"{c!r} * {locals_[n]}" + (f" ** {e}" if e != 1 else "") for n, c, e in numeric]
    terms += [f"CATEGORIES[{i}].get(env.get({name!r}), 0.0)" for i, name in enumerate(categorical)]
    lines = ["def linear(env):", *reads]
    if guard:
        lines.append(f"    if {guard}: return None")
    lines.append(f"    return {' + '.join(terms)}")
    return _function(lines, "linear", CATEGORIES=list(categorical.values()))


def expression_source(element: Element, scope: Scope, bound: dict[str, str]) -> str | None:
    """The expression as Python over locals already holding its fields (`bound`: field name -> local),
    for code that has checked every field is present; None when it reads another field or has a construct
    the generator does not write. The code needs `NAMESPACE`."""
    return _Writer(scope, bound).expression(element)


NAMESPACE: dict[str, Any] = {"MATH": MATH_FUNCTIONS, "FSUM": lambda *v: math.fsum(v),
                             "AVG": lambda *v: math.fsum(v) / len(v)}  # fmt: skip


def _function(lines: list[str], name: str, **constants: Any) -> Callable[[Env], Any]:
    namespace: dict[str, Any] = {**NAMESPACE, **constants}
    exec(compile("\n".join(lines), f"<{name}>", "exec"), namespace)  # our own generated code: names and reprs
    return namespace[name]


class _Writer:
    def __init__(self, scope: Scope, bound: dict[str, str] | None = None) -> None:
        self.scope = scope
        self.bound = bound
        self.fields: dict[str, str] = {}

    def expression(self, element: Element) -> str | None:  # noqa: PLR0911 - one case per element kind
        tag = self.scope.tag(element)
        if tag == "Constant":
            value = constant_value(element)
            return None if value is None or isinstance(value, str) else repr(value)
        if tag == "FieldRef":
            if element.get("mapMissingTo") is not None:
                return None
            if self.bound is not None:
                return self.bound.get(element.get("field", ""))
            return self.fields.setdefault(element.get("field", ""), f"x{len(self.fields)}")
        if tag != "Apply" or element.get("mapMissingTo") is not None or element.get("defaultValue") is not None:
            return None
        args = [self.expression(c) for c in element if self.scope.tag(c) != "Extension"]
        if any(a is None for a in args):
            return None
        return self._apply(element.get("function", ""), args)

    def _apply(self, function: str, args: list[str]) -> str | None:  # noqa: PLR0911 - one case per family
        if function in _OPERATORS and len(args) == 2:
            return f"({args[0]} {_OPERATORS[function]} {args[1]})"
        if function in MATH_FUNCTIONS:
            return f"float(MATH[{function!r}]({', '.join(args)}))"
        if function in _AGGREGATES and args:
            return f"float({_AGGREGATES[function]}({', '.join(args)}))"
        if function == "if" and len(args) == 3:
            return f"({args[1]} if {args[0]} else {args[2]})"
        if function in ("isMissing", "isNotMissing"):
            return "False" if function == "isMissing" else "True"  # nothing is missing on this path
        if function in ("and", "or") and args:
            return "(" + f" {function} ".join(f"bool({a})" for a in args) + ")"
        if function == "not" and len(args) == 1:
            return f"(not {args[0]})"
        return None
