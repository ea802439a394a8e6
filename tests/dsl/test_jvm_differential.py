"""The JVM engine against the Python reference engine, on generated feature files and streams.

Floats must be equal bit for bit wherever DSL.md's arithmetic is exact (+ - * / %, sqrt, the exact sums of
the windows, rounding): both engines compute the same operations in the same order. A feature that goes
through log, exp or a power (log, exp, logret, ewma's decay, a sketch's estimate) may differ by a relative
1e-12: libm and the JVM round those functions independently, and neither is correctly rounded. A feature
computed from such a one (`ewma(...) % 7`, a difference of two) carries that ulp on a larger magnitude, so
it may also differ by an absolute 1e-9.
"""

from __future__ import annotations

import math
import random

import pytest

from dsl.engine import ReferenceEngine
from dsl.jvm import JvmFeatureEngine
from dsl.plan import compile_plan
from dsl.source import check_text
from tests.dsl.generated import TRANSCENDENTAL, feature_file, stream

SEEDS = range(40)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_jvm_engine_equals_the_reference_on_a_generated_feature_file(seed):
    rng = random.Random(seed)
    text = feature_file(rng)
    featureset, errors = check_text(text, f"generated-{seed}.fdsl")
    assert not errors, [e.render() for e in errors]
    events = stream(rng)
    reference = ReferenceEngine(featureset)
    expected = [reference.process(event) for event in events]
    with JvmFeatureEngine(featureset) as engine:
        got = engine.process_all(events)
    inexact = _inexact_features(featureset, text)
    wrong = []
    for n, (want, have) in enumerate(zip(expected, got, strict=True)):
        assert list(have) == list(want)
        wrong += [(n, name, want[name], have[name]) for name in want
                  if not _equal(want[name], have[name], name.split("@")[0] in inexact)]  # fmt: skip
    assert not wrong, f"{len(wrong)} differences, first: {wrong[:5]}\n{text}"


def _inexact_features(featureset, text: str) -> set[str]:
    """Features whose value goes through a transcendental function, directly or through the features they use."""
    lines = {line.split(" = ")[0].strip(): line for line in text.splitlines() if " = " in line}
    plan = compile_plan(featureset)
    inexact: set[str] = set()
    for block in plan["blocks"]:
        for feature in block["features"]:  # dependency order: what a feature uses is decided before it
            used = _features_used(feature["expr"])
            if any(t in lines[feature["name"]] for t in TRANSCENDENTAL) or used & inexact:
                inexact.add(feature["name"])
    return inexact


def _features_used(expr) -> set[str]:
    if isinstance(expr, dict):
        found = {expr["feature"]} if "feature" in expr else set()
        for value in expr.values():
            found |= _features_used(value)
        return found
    if isinstance(expr, list):
        return set().union(*map(_features_used, expr)) if expr else set()
    return set()


def _equal(want, have, inexact: bool) -> bool:
    if isinstance(want, float) and isinstance(have, float):
        if want == have and math.copysign(1, want) == math.copysign(1, have):
            return True
        return inexact and math.isclose(want, have, rel_tol=1e-12, abs_tol=1e-9)
    if inexact and isinstance(want, int | float) and isinstance(have, int | float) and not isinstance(want, bool):
        return math.isclose(want, have, rel_tol=1e-12)
    return type(want) is type(have) and want == have
