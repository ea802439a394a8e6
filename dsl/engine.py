"""The incremental feature engine: one event in, every feature of the feature set out, state per key.

The same code runs offline (`fraudscore dsl eval`) and, next, in the scoring job's keyed state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from dsl import ast
from dsl.checker import STATEFUL
from dsl.evaluate import SCALAR_FUNCTIONS, arithmetic, compare, finite, logical
from dsl.stateful import Bollinger, Ema, Ewma, LogReturn, Macd, Prev, Rsi
from dsl.windows import AggregateSpec, KeyLog, WindowSpec

DEFAULT_LATENESS_MS = 3_600_000
_WITHOUT_WINDOWS_TTL_MS = 7 * 86_400_000  # a block with no time window keeps an idle key a week
_STATE_FACTORIES: dict[str, Callable[[ast.Call], Any]] = {
    "prev": lambda c: Prev(),
    "logret": lambda c: LogReturn(),
    "ema": lambda c: Ema(c.args[1].value),
    "ewma": lambda c: Ewma(c.keywords[0][1].millis),
    "rsi": lambda c: Rsi(c.args[1].value),
    "macd": lambda c: Macd(c.args[1].value, c.args[2].value, c.args[3].value),
    "bollinger": lambda c: Bollinger(c.args[1].value, c.args[2].value),
}


@dataclass
class KeyState:
    """Everything one key of one block remembers: the window log and each stateful function."""

    log: KeyLog
    functions: dict[ast.Call, Any] = field(default_factory=dict)


class CompiledBlock:
    """One `features` block, ready to evaluate: its aggregates, stateful calls and feature order."""

    def __init__(self, block: ast.Block, lateness_ms: int) -> None:
        self.block = block
        self.lateness_ms = lateness_ms
        windowed = _unique(n for f in block.features for n in ast.walk(f.expr) if isinstance(n, ast.Windowed))
        self.ttl_ms = block.ttl.millis if block.ttl else _default_ttl(windowed)
        self.aggregates = {node: i for i, node in enumerate(windowed)}
        self.specs = [AggregateSpec(n.call.function, self._window_spec(n.window)) for n in windowed]
        self.stateful = _unique(
            n for f in block.features for n in ast.walk(f.expr) if isinstance(n, ast.Call) and n.function in STATEFUL
        )
        self.order = _dependency_order(block.features)

    def _window_spec(self, window: ast.Window) -> WindowSpec:
        if window.kind == "last":
            return WindowSpec("last", count=window.count, exclude_current=window.exclude_current)
        millis = window.duration.millis if window.kind == "time" else self.ttl_ms
        return WindowSpec("time", millis=millis, exclude_current=window.exclude_current)

    def new_state(self) -> KeyState:
        return KeyState(KeyLog(self.specs, self.lateness_ms, self.ttl_ms), self._new_functions())

    def _new_functions(self) -> dict[ast.Call, Any]:
        return {call: _STATE_FACTORIES[call.function](call) for call in self.stateful}

    def evaluate(self, event: dict[str, Any], state: KeyState | None) -> dict[str, Any]:
        """The block's features for `event`; updates `state` unless the event is late (or state is None:
        the key is null, and the block gives its defaults)."""
        if state is None:
            return {f.name: f.default.value if f.default else None for f in self.block.features}
        ts = event["ts"]
        if state.log.newest_ts is not None and ts - state.log.newest_ts > self.ttl_ms:
            state.functions = self._new_functions()  # idle past the ttl: start afresh
        late = state.log.is_late(ts)
        # Aggregates read event fields only (the checker sees to it): no features, no stateful calls.
        fields_only = _Scope(event, {}, {}, late=True)
        inputs = tuple(_aggregate_input(node, fields_only) for node in self.aggregates)
        windows = dict(zip(self.aggregates, state.log.update(ts, inputs), strict=True))
        scope = _Scope(event, windows, state.functions, late)
        features: dict[str, Any] = {}
        for feature in self.order:
            value = finite(scope.eval(feature.expr, features))
            features[feature.name] = feature.default.value if value is None and feature.default else value
        return {f.name: features[f.name] for f in self.block.features}


def _aggregate_input(node: ast.Windowed, scope: _Scope) -> Any:
    """What the event adds to one aggregate: its value, 1 for `count()`, None if filtered out or null."""
    call = node.call
    if call.where is not None and scope.eval(call.where, {}) is not True:
        return None
    if not call.args:
        return 1
    return finite(scope.eval(call.args[0], {}))


class FeatureEngine:
    """All blocks of a feature set, with the state of every key they have seen.

    >>> from dsl.parser import parse
    >>> fs = parse("featureset p version 1\\nfeatures c per card_id { n = count() over 1h }")
    >>> engine = FeatureEngine(fs)
    >>> [engine.process({"ts": t, "card_id": "k"})["n"] for t in (0, 1_000, 3_700_000)]
    [1, 2, 1]
    """

    def __init__(self, featureset: ast.FeatureSet, lateness_ms: int = DEFAULT_LATENESS_MS) -> None:
        self.featureset = featureset
        self.blocks = [CompiledBlock(b, lateness_ms) for b in featureset.blocks]
        self.states: dict[tuple[str, str, Any], KeyState] = {}

    def process(self, event: dict[str, Any]) -> dict[str, Any]:
        """Every feature for one event, fan-out features named `feature@key`."""
        features: dict[str, Any] = {}
        for compiled in self.blocks:
            block = compiled.block
            if block.composite or len(block.keys) == 1:
                key = tuple(event.get(k) for k in block.keys)
                state = self._state(compiled, ",".join(block.keys), key)
                features.update(compiled.evaluate(event, state))
                continue
            for key_field in block.keys:
                state = self._state(compiled, key_field, (event.get(key_field),))
                for name, value in compiled.evaluate(event, state).items():
                    features[f"{name}@{key_field}"] = value
        return features

    def _state(self, compiled: CompiledBlock, key_fields: str, key: tuple[Any, ...]) -> KeyState | None:
        if any(part is None for part in key):
            return None
        state_key = (compiled.block.name, key_fields, key)
        if state_key not in self.states:
            self.states[state_key] = compiled.new_state()
        return self.states[state_key]


class _Scope:
    """Evaluates expressions for one event: fields, earlier features, window results, stateful calls."""

    def __init__(self, event: dict[str, Any], windows: dict, functions: dict, late: bool) -> None:
        self.event, self.windows, self.functions, self.late = event, windows, functions, late
        self.called: dict[ast.Call, Any] = {}

    def eval(self, node: ast.Expr, features: dict[str, Any]) -> Any:  # noqa: PLR0911 - one case per node kind
        if isinstance(node, ast.Literal):
            return node.value
        if isinstance(node, ast.Name):
            return features[node.name] if node.name in features else self.event.get(node.name)
        if isinstance(node, ast.Windowed):
            return self.windows[node]
        if isinstance(node, ast.Unary):
            value = self.eval(node.operand, features)
            if node.op == "not":
                return None if value is None else not value
            return arithmetic("-", 0, value)
        if isinstance(node, ast.Binary):
            return self._binary(node, features)
        if isinstance(node, ast.In):
            value = self.eval(node.operand, features)
            return value is not None and any(value == option.value for option in node.options)
        if isinstance(node, ast.Member):
            outputs = self.eval(node.target, features)
            return outputs[node.member]
        return self._call(node, features)

    def _binary(self, node: ast.Binary, features: dict[str, Any]) -> Any:
        left, right = self.eval(node.left, features), self.eval(node.right, features)
        if node.op in ("and", "or"):
            return logical(node.op, left, right)
        if node.op in ("==", "!=", "<", "<=", ">", ">="):
            return compare(node.op, left, right)
        if node.op == "-" and _is_timestamp(node.left) and _is_timestamp(node.right):
            difference = arithmetic("-", left, right)
            return None if difference is None else difference / 1000.0  # timestamps differ in seconds
        return arithmetic(node.op, left, right)

    def _call(self, node: ast.Call, features: dict[str, Any]) -> Any:
        if node.function in STATEFUL:
            return self._stateful(node, features)
        args = [self.eval(a, features) for a in node.args]  # all arguments, so every state updates
        if node.function == "if":
            return args[1] if args[0] is True else args[2]
        return SCALAR_FUNCTIONS[node.function](*args)

    def _stateful(self, node: ast.Call, features: dict[str, Any]) -> Any:
        if node not in self.called:  # one update per event even where a call appears twice
            state = self.functions[node]
            x = finite(self.eval(node.args[0], features))
            if x is not None and not self.late:
                state.update(x, self.event["ts"])
            self.called[node] = state.value()
        return self.called[node]


def _is_timestamp(node: ast.Expr) -> bool:
    if isinstance(node, ast.Name):
        return node.name == "ts"
    if isinstance(node, ast.Windowed):
        return node.call.function in ("first", "last", "min", "max") and _is_timestamp(node.call.args[0])
    return False


def _default_ttl(windowed: list[ast.Windowed]) -> int:
    """DSL.md: twice the largest window."""
    longest = max((n.window.duration.millis for n in windowed if n.window.kind == "time"), default=0)
    return 2 * longest if longest else _WITHOUT_WINDOWS_TTL_MS


def _dependency_order(features: tuple[ast.Feature, ...]) -> list[ast.Feature]:
    """Features after the features they use (the checker has ruled out cycles)."""
    by_name = {f.name: f for f in features}
    ordered: list[ast.Feature] = []
    placed: set[str] = set()

    def place(feature: ast.Feature) -> None:
        if feature.name in placed:
            return
        placed.add(feature.name)
        for node in ast.walk(feature.expr):
            if isinstance(node, ast.Name) and node.name in by_name:
                place(by_name[node.name])
        ordered.append(feature)

    for feature in features:
        place(feature)
    return ordered


def _unique(nodes: Iterator) -> list:
    return list(dict.fromkeys(nodes))
