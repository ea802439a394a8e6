"""One engine, one truth: the JVM's live control (io.fraudscore.live, what the Java scoring operators call) gives
what Python's OperatorControl and score_event give, for the same control history and the same events.

Both play one script: deploys of hand-written models (tests/pmml_models.py), a challenger, updates, a promotion
by alias.set and one by a deploy that moves the version (the compacted topic's way), the removal of an alias
not live, the settings of a version not live, tombstones, a retire, rejections (stale, forged, a bad mode, a
DTD), and two versions of the payments feature set (the second changes one block, so the others keep their
`since`), between generated payments. Python computes the
features with its parts (`Part.evaluate`, a state per route key, as the job keeps them), the JVM with its own
(`io.fraudscore.live.ReplayCommand`, the data plane jar: run `make` first). Every control outcome and every score
or dlq record must be equal, field by field (floats to 1e-9 relative), but for `engine` (pmml4s in the JVM)
and `job_ms` (only the JVM's record has it); a deploy's description names its engine, which is left out too.
"""

from __future__ import annotations

import math
import re
import subprocess
from pathlib import Path
from typing import Any

import orjson
import pytest

from dsl.jvm import DATAPLANE_JAR
from fraudscore import control
from fraudscore.traffic import Traffic
from scoring_job.live_models import Applied, DictState, OperatorControl, Skipped
from scoring_job.score_record import EventFeatures, ScoringError, score_event
from tests.pmml_models import logistic

KEY = "parity-key"
REPLAY_MAIN = "io.fraudscore.live.ReplayCommand"
PAYMENTS = (Path(__file__).resolve().parents[2] / "examples" / "payments.fdsl").read_text()
MINUTE = 60_000
DTD = b'<!DOCTYPE x [<!ENTITY e "e">]><PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">&e;</PMML>'

AMOUNT_V1 = logistic({"amount": 0.004}, intercept=-3.0)
AMOUNT_V2 = logistic({"amount": 0.003, "amount_ratio": 0.4, "txn_count_1h": 0.2}, intercept=-3.5)
VELOCITY = logistic({"txn_count_1h": 0.3, "declined_10m": 0.8, "merchant_decline_rate": 2.0, "amount": 0.001})


def events() -> list[dict[str, Any]]:
    made = []
    for i, (event, _) in enumerate(Traffic(seed=11, customers=25, fraud_rate=0.05).events(700)):
        record = orjson.loads(event.to_json())
        if i % 3 == 0:
            record["ingested_ms"] = record["ts"] + 40
        made.append(record)
    return made


def script() -> list[dict[str, Any]]:
    """Control messages between events: (index of the event before which it comes, message)."""
    stream = events()
    start = stream[0]["ts"]

    def msg(type_: str, seq: int, model_id: str, version: int | None = None, key: str = KEY, **payload: Any) -> str:
        return control.encode(type_, seq, model_id, key, version=version, payload=payload, issued_at=start).decode()

    def deploy(seq: int, model_id: str, version: int, pmml: bytes, **settings: Any) -> str:
        return msg("model.deploy", seq, model_id, version, pmml=control.pack_pmml(pmml), **settings)

    def features(seq: int, dsl: str, issued_at: int) -> str:
        return control.features_message(seq, "payments", dsl, KEY, issued_at=issued_at)[1].decode()

    changed = "# one block changed\n" + PAYMENTS.replace("version 1", "version 2").replace(
        "distinct(card_id) over 24h", "distinct(card_id) over 12h"
    )
    at_event = {
        0: [deploy(1, "amount", 1, AMOUNT_V1)],
        40: [deploy(2, "velocity", 1, VELOCITY, event_types=["payment"], threshold=0.4)],
        80: [features(3, PAYMENTS, start + MINUTE)],
        160: [
            deploy(4, "amount", 2, AMOUNT_V2, alias="challenger", threshold=0.3),
            deploy(4, "amount", 3, AMOUNT_V1),  # stale
            deploy(5, "amount", 3, AMOUNT_V1, mode="loud"),
            deploy(6, "velocity", 2, DTD),
            msg("model.update", 7, "velocity", 9, threshold=0.2),  # not live: nothing to update
            None,  # a tombstone
            msg("model.retire", 8, "velocity", 1, key="forged"),
        ],
        260: [
            msg("model.update", 9, "velocity", 1, threshold=0.6, mode="shadow"),
            msg("alias.set", 10, "amount", 2, alias="champion"),
        ],
        380: [features(11, changed, stream[380]["ts"])],
        480: [msg("alias.set", 12, "amount", None, alias="challenger"), msg("model.retire", 13, "velocity")],
        560: [deploy(14, "velocity", 3, VELOCITY, alias="challenger"), deploy(15, "velocity", 4, VELOCITY)],
        620: [
            deploy(16, "velocity", 3, VELOCITY, threshold=0.45),  # moves v3 from challenger to champion
            None,
            msg("alias.set", 17, "velocity", None, alias="challenger"),  # gone already: nothing to do
            msg("model.update", 18, "velocity", 3, mode="shadow", threshold=0.5, event_types=[]),
        ],
    }
    lines: list[dict[str, Any]] = []
    for i, event in enumerate(stream):
        lines += [{"control": raw} for raw in at_event.get(i, [])]
        lines.append({"event": orjson.dumps(event).decode(), "now_ms": event["ts"] + 25 + i % 7})
    return lines


