"""The fast path: a whole PMML document as one generated function, for the records that need none of
PMML's special cases.

Such a record has every input present (or replaced by its MiningField), of its field's own type, and
valid; nothing on its way fails (no division by zero, every tree reaches a prediction). It is scored by
straight-line Python: fields and derived fields are locals, a regression is one sum, a forest is its
generated function (pmml_engine.treecode), the outputs one dict. Any other record "bails out" to the
general evaluator (`slow`), which gives PMML's answer for it. So the fast path only has to be right for
the records it keeps, and `tests/pmml_engine` check that it keeps the common ones.

A batch runs the code before a forest for every record, the forest for all of them at once over arrays
(pmml_engine.forestarrays, built at the first batch), then the code after it.

The generator follows the evaluators pmml_engine.models built for the same document (`Scope.cores`),
and gives up (`Unsupported`: no fast path, the general evaluator scores every record) on anything it
does not write: a document then costs what it cost before, never a different answer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from pmml_engine.document import is_model
from pmml_engine.exprcode import NAMESPACE, expression_source
from pmml_engine.expressions import Scope, Unsupported, cast, caster
from pmml_engine.forestarrays import ForestArrays
from pmml_engine.mining import ForestAverage, ForestSum
from pmml_engine.parts import DataField, Target, child_element, child_elements, find_target
from pmml_engine.regression import NORMALISE, normalise_classes
from pmml_engine.treecode import INTERPRET
from pmml_engine.trees import TreeEvaluator

Record = dict[str, Any]
Scores = dict[str, Any]
_BAIL = "@bail@"  # replaced by what leaving the fast path means where the code runs
_INPUT_TYPES = ("double", "float", "integer", "string")


@dataclass
class _ForestCall:
    """Where a forest is evaluated: one call per record, or (for a batch) one array walk for all."""

    core: ForestSum | ForestAverage
    reads: dict[str, str]  # tested field -> local
    result: str  # the local that receives the sum, or the tuple of per-class sums


@dataclass
class _Result:
    value: str  # the expression of the predicted value
    probability: Callable[[Any], str]  # category -> the expression of its probability
    bindable: dict[str, str] = field(default_factory=dict)  # output fields later segments may read
    values: dict[str, str] = field(default_factory=dict)  # every output field -> its expression


class FastPath:
    """`score_one(record)` and `score_batch(records)` with the general evaluator behind them."""

    def __init__(self, one: Callable[[Record], Scores], batch: Callable[[list[Record]], list[Scores]]) -> None:
        self.score_one, self.score_batch = one, batch


def fast_path(
    model: Element, scope: Scope, *, fields: dict[str, DataField], inputs: list[tuple[str, str]],
    transformations: Element | None, output_names: list[str], slow: Callable[[Record], Scores],
) -> FastPath:  # fmt: skip
    """The document's fast path; raises Unsupported where the generator does not follow it."""
    writer = _Writer(scope, fields)
    bound = {}
    for name, data_type in inputs:
        bound[name] = writer.input(name, data_type, fields[name], _mining_field(model, scope, name),
                                   replace=transformations is None)  # fmt: skip
    if transformations is not None:
        writer.derived(transformations, bound)
    result = writer.model(model, bound, top=True)
    if not result.values and len(output_names) == 1 and output_names[0].startswith("predicted_"):
        result.values = {output_names[0]: result.value}  # a regression without Output: pypmml names its value
    missing = [name for name in output_names if name not in result.values]
    if missing:
        raise Unsupported(f"output fields the fast path does not compute: {missing}")
    final = "{" + ", ".join(f"{name!r}: {result.values[name]}" for name in output_names) + "}"
    namespace = {**NAMESPACE, **writer.constants, "SLOW": slow, "INTERPRET": INTERPRET, "EMPTY": {}}
    one = _compile(_one_source(writer.lines, final), "score_one", namespace)
    forests = [line for line in writer.lines if isinstance(line, _ForestCall)]
    if len(forests) != 1:
        return FastPath(one, _loop(one))
    namespace["ARRAYS"] = _LazyArrays(forests[0].core, scope, list(forests[0].reads))
    return FastPath(one, _compile(_batch_source(writer, forests[0], final), "score_batch", namespace))


