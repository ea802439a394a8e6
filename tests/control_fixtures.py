"""Control-message fixtures shared by the Python publisher and the JVM decoder: each one a record's exact
value, the key it is published under and what decoding it gives (the fields, the PMML and plan it carries) or
the exact reason it is refused.

Write them with `.venv/bin/python -m tests.control_fixtures` (into
jvm/dataplane/src/test/resources/control/); tests/test_control_fixtures.py checks that they are what this
module makes with the current publisher and decoder, and io.fraudscore.control.ControlFixturesTest that the
JVM gives the same outcome for each.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from fraudscore import control

DIRECTORY = Path(__file__).resolve().parents[1] / "jvm/dataplane/src/test/resources/control"
REGENERATE = ".venv/bin/python -m tests.control_fixtures"
SIGNING_KEY = "fixture-key"
ISSUED_AT = 1_767_225_600_000  # 2026-01-01T00:00:00Z: fixtures are bytes, not now
PMML = b'<PMML version="4.4" xmlns="http://www.dmg.org/PMML-4_4"><Header description="fixture \xc3\xa9"/></PMML>'
SMALL_LIMIT = 1024  # the oversize fixtures decode with this limit, not 256 MiB of zeros
DSL = """featureset payments version 1
# Per card, in euros \u20ac and with a snowman \u2603 and a face \U0001f600 in a comment.
features card per card_id ttl 2d {
  txn_count_1h   = count() over 1h
  amount_sum_24h = sum(amount) over 24h
}
"""


@dataclass(frozen=True)
class Fixture:
    name: str
    about: str
    key: bytes
    value: bytes
    rejected: str | None = None  # the reason stated here, checked against the decoder before anything is written
    pmml_limit: int = control.PMML_LIMIT


def outcome(value: bytes, pmml_limit: int = control.PMML_LIMIT) -> dict[str, Any]:
    """What the Python decoder makes of a record: {"accepted": fields} or {"rejected": reason}."""
    try:
        message = control.decode(value, SIGNING_KEY)
        fields: dict[str, Any] = {
            "type": message.type,
            "seq": message.seq,
            "model_id": message.model_id,
            "version": message.version,
            "payload": message.payload,
            "issued_at": message.issued_at,
        }
        if message.type == "model.deploy":
            fields["pmml_base64"] = base64.b64encode(control.pmml_of(message, pmml_limit)).decode()
        if message.type == "features.deploy":
            fields["plan"] = control.plan_of(message)
    except control.ControlMessageError as exc:
        return {"rejected": str(exc)}
    return {"accepted": fields}


def fixtures() -> list[Fixture]:
    """Every fixture, as the current publisher writes it."""
    return [*_accepted(), *_refused_records(), *_refused_envelopes(), *_refused_payloads()]


def files() -> dict[str, bytes]:
    """The fixture directory's content: `<name>.value` (the record's value, byte for byte), `<name>.json`
    (key, limit, expected outcome) and `index.json` (the names)."""
    out: dict[str, bytes] = {}
    for fixture in fixtures():
        found = outcome(fixture.value, fixture.pmml_limit)
        if found.get("rejected") != fixture.rejected:
            msg = f"fixture {fixture.name}: the decoder says {found}, the fixture states {fixture.rejected!r}"
            raise AssertionError(msg)
        spec = {
            "name": fixture.name,
            "about": fixture.about,
            "key": fixture.key.decode(),
            "signing_key": SIGNING_KEY,
            "pmml_limit": fixture.pmml_limit,
            "expected": found,
        }
        out[f"{fixture.name}.json"] = orjson.dumps(spec, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
        out[f"{fixture.name}.value"] = fixture.value
    names = [fixture.name for fixture in fixtures()]
    out["index.json"] = orjson.dumps({"regenerate": REGENERATE, "fixtures": names}, option=orjson.OPT_INDENT_2) + b"\n"
    return out


def write(directory: Path = DIRECTORY) -> None:
    """Replace the directory's fixtures with the current ones."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.iterdir():
        stale.unlink()
    for name, content in files().items():
        (directory / name).write_bytes(content)


