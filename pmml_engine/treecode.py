"""A TreeModel as generated Python: nested `if` statements that return the index of the node reached.

It is the fast path for a record in which every field the tree tests is present: then no predicate is
unknown, every missing-value strategy agrees, and the tree is a few comparisons. A record with a
missing field goes to the interpreter in dsl.models, which follows each strategy. Names in the
generated source are ours (`v0`, `SETS[2]`); constants are written with `repr`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element

from pmml_engine.expressions import COMPARISON_OPERATORS, Scope, Unsupported, array_values, cast

Action = Callable[[int | None], list[str]]  # the lines run where a record ends: at a node (index) or nowhere
NEEDS_INTERPRETER = -1  # a field the tree tests is missing
INTERPRET = object()  # the same, from a forest: its sums can be any number
NO_PREDICTION = -2  # no true child under returnNullPrediction
_MAX_DEPTH = 60  # deeper trees stay interpreted: Python's parser has its limits


def compile_tree(root: Element, scope: Scope, no_true_child: str) -> Callable[[dict[str, Any]], int]:
    """`leaf(env)`: the pre-order index of the node a record ends at, or one of the two codes above."""
    writer = _Writer(scope)
    body = writer.tree(root, no_true_child, lambda index: [f"return {NO_PREDICTION if index is None else index}"])
    return _function(["def leaf(env):", *writer.reads(NEEDS_INTERPRETER), *body], writer, "leaf")


def compile_ensemble(trees: list[tuple[Element, str, list[Any]]], scope: Scope, classes: int) -> Callable[..., Any]:
    """One function for a forest of bare trees, each given as (root, noTrueChildStrategy, node values in
    pre-order): the sum of the values reached (classes 0), or the sums of the probability tuples reached
    (classes > 0), each leaf's value written into the code. It returns None when a tree gives no
    prediction, INTERPRET when a tested field is missing."""
    writer = _Writer(scope)
    body: list[str] = []
    totals = ["total"] if not classes else [f"a{c}" for c in range(classes)]
    for root, no_true_child, values in trees:
        writer.count = 0
        body += writer.tree(root, no_true_child, lambda index, values=values: _add(values, index, classes))
    lines = ["def forest(env):", *writer.reads("INTERPRET"), f"    {' = '.join(totals)} = 0.0", *body]
    lines.append(f"    return {totals[0]}" if not classes else f"    return ({', '.join(totals)},)")
    return _function(lines, writer, "forest", INTERPRET=INTERPRET)


def _add(values: list[Any], index: int | None, classes: int) -> list[str]:
    value = None if index is None else values[index]
    if value is None:
        return ["return None"]
    if not classes:
        return [f"total += {float(value)!r}"]
    added = [f"a{c} += {float(p)!r}" for c, p in enumerate(value) if p != 0.0]  # adding 0.0 changes nothing
    return added or ["pass"]


def _function(lines: list[str], writer: _Writer, name: str, **constants: Any) -> Any:
    namespace: dict[str, Any] = {"SETS": writer.sets, **constants}
    exec(compile("\n".join(lines), f"<{name}>", "exec"), namespace)  # our own generated code: names and reprs
    return namespace[name]


def _predicate_of(node: Element, scope: Scope) -> Element:
    return next(c for c in node if scope.tag(c) not in ("Extension", "Node", "ScoreDistribution", "Partition"))


class _Writer:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.fields: dict[str, str] = {}
        self.sets: list[frozenset[Any]] = []
        self.count = 0  # nodes numbered in pre-order, as the interpreter numbers them

    def reads(self, missing_code: int | str) -> list[str]:
        """Each tested field read once; a missing one, or an undeclared value of a field with declared
        values (unknown to a predicate), sends the record to the interpreter."""
        lines = [f"    {local} = env.get({name!r})" for name, local in self.fields.items()]
        tests = []
        for name, local in self.fields.items():
            tests.append(f"{local} is None")
            if name in self.scope.valid:
                self.sets.append(self.scope.valid[name])
                tests.append(f"{local} not in SETS[{len(self.sets) - 1}]")
        return [*lines, f"    if {' or '.join(tests)}: return {missing_code}"] if tests else lines

    def tree(self, root: Element, no_true_child: str, action: Action) -> list[str]:
        """The tree as nested `if`s; `action(node index, or None for no prediction)` gives the lines run
        where a record ends (the reads come first, so the fields are known)."""
        test = self.predicate(_predicate_of(root, self.scope))
        if test == "True":  # the usual root: no test to run
            return self.node(root, 1, no_true_child, action)
        lines = [f"    if not {test}:", *(f"        {line}" for line in action(None)), "    else:"]
        return lines + self.node(root, 2, no_true_child, action)

    def node(
        self, element: Element, depth: int, no_true_child: str, action: Callable[[int | None], list[str]]
    ) -> list[str]:
        if depth > _MAX_DEPTH:
            raise Unsupported("a tree deeper than the code generator goes")
        index = self.count
        self.count += 1
        indent = "    " * depth
        children = [c for c in element if self.scope.tag(c) == "Node"]
        if not children:
            return [f"{indent}{line}" for line in action(index)]
        lines = []
        for position, child in enumerate(children):
            keyword = "if" if position == 0 else "elif"
            lines.append(f"{indent}{keyword} {self.predicate(_predicate_of(child, self.scope))}:")
            lines += self.node(child, depth + 1, no_true_child, action)
        fallback = index if no_true_child == "returnLastPrediction" else None
        lines += [f"{indent}else:", *(f"{indent}    {line}" for line in action(fallback))]
        return lines

    def predicate(self, element: Element) -> str:
        tag = self.scope.tag(element)
        if tag in ("True", "False"):
            return tag
        if tag == "SimplePredicate":
            return self._simple(element)
        if tag == "SimpleSetPredicate":
            name = element.get("field", "")
            array = next(a for a in element if self.scope.tag(a) == "Array")
            self.sets.append(frozenset(cast(v, self.scope.types.get(name, "string")) for v in array_values(array)))
            negation = "" if element.get("booleanOperator") == "isIn" else "not "
            return f"({self._local(name)} {negation}in SETS[{len(self.sets) - 1}])"
        if tag == "CompoundPredicate":
            operator = element.get("booleanOperator", "")
            parts = [self.predicate(c) for c in element if self.scope.tag(c) != "Extension"]
            if operator in ("and", "or"):
                return "(" + f" {operator} ".join(parts) + ")"
            if operator == "surrogate":
                return parts[0]  # with no field missing, the first predicate decides
            if operator == "xor":
                return "((" + " + ".join(f"bool{p}" for p in parts) + ") % 2 == 1)"
        raise Unsupported(f"predicate <{tag}> in generated code")

    def _simple(self, element: Element) -> str:
        name, operator = element.get("field", ""), element.get("operator", "")
        local = self._local(name)
        if operator in ("isMissing", "isNotMissing"):
            return "False" if operator == "isMissing" else "True"  # nothing is missing on this path
        if operator not in COMPARISON_OPERATORS:
            raise Unsupported(f"SimplePredicate operator {operator!r}")
        data_type = self.scope.types.get(name, "string")
        value = cast(element.get("value"), data_type)
        if value is None or (operator not in ("equal", "notEqual") and data_type in ("string", "boolean")):
            raise Unsupported("an ordering comparison of text in generated code")
        return f"({local} {COMPARISON_OPERATORS[operator]} {value!r})"

    def _local(self, name: str) -> str:
        return self.fields.setdefault(name, f"v{len(self.fields)}")
