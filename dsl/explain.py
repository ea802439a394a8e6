"""`fraudscore dsl check --explain`: what each feature keeps per key, and what a key of each block costs.

Exact windows of a block share one log of past inputs: it holds every event of the longest time window
plus the lateness (or the largest `last N`), so a key's state grows with its event rate, not with time.
Tiled windows hold a fixed number of tiles whatever the rate. The bytes are measured, not guessed: the JVM
engine (the scoring job's) runs synthetic events through one key and stores its state as the job does.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from dsl import ast
from dsl.checker import FIELD_TYPES, STATEFUL
from dsl.durations import format_duration
from dsl.engine import APPROX_TILES, DEFAULT_LATENESS_MS, CompiledBlock
from dsl.jvm import JvmFeatureEngine
from dsl.sketch import REGISTERS, STANDARD_ERROR
from dsl.tiles import tiles_held

_WINDOW_COSTS = {
    "count": "a count",
    "sum": "an exact sum",
    "avg": "a count and an exact sum",
    "var": "a count, an exact sum and sum of squares",
    "stddev": "a count, an exact sum and sum of squares",
    "zscore": "a count, an exact sum and sum of squares",
    "distinct": "one entry per distinct value",
    "min": "a monotonic queue (at most one entry per event, usually a few)",
    "max": "a monotonic queue (at most one entry per event, usually a few)",
    "first": "the window's non-null values in order (one entry per event)",
    "last": "the window's non-null values in order (one entry per event)",
}
_STATEFUL_COSTS = {
    "prev": lambda call: "2 numbers",
    "logret": lambda call: "2 numbers",
    "ema": lambda call: "1 number",
    "ewma": lambda call: "3 numbers",
    "rsi": lambda call: f"up to {call.args[1].value} changes until it starts, then 3 numbers",
    "macd": lambda call: "3 numbers",
    "bollinger": lambda call: f"the last {call.args[1].value} values",
}
_SAMPLE_EVENTS = 400


def explain(featureset: ast.FeatureSet, lateness_ms: int = DEFAULT_LATENESS_MS) -> list[str]:
    """The report's lines, block by block."""
    lines = [f"featureset {featureset.name} version {featureset.version} (lateness {format_duration(lateness_ms)})"]
    for block in featureset.blocks:
        lines += list(_block(CompiledBlock(block, lateness_ms), lateness_ms))
    return lines


def _block(compiled: CompiledBlock, lateness_ms: int) -> Iterator[str]:
    block = compiled.block
    keys = f"({', '.join(block.keys)})" if block.composite else ", ".join(block.keys)
    fan_out = (
        f", computed once for each of {len(block.keys)} keys" if len(block.keys) > 1 and not block.composite else ""
    )
    yield ""
    yield f"block {block.name} per {keys}, ttl {format_duration(compiled.ttl_ms)}{fan_out}"
    width = max(len(f.name) for f in block.features)
    for feature in block.features:
        costs = list(_feature_costs(feature, compiled))
        yield f"  {feature.name:<{width}}  {costs[0] if costs else _stateless(feature, block)}"
        for cost in costs[1:]:
            yield f"  {'':<{width}}  {cost}"
    yield from _block_estimate(compiled, lateness_ms)


def _stateless(feature: ast.Feature, block: ast.Block) -> str:
    names = {f.name for f in block.features}
    uses = any(isinstance(n, ast.Name) and n.name in names for n in ast.walk(feature.expr))
    return "no state of its own: from the event and other features" if uses else "no state: from the event"


def _feature_costs(feature: ast.Feature, compiled: CompiledBlock) -> Iterator[str]:
    seen: set[int] = set()
    for node in ast.walk(feature.expr):
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ast.Windowed):
            yield _window_cost(node, compiled)
        elif isinstance(node, ast.Call) and node.function in STATEFUL:
            yield f"{node.function}: {_STATEFUL_COSTS[node.function](node)}"