def _accepted() -> list[Fixture]:
    key, deploy = control.deploy_message(
        1, "fraud_lr", 3, PMML, SIGNING_KEY, issued_at=ISSUED_AT,
        threshold=0.8, event_types=["payment", "transfer"], score_field="probability(1)",
    )  # fmt: skip
    _, challenger = control.deploy_message(
        2, "fraud_lr", 4, PMML, SIGNING_KEY, issued_at=ISSUED_AT, alias="challenger", mode="shadow", engine="pypmml"
    )
    features_key, features = control.features_message(9, "payments", DSL, SIGNING_KEY, issued_at=ISSUED_AT)
    _, broken_features = control.features_message(
        10, "payments", "featureset payments version 2\nfeatures c per card_id { n = cnt() over 1h }\n",
        SIGNING_KEY, "payments-v2.fdsl", issued_at=ISSUED_AT,
    )  # fmt: skip
    update_key, update = control.settings_message(
        3, "fraud_lr", 3, "champion", SIGNING_KEY, mode="active", threshold=0.9, event_types=["payment"],
        issued_at=ISSUED_AT,
    )  # fmt: skip
    removal_key, removal = control.removal_message(7, "fraud_lr", "challenger", SIGNING_KEY, issued_at=ISSUED_AT)
    hand_written = '{ "seq" : 12,\n  "type": "model.retire", "model_id": "fraud_lr", "extra": [1, 2.5e3, null] }'
    return [
        Fixture("model_deploy_champion", "model.deploy: threshold, event types, score field", key, deploy),
        Fixture("model_deploy_challenger", "model.deploy under another alias, in shadow",
                control.alias_key("fraud_lr", "challenger"), challenger),
        Fixture("model_update_threshold", "model.update: a threshold without a redeploy, with every setting",
                update_key, update),
        _fixture("model_retire_all", "model.retire with no version: every version (publishers before the"
                 " topic was compacted)", "model.retire", 4),
        _fixture("model_retire_version", "model.retire of one version (publishers before the topic was"
                 " compacted)", "model.retire", 5, version=4),
        _fixture("alias_set_promote", "alias.set: the challenger becomes champion (publishers before the topic"
                 " was compacted)", "alias.set", 6, version=4, payload={"alias": "champion"}),
        Fixture("alias_set_remove", "alias.set with no version: the alias taken away", removal_key, removal),
        _fixture("model_id_unicode", "a model id beyond ASCII, a character beyond 16 bits", "model.retire", 8,
                 model_id="mod\u00e8le_\u2603_\U0001f600"),
        Fixture("features_deploy", "features.deploy with its plan; the DSL has non-ASCII comments",
                features_key, features),
        Fixture("features_deploy_not_checking", "features.deploy of a file with errors: no plan", features_key,
                broken_features),
        Fixture("body_hand_written", "a body as someone typed it (spacing, order, unknown fields): the signature"
                " is over its bytes, no payload and no issued_at", b"fraud_lr", control.seal(hand_written,
                SIGNING_KEY)),
        _fixture("pmml_at_the_limit", "PMML of exactly the limit (a small one here)", "model.deploy", 13, version=1,
                 payload={"pmml": control.pack_pmml(b"x" * SMALL_LIMIT)}, limit=SMALL_LIMIT),
    ]  # fmt: skip


def _refused_records() -> list[Fixture]:
    envelope = _envelope("model.retire", 20)
    body = orjson.dumps(envelope).decode()
    good = control.seal(body, SIGNING_KEY)
    signature = orjson.loads(good)["signature"]
    old = {**envelope, "signature": hmac.new(SIGNING_KEY.encode(), orjson.dumps(envelope, option=orjson.OPT_SORT_KEYS),
                                             hashlib.sha256).hexdigest()}  # fmt: skip
    return [
        _raw("not_json", b"unsigned", "control message is not JSON"),
        _raw("empty", b"", "control message is not JSON"),
        _raw("byte_order_mark", b"\xef\xbb\xbf" + good, "control message is not JSON"),
        _raw("not_utf8", good.replace(b'"body":"', b'"body":"\xff'), "control message is not JSON"),
        _raw("trailing_content", good + b" x", "control message is not JSON"),
        _raw("lone_surrogate", b'{"body": "\\ud800", "signature": "00"}', "control message is not JSON"),
        _raw("not_an_object", b"[1, 2]", "control message is not a JSON object"),
        _raw("older_format", orjson.dumps(old), "control message of an older format: republish"),
        _raw("unsigned_format_1", b'{"type": "model.deploy", "seq": 5}', "unsigned control message"),
        _raw("unsigned", orjson.dumps({"body": body}), "unsigned control message"),
        _raw("signature_not_a_string", orjson.dumps({"body": body, "signature": 5}), "unsigned control message"),
        _raw("body_not_a_string", orjson.dumps({"body": envelope, "signature": signature}),
             "control message 'body' must be a string"),
        _raw("forged_signature", control.seal(body, "not-the-key"), "bad control message signature"),
        _raw("body_changed_after_signing", good.replace(b'\\"seq\\":20', b'\\"seq\\": 20'),
             "bad control message signature"),
        _raw("signature_upper_case", orjson.dumps({"body": body, "signature": signature.upper()}),
             "bad control message signature"),
        _raw("signature_not_ascii", orjson.dumps({"body": body, "signature": "\u00e9" + signature[1:]}),
             "bad control message signature"),
        _raw("body_not_json", control.seal("model.retire", SIGNING_KEY), "control message body is not JSON"),
        _raw("body_not_an_object", control.seal("[20]", SIGNING_KEY), "control message body is not a JSON object"),
        _raw("body_infinite_number", control.seal('{"type": "model.retire", "x": 1e400}', SIGNING_KEY),
             "control message body is not JSON"),
    ]  # fmt: skip


