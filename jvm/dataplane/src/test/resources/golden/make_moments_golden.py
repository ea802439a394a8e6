"""Python's `dsl.accumulators.Moments` answers, for the Java port to match bit for bit (MomentsGoldenTest).

Regenerate (from the repository root; the output is deterministic):

    /work/main/.venv/bin/python jvm/dataplane/src/test/resources/golden/make_moments_golden.py \
        > jvm/dataplane/src/test/resources/golden/moments_golden.txt

One line per step; cases start with `C <name>`. Each case drives one Moments(sums=True, squares=True):
    A v           add v (sequence numbers count up from 0)
    R             remove the oldest value still in
    M s v v ...   merge, with sign s (1 or -1), a Moments that holds the values v ... (-1: values already in)
    Q c i r...    result(function, c, include=i) for count, sum, avg, var, stddev, zscore, in that order
Values and results: `n` None, `i<decimal>` an int, `f<float.hex()>` a float.
"""

from __future__ import annotations

import random
import sys
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[5]))  # the repository root, /work/main

from dsl.accumulators import Moments  # noqa: E402

FUNCTIONS = ("count", "sum", "avg", "var", "stddev", "zscore")


def encode(x: object) -> str:
    if x is None:
        return "n"
    if isinstance(x, bool):
        raise TypeError("no bools in these cases")
    if isinstance(x, int):
        return f"i{x}"
    return f"f{x.hex()}"


def amount(r: random.Random) -> float:
    """Money: two decimals, now and then negative (refunds) or 0."""
    x = round(r.uniform(0, 2000) if r.random() < 0.9 else r.uniform(0, 2e6), 2)
    return -x if r.random() < 0.1 else x


def large(r: random.Random) -> float:
    choice = r.random()
    if choice < 0.3:
        return 1e15 + round(r.uniform(0, 1), 2)
    if choice < 0.6:
        return r.uniform(-1, 1) * 10.0 ** r.randint(15, 300)
    return r.choice([1e300, 1.7e308, -1.7e308, 8.98846567431158e307, 2.0**1000 * 1.5])


def tiny(r: random.Random) -> float:
    choice = r.random()
    if choice < 0.4:
        return r.uniform(-1, 1) * 10.0 ** -r.randint(140, 310)
    if choice < 0.7:
        return r.randint(-50, 50) * 5e-324  # subnormals
    return r.uniform(0.5, 2) * 1e-145 * r.choice([1, -1])  # variances near 1e-290


def integer(r: random.Random) -> int:
    choice = r.random()
    if choice < 0.4:
        return r.randint(-1000, 100000)
    if choice < 0.7:
        return r.choice([1, -1]) * (2**53 + r.randint(-5, 5))
    return r.randint(-(2**63), 2**63 - 1)


def mixed(r: random.Random) -> float | int:
    return r.choice([amount, large, tiny, integer, lambda r: 0.1, lambda r: 12.34, lambda r: 0.01])(r)


KINDS = {
    "amount": amount,
    "large": large,
    "tiny": tiny,
    "integer": integer,
    "mixed": mixed,
    "cents": lambda r: r.choice([0.1, 0.2, 0.3, 12.34, 0.01, 99.99, 1e15 + 0.01]),
    "constant": lambda r: 12.34,
}


def query(m: Moments, current: object, include: bool) -> str:
    results = [m.result(f, current, include) for f in FUNCTIONS]
    return " ".join(["Q", encode(current), "1" if include else "0", *map(encode, results)])


def case(r: random.Random, name: str, draw, lines: list[str]) -> None:
    lines.append(f"C {name}")
    m = Moments(sums=True, squares=True)
    window: deque = deque()
    steps = r.randint(3, 32)
    for _ in range(steps):
        action = r.random()
        if action < 0.55 or not window:
            x = draw(r)
            m.add(len(lines), x)
            window.append(x)
            lines.append(f"A {encode(x)}")
        elif action < 0.8:
            m.remove(0, window.popleft())
            lines.append("R")
        elif action < 0.85:
            values = [draw(r) for _ in range(r.randint(0, 4))]
            other = Moments(sums=True, squares=True)
            for x in values:
                other.add(0, x)
            m.merge(other, 1)
            window.extend(values)
            lines.append(" ".join(["M", "1", *map(encode, values)]))
        elif action < 0.9 and len(window) >= 2:
            values = [window.popleft() for _ in range(r.randint(1, len(window) - 1))]
            other = Moments(sums=True, squares=True)
            for x in values:
                other.add(0, x)
            m.merge(other, -1)
            lines.append(" ".join(["M", "-1", *map(encode, values)]))
        if r.random() < 0.5:
            current = None if r.random() < 0.15 else draw(r)
            lines.append(query(m, current, r.random() < 0.7))
    lines.append(query(m, draw(r), True))
    lines.append(query(m, None, False))


def main() -> None:
    r = random.Random(20261124)
    lines = [f"# {line}" for line in (__doc__ or "").strip().splitlines()[:1]]
    for kind, draw in KINDS.items():
        for i in range(17 if kind != "constant" else 4):
            case(r, f"{kind}-{i}", draw, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
