"""Hot swap under load, on the real broker and Flink: 20 versions of a model published while 50,000 events
(and more, until the last version scores) flow, the last a 20 MB PMML, compiled while its predecessor goes
on scoring; every event gets exactly one score per live model, each names its version and is that
version's output, a customer's versions never go back, no event is lost. (No feature set: the swap happens where
events are scored whatever the features; test_features_in_job covers those, on fewer events.)"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import Counter, defaultdict

import orjson
import pytest

from fraudscore import kafka_io
from fraudscore.local_jobs import LocalJob
from fraudscore.traffic import Traffic
from tests.pipeline import collect_and_linger, deploy, values
from tests.scoring_job.test_features_in_job import job_env, wait_for_features, without_probes

pytestmark = pytest.mark.integration

EVENTS = 50_000
SPARE_EVENTS = 50_000  # sent after the first EVENTS only until the last version has scored
VERSIONS = 20


LARGE_PMML_BYTES = 20_000_000


def versioned_model(version: int) -> bytes:
    """A regression on the amount whose score is 1000 x its version plus less than 500: each score says
    which version gave it."""
    return f"""<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/><DataDictionary>
<DataField name="amount" optype="continuous" dataType="double"/>
<DataField name="risk" optype="continuous" dataType="double"/></DataDictionary>
<RegressionModel functionName="regression"><MiningSchema><MiningField name="risk" usageType="target"/>
<MiningField name="amount" missingValueReplacement="0"/></MiningSchema>
<RegressionTable intercept="{1000 * version}"><NumericPredictor name="amount" coefficient="0.0001"/>
</RegressionTable></RegressionModel></PMML>""".encode()


def large_versioned_model(version: int, trees: int) -> bytes:
    """The size of a large boosted forest (430 trees of depth 8 on the amount make 20 MB), shaped like one
    (a sum of trees, which the compiled engine scores by its fast path), scoring exactly 1000 x its version:
    a first tree of one leaf, then trees whose leaves all score 0."""
    rng = random.Random(version)
    version_tree = _tree_segment(-1, f'<Node score="{1000 * version}"><True/></Node>')
    forest = "".join(_tree_segment(n, _nodes(rng, 8, 0.0, 5000.0, "<True/>")) for n in range(trees))
    return f"""<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/><DataDictionary>
