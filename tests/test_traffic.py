"""The traffic generator: reproducible, every record one its channel's adapter takes, each fraud scenario
with the signature it is named for, a ground truth for every canonical event, FX ticks that revert to
their level at irregular times."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import UTC, datetime

import orjson
import pytest

from fraudscore.cli import main
from fraudscore.events import CanonicalEvent
from fraudscore.traffic import SCENARIOS, Traffic
from preprocessor_job.process import preprocess

RECORDS = 30_000


@pytest.fixture(scope="module")
def stream() -> list:
    return list(itertools.islice(Traffic(seed=3, fraud_rate=0.01).records(), RECORDS))


@pytest.fixture(scope="module")
def events(stream) -> dict[str, tuple]:
    """Each canonical event, as the preprocessor makes it, with the record it came from."""
    found = {}
    for raw in stream:
        for event in preprocess(raw.channel, raw.value, None):
            assert isinstance(event, CanonicalEvent), event
            found[event.event_id] = (event, raw)
    return found


def test_the_same_seed_gives_the_same_traffic(stream):
    again = list(itertools.islice(Traffic(seed=3, fraud_rate=0.01).records(), 500))
    assert [r.value for r in again] == [r.value for r in stream[:500]]


def test_every_channel_and_every_scenario_is_there_and_each_event_once(stream, events):
    assert {r.channel for r in stream} == {"web", "mobile", "atm", "card", "ticks"}
    assert {r.scenario for r in stream} >= {None, *SCENARIOS}
    assert sum(len(r.event_ids) for r in stream) == len(events)


def incidents(stream, scenario: str) -> list[list]:
    grouped = defaultdict(list)
    for raw in stream:
        if raw.scenario == scenario:
            grouped[raw.incident].append(raw)
    return list(grouped.values())


def canonical(events, raws) -> list[CanonicalEvent]:
    return [events[i][0] for raw in raws for i in raw.event_ids]


def test_card_testing_is_small_declined_tries_on_one_card_then_a_large_payment(stream, events):
    for incident in incidents(stream, "card_testing"):
        tries = canonical(events, incident)
        *small, large = tries
        assert len({e.card_id for e in tries}) == 1 and len(small) >= 8
        assert all(e.amount < 5 for e in small) and large.amount >= 400
        assert sum(e.status == "declined" for e in small) >= len(small) / 2
        assert tries[-1].ts - tries[0].ts < 30 * 60_000


def test_account_takeover_is_a_new_device_a_credential_change_and_a_large_transfer(stream, events):
    for incident in incidents(stream, "account_takeover"):
        steps = canonical(events, incident)
        assert [e.event_type for e in steps] == ["device_enrolment", "credential_change", "transfer"]
        assert len({e.customer_id for e in steps}) == 1 and len({e.device_id for e in steps}) == 1
        usual = {
            e.device_id for e, raw in events.values() if raw.scenario is None and e.customer_id == steps[0].customer_id
        }
        assert steps[0].device_id not in usual


def test_impossible_travel_is_one_card_in_two_far_countries_within_half_an_hour(stream, events):
    for incident in incidents(stream, "impossible_travel"):
        home, away = canonical(events, incident)
        assert home.card_id == away.card_id and home.country != away.country
        assert away.country in {"BR", "NG", "IN", "US", "JP"} and away.ts - home.ts <= 30 * 60_000


def test_a_high_risk_merchant_spike_is_several_customers_at_one_gambling_or_crypto_merchant(stream, events):
    for incident in incidents(stream, "high_risk_merchant"):
        payments = canonical(events, incident)
        assert len({e.merchant_id for e in payments}) == 1 and {e.mcc for e in payments} <= {7995, 6051}
        assert len({e.customer_id for e in payments}) >= 4


def test_fx_ticks_revert_to_their_level_at_irregular_times_and_jumps_are_labelled(stream, events):
    ticks = [e for e, _ in events.values() if e.event_type == "tick"]
    by_pair = defaultdict(list)
    for tick in ticks:
        by_pair[tick.symbol].append(tick)
    levels = {"EUR-USD": 1.08, "GBP-USD": 1.27, "USD-JPY": 151.0, "EUR-CHF": 0.95}
    assert set(by_pair) == set(levels)
    for pair, series in by_pair.items():
        prices = [t.price for t in series]
        assert all(p > 0 for p in prices)
        assert abs(sum(prices) / len(prices) / levels[pair] - 1) < 0.1
    gaps = Counter(b.ts - a.ts for a, b in itertools.pairwise(by_pair["EUR-USD"]))
    assert len(gaps) > 50  # irregular: many different gaps
    jumps = [raw for raw in stream if raw.scenario == "fx_jump"]
    assert all(len(raw.fraudulent) == 1 for raw in jumps)


def test_the_ground_truth_labels_every_event_and_only_incidents_as_fraud(stream, events):
    truth = [orjson.loads(line) for raw in stream for line in raw.truth()]
    assert {t["event_id"] for t in truth} == set(events)
    for line in truth:
        raw = events[line["event_id"]][1]
        assert line["label"] == int(raw.scenario is not None and line["event_id"] in raw.fraudulent)
        assert (line["scenario"] is not None) == bool(line["label"])


def test_generate_writes_each_channel_and_the_ground_truth(tmp_path, capsys):
    assert main(["generate", "--records", "2000", "--out", str(tmp_path), "--seed", "5"]) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["raw.atm.txt", "raw.card.jsonl", "raw.mobile.jsonl", "raw.ticks.jsonl", "raw.web.jsonl",
                       "truth.jsonl"]  # fmt: skip
    lines = sum(len(p.read_bytes().splitlines()) for p in tmp_path.glob("raw.*"))
    assert lines == 2000
    assert "2,000 records (" in capsys.readouterr().err
    first = orjson.loads((tmp_path / "raw.web.jsonl").read_bytes().splitlines()[0])
    assert datetime.fromtimestamp(first["occurred_at"] / 1000, UTC).year == 2026


def test_generate_needs_to_know_where_the_traffic_goes(capsys):
    assert main(["generate", "--records", "10"]) == 1
    assert capsys.readouterr().err == "error: say where the traffic goes: --out DIR, --kafka or --history FILE\n"


START = 1_795_320_000_000


def test_concurrent_incidents_keep_their_minutes_while_event_time_follows_the_ordinary_pace():
    traffic = Traffic(seed=5, start_ms=START, mean_gap_ms=50, fraud_rate=0.01, concurrent_incidents=True)
    raws = list(itertools.islice(traffic.records(), 12_000))
    times = [raw.ts_ms for raw in raws]
    assert times == sorted(times)  # in time order: sent as their time comes, none is ahead of the clock
    assert 0.9 * 12_000 * 50 < times[-1] - START < 1.1 * 12_000 * 50  # ~50 ms a record, as a clock at 20 records/s
    incidents: dict[int, list[int]] = {}
    for raw in raws:
        if raw.scenario and raw.scenario != "fx_jump":
            incidents.setdefault(raw.incident, []).append(raw.ts_ms)
    assert len(incidents) > 50
    assert max(max(t) - min(t) for t in incidents.values()) > 5 * 60_000  # an incident still spans minutes
