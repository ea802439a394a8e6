"""Live models: control messages applied to broadcast state, and events scored by what is live.

Pure logic: the state is anything with get/put/remove (Flink's broadcast state in the job, a dict in
tests), so a restart from a checkpoint finds the models, their versions and the last applied `seq`.

The control topic is compacted (fraudscore.control says how it is keyed), so a job replaying it meets only
each key's newest record: a deploy of a version live under another alias moves it there, the removal of an
alias that is not live changes nothing, and a tombstone (a null value) is skipped.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from fraudscore import control
from fraudscore.control import ControlMessage, ControlMessageError
from fraudscore.errors import FraudError
from pmml_engine import PmmlError, Scorer, load_scorer
from pmml_engine.engine import ENGINES
from scoring_job.live_features import LiveFeatureSet, compile_feature_set

_LIVE = "live"
_SEQ = "seq"
_FEATURES = "features"
_PREVIOUS_FEATURES = "features_previous"  # parts routed just before a swap still find their block
MODES = ("active", "shadow")
CHAMPION = "champion"  # the alias whose scores decide; every other alias (challenger...) only records
_UPDATABLE = frozenset({"threshold", "mode", "event_types"})
_ALIAS_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")


class StateView(Protocol):
    def get(self, key: str) -> str | None: ...
    def put(self, key: str, value: str) -> None: ...
    def remove(self, key: str) -> None: ...


@dataclass(frozen=True)
class Applied:
    description: str


@dataclass(frozen=True)
class Skipped:
    """A tombstone of the compacted control topic: no message, no `seq` used, nothing to report."""


@dataclass(frozen=True)
class ControlRejected:
    reason: str
    model_id: str | None = None

    def dlq_record(self, raw: str) -> bytes:
        return orjson.dumps({"source": "control", "reason": self.reason, "model_id": self.model_id, "raw": raw[:4096]})


@dataclass(frozen=True)
class LiveView:
    """What is live, as of the last control message applied."""

    models: tuple[LiveModel, ...]
    features: LiveFeatureSet | None
    previous_features: LiveFeatureSet | None


@dataclass(frozen=True)
class LiveModel:
    model_id: str
    version: int
    alias: str
    mode: str
    threshold: float
    event_types: frozenset[str]
    score_field: str
    evaluator: Scorer

    def scores(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


def _spec_key(model_id: str, version: int) -> str:
    return f"spec:{model_id}:{version}"


class LiveModels:
    """Applies control messages to state, and keeps the compiled form of what the state holds."""

    def __init__(
        self, signing_key: str, compile_model: Callable[[bytes, str], Scorer] = load_scorer, *, models: bool = True
    ) -> None:
        """`models=False` keeps the feature set only (an operator that routes events and scores none): model
        messages are verified and their `seq` applied, their PMML neither compiled nor kept."""
        self._key = signing_key
        self._compile = compile_model
        self._keeps_models = models
        self._compiled: dict[tuple[str, int], Scorer] = {}
        self._live_text: str | None = None
        self._live: tuple[LiveModel, ...] = ()
        self._feature_sets: dict[str, LiveFeatureSet] = {}  # by the state's text of them
        self._view: LiveView | None = None

    def apply(self, raw: str | None, state: StateView) -> Applied | ControlRejected | Skipped:
        """Verify, check `seq`, compile where needed, then change state. A forged, unsigned, stale or
        malformed message changes nothing; an authentic one whose content cannot go live (a PMML that does
        not compile, a feature file with errors) changes nothing but use up its `seq`: every operator then
        agrees on the sequence, also one that keeps the feature set only and never compiles a model. A
        tombstone (None) is skipped."""
        if raw is None:
            return Skipped()
        self._view = None
        try:
            message = control.decode(raw, self._key)
        except ControlMessageError as exc:
            return ControlRejected(str(exc))
        last_seq = applied_seq(state)
        if message.seq <= last_seq:
            return ControlRejected(f"stale seq {message.seq}: {last_seq} already applied", message.model_id)
        try:
            outcome: Applied | ControlRejected = self._dispatch(message, state)
        except FraudError as exc:
            outcome = ControlRejected(str(exc), message.model_id)
        state.put(_SEQ, str(message.seq))
        return outcome

    def view(self, state: StateView) -> LiveView:
        """What is live, read from the state once after each change (and after a restore), not for every
        event: in Flink a read of broadcast state crosses into the JVM and copies the feature file's text."""
        if self._view is None:
            self._view = LiveView(self.live(state), self.features(state), self.previous_features(state))
        return self._view

    def live(self, state: StateView) -> tuple[LiveModel, ...]:
        """The live models; re-read only when the live table changed (or after a restore)."""
        text = state.get(_LIVE)
        if text != self._live_text:
            self._live = tuple(self._materialise(text, state))
            self._live_text = text
        return self._live

    def features(self, state: StateView) -> LiveFeatureSet | None:
        """The live feature set, None before the first `features.deploy`."""
        return self._feature_set(state.get(_FEATURES))

    def previous_features(self, state: StateView) -> LiveFeatureSet | None:
        return self._feature_set(state.get(_PREVIOUS_FEATURES))

    def _feature_set(self, text: str | None) -> LiveFeatureSet | None:
        if text is None:
            return None
        live = self._feature_sets.get(text)
        if live is None:
            stored = orjson.loads(text)
            live = compile_feature_set(stored["dsl"], stored["source"], stored["since"], stored["issued_at"])
            self._feature_sets[text] = live
            while len(self._feature_sets) > 3:  # two are in use around a swap; older ones are garbage
                del self._feature_sets[next(iter(self._feature_sets))]
        return live

    def _dispatch(self, message: ControlMessage, state: StateView) -> Applied:
        if message.type.startswith(("model.", "alias.")) and not self._keeps_models:
            return Applied(f"{message.type} {message.model_id}: not kept here")
        handlers = {
            "model.deploy": self._deploy,
            "model.update": self._update,
            "model.retire": self._retire,
            "alias.set": self._set_alias,
            "features.deploy": self._deploy_features,
        }
        handler = handlers.get(message.type)
        if handler is None:
            raise ControlMessageError(f"{message.type!r} is not handled by this scoring job")
        return handler(message, state)

    def _deploy_features(self, message: ControlMessage, state: StateView) -> Applied:
        dsl = _required(message.payload, "dsl", str)
        source = message.payload.get("source") or f"{message.model_id}.fdsl"
        current = self.features(state)
        since = current.since if current else {}
        live = compile_feature_set(dsl, str(source), since, message.issued_at)  # raises: nothing changes
        stored = {"dsl": dsl, "source": source, "since": live.since, "issued_at": message.issued_at}
        text = orjson.dumps(stored, option=orjson.OPT_SORT_KEYS).decode()
        previous = state.get(_FEATURES)
        if previous is not None:
            state.put(_PREVIOUS_FEATURES, previous)
        state.put(_FEATURES, text)
        self._feature_sets[text] = live  # compiled once: what features() finds
        kept = len([b for b in live.since.values() if b < message.issued_at])
        return Applied(f"feature set {live.label} live: {len(live.since)} blocks, {kept} kept from before")

    def _deploy(self, message: ControlMessage, state: StateView) -> Applied:
        """Compile, then put the version under its alias (champion unless the payload names another),
        replacing the version the alias had. A version live under another alias moves (that alias loses it),
        compiled once: the same PMML and engine are not compiled again."""
        version = _required_version(message)
        alias = _alias_name(message.payload.get("alias", CHAMPION))
        entry = _settings(message.payload, {"mode": "active" if alias == CHAMPION else "shadow", "threshold": 0.5})
        _check_mode(alias, entry["mode"])
        aliases = _aliases_of(state, message.model_id)
        elsewhere = _alias_with(aliases, version)
        pmml = control.pmml_of(message)
        key = (message.model_id, version)
        packed = message.payload["pmml"]
        same = elsewhere is not None and state.get(_spec_key(*key)) == packed
        if same and key in self._compiled and aliases[elsewhere].get("engine", "auto") == entry["engine"]:
            evaluator = self._compiled[key]
        else:
            evaluator = self._compile(pmml, entry["engine"])  # raises PmmlError: the live model stays as it was
        entry["score_field"] = evaluator.score_field(entry.get("score_field"))
        state.put(_spec_key(*key), packed)
        self._compiled[key] = evaluator
        kept = aliases if elsewhere in (None, alias) else _without(aliases, elsewhere)
        _put_aliases(state, message.model_id, {**kept, alias: {**entry, "version": version}}, aliases)
        engine = evaluator.engine + (f": {evaluator.fallback_reason}" if evaluator.fallback_reason else "")
        went = f"moved from {elsewhere} to" if elsewhere not in (None, alias) else "live as"
        return Applied(f"{message.model_id} v{version} {went} {alias} ({entry['mode']}, {engine} engine)")

    def _update(self, message: ControlMessage, state: StateView) -> Applied:
        """A live version's threshold, mode or event types, changed without compiling anything. A version
        not live: nothing to do (a compacted topic's replay meets the settings of a version whose deploy was
        compacted away before the tombstone of those settings was)."""
        version = _required_version(message)
        aliases = _aliases_of(state, message.model_id)
        alias = _alias_with(aliases, version)
        unknown = sorted(set(message.payload) - _UPDATABLE)
        if unknown:
            raise ControlMessageError(
                f"model.update changes {', '.join(sorted(_UPDATABLE))} only, not {', '.join(unknown)}"
                " (a new PMML, engine or score field is a model.deploy)"
            )
        if alias is None:
            return Applied(f"{message.model_id} v{version} is not live: nothing to update")
        entry = _settings(message.payload, aliases[alias])
        _check_mode(alias, entry["mode"])
        _put_aliases(state, message.model_id, {**aliases, alias: entry}, aliases)
        changed = ", ".join(f"{name} {entry[name]}" for name in message.payload)
        return Applied(f"{message.model_id} v{version} ({alias}): {changed or 'nothing changed'}")

    def _set_alias(self, message: ControlMessage, state: StateView) -> Applied:
        """With no version, take the alias away (an alias not live: nothing to do, as a compacted topic's
        replay meets it after the version moved on). With a version (publishers before the topic was
        compacted), point the alias at a version already live under another alias. A version has one alias
        at a time, and the version an alias leaves stops scoring."""
        alias = _alias_name(message.payload.get("alias"))
        aliases = _aliases_of(state, message.model_id)
        if message.version is None:
            if alias not in aliases:
                return Applied(f"{message.model_id}: no {alias} to remove")
            _put_aliases(state, message.model_id, _without(aliases, alias), aliases)
            return Applied(f"{message.model_id}: {alias} removed")
        source = _alias_with(aliases, message.version)
        if source is None:
            raise ControlMessageError(
                f"{message.model_id} v{message.version} is not live: deploy it (as challenger, say) first"
            )
        if source == alias:
            return Applied(f"{message.model_id} v{message.version} already {alias}")
        entry = dict(aliases[source])
        if alias == CHAMPION:  # the new champion decides as the old one did (a model kept in shadow stays so)
            entry["mode"] = aliases.get(CHAMPION, {}).get("mode", "active")
        else:
            entry["mode"] = "shadow"
        moved = _without(aliases, source)
        _put_aliases(state, message.model_id, {**moved, alias: entry}, aliases)
        return Applied(f"{message.model_id} v{message.version} now {alias} ({entry['mode']})")

    def _retire(self, message: ControlMessage, state: StateView) -> Applied:
        """Every live version of the model, or only the one named."""
        aliases = _aliases_of(state, message.model_id)
        if not aliases:
            raise ControlMessageError(f"model {message.model_id!r} is not live")
        if message.version is None:
            _put_aliases(state, message.model_id, {}, aliases)
            return Applied(f"{message.model_id} retired")
        alias = _alias_with(aliases, message.version)
        if alias is None:
            raise ControlMessageError(f"{message.model_id} v{message.version} is not live")
        _put_aliases(state, message.model_id, _without(aliases, alias), aliases)
        return Applied(f"{message.model_id} v{message.version} ({alias}) retired")

    def _materialise(self, text: str | None, state: StateView) -> list[LiveModel]:
        models = []
        for model_id, aliases in sorted(orjson.loads(text or "{}").items()):
            for alias, entry in sorted(aliases.items(), key=lambda item: item[0] != CHAMPION):
                key = (model_id, entry["version"])
                if key not in self._compiled:
                    packed = state.get(_spec_key(*key)) or ""
                    self._compiled[key] = self._compile(control.unpack_pmml(packed), entry.get("engine", "auto"))
                models.append(
                    LiveModel(
                        model_id=model_id,
                        version=entry["version"],
                        alias=alias,
                        mode=entry["mode"],
                        threshold=entry["threshold"],
                        event_types=frozenset(entry["event_types"]),
                        score_field=entry["score_field"],
                        evaluator=self._compiled[key],
                    )
                )
        live_keys = {(m.model_id, m.version) for m in models}
        self._compiled = {k: v for k, v in self._compiled.items() if k in live_keys}
        return models


