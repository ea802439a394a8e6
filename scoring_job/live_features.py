"""The live feature set of the scoring job: a feature DSL file sent in `features.deploy`, compiled, and cut
into parts, each computed where its key lives (DSL.md): a block for one key, or for each key it fans out to.

Pure logic; the job keeps each part's per-key state in Flink keyed state, keyed by `Part.route_key`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from dsl import ast
from dsl.checker import feature_types
from dsl.engine import DEFAULT_LATENESS_MS, CompiledBlock, KeyState
from dsl.errors import DslError
from dsl.plan import fingerprint
from dsl.source import check_text
from fraudscore.errors import FraudError

MAX_DSL_BYTES = 1024 * 1024
_SHOWN_ERRORS = 10


class FeatureSetError(FraudError):
    """A feature file that cannot go live; says every problem as `dsl check` prints it."""


@dataclass(frozen=True)
class Part:
    """A block computed for one key: `card` for `per card_id`, `card@device_id` for one key of `per a, b`."""

    name: str
    state_id: str  # the block's name and fingerprint plus the key: a changed block's state starts afresh
    fields: tuple[str, ...]
    suffix: str | None
    compiled: CompiledBlock

    def route_key(self, event: dict[str, Any]) -> str | None:
        """Where this part's state for the event lives; None when a key field is null or not an id (the
        block then gives its defaults and its state is left alone, as DSL.md says)."""
        values = [event.get(f) for f in self.fields]
        if any(v is None or isinstance(v, list | dict) for v in values):
            return None
        return f"{self.state_id}|{orjson.dumps(values).decode()}"

    def evaluate(self, event: dict[str, Any], state: KeyState | None) -> dict[str, Any]:
        return self._named(self.compiled.evaluate(event, state))

    def defaults(self) -> dict[str, Any]:
        return self._named(self.compiled.defaults)

    def new_state(self) -> KeyState:
        return self.compiled.new_state()

    @property
    def ttl_ms(self) -> int:
        return self.compiled.ttl_ms

    def _named(self, values: dict[str, Any]) -> dict[str, Any]:
        if self.suffix is None:
            return dict(values)
        return {name + self.suffix: value for name, value in values.items()}


@dataclass(frozen=True)
class Routing:
    """How one event's features are found: the parts computed elsewhere, with their route keys, and the
    defaults of the parts whose key the event lacks."""

    remote: list[tuple[Part, str]]
    local: dict[str, Any]


class LiveFeatureSet:
    """A checked, compiled feature set, with the time each of its blocks went live (for warm-up)."""

    def __init__(self, featureset: ast.FeatureSet, since_before: dict[str, int], issued_at: int,
                 lateness_ms: int = DEFAULT_LATENESS_MS) -> None:  # fmt: skip
        self.name = featureset.name
        self.version = featureset.version
        self.label = f"{featureset.name}:{featureset.version}"
        self.parts: list[Part] = []
        self.window_ms: dict[str, int] = {}  # feature name -> the longest time window it depends on
        self.block_of: dict[str, str] = {}  # feature name -> its block's id
        self.feature_types: dict[str, str] = {}  # feature name -> number, timestamp, string, bool or any
        types = feature_types(featureset)
        for block in featureset.blocks:
            block_id = f"{block.name}#{fingerprint(block, lateness_ms)}"
            compiled = CompiledBlock(block, lateness_ms)
            windows = _windows_by_feature(block, compiled.ttl_ms)
            if block.composite or len(block.keys) == 1:
                fans = [(block.keys, None)]
            else:
                fans = [((key,), f"@{key}") for key in block.keys]
            for fields, suffix in fans:
                name = block.name + (suffix or "")
                self.parts.append(Part(name, f"{block_id}{suffix or ''}", fields, suffix, compiled))
                self.window_ms |= {feature + (suffix or ""): ms for feature, ms in windows.items()}
                self.block_of |= {feature + (suffix or ""): block_id for feature in windows}
                self.feature_types |= {feature + (suffix or ""): types[feature] for feature in windows}
        self.by_state_id = {p.state_id: p for p in self.parts}
        # Block id -> when it went live (epoch ms): a block live before, unchanged, keeps its time and state.
        self.since = {block_id: since_before.get(block_id, issued_at) for block_id in set(self.block_of.values())}
        self._warm_at: dict[tuple[str, ...], list[tuple[str, int]]] = {}

    def route(self, event: dict[str, Any]) -> Routing:
        remote, local = [], {}
        for part in self.parts:
            key = part.route_key(event)
            if key is None:
                local |= part.defaults()
            else:
                remote.append((part, key))
        return Routing(remote, local)

    def part(self, state_id: str) -> Part | None:
        return self.by_state_id.get(state_id)

    @property
    def feature_names(self) -> list[str]:
        return list(self.block_of)

    def warming(self, names: list[str], now_ms: int) -> list[str]:
        """Of these features, those whose block has been live for less than the time they look back."""
        key = tuple(names)
        warm_at = self._warm_at.get(key)
        if warm_at is None:  # once per model input list: this runs for every score
            warm_at = self._warm_at[key] = [(name, self.since[self.block_of[name]] + self.window_ms[name])
                                            for name in names if self.window_ms.get(name)]  # fmt: skip
        return [name for name, at in warm_at if now_ms < at]


def compile_feature_set(text: str, source_name: str, since_before: dict[str, int], issued_at: int) -> LiveFeatureSet:
    """Check and compile a feature file; raise FeatureSetError with every problem, as `dsl check` says them."""
    if len(text.encode()) > MAX_DSL_BYTES:
        raise FeatureSetError(f"{source_name}: feature file larger than {MAX_DSL_BYTES} bytes")
    featureset, errors = check_text(text, source_name)
    if errors or featureset is None:
        raise FeatureSetError(_describe(errors))
    return LiveFeatureSet(featureset, since_before, issued_at)


def _windows_by_feature(block: ast.Block, ttl_ms: int) -> dict[str, int]:
    """Each feature's longest time window, through the features it uses (`amount_ratio` uses a 30d avg)."""
    by_name = {f.name: f for f in block.features}
    own = {f.name: max((_window_ms(n, ttl_ms) for n in ast.walk(f.expr) if isinstance(n, ast.Windowed)), default=0)
           for f in block.features}  # fmt: skip

    def longest(name: str, seen: frozenset[str]) -> int:
        used = {n.name for n in ast.walk(by_name[name].expr) if isinstance(n, ast.Name) and n.name in by_name}
        return max([own[name], *(longest(u, seen | {name}) for u in used - seen)])

    return {name: longest(name, frozenset()) for name in by_name}


def _window_ms(node: ast.Windowed, ttl_ms: int) -> int:
    window = node.window
    if window.kind == "time":
        return window.duration.millis
    if window.kind == "lifetime":
        return ttl_ms
    return 0  # `last N`: a count, not a time; warm as soon as the key has N events


def _describe(errors: list[DslError]) -> str:
    shown = [error.render() for error in errors[:_SHOWN_ERRORS]]
    more = len(errors) - _SHOWN_ERRORS
    return "\n".join(shown + ([f"... and {more} more"] if more > 0 else []))
