"""A forest as arrays, walked for many records at once with NumPy: the batch half of the fast path.

Every test becomes `column <= threshold` over one matrix of the records' values: a numeric field has a
column and its negation (`x >= t` is `-x <= -t`, exact), an equality or set membership has a column of
0/1 (the record's value tested once per distinct constant), and `True` tests a column of zeros against
+inf. A node with several children becomes a chain of such tests, tried in document order, ending at the
node itself (returnLastPrediction) or at no prediction. Leaves point to themselves, so walking every
(record, tree) lane as many steps as the deepest tree lands each on its leaf. The leaves' values are then
added tree by tree, in segment order, as the per-record code adds them: the sums are the same numbers.

Records come in with every tested field present and of its type (pmml_engine.fastpath sees to it).
"""

from __future__ import annotations

import math
from typing import Any
from xml.etree.ElementTree import Element

import numpy as np

from pmml_engine.expressions import Scope, Unsupported, array_values, cast
from pmml_engine.mining import ForestAverage, ForestSum

_SWAPPED = {"greaterThan": "lessOrEqual", "lessThan": "greaterOrEqual", "notEqual": "equal"}
_NUMERIC = ("double", "float", "integer")
_ALWAYS = (0, math.inf)
_BLOCK = 256  # the test of True and False: the zero column against +inf


