"""PMML expressions and predicates, compiled once into Python closures over a record's field values.

A value is None where PMML says "missing". Fields of dataType `float` keep double precision, as
pypmml, our reference, does (sklearn2pmml's scalers write `dataType="float"`): rounding them to float32,
as JPMML would, sends some records down another branch of a tree whose threshold sits on that value
(tests/pmml_engine compare every output with pypmml's).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element

Env = dict[str, Any]
Expression = Callable[[Env], Any]
Predicate = Callable[[Env], bool | None]  # None: unknown, because a value it needs is missing


class Unsupported(Exception):
    """A construct the compiled engine does not evaluate: the model is scored by pypmml instead."""


def cast(value: Any, data_type: str) -> Any:  # noqa: PLR0911 - one per data type
    """A value as PMML's dataType has it; None stays missing, and what cannot be cast is missing."""
    if value is None or (value.__class__ is float and math.isnan(value)):
        return None  # pandas and JSON readers give NaN for an empty cell: missing
    try:
        if data_type in ("double", "float"):
            number = float(value)
            return None if math.isnan(number) else number
        if data_type == "integer":
            return int(float(value)) if not isinstance(value, bool) else int(value)
        if data_type == "boolean":
            return _boolean(value)
        if data_type == "string":
            return _text(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return value


def caster(data_type: str) -> Callable[[Any], Any]:
    """cast(value, data_type) with the common case first: a float for a double, a str for a string."""
    if data_type in ("double", "float"):
        return lambda value: (value if value == value else None) if value.__class__ is float else cast(value, data_type)  # noqa: PLR0124 - NaN is the float unequal to itself
    if data_type == "string":
        return lambda value: value if value.__class__ is str else cast(value, data_type)
    return lambda value: cast(value, data_type)


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    return {"true": True, "false": False, "1": True, "0": False}.get(str(value).strip().lower())


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return repr(value)  # 1.0 stays "1.0": a category is its text
    return str(value)


class Scope:
    """What an expression may refer to: field data types, so constants and comparisons use the right one."""

    def __init__(self, types: dict[str, str], ns: str, valid: dict[str, frozenset[Any]] | None = None) -> None:
        self.types, self.ns = types, ns
        # Fields with declared values: in a predicate, any other value is unknown, as if missing (pypmml
        # encodes categories by position, and an undeclared one as missing).
        self.valid: dict[str, frozenset[Any]] = valid or {}
        self.cores: dict[Element, Any] = {}  # each model element's own evaluator, for pmml_engine.fastpath
        self._local_names: dict[str, str] = {}

    def tag(self, element: Element) -> str:
        """The element's name without the PMML namespace (remembered: a forest asks for it 100,000 times)."""
        tag = element.tag
        local = self._local_names.get(tag)
        if local is None:
            local = self._local_names[tag] = tag[len(self.ns) :] if tag.startswith(self.ns) else tag
        return local


def compile_expression(element: Element, scope: Scope) -> Expression:  # noqa: PLR0911 - one per element kind
    tag = scope.tag(element)
    if tag == "Constant":
        constant = constant_value(element)
        return lambda env: constant
    if tag == "FieldRef":
        name = element.get("field", "")
        fallback = element.get("mapMissingTo")
        if fallback is None:
            return lambda env: env.get(name)
        replacement = cast(fallback, scope.types.get(name, "double"))
        return lambda env: _or(env.get(name), replacement)
    if tag == "Apply":
        return _apply(element, scope)
    if tag == "NormContinuous":
        return _norm_continuous(element, scope)
    if tag == "NormDiscrete":
        name, value = element.get("field", ""), element.get("value")
        on_missing = element.get("mapMissingTo")
        missing = None if on_missing is None else float(on_missing)
        return lambda env: missing if env.get(name) is None else float(_text(env.get(name)) == value)
    if tag == "Discretize":
        return _discretize(element, scope)
    if tag == "MapValues":
        return _map_values(element, scope)
    raise Unsupported(f"expression <{tag}>")


def _or(value: Any, replacement: Any) -> Any:
    return replacement if value is None else value


def constant_value(element: Element) -> Any:
    text = (element.text or "").strip()
    if element.get("missing") == "true":
        return None
    data_type = element.get("dataType")
    if data_type is None:
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                return text
    return cast(text, data_type)


def _children(element: Element, scope: Scope) -> list[Element]:
    return [child for child in element if scope.tag(child) != "Extension"]


_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
}  # fmt: skip
# PMML's comparison names and Python's operators, for generated code (pmml_engine.treecode, .exprcode).
COMPARISON_OPERATORS = {"equal": "==", "notEqual": "!=", "lessThan": "<", "lessOrEqual": "<=", "greaterThan": ">",
                        "greaterOrEqual": ">="}  # fmt: skip