def in_python(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    operator, state, key_states = OperatorControl(KEY), DictState(), {}
    said: list[dict[str, Any]] = []
    for line in lines:
        if "control" in line:
            outcome = operator.apply(line["control"], state)
            if isinstance(outcome, Skipped):
                continue
            if isinstance(outcome, Applied):
                said.append({"applied": outcome.description})
            else:
                said.append({"rejected": outcome.reason, "model_id": outcome.model_id})
            continue
        event, view = orjson.loads(line["event"]), operator.view(state)
        features = EventFeatures()
        if view.features is not None:
            routing = view.features.route(event)
            values = dict(routing.local)
            for part, key in routing.remote:
                key_state = key_states.setdefault(key, part.new_state())
                values |= part.evaluate(event, key_state)
            features = EventFeatures(values, view.features.label, [], view.features)
        for out in score_event(event, view.models, line["now_ms"], features):
            failed = isinstance(out, ScoringError)
            said.append({"dlq": orjson.loads(out.dlq_record(event))} if failed else {"score": out})
    return said


def in_jvm(lines: list[dict[str, Any]], tmp_path: Path) -> list[dict[str, Any]]:
    assert DATAPLANE_JAR.is_file(), "build the data plane jar first: run `make`"
    script_file = tmp_path / "script.jsonl"
    script_file.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    done = subprocess.run(["java", "-XX:TieredStopAtLevel=1", "-cp", str(DATAPLANE_JAR), REPLAY_MAIN, KEY,
                           str(script_file)], capture_output=True, timeout=600, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    return [orjson.loads(line) for line in done.stdout.splitlines()]


def comparable(said: dict[str, Any]) -> dict[str, Any]:
    if "applied" in said:
        return {"applied": re.sub(r"\((\w+), [^()]* engine[^()]*\)$", r"(\1, ENGINE)", said["applied"])}
    if "score" in said:
        return {"score": {k: v for k, v in said["score"].items() if k not in ("engine", "job_ms")}}
    return said


def same(expected: Any, got: Any) -> bool:
    if isinstance(expected, dict) and isinstance(got, dict):
        return expected.keys() == got.keys() and all(same(expected[k], got[k]) for k in expected)
    if isinstance(expected, list) and isinstance(got, list):
        return len(expected) == len(got) and all(same(e, g) for e, g in zip(expected, got, strict=True))
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected is got
    if isinstance(expected, float) or isinstance(got, float):
        both = isinstance(expected, int | float) and isinstance(got, int | float)
        return both and math.isclose(expected, got, rel_tol=1e-9, abs_tol=1e-12)
    return expected == got


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> tuple[list, list]:
    lines = script()
    return in_python(lines), in_jvm(lines, tmp_path_factory.mktemp("replay"))


def test_the_jvm_says_what_python_says_to_every_control_message_and_event(played):
    python, jvm = played
    assert len(jvm) == len(python)
    mismatches = [(i, p, j) for i, (p, j) in enumerate(zip(python, jvm, strict=True))
                  if not same(comparable(p), comparable(j))]  # fmt: skip
    assert mismatches[:3] == []


def test_the_script_covers_what_it_is_meant_to(played):
    python, jvm = played
    scores = [s["score"] for s in python if "score" in s]
    assert {(s["model_id"], s["alias"]) for s in scores} >= {
        ("amount", "champion"),
        ("amount", "challenger"),
        ("velocity", "champion"),
        ("velocity", "challenger"),
    }
    assert {s["features_version"] for s in scores} == {None, "payments:1", "payments:2"}
    assert any(s["warming"] for s in scores) and any(s["latency_ms"] is not None for s in scores)
    assert any("dlq" in s for s in python), "a model scored without its features fails on dlq"
    assert sum("rejected" in s for s in python) == 4
    assert {"applied": "velocity: no challenger to remove"} in python
    assert any(s.get("applied", "").startswith("velocity v3 moved from challenger to champion") for s in python)
    assert all(isinstance(s["score"]["job_ms"], int) for s in jvm if "score" in s)
