"""The feature plan: what the DSL compiler hands the JVM engine (jvm/dataplane/PLAN.md)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import jsonschema
import pytest

from dsl.jvm import JvmEngineError, JvmFeatureEngine
from dsl.parser import parse
from dsl.plan import PLAN_VERSION, compile_plan
from dsl.source import check_text
from fraudscore import control
from tests.dsl.generated import feature_file

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "jvm" / "dataplane" / "plan.schema.json").read_text())
EXAMPLE = Path(__file__).with_name("dsl_md_example.fdsl").read_text()
JAVA_TEST_PLAN = ROOT / "jvm" / "dataplane" / "src" / "test" / "resources" / "plans" / "dsl_md_example.plan.json"
FILES = {
    "dsl.md example": EXAMPLE,
    **{path.name: path.read_text() for path in sorted((ROOT / "examples").glob("*.fdsl"))},
    **{f"generated {seed}": feature_file(random.Random(seed)) for seed in range(20)},
}


@pytest.mark.parametrize("text", FILES.values(), ids=FILES.keys())
def test_every_plan_follows_the_documented_schema_and_is_plain_json(text):
    featureset, errors = check_text(text, "f.fdsl")
    assert not errors
    plan = compile_plan(featureset)
    jsonschema.validate(plan, SCHEMA)
    assert json.loads(json.dumps(plan, allow_nan=False)) == plan


def test_the_java_tests_run_the_plan_the_compiler_makes_today():
    """jvm/dataplane's tests read DSL.md's example as a compiled plan: it must not drift from the compiler.
    Regenerate with: json.dumps(compile_plan(parse(EXAMPLE)), indent=1) into that file."""
    assert json.loads(JAVA_TEST_PLAN.read_text()) == compile_plan(parse(EXAMPLE))


def test_aggregates_of_one_input_share_it_and_identical_stateful_calls_share_their_state():
    plan = compile_plan(parse(EXAMPLE))
    card = plan["blocks"][0]
    amount = [i for i, source in enumerate(card["inputs"]) if source["value"] == {"field": "amount"}]
    assert len(amount) == 1  # sum, avg, max, stddev and avg over last 10 of amount read one input
    market = compile_plan(
        parse("featureset m version 1\nfeatures m per symbol {\n  a = ema(price, 3)\n  b = ema(price, 3) * 2\n}")
    )
    (block,) = market["blocks"]
    assert [f["updates"] for f in block["features"]] == [[0], []]  # one ema, updated once, by its first user
    assert block["stateful"] == [{"function": "ema", "params": [3], "argument": {"field": "price"}}]


def test_a_fan_out_is_one_part_per_key_each_with_its_own_state_id():
    plan = compile_plan(
        parse("featureset p version 1\nfeatures party per card_id, device_id ttl 1d {\n  n = count() over 1h\n}")
    )
    parts = plan["blocks"][0]["parts"]
    assert [(p["name"], p["fields"], p["suffix"]) for p in parts] == [
        ("party@card_id", ["card_id"], "@card_id"), ("party@device_id", ["device_id"], "@device_id")]  # fmt: skip
    assert parts[0]["state_id"].split("@")[0] == parts[1]["state_id"].split("@")[0]


def test_features_deploy_carries_the_plan_beside_the_source():
    message = control.decode(control.features_message(3, "payments", EXAMPLE, key="k")[1], key="k")
    assert message.payload["plan"] == compile_plan(parse(EXAMPLE))
    assert message.payload["dsl"] == EXAMPLE


def test_the_jvm_engine_refuses_a_plan_of_another_version_and_says_what_to_do():
    plan = {**compile_plan(parse(EXAMPLE)), "plan_version": PLAN_VERSION + 1}
    with pytest.raises(JvmEngineError, match="plan_version 2 is not the 1 this engine runs"):
        JvmFeatureEngine.from_plan(plan)
