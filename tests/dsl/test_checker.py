"""The checker: every semantic problem, each with its own message at FILE:LINE:COL."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsl.checker import check
from dsl.parser import parse

EXAMPLE = Path(__file__).with_name("dsl_md_example.fdsl").read_text()
HEADER = "featureset t version 1\n"


def errors(source: str) -> list[str]:
    return [str(e) for e in check(parse(HEADER + source, "r.fdsl"))]


def test_the_dsl_md_example_is_valid():
    assert check(parse(EXAMPLE, "payments.fdsl")) == []


CASES = {
    "approx on a sum": (
        "features c per card_id {\n  s = sum(amount) over 1h approx\n}",
        ["r.fdsl:3:7: error: `approx` counts distinct values over a time window: `distinct(card_id) over 7d approx`"],
    ),
    "typo in a field": (
        "features c per card_id {\n  d = count(where stauts == \"declined\") over 1h\n}",
        ["r.fdsl:3:19: error: unknown field 'stauts'; did you mean 'status'?"],
    ),
    "unknown key": (
        "features c per card {\n  n = count() over 1h\n}",
        ["r.fdsl:2:1: error: unknown key field 'card'; did you mean 'card_id'?"],
    ),
    "unknown function": (
        "features c per card_id {\n  n = mean(amount) over 1h\n}",
        ["r.fdsl:3:7: error: unknown function 'mean'; did you mean 'avg'?"],
    ),
    "aggregate without window": (
        "features c per card_id {\n  s = sum(amount)\n}",
        ["r.fdsl:3:7: error: `sum` is an aggregate and needs a window, as in `sum(amount) over 24h`"],
    ),
    "zscore without window": (
        "features m per symbol {\n  z = zscore(price)\n}",
        ["r.fdsl:3:7: error: `zscore` is an aggregate and needs a window, as in `zscore(price) over last 60`"],
    ),
    "window over ttl": (
        "features c per card_id ttl 7d {\n  s = sum(amount) over 30d\n}",
        ["r.fdsl:3:24: error: window 30d is longer than the block's ttl 7d"],
    ),
    "zero window": (
        "features c per card_id {\n  s = sum(amount) over 0h\n}",
        ["r.fdsl:3:24: error: a window must be longer than 0"],
    ),
    "lifetime without ttl": (
        "features c per card_id {\n  f = first(ts) over lifetime\n}",
        ["r.fdsl:3:7: error: `over lifetime` means the block's ttl: declare one, as in "
         "`features c per ... ttl 30d`"],
    ),
    "duplicate feature": (
        "features c per card_id {\n  n = count() over 1h\n}\nfeatures d per device_id {\n  n = count() over 1h\n}",
        ["r.fdsl:6:3: error: duplicate feature 'n' (first defined at 3:3)"],
    ),
    "feature named like a field": (
        "features c per card_id {\n  amount = 1\n}",
        ["r.fdsl:3:3: error: feature 'amount' has the name of an event field; choose another name"],
    ),
    "cycle": (
        "features c per card_id {\n  a = b + 1\n  b = a * 2\n}",
        ["r.fdsl:3:3: error: features depend on each other in a cycle: a -> b -> a"],
    ),
    "feature of another block": (
        "features c per card_id {\n  n = count() over 1h\n}\nfeatures d per device_id {\n  m = n + 1\n}",
        ["r.fdsl:6:7: error: feature 'n' belongs to block 'c'; a feature can only use features of its own block"],
    ),
    "arithmetic on a string": (
        "features c per card_id {\n  x = country * 2\n}",
        ["r.fdsl:3:7: error: `*` needs a number, but 'country' is a string"],
    ),
    "sum of a string": (
        "features c per card_id {\n  x = sum(country) over 1h\n}",
        ["r.fdsl:3:11: error: `sum` needs a number, but 'country' is a string"],
    ),
    "compare string and number": (
        "features c per card_id {\n  x = status == 3\n}",
        ["r.fdsl:3:14: error: cannot compare string with number using `==`"],
    ),
    "timestamp plus number": (
        "features c per card_id {\n  x = ts + 5\n}",
        ["r.fdsl:3:7: error: `+` on a timestamp: only timestamp - timestamp (seconds) is defined"],
    ),
    "filter not boolean": (
        "features c per card_id {\n  x = count(where amount) over 1h\n}",
        ["r.fdsl:3:19: error: a `where` filter needs a bool, but 'amount' is a number"],
    ),
    "if condition not boolean": (
        "features c per card_id {\n  x = if(amount, 1, 2)\n}",
        ["r.fdsl:3:10: error: the condition of `if` needs a bool, but 'amount' is a number"],
    ),
    "scalar with a window": (
        "features c per card_id {\n  x = abs(amount) over 1h\n}",
        ["r.fdsl:3:7: error: `abs` is not an aggregate; `over` applies to aggregates"],
    ),
    "nested aggregate": (
        "features c per card_id {\n  x = max(count() over 1h) over 1d\n}",
        ["r.fdsl:3:11: error: an aggregate cannot contain another aggregate"],
    ),
    "macd without output": (
        "features m per symbol {\n  x = macd(price, 12, 26, 9)\n}",
        ["r.fdsl:3:7: error: `macd(...)` has several outputs: pick one with `.line`, `.signal`, `.hist`"],
    ),
    "wrong member": (
        "features m per symbol {\n  x = bollinger(price, 20, 2).top\n}",
        ["r.fdsl:3:31: error: bollinger has no `.top`; use `.mid`, `.upper`, `.lower`"],
    ),
    "ewma without half life": (
        "features c per card_id {\n  x = ewma(amount)\n}",
        ["r.fdsl:3:7: error: `ewma` needs `half_life=DURATION`, as in `ewma(amount, half_life=6h)`"],
    ),
    "bad period": (
        "features m per symbol {\n  x = ema(price, 0.5)\n}",
        ["r.fdsl:3:18: error: `ema` periods are whole numbers of at least 1"],
    ),
    "bollinger's k is not above 0": (
        "features m per symbol {\n  x = bollinger(price, 20, 0).upper\n}",
        ["r.fdsl:3:28: error: bollinger's `k` is a number above 0, such as `2` or `2.5`"],
    ),
    "bollinger's period is still whole": (
        "features m per symbol {\n  x = bollinger(price, 2.5, 2).upper\n}",
        ["r.fdsl:3:24: error: `bollinger` periods are whole numbers of at least 1"],
    ),
    "an integer outside 64 bits": (
        "features c per card_id {\n  x = amount * 9223372036854775808\n}",
        ["r.fdsl:3:16: error: the integer 9223372036854775808 is outside 64 bits; write it as a decimal number"],
    ),
    "wrong argument count": (
        "features c per card_id {\n  x = round(amount, 2, 3)\n}",
        ["r.fdsl:3:7: error: `round` takes 1 to 2 arguments, got 3"],
    ),
    "in with mixed types": (
        "features c per card_id {\n  x = mcc in (4829, \"7995\")\n}",
        ["r.fdsl:3:21: error: `in` compares a number with a string"],
    ),
    "aggregate of a feature": (
        "features c per card_id {\n  a = amount * 2\n  b = sum(a) over 1h\n}",
        ["r.fdsl:4:11: error: aggregates read event fields; 'a' is a feature (aggregate its inputs instead)"],
    ),
    "several problems at once": (
        "features c per card_id {\n  a = amont + 1\n  b = count() over 1h exclude current * stauts\n}",
        ["r.fdsl:3:7: error: unknown field 'amont'; did you mean 'amount'?",
         "r.fdsl:4:41: error: unknown field 'stauts'; did you mean 'status'?"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("source, expected", CASES.values(), ids=CASES.keys())
def test_checker_reports(source, expected):
    assert errors(source) == expected


def test_bollinger_takes_a_decimal_k():
    assert errors("features m per symbol {\n  x = bollinger(price, 20, 2.5).upper\n}") == []
