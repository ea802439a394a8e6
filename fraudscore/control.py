"""Signed control messages on the `control` topic: build, sign, verify, unpack.

The wire format (format 2). A record's value is a JSON object of two strings:

    {"body": "<the envelope, as JSON text>", "signature": "<hex HMAC-SHA256 of the body's UTF-8 bytes>"}

and the envelope is `{"type", "seq", "model_id", "version", "payload", "issued_at"}`. The signature covers
the body exactly as it was written, and a verifier checks it over the bytes it received (the body string's
UTF-8, which JSON's string escapes give back unchanged in every language) before it parses the envelope at
all. Signing a re-serialisation instead (format 1 signed `orjson.dumps(envelope, OPT_SORT_KEYS)`) made
every verifier print JSON exactly as orjson does (key order, number and string forms, escapes), which the
JVM data plane cannot promise; and it meant parsing untrusted JSON into objects before knowing who wrote it.
Keeping the record JSON (rather than, say, `signature\\nbody`) leaves it readable with the usual Kafka tools
and quotable on `dlq`. A format-1 record is refused as such ("of an older format: republish"), never half
read. The JVM reads this format in `io.fraudscore.control.ControlDecoder`; the fixtures under
`jvm/dataplane/src/test/resources/control/` hold both to the same outcome for the same bytes
(tests/control_fixtures.py writes them, tests/test_control_fixtures.py checks them against this module).

Each rejection reason here is worded without the parser's or decompressor's own text, so that the JVM gives
the same one.

Record keys make the topic compaction-safe: each key's newest record states that key's whole state, or is a
tombstone (a null value). `<model>/<alias>` carries a `model.deploy` to that alias (PMML and every setting) or
the alias's removal (`alias.set` with no version); `<model>/<alias>/settings` a `model.update` of the version
under that alias with its whole settings, tombstoned after each deploy to or removal of the alias so that
an older version's settings cannot outlive it; `features:<name>` a `features.deploy`. A compacted topic
replayed in order then rebuilds exactly what is live (tests/model_store/test_compacted_control.py).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import re
import time
import zlib
from dataclasses import dataclass
from typing import Any

import orjson

from fraudscore.errors import FraudError

MESSAGE_TYPES = frozenset({"model.deploy", "model.update", "model.retire", "alias.set", "features.deploy"})
PMML_LIMIT = 256 * 1024 * 1024  # bytes of PMML once decompressed
_LONG = 2**63  # seq and version fit a signed 64-bit integer: what the JVM holds them in
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")  # padded, no whitespace: strict alike in Python and Java


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


def signature(body: bytes, key: str) -> str:
    """The hex HMAC-SHA256 of the body's bytes under the shared key.

    >>> signature(b'{"type":"model.retire"}', "k")[:16]
    '9958c9e541403ff6'
    """
    return hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def seal(body: bytes | str, key: str) -> bytes:
    """A record value carrying `body` (JSON text) and its signature; `body` goes as it is, not re-printed.

    >>> orjson.loads(seal(b'{"seq": 1}', "k"))["body"]
    '{"seq": 1}'
    """
    text = body.decode() if isinstance(body, bytes) else body
    return orjson.dumps({"body": text, "signature": signature(text.encode(), key)})


def encode(
    type_: str,
    seq: int,
    model_id: str,
    key: str,
    *,
    version: int | None = None,
    payload: dict | None = None,
    issued_at: int | None = None,
) -> bytes:
    """A signed control message, ready for the topic (`issued_at` now unless given).

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
        "issued_at": int(time.time() * 1000) if issued_at is None else issued_at,
    }
    return seal(orjson.dumps(envelope), key)


def alias_key(model_id: str, alias: str) -> bytes:
    """The record key of what an alias holds: its deploy or its removal.

    >>> alias_key("lr", "champion")
    b'lr/champion'
    """
    return f"{model_id}/{alias}".encode()


def settings_key(model_id: str, alias: str) -> bytes:
    """The record key of the settings of the version under an alias (a model.update, or a tombstone).

    >>> settings_key("lr", "champion")
    b'lr/champion/settings'
    """
    return f"{model_id}/{alias}/settings".encode()


