"""Realistic raw traffic for every channel, with labelled fraud, from one seed: demos, tests, benchmarks
and training share it (`fraudscore generate`).

A population of customers (home country, cards, devices, a typical spend) pays by card, banks on the web
and in the app, and draws cash; now and then an incident of one of four fraud scenarios runs among them:

- `card_testing`: a stolen card tried with small e-commerce authorisations, most declined, then a large one;
- `account_takeover`: a login from a new device, a credential change, a large transfer to a new payee;
- `impossible_travel`: card-present payments in two countries an ocean apart within half an hour;
- `high_risk_merchant`: several customers' large payments at one gambling or crypto merchant in minutes.

FX ticks for several currency pairs follow a mean-reverting square-root diffusion (Cox-Ingersoll-Ross),
at irregular intervals, with rare injected jumps (scenario `fx_jump`). Every record is checked by its
channel's adapter as it is made, so the ground truth names the canonical event ids the pipeline will see.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from fraudscore import kafka_io
from fraudscore.events import CanonicalEvent
from fraudscore.topics import Topics
from preprocessor_job.process import preprocess

SCENARIOS = ("card_testing", "account_takeover", "impossible_travel", "high_risk_merchant")
_COUNTRIES = ("NL", "DE", "FR", "BE", "ES", "IT", "GB")
_FAR = ("BR", "NG", "IN", "US", "JP")
_NUMERIC_COUNTRY = {"NL": "528", "DE": "276", "FR": "250", "BE": "056", "ES": "724", "IT": "380", "GB": "826",
                    "BR": "076", "NG": "566", "IN": "356", "US": "840", "JP": "392"}  # fmt: skip
_MCCS = ("5411", "5812", "5999", "5732", "4111", "5541", "5691")
_RISKY_MCCS = ("7995", "6051")
_FX = {"EUR-USD": 1.08, "GBP-USD": 1.27, "USD-JPY": 151.0, "EUR-CHF": 0.95}


@dataclass(frozen=True)
class Raw:
    """One raw record for a channel's topic, with what it stands for."""

    channel: str  # the raw topic: raw.<channel>
    key: bytes | None
    value: bytes
    event_ids: tuple[str, ...]  # the canonical events the preprocessor makes of it
    scenario: str | None = None  # the fraud scenario it belongs to, or None
    incident: int | None = None
    fraudulent: frozenset[str] = frozenset()  # which of its events are the scenario's (a frame: one ticker)
    ts_ms: int = 0  # its event time

    def truth(self) -> Iterator[bytes]:
        """A ground-truth line per canonical event: its id, its label, its scenario and incident."""
        for event_id in self.event_ids:
            fraud = event_id in self.fraudulent
            yield orjson.dumps({"event_id": event_id, "label": int(fraud), "scenario": self.scenario if fraud else None,
                                "incident": self.incident if fraud else None})  # fmt: skip


@dataclass
class _Customer:
    id: str
    country: str
    cards: list[str]
    devices: list[str]
    spend: float  # median amount, EUR
    account: str


@dataclass
class _Clock:
    ms: int
    sequence: int = 0

    def tick(self, ms: int) -> int:
        self.ms += ms
        return self.ms

    def next_id(self) -> int:
        self.sequence += 1
        return self.sequence


