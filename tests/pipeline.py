"""Test helpers that drive the real pipeline: raw events in, records out."""

from __future__ import annotations

import orjson

from fraudscore import control, demo
from fraudscore.kafka_io import Record


def web_payment(n: int, customer: str, amount: float, id_prefix: str = "r") -> bytes:
    """A raw web-banking payment; event n happens n seconds after a fixed start."""
    return demo.web_payment(n, customer, amount, ts_ms=1_795_320_000_000 + n * 1000, id_prefix=id_prefix)


def deploy(seq: int, model_id: str, version: int, pmml: bytes, key: str, **settings: object) -> tuple[bytes, bytes]:
    """A signed model.deploy control record, threshold 0.5 unless given."""
    return control.deploy_message(seq, model_id, version, pmml, key, **{"threshold": 0.5, **settings})


def values(records: list[Record], topic: str) -> list[dict]:
    return [orjson.loads(r.value) for r in records if r.topic == topic]


def collect(bootstrap: str, topics: list[str], done, jobs, timeout_s: float = 180) -> list[Record]:
    """Read `topics` until `done(records)`; fail with a job's log if it dies, or with what came."""
    import pytest

    from fraudscore.kafka_io import read

    records = read(bootstrap, topics, lambda rs: done(rs) or any(not j.is_alive() for j in jobs), timeout_s)
    for job in jobs:
        if not job.is_alive():
            pytest.fail(f"job {job.name} died:\n{job.log_tail()}")
    if not done(records):
        logs = "\n".join(f"--- {j.name}\n{j.log_tail(30)}" for j in jobs)
        last = "\n".join(r.value[:200].decode(errors="replace") for r in records[-5:])
        pytest.fail(f"timed out after {timeout_s}s with {len(records)} records on {topics}; last:\n{last}\n{logs}")
    return records


def collect_and_linger(bootstrap: str, topics: list[str], done, jobs, linger_s: float, timeout_s: float = 600):
    """As collect, then `linger_s` more of whatever comes: a record written twice would be in by then."""
    import time

    from fraudscore.kafka_io import Follower

    records: list[Record] = []
    deadline = time.monotonic() + timeout_s
    with Follower(bootstrap, topics) as follower:
        while not done(records):
            records += follower.poll(timeout_s=0.5)
            collect_check_alive(jobs)
            assert time.monotonic() < deadline, f"timed out after {timeout_s}s with {len(records)} records"
        quiet = time.monotonic() + linger_s
        while time.monotonic() < quiet:
            records += follower.poll(timeout_s=0.5)
    return records


def wait_until_live(
    bootstrap: str, topics, version: int, jobs, *, alias: str = "champion", customers: int = 8, timeout_s: float = 180
) -> None:
    """Send probe payments until probes of `customers` keys are scored by `version` as `alias`.

    A message published while the job runs reaches each subtask with the control stream, at its own moment;
    several keys make it all but certain that every scoring subtask has it (and the preprocessor is up).
    """
    import time

    from fraudscore.kafka_io import read, send

    def live(records) -> bool:
        scored = values(records, topics.scores)
        live_for = {s["customer_id"] for s in scored if (s["model_version"], s["alias"]) == (version, alias)}
        return all(f"probe{c}" in live_for for c in range(customers))

    deadline = time.monotonic() + timeout_s
    n = 0
    while time.monotonic() < deadline:
        probes = [(f"probe{c}".encode(), web_payment(n + c, f"probe{c}", 10.0, "probe-")) for c in range(customers)]
        send(bootstrap, topics.raw("web"), probes)
        n += customers
        if live(read(bootstrap, [topics.scores], live, timeout_s=2)):  # as soon as they are, not 2 s later
            return
        collect_check_alive(jobs)
    raise AssertionError(f"model version {version} never went live as {alias}")


def collect_check_alive(jobs) -> None:
    import pytest

    for job in jobs:
        if not job.is_alive():
            pytest.fail(f"job {job.name} died:\n{job.log_tail()}")


def without_probes(scores: list[dict]) -> list[dict]:
    return [s for s in scores if not s["event_id"].startswith("web-probe-")]