def _window_cost(node: ast.Windowed, compiled: CompiledBlock) -> str:
    function, window = node.call.function, node.window
    what = _WINDOW_COSTS[function]
    if window.kind == "last":
        return f"{function} over last {window.count}: exact, {what}, over at most {window.count} log entries"
    if window.kind == "lifetime":
        millis, span = compiled.ttl_ms, f"lifetime ({format_duration(compiled.ttl_ms)})"
    else:
        millis, span = window.duration.millis, window.duration.text
    if window.every is not None:
        tiles = tiles_held(millis, window.every.millis, compiled.plan.lateness_ms)
        per_tile = "its distinct values" if function == "distinct" else "one summary"
        if window.approx:
            per_tile = f"a HyperLogLog sketch ({REGISTERS} registers, about {STANDARD_ERROR:.1%} standard error)"
        return (f"{function} over {span} every {window.every.text}: tiled, at most {tiles} tiles of "
                f"{window.every.text}, {per_tile} each; covers {span} minus up to {window.every.text}")  # fmt: skip
    if window.approx:
        tile = max(1, millis // APPROX_TILES)
        tiles = tiles_held(millis, tile, compiled.plan.lateness_ms)
        every = format_duration(tile)
        return (f"distinct over {span} approx: a HyperLogLog sketch per tile of {every}, at most "
                f"{tiles} tiles of {REGISTERS} registers; standard error about {STANDARD_ERROR:.1%} "
                f"(under about 100 values, within a few); covers {span} minus up to {every}")  # fmt: skip
    return f"{function} over {span}: exact, {what}"


def _block_estimate(compiled: CompiledBlock, lateness_ms: int) -> Iterator[str]:
    plan = compiled.plan
    accumulators = len(plan.new_log().accumulators)
    tiled = sum(len(t.slots) for t in plan.tiles)
    longest = max((s.millis for s in plan.slides if s.kind == "time"), default=0)
    last = max((s.count for s in plan.slides if s.kind == "last"), default=0)
    parts = []
    if longest:
        parts.append(f"a log of one entry per event in the last {format_duration(longest + lateness_ms)}")
    elif last:
        parts.append(f"a log of at most {last} entries")
    if accumulators:
        parts.append(f"{accumulators} accumulator{'s' if accumulators != 1 else ''}")
    if tiled:
        windows = f"{len(plan.tiles)} tiled window{'s' if len(plan.tiles) != 1 else ''}"
        parts.append(f"{windows} ({tiled} summar{'ies' if tiled != 1 else 'y'} a tile)")
    if compiled.stateful:
        parts.append(f"{len(compiled.stateful)} stateful function{'s' if len(compiled.stateful) != 1 else ''}")
    yield f"  state per key: {', '.join(parts) if parts else 'none'}"
    empty, per_event, per_tile = _measured_bytes(compiled)
    tiles = sum(tiles_held(t.millis, t.tile_ms, lateness_ms) for t in plan.tiles)
    if tiles:
        yield (f"  measured: the tiled windows take at most about {_size(tiles * per_tile)} a key "
               f"({tiles} tiles of about {per_tile:,.0f} bytes), whatever its number of events")  # fmt: skip
    if longest or last:
        yield f"  measured: {empty:,} bytes empty, about {per_event:,.0f} bytes per log entry"
        for rate in (10, 1_000):
            held = rate * (longest + lateness_ms) / 86_400_000 if longest else last
            yield f"  a key with {rate:,} events a day: about {_size(empty + tiles * per_tile + held * per_event)}"
    elif not tiles:
        yield f"  measured: {empty:,} bytes, whatever the number of events"


def _measured_bytes(compiled: CompiledBlock) -> tuple[int, float, float]:
    """Stored bytes of an empty key, per log entry and per tile, in the JVM engine, after synthetic events a
    minute apart for one key (distinct values per tile are few here: a tile of `distinct` costs more with
    many values)."""
    block = compiled.block
    rng = random.Random(7)
    events = []
    for n in range(_SAMPLE_EVENTS):
        event = _synthetic_event(rng, 1_700_000_000_000 + 60_000 * n)
        events.append(event | dict.fromkeys(block.keys, "k"))  # one key: its state is what is measured
    featureset = ast.FeatureSet("explain", 1, (block,), block.span)
    with JvmFeatureEngine(featureset, compiled.plan.lateness_ms) as engine:
        engine.process_all(events)
        part = engine.state_sizes()[0]
    tiles_bytes = part["tile_bytes"] - part["empty_tile_bytes"]
    per_tile = tiles_bytes / part["tiles"] if part["tiles"] else 0.0
    per_event = (part["bytes"] - part["empty_bytes"] - tiles_bytes) / max(part["entries"], 1)
    return part["empty_bytes"], max(0.0, per_event), max(0.0, per_tile)


def _synthetic_event(rng: random.Random, ts: int) -> dict:
    event: dict = {"ts": ts}
    for name, kind in FIELD_TYPES.items():
        if kind == "number":
            event[name] = round(rng.lognormvariate(3, 1), 2)
        elif kind == "string":
            event[name] = f"{name[:3]}{rng.randrange(40)}"
    return event


def _size(count: float) -> str:
    for unit, size in (("MB", 1_000_000), ("KB", 1_000)):
        if count >= size:
            return f"{count / size:,.1f} {unit}"
    return f"{count:,.0f} bytes"