class DictState(dict):
    """A StateView in memory."""

    def put(self, key: str, value: str) -> None:
        self[key] = value

    def remove(self, key: str) -> None:
        self.pop(key, None)


class OperatorControl:
    """What an operator routes and scores by: its broadcast state, and, until that has caught up, the control
    topic as the job found it when it was submitted (`history`). Flink reads `events` and `control` side by
    side from the first moment, so on a first start events come in before the models and feature set do;
    they are scored by the history instead of by nothing. After a restore the broadcast state is further on
    (or the history newer, when messages came while the job was down: then it serves until replayed)."""

    def __init__(
        self,
        signing_key: str,
        history: Sequence[str | None] = (),
        compile_model: Callable[[bytes, str], Scorer] = load_scorer,
        *,
        models: bool = True,
    ) -> None:
        compiled = _Memo(compile_model)  # the history's models, compiled once for both
        self.live = LiveModels(signing_key, compiled, models=models)
        self._history: LiveModels | None = LiveModels(signing_key, compiled, models=models)
        self._history_state = DictState()
        for raw in history:
            self._history.apply(raw, self._history_state)
        self._history_seq = applied_seq(self._history_state)
        self._caught_up: bool | None = None if history else True  # None: the broadcast state not read yet
        self._compiled = compiled

    def view(self, state: StateView) -> LiveView:
        if self._caught_up is None:  # the first event: a restored broadcast state may be ahead already
            self._see_progress(state)
        if self._caught_up or self._history is None:
            return self.live.view(state)
        return self._history.view(self._history_state)

    def apply(self, raw: str | None, state: StateView) -> Applied | ControlRejected | Skipped:
        outcome = self.live.apply(raw, state)
        if not self._caught_up:
            self._see_progress(state)
        return outcome

    def _see_progress(self, state: StateView) -> None:
        self._caught_up = applied_seq(state) >= self._history_seq
        if self._caught_up:  # seq only grows: the history is done with
            self._history, self._history_state = None, DictState()
            self._compiled.forget()


