"""The control-message fixtures the JVM decoder is tested on are what the Python publisher writes and what the
Python decoder makes of them (tests/control_fixtures.py; io.fraudscore.control.ControlFixturesTest)."""

from __future__ import annotations

import orjson
import pytest

from tests.control_fixtures import DIRECTORY, REGENERATE, files, outcome

ON_DISK = sorted(path.name for path in DIRECTORY.iterdir()) if DIRECTORY.is_dir() else []
NAMES = orjson.loads((DIRECTORY / "index.json").read_bytes())["fixtures"] if "index.json" in ON_DISK else []


def test_the_fixtures_on_disk_are_what_the_publisher_writes_now():
    current = files()
    stale = sorted(name for name in ON_DISK if current.get(name) != (DIRECTORY / name).read_bytes())
    missing = sorted(set(current) - set(ON_DISK))
    assert not stale and not missing, (
        f"the control fixtures no longer match fraudscore.control (differing or extra: {stale}; missing:"
        f" {missing}): regenerate them with `{REGENERATE}`, check the diff and commit it, then run the JVM's"
        " ControlFixturesTest"
    )


@pytest.mark.parametrize("name", NAMES)
def test_the_python_decoder_gives_each_fixture_its_expected_outcome(name):
    spec = orjson.loads((DIRECTORY / f"{name}.json").read_bytes())
    value = (DIRECTORY / f"{name}.value").read_bytes()
    assert outcome(value, spec["pmml_limit"]) == spec["expected"]


def test_every_message_type_and_every_kind_of_refusal_has_a_fixture():
    specs = [orjson.loads((DIRECTORY / f"{name}.json").read_bytes())["expected"] for name in NAMES]
    types = {spec["accepted"]["type"] for spec in specs if "accepted" in spec}
    assert types == {"model.deploy", "model.update", "model.retire", "alias.set", "features.deploy"}
    reasons = {spec["rejected"] for spec in specs if "rejected" in spec}
    for expected in (
        "bad control message signature",
        "unsigned control message",
        "control message of an older format: republish",
        "unknown control message type 'model.explode'",
        "control message 'seq' must be a non-negative integer",
        "control message 'version' must be an integer",
        "control message 'payload' must be an object",
        "PMML payload is not gzip+base64: not gzip",
        "PMML over 1024 bytes once decompressed",
    ):
        assert expected in reasons
