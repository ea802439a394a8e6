"""How the running system is doing, for /status: consumer lag of both jobs, and their state and last
checkpoint when they run on a Flink cluster whose REST address is configured."""

from __future__ import annotations

import time
from typing import Any

import httpx
from kafka import KafkaAdminClient, KafkaConsumer
from kafka.errors import CoordinatorNotAvailableError

from fraudscore.topics import CHANNELS, Topics


def consumer_lag(bootstrap: str, topics: Topics) -> dict[str, Any]:
    """Records each job has still to read, per topic, from the offsets its group committed at checkpoints."""
    groups = {
        f"{topics.prefix}preprocessor": [topics.raw(c) for c in CHANNELS],
        f"{topics.prefix}scoring": [topics.events],
    }
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5_000)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, request_timeout_ms=5_000)
    try:
        lag: dict[str, Any] = {}
        for group, read in groups.items():
            offsets = _committed(admin, group)
            committed = {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
            ends = consumer.end_offsets([tp for tp in committed if tp.topic in read])
            per_topic: dict[str, int] = {}
            for tp, end in ends.items():
                per_topic[tp.topic] = per_topic.get(tp.topic, 0) + max(0, end - committed[tp])
            lag[group.removeprefix(topics.prefix)] = per_topic or None  # None: the job never committed
        return lag
    finally:
        consumer.close()
        admin.close()


def _committed(admin: KafkaAdminClient, group: str, attempts: int = 10) -> dict:
    """The group's committed offsets. The broker creates its offsets topic when a group is first looked up
    and answers "coordinator not available" meanwhile: asked again, it knows."""
    for _ in range(attempts - 1):
        try:
            return admin.list_group_offsets(group).get(group, {})
        except CoordinatorNotAvailableError:
            time.sleep(0.5)
    return admin.list_group_offsets(group).get(group, {})


def flink_jobs(rest_url: str) -> list[dict[str, Any]]:
    """Each job on the cluster: name, state, and its last completed checkpoint."""
    with httpx.Client(base_url=rest_url, timeout=5) as client:
        jobs = client.get("/jobs/overview").raise_for_status().json().get("jobs", [])
        result = []
        for job in jobs:
            entry = {"id": job["jid"], "name": job["name"], "state": job["state"], "start_ms": job.get("start-time")}
            if job["state"] == "RUNNING":
                latest = client.get(f"/jobs/{job['jid']}/checkpoints").json().get("latest") or {}
                completed = latest.get("completed") or {}
                entry["last_checkpoint"] = (
                    {"id": completed.get("id"), "at_ms": completed.get("latest_ack_timestamp")} if completed else None
                )
            result.append(entry)
        return result