<DataField name="amount" optype="continuous" dataType="double"/>
<DataField name="risk" optype="continuous" dataType="double"/></DataDictionary>
<MiningModel functionName="regression"><MiningSchema><MiningField name="risk" usageType="target"/>
<MiningField name="amount" missingValueReplacement="0"/></MiningSchema>
<Segmentation multipleModelMethod="sum" missingPredictionTreatment="returnMissing">
{version_tree}{forest}</Segmentation></MiningModel></PMML>""".encode()


def _tree_segment(n: int, nodes: str) -> str:
    return (
        f'<Segment id="tree{n}"><True/><TreeModel functionName="regression" splitCharacteristic="binarySplit">'
        f'<MiningSchema><MiningField name="amount"/></MiningSchema>{nodes}</TreeModel></Segment>'
    )


def _nodes(rng: random.Random, depth: int, low: float, high: float, predicate: str) -> str:
    if depth == 0:
        return f'<Node score="0">{predicate}</Node>'
    cut = round(rng.uniform(low, high), 4)
    below = _nodes(rng, depth - 1, low, cut, f'<SimplePredicate field="amount" operator="lessOrEqual" value="{cut}"/>')
    above = _nodes(rng, depth - 1, cut, high, f'<SimplePredicate field="amount" operator="greaterThan" value="{cut}"/>')
    return f"<Node>{predicate}{below}{above}</Node>"


@pytest.fixture(scope="module")
def events() -> list[tuple[bytes, bytes]]:
    """(customer, canonical event) in the order the customers made them."""
    made = itertools.islice(Traffic(seed=21, customers=300).events(), EVENTS + SPARE_EVENTS)
    return [((event.customer_id or "").encode(), event.to_json()) for event, _ in made]


def test_twenty_versions_swapped_in_while_events_flow(kafka, topics, settings, log_dir, events):
    key = settings.control_key
    large_pmml = large_versioned_model(VERSIONS, trees=430)
    assert len(large_pmml) > LARGE_PMML_BYTES
    kafka_io.send(kafka.bootstrap, topics.control, [
        deploy(2, "swapped", 1, versioned_model(1), key, threshold=1e9),
        deploy(3, "steady", 1, versioned_model(0), key, threshold=1e9, mode="shadow"),
    ])  # fmt: skip
    with LocalJob("scoring", job_env(kafka, topics, settings), log_dir) as job:
        wait_for_features(kafka, topics, job, label=None)
        last_scored, sent = threading.Event(), []
        sender = threading.Thread(
            target=send_steadily, args=(kafka.bootstrap, topics.events, events, last_scored, sent)
        )
        sender.start()
        with kafka_io.Follower(kafka.bootstrap, [topics.scores]) as follower:
            for version in range(2, VERSIONS + 1):  # each once the one before has scored: both see events
                wait_for_a_score_by(follower, version - 1, job)
                pmml = large_pmml if version == VERSIONS else versioned_model(version)
                new = deploy(2 + version, "swapped", version, pmml, key, threshold=1e9)
                kafka_io.send(kafka.bootstrap, topics.control, [new])
            # The 20 MB forest compiles off the scoring thread (seconds): the version before scores meanwhile.
            wait_for_a_score_by(follower, VERSIONS, job, timeout_s=300)
            last_scored.set()
        sender.join()
        records = collect_and_linger(kafka.bootstrap, [topics.scores], two_scores_each_of(len(sent)), [job], linger_s=5)

    scores = without_probes(values(records, topics.scores))
    every_event = {orjson.loads(event)["event_id"] for _, event in sent}
    assert Counter((s["event_id"], s["model_id"]) for s in scores) == Counter(
        {(event_id, model): 1 for event_id in every_event for model in ("swapped", "steady")}
    )
    swapped = [s for s in scores if s["model_id"] == "swapped"]
    assert all(round(s["score"] / 1000) == s["model_version"] for s in swapped), "a score not from its version"
    assert {s["model_version"] for s in swapped} == set(range(1, VERSIONS + 1)), "a version never scored"
    assert_versions_never_go_back(swapped, sent)


def wait_for_a_score_by(follower: kafka_io.Follower, version: int, job: LocalJob, timeout_s: float = 120) -> None:
    signature = b'"model_id":"swapped","model_version":%d,' % version
    deadline = time.monotonic() + timeout_s
    while not any(signature in record.value for record in follower.poll(timeout_s=0.2)):
        assert job.is_alive(), job.log_tail()
        assert time.monotonic() < deadline, f"version {version} scored nothing in {timeout_s:.0f} s"


def two_scores_each_of(events: int):
    # Counted on the bytes: parsing 100,000 records at every poll would take longer than the job.
    return lambda records: sum(not r.value.startswith(b'{"event_id":"probe-') for r in records) >= 2 * events


def send_steadily(
    bootstrap: str, topic: str, events: list[tuple[bytes, bytes]], enough: threading.Event, sent: list
) -> None:
    """In batches of 1,000, 4 a second at most, so that events flow through all the swaps: the first EVENTS,
    then more until `enough` is set (the last version has scored). `sent` gets what was sent."""
    for start in range(0, len(events), 1_000):
        if start >= EVENTS and enough.is_set():
            return
        batch = events[start : start + 1_000]
        kafka_io.send(bootstrap, topic, batch)
        sent.extend(batch)
        time.sleep(0.25)


def assert_versions_never_go_back(scores: list[dict], events: list[tuple[bytes, bytes]]) -> None:
    order = {orjson.loads(event)["event_id"]: n for n, (_, event) in enumerate(events)}
    by_customer = defaultdict(list)
    for score in sorted(scores, key=lambda s: order[s["event_id"]]):
        if score["customer_id"] is not None:  # a tick belongs to no customer
            by_customer[score["customer_id"]].append(score["model_version"])
    for customer, versions in by_customer.items():
        assert versions == sorted(versions), f"{customer} went back to an older version: {versions}"