def _refused_envelopes() -> list[Fixture]:
    def changed(name: str, reason: str, **fields: Any) -> Fixture:
        envelope = _envelope("model.retire", 30)
        envelope.update(fields)
        value = control.seal(orjson.dumps({k: v for k, v in envelope.items() if v is not _ABSENT}), SIGNING_KEY)
        return _raw(name, value, reason)

    seq = "control message 'seq' must be a non-negative integer"
    version = "control message 'version' must be an integer"
    return [
        changed("type_unknown", "unknown control message type 'model.explode'", type="model.explode"),
        changed("type_not_a_string", "control message 'type' must be a string", type=["model.retire"]),
        changed("type_missing", "control message 'type' must be a string", type=_ABSENT),
        changed("seq_negative", seq, seq=-1),
        changed("seq_a_string", seq, seq="30"),
        changed("seq_a_float", seq, seq=30.0),
        changed("seq_a_bool", seq, seq=True),
        changed("seq_missing", seq, seq=_ABSENT),
        changed("seq_over_64_bits", seq, seq=2**63),
        changed("model_id_missing", "control message needs a 'model_id'", model_id=_ABSENT),
        changed("model_id_empty", "control message needs a 'model_id'", model_id=""),
        changed("model_id_a_number", "control message needs a 'model_id'", model_id=7),
        changed("version_a_string", version, version="2"),
        changed("version_a_bool", version, version=False),
        changed("version_a_float", version, version=2.5),
        changed("version_over_64_bits", version, version=2**63),
        changed("payload_a_list", "control message 'payload' must be an object", payload=[]),
        changed("payload_a_string", "control message 'payload' must be an object", payload="x"),
        changed("issued_at_a_string", "control message 'issued_at' must be an integer", issued_at="2026"),
        changed("issued_at_a_float", "control message 'issued_at' must be an integer", issued_at=1.5),
    ]


def _refused_payloads() -> list[Fixture]:
    def deploy(name: str, reason: str, pmml: object, limit: int = control.PMML_LIMIT) -> Fixture:
        payload = {} if pmml is _ABSENT else {"pmml": pmml}
        return _fixture(name, reason, "model.deploy", 40, version=1, payload=payload, rejected=reason, limit=limit)

    gz = gzip.compress(PMML, mtime=0)
    not_gzip = "PMML payload is not gzip+base64: not gzip"
    not_base64 = "PMML payload is not gzip+base64: not base64"
    return [
        deploy("pmml_missing", "payload needs 'pmml'", _ABSENT),
        deploy("pmml_not_a_string", "payload needs 'pmml'", 5),
        deploy("pmml_not_gzip", not_gzip, base64.b64encode(PMML).decode()),
        deploy("pmml_empty", not_gzip, ""),
        deploy("pmml_not_base64", not_base64, "%%%%"),
        deploy("pmml_base64_unpadded", not_base64, base64.b64encode(gz).decode().rstrip("=") or "A"),
        deploy("pmml_base64_with_newline", not_base64, base64.encodebytes(gz * 3).decode()),
        deploy("pmml_truncated", not_gzip, base64.b64encode(gz[:-4]).decode()),
        deploy("pmml_bad_crc", not_gzip, base64.b64encode(gz[:-8] + bytes(4) + gz[-4:]).decode()),
        deploy("pmml_two_gzip_members", not_gzip, base64.b64encode(gz + gz).decode()),
        deploy("pmml_bytes_after_gzip", not_gzip, base64.b64encode(gz + b"\0\0").decode()),
        deploy("pmml_over_the_limit", f"PMML over {SMALL_LIMIT} bytes once decompressed",
               control.pack_pmml(b"x" * (SMALL_LIMIT + 1)), SMALL_LIMIT),
        _fixture("plan_not_an_object", "payload 'plan' must be an object", "features.deploy", 41,
                 model_id="payments", payload={"dsl": DSL, "source": "payments.fdsl", "plan": "payments"},
                 rejected="payload 'plan' must be an object"),
    ]  # fmt: skip


_ABSENT = object()


def _envelope(type_: str, seq: int, **fields: Any) -> dict[str, Any]:
    return {"type": type_, "seq": seq, "model_id": "fraud_lr", "version": None, "payload": {},
            "issued_at": ISSUED_AT, **fields}  # fmt: skip


def _fixture(
    name: str,
    about: str,
    type_: str,
    seq: int,
    *,
    model_id: str = "fraud_lr",
    version: int | None = None,
    payload: dict | None = None,
    rejected: str | None = None,
    limit: int = control.PMML_LIMIT,
) -> Fixture:
    value = control.encode(type_, seq, model_id, SIGNING_KEY, version=version, payload=payload, issued_at=ISSUED_AT)
    if type_ == "features.deploy":
        key = f"features:{model_id}".encode()
    elif type_ in ("model.deploy", "alias.set") and isinstance((payload or {}).get("alias", "champion"), str):
        key = control.alias_key(model_id, (payload or {}).get("alias", "champion"))
    else:
        key = model_id.encode()  # a model.retire: keyed by the model, as publishers before compaction did
    return Fixture(name, about, key, value, rejected, limit)


def _raw(name: str, value: bytes, reason: str) -> Fixture:
    return Fixture(name, reason, b"fraud_lr", value, reason)


if __name__ == "__main__":
    write()
    print(f"wrote {len(fixtures())} fixtures to {DIRECTORY}")
