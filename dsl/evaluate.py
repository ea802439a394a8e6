"""Scalar expression semantics of DSL.md: nulls propagate, division by zero and NaN become null,
comparisons with null are false except `== null` / `!= null`."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "%": operator.mod,
}  # fmt: skip
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}  # fmt: skip


_NUMBERS = (int, float)  # bool is not one: `true + 1` is null


INT64 = range(-(2**63), 2**63)  # integers the JVM engine holds; one outside is null, as an infinity is


def finite(value: Any) -> Any:
    """NaN, infinities and integers outside 64 bits become null; everything else is itself.

    >>> finite(float("nan")), finite(2**63), finite(-(2**63)), finite(True)
    (None, None, -9223372036854775808, True)
    """
    if value.__class__ is float:
        return value if math.isfinite(value) else None
    if value.__class__ is int and value not in INT64:
        return None
    return value


def arithmetic(op: str, left: Any, right: Any) -> Any:
    """`+ - * / %` with DSL.md's nulls.

    >>> arithmetic("/", 1, 0), arithmetic("+", None, 1), arithmetic("*", 2, 3.5)
    (None, None, 7.0)
    """
    if left.__class__ not in _NUMBERS or right.__class__ not in _NUMBERS:
        return None  # null, or what an event carries where a number belongs (a string, true): null
    try:
        return finite(_ARITHMETIC[op](left, right))
    except (ZeroDivisionError, OverflowError, TypeError):
        return None


def compare(op: str, left: Any, right: Any) -> bool:
    """Comparisons: false with a null, except `==`/`!=` which treat null as a value.

    >>> compare("==", None, None), compare("<", None, 1), compare("!=", "DE", None)
    (True, False, True)
    """
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if left is None or right is None:
        return False
    try:
        return _ORDER[op](left, right)
    except TypeError:
        return False


def logical(op: str, left: Any, right: Any) -> bool | None:
    """`and`/`or` over true, false and null (Kleene: null is 'unknown')."""
    if op == "and":
        if left is False or right is False:
            return False
        return None if left is None or right is None else True
    if left is True or right is True:
        return True
    return None if left is None or right is None else False


def _math(function: Callable[[float], float]) -> Callable[..., Any]:
    def apply(x: Any) -> Any:
        if x is None:
            return None
        try:
            return finite(function(x))
        except (ValueError, OverflowError, TypeError):
            return None

    return apply


def _round(x: Any, digits: Any = 0) -> Any:
    if x.__class__ not in _NUMBERS or digits.__class__ not in _NUMBERS:
        return None
    try:
        return finite(round(float(x), int(digits)))
    except (OverflowError, ValueError):
        return None


def _text(function: Callable[[str], str]) -> Callable[[Any], Any]:
    return lambda s: function(s) if isinstance(s, str) else None


def _extreme(pick: Callable[..., Any]) -> Callable[[Any, Any], Any]:
    def apply(a: Any, b: Any) -> Any:
        if a.__class__ in _NUMBERS and b.__class__ in _NUMBERS:
            return pick(a, b)
        return pick(a, b) if a.__class__ is str and b.__class__ is str else None

    return apply


SCALAR_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "nullif": lambda a, b: None if a == b else a,
    "coalesce": lambda *args: next((a for a in args if a is not None), None),
    "abs": _math(abs),
    "log": _math(math.log),
    "exp": _math(math.exp),
    "sqrt": _math(math.sqrt),
    "round": _round,
    "lower": _text(str.lower),
    "upper": _text(str.upper),
    "min": _extreme(min),
    "max": _extreme(max),
}
