"""Feature engine throughput, one process: DSL.md's example, its `card` block alone and the whole file.

    .venv/bin/python bench/dsl_engine.py [--events 50000] [--repeats 3]

Synthetic payments over 2,000 cards, 500 devices and 300 merchants, one every 50 ms on average, with a
few ticks for the market block; events/s is wall time over all events after a warm-up of 2,000, the best
of --repeats runs.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dsl import ast
from dsl.engine import FeatureEngine
from dsl.parser import parse

# DSL.md's example, verbatim: the target is stated for it.
EXAMPLE = Path(__file__).resolve().parent.parent / "tests" / "dsl" / "dsl_md_example.fdsl"


def events(count: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    ts = 1_795_320_000_000
    out = []
    for n in range(count):
        ts += int(rng.expovariate(1 / 50))
        if n % 20 == 0:
            out.append({"event_id": f"t{n}", "event_type": "tick", "ts": ts, "symbol": "BTC-USD",
                        "price": 60_000 + rng.gauss(0, 50)})  # fmt: skip
            continue
        out.append({
            "event_id": f"p{n}", "event_type": "payment", "ts": ts, "card_id": f"card{rng.randrange(2_000)}",
            "device_id": f"dev{rng.randrange(500)}", "merchant_id": f"m{rng.randrange(300)}",
            "amount": round(rng.lognormvariate(3.5, 1.0), 2), "country": rng.choice(["DE", "FR", "NL", "US"]),
            "status": "declined" if rng.random() < 0.05 else "approved", "mcc": rng.choice([5411, 5812, 4829]),
        })  # fmt: skip
    return out


def rate(featureset: ast.FeatureSet, stream: list[dict], repeats: int) -> float:
    """The best of `repeats` runs from a fresh engine: the machine is shared, the best run is the engine's."""
    best = math.inf
    for _ in range(repeats):
        engine = FeatureEngine(featureset)
        for event in stream[:2_000]:
            engine.process(event)
        started = time.perf_counter()
        for event in stream[2_000:]:
            engine.process(event)
        best = min(best, time.perf_counter() - started)
    return (len(stream) - 2_000) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    whole = parse(EXAMPLE.read_text())
    card = ast.FeatureSet(whole.name, whole.version, whole.blocks[:1], whole.span)
    stream = events(args.events)
    print(f"{'feature set':<32} {'events/s':>10}")
    for name, featureset in (("card block (17 features)", card), ("whole example (4 blocks)", whole)):
        print(f"{name:<32} {rate(featureset, stream, args.repeats):>10,.0f}", flush=True)


if __name__ == "__main__":
    main()