class _Memo:
    """A compile function that compiles the same PMML once, while the history and the state both need it."""

    def __init__(self, compile_model: Callable[[bytes, str], Scorer]) -> None:
        self._compile = compile_model
        self._done: dict[tuple[str, str], Scorer] | None = {}

    def __call__(self, pmml: bytes, engine: str) -> Scorer:
        if self._done is None:
            return self._compile(pmml, engine)
        key = (hashlib.sha256(pmml).hexdigest(), engine)
        if key not in self._done:
            self._done[key] = self._compile(pmml, engine)
        return self._done[key]

    def forget(self) -> None:
        self._done = None


def applied_seq(state: StateView) -> int:
    """The `seq` of the last control message applied to this state, -1 before any."""
    return int(state.get(_SEQ) or -1)


def _aliases_of(state: StateView, model_id: str) -> dict[str, dict[str, Any]]:
    """The model's live versions by alias: {"champion": {"version": 3, "mode": ..., ...}, ...}."""
    return orjson.loads(state.get(_LIVE) or "{}").get(model_id, {})


def _put_aliases(
    state: StateView, model_id: str, aliases: dict[str, dict[str, Any]], before: dict[str, dict[str, Any]]
) -> None:
    """The model's new alias table, and the PMML of every version no alias holds any more dropped."""
    table = orjson.loads(state.get(_LIVE) or "{}")
    if aliases:
        table[model_id] = aliases
    else:
        table.pop(model_id, None)
    # Sorted keys: the same table is the same text, which is what live() compares to skip re-reading.
    state.put(_LIVE, orjson.dumps(table, option=orjson.OPT_SORT_KEYS).decode())
    kept = {entry["version"] for entry in aliases.values()}
    for entry in before.values():
        if entry["version"] not in kept:
            state.remove(_spec_key(model_id, entry["version"]))


