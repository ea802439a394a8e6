"""The feature plan: a checked feature set compiled to plain JSON, everything the JVM engine needs and no DSL.

Parsing, checking and error messages stay in Python; the JVM engine (jvm/dataplane, `FeaturePlan`) reads only
this. The format is documented in jvm/dataplane/PLAN.md; `PLAN_VERSION` changes when its meaning does.
Each block's windows, aggregates and stateful calls are numbered once here, shared where the Python engine
shares them (`avg(amount)` and `stddev(amount)` over 30d read one input and keep one accumulator), so both
engines keep the same state and answer alike.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from dsl import ast
from dsl.checker import STATEFUL, feature_types
from dsl.compiler import is_timestamp, stateful_calls
from dsl.engine import DEFAULT_LATENESS_MS, CompiledBlock
from dsl.windows import WindowSpec

PLAN_FORMAT = "fraudscore.feature-plan"
PLAN_VERSION = 1
_STATEFUL_PARAMS = {
    "prev": lambda call: [],
    "logret": lambda call: [],
    "ema": lambda call: [call.args[1].value],
    "ewma": lambda call: [call.keywords[0][1].millis],
    "rsi": lambda call: [call.args[1].value],
    "macd": lambda call: [call.args[1].value, call.args[2].value, call.args[3].value],
    "bollinger": lambda call: [call.args[1].value, call.args[2].value],
}


def compile_plan(featureset: ast.FeatureSet, lateness_ms: int = DEFAULT_LATENESS_MS) -> dict[str, Any]:
    """The plan of a checked feature set, a JSON-ready dict.

    >>> from dsl.parser import parse
    >>> plan = compile_plan(parse("featureset p version 2\\nfeatures c per card_id { n = count() over 1h }"))
    >>> plan["featureset"], plan["version"], plan["blocks"][0]["aggregates"][0]["function"]
    ('p', 2, 'count')
    """
    types = feature_types(featureset)
    return {
        "format": PLAN_FORMAT,
        "plan_version": PLAN_VERSION,
        "featureset": featureset.name,
        "version": featureset.version,
        "lateness_ms": lateness_ms,
        "blocks": [_block(CompiledBlock(block, lateness_ms), types, lateness_ms) for block in featureset.blocks],
    }


def fingerprint(block: ast.Block, lateness_ms: int) -> str:
    """Stable across processes and runs (positions and comments do not count): what the block computes."""
    text = repr((_canonical(block), lateness_ms)).encode()
    return hashlib.sha256(text).hexdigest()[:12]


def _canonical(node: Any) -> Any:
    if dataclasses.is_dataclass(node):
        fields = (f.name for f in dataclasses.fields(node) if f.compare)
        return (type(node).__name__, *(_canonical(getattr(node, name)) for name in fields))
    if isinstance(node, tuple | list):
        return tuple(_canonical(item) for item in node)
    return node


def _block(compiled: CompiledBlock, types: dict[str, str], lateness_ms: int) -> dict[str, Any]:
    block = compiled.block
    block_id = f"{block.name}#{fingerprint(block, lateness_ms)}"
    if block.composite or len(block.keys) == 1:
        parts = [{"name": block.name, "state_id": block_id, "fields": list(block.keys), "suffix": None}]
    else:
        parts = [{"name": f"{block.name}@{key}", "state_id": f"{block_id}@{key}", "fields": [key], "suffix": f"@{key}"}
                 for key in block.keys]  # fmt: skip
    emitter = _Emitter(compiled)
    return {
        "name": block.name,
        "keys": list(block.keys),
        "composite": block.composite,
        "parts": parts,
        "ttl_ms": compiled.ttl_ms,
        "inputs": [_input(emitter, argument, where, kind) for argument, where, kind in compiled.inputs],
        "aggregates": [_aggregate(spec) for spec in compiled.plan.aggregates],
        "stateful": [_stateful(emitter, call) for call in compiled.stateful],
        "features": [_feature(emitter, feature, types[feature.name]) for feature in compiled.order],
        "outputs": [feature.name for feature in block.features],
    }


def _input(emitter: _Emitter, argument: ast.Expr | None, where: ast.Expr | None, kind: str) -> dict[str, Any]:
    return {
        "value": None if argument is None else emitter.expr(argument),
        "where": None if where is None else emitter.expr(where),
        "kind": kind,
    }


def _aggregate(spec: Any) -> dict[str, Any]:
    window: WindowSpec = spec.window
    return {
        "function": spec.function,
        "input": spec.source,
        "every_event": spec.every_event,
        "window": {"kind": window.kind, "millis": window.millis, "count": window.count,
                   "exclude_current": window.exclude_current, "tile_ms": window.tile_ms, "approx": window.approx},
    }  # fmt: skip


def _stateful(emitter: _Emitter, call: ast.Call) -> dict[str, Any]:
    return {"function": call.function, "params": _STATEFUL_PARAMS[call.function](call),
            "argument": emitter.expr(call.args[0])}  # fmt: skip


def _feature(emitter: _Emitter, feature: ast.Feature, kind: str) -> dict[str, Any]:
    return {
        "name": feature.name,
        "type": kind,
        # The stateful calls this feature updates before its expression is evaluated, inner ones first and
        # each once an event (the first feature to use a call updates it), whatever branch the expression takes.
        "updates": [emitter.stateful[call] for call in stateful_calls(feature.expr) if emitter.first_use(call)],
        "expr": emitter.expr(feature.expr),
        "default": None if feature.default is None else feature.default.value,
    }


class _Emitter:
    """Expressions as JSON trees: `{"lit": 1}`, `{"field": "amount"}`, `{"feature": "x"}`,
    `{"aggregate": 3}`, `{"stateful": 0, "member": "hist"}`, `{"call": "+", "args": [...]}`."""

    def __init__(self, compiled: CompiledBlock) -> None:
        self.features = {feature.name for feature in compiled.block.features}
        self.windows = {node: i for i, node in enumerate(compiled.windowed)}
        self.stateful = {call: i for i, call in enumerate(compiled.stateful)}
        self._updated: set[ast.Call] = set()

    def first_use(self, call: ast.Call) -> bool:
        if call in self._updated:
            return False
        self._updated.add(call)
        return True

    def expr(self, node: ast.Expr) -> dict[str, Any]:  # noqa: PLR0911 - one case per node kind
        if isinstance(node, ast.Literal):
            return {"lit": node.value}
        if isinstance(node, ast.Name):
            return {"feature": node.name} if node.name in self.features else {"field": node.name}
        if isinstance(node, ast.Windowed):
            return {"aggregate": self.windows[node]}
        if isinstance(node, ast.Unary):
            return {"call": "not" if node.op == "not" else "neg", "args": [self.expr(node.operand)]}
        if isinstance(node, ast.Binary):
            return self._binary(node)
        if isinstance(node, ast.In):
            return {"call": "in", "args": [self.expr(node.operand)], "options": [o.value for o in node.options]}
        if isinstance(node, ast.Member):
            return {"stateful": self.stateful[node.target], "member": node.member}
        if node.function in STATEFUL:
            return {"stateful": self.stateful[node]}
        return {"call": node.function, "args": [self.expr(a) for a in node.args]}

    def _binary(self, node: ast.Binary) -> dict[str, Any]:
        op = node.op
        if op == "-" and is_timestamp(node.left) and is_timestamp(node.right):
            op = "seconds_between"
        return {"call": op, "args": [self.expr(node.left), self.expr(node.right)]}
