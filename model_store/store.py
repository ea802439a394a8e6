"""The model store: every version, what is live under which alias, feature sets and the audit log. A change
writes the store and publishes its signed control messages together: when the control topic does not take
them, the store is left as it was (PublishError), so the two never disagree about what is live.

Every message states a key's whole state (fraudscore.control: `<model>/<alias>`, `<model>/<alias>/settings`),
so the control topic can be compacted: a version that changes alias is deployed again under the new one (PMML
and settings) and the alias it left removed; a settings change carries every setting; a deploy or a removal
tombstones the alias's settings key. A job replaying the compacted topic rebuilds exactly what is live."""

from __future__ import annotations

import hashlib
import math
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, Select, create_engine, func, select
from sqlalchemy.orm import Session, sessionmaker, undefer

from dsl.errors import DslError
from dsl.source import check_text
from fraudscore import control
from model_store.errors import ConflictError, NotFoundError, PublishError, RejectedError
from model_store.tables import (
    AuditEntry,
    Base,
    ChampionChange,
    ControlSequence,
    FeatureSetVersion,
    LiveAlias,
    LiveFeatures,
    ModelVersion,
)
from model_store.validation import check_model, contract_problems
from pmml_engine import Scorer, load_scorer
from pmml_engine.document import DataField
from pmml_engine.engine import ENGINES
from scoring_job.live_features import MAX_DSL_BYTES, LiveFeatureSet

CHAMPION, CHALLENGER = "champion", "challenger"
MODES = ("active", "shadow")
_MODEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")


class ControlPublisher(Protocol):
    """Where the store's control messages go: the `control` topic, in the service."""

    def last_seq(self) -> int:
        """The highest `seq` already on the topic (-1 if none): the store's next is above it."""
        ...

    def publish(self, records: list[tuple[bytes, bytes | None]]) -> None:
        """Every (key, value) record acknowledged (a None value: a tombstone), or an exception."""
        ...


class FeatureFileError(RejectedError):
    """A feature file with errors, each with its file:line:col."""

    def __init__(self, errors: list[DslError]) -> None:
        super().__init__("the feature file has errors", [error.render() for error in errors])
        self.errors = errors


@dataclass
class Outcome:
    """What a change did: in words, and the `seq` of each control message it published (none: nothing to do)."""

    description: str
    seqs: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.seqs)


