"""Golden files for the Java ports of dsl.stateful, dsl.sketch and dsl.tiles (the Python is the oracle).

Regenerate from the repository root (the files are deterministic: fixed seeds):

    .venv/bin/python jvm/dataplane/src/test/resources/golden/make_stateful_golden.py

It writes, next to itself, `stateful_golden.txt`, `sketch_golden.txt` and `tiles_golden.txt`, read by
the JUnit tests in io.fraudscore.features.{stateful,sketch,tiles}. Values are written as `i:<int>` (a
Python int, a Java Long), `f:<float.hex()>` (a Python float, a Java Double, exactly), `s:<str escaped
with unicode_escape>`, `b:True`/`b:False`, and `-` for None.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[5]))  # the repository root, for `dsl`

import hashlib  # noqa: E402
import math  # noqa: E402
import struct  # noqa: E402

from dsl.sketch import REGISTERS, Sketch, register_and_rank  # noqa: E402
from dsl.stateful import Bollinger, Ema, Ewma, LogReturn, Macd, Prev, Rsi  # noqa: E402
from dsl.tiles import TilePlan  # noqa: E402

MEMBERS = {"macd": ("line", "signal", "hist"), "bollinger": ("mid", "upper", "lower")}


def encode(x: object) -> str:
    if x is None:
        return "-"
    if x.__class__ is bool:
        return f"b:{x}"
    if x.__class__ is int:
        return f"i:{x}"
    if x.__class__ is float:
        return f"f:{x.hex()}"
    if x.__class__ is str:
        return "s:" + x.encode("unicode_escape").decode("ascii").replace(" ", "\\x20")
    raise TypeError(x)


# --- stateful ---------------------------------------------------------------------------------------

def price(rng: random.Random) -> float | int:
    if rng.random() < 0.2:
        return rng.randint(1, 2000)
    return round(rng.uniform(0.5, 2000.0), rng.randint(2, 8))


def sequences(rng: random.Random) -> dict[str, list[tuple[int, float | int]]]:
    def stream(n: int, value) -> list[tuple[int, float | int]]:
        ts, out = 1_700_000_000_000, []
        for _ in range(n):
            # mostly forward, sometimes the same ms or a little back (arrival order is not ts order)
            ts += rng.choice([0, -5_000, rng.randint(1, 120_000), rng.randint(1, 20_000_000)])
            out.append((ts, value()))
        return out

    return {
        "prices": stream(60, lambda: price(rng)),
        "prices2": stream(60, lambda: price(rng)),
        "ints": stream(40, lambda: rng.randint(1, 500)),
        "flat": stream(30, lambda: rng.choice([10, 10.0, 10.5])),
        "signed": stream(40, lambda: rng.choice([0, -1, 0.0, -0.0, round(rng.uniform(-100, 100), 3), rng.randint(-9, 9)])),
        "big_ints": stream(40, lambda: rng.choice([1, -1]) * rng.randint(2**53, 2**63 - 1)),
        "wide": stream(40, lambda: rng.choice([1e-300, 3e-200, 1e200, 7e250, 2.5, rng.uniform(-1e100, 1e100)])),
        "tiny": stream(30, lambda: rng.uniform(1e-310, 1e-300)),
    }


def configs():
    yield "prev", [], lambda: Prev()
    yield "logret", [], lambda: LogReturn()
    for span in (1, 3, 20):
        yield "ema", [span], lambda span=span: Ema(span)
    for half_life in (1_000, 3_600_000, 21_600_000):
        yield "ewma", [half_life], lambda h=half_life: Ewma(h)
    for period in (1, 2, 14):
        yield "rsi", [period], lambda p=period: Rsi(p)
    for fast, slow, signal in ((12, 26, 9), (2, 4, 2)):
        yield "macd", [fast, slow, signal], lambda a=(fast, slow, signal): Macd(*a)
    for period, k in ((20, 2), (3, 2.5), (1, 2)):
        yield "bollinger", [period, k], lambda a=(period, k): Bollinger(*a)


def unsafe(name: str, seq: str) -> bool:
    """Sequences on which Python itself raises (math.log of an underflowed ratio, ** overflowing)."""
    return seq == "wide" and name in ("logret", "bollinger")


def make_stateful(path: Path) -> None:
    rng = random.Random(20240611)
    seqs = sequences(rng)
    lines = []
    for name, values in seqs.items():
        lines.append(f"seq {name} " + " ".join(f"{ts}:{encode(x)}" for ts, x in values))
    for function, params, factory in configs():
        for seq, values in seqs.items():
            if unsafe(function, seq):
                continue
            state = factory()
            lines.append(f"fn {function} {','.join(encode(p) for p in params) or '-'} {seq}")
            outputs = []
            for ts, x in values:
                state.update(x, ts)
                value = state.value()
                if function in MEMBERS:
                    outputs.append(",".join(encode(value[m]) for m in MEMBERS[function]))
                else:
                    outputs.append(encode(value))
            lines.append("r " + " ".join(outputs))
    path.write_text("\n".join(lines) + "\n")


# --- sketch -----------------------------------------------------------------------------------------

def floats(rng: random.Random) -> list[float]:
    out = [0.0, -0.0, 1.0, -1.0, 0.1, 100.0, 12.34, 1e16, 1e15, 9999999999999998.0, 1e17, 1.5e-05, 0.0001,
           0.00011, 1e-4, 1e-5, 123456789012345680.0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
           2.0**53, 2**53 + 2.0, 2**54 + 4.0, 2.0**63, 1e22, 1e23, 2.0**-1074 * 3, 0.3, 2 / 3, 1 / 3, 9.999999999999999e22]
    out += [2.0**e for e in range(-1074, 1024, 7)]
    out += [round(rng.uniform(0, 10_000), rng.randint(0, 8)) for _ in range(400)]
    out += [float(rng.randint(1, 2**rng.randint(1, 70))) for _ in range(200)]
    out += [struct.unpack("<d", struct.pack("<Q", rng.getrandbits(63)))[0] for _ in range(250)]
    out += [rng.uniform(-1, 1) * 10.0 ** rng.randint(-20, 20) for _ in range(250)]
    out += [float(f"{rng.randint(1, 99999)}e{rng.randint(-330, 310)}") for _ in range(300)]
    return [x for x in out if math.isfinite(x)]


def strings(rng: random.Random) -> list[str]:
    edges, printable = [], False
    for c in range(0x80, 0x110000):
        if chr(c).isprintable() != printable:
            edges.append(c)
            printable = not printable
    points = sorted({p for e in edges for p in (e - 1, e)} | set(range(0, 0x100)) | {rng.randrange(0x110000) for _ in range(1500)})
    rng.shuffle(points)
    out = ["", "card-1", "it's", 'say "hi"', "both ' and \"", "back\\slash", "tab\there", "\x7f\x00\n\r", "é", "€", "😀",
           "\ud800", "\udfff lone", "\u00ad soft", "\u2028", "\u3000", "\U000e0001", "\U0010ffff", "\U000f0000"]
    out += ["".join(map(chr, points[i:i + 12])) for i in range(0, len(points), 12)]
    out += [f"card{n}" for n in range(500)]
    return out


def ints(rng: random.Random) -> list[int]:
    out = [0, 1, -1, 2**63 - 1, -2**63, 2**53, -2**53 - 1]
    out += list(range(-300, 300))
    out += [rng.randint(-2**63, 2**63 - 1) >> rng.randint(0, 62) for _ in range(1000)]
    return out


def make_sketch(path: Path) -> None:
    rng = random.Random(7)
    lines = []
    for length in list(range(0, 260)) + [511, 512, 513, 1000]:
        data = bytes((i * 7 + length) % 256 for i in range(length))
        size = 1 + (length * 13) % 64
        lines.append(f"blake {length} {size} {hashlib.blake2b(data, digest_size=size).hexdigest()}")
    for x in floats(rng):
        j, rank = register_and_rank(x)
        lines.append(f"float {x.hex()} {x!r} {j}:{rank}")
    for x in ints(rng):
        j, rank = register_and_rank(x)
        lines.append(f"int {x} {j}:{rank}")
    for x in strings(rng):
        j, rank = register_and_rank(x)
        lines.append(f"str {encode(x)} {j}:{rank}")
    for x in (True, False):
        j, rank = register_and_rank(x)
        lines.append(f"bool {x} {j}:{rank}")
    for zeros in range(1, REGISTERS + 1):
        linear = REGISTERS * math.log(REGISTERS / zeros)
        lines.append(f"linear {zeros} {linear.hex()} {round(linear)}")
    # Sketches of card0..cardN with checkpoints; each checkpoint: without and with a new current value
    # and with one already seen; then merges of two halves, as a window of tiles does.
    sketch, a, b = Sketch(), Sketch(), Sketch()
    checkpoints = {0, 1, 2, 3, 5, 8, 13, 50, 100, 200, 300, 500, 700, 1000, 1300, 1500, 2000, 3000, 5000, 8000, 12000, 20000}
    for n in range(20001):
        if n in checkpoints:
            seen = f"card{n // 2}"
            results = [sketch.result("distinct", None, False), sketch.result("distinct", f"card{n}", True),
                       sketch.result("distinct", seen, True), sketch.result("distinct", n, True)]
            merged = Sketch()
            merged.merge(a)
            merged.merge(b)
            results.append(merged.result("distinct", None, False))
            lines.append(f"sketch {n} " + " ".join(map(str, results)))
        sketch.add(None, f"card{n}")
        (a if n % 3 else b).add(None, f"card{n}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- tiles ------------------------------------------------------------------------------------------

# (source, family, functions): amounts (floats and ints), merchants (strings), codes (ints, integral
# floats and booleans, which Python's sets and min/max take for 1 and 0).
SLOTS = [
    (0, "moments", ["count", "sum", "avg", "var", "stddev", "zscore"]),
    (1, "moments", ["count"]),
    (1, "distinct", ["distinct"]),
    (2, "distinct", ["distinct"]),
    (0, "min", ["min"]),
    (0, "max", ["max"]),
    (1, "max", ["max"]),
    (2, "min", ["min"]),
    (0, "ends", ["first", "last"]),
    (1, "ends", ["first", "last"]),
    (1, "sketch", ["distinct"]),
    (0, "sketch", ["distinct"]),
]
PLANS = [  # (millis, tile_ms, lateness_ms, events, first ts, typical step)
    (30_000, 10_000, 0, 250, 1_700_000_000_000, 4_000),
    (60_000, 7_000, 20_000, 300, 1_700_000_000_000, 3_000),
    (3_600_000, 300_000, 3_600_000, 240, 1_700_000_000_000, 200_000),
    (10, 3, 5, 200, -200, 2),
]


def inputs(rng: random.Random) -> tuple:
    amount = rng.choice([None, rng.randint(1, 500), round(rng.uniform(0.01, 900.0), rng.randint(0, 2)),
                         round(rng.uniform(0.01, 900.0), 2), 12.5, 12])
    merchant = rng.choice([None, f"m{rng.randint(0, 40)}", f"m{rng.randint(0, 400)}", "é", "😀", "\uffff"])
    code = rng.choice([None, 1, 1.0, True, 0, 0.0, False, -0.0, 2, 2.5, rng.randint(-5, 5)])
    return amount, merchant, code


def make_tiles(path: Path) -> None:
    rng = random.Random(11)
    lines = []
    for millis, tile_ms, lateness_ms, count, ts, step in PLANS:
        plan = TilePlan(millis, tile_ms, lateness_ms)
        slots = []
        for source, fam, functions in SLOTS:
            for function in functions:
                slot = plan.accumulator_for(source, fam, function)
                slots.append((slot, source, function))
        lines.append(f"plan {millis} {tile_ms} {lateness_ms} " + ";".join(f"{s}:{f}:{','.join(fs)}" for s, f, fs in SLOTS))
        state = plan.new_state()
        newest = None
        for n in range(count):
            kind = rng.random()
            if kind < 0.7:
                ts += rng.randint(0, 2 * step)
                at = ts
            elif kind < 0.9:  # out of order: within lateness, or beyond it (late)
                at = ts - rng.randint(0, lateness_ms + 3 * tile_ms)
            elif kind < 0.97:
                at = ts
            else:  # a gap longer than the window
                ts += rng.randint(millis, 3 * millis)
                at = ts
            late = newest is not None and at < newest - lateness_ms
            if not late:
                newest = at if newest is None else max(newest, at)
            xs = inputs(rng)
            include = n % 2 == 0
            summaries = plan.answer_at(state, at)
            results = [summaries[slot].result(function, xs[source], include) for slot, source, function in slots]
            plan.add(state, at, xs, late)
            lines.append(f"e {at} {int(late)} {int(include)} " + ",".join(map(encode_short, xs)) + " "
                         + ",".join(map(encode_short, results)) + f" {len(state.tiles)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def encode_short(x: object) -> str:
    """encode(), with a float as its repr (shorter than float.hex(), and read back exactly)."""
    return f"f:{x!r}" if x.__class__ is float else encode(x)


if __name__ == "__main__":
    make_stateful(HERE / "stateful_golden.txt")
    make_sketch(HERE / "sketch_golden.txt")
    make_tiles(HERE / "tiles_golden.txt")