@dataclass
class Traffic:
    """An endless, reproducible stream of raw records: `records()` in time order (roughly: an incident's
    records are spread over its own minutes)."""

    seed: int = 7
    customers: int = 500
    fraud_rate: float = 0.003  # incidents per record
    fx_share: float = 0.05  # share of FX ticks among the records
    mean_gap_ms: float = 200  # event time between records: 5 a second
    start_ms: int = 1_795_320_000_000
    # An incident's records are spread over minutes of event time. By default the stream waits for them (event
    # time jumps ahead by the incident's length); concurrent, they are held back until their time comes while
    # the ordinary traffic goes on, so that event time advances by `mean_gap_ms` a record, as a clock would.
    concurrent_incidents: bool = False
    _rng: random.Random = field(init=False)
    _people: list[_Customer] = field(init=False)
    _clock: _Clock = field(init=False)
    _fx: dict[str, float] = field(init=False)
    _incidents: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._clock = _Clock(self.start_ms)
        self._fx = dict(_FX)
        self._people = [self._person(i) for i in range(self.customers)]

    def records(self) -> Iterator[Raw]:
        held: list[tuple[int, int, Raw]] = []  # concurrent incidents' records, by event time
        order = itertools.count()
        while True:
            self._clock.tick(int(self._rng.expovariate(1 / self.mean_gap_ms)) + 1)
            while held and held[0][0] <= self._clock.ms:
                yield heapq.heappop(held)[2]
            draw = self._rng.random()
            if draw < self.fx_share:
                yield from self._fx_tick()
            elif draw < self.fx_share + self.fraud_rate:
                if not self.concurrent_incidents:
                    yield from self._incident()
                    continue
                started = self._clock.ms
                for raw in self._incident():
                    heapq.heappush(held, (raw.ts_ms, next(order), raw))
                self._clock.ms = started  # the incident's minutes pass alongside the ordinary traffic
            else:
                yield self._normal(self._rng.choice(self._people))

    def events(self, records: int | None = None) -> Iterator[tuple[CanonicalEvent, Raw]]:
        """The canonical events the preprocessor makes of the first `records` records (of all, endlessly,
        with None), each with the record it came from."""
        for raw in itertools.islice(self.records(), records):
            for outcome in preprocess(raw.channel, raw.value, None):
                if isinstance(outcome, CanonicalEvent):  # always: each record is checked as it is made
                    yield outcome, raw

    def labelled_events(self, records: int | None = None, *, ticks: bool = True) -> Iterator[dict[str, Any]]:
        """The canonical events of `events()` as JSON objects, each with its label, `is_fraud` 0/1 (for a
        tick: a price jump), and its `scenario` (None unless fraudulent): a history to train on. The market's
        ticks are left out unless `ticks`."""
        for event, raw in self.events(records):
            if ticks or event.event_type != "tick":
                fraud = event.event_id in raw.fraudulent
                yield {**orjson.loads(event.to_json()), "is_fraud": int(fraud),
                       "scenario": raw.scenario if fraud else None}  # fmt: skip

    # -- the population and its ordinary days

    def _person(self, i: int) -> _Customer:
        rng = self._rng
        return _Customer(id=f"c{i:05d}", country=rng.choice(_COUNTRIES),
                         cards=[f"tok-{rng.getrandbits(40):010x}" for _ in range(rng.choice((1, 1, 2)))],
                         devices=[f"dev-{rng.getrandbits(32):08x}" for _ in range(rng.choice((1, 2)))],
                         spend=math.exp(rng.gauss(3.3, 0.6)), account=f"acc-{i:05d}")  # fmt: skip

    def _amount(self, who: _Customer, scale: float = 1.0) -> float:
        return round(min(max(who.spend * scale * math.exp(self._rng.gauss(0, 0.7)), 0.5), 50_000.0), 2)

    def _normal(self, who: _Customer) -> Raw:
        kind = self._rng.choices(("card", "web", "mobile", "atm"), weights=(50, 20, 20, 10))[0]
        if kind == "card":
            return self._card(who, self._amount(who), who.country, self._rng.choice(_MCCS), approved=True)
        if kind == "web":
            action = self._rng.choices(("payment", "transfer", "login"), weights=(5, 3, 2))[0]
            return self._web(who, action, self._amount(who, 2.0))
        if kind == "mobile":
            event = self._rng.choices(("payment", "transfer", "login"), weights=(4, 3, 3))[0]
            return self._mobile(who, event, self._amount(who, 1.5), self._rng.choice(who.devices))
        return self._atm(who, self._rng.choice((20, 50, 100, 200)) * 1.0)

    # -- fraud

    def _incident(self) -> Iterator[Raw]:
        self._incidents += 1
        scenario = self._rng.choice(SCENARIOS)
        victim = self._rng.choice(self._people)
        records = getattr(self, f"_{scenario}")(victim)
        for raw in records:
            yield dataclasses.replace(raw, scenario=scenario, incident=self._incidents,
                                      fraudulent=frozenset(raw.event_ids))  # fmt: skip

    def _card_testing(self, victim: _Customer) -> list[Raw]:
        merchant = f"web-shop-{self._rng.randrange(50)}"
        tries = []
        for _ in range(self._rng.randint(8, 25)):
            self._clock.tick(self._rng.randint(2_000, 9_000))
            tries.append(self._card(victim, round(self._rng.uniform(0.5, 4.99), 2), "US", "5999",
                                    approved=self._rng.random() < 0.15, merchant=merchant, online=True))  # fmt: skip
        self._clock.tick(self._rng.randint(20_000, 120_000))
        tries.append(self._card(victim, round(self._rng.uniform(400, 2500), 2), "US", "5732", approved=True,
                                merchant=merchant, online=True))  # fmt: skip
        return tries

    def _account_takeover(self, victim: _Customer) -> list[Raw]:
        device = f"dev-{self._rng.getrandbits(32):08x}"
        steps = [self._mobile(victim, "device_enrolment", None, device, country=self._rng.choice(_FAR))]
        self._clock.tick(self._rng.randint(30_000, 180_000))
        steps.append(self._mobile(victim, "credential_change", None, device))
        self._clock.tick(self._rng.randint(60_000, 400_000))
        payee = f"XX{self._rng.getrandbits(48):012d}"
        steps.append(self._mobile(victim, "transfer", self._amount(victim, 60.0), device, beneficiary=payee))
        return steps

    def _impossible_travel(self, victim: _Customer) -> list[Raw]:
        home = self._card(victim, self._amount(victim), victim.country, self._rng.choice(_MCCS), approved=True)
        self._clock.tick(self._rng.randint(5 * 60_000, 30 * 60_000))
        away = self._card(victim, self._amount(victim, 3.0), self._rng.choice(_FAR), self._rng.choice(_MCCS),
                          approved=True)  # fmt: skip
        return [home, away]

    def _high_risk_merchant(self, victim: _Customer) -> list[Raw]:
        merchant, mcc = f"risky-{self._rng.randrange(20)}", self._rng.choice(_RISKY_MCCS)
        payers = [victim, *self._rng.sample(self._people, self._rng.randint(3, 8))]
        records = []
        for who in payers:
            self._clock.tick(self._rng.randint(5_000, 60_000))
            records.append(self._card(who, self._amount(who, 20.0), who.country, mcc, approved=True,
                                      merchant=merchant, online=True))  # fmt: skip
        return records

    # -- the channels' own formats

    def _web(self, who: _Customer, action: str, amount: float) -> Raw:
        record = {"request_id": f"g{self._clock.next_id()}", "action": action, "occurred_at": self._clock.ms,
                  "customer": {"id": who.id, "account": who.account},
                  "session": {"ip": f"81.{self._rng.randrange(256)}.{self._rng.randrange(256)}.9",
                              "device_id": who.devices[0]}}  # fmt: skip
        if action != "login":
            record["amount"] = {"value": f"{amount:.2f}", "currency": "EUR"}
            record["payee"] = {"merchant_id": f"m{self._rng.randrange(300)}", "mcc": int(self._rng.choice(_MCCS)),
                               "country": who.country}  # fmt: skip
            record["outcome"] = "approved"
        return self._made("web", who, orjson.dumps(record))

    def _mobile(self, who: _Customer, event: str, amount: float | None, device: str, *,
                country: str | None = None, beneficiary: str | None = None) -> Raw:  # fmt: skip
        record: dict = {"event_id": f"g{self._clock.next_id()}", "type": event, "timestamp_ms": self._clock.ms,
                        "user": {"customer_id": who.id, "account_id": who.account},
                        "device": {"id": device, "os": self._rng.choice(("ios", "android")), "app_version": "7.2.1",
                                   "rooted": False},
                        "geo": {"country": country or who.country}}  # fmt: skip
        if amount is not None:
            transaction: dict = {"amount_minor": round(amount * 100), "currency": "EUR", "status": "approved"}
            if beneficiary:
                transaction["beneficiary"] = beneficiary
            record["transaction"] = transaction
        return self._made("mobile", who, orjson.dumps(record))

    def _card(self, who: _Customer, amount: float, country: str, mcc: str, *, approved: bool,
              merchant: str | None = None, online: bool = False) -> Raw:  # fmt: skip
        stamp = datetime.fromtimestamp(self._clock.ms / 1000, UTC).isoformat(timespec="milliseconds")
        record = {"mti": "0100", "de2_pan_token": who.cards[0], "de3_processing_code": "000000",
                  "de4_amount": f"{round(amount * 100):012d}", "de11_stan": f"{self._clock.sequence % 999999:06d}",
                  "de18_mcc": mcc, "de19_country": _NUMERIC_COUNTRY[country],
                  "de22_pos_entry_mode": "812" if online else self._rng.choice(("071", "051")),
                  "de37_rrn": f"g{self._clock.next_id()}", "de39_response_code": "00" if approved else
                  self._rng.choice(("05", "51", "14")), "de42_merchant_id": merchant or f"m{self._rng.randrange(300)}",
                  "de49_currency": "978", "customer_ref": who.id, "acquirer_ts": stamp}  # fmt: skip
        return self._made("card", who, orjson.dumps(record))

    def _atm(self, who: _Customer, amount: float) -> Raw:
        local = datetime.fromtimestamp(self._clock.ms // 1000, UTC) + timedelta(hours=1)
        sequence = self._clock.next_id() % 1_000_000
        line = (f"ATM1|{who.country}{self._rng.randrange(100):04d}|{sequence:06d}|{local:%Y%m%d%H%M%S}|+0100|"
                f"{who.cards[0]}|{who.id}|WDL|{int(amount * 100):012d}|978|00|{who.country}")  # fmt: skip
        return self._made("atm", who, line.encode())

    def _fx_tick(self) -> Iterator[Raw]:
        """Every pair moves by a Cox-Ingersoll-Ross step over the time since the last tick; one tick in 400
        carries a jump of 2-5%, labelled."""
        dt = 1e-4
        jump_pair = self._rng.choice(sorted(self._fx)) if self._rng.random() < 0.0025 else None
        for pair, level in self._fx.items():
            theta, kappa, sigma = _FX[pair], 2.0, 0.15 * math.sqrt(_FX[pair])
            step = kappa * (theta - level) * dt + sigma * math.sqrt(max(level, 0.0) * dt) * self._rng.gauss(0, 1)
            self._fx[pair] = max(level + step, theta * 0.01)
        if jump_pair is not None:
            self._fx[jump_pair] *= 1 + self._rng.choice((-1, 1)) * self._rng.uniform(0.02, 0.05)
            self._incidents += 1
        stamp = datetime.fromtimestamp(self._clock.ms / 1000, UTC).isoformat().replace("+00:00", "Z")
        tickers = [{"type": "ticker", "product_id": pair, "price": f"{price:.6g}"} for pair, price in self._fx.items()]
        frame = orjson.dumps({"channel": "ticker", "client_id": "", "timestamp": stamp,
                              "sequence_num": self._clock.next_id(), "events": [{"type": "update",
                                                                                  "tickers": tickers}]})  # fmt: skip
        ids = _event_ids("ticks", frame)
        if jump_pair is None:
            yield Raw("ticks", None, frame, ids, ts_ms=self._clock.ms)
            return
        jumped = ids[list(self._fx).index(jump_pair)]
        yield Raw("ticks", None, frame, ids, "fx_jump", self._incidents, frozenset([jumped]), self._clock.ms)

    def _made(self, channel: str, who: _Customer, value: bytes) -> Raw:
        return Raw(channel, who.id.encode(), value, _event_ids(channel, value), ts_ms=self._clock.ms)


def _event_ids(channel: str, value: bytes) -> tuple[str, ...]:
    outcomes = preprocess(channel, value, None)
    events = tuple(o.event_id for o in outcomes if isinstance(o, CanonicalEvent))
    if len(events) != len(outcomes):
        raise AssertionError(f"the generator made a record its adapter rejects: {outcomes}")
    return events


def send_records(bootstrap: str, topics: Topics, raws: Iterable[Raw]) -> None:
    """Raw records onto their channels' topics (`raw.<channel>`), a batch per topic, waiting for the broker."""
    by_topic: dict[str, list[tuple[bytes | None, bytes]]] = {}
    for raw in raws:
        by_topic.setdefault(topics.raw(raw.channel), []).append((raw.key, raw.value))
    for topic, pairs in by_topic.items():
        kafka_io.send(bootstrap, topic, pairs)
