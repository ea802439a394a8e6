"""The store's tables (SQLAlchemy): versions, what is live under which alias, feature sets, the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, deferred, mapped_column


class Base(DeclarativeBase):
    pass


class ModelVersion(Base):
    """One immutable version of a model, with the settings it goes live with (the threshold can change)."""

    __tablename__ = "model_versions"

    model_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    pmml: Mapped[bytes] = deferred(mapped_column(LargeBinary))  # read only when published or scored
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    schema: Mapped[dict[str, Any]] = mapped_column(JSON)
    engine: Mapped[str] = mapped_column(String(16))  # as asked: auto, compiled or pypmml
    score_field: Mapped[str] = mapped_column(String(256))
    threshold: Mapped[float] = mapped_column(Float)
    event_types: Mapped[list[str]] = mapped_column(JSON)
    description: Mapped[str] = mapped_column(Text, default="")
    extra: Mapped[dict[str, Any]] = mapped_column("metadata", JSON)
    features_version: Mapped[str | None] = mapped_column(String(128), nullable=True)  # live when uploaded
    author: Mapped[str] = mapped_column(String(128))
    created_ms: Mapped[int] = mapped_column(BigInteger)


class LiveAlias(Base):
    """A version live under an alias; the champion decides, every other alias only records (shadow)."""

    __tablename__ = "live_aliases"

    model_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    alias: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(8))
    since_ms: Mapped[int] = mapped_column(BigInteger)


class ChampionChange(Base):
    """Each version that became champion, in order; a rollback undoes the last one still in force."""

    __tablename__ = "champion_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    model_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    at_ms: Mapped[int] = mapped_column(BigInteger)
    undone: Mapped[bool] = mapped_column(Boolean, default=False)


class FeatureSetVersion(Base):
    """A feature file as deployed: its declared name and version, and its text."""

    __tablename__ = "feature_sets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    dsl: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(256))
    sha256: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(128))
    created_ms: Mapped[int] = mapped_column(BigInteger)


class LiveFeatures(Base):
    """The feature set the scoring job computes: one row, or none before the first deploy."""

    __tablename__ = "live_features"

    slot: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    since_ms: Mapped[int] = mapped_column(BigInteger)


class AuditEntry(Base):
    """One change, who made it and the control message that carried it. Rows are only ever added."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at_ms: Mapped[int] = mapped_column(BigInteger, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    model_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class ControlSequence(Base):
    """The last `seq` published: every control message's is higher than any before it."""

    __tablename__ = "control_sequence"

    slot: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    last_seq: Mapped[int] = mapped_column(BigInteger)
