"""Every channel's adapter on its sample file (examples/raw/), its own mappings, and arbitrary input:
what a channel sends becomes canonical events, a reason, or a counted drop, never an exception."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fraudscore.cli import main
from fraudscore.events import CanonicalEvent
from fraudscore.topics import CHANNELS
from preprocessor_job.adapters import ADAPTERS, atm, card, coinbase, mobile
from preprocessor_job.adapters.fields import TS_RANGE_MS
from preprocessor_job.outcome import Dropped, Rejected

RAW = Path(__file__).resolve().parents[2] / "examples" / "raw"
SAMPLES = {"web": "web.jsonl", "mobile": "mobile.jsonl", "atm": "atm.txt", "card": "card.jsonl", "ticks": "ticks.jsonl"}
# (events, rejected, dropped) each sample holds: its good records, one broken record and one heartbeat.
EXPECTED = {"web": (8, 1, 1), "mobile": (8, 1, 1), "atm": (6, 1, 1), "card": (7, 1, 1), "ticks": (12, 0, 1)}


def outcomes(channel: str, text: str) -> list:
    adapted = ADAPTERS[channel](text, 1_000)
    return adapted if isinstance(adapted, list) else [adapted]


def test_every_raw_topic_has_an_adapter_and_every_adapter_a_topic():
    assert sorted(ADAPTERS) == sorted(CHANNELS)


@pytest.mark.parametrize("channel", sorted(SAMPLES))
def test_each_sample_file_gives_its_events_its_rejects_and_its_drops(channel):
    found = [o for line in (RAW / SAMPLES[channel]).read_text().splitlines() for o in outcomes(channel, line)]
    events = [o for o in found if isinstance(o, CanonicalEvent)]
    counts = (len(events), sum(isinstance(o, Rejected) for o in found), sum(isinstance(o, Dropped) for o in found))
    assert counts == EXPECTED[channel]
    assert len({e.event_id for e in events}) == len(events)
    for event in events:
        assert TS_RANGE_MS[0] <= event.ts < TS_RANGE_MS[1]
        assert event.ingested_ms == 1_000
        assert CanonicalEvent.from_json(event.to_json()) == event


MOBILE = {"event_id": "m-1", "type": "payment", "timestamp_ms": 1795323600000, "user": {"customer_id": "c1"},
          "device": {"id": "d1", "os": "android", "rooted": True}, "geo": {"country": "be", "lat": 50.8, "lon": 4.3},
          "transaction": {"amount_minor": 1999, "currency": "JPY", "merchant": {"id": "m", "mcc": "5999"},
                          "status": "declined"}}  # fmt: skip


def mobile_raw(**changes: object) -> str:
    return orjson.dumps({**MOBILE, **changes}).decode()


def test_mobile_amounts_are_minor_units_of_their_currency_and_the_device_goes_to_attrs():
    event = mobile.adapt(mobile_raw(), None)
    assert (event.amount, event.currency, event.country, event.mcc, event.status) == (1999.0, "JPY", "BE", 5999,
                                                                                      "declined")  # fmt: skip
    assert event.attrs == {"os": "android", "rooted": True, "lat": 50.8, "lon": 4.3}
    bahraini = mobile.adapt(mobile_raw(transaction={"amount_minor": 1500, "currency": "BHD"}), None)
    assert bahraini.amount == 1.5


@pytest.mark.parametrize(("changes", "reason"), [
    ({"device": {}}, "missing or invalid 'device.id'"),
    ({"transaction": {"amount_minor": 10.5, "currency": "EUR"}}, "'transaction.amount_minor' must be a whole number"),
    ({"geo": {"lat": 91}}, "'geo.lat' must be a number in [-90, 90]"),
    ({"device": {"id": "d", "rooted": "yes"}}, "'device.rooted' must be true or false"),
    ({"type": "selfie"}, "unknown type 'selfie'"),
])  # fmt: skip
def test_mobile_rejections_say_which_field(changes, reason):
    outcome = mobile.adapt(mobile_raw(**changes), None)
    assert isinstance(outcome, Rejected) and outcome.reason.startswith(reason), outcome


ATM_LINE = "ATM1|DE0007|000001|20261122235900|-0500|tok-1|c1|WDL|000000002000|840|51|US"


def test_atm_lines_take_their_offset_and_a_refusal_is_declined():
    event = atm.adapt(ATM_LINE, None)
    assert event.ts == 1795323600000 + 24 * 3_600_000 - 60_000  # 23:59 at UTC-5 is 04:59Z the next day
    assert (event.event_id, event.amount, event.currency, event.status) == ("atm-DE0007-20261122-000001", 20.0,
                                                                            "USD", "declined")  # fmt: skip
    assert event.attrs == {"response_code": "51"} and event.mcc == 6011
    balance = atm.adapt(ATM_LINE.replace("|WDL|", "|BAL|"), None)
    assert (balance.event_type, balance.amount) == ("balance_inquiry", None)


@pytest.mark.parametrize(("line", "reason"), [
    ("ATM1|DE0007|000001", "expected 12 fields separated by '|', got 3"),
    (ATM_LINE.replace("ATM1", "ATM9"), "unknown record version 'ATM9'"),
    (ATM_LINE.replace("20261122235900", "20261322235900"), "'local_time' must be YYYYMMDDhhmmss"),
    (ATM_LINE.replace("-0500", "0500"), "'utc_offset' must be +hhmm or -hhmm"),
    (ATM_LINE.replace("|840|", "|999|"), "'currency' must be an ISO 4217 code"),
    (ATM_LINE.replace("|US", "|USA"), "'country' must be an ISO 3166 alpha-2 code"),
    ("x" * 2000, "line longer than 1024 characters"),
])  # fmt: skip
def test_atm_rejections_say_which_field(line, reason):
    outcome = atm.adapt(line, None)
    assert isinstance(outcome, Rejected) and outcome.reason.startswith(reason), outcome


CARD = {"mti": "0200", "de2_pan_token": "tok", "de3_processing_code": "010000", "de4_amount": "000000010000",
        "de18_mcc": "6011", "de19_country": "826", "de22_pos_entry_mode": "051", "de37_rrn": "r1",
        "de39_response_code": "00", "de49_currency": "826", "customer_ref": "c1",
        "acquirer_ts": "2026-11-22T05:00:00.5+00:00"}  # fmt: skip


def test_card_codes_become_types_currencies_countries_and_entry_modes():
    event = card.adapt(orjson.dumps(CARD).decode(), None)
    assert (event.event_type, event.amount, event.currency, event.country, event.status, event.ts) == (
        "withdrawal", 100.0, "GBP", "GB", "approved", 1795323600500)  # fmt: skip
    assert event.attrs == {"mti": "0200", "entry_mode": "chip", "response_code": "00"}
    reversal = card.adapt(orjson.dumps({**CARD, "mti": "0400"}).decode(), None)
    assert reversal.event_type == "reversal"


@pytest.mark.parametrize(("changes", "reason"), [
    ({"de4_amount": "10000"}, "'de4_amount' must be 12 digits"),
    ({"de3_processing_code": "990000"}, "'de3_processing_code' has an unknown transaction type '99'"),
    ({"de19_country": "999"}, "'de19_country' is not a known ISO 3166 numeric code"),
    ({"de37_rrn": None}, "missing or invalid 'de37_rrn'"),
    ({"acquirer_ts": "2026-11-22T05:00:00"}, "'acquirer_ts' has no time zone"),
    ({"acquirer_ts": "2199-01-01T00:00:00Z"}, "'acquirer_ts' out of range"),
    ({"mti": "0999"}, "unknown message type (mti) '0999'"),
])  # fmt: skip
def test_card_rejections_say_which_field(changes, reason):
    outcome = card.adapt(orjson.dumps({**CARD, **changes}).decode(), None)
    assert isinstance(outcome, Rejected) and outcome.reason.startswith(reason), outcome


def frame(*tickers: object, **changes: object) -> str:
    return orjson.dumps({"channel": "ticker", "timestamp": "2025-04-27T23:51:49.999999999Z", "sequence_num": 7,
                         "events": [{"type": "snapshot", "tickers": list(tickers)}], **changes}).decode()  # fmt: skip


def test_a_coinbase_frame_gives_one_tick_per_ticker_and_a_bad_ticker_alone_is_rejected():
    found = coinbase.adapt(frame({"product_id": "BTC-USD", "price": "94012.5", "best_bid": "94012.1"},
                                 {"product_id": "ETH-USD", "price": "abc"},
                                 {"product_id": "SOL-USD", "price": 148.18, "volume_24_h": None}), None)  # fmt: skip
    assert [type(o).__name__ for o in found] == ["CanonicalEvent", "Rejected", "CanonicalEvent"]
    btc, bad, sol = found
    assert (btc.event_id, btc.symbol, btc.price, btc.currency, btc.ts) == ("feed-BTC-USD-7", "BTC-USD", 94012.5,
                                                                          "USD", 1745797909999)  # fmt: skip
    assert btc.attrs == {"best_bid": 94012.1} and btc.partition_key == "BTC-USD"
    assert bad.reason == "'ETH-USD.price' must be a number, got 'abc'"
    assert sol.attrs == {}


@pytest.mark.parametrize(("raw", "outcome"), [
    (frame(channel="heartbeats"), Dropped("heartbeats")),
    (frame(), Dropped("no tickers")),
    (frame(channel="level2"), Rejected("unknown channel 'level2'")),
    (frame(events={"tickers": []}), Rejected("'events' must be a list of objects")),
    (frame(timestamp="yesterday"), Rejected("'timestamp' is not an ISO 8601 time: 'yesterday'")),
])  # fmt: skip
def test_coinbase_frames_without_ticks(raw, outcome):
    assert coinbase.adapt(raw, None) == outcome


@settings(max_examples=300, deadline=None)
@given(channel=st.sampled_from(sorted(ADAPTERS)), text=st.one_of(
    st.text(max_size=300),
    st.recursive(st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats() | st.text(max_size=20),
                 lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=6),
                 max_leaves=20).map(lambda v: orjson.dumps(v).decode()),  # NaN and inf are written as null
))  # fmt: skip
def test_no_input_makes_an_adapter_raise(channel, text):
    for outcome in outcomes(channel, text):
        assert isinstance(outcome, CanonicalEvent | Rejected | Dropped)


def test_preprocess_runs_an_adapter_on_a_file_as_the_job_would(tmp_path, capsys):
    out = tmp_path / "events.jsonl"
    assert main(["preprocess", "--channel", "atm", "--input", str(RAW / "atm.txt"), "--output", str(out)]) == 1
    events = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert len(events) == 6 and {e["channel"] for e in events} == {"atm"}
    err = capsys.readouterr().err.splitlines()
    assert orjson.loads(err[0])["line"] == 8
    assert orjson.loads(err[0])["reason"] == "'amount' must be a whole number of minor units, got '00000001000O'"
    assert err[-1] == f"{RAW / 'atm.txt'}: 6 events, 1 rejected, 1 dropped (heartbeat: 1)"
    assert main(["preprocess", "--channel", "ticks", "--input", str(RAW / "ticks.jsonl"), "--output", str(out)]) == 0


def test_preprocess_names_the_channels_when_given_an_unknown_one(tmp_path, capsys):
    assert main(["preprocess", "--channel", "fax", "--input", str(tmp_path / "x")]) == 1
    assert capsys.readouterr().err == "error: unknown channel 'fax'; the channels are atm, card, mobile, ticks, web\n"


JSON_SAMPLES = {channel: [orjson.loads(line) for line in (RAW / name).read_text().splitlines()]
                for channel, name in SAMPLES.items() if name.endswith(".jsonl")}  # fmt: skip
SCALARS = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats() | st.text(max_size=30)
ANY_JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                        max_size=3), max_leaves=8)  # fmt: skip


def _replace_somewhere(value: object, path: list[int], new: object) -> object:
    """The record with one value, found by walking `path` through its objects and lists, replaced."""
    if not path or not isinstance(value, dict | list) or not value:
        return new
    keys = list(value) if isinstance(value, dict) else list(range(len(value)))
    key = keys[path[0] % len(keys)]
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[key] = _replace_somewhere(value[key], path[1:], new)
    return copy


@settings(max_examples=400, deadline=None)
@given(channel=st.sampled_from(sorted(JSON_SAMPLES)), which=st.integers(0, 100),
       path=st.lists(st.integers(0, 50), min_size=1, max_size=5), new=ANY_JSON)  # fmt: skip
def test_a_sample_record_with_any_value_anywhere_is_an_event_a_reason_or_a_drop(channel, which, path, new):
    records = JSON_SAMPLES[channel]
    mutated = _replace_somewhere(records[which % len(records)], path, new)
    for outcome in outcomes(channel, orjson.dumps(mutated).decode()):
        assert isinstance(outcome, CanonicalEvent | Rejected | Dropped)
        if isinstance(outcome, CanonicalEvent):
            assert CanonicalEvent.from_json(outcome.to_json()) == outcome


def test_preprocess_drops_a_repeated_event_id_as_the_job_does(tmp_path, capsys):
    twice = tmp_path / "web.jsonl"
    twice.write_bytes((RAW / "web.jsonl").read_bytes() * 2)
    assert main(["preprocess", "--channel", "web", "--input", str(twice), "--output", str(tmp_path / "out")]) == 1
    assert len((tmp_path / "out").read_bytes().splitlines()) == 8
    assert (
        capsys.readouterr()
        .err.splitlines()[-1]
        .endswith("8 events, 2 rejected, 10 dropped (duplicate: 8, heartbeat: 2)")
    )