def deploy_message(
    seq: int, model_id: str, version: int, pmml: bytes, key: str, *, issued_at: int | None = None, **settings: object
) -> tuple[bytes, bytes]:
    """A signed model.deploy as a (key, value) record: alias (champion unless named), mode, threshold,
    event_types, score_field, engine; keyed by model and alias.

    >>> key, value = deploy_message(1, "lr", 2, b"<PMML/>", key="k", threshold=0.8)
    >>> key, decode(value, key="k").payload["threshold"]
    (b'lr/champion', 0.8)
    """
    payload = {"pmml": pack_pmml(pmml), **settings}
    message = encode("model.deploy", seq, model_id, key, version=version, payload=payload, issued_at=issued_at)
    return alias_key(model_id, str(settings.get("alias", "champion"))), message


def settings_message(
    seq: int,
    model_id: str,
    version: int,
    alias: str,
    key: str,
    *,
    mode: str,
    threshold: float,
    event_types: list[str],
    issued_at: int | None = None,
) -> tuple[bytes, bytes]:
    """A signed model.update of the version under `alias`, with its whole settings, as a (key, value) record.

    >>> key, value = settings_message(3, "lr", 2, "champion", "k", mode="active", threshold=0.9, event_types=[])
    >>> key, decode(value, key="k").payload
    (b'lr/champion/settings', {'mode': 'active', 'threshold': 0.9, 'event_types': []})
    """
    payload = {"mode": mode, "threshold": threshold, "event_types": event_types}
    message = encode("model.update", seq, model_id, key, version=version, payload=payload, issued_at=issued_at)
    return settings_key(model_id, alias), message


def removal_message(
    seq: int, model_id: str, alias: str, key: str, *, issued_at: int | None = None
) -> tuple[bytes, bytes]:
    """A signed alias.set with no version (the alias taken away) as a (key, value) record.

    >>> key, value = removal_message(4, "lr", "challenger", "k")
    >>> key, decode(value, key="k").payload
    (b'lr/challenger', {'alias': 'challenger'})
    """
    message = encode("alias.set", seq, model_id, key, payload={"alias": alias}, issued_at=issued_at)
    return alias_key(model_id, alias), message


def features_message(
    seq: int, name: str, dsl: str, key: str, source: str | None = None, *, issued_at: int | None = None
) -> tuple[bytes, bytes]:
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
    message = encode("features.deploy", seq, name, key, payload=payload, issued_at=issued_at)
    return f"features:{name}".encode(), message


def decode(raw: bytes | str, key: str) -> ControlMessage:
    """Verify the signature over the body's bytes, then parse and check the envelope; raise
    ControlMessageError saying what is wrong.

    >>> decode(b'{"type": "model.retire"}', key="k")
    Traceback (most recent call last):
    ...
    fraudscore.control.ControlMessageError: unsigned control message
    >>> decode(b'{"type": "model.retire", "seq": 1, "signature": "9f0c"}', key="k")
    Traceback (most recent call last):
    ...
    fraudscore.control.ControlMessageError: control message of an older format: republish
    """
    record = _json_object(raw, "control message")
    signed = record.get("signature")
    if "body" not in record and isinstance(signed, str):
        raise ControlMessageError("control message of an older format: republish")
    if not isinstance(signed, str):
        raise ControlMessageError("unsigned control message")
    body = record.get("body")
    if not isinstance(body, str):
        raise ControlMessageError("control message 'body' must be a string")
    # Bytes against bytes: compare_digest refuses a str with other than ASCII in it (a forger's signature).
    if not hmac.compare_digest(signed.encode(), signature(body.encode(), key).encode()):
        raise ControlMessageError("bad control message signature")
    return _validated(_json_object(body, "control message body"))


def seq_of(raw: bytes | str | None) -> int:
    """The `seq` a record states, unverified (-1 where none can be read): for a publisher that must number
    its next message above every one on the topic, whoever signed it, also of the older format.

    >>> seq_of(encode("model.retire", 7, "lr", key="k")), seq_of(b'{"seq": 6, "signature": "9f"}')
    (7, 6)
    >>> seq_of(b"junk"), seq_of(None)
    (-1, -1)
    """
    try:
        record = orjson.loads(raw or b"")
        seq = orjson.loads(record["body"]).get("seq") if "body" in record else record.get("seq")
    except (orjson.JSONDecodeError, AttributeError, TypeError):
        return -1
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else -1


