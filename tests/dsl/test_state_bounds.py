"""A key's state stays bounded however long it lives: 1,000,000 events for one merchant over 60 days, on the
JVM engine (the one the scoring job and training run), its state measured as it is stored (KeyStateCodec).

The limits below are the ones the README states. Exact windows keep the events of their longest window
plus the lateness, so their state follows the key's event rate; tiled windows keep a fixed number of
tiles. 60 days are many times the longest window and its TTL: the state would show any growth with the
key's age. The test takes about 15 s: it is the only way to show the bound for real.
"""

from __future__ import annotations

import random
from array import array

from dsl.jvm import JvmFeatureEngine
from dsl.parser import parse

EXACT_LIMIT = 1_000_000  # bytes for a key with 24h exact windows at one event every 5.2 s
TILED_LIMIT = 32_000  # bytes for a key with 7d and 24h tiled windows
SKETCHED_LIMIT = 64_000  # bytes for `distinct(card_id) over 7d approx`, whatever the number of cards

SOAK = """featureset soak version 1
features exact per merchant_id ttl 8d {
  n_24h     = count() over 24h
  sum_24h   = sum(amount) over 24h
  cards_24h = distinct(card_id) over 24h
}
features tiled per merchant_id ttl 8d {
  n_7d      = count() over 7d every 1h
  n_24h_t   = count() over 24h every 1h
  avg_7d    = avg(amount) over 7d every 1h
  std_7d    = stddev(amount) over 7d every 1h
  max_7d    = max(amount) over 7d every 1h
  ewma      = ewma(amount, half_life=6h)
}
features sketched per merchant_id ttl 8d {
  cards_7d  = distinct(card_id) over 7d approx
}
"""
EVENTS = 1_000_000
STEP_MS = 5_184  # 60 days
SAMPLE_EVERY = 100_000  # events: six days
T0 = 1_700_000_000_000
DAY = 86_400_000


def test_sixty_days_of_events_keep_one_keys_state_under_the_stated_size():
    engine = JvmFeatureEngine(parse(SOAK))
    rng = random.Random(60)
    sizes: dict[str, list[int]] = {"exact": [], "tiled": [], "sketched": []}
    cards = array("q")
    for chunk in range(0, EVENTS, SAMPLE_EVERY):
        events = []
        for n in range(chunk, chunk + SAMPLE_EVERY):
            card = rng.randrange(5_000) if n % 2 else n  # half the payments from returning cards, half new
            cards.append(card)
            events.append({"ts": T0 + n * STEP_MS, "merchant_id": "m1", "card_id": f"c{card}",
                           "amount": round(rng.lognormvariate(3, 1), 2)})  # fmt: skip
        features = engine.process_all(events)[-1]
        for part in engine.state_sizes():
            assert part["keys"] == 1
            sizes[part["part"]].append(part["bytes"])

    assert max(sizes["exact"]) < EXACT_LIMIT, sizes
    assert max(sizes["tiled"]) < TILED_LIMIT, sizes
    assert max(sizes["sketched"]) < SKETCHED_LIMIT, sizes
    # Bounded, not merely small: after eight days (window and TTL) the state no longer grows with the key's age.
    assert max(sizes["exact"][2:]) < 1.1 * sizes["exact"][2], sizes
    assert max(sizes["tiled"][2:]) < 1.1 * sizes["tiled"][2], sizes
    assert max(sizes["sketched"][2:]) < 1.1 * sizes["sketched"][2], sizes
    assert len(sizes["exact"]) == EVENTS // SAMPLE_EVERY
    # And still right at the end: the events of the last 24h, counted from the schedule.
    assert features["n_24h"] == DAY // STEP_MS + (DAY % STEP_MS > 0)
    # The sketch within 3 standard errors of the cards in the tiles it holds (7d in 48 tiles).
    tile_ms = 7 * DAY // 48
    newest_tile = (T0 + (EVENTS - 1) * STEP_MS) // tile_ms
    held = {c for n, c in enumerate(cards) if (T0 + n * STEP_MS) // tile_ms > newest_tile - 48}
    assert abs(features["cards_7d"] - len(held)) < 3 * 0.046 * len(held), (features["cards_7d"], len(held))
    assert (7 * DAY - 3_600_000) // STEP_MS <= features["n_7d"] <= 7 * DAY // STEP_MS + 1  # 7d less up to a tile
