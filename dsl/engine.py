"""The Python reference feature engine: one event in, every feature of the feature set out, state per key.

`fraudscore dsl eval` and training run the JVM engine (dsl.jvm, jvm/dataplane), the one the scoring data
plane runs. This engine is the tests' independent oracle for it: the same state and algorithms, written
again in Python, held against the JVM engine on generated feature files and streams. Until the scoring job's
per-event path moves to the JVM, its PyFlink operators compute features with this engine's CompiledBlock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from dsl import ast
from dsl.checker import ANY, NUMERIC_AGGREGATES, STATEFUL, value_type
from dsl.compiler import InputKey, compile_block
from dsl.stateful import Bollinger, Ema, Ewma, LogReturn, Macd, Prev, Rsi
from dsl.windows import AggregateSpec, KeyLog, WindowPlan, WindowSpec

DEFAULT_LATENESS_MS = 3_600_000
APPROX_TILES = 48  # `approx` without `every`: the window in 48 tiles, so it covers D minus up to D/48
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
    """Everything one key of one block remembers: its windows and each stateful function."""

    log: KeyLog
    functions: list[Any] = field(default_factory=list)


class CompiledBlock:
    """One `features` block, ready to evaluate: its window plan, stateful calls and generated code."""

    def __init__(self, block: ast.Block, lateness_ms: int) -> None:
        self.block = block
        windowed = _unique(n for f in block.features for n in ast.walk(f.expr) if isinstance(n, ast.Windowed))
        self.ttl_ms = block.ttl.millis if block.ttl else _default_ttl(windowed)
        inputs: dict[InputKey, int] = {}
        specs = []
        for node in windowed:
            key = _input_key(node, block)
            source = inputs.setdefault(key, len(inputs))
            every_event = key[0] is None and key[1] is None  # count() with no filter
            specs.append(AggregateSpec(node.call.function, self._window_spec(node.window), source, every_event))
        self.windowed = windowed
        self.inputs: list[InputKey] = list(inputs)
        self.plan = WindowPlan(specs, lateness_ms, self.ttl_ms)
        self.stateful = _unique(
            n for f in block.features for n in ast.walk(f.expr) if isinstance(n, ast.Call) and n.function in STATEFUL
        )
        windows = {node: i for i, node in enumerate(windowed)}
        self.order = _dependency_order(block.features)
        self.code = compile_block(block, self.order, self.inputs, windows, {c: i for i, c in enumerate(self.stateful)})
        self.defaults = {f.name: f.default.value if f.default else None for f in block.features}
        self.lateness_ms = lateness_ms
        self._update, self._inputs, self._features = self.plan.update, self.code.inputs, self.code.features

    def _window_spec(self, window: ast.Window) -> WindowSpec:
        if window.kind == "last":
            return WindowSpec("last", count=window.count, exclude_current=window.exclude_current)
        millis = window.duration.millis if window.kind == "time" else self.ttl_ms
        tile_ms = window.every.millis if window.every is not None else 0
        if window.approx and not tile_ms:
            tile_ms = max(1, millis // APPROX_TILES)
        return WindowSpec("time", millis, exclude_current=window.exclude_current, tile_ms=tile_ms, approx=window.approx)

    def new_state(self) -> KeyState:
        return KeyState(self.plan.new_log(), self._new_functions())

    def _new_functions(self) -> list[Any]:
        return [_STATE_FACTORIES[call.function](call) for call in self.stateful]

    def evaluate(self, event: dict[str, Any], state: KeyState | None) -> dict[str, Any]:
        """The block's features for `event`; updates `state` unless the event is late (or state is None:
        the key is null, and the block gives its defaults)."""
        if state is None:
            return dict(self.defaults)
        ts = event["ts"]
        log = state.log
        newest = log.newest_ts
        if newest is not None and ts - newest > self.ttl_ms:
            state.functions = self._new_functions()  # idle past the ttl: start afresh
        late = newest is not None and ts < newest - self.lateness_ms
        windows = self._update(log, ts, self._inputs(event))
        return self._features(event, windows, state.functions, late, ts)


def _input_key(node: ast.Windowed, block: ast.Block) -> InputKey:
    """What the event adds to an aggregate; aggregates with the same key share one input (and, over the
    same window, one accumulator): `avg(amount)` and `stddev(amount)` over 30d keep one sum."""
    call = node.call
    if not call.args:
        return None, call.where, "any"
    kind = value_type(call.args[0], block)
    if call.function in NUMERIC_AGGREGATES:
        kind = "number"
    elif call.function in ("min", "max") and kind == ANY:
        kind = "number"  # min and max compare: values of one type only
    return call.args[0], call.where, kind


class ReferenceEngine:
    """All blocks of a feature set, with the state of every key they have seen (the tests' reference).

    >>> from dsl.parser import parse
    >>> fs = parse("featureset p version 1\\nfeatures c per card_id { n = count() over 1h }")
    >>> engine = ReferenceEngine(fs)
    >>> [engine.process({"ts": t, "card_id": "k"})["n"] for t in (0, 1_000, 3_700_000)]
    [1, 2, 1]
    """

    def __init__(self, featureset: ast.FeatureSet, lateness_ms: int = DEFAULT_LATENESS_MS) -> None:
        self.featureset = featureset
        self.blocks = [CompiledBlock(b, lateness_ms) for b in featureset.blocks]
        self.routes = [route for compiled in self.blocks for route in _routes(compiled)]

    def process(self, event: dict[str, Any]) -> dict[str, Any]:
        """Every feature for one event, fan-out features named `feature@key`."""
        features: dict[str, Any] = {}
        get = event.get
        for compiled, fields, suffix, states in self.routes:
            key = tuple(map(get, fields))
            try:
                state = states[key]
            except (KeyError, TypeError):
                state = None if None in key else _state(compiled, states, key)
            values = compiled.evaluate(event, state)
            if suffix is None:
                features.update(values)
            else:
                features.update({name + suffix: value for name, value in values.items()})
        return features

    def keys(self) -> int:
        """How many keys hold state, over every block."""
        return sum(len(route.states) for route in self.routes)


class _Route(NamedTuple):
    """One way an event reaches a block's state: by its key fields (one key, or each of a fan-out)."""

    compiled: CompiledBlock
    fields: tuple[str, ...]
    suffix: str | None  # `@card_id` for a fan-out block's features
    states: dict[tuple[Any, ...], KeyState]


def _routes(compiled: CompiledBlock) -> list[_Route]:
    block = compiled.block
    if block.composite or len(block.keys) == 1:
        return [_Route(compiled, block.keys, None, {})]
    return [_Route(compiled, (key,), f"@{key}", {}) for key in block.keys]


def _state(compiled: CompiledBlock, states: dict, key: tuple[Any, ...]) -> KeyState | None:
    try:
        state = states.get(key)
    except TypeError:  # a list or an object where an id belongs: the block's defaults, as for a null key
        return None
    if state is None:
        state = states[key] = compiled.new_state()
    return state


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
