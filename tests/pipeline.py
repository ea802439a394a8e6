"""Test helpers that drive the real pipeline: raw events in, records out."""

from __future__ import annotations

import orjson

from fraudscore import control
from fraudscore.kafka_io import Record


def web_payment(n: int, customer: str, amount: float, id_prefix: str = "r") -> bytes:
    """A raw web-banking payment, as the front end logs it."""
    return orjson.dumps(
        {
            "request_id": f"{id_prefix}{n}",
            "action": "payment",
            "occurred_at": 1_795_320_000_000 + n * 1000,
            "customer": {"id": customer, "account": f"a-{customer}"},
            "session": {"ip": "198.51.100.7", "device_id": f"d-{customer}"},
            "amount": {"value": f"{amount:.2f}", "currency": "EUR"},
            "payee": {"merchant_id": f"m{n % 7}", "mcc": 5411, "country": "DE"},
            "outcome": "approved",
        }
    )


def deploy(
    seq: int, model_id: str, version: int, pmml: bytes, key: str, **payload: object
) -> tuple[bytes, bytes]:
    """A signed model.deploy control record (key = model id)."""
    body = {"pmml": control.pack_pmml(pmml), "threshold": 0.5, **payload}
    return model_id.encode(), control.encode(
        "model.deploy", seq, model_id, key, version=version, payload=body
    )


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
        pytest.fail(
            f"timed out after {timeout_s}s with {len(records)} records on {topics}; last:\n{last}\n{logs}"
        )
    return records


def wait_until_live(bootstrap: str, topics, version: int, jobs, timeout_s: float = 180) -> None:
    """Send probe payments until one is scored by `version`: the model is then live in the job.

    Events read before the control topic is are scored by no model, so tests publish first and wait.
    """
    import time

    from fraudscore.kafka_io import read, send

    deadline = time.monotonic() + timeout_s
    marker = f'"model_version":{version}'.encode()
    n = 0
    while time.monotonic() < deadline:
        n += 1
        send(bootstrap, topics.raw("web"), [(None, web_payment(n, "probe", 10.0, id_prefix="probe-"))])
        scored = read(bootstrap, [topics.scores], lambda rs: any(marker in r.value for r in rs), timeout_s=2)
        if any(marker in r.value and b"probe-" in r.value for r in scored):
            return
        collect_check_alive(jobs)
    raise AssertionError(f"model version {version} never went live")


def collect_check_alive(jobs) -> None:
    import pytest

    for job in jobs:
        if not job.is_alive():
            pytest.fail(f"job {job.name} died:\n{job.log_tail()}")


def without_probes(scores: list[dict]) -> list[dict]:
    return [s for s in scores if not s["event_id"].startswith("web-probe-")]