class _LazyArrays:
    """The forest's arrays, built at the first batch (a deploy that only streams never pays for them);
    a forest they cannot hold is walked record by record by its generated function instead."""

    def __init__(self, core: ForestSum | ForestAverage, scope: Scope, fields: list[str]) -> None:
        self.core, self.scope, self.fields = core, scope, fields
        self.arrays: ForestArrays | None = None
        self.unsupported = False

    def evaluate(self, columns: list[list[Any]], n: int) -> list[Any]:
        if self.arrays is None and not self.unsupported:
            try:
                self.arrays = ForestArrays(self.core, self.scope, self.fields)
            except Unsupported:
                self.unsupported = True
        if self.arrays is not None:
            return self.arrays.evaluate(columns, n)
        forest = self.core.forest
        results = [forest(dict(zip(self.fields, row, strict=True))) for row in zip(*columns, strict=True)] \
            if columns else [forest({}) for _ in range(n)]  # fmt: skip
        return [None if r is INTERPRET else r for r in results]


def _loop(one: Callable[[Record], Scores]) -> Callable[[list[Record]], list[Scores]]:
    return lambda records: [one(record) for record in records]


def _compile(source: str, name: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    try:
        code = compile(source, f"<{name}>", "exec")
    except SyntaxError as exc:  # a generator slip costs the model its speed, not its deploy
        raise Unsupported(f"its generated {name} did not compile ({exc.msg}, line {exc.lineno})") from None
    exec(code, namespace)  # our own generated code: names and reprs
    return namespace[name]


_CAUGHT = "except (ArithmeticError, ValueError, TypeError):"


def _one_source(lines: list[str | _ForestCall], final: str) -> str:
    bail = "return SLOW(record)"
    body = _indent(lines, 2, bail)
    return "\n".join(["def score_one(record):", "    get = record.get", "    try:", *body, f"    {_CAUGHT}",
                      f"        {bail}", f"    return {final}"])  # fmt: skip


def _forest_call(call: _ForestCall) -> list[str]:
    reads = "{" + ", ".join(f"{name!r}: {local}" for name, local in call.reads.items()) + "}"
    return [f"{call.result} = {_forest_name(call)}({reads})",
            f"if {call.result} is None or {call.result} is INTERPRET: {_BAIL}"]  # fmt: skip


def _forest_name(call: _ForestCall) -> str:
    return f"FOREST_{id(call.core)}"


def _batch_source(writer: _Writer, call: _ForestCall, final: str) -> str:
    """Every record up to the forest, the forest over arrays, every record from the forest on. A record
    that bails out before the forest is not in the arrays; one that bails after it is scored again."""
    split = writer.lines.index(call)
    before, after = writer.lines[:split], writer.lines[split + 1 :]
    bail = "out[i] = SLOW(record); continue"
    kept = writer.locals_before(split)
    state = f"({', '.join(kept)},)" if kept else "()"
    columns = [f"c{i}" for i in range(len(call.reads))]
    lines = ["def score_batch(records):", "    out = [None] * len(records)", "    rows = []", "    states = []",
             *[f"    {c} = []" for c in columns], "    for i, record in enumerate(records):",
             "        get = record.get",
             "        try:", *_indent(before, 3, bail), f"        {_CAUGHT}", *_indent([bail], 3, bail),
             "        rows.append(i)", f"        states.append({state})",
             *[f"        {c}.append({local})" for c, local in zip(columns, call.reads.values(), strict=True)],
             f"    results = ARRAYS.evaluate([{', '.join(columns)}], len(rows))",
             "    for i, state, result in zip(rows, states, results):", "        record = records[i]",
             f"        {state} = state" if kept else "        pass",
             f"        if result is None: {bail}", f"        {call.result} = result",
             "        try:", *_indent(after, 3, bail), f"        {_CAUGHT}", *_indent([bail], 3, bail),
             f"        out[i] = {final}", "    return out"]  # fmt: skip
    return "\n".join(lines)


def _indent(lines: list[Any], depth: int, bail: str) -> list[str]:
    """The lines (a forest call written out) as a block at `depth`, with `bail` where a record leaves the
    fast path; `pass` when there are none (nothing after a forest whose sum is the prediction)."""
    out = []
    for line in lines:
        text = "\n".join(_forest_call(line)) if isinstance(line, _ForestCall) else line
        for part in text.replace(_BAIL, bail).split("\n"):
            out.append("    " * depth + part)
    return out or ["    " * depth + "pass"]


def _mining_field(model: Element, scope: Scope, name: str) -> Element:
    schema = child_element(model, scope, "MiningSchema")
    mining = child_elements(schema, scope, "MiningField") if schema is not None else []
    found = [m for m in mining if m.get("name") == name]
    if not found:
        raise Unsupported(f"input {name!r} without its MiningField")
    return found[0]


class _Writer:
    """Lines of the fast path (at no indentation; `_BAIL` where the record leaves it) and the constants
    they name."""

    def __init__(self, scope: Scope, fields: dict[str, DataField]) -> None:
        self.scope, self.fields = scope, fields
        self.maybe_missing: set[str] = set()  # locals of output fields: a later expression checks them
        self.lines: list[str | _ForestCall] = []
        self.constants: dict[str, Any] = {}
        self.locals: list[str] = []
        self._assigned: list[int] = []  # len(self.lines) when each local was made

    def local(self) -> str:
        name = f"v{len(self.locals)}"
        self.locals.append(name)
        self._assigned.append(len(self.lines))
        return name

    def locals_before(self, position: int) -> list[str]:
        return [name for name, at in zip(self.locals, self._assigned, strict=True) if at < position]

    def constant(self, value: Any) -> str:
        name = f"K{len(self.constants)}"
        self.constants[name] = value
        return name

    def input(self, name: str, data_type: str, data_field: DataField, mining: Element, replace: bool) -> str:
        """A record's value as the field's type; missing: its replacement, or the general evaluator."""
        if data_type not in _INPUT_TYPES or mining.get("outliers", "asIs") != "asIs":
            raise Unsupported(f"input {name!r} of type {data_type}")
        x = self.local()
        replacement = cast(mining.get("missingValueReplacement"), data_type) if replace else None
        on_missing = _BAIL if replacement is None else f"{x} = {self.constant(replacement)}"
        valid = [f"if {x} not in {self.constant(data_field.values)}: {_BAIL}"] if data_field.values else []
        self.lines.append(f"{x} = get({name!r})")
        if data_type == "string":
            self.lines += [f"if {x}.__class__ is str:", *_under(valid or ["pass"]), f"elif {x} is None:",
                           f"    {on_missing}", f"else: {_BAIL}"]  # fmt: skip
        elif data_type == "integer":
            self.lines += [f"if {x}.__class__ is int:", f"    {x} = int(float({x}))", *_under(valid),
                           f"elif {x} is None:", f"    {on_missing}", f"else: {_BAIL}"]  # fmt: skip
        else:  # a float unequal to itself is NaN: missing
            self.lines += [f"if {x}.__class__ is float and {x} == {x}:", *_under(valid or ["pass"]),
                           f"elif {x}.__class__ is int or {x}.__class__ is bool:", f"    {x} = float({x})",
                           *_under(valid),
                           f"elif {x} is None or {x}.__class__ is float:", f"    {on_missing}",
                           f"else: {_BAIL}"]  # fmt: skip
        return x

    def derived(self, element: Element, bound: dict[str, str]) -> None:
        for derived in child_elements(element, self.scope, "DerivedField"):
            name, data_type = derived.get("name", ""), derived.get("dataType", "double")
            expression = next(c for c in derived if self.scope.tag(c) not in ("Extension", "Value"))
            source = self._expression(expression, bound)
            if source is None or data_type not in ("double", "float"):
                raise Unsupported(f"DerivedField {name!r} in the fast path")
            x = self.local()
            self.lines += [f"{x} = float({source})", f"if {x} != {x}: {_BAIL}"]  # NaN: missing
            bound[name] = x

    def model(self, element: Element, bound: dict[str, str], top: bool) -> _Result:
        tag = self.scope.tag(element)
        core = self.scope.cores.get(element)
        if core is None:
            raise Unsupported(f"<{tag}> without its evaluator")
        target = find_target(element, self.scope, self.fields)
        bound = dict(bound)
        schema = child_element(element, self.scope, "MiningSchema")
        for mining in child_elements(schema, self.scope, "MiningField") if schema is not None else []:
            name = mining.get("name", "")
            if mining.get("usageType", "active") == "active" and name not in bound:
                raise Unsupported(f"MiningField {name!r} the fast path has not read")
        local = child_element(element, self.scope, "LocalTransformations")
        if local is not None:
            self.derived(local, bound)
        if tag == "RegressionModel":
            result = self._regression(element, bound, target)
        elif tag == "TreeModel" and isinstance(core, TreeEvaluator):
            result = self._tree(core, bound)
        elif tag == "MiningModel":
            result = self._mining(element, core, bound, target)
        else:
            raise Unsupported(f"<{tag}> in the fast path")
        result.value = self._rescaled(child_element(element, self.scope, "Targets"), result.value, target)
        output = child_element(element, self.scope, "Output")
        if output is not None:
            result.bindable, result.values = self._outputs(output, bound, result, target)
        elif tag != "MiningModel":
            result.bindable, result.values = {}, {}
        return result

    def _regression(self, element: Element, bound: dict[str, str], target: Target) -> _Result:
        tables = child_elements(element, self.scope, "RegressionTable")
        method = element.get("normalizationMethod", "none")
        sums = []
        for table in tables:
            y = self.local()
            self.lines.append(f"{y} = {self._linear(table, bound)}")
            sums.append(y)
        if element.get("functionName") == "regression":
            value = self.local()
            link = "logit" if method == "softmax" else method
            self.lines.append(f"{value} = {sums[0]}" if link == "none" else
                              f"{value} = {self.constant(NORMALISE[link])}({sums[0]})")  # fmt: skip
            return _Result(value, lambda category: "None")
        categories = [target.category(t.get("targetCategory")) for t in tables]
        if len(set(categories)) != len(categories):
            raise Unsupported("a regression table per category, twice for one")
        value, probabilities = self.local(), [self.local() for _ in categories]
        if method == "logit" and len(tables) == 2:
            p, q = probabilities
            self.lines += [f"{p} = 1.0 / (1.0 + EXP(-{sums[0]})) if {sums[0]} > -700 else 0.0", f"{q} = 1.0 - {p}",
                           f"{value} = {self.constant(categories[0])} if {p} >= {q} else "
                           f"{self.constant(categories[1])}"]  # fmt: skip
            self.constants["EXP"] = math.exp
        else:
            normalised = self.local()
            self.lines += [f"{normalised} = {self.constant(normalise_classes)}({method!r}, [{', '.join(sums)}])",
                           f"if {normalised} is None: {_BAIL}",
                           f"{', '.join(probabilities)}, = {normalised}",
                           f"{value} = {self._first_most_probable(categories, probabilities)}"]  # fmt: skip
        by_category = dict(zip(categories, probabilities, strict=True))
        return _Result(value, lambda category: by_category.get(category, "None"))

    def _linear(self, table: Element, bound: dict[str, str]) -> str:
        """The table's sum, term by term in the order pmml_engine.exprcode.fast_linear adds them."""
        if child_elements(table, self.scope, "PredictorTerm"):
            raise Unsupported("PredictorTerm")
        terms = [repr(float(table.get("intercept", "0")))]
        for p in child_elements(table, self.scope, "NumericPredictor"):
            exponent = int(p.get("exponent", "1"))
            terms.append(f"{float(p.get('coefficient', '0'))!r} * {self._read(bound, p.get('name', ''))}"
                         + (f" ** {exponent}" if exponent != 1 else ""))  # fmt: skip
        categorical: dict[str, dict[Any, float]] = {}
        for p in child_elements(table, self.scope, "CategoricalPredictor"):
            name = p.get("name", "")
            value = cast(p.get("value"), self.scope.types.get(name, "string"))
            categorical.setdefault(name, {})[value] = float(p.get("coefficient", "0"))
        terms += [f"{self.constant(table)}.get({self._read(bound, name)}, 0.0)" for name, table in categorical.items()]
        return " + ".join(terms)

    def _read(self, bound: dict[str, str], name: str) -> str:
        if name not in bound:
            raise Unsupported(f"field {name!r} the fast path has not read")
        return bound[name]

    def _first_most_probable(self, categories: list[Any], probabilities: list[str]) -> str:
        pairs = ", ".join(f"({p}, {-i})" for i, p in enumerate(probabilities))
        return f"{self.constant(tuple(categories))}[-max({pairs})[1]]"  # max() keeps the first of equals

    def _tree(self, core: TreeEvaluator, bound: dict[str, str]) -> _Result:
        node, value, probabilities = self.local(), self.local(), self.local()
        reads = "{" + ", ".join(f"{name!r}: {local}" for name, local in bound.items()) + "}"
        self.lines += [f"{node} = {self.constant(core)}.node({reads})",
                       f"if {node} is None or {node}.score is None: {_BAIL}",
                       f"{value} = {node}.score", f"{probabilities} = {node}.probabilities"]  # fmt: skip
        return _Result(value, lambda c: f"({probabilities} or EMPTY).get({self.constant(c)})")

    def _mining(self, element: Element, core: Any, bound: dict[str, str], target: Target) -> _Result:
        segmentation = child_element(element, self.scope, "Segmentation")
        segments = child_elements(segmentation, self.scope, "Segment") if segmentation is not None else []
        for segment in segments:
            if not any(self.scope.tag(c) == "True" for c in segment):
                raise Unsupported("a Segment with a predicate in the fast path")
        if isinstance(core, (ForestSum, ForestAverage)):
            return self._forest(core, bound)
        if segmentation is None or segmentation.get("multipleModelMethod") != "modelChain":
            raise Unsupported("a MiningModel other than a forest or a model chain in the fast path")
        chained = dict(bound)
        result = None
        for segment in segments:
            model = next(c for c in segment if is_model(self.scope.tag(c)))
            result = self.model(model, chained, top=False)
            chained.update(result.bindable)
        if result is None:
            raise Unsupported("an empty model chain")
        return result

    def _forest(self, core: ForestSum | ForestAverage, bound: dict[str, str]) -> _Result:
        tested = dict.fromkeys(e.get("field", "") for t in core.trees for e in t.element.iter() if e.get("field"))
        call = _ForestCall(core, {name: self._read(bound, name) for name in tested}, self.local())
        self.constants[_forest_name(call)] = core.forest
        self.lines.append(call)
        trees = len(core.trees)
        if isinstance(core, ForestSum):
            if not core.average:
                return _Result(call.result, lambda category: "None")
            value = self.local()
            self.lines.append(f"{value} = {call.result} / {trees}")
            return _Result(value, lambda category: "None")
        probabilities = [self.local() for _ in core.classes]
        value = self.local()
        self.lines += [f"{p} = {call.result}[{i}] / {trees}" for i, p in enumerate(probabilities)]
        self.lines.append(f"{value} = {self._first_most_probable(core.classes, probabilities)}")
        by_class = dict(zip(core.classes, probabilities, strict=True))
        return _Result(value, lambda category: by_class.get(category, "None"))

    def _expression(self, element: Element, bound: dict[str, str]) -> str | None:
        """The expression's source; first, the record leaves the fast path if a field it reads is missing
        (an output field of an earlier segment), where the general evaluator follows PMML's rules."""
        source = expression_source(element, self.scope, bound)
        reads = {bound.get(e.get("field", "")) for e in element.iter() if self.scope.tag(e) == "FieldRef"}
        checks = [f"{x} is None" for x in sorted(reads & self.maybe_missing)]
        if source is not None and checks:
            self.lines.append(f"if {' or '.join(checks)}: {_BAIL}")
        return source

    def _rescaled(self, element: Element | None, value: str, target: Target) -> str:
        if element is None:
            return value
        (rescale,) = child_elements(element, self.scope, "Target")  # pmml_engine.surroundings.targets checked
        if rescale.get("castInteger") is not None or target.categories:
            raise Unsupported("Targets other than a rescaled number in the fast path")
        low, high = rescale.get("min"), rescale.get("max")
        factor, constant = float(rescale.get("rescaleFactor", "1")), float(rescale.get("rescaleConstant", "0"))
        clipped = value if low is None and high is None else \
            f"min(max({value}, {float(low or '-inf')!r}), {float(high or 'inf')!r})"  # fmt: skip
        rescaled = self.local()
        self.lines.append(f"{rescaled} = {clipped} * {factor!r} + {constant!r}")
        return rescaled

    def _outputs(
        self, element: Element, bound: dict[str, str], result: _Result, target: Target
    ) -> tuple[dict[str, str], dict[str, str]]:
        """Every output field, each cast as pypmml_engine.surroundings casts it; the ones a later field or
        segment may read are checked present."""
        scoped, values = dict(bound), {}
        bindable = {}
        for output in child_elements(element, self.scope, "OutputField"):
            name, feature = output.get("name", ""), output.get("feature", "predictedValue")
            data_type = "string" if feature == "predictedDisplayValue" else output.get("dataType", "double")
            if output.get("segmentId") is not None:
                raise Unsupported("OutputField of one segment")
            source = self._output_source(output, feature, scoped, result, target)
            x = self.local()
            self.lines.append(f"{x} = {self.constant(caster(data_type))}({source})")
            self.maybe_missing.add(x)
            values[name] = scoped[name] = bindable[name] = x
        return bindable, values

    def _output_source(
        self, output: Element, feature: str, scoped: dict[str, str], result: _Result, target: Target
    ) -> str:
        if feature in ("predictedValue", "predictedDisplayValue"):
            return result.value
        if feature == "probability" and output.get("value") is not None:
            return result.probability(target.category(output.get("value")))
        if feature in ("transformedValue", "decision"):
            expression = next((c for c in output if self.scope.tag(c) not in ("Extension", "Decisions", "Value")),
                              None)  # fmt: skip
            if expression is None:
                return result.value
            source = self._expression(expression, scoped)
            if source is not None:
                return source
        raise Unsupported(f"OutputField {output.get('name')!r} in the fast path")


def _under(lines: list[str]) -> list[str]:
    return [f"    {line}" for line in lines]