class ForestArrays:
    def __init__(self, core: ForestSum | ForestAverage, scope: Scope, fields: list[str]) -> None:
        self.scope = scope
        self.fields = {name: i for i, name in enumerate(fields)}
        self.columns: dict[tuple[Any, ...], int] = {("zero",): 0}
        self.column_at: list[int] = []
        self.threshold: list[float] = []
        self.yes: list[int] = []
        self.no: list[int] = []
        self.value: list[Any] = []
        self.classes = len(core.classes) if isinstance(core, ForestAverage) else 0
        roots = []
        self.depth = 0
        for tree, tree_values in zip(core.trees, core.values, strict=True):
            self._preorder = iter(range(len(tree_values)))
            roots.append(self._tree(tree.element, tree.no_true_child, tree_values))
        self.roots_built = roots
        self._arrays()

    def evaluate(self, columns: list[list[Any]], n: int) -> list[Any]:
        """Per record (`n` of them, each with a value in every column): the sum of its leaves' values (or
        the tuple of per-class sums); None where a tree gives no prediction."""
        if n == 0:
            return []
        matrix = self._matrix(columns, n)
        # Blocks of records keep the walk's arrays in the cache.
        blocks = [self._leaves(matrix[start : start + _BLOCK]) for start in range(0, n, _BLOCK)]
        leaves = np.concatenate(blocks)
        totals = leaves[:, 0].copy()
        for tree in range(1, leaves.shape[1]):
            totals += leaves[:, tree]  # tree by tree, as the generated code adds them
        unknown = np.isnan(totals) if not self.classes else np.isnan(totals).any(axis=1)
        results = [tuple(row) for row in totals.tolist()] if self.classes else totals.tolist()
        for i in np.flatnonzero(unknown).tolist():
            results[i] = None
        return results

    def _leaves(self, matrix: np.ndarray) -> np.ndarray:
        """The value of the leaf each (record, tree) lane ends at: a lane takes one test a step; the
        `no` child sits right after the `yes` child, so the step is `first[node] + (value > threshold)`."""
        records, trees = matrix.shape[0], len(self.roots)
        lanes = records * trees
        flat = matrix.ravel()
        node = np.tile(self.roots, records)
        row = np.repeat(np.arange(records, dtype=np.intp) * matrix.shape[1], trees)
        at, value, threshold, higher = (np.empty(lanes, np.intp), np.empty(lanes), np.empty(lanes),
                                        np.empty(lanes, np.bool_))  # fmt: skip
        for _ in range(self.depth):
            np.take(self._column, node, out=at)
            np.add(at, row, out=at)
            np.take(flat, at, out=value)
            np.take(self._threshold, node, out=threshold)
            np.greater(value, threshold, out=higher)
            np.take(self._first, node, out=node)
            np.add(node, higher, out=node)
        shape = (records, trees, self.classes) if self.classes else (records, trees)
        return self._value[node].reshape(shape)

    def _matrix(self, columns: list[list[Any]], n: int) -> np.ndarray:
        matrix = np.empty((n, len(self.columns)))
        numbers: dict[int, np.ndarray] = {}
        for spec, at in self.columns.items():
            kind = spec[0]
            if kind == "zero":
                matrix[:, at] = 0.0
                continue
            i = self.fields[spec[1]]
            if kind in ("number", "negated"):
                if i not in numbers:
                    numbers[i] = np.asarray(columns[i], dtype=np.float64)
                matrix[:, at] = numbers[i] if kind == "number" else -numbers[i]
            else:  # membership: one Python test per record and distinct constant
                members = spec[2]
                matrix[:, at] = np.fromiter((v in members for v in columns[i]), dtype=np.float64, count=n)
        return matrix

    def _arrays(self) -> None:
        """Renumber the nodes so that each test's `no` child follows its `yes` child, as the walk needs."""
        order: list[int] = []  # new number -> old
        first: dict[int, int] = {}  # old test -> new number of its yes child
        for root in self.roots_built:
            order.append(root)
        position = 0
        while position < len(order):
            old = order[position]
            position += 1
            if self.yes[old] == old:
                continue  # a leaf
            first[old] = len(order)
            order += [self.yes[old], self.no[old]]
        number = {old: new for new, old in enumerate(order)}
        if len(number) != len(order):
            raise Unsupported("a tree node reached two ways")
        self.roots = np.array([number[r] for r in self.roots_built], dtype=np.intp)
        self._column = np.array([self.column_at[o] for o in order], dtype=np.intp)
        self._threshold = np.array([self.threshold[o] for o in order], dtype=np.float64)
        self._first = np.array([first.get(o, new) for new, o in enumerate(order)], dtype=np.intp)
        missing = (math.nan,) * self.classes if self.classes else math.nan
        self._value = np.array([missing if self.value[o] is None else self.value[o] for o in order],
                               dtype=np.float64)  # fmt: skip

    def _node(self, column: int, threshold: float, value: Any = None) -> int:
        self.column_at.append(column)
        self.threshold.append(threshold)
        index = len(self.yes)
        self.yes.append(index)
        self.no.append(index)
        self.value.append(value)
        return index

    def _leaf(self, value: Any) -> int:
        return self._node(0, math.inf, value)

    def _tree(self, root: Element, no_true_child: str, values: list[Any]) -> int:
        column, threshold, taken = self._predicate(root)
        if (column, threshold) == _ALWAYS:
            return self._children(root, no_true_child, values, steps=0) if taken else self._leaf(None)
        start = self._children(root, no_true_child, values, steps=1)
        return self._test(column, threshold, taken, start, self._leaf(None))

    def _children(self, element: Element, no_true_child: str, values: list[Any], steps: int) -> int:
        """Where the walk goes from this node (reached after `steps` tests): its leaf, or the chain of tests
        that leads to the child that takes the record, in document order. A `True` child ends the chain
        without a test of its own."""
        index = next(self._preorder)
        children = [c for c in element if self.scope.tag(c) == "Node"]
        if not children:
            self.depth = max(self.depth, steps)
            return self._leaf(values[index])
        entries = []
        for child in children:  # pre-order: a child's subtree is numbered before the next
            predicate = self._predicate(child)
            tests = steps + len([e for e in entries if e[0][:2] != _ALWAYS]) + (predicate[:2] != _ALWAYS)
            entries.append((predicate, self._children(child, no_true_child, values, tests)))
        following = self._leaf(values[index] if no_true_child == "returnLastPrediction" else None)
        self.depth = max(self.depth, steps + len([e for e in entries if e[0][:2] != _ALWAYS]))
        for (column, threshold, taken), target in reversed(entries):
            if (column, threshold) == _ALWAYS:
                following = target if taken else following
            else:
                following = self._test(column, threshold, taken, target, following)
        return following

    def _test(self, column: int, threshold: float, taken: bool, target: int, otherwise: int) -> int:
        test = self._node(column, threshold)
        self.yes[test], self.no[test] = (target, otherwise) if taken else (otherwise, target)
        return test

    def _predicate(self, node: Element) -> tuple[int, float, bool]:
        """(column, threshold, taken): the predicate holds when `column <= threshold` is `taken`."""
        element = next(c for c in node if self.scope.tag(c) not in ("Extension", "Node", "ScoreDistribution",
                                                                     "Partition"))  # fmt: skip
        tag = self.scope.tag(element)
        if tag in ("True", "False"):
            return 0, math.inf, tag == "True"
        name = element.get("field", "")
        if name not in self.fields:
            raise Unsupported(f"a tree tests {name!r}, which the batch does not read")
        data_type = self.scope.types.get(name, "string")
        if tag == "SimpleSetPredicate":
            array = next(a for a in element if self.scope.tag(a) == "Array")
            members = frozenset(cast(v, data_type) for v in array_values(array))
            return self._column(("member", name, members)), 0.5, element.get("booleanOperator") != "isIn"
        if tag != "SimplePredicate":
            raise Unsupported(f"<{tag}> in a batch")
        operator = element.get("operator", "")
        if operator in ("isMissing", "isNotMissing"):
            return 0, math.inf, operator == "isNotMissing"  # every tested field is present here
        value = cast(element.get("value"), data_type)
        swapped = operator in _SWAPPED
        operator = _SWAPPED.get(operator, operator)
        if operator == "equal":
            return self._column(("member", name, frozenset([value]))), 0.5, swapped
        if data_type not in _NUMERIC or value is None:
            raise Unsupported(f"{operator} on {data_type} in a batch")
        if operator == "lessOrEqual":
            return self._column(("number", name)), float(value), not swapped
        if operator == "greaterOrEqual":
            return self._column(("negated", name)), -float(value), not swapped
        raise Unsupported(f"operator {operator!r} in a batch")

    def _column(self, spec: tuple[Any, ...]) -> int:
        return self.columns.setdefault(spec, len(self.columns))
