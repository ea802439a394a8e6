"""Generated feature files and event streams, for tests that feed two engines the same inputs.

A feature file uses every aggregate (with and without filters), every window kind (time, `last N`,
`lifetime`, tiled, `approx`), every stateful function and the scalar functions over earlier features, in
blocks keyed by one key, a composite key and a fan-out. A stream drifts forward with jitter (out of order),
has late events, nulls, wrong types (a string amount, a boolean price), NaN, and an idle gap past a ttl.
"""

from __future__ import annotations

import math
import random

T0 = 1_795_320_000_000
MINUTE = 60_000

_NUMBERS = ("amount", "price", "mcc")
_TEXTS = ("country", "merchant_id", "status", "channel")
_FILTERS = ('status == "declined"', "amount > 50", 'channel != "web"', "mcc in (4829, 6051)", "price >= 100.5")
_DURATIONS = ("90s", "10m", "1h", "6h", "1d")
_FUNCTIONS = ("count", "sum", "avg", "min", "max", "stddev", "var", "distinct", "first", "last", "zscore")
_STATEFUL = (
    "prev(price)",
    "logret(price)",
    "ema(price, {n})",
    "ewma(amount, half_life={d})",
    "rsi(price, {n})",
    "macd(price, {n}, {m}, {k}).{macd}",
    "bollinger(price, {n}, {x}).{band}",
)
# What makes a feature inexact between engines: libm's log, exp and pow are not correctly rounded, and the
# JVM's may differ from C's by an ulp.
TRANSCENDENTAL = ("log(", "exp(", "logret(", "ewma(", "approx")


def feature_file(rng: random.Random, name: str = "gen") -> str:
    """A feature file of three blocks; every feature's expression is on one line."""
    blocks = [
        _block(rng, "card", "card_id", "ttl 2d"),
        _block(rng, "pair", "(card_id, merchant_id)", "ttl 1d"),
        _block(rng, "party", "card_id, device_id", "ttl 3d"),
    ]
    return f"featureset {name} version 1\n" + "\n".join(blocks)


def _block(rng: random.Random, name: str, keys: str, ttl: str) -> str:
    features: list[str] = []
    for i in range(rng.randint(4, 9)):
        features.append(f"  {name}_a{i} = {_aggregate(rng)}")
    for i in range(rng.randint(1, 3)):
        features.append(f"  {name}_s{i} = {_stateful(rng)}")
    earlier = [line.split(" = ")[0].strip() for line in features]
    for i in range(rng.randint(2, 5)):
        features.append(f"  {name}_e{i} = {_expression(rng, earlier)}")
    return f"features {name} per {keys} {ttl} {{\n" + "\n".join(features) + "\n}"


def _aggregate(rng: random.Random) -> str:
    function = rng.choice(_FUNCTIONS)
    if function == "count":
        argument = rng.choice(["", rng.choice(_NUMBERS), rng.choice(_TEXTS)])
    elif function in ("sum", "avg", "stddev", "var", "zscore"):
        argument = rng.choice(_NUMBERS)
    else:
        argument = rng.choice([*_NUMBERS, *_TEXTS, "ts"])
    where = f" where {rng.choice(_FILTERS)}" if rng.random() < 0.3 else ""
    call = f"{function}({argument}{where})" if argument or not where else f"{function}(where {where[7:]})"
    window = _window(rng, function)
    default = f" default {rng.choice(['0', '-1', '2.5'])}" if rng.random() < 0.2 else ""
    return f"{call} over {window}{default}"


def _window(rng: random.Random, function: str) -> str:
    kind = rng.choice(["time", "time", "last", "lifetime", "every", "approx" if function == "distinct" else "time"])
    exclude = " exclude current" if rng.random() < 0.3 else ""
    if kind == "last":
        return f"last {rng.randint(1, 12)}{exclude}"
    if kind == "lifetime":
        return f"lifetime{exclude}"
    if kind == "every":
        return f"{rng.choice(['1h', '6h', '1d'])} every {rng.choice(['5m', '10m', '30m'])}{exclude}"
    if kind == "approx":
        return f"{rng.choice(['1h', '1d'])} approx{exclude}"
    return f"{rng.choice(_DURATIONS)}{exclude}"


def _stateful(rng: random.Random) -> str:
    template = rng.choice(_STATEFUL)
    n = rng.randint(1, 6)
    return template.format(
        n=n, m=n + rng.randint(1, 6), k=rng.randint(1, 4), d=rng.choice(["10m", "1h"]),
        x=rng.choice(["2", "2.5", "1.75"]), macd=rng.choice(["line", "signal", "hist"]),
        band=rng.choice(["mid", "upper", "lower"]),
    )  # fmt: skip


def _expression(rng: random.Random, earlier: list[str]) -> str:
    a, b = rng.choice(earlier), rng.choice(earlier)
    forms = [
        f"{a} + {b} * 2",
        f"{a} / nullif({b}, 0) default 1",
        f"{a} - {b}",
        f"{a} % 7",
        f"coalesce({a}, {b}, 0)",
        f"if({a} > {b}, {a}, {b})",
        f"{a} == {b}",
        f"{a} != null",
        f"round({a}, 2)",
        f"abs({a})",
        f"sqrt(abs({a}))",
        f"log(abs({a}) + 1)",
        f"exp(-abs({a}))",
        f"min({a}, {b})",
        "ts - last(ts) over lifetime exclude current default -1",
        "amount / nullif(avg(amount) over 1d exclude current, 0)",
        "country != last(country) over 1d exclude current",
        f"not ({a} > 3) and {b} < 10 or {a} == null",
        "mcc in (4829, 6051, 7995)",
        "(amount - avg(amount) over 6h) / nullif(stddev(amount) over 6h, 0)",
        "count() over 10m / nullif(count() over 1d / 144.0, 0) default 0",
    ]
    return rng.choice(forms)


def stream(rng: random.Random, count: int = 300) -> list[dict]:
    """Events for a few cards, devices and merchants: mostly in order, some out of order, some late (more
    than the default lateness behind), an idle gap of two days half-way."""
    events: list[dict] = []
    ts = T0
    for n in range(count):
        ts += rng.randrange(0, 8 * MINUTE)
        if n == count // 2:
            ts += 2 * 86_400_000  # past the ttl of every block
        jitter = -rng.randrange(0, 150 * MINUTE) if rng.random() < 0.15 else 0  # late beyond 1h sometimes
        events.append(
            {
                "event_id": f"e{n}",
                "ts": ts + jitter,
                "card_id": rng.choice(["c1", "c2", "c3", None]),
                "device_id": rng.choice(["d1", "d2", None]),
                "merchant_id": rng.choice(["m1", "m2", "m3", None]),
                "amount": _number(rng, rng.lognormvariate(3.5, 1.2)),
                "price": _number(rng, 100 + rng.gauss(0, 2)),
                "mcc": rng.choice([5411, 4829, 6051, None, 7995]),
                "country": rng.choice(["DE", "FR", "NL", None]),
                "status": rng.choice(["approved", "approved", "declined", None]),
                "channel": rng.choice(["web", "mobile", "pos"]),
                "event_type": "payment",
            }
        )
    return events


def _number(rng: random.Random, value: float) -> object:
    roll = rng.random()
    if roll < 0.06:
        return None
    if roll < 0.08:
        return rng.choice(["12.5", True, math.nan, [1]])  # wrong types: null to the engine
    if roll < 0.15:
        return int(value)
    return round(value, rng.choice([2, 2, 8]))