_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "equal": lambda a, b: a == b, "notEqual": lambda a, b: a != b, "lessThan": lambda a, b: a < b,
    "lessOrEqual": lambda a, b: a <= b, "greaterThan": lambda a, b: a > b, "greaterOrEqual": lambda a, b: a >= b,
}  # fmt: skip
MATH_FUNCTIONS: dict[str, Callable[..., float]] = {
    "log10": math.log10, "ln": math.log, "exp": math.exp, "sqrt": math.sqrt, "abs": abs, "pow": math.pow,
    "floor": math.floor, "ceil": math.ceil, "round": lambda x: math.floor(x + 0.5),
    "threshold": lambda x, y: 1.0 if x > y else 0.0, "expm1": math.expm1, "ln1p": math.log1p,
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "atan": math.atan, "tanh": math.tanh,
}  # fmt: skip
_AGGREGATES: dict[str, Callable[[list[float]], float]] = {
    "min": min, "max": max, "sum": math.fsum, "avg": lambda v: math.fsum(v) / len(v),
}  # fmt: skip


def _apply(element: Element, scope: Scope) -> Expression:  # noqa: PLR0911 - one case per function family
    function = element.get("function", "")
    args = [compile_expression(child, scope) for child in _children(element, scope)]
    if element.get("mapMissingTo") is not None or element.get("defaultValue") is not None:
        raise Unsupported("Apply with mapMissingTo or defaultValue")
    if function in _ARITHMETIC and len(args) == 2:
        op, left, right = _ARITHMETIC[function], args[0], args[1]
        return lambda env: _arithmetic(op, left(env), right(env))
    if function in _COMPARISONS and len(args) == 2:
        compare, left, right = _COMPARISONS[function], args[0], args[1]
        return lambda env: _compare(compare, left(env), right(env))
    if function in MATH_FUNCTIONS:
        apply = MATH_FUNCTIONS[function]
        return lambda env: _math(apply, [a(env) for a in args])
    if function in _AGGREGATES:
        aggregate = _AGGREGATES[function]
        return lambda env: _aggregate(aggregate, [a(env) for a in args])
    if function == "if":
        condition, then = args[0], args[1]
        otherwise = args[2] if len(args) > 2 else (lambda env: None)
        return lambda env: _if(condition(env), then, otherwise, env)
    if function in ("isMissing", "isNotMissing"):
        wanted = function == "isMissing"
        return lambda env: (args[0](env) is None) == wanted
    if function in ("and", "or"):
        return _logical(function, args)
    if function == "not":
        return lambda env: None if args[0](env) is None else not args[0](env)
    if function in ("isIn", "isNotIn"):
        raise Unsupported(f"Apply {function}")
    raise Unsupported(f"function {function!r}")