def _json_object(text: bytes | str, what: str) -> dict[str, Any]:
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise ControlMessageError(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise ControlMessageError(f"{what} is not a JSON object")
    return value


def _validated(envelope: dict[str, Any]) -> ControlMessage:
    type_ = envelope.get("type")
    if not isinstance(type_, str):
        raise ControlMessageError("control message 'type' must be a string")
    if type_ not in MESSAGE_TYPES:
        raise ControlMessageError(f"unknown control message type '{type_}'")
    seq, model_id, version = envelope.get("seq"), envelope.get("model_id"), envelope.get("version")
    if not _is_long(seq) or seq < 0:
        raise ControlMessageError("control message 'seq' must be a non-negative integer")
    if not isinstance(model_id, str) or not model_id:
        raise ControlMessageError("control message needs a 'model_id'")
    if version is not None and not _is_long(version):
        raise ControlMessageError("control message 'version' must be an integer")
    payload = envelope.get("payload")
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise ControlMessageError("control message 'payload' must be an object")
    issued_at = envelope.get("issued_at")
    if issued_at is None:
        issued_at = 0
    if not _is_long(issued_at):
        raise ControlMessageError("control message 'issued_at' must be an integer")
    return ControlMessage(type_, seq, model_id, version, payload, issued_at)


def _is_long(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -_LONG <= value < _LONG


def pmml_of(message: ControlMessage, limit: int = PMML_LIMIT) -> bytes:
    """The PMML a model.deploy carries, unpacked.

    >>> pmml_of(decode(deploy_message(1, "lr", 2, b"<PMML/>", key="k")[1], key="k"))
    b'<PMML/>'
    """
    packed = message.payload.get("pmml")
    if not isinstance(packed, str):
        raise ControlMessageError("payload needs 'pmml'")
    return unpack_pmml(packed, limit)


def plan_of(message: ControlMessage) -> dict[str, Any] | None:
    """The feature plan a features.deploy carries, None when its file did not check (the source says why).

    >>> plan_of(decode(features_message(4, "p", "featureset p version 1", key="k")[1], key="k"))["version"]
    1
    """
    plan = message.payload.get("plan")
    if plan is not None and not isinstance(plan, dict):
        raise ControlMessageError("payload 'plan' must be an object")
    return plan


def pack_pmml(pmml: bytes) -> str:
    """PMML travels inline: gzip, then base64.

    >>> unpack_pmml(pack_pmml(b"<PMML/>"))
    b'<PMML/>'
    """
    return base64.b64encode(gzip.compress(pmml, mtime=0)).decode()


def unpack_pmml(packed: str, limit: int = PMML_LIMIT) -> bytes:
    """The PMML back from gzip+base64, refused past `limit` bytes once decompressed.

    >>> unpack_pmml("PE1NTC8+")
    Traceback (most recent call last):
    ...
    fraudscore.control.ControlMessageError: PMML payload is not gzip+base64: not gzip
    """
    if len(packed) % 4 or not _BASE64.fullmatch(packed):
        raise ControlMessageError("PMML payload is not gzip+base64: not base64")
    # One gzip member and nothing after it (header, CRC and length checked): what the JVM reads alike.
    stream = zlib.decompressobj(wbits=31)
    compressed, chunks, size = base64.b64decode(packed), [], 0
    try:
        while size <= limit and not stream.eof:
            chunk = stream.decompress(compressed, limit + 1 - size)
            compressed = stream.unconsumed_tail
            if not chunk and not compressed:
                break  # it wants more than there is
            chunks.append(chunk)
            size += len(chunk)
    except zlib.error:
        raise ControlMessageError("PMML payload is not gzip+base64: not gzip") from None
    if size > limit:
        raise ControlMessageError(f"PMML over {limit} bytes once decompressed")
    if not stream.eof or stream.unused_data:
        raise ControlMessageError("PMML payload is not gzip+base64: not gzip")
    return b"".join(chunks)