def _without(aliases: dict[str, dict[str, Any]], alias: str) -> dict[str, dict[str, Any]]:
    return {name: entry for name, entry in aliases.items() if name != alias}


def _alias_with(aliases: dict[str, dict[str, Any]], version: int) -> str | None:
    return next((alias for alias, entry in aliases.items() if entry["version"] == version), None)


def _alias_name(value: object) -> str:
    if not isinstance(value, str) or not _ALIAS_NAME.fullmatch(value):
        raise ControlMessageError(f"alias must be a lowercase name like 'champion' or 'challenger', got {value!r}")
    return value


def _check_mode(alias: str, mode: str) -> None:
    if alias != CHAMPION and mode == "active":
        raise ControlMessageError(f"only the champion decides: a {alias} is shadow (promote it with alias.set)")


def _required_version(message: ControlMessage) -> int:
    if message.version is None:
        raise ControlMessageError(f"{message.type} needs a 'version'")
    return message.version


def _settings(payload: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The current settings with those the payload gives, each checked."""
    mode = payload.get("mode", current["mode"])
    if mode not in MODES:
        raise ControlMessageError(f"mode must be one of {MODES}, got {mode!r}")
    threshold = payload.get("threshold", current["threshold"])
    if not isinstance(threshold, int | float) or isinstance(threshold, bool) or not math.isfinite(threshold):
        raise ControlMessageError(f"threshold must be a number, got {threshold!r}")
    event_types = payload.get("event_types", current.get("event_types", []))
    if not isinstance(event_types, list) or not all(isinstance(t, str) for t in event_types):
        raise ControlMessageError("event_types must be a list of event type names")
    score_field = payload.get("score_field", current.get("score_field"))
    if score_field is not None and not isinstance(score_field, str):
        raise ControlMessageError("score_field must be a string")
    engine = payload.get("engine", current.get("engine", "auto"))  # pypmml, to compare, or to sidestep a doubt
    if engine not in ENGINES:
        raise ControlMessageError(f"engine must be one of {ENGINES}, got {engine!r}")
    return {
        **current,
        "engine": engine,
        "mode": mode,
        "threshold": float(threshold),
        "event_types": event_types,
        "score_field": score_field,
    }


def _required(payload: dict[str, Any], name: str, kind: type) -> Any:
    value = payload.get(name)
    if not isinstance(value, kind):
        raise ControlMessageError(f"payload needs {name!r}")
    return value


__all__ = [
    "CHAMPION",
    "Applied",
    "ControlRejected",
    "DictState",
    "LiveModel",
    "LiveModels",
    "OperatorControl",
    "PmmlError",
    "Skipped",
    "StateView",
]