def _arithmetic(op: Callable[[float, float], float], a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    try:
        return op(a, b)
    except ZeroDivisionError:
        return None


def _compare(compare: Callable[[Any, Any], bool], a: Any, b: Any) -> bool | None:
    if a is None or b is None:
        return None
    return compare(a, b)


def _math(apply: Callable[..., float], values: list[Any]) -> Any:
    if any(v is None for v in values):
        return None
    try:
        return float(apply(*values))
    except (ValueError, OverflowError, ZeroDivisionError):
        return None


def _aggregate(aggregate: Callable[[list[float]], float], values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    return float(aggregate(present)) if present else None


def _if(condition: Any, then: Expression, otherwise: Expression, env: Env) -> Any:
    if condition is None:
        return None
    return then(env) if condition else otherwise(env)


def _logical(function: str, args: list[Expression]) -> Expression:
    combine = _all if function == "and" else _any  # the same three-valued logic as compound predicates
    return lambda env: combine([a(env) for a in args])


def _norm_continuous(element: Element, scope: Scope) -> Expression:
    name = element.get("field", "")
    points = [(float(p.get("orig", "0")), float(p.get("norm", "0"))) for p in element if scope.tag(p) == "LinearNorm"]
    if len(points) < 2:
        raise Unsupported("NormContinuous with fewer than two LinearNorm points")
    outliers = element.get("outliers", "asIs")
    on_missing = element.get("mapMissingTo")
    missing = None if on_missing is None else float(on_missing)

    origins = [x for x, _ in points]

    def normalise(env: Env) -> Any:
        x = env.get(name)
        if x is None:
            return missing
        if x < origins[0] or x > origins[-1]:
            if outliers == "asMissingValues":
                return None
            if outliers == "asExtremeValues":
                return points[0][1] if x < origins[0] else points[-1][1]
        i = min(max(bisect.bisect_right(origins, x) - 1, 0), len(points) - 2)  # outside: the end segment, extended
        (x0, y0), (x1, y1) = points[i], points[i + 1]
        return y0 + (x - x0) * (y1 - y0) / (x1 - x0)

    return normalise


def _discretize(element: Element, scope: Scope) -> Expression:
    name = element.get("field", "")
    bins = []
    for child in element:
        if scope.tag(child) != "DiscretizeBin":
            continue
        interval = next(i for i in child if scope.tag(i) == "Interval")
        bins.append((_interval(interval), child.get("binValue")))
    missing, default = element.get("mapMissingTo"), element.get("defaultValue")
    data_type = element.get("dataType", "string")

    def discretize(env: Env) -> Any:
        x = env.get(name)
        if x is None:
            return cast(missing, data_type)
        for contains, value in bins:
            if contains(x):
                return cast(value, data_type)
        return cast(default, data_type)

    return discretize


def _interval(element: Element) -> Callable[[float], bool]:
    closure = element.get("closure", "closedClosed")
    low = float(element.get("leftMargin", "-inf"))
    high = float(element.get("rightMargin", "inf"))
    left_closed, right_closed = closure.startswith("closed"), closure.endswith("Closed")
    return lambda x: (x >= low if left_closed else x > low) and (x <= high if right_closed else x < high)


def _map_values(element: Element, scope: Scope) -> Expression:
    output = element.get("outputColumn", "")
    pairs = [(p.get("column", ""), p.get("field", "")) for p in element if scope.tag(p) == "FieldColumnPair"]
    table = next((t for t in element if scope.tag(t) == "InlineTable"), None)
    if table is None:
        raise Unsupported("MapValues without an InlineTable")
    rows: dict[tuple[str, ...], str] = {}
    for row in table:
        cells = {scope.tag(c).rpartition(":")[2].rpartition("}")[2]: (c.text or "").strip() for c in row}
        rows[tuple(cells.get(column, "") for column, _ in pairs)] = cells.get(output, "")
    data_type = element.get("dataType", "string")
    missing, default = element.get("mapMissingTo"), element.get("defaultValue")

    def lookup(env: Env) -> Any:
        values = [env.get(field) for _, field in pairs]
        if any(v is None for v in values):
            return cast(missing, data_type)
        found = rows.get(tuple(_text(v) for v in values))
        return cast(found if found is not None else default, data_type)

    return lookup


def compile_predicate(element: Element, scope: Scope) -> Predicate:
    tag = scope.tag(element)
    if tag == "True":
        return lambda env: True
    if tag == "False":
        return lambda env: False
    if tag == "SimplePredicate":
        return _simple(element, scope)
    if tag == "SimpleSetPredicate":
        return _set(element, scope)
    if tag == "CompoundPredicate":
        return _compound(element, scope)
    raise Unsupported(f"predicate <{tag}>")


def _known(name: str, scope: Scope) -> Callable[[Env], Any]:
    """A predicate's reading of a field: None when missing or, for a field with declared values, undeclared."""
    valid = scope.valid.get(name)
    if valid is None:
        return lambda env: env.get(name)
    return lambda env: value if (value := env.get(name)) in valid else None


def _simple(element: Element, scope: Scope) -> Predicate:
    name, operator = element.get("field", ""), element.get("operator", "")
    read = _known(name, scope)
    if operator in ("isMissing", "isNotMissing"):
        wanted = operator == "isMissing"
        return lambda env: (read(env) is None) == wanted
    if operator not in _COMPARISONS:
        raise Unsupported(f"SimplePredicate operator {operator!r}")
    value = cast(element.get("value"), scope.types.get(name, "string"))
    compare = _COMPARISONS[operator]

    def test(env: Env) -> bool | None:
        x = read(env)
        if x is None:
            return None
        try:
            return compare(x, value)
        except TypeError:
            return compare(_text(x), _text(value))

    return test


def _set(element: Element, scope: Scope) -> Predicate:
    name = element.get("field", "")
    array = next(a for a in element if scope.tag(a) == "Array")
    data_type = scope.types.get(name, "string")
    members = frozenset(cast(v, data_type) for v in array_values(array))
    inside = element.get("booleanOperator") == "isIn"
    read = _known(name, scope)

    def test(env: Env) -> bool | None:
        x = read(env)
        return None if x is None else (x in members) == inside

    return test


def array_values(array: Element) -> list[str]:
    """The values of a PMML Array: white-space separated, double quotes around values with spaces."""
    text, values, i = (array.text or "").strip(), [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
        elif text[i] == '"':
            end = i + 1
            while end < len(text) and (text[end] != '"' or text[end - 1] == "\\"):
                end += 1
            values.append(text[i + 1 : end].replace('\\"', '"'))
            i = end + 1
        else:
            end = i
            while end < len(text) and not text[end].isspace():
                end += 1
            values.append(text[i:end])
            i = end
    return values


def _compound(element: Element, scope: Scope) -> Predicate:
    operator = element.get("booleanOperator", "")
    parts = [compile_predicate(child, scope) for child in _children(element, scope)]
    if operator == "and":
        return lambda env: _all([p(env) for p in parts])
    if operator == "or":
        return lambda env: _any([p(env) for p in parts])
    if operator == "xor":
        return lambda env: _xor([p(env) for p in parts])
    if operator == "surrogate":
        return lambda env: next((v for v in (p(env) for p in parts) if v is not None), None)
    raise Unsupported(f"CompoundPredicate {operator!r}")


def _all(values: list[bool | None]) -> bool | None:
    return False if False in values else (None if None in values else True)


def _any(values: list[bool | None]) -> bool | None:
    return True if True in values else (None if None in values else False)


def _xor(values: list[bool | None]) -> bool | None:
    return None if None in values else sum(values) % 2 == 1
