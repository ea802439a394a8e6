"""Signed control messages on the `control` topic: build, sign, verify, unpack."""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import io
import time
from dataclasses import dataclass
from typing import Any

import orjson

from fraudscore.errors import FraudError

MESSAGE_TYPES = frozenset({"model.deploy", "model.update", "model.retire", "alias.set", "features.deploy"})


class ControlMessageError(FraudError):
    """A control message that must not be applied: unsigned, forged, stale or malformed."""


@dataclass(frozen=True)
class ControlMessage:
    """A verified control message."""

    type: str
    seq: int
    model_id: str
    version: int | None
    payload: dict[str, Any]
    issued_at: int


def _signing_bytes(envelope: dict[str, Any]) -> bytes:
    unsigned = {k: v for k, v in envelope.items() if k != "signature"}
    return orjson.dumps(unsigned, option=orjson.OPT_SORT_KEYS)


def sign(envelope: dict[str, Any], key: str) -> dict[str, Any]:
    """The envelope with its HMAC-SHA256 signature over every other field."""
    digest = hmac.new(key.encode(), _signing_bytes(envelope), hashlib.sha256).hexdigest()
    return {**envelope, "signature": digest}


def encode(
    type_: str, seq: int, model_id: str, key: str, *, version: int | None = None, payload: dict | None = None
) -> bytes:
    """A signed control message, ready for the topic.

    >>> raw = encode("model.retire", 3, "fraud_lr", key="k", version=2)
    >>> decode(raw, key="k").seq
    3
    """
    envelope = {
        "type": type_,
        "seq": seq,
        "model_id": model_id,
        "version": version,
        "payload": payload or {},
        "issued_at": int(time.time() * 1000),
    }
    return orjson.dumps(sign(envelope, key))


def deploy_message(
    seq: int, model_id: str, version: int, pmml: bytes, key: str, **settings: object
) -> tuple[bytes, bytes]:
    """A signed model.deploy as a (key, value) record: mode, threshold, event_types, score_field.

    >>> key, value = deploy_message(1, "lr", 2, b"<PMML/>", key="k", threshold=0.8)
    >>> key, decode(value, key="k").payload["threshold"]
    (b'lr', 0.8)
    """
    payload = {"pmml": pack_pmml(pmml), **settings}
    return model_id.encode(), encode("model.deploy", seq, model_id, key, version=version, payload=payload)


def features_message(seq: int, name: str, dsl: str, key: str, source: str | None = None) -> tuple[bytes, bytes]:
    """A signed features.deploy as a (key, value) record: the feature file's text, the name it is known by in
    error messages (`payments.fdsl:12:3: ...`) and, when the file checks, its feature plan (dsl.plan: what the
    JVM engine runs; a file that does not check goes without one, and the job rejects it with its errors).

    >>> key, value = features_message(4, "payments", "featureset payments version 1", key="k")
    >>> message = decode(value, key="k")
    >>> key, message.payload["source"], message.payload["plan"]["featureset"]
    (b'features:payments', 'payments.fdsl', 'payments')
    """
    from dsl.plan import compile_plan  # the DSL compiler, only where a feature set is published
    from dsl.source import check_text

    source = source or f"{name}.fdsl"
    payload: dict[str, Any] = {"dsl": dsl, "source": source}
    featureset, errors = check_text(dsl, source)
    if featureset is not None and not errors:
        payload["plan"] = compile_plan(featureset)
    return f"features:{name}".encode(), encode("features.deploy", seq, name, key, payload=payload)


def decode(raw: bytes | str, key: str) -> ControlMessage:
    """Parse and verify a control message; raise ControlMessageError saying what is wrong.

    >>> decode(b'{"type": "model.retire"}', key="k")
    Traceback (most recent call last):
    ...
    fraudscore.control.ControlMessageError: unsigned control message
    """
    try:
        envelope = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ControlMessageError(f"control message is not JSON: {exc}") from None
    if not isinstance(envelope, dict):
        raise ControlMessageError("control message is not a JSON object")
    signature = envelope.get("signature")
    if not isinstance(signature, str):
        raise ControlMessageError("unsigned control message")
    expected = sign(envelope, key)["signature"]
    if not hmac.compare_digest(signature, expected):
        raise ControlMessageError("bad control message signature")
    return _validated(envelope)


def _validated(envelope: dict[str, Any]) -> ControlMessage:
    type_ = envelope.get("type")
    if type_ not in MESSAGE_TYPES:
        raise ControlMessageError(f"unknown control message type {type_!r}")
    seq, model_id, version = envelope.get("seq"), envelope.get("model_id"), envelope.get("version")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ControlMessageError("control message 'seq' must be a non-negative integer")
    if not isinstance(model_id, str) or not model_id:
        raise ControlMessageError("control message needs a 'model_id'")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise ControlMessageError("control message 'version' must be an integer")
    payload = envelope.get("payload") or {}
    if not isinstance(payload, dict):
        raise ControlMessageError("control message 'payload' must be an object")
    return ControlMessage(type_, seq, model_id, version, payload, int(envelope.get("issued_at") or 0))


def pack_pmml(pmml: bytes) -> str:
    """PMML travels inline: gzip, then base64.

    >>> unpack_pmml(pack_pmml(b"<PMML/>"))
    b'<PMML/>'
    """
    return base64.b64encode(gzip.compress(pmml, mtime=0)).decode()


def unpack_pmml(packed: str, limit: int = 256 * 1024 * 1024) -> bytes:
    try:
        compressed = base64.b64decode(packed, validate=True)
        with gzip.GzipFile(fileobj=io.BytesIO(compressed)) as stream:
            pmml = stream.read(limit + 1)
    except (ValueError, OSError, EOFError) as exc:
        raise ControlMessageError(f"PMML payload is not gzip+base64: {exc}") from None
    if len(pmml) > limit:
        raise ControlMessageError(f"PMML over {limit} bytes once decompressed")
    return pmml