class ModelStore:
    """The store over a SQLAlchemy URL (SQLite by default, PostgreSQL the same), publishing through `publisher`."""

    def __init__(
        self,
        url: str,
        signing_key: str,
        publisher: ControlPublisher,
        clock: Callable[[], int] = lambda: int(time.time() * 1000),
    ) -> None:
        self._engine = _engine(url)
        Base.metadata.create_all(self._engine)
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        self._key = signing_key
        self._publisher = publisher
        self._clock = clock
        self._lock = threading.Lock()  # one change at a time: seqs are handed out in the order published
        self._feature_cache: dict[tuple[str, int], LiveFeatureSet] = {}
        self._scorers: dict[tuple[str, int], Scorer] = {}

    def close(self) -> None:
        self._engine.dispose()

    # Reading

    def models(self) -> list[dict[str, Any]]:
        """Every model: its latest version, how many it has, and what is live under which alias."""
        with self._sessions() as session:
            rows = session.execute(
                select(ModelVersion.model_id, func.max(ModelVersion.version), func.count()).group_by(
                    ModelVersion.model_id
                )
            ).all()
            live = _live_by_model(session)
        return [
            {"model_id": model_id, "latest_version": latest, "versions": count, "live": live.get(model_id, [])}
            for model_id, latest, count in sorted(rows)
        ]

    def versions(self, model_id: str) -> list[ModelVersion]:
        with self._sessions() as session:
            rows = list(session.scalars(_versions_of(model_id)))
        if not rows:
            raise NotFoundError(f"no model {model_id!r}")
        return rows

    def version(self, model_id: str, version: int) -> ModelVersion:
        with self._sessions() as session:
            return _version(session, model_id, version)

    def pmml(self, model_id: str, version: int) -> bytes:
        with self._sessions() as session:
            return _version(session, model_id, version, with_pmml=True).pmml

    def live(self, model_id: str | None = None) -> list[LiveAlias]:
        """What is live, champion first; one model's, or every model's."""
        with self._sessions() as session:
            query = _live_query()
            if model_id is not None:
                query = query.where(LiveAlias.model_id == model_id)
            return list(session.scalars(query))

    def live_features(self) -> FeatureSetVersion | None:
        with self._sessions() as session:
            return _live_feature_row(session)

    def feature_sets(self) -> list[FeatureSetVersion]:
        with self._sessions() as session:
            query = select(FeatureSetVersion).order_by(FeatureSetVersion.name, FeatureSetVersion.version)
            return list(session.scalars(query))

    def audit(self, model_id: str | None = None, limit: int = 100) -> list[AuditEntry]:
        """The latest changes first."""
        with self._sessions() as session:
            query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
            if model_id is not None:
                query = query.where(AuditEntry.model_id == model_id)
            return list(session.scalars(query))

    def scorer(self, model_id: str, version: int | None = None) -> tuple[int, Scorer]:
        """The compiled model that scores ad hoc requests: the version named, else the live champion."""
        if version is None:
            champion = next((row for row in self.live(model_id) if row.alias == CHAMPION), None)
            if champion is None:
                self.versions(model_id)  # NotFoundError when there is no such model at all
                raise ConflictError(f"{model_id} has no live champion: name a version to score with")
            version = champion.version
        key = (model_id, version)
        if key not in self._scorers:
            row = self.version(model_id, version)
            scorer = load_scorer(self.pmml(model_id, version), row.engine)
            self._scorers = {**dict(list(self._scorers.items())[-7:]), key: scorer}  # a few, not every one
        return version, self._scorers[key]

    # Changing models

    def upload(
        self,
        model_id: str,
        pmml: bytes,
        actor: str,
        *,
        alias: str | None = CHAMPION,
        mode: str | None = None,
        threshold: float = 0.5,
        event_types: tuple[str, ...] = (),
        engine: str = "auto",
        score_field: str | None = None,
        description: str = "",
        metadata: dict[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> tuple[ModelVersion, Outcome]:
        """Check the PMML (parse, compile, contract with the live features, smoke score), store it as the
        model's next version and, unless `alias` is None, make it live under that alias."""
        problems = _settings_problems(
            model_id, threshold=threshold, event_types=event_types, engine=engine, alias=alias, mode=mode
        )
        if problems:
            raise RejectedError("the request is not valid", problems)
        features = self._features()
        checked = check_model(
            pmml,
            engine=engine,
            score_field=score_field,
            features=features.feature_types if features else {},
            features_label=features.label if features else None,
        )
        with self._change() as change:
            latest = change.session.scalar(
                select(func.max(ModelVersion.version)).where(ModelVersion.model_id == model_id)
            )
            version = (latest or 0) + 1
            if expected_version is not None and expected_version != version:
                raise ConflictError(f"stale version: {model_id} is at v{latest or 0}, the next is v{version}, "
                                    f"not v{expected_version}")  # fmt: skip
            row = ModelVersion(
                model_id=model_id, version=version, pmml=pmml, sha256=checked.sha256, size_bytes=len(pmml),
                schema=checked.schema, engine=engine, score_field=checked.score_field, threshold=float(threshold),
                event_types=list(event_types), description=description, extra=metadata or {},
                features_version=features.label if features else None, author=actor, created_ms=self._clock(),
            )  # fmt: skip
            change.session.add(row)
            change.session.flush()
            change.audit(
                actor,
                "upload",
                {"sha256": checked.sha256, "size_bytes": len(pmml)},
                model_id=model_id,
                version=version,
                seq=None,
            )
            words = f"{model_id} v{version} stored"
            if alias is not None:
                words += "; " + self._put_live(change, row, alias, mode or _default_mode(alias), actor)
            outcome = change.outcome(words)
        self._scorers[(model_id, version)] = checked.scorer
        return row, outcome

    def activate(self, model_id: str, version: int, actor: str) -> Outcome:
        """The version becomes the champion, and decides (active)."""
        with self._change() as change:
            row = _version(change.session, model_id, version, with_pmml=True)
            live = _live_of(change.session, model_id)
            held = next((a for a in live.values() if a.version == version), None)
            if held is not None and held.alias == CHAMPION and held.mode == "active":
                return change.outcome(f"{model_id} v{version} is the active champion already")
            if held is not None and held.alias == CHAMPION:
                words = self._update(change, row, actor, mode="active")
            else:
                words = self._put_live(change, row, CHAMPION, "active", actor)
            return change.outcome(words)

    def shadow(self, model_id: str, version: int, actor: str) -> Outcome:
        """The version scores and records without deciding: the champion turns shadow; a version not live
        goes live as the challenger (replacing the one there was)."""
        with self._change() as change:
            row = _version(change.session, model_id, version, with_pmml=True)
            held = next((a for a in _live_of(change.session, model_id).values() if a.version == version), None)
            if held is not None and held.mode == "shadow":
                return change.outcome(f"{model_id} v{version} is in shadow already (as {held.alias})")
            if held is not None:
                return change.outcome(self._update(change, row, actor, mode="shadow"))
            return change.outcome(self._put_live(change, row, CHALLENGER, "shadow", actor))

    def set_threshold(self, model_id: str, version: int, threshold: float, actor: str) -> Outcome:
        """The score at or over which the version alerts; live at once if the version is live."""
        if not isinstance(threshold, int | float) or not math.isfinite(threshold):
            raise RejectedError("the request is not valid", [f"threshold must be a finite number, got {threshold}"])
        with self._change() as change:
            row = _version(change.session, model_id, version)
            before, row.threshold = row.threshold, float(threshold)
            held = any(a.version == version for a in _live_of(change.session, model_id).values())
            if held:
                return change.outcome(self._update(change, row, actor, threshold=float(threshold)))
            change.audit(
                actor,
                "threshold",
                {"from": before, "to": float(threshold)},
                model_id=model_id,
                version=version,
                seq=None,
            )
            return change.outcome(f"{model_id} v{version}: threshold {threshold} (not live: used when it goes live)")

    def retire(self, model_id: str, actor: str, version: int | None = None) -> Outcome:
        """Take the version (or, with none named, every version) of the model out of scoring."""
        with self._change() as change:
            live = _live_of(change.session, model_id)
            if version is not None:
                _version(change.session, model_id, version)
                live = {alias: row for alias, row in live.items() if row.version == version}
            elif not live:
                _versions_or_raise(change.session, model_id)
            if not live:
                what = f"{model_id} v{version}" if version is not None else model_id
                raise ConflictError(f"{what} is not live: nothing to retire")
            seqs = []
            for alias, row in sorted(live.items()):
                change.session.delete(row)
                seqs.append(change.removal(model_id, alias))
            change.audit(actor, "retire", {"aliases": sorted(live)}, model_id=model_id, version=version, seq=seqs[0])
            return change.outcome(f"{model_id} {'v' + str(version) if version else 'every version'} retired")

    def rollback(self, model_id: str, actor: str) -> Outcome:
        """The champion goes back to the version that was champion before the current one."""
        with self._change() as change:
            champion = _live_of(change.session, model_id).get(CHAMPION)
            if champion is None:
                _versions_or_raise(change.session, model_id)
                raise ConflictError(f"{model_id} has no live champion to roll back")
            history = list(change.session.scalars(
                select(ChampionChange).where(ChampionChange.model_id == model_id, ~ChampionChange.undone)
                .order_by(ChampionChange.id)
            ))  # fmt: skip
            earlier = [h for h in history[:-1] if h.version != champion.version]
            if not earlier:
                raise ConflictError(f"nothing to roll back to: {model_id} v{champion.version} is its first champion")
            target = earlier[-1]
            for entry in history[history.index(target) + 1 :]:
                entry.undone = True
            row = _version(change.session, model_id, target.version, with_pmml=True)
            words = self._put_live(change, row, CHAMPION, champion.mode, actor, record_champion=False)
            change.audit(
                actor, "rollback", {"from": champion.version}, model_id=model_id, version=target.version, seq=None
            )
            return change.outcome(f"rolled back from v{champion.version}: {words}")

    # Feature sets

    def check_features(self, dsl: str, source: str) -> LiveFeatureSet:
        """The feature file compiled as the scoring job will; FeatureFileError with every error otherwise."""
        if len(dsl.encode()) > MAX_DSL_BYTES:
            raise RejectedError("the feature file is too large", [f"{source}: larger than {MAX_DSL_BYTES} bytes"])
        featureset, errors = check_text(dsl, source)
        if errors or featureset is None:
            raise FeatureFileError(errors)
        return LiveFeatureSet(featureset, {}, 0)

    def deploy_features(self, dsl: str, source: str, actor: str) -> tuple[FeatureSetVersion, Outcome]:
        """Check the file, check that every live model still finds its inputs in it, store and publish it."""
        checked = self.check_features(dsl, source)
        sha = hashlib.sha256(dsl.encode()).hexdigest()
        with self._change() as change:
            problems = self._live_models_unfed(change.session, checked)
            if problems:
                raise RejectedError(f"{checked.label} would starve live models", problems)
            row = change.session.get(FeatureSetVersion, (checked.name, checked.version))
            if row is not None and row.sha256 != sha:
                raise ConflictError(f"{checked.label} exists with other content: raise the version in the file")
            live = _live_feature_row(change.session)
            if live is not None and (live.name, live.version) == (checked.name, checked.version):
                return live, change.outcome(f"feature set {checked.label} is live already")
            if row is None:
                row = FeatureSetVersion(name=checked.name, version=checked.version, dsl=dsl, source=source,
                                        sha256=sha, author=actor, created_ms=self._clock())  # fmt: skip
                change.session.add(row)
            change.session.merge(LiveFeatures(slot=1, name=row.name, version=row.version, since_ms=self._clock()))
            seq = change.feature_message(row.name, dsl, source)
            change.audit(
                actor,
                "features.deploy",
                {"feature_set": checked.label, "sha256": sha},
                model_id=None,
                version=None,
                seq=seq,
            )
            return row, change.outcome(f"feature set {checked.label} deployed")

    # The control topic

    def republish(self, actor: str) -> Outcome:
        """Publish what is live again, as fresh messages: the live feature set, then each live version under
        its alias. A control topic lost, or cut down to messages that no longer add up, is rebuilt."""
        with self._change() as change:
            live_features = _live_feature_row(change.session)
            if live_features is not None:
                change.feature_message(live_features.name, live_features.dsl, live_features.source)
            for model_id, aliases in _live_by_model(change.session).items():
                for entry in aliases:
                    row = _version(change.session, model_id, entry["version"], with_pmml=True)
                    change.deploy_message(row, entry["alias"], entry["mode"])
            change.audit(actor, "republish", {"messages": len(change.seqs)}, model_id=None, version=None, seq=None)
            return change.outcome(f"{len(change.seqs)} control messages published")

    # Inside a change

    def _put_live(
        self, change: _Change, row: ModelVersion, alias: str, mode: str, actor: str, *, record_champion: bool = True
    ) -> str:
        """Make the version live under `alias` in `mode`: deployed there whole (PMML and settings), also when
        it is live under another alias, which is then removed (the job moves it, and keeps its compiled model);
        the version the alias had stops scoring."""
        live = _live_of(change.session, row.model_id)
        held = next((a for a in live.values() if a.version == row.version), None)
        if held is not None and held.alias == alias:
            if held.mode == mode:
                return f"v{row.version} is {alias} ({mode}) already"
            return self._update(change, row, actor, mode=mode)
        replaced = live.get(alias)
        seq = change.deploy_message(row, alias, mode)
        if held is not None:
            change.removal(row.model_id, held.alias)
            change.session.delete(held)
            went = f"v{row.version} moved from {held.alias} to {alias}"
        else:
            went = f"v{row.version} live as {alias}"
        if replaced is not None and replaced.version != row.version:
            change.session.delete(replaced)
        change.session.flush()
        change.session.add(LiveAlias(model_id=row.model_id, alias=alias, version=row.version, mode=mode,
                                     since_ms=self._clock()))  # fmt: skip
        details = {"alias": alias, "mode": mode, "replaced": replaced.version if replaced is not None else None}
        change.audit(actor, "live", details, model_id=row.model_id, version=row.version, seq=seq)
        if alias == CHAMPION and record_champion and (replaced is None or replaced.version != row.version):
            change.session.add(ChampionChange(model_id=row.model_id, version=row.version, at_ms=self._clock()))
        return f"{went} ({mode})"

    def _update(self, change: _Change, row: ModelVersion, actor: str, **settings: Any) -> str:
        """A live version's mode or threshold, changed without sending its PMML again: a model.update with
        every setting (`row` has the new threshold already)."""
        held = next(a for a in _live_of(change.session, row.model_id).values() if a.version == row.version)
        if "mode" in settings:
            if held.alias != CHAMPION and settings["mode"] == "active":
                raise ConflictError(f"only the champion decides: activate {row.model_id} v{row.version} instead")
            held.mode = settings["mode"]
        seq = change.settings_message(row, held.alias, held.mode)
        change.audit(actor, "update", settings, model_id=row.model_id, version=row.version, seq=seq)
        return f"{row.model_id} v{row.version} ({held.alias}): " + ", ".join(f"{k} {v}" for k, v in settings.items())

    def _features(self) -> LiveFeatureSet | None:
        row = self.live_features()
        if row is None:
            return None
        key = (row.name, row.version)
        if key not in self._feature_cache:
            self._feature_cache = {key: self.check_features(row.dsl, row.source)}
        return self._feature_cache[key]

    def _live_models_unfed(self, session: Session, features: LiveFeatureSet) -> list[str]:
        problems = []
        for model_id, aliases in _live_by_model(session).items():
            for entry in aliases:
                row = _version(session, model_id, entry["version"])
                inputs = tuple(DataField(f["name"], f["optype"], f["data_type"]) for f in row.schema["inputs"])
                for problem in contract_problems(inputs, features.feature_types, features.label):
                    problems.append(f"{model_id} v{row.version} ({entry['alias']}): {problem}")
        return problems

    @contextmanager
    def _change(self) -> Iterator[_Change]:
        """One change: rows written and control messages built inside a transaction, the messages published,
        then the transaction committed. A refusal or a failed publish rolls everything back."""
        with self._lock, self._sessions.begin() as session:
            change = _Change(session, self._key, lambda: self._next_seq(session), self._clock)
            yield change
            if change.records:
                try:
                    self._publisher.publish(change.records)
                except Exception as exc:  # whatever the client raises, the store must not keep the change
                    raise PublishError(f"the control topic did not take the change, nothing changed: {exc}") from exc
                session.merge(ControlSequence(slot=1, last_seq=change.seqs[-1]))

    def _next_seq(self, session: Session) -> int:
        try:
            on_topic = self._publisher.last_seq()
        except Exception as exc:  # the topic cannot be read: nothing can be published either
            raise PublishError(f"the control topic cannot be read, nothing changed: {exc}") from exc
        stored = session.get(ControlSequence, 1)
        return max(stored.last_seq if stored else -1, on_topic) + 1


class _Change:
    """The control messages and audit rows of one change, in the order they are made."""

    def __init__(self, session: Session, key: str, first_seq: Callable[[], int], clock: Callable[[], int]) -> None:
        self.session = session
        self._key = key
        self._first_seq = first_seq  # asked for when the first message is made: a refusal reads no topic
        self._next_seq: int | None = None
        self._clock = clock
        self.records: list[tuple[bytes, bytes | None]] = []  # a None value: a tombstone
        self.seqs: list[int] = []

    def deploy_message(self, row: ModelVersion, alias: str, mode: str) -> int:
        """The version deployed whole under `alias`; the settings an earlier version there had, tombstoned."""
        seq = self._take_seq()
        settings = {"alias": alias, "mode": mode, "threshold": row.threshold, "event_types": row.event_types,
                    "score_field": row.score_field, "engine": row.engine}  # fmt: skip
        self.records.append(control.deploy_message(seq, row.model_id, row.version, row.pmml, self._key, **settings))
        self.records.append((control.settings_key(row.model_id, alias), None))
        return seq

    def settings_message(self, row: ModelVersion, alias: str, mode: str) -> int:
        """Every setting of the version under `alias`, its threshold and event types as `row` has them."""
        seq = self._take_seq()
        self.records.append(control.settings_message(seq, row.model_id, row.version, alias, self._key, mode=mode,
                                                     threshold=row.threshold, event_types=row.event_types))  # fmt: skip
        return seq

    def removal(self, model_id: str, alias: str) -> int:
        """The alias taken away, and its settings tombstoned."""
        seq = self._take_seq()
        self.records.append(control.removal_message(seq, model_id, alias, self._key))
        self.records.append((control.settings_key(model_id, alias), None))
        return seq

    def feature_message(self, name: str, dsl: str, source: str) -> int:
        seq = self._take_seq()
        self.records.append(control.features_message(seq, name, dsl, self._key, source))
        return seq

    def audit(
        self, actor: str, action: str, details: dict, *, model_id: str | None, version: int | None, seq: int | None
    ) -> None:
        self.session.add(AuditEntry(at_ms=self._clock(), actor=actor, action=action, model_id=model_id,
                                    version=version, details=details, seq=seq))  # fmt: skip

    def outcome(self, description: str) -> Outcome:
        return Outcome(description, list(self.seqs))

    def _take_seq(self) -> int:
        seq = self._first_seq() if self._next_seq is None else self._next_seq
        self._next_seq = seq + 1
        self.seqs.append(seq)
        return seq


def _engine(url: str) -> Engine:
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url)


def _live_query() -> Select[tuple[LiveAlias]]:
    return select(LiveAlias).order_by(LiveAlias.model_id, LiveAlias.alias != CHAMPION, LiveAlias.alias)


def _versions_of(model_id: str) -> Select[tuple[ModelVersion]]:
    return select(ModelVersion).where(ModelVersion.model_id == model_id).order_by(ModelVersion.version)


def _version(session: Session, model_id: str, version: int, *, with_pmml: bool = False) -> ModelVersion:
    query = select(ModelVersion).where(ModelVersion.model_id == model_id, ModelVersion.version == version)
    row = session.scalar(query.options(undefer(ModelVersion.pmml)) if with_pmml else query)
    if row is None:
        _versions_or_raise(session, model_id)
        raise NotFoundError(f"{model_id} has no version {version}")
    return row


def _versions_or_raise(session: Session, model_id: str) -> None:
    if session.scalar(select(func.count()).where(ModelVersion.model_id == model_id)) == 0:
        raise NotFoundError(f"no model {model_id!r}")


def _live_of(session: Session, model_id: str) -> dict[str, LiveAlias]:
    return {row.alias: row for row in session.scalars(select(LiveAlias).where(LiveAlias.model_id == model_id))}


def _live_by_model(session: Session) -> dict[str, list[dict[str, Any]]]:
    live: dict[str, list[dict[str, Any]]] = {}
    for row in session.scalars(_live_query()):
        live.setdefault(row.model_id, []).append(
            {"alias": row.alias, "version": row.version, "mode": row.mode, "since_ms": row.since_ms}
        )
    return live


def _live_feature_row(session: Session) -> FeatureSetVersion | None:
    live = session.get(LiveFeatures, 1)
    return session.get(FeatureSetVersion, (live.name, live.version)) if live is not None else None


def _default_mode(alias: str) -> str:
    return "active" if alias == CHAMPION else "shadow"


def _settings_problems(
    model_id: str, *, threshold: float, event_types: tuple[str, ...], engine: str, alias: str | None, mode: str | None
) -> list[str]:
    problems = []
    if not _MODEL_ID.fullmatch(model_id):
        problems.append(f"model id {model_id!r}: letters, digits, '_', '.', '-', at most 64, not starting with a sign")
    if not isinstance(threshold, int | float) or not math.isfinite(threshold):
        problems.append(f"threshold must be a finite number, got {threshold!r}")
    problems += [f"event type {t!r}: a lowercase name like 'payment'" for t in event_types if not _NAME.fullmatch(t)]
    if engine not in ENGINES:
        problems.append(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if alias is not None and not _NAME.fullmatch(alias):
        problems.append(f"alias {alias!r}: a lowercase name like 'champion' or 'challenger'")
    if mode is not None and mode not in MODES:
        problems.append(f"mode must be active or shadow, got {mode!r}")
    if mode == "active" and alias not in (None, CHAMPION):
        problems.append(f"only the champion decides: a {alias} is shadow")
    return problems
