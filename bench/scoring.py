"""The scoring data plane on this machine, side by side in one run: the scoring job alone and both jobs end
to end, against Kafka-to-Kafka copies with no Python; latency; swap latency; parallelism 2 on a cluster.

    .venv/bin/python bench/scoring.py [--events 100000] [--swaps 20] [--seconds 25] [--warm 60] [--alone] [--cluster]
    .venv/bin/python bench/scoring.py --latency-at 2000 [--delivery exactly-once] [--seconds 40] [--warm 60]
    .venv/bin/python bench/scoring.py --jars before.jar,after.jar [--rounds 3] [--events 100000] [--end-to-end]
    .venv/bin/python bench/scoring.py --compare VAR=A,B [--rounds 3] [--events 100000] [--end-to-end]

One embedded broker; the feature set examples/payments.fdsl and three models trained on it (logistic
regression, GBM-100, RF-100: fraudscore.training, cached in var/data/bench-*.pmml), every one scoring every
event; each job at parallelism 1 in its own mini-cluster. Figures:

- ceiling: a Flink SQL copy of the canonical events to another topic (bench/passthrough_job.py), events/s;
  then the same copy writing each event three times (`--copies 3`): the Kafka work the scoring job cannot
  avoid (an event read, a score per model written) with nothing between, the bound for any job of its shape;
  chain ceiling: two such copies running together, one feeding the other (raw -> events -> scores' shape).
- the scoring job alone: canonical events preloaded on `events`, the job started (it reads the control topic
  as it builds, so the models and features are live from its first event); events/s = events / (last
  score's time - first score's time, as the broker stamped them), so start-up is not counted; its share of
  the ceiling. Then the same with its keyed state on RocksDB with incremental checkpoints
  (`FRAUDSCORE_FLINK__STATE_BACKEND=rocksdb`), as a share of the heap backend's.
- its latency at 70% of that rate, at-least-once (low latency) and exactly-once: events sent steadily to `events`, the
  first `--warm` seconds of them not counted (a fresh job spends its first tens of seconds on the JIT's compilations,
  and scores what queued meanwhile late); latency = when the score became readable minus when the event was sent (each
  batch of 50 ms is stamped as its sending starts; librdkafka sends it, `bench/load_producer.py`, so that the sender's
  own time and CPU stay small). Each row also gives the median of the first 2 s counted: far above the whole run's,
  the job was still catching up when the count began (raise --warm); and the median and longest duration of each job's
  checkpoints completed while it counted (from Flink's log); and the share of scores later than the target (50 ms for
  the job alone, 100 ms end to end), with how many of them waited while a checkpoint ran or a young GC pause (the
  jobs' JVMs log their pauses: `bench/latency_tail.py`), how many while the broker paused for one (its JVM logs them
  too), and in which leg of their wait they waited longest: sending (the job alone: from the send to the broker's
  append, which the `events` topic stamps), before the job's operators, in them, after them. At-least-once, that is
  when the broker appended it (the bench's `scores` topic stamps LogAppendTime); exactly-once, when its transaction
  committed (it includes the wait for the checkpoint that commits it): a watcher notes the last stable offsets as they
  move. Both are worked out after the run: a consumer decoding every score while the job ran took a share of the cores
  from it and counted its own lag. At-least-once runs three times: with no swaps (the target's own condition), with
  a swap every second (below: what the swaps add to the tail), and with checkpoints every 10 s instead of the
  setting's 2 s, without swaps: what checkpoints add to the tail. (Both jobs' checkpoints write only what changed
  since the last one, their `state_changelog`: the preprocessor's event ids, the scoring job's log of its state
  writes, `auto` on the heap backend.)
- swap: during the second at-least-once latency run, a new version of the LR model every second; swap latency =
  first score by the new version, as the broker stamped it, minus the time its `model.deploy` was sent; none
  may be lost.
- end to end (both jobs): raw records (card, web, mobile, ATM, FX frames) preloaded, the scoring job warm,
  then the preprocessor started; events/s as above, and its share of the chain ceiling. Latency at 70% of
  it, from the raw record's send: at-least-once with checkpoints every 2 s and every 10 s, and exactly-once.
- `--latency-at RATE [--delivery exactly-once]`: only the scoring job alone's latency at RATE events/s, no
  swaps (at-least-once unless told): to compare two builds of the data plane (`FRAUDSCORE_DATAPLANE_JAR`
  names the jar), or to attach a profiler to the job while it counts.
- `--jars A.jar,B.jar`: only the scoring job alone's throughput, with each data plane jar in turn, for
  `--rounds` rounds on one broker and the same events; each jar's medians and its ratios to the first jar's
  run of the same round (the host's speed drifts more between rounds than within one). `--compare VAR=A,B`
  does the same with any environment variable the jobs read (a setting: `FRAUDSCORE_...`) set to each value
  in turn; `--end-to-end` makes either run both jobs on raw records (the end-to-end throughput above).
- the broker: its CPU, its pauses (full ones counted apart) and the concurrent cycles its collector started, over
  the run; its G1 log is kept as var/bench/broker-gc.txt after the run.
- `--cluster`: the scoring job alone on a standalone cluster (two TaskManagers of one slot), at
  parallelism 1 and 2 (`flink run -p`), events preloaded as above.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import itertools
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import orjson
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import latency_tail  # bench/, beside this file
from load_producer import LoadProducer

from fraudscore import control, demo, kafka_io
from fraudscore.broker import BrokerConfig, EmbeddedBroker, free_port
from fraudscore.cli import JOB_FILES
from fraudscore.flink_cluster import StandaloneCluster
from fraudscore.local_jobs import LocalJob
from fraudscore.settings import Settings
from fraudscore.topics import CONTROL_MAX_MESSAGE_BYTES, Topics, TopicSpec
from fraudscore.traffic import Raw, Traffic, send_records
from fraudscore.training import train

ROOT = Path(__file__).resolve().parent.parent
FEATURES = (ROOT / "examples" / "payments.fdsl").read_text()
MODELS = ("lr", "gbm", "rf")
# Each checkpoint of the scoring job writes every key's state (the heap backend's snapshots are full): its
# work is the latency tail. At-least-once needs a checkpoint only to bound what a restart replays, so it can
# take them rarer.
RARE_CHECKPOINTS_MS = 10_000
# A score later than this is late: the issues' p99 targets, the scoring job alone and end to end.
ALONE_LATE_MS = 50
E2E_LATE_MS = 100
# The first span of a latency run's counted events: its median shows whether the warm-up was long enough.
OPENING_MS = 2_000


def models(settings: Settings) -> dict[str, bytes]:
    cached = {}
    for kind in MODELS:
        path = settings.var_dir / "data" / f"bench-{kind}.pmml"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(train(FEATURES, kind))
        cached[kind] = path.read_bytes()
    return cached


def canonical_events(count: int, seed: int = 11) -> list[dict]:
    made = itertools.islice(Traffic(seed=seed, customers=2_000).events(), count)
    return [orjson.loads(event.to_json()) for event, _ in made]


def raw_records(events: int, seed: int = 12) -> list[Raw]:
    """Raw records that make `events` canonical events (or a few more: a ticker frame makes several)."""
    records, made = [], 0
    for raw in Traffic(seed=seed, customers=2_000).records():
        if made >= events:
            return records
        records.append(raw)
        made += len(raw.event_ids)
    raise AssertionError("the generator is endless")


class Bench:
    def __init__(self, broker: EmbeddedBroker, settings: Settings, logs: Path, pmml: dict[str, bytes]) -> None:
        self.broker, self.settings, self.logs, self.pmml = broker, settings, logs, pmml
        self.runs = itertools.count()
        self.checkpoint_ms = settings.flink.checkpoint_interval_ms
        self.score_bytes = 0.0  # the mean size of the last throughput run's score records

    def fresh_topics(self, *, scores_stamped_on_append: bool = False, events_stamped_on_append: bool = False) -> Topics:
        """Fresh topics; those named stamp each record with the broker's append time instead of the sender's."""
        topics = Topics(f"bench{next(self.runs)}.")
        stamped = {topics.scores} if scores_stamped_on_append else set()
        stamped |= {topics.events} if events_stamped_on_append else set()
        append_time = {"message.timestamp.type": "LogAppendTime"}
        specs = [replace(s, configs=s.configs | append_time) if s.name in stamped else s for s in topics.specs()]
        self.broker.create_topics(specs)
        return topics

    def publish_models(self, topics: Topics) -> None:
        key = self.settings.control_key
        records = [control.features_message(1, "payments", FEATURES, key)]
        records += [control.deploy_message(2 + i, kind, 1, self.pmml[kind], key, threshold=0.9)
                    for i, kind in enumerate(MODELS)]  # fmt: skip
        kafka_io.send(self.broker.bootstrap, topics.control, records)

    def job(self, topics: Topics, delivery: str = "at-least-once", name: str = "scoring",
            checkpoint_ms: int | None = None, state_backend: str = "heap") -> LocalJob:  # fmt: skip
        env = {"FRAUDSCORE_KAFKA__BOOTSTRAP": self.broker.bootstrap, "FRAUDSCORE_KAFKA__TOPIC_PREFIX": topics.prefix,
               "FRAUDSCORE_CONTROL_KEY": self.settings.control_key, "FRAUDSCORE_FLINK__PARALLELISM": "1",
               "FRAUDSCORE_FLINK__DELIVERY": delivery, "FRAUDSCORE_FLINK__STATE_BACKEND": state_backend,
               "FRAUDSCORE_FLINK__CHECKPOINT_INTERVAL_MS": str(checkpoint_ms or self.checkpoint_ms)}  # fmt: skip
        # The job's JVM logs its GC pauses, which the latency rows set beside the late scores; it will not start
        # when the log's directory is missing.
        flink_logs = self.logs / topics.prefix / f"{name}-flink"
        flink_logs.mkdir(parents=True, exist_ok=True)
        gc_log = latency_tail.gc_log_option(flink_logs / GC_LOG)
        env["JVM_ARGS"] = f"{os.environ.get('JVM_ARGS', '')} {gc_log}".strip()
        return LocalJob(name, env, self.logs / topics.prefix)

    def wait_for_preprocessor(self, topics: Topics, job: LocalJob) -> None:
        """Raw probe payments until one is scored: then raw records go straight through."""
        for n in itertools.count():
            probe = demo.web_payment(n, "probe", 10.0, ts_ms=1_795_320_000_000, id_prefix="probe-")
            kafka_io.send(self.broker.bootstrap, topics.raw("web"), [(b"probe", probe)])
            scores = kafka_io.read(self.broker.bootstrap, [topics.scores], timeout_s=1)
            if any(r.value.startswith(b'{"event_id":"web-probe-') for r in scores):
                return
            if not job.is_alive():
                raise SystemExit(f"the preprocessor died:\n{job.log_tail()}")

    def wait_until_live(self, topics: Topics, job: LocalJob) -> None:
        """Probe events until every model scores them with the features: then the job is warm."""
        for n in itertools.count():
            probe = {"event_id": f"probe-{n}", "event_type": "login", "ts": 1_795_320_000_000, "channel": "web",
                     "customer_id": "probe", "card_id": f"probe-{n}", "device_id": f"probe-{n}"}  # fmt: skip
            kafka_io.send(self.broker.bootstrap, topics.events, [(b"probe", orjson.dumps(probe))])
            scores = [orjson.loads(r.value) for r in kafka_io.read(self.broker.bootstrap, [topics.scores], timeout_s=1)]
            if len({s["model_id"] for s in scores if s["features_version"] and not s["missing_parts"]}) == len(MODELS):
                return
            if not job.is_alive():
                raise SystemExit(f"the scoring job died:\n{job.log_tail()}")

    def ceiling(self, events: list[dict], copies: int = 1) -> float:
        """Events/s of a Flink SQL copy of `events` to another topic, as the copies were stamped; with `copies`,
        each event written that many times (the scoring job's Kafka work: one score per model, no work between)."""
        topics = self.fresh_topics()
        send(self.broker.bootstrap, topics, events)
        copy = f"{topics.prefix}copy"
        self.broker.create_topics([TopicSpec(copy)])
        subprocess.run([sys.executable, str(ROOT / "bench" / "passthrough_job.py"), self.broker.bootstrap,
                        topics.events, copy, "--copies", str(copies)], check=True, capture_output=True)  # fmt: skip
        copied = self.when_written(copy, len(events) * copies, timeout_s=240)
        return rate(len(copied) / copies, [r.timestamp_ms for r in copied])

    def chain_ceiling(self, events: list[dict]) -> float:
        """Two copies at once, the second reading what the first writes: the two jobs' shape with no Python."""
        topics = self.fresh_topics()
        send(self.broker.bootstrap, topics, events)
        middle, last = f"{topics.prefix}middle", f"{topics.prefix}last"
        self.broker.create_topics([TopicSpec(middle), TopicSpec(last)])
        copy = [sys.executable, str(ROOT / "bench" / "passthrough_job.py"), self.broker.bootstrap]
        second = subprocess.Popen([*copy, middle, last, "follow"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        try:
            subprocess.run([*copy, topics.events, middle], check=True, capture_output=True)
            copied = self.when_written(last, len(events), timeout_s=180)
        finally:
            os.killpg(second.pid, signal.SIGKILL)  # the copy and its mini-cluster's JVM
            second.wait()
        return rate(len(copied), [r.timestamp_ms for r in copied])

    def scoring_throughput(self, events: list[dict], state_backend: str = "heap") -> tuple[float, float]:
        """The scoring job alone, canonical events on `events` before it starts (it reads the control topic
        as it builds, so the models and features are live from its first event). Sent while it ran, they
        came slower than it scored them: the figure was the sender's. Events/s over the whole run, and over
        its second half (the first has the JIT compiling the job's code: a core's worth for tens of seconds)."""
        topics = self.fresh_topics()
        self.publish_models(topics)
        send(self.broker.bootstrap, topics, events)
        want = len(events) * len(MODELS)
        with self.job(topics, state_backend=state_backend):
            scores = self.when_written(topics.scores, want, timeout_s=3_600)
        stamps = sorted(r.timestamp_ms for r in scores)
        second_half = stamps[len(stamps) // 2 :]
        self.score_bytes = statistics.mean(len(r.value) for r in scores)
        return rate(len(scores) / len(MODELS), stamps), rate(len(second_half) / len(MODELS), second_half)

    def throughput(self, raws: list[Raw]) -> tuple[float, float]:
        """End to end: raw records preloaded, both jobs; events/s over the whole run and its second half."""
        topics = self.fresh_topics()
        self.publish_models(topics)
        with self.job(topics) as scoring:
            self.wait_until_live(topics, scoring)
            send_records(self.broker.bootstrap, topics, raws)
            wanted = {event_id for raw in raws for event_id in raw.event_ids}
            probes = len(kafka_io.read_to_end(self.broker.bootstrap, topics.scores))
            with self.job(topics, name="preprocessor"):
                scores = self.when_written(topics.scores, probes + len(wanted) * len(MODELS), timeout_s=3_600)
        stamps = sorted(r.timestamp_ms for r in among(scores, wanted))
        second_half = stamps[len(stamps) // 2 :]
        return rate(len(stamps) / len(MODELS), stamps), rate(len(second_half) / len(MODELS), second_half)

    def latency(self, load: list, per_second: float, seconds: float, delivery: str, *, swaps: int = 0,
                warm_s: float, checkpoint_ms: int | None = None, late_ms: int = ALONE_LATE_MS) -> dict:  # fmt: skip
        """Sent steadily, each event's latency from its send to its score's arrival: canonical events (dicts)
        to the scoring job alone, or raw records (Raw) through both jobs. The same load runs `warm_s` seconds
        first, not counted: a job fresh from its start runs the JIT's first compilations for tens of seconds,
        and what it queues meanwhile would be counted against the running job's latency. The scores later than
        `late_ms` are set beside the jobs' checkpoints and GC pauses (`latency_tail`)."""
        # When each score became readable, with no consumer decoding scores while the jobs run (one took CPU
        # from them and counted its own lag). At-least-once, that is when the broker appended it: the topic
        # stamps LogAppendTime. Exactly-once, when its transaction committed: a watcher notes the partitions'
        # last stable offsets as they move, and a score is readable from the first note past its offset.
        stamped = delivery == "at-least-once"
        end_to_end = isinstance(load[0], Raw)
        # The job alone: the broker stamps each event as it appends it, which splits the bench's own sending off
        # the wait (`legs_text`). End to end the preprocessor takes a raw record's timestamp as its send time.
        topics = self.fresh_topics(scores_stamped_on_append=stamped, events_stamped_on_append=not end_to_end)
        self.publish_models(topics)
        marks: dict[int, list[tuple[int, int]]] = {}
        with contextlib.ExitStack() as jobs:
            scoring = jobs.enter_context(self.job(topics, delivery, checkpoint_ms=checkpoint_ms))
            self.wait_until_live(topics, scoring)
            if end_to_end:
                preprocessor = self.job(topics, delivery, "preprocessor", checkpoint_ms)
                self.wait_for_preprocessor(topics, jobs.enter_context(preprocessor))
            before = len(kafka_io.read_to_end(self.broker.bootstrap, topics.scores))
            stop = threading.Event()
            watch = (self.broker.bootstrap, topics.scores, marks, stop)
            watcher = None if stamped else threading.Thread(target=watch_stable_offsets, args=watch)
            if watcher:
                watcher.start()
            deploys: dict[int, int] = {}
            swapper = threading.Thread(target=self.swap, args=(topics, swaps, deploys, warm_s))
            if swaps:
                swapper.start()
            measured_from = now_ms() + int(warm_s * 1000)
            every = send_steadily(self.broker.bootstrap, topics, load, per_second, warm_s + seconds)
            sent = {event_id: at for event_id, at in every.items() if at >= measured_from}
            if swaps:
                swapper.join()
            with contextlib.suppress(TimeoutError):  # a run whose last scores never come reports the others
                kafka_io.wait_for_records(self.broker.bootstrap, topics.scores, before + len(every) * len(MODELS),
                                          timeout_s=120, committed_only=True)  # fmt: skip
            if watcher:  # the commit markers counted as records: the last scores commit at a checkpoint to come
                time.sleep(2 * (checkpoint_ms or self.checkpoint_ms) / 1000 + 1)
                stop.set()
                watcher.join()
        scores = kafka_io.read_to_end(self.broker.bootstrap, topics.scores, timeout_s=600)
        appended = {} if end_to_end else append_times(self.broker.bootstrap, topics.events)
        when = (lambda record: record.timestamp_ms) if stamped else readable_at(marks)
        arrived = [(when(record), record.value) for record in scores]
        received = [(at, orjson.loads(value)) for at, value in arrived]
        arrivals = [(at, sent[score["event_id"]]) for at, score in received if score["event_id"] in sent]
        latencies = [at - sent_at for at, sent_at in arrivals]
        # What got through while events came at the asked rate: below it, a queue built up.
        last = max((at for at, _ in arrivals), default=None)
        delivered = len(sent) / max(1e-3, (last - min(sent.values())) / 1000) if last is not None else 0.0
        opening = [at - sent_at for at, sent_at in arrivals if sent_at < measured_from + OPENING_MS]
        figures = {
            "delivered": round(delivered),
            "events": len(sent),
            "scores": len(latencies),
            "p50": percentile(latencies, 50),
            "p99": percentile(latencies, 99),
            "opening_p50": percentile(opening, 50),
            "checkpoints": self.checkpoints(topics, measured_from),
            "tail": self.tail(topics, arrivals, late_ms, measured_from),
            "legs": legs_text(received, sent, appended, late_ms),
        }
        if swaps:
            figures |= swap_figures(received, arrivals, deploys, late_ms)
        return figures

    def job_logs(self, topics: Topics) -> dict[str, Path]:
        """The log directory of each job of the run, by job name, the scoring job's first."""
        ran = {logs.name.removesuffix("-flink"): logs for logs in (self.logs / topics.prefix).glob("*-flink")}
        return dict(sorted(ran.items(), key=lambda job: job[0] != "scoring"))

    def checkpoints(self, topics: Topics, since_ms: int) -> dict[str, tuple[float, float]]:
        """The median and longest duration (ms) of each job's checkpoints completed from `since_ms` on."""
        figures = {}
        for job, logs in self.job_logs(topics).items():
            took = latency_tail.checkpoint_durations(log_lines(logs, FLINK_LOGS), since_ms)
            figures[job] = (percentile(took, 50), max(took, default=float("nan")))
        return figures

    def tail(self, topics: Topics, arrivals: list[tuple[int, int]], late_ms: int, since_ms: int) -> str:
        """The late scores (arrived, sent) set beside the checkpoints and young GC pauses of every job of the run
        from `since_ms` on, from the jobs' logs; then beside the broker's young pauses."""
        checkpoints, pauses = [], []
        for logs in self.job_logs(topics).values():
            checkpoints += latency_tail.checkpoint_spans(log_lines(logs, FLINK_LOGS))
            pauses += latency_tail.young_pauses(log_lines(logs, GC_LOG))
        waits = [(sent_at, at - sent_at) for at, sent_at in arrivals]
        counted = [c for c in checkpoints if c[1] >= since_ms], [p for p in pauses if p[1] >= since_ms]
        jobs = latency_tail.tail(waits, late_ms, *counted).text(late_ms)
        return jobs + self.beside_broker_pauses(waits, late_ms, since_ms)

    def beside_broker_pauses(self, waits: list[tuple[int, int]], late_ms: int, since_ms: int) -> str:
        """How many late scores (sent, latency ms) waited while the broker paused for a young collection, from
        `since_ms` on."""
        pauses = latency_tail.young_pauses(log_lines(self.logs, BROKER_GC_LOG))
        counted = [p for p in pauses if p[1] >= since_ms]
        broker = latency_tail.tail(waits, late_ms, [], counted)
        if not broker.late:
            return ""
        return (f"; {broker.beside_pause / broker.late:.0%} beside one of the broker's {len(counted)} young pauses "
                f"(median {broker.pause_p50_ms:.0f} ms)")  # fmt: skip

    def broker_load(self) -> str:
        """The broker's JVM so far: its CPU time (it shares the two cores with the jobs) and its G1 log's pauses
        and the concurrent cycles started."""
        stat = Path(f"/proc/{self.broker.pid}/stat").read_text().rsplit(")", 1)[1].split()
        cpu_s = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
        gc = latency_tail.gc_summary(log_lines(self.logs, BROKER_GC_LOG))
        return f"{cpu_s:,.0f} s of CPU; {gc.text()}"

    def on_cluster(self, events: list[dict], parallelism: int, cluster: StandaloneCluster) -> float:
        """The scoring job alone on the standalone cluster (`flink run -p`), events preloaded."""
        topics = self.fresh_topics()
        self.publish_models(topics)
        send(self.broker.bootstrap, topics, events)
        env = {"FRAUDSCORE_KAFKA__BOOTSTRAP": self.broker.bootstrap, "FRAUDSCORE_KAFKA__TOPIC_PREFIX": topics.prefix,
               "FRAUDSCORE_CONTROL_KEY": self.settings.control_key}  # fmt: skip
        job_id = cluster.submit(JOB_FILES["scoring"], parallelism=parallelism, env=env)
        try:
            want = len(events) * len(MODELS)
            scores = self.when_written(topics.scores, want, timeout_s=1_800)
        finally:
            cluster.cancel(job_id)
        return rate(len(scores) / len(MODELS), [r.timestamp_ms for r in scores])

    def when_written(self, topic: str, count: int, timeout_s: float) -> list[kafka_io.Record]:
        """The records of `topic` once it holds `count`: watched by its end offsets, read only then, so that
        reading them takes no CPU from the jobs being measured (their broker-stamped times are the figures)."""
        kafka_io.wait_for_records(self.broker.bootstrap, topic, count, timeout_s)
        return kafka_io.read(self.broker.bootstrap, [topic], lambda rs: len(rs) >= count, timeout_s=120)

    def swap(self, topics: Topics, swaps: int, deploys: dict[int, int], warm_s: float) -> None:
        """A new version of the LR model every second, each stamped as it is sent: one producer, connected
        before the first, so that its start (a connection, metadata) is not counted against the job."""
        producer = KafkaProducer(bootstrap_servers=self.broker.bootstrap, acks="all",
                                 max_request_size=CONTROL_MAX_MESSAGE_BYTES)  # fmt: skip
        producer.partitions_for(topics.control)
        try:
            time.sleep(warm_s + 2)
            for version in range(2, swaps + 2):
                key, value = control.deploy_message(100 + version, "lr", version, self.pmml["lr"],
                                                    self.settings.control_key, threshold=0.9)  # fmt: skip
                deploys[version] = now_ms()
                producer.send(topics.control, key=key, value=value)
                producer.flush()
                time.sleep(1)
        finally:
            producer.close()


def swap_figures(received: list[tuple[int, dict]], arrivals: list[tuple[int, int]], deploys: dict[int, int],
                 late_ms: int) -> dict:  # fmt: skip
    """From each publish to the first score by its version, and the late scores beside the publishes."""
    first = {}
    for at, score in sorted(received, key=lambda arrival: arrival[0]):
        if score["model_id"] == "lr" and score["model_version"] > 1:
            first.setdefault(score["model_version"], at)
    swap_ms = [first[v] - deployed for v, deployed in deploys.items() if v in first]
    waits = ((sent_at, at - sent_at) for at, sent_at in arrivals)
    return {"swaps": len(swap_ms), "swap_p50": percentile(swap_ms, 50), "swap_p99": percentile(swap_ms, 99),
            "swap_tail": latency_tail.swap_tail(waits, late_ms, list(deploys.values())).text()}  # fmt: skip


def swap_label(run: dict, swaps: int) -> str:
    return f"swap to first score by the new version ({run.get('swaps', 0)} of {swaps} seen): p50 / p99"


def swap_text(run: dict) -> str:
    if not run.get("swaps"):
        return "none seen"
    return f"{run['swap_p50']:,.0f} / {run['swap_p99']:,.0f} ms ({run['swap_tail']})"


def watch_stable_offsets(bootstrap: str, topic: str, marks: dict[int, list[tuple[int, int]]],
                         stop: threading.Event) -> None:  # fmt: skip
    """Every 10 ms, each partition's last stable offset (what a consumer reading committed records can read up
    to) when it has moved, with when it was seen: `marks[partition]` = [(time ms, offset), ...], in order."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, isolation_level="read_committed", enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        while not stop.is_set():
            ends = consumer.end_offsets(partitions)
            at = now_ms()
            for partition, end in ends.items():
                seen = marks.setdefault(partition.partition, [])
                if not seen or seen[-1][1] != end:
                    seen.append((at, end))
            time.sleep(0.01)
    finally:
        consumer.close()


def readable_at(marks: dict[int, list[tuple[int, int]]]) -> Callable[[kafka_io.Record], int]:
    """When the watcher first saw a record under its partition's last stable offset (its last note if never)."""
    offsets = {partition: [offset for _, offset in seen] for partition, seen in marks.items()}

    def at(record: kafka_io.Record) -> int:
        seen = marks[record.partition]
        return seen[min(bisect.bisect_right(offsets[record.partition], record.offset), len(seen) - 1)][0]

    return at


def among(records: list, wanted: set[str]) -> list:
    """The score records of those events, read off the bytes (a score record starts with its event id)."""
    start = len(b'{"event_id":"')
    return [r for r in records if r.value[start : r.value.index(b'"', start)].decode() in wanted]


def send(bootstrap: str, topics: Topics, events: list[dict]) -> None:
    kafka_io.send(bootstrap, topics.events, [(e["customer_id"].encode() if e.get("customer_id") else None,
                                              orjson.dumps(e)) for e in events])  # fmt: skip


def send_steadily(bootstrap: str, topics: Topics, load: list, per_second: float, seconds: float) -> dict[str, int]:
    """Batches every 50 ms, records until the batch's events make the rate; returns each event's send time.
    Raw records (fresh, never sent before: the preprocessor drops a repeated id) to their raw topics, or
    canonical events (dicts) to `events`. The send time is each record's Kafka timestamp, and so its event's
    `ingested_ms` (the preprocessor takes the raw record's; a canonical event gets it here), from which the
    job's `latency_ms` counts."""
    sent: dict[str, int] = {}
    producer = LoadProducer(bootstrap, linger_ms=2)
    per_batch = per_second / 20
    start = time.monotonic()
    source = iter(load)
    owed = 0.0
    for n in itertools.count():
        due = start + n * 0.05
        if due - start >= seconds:
            break
        time.sleep(max(0.0, due - time.monotonic()))
        stamp = now_ms()
        owed += per_batch
        while owed >= 1:
            item = next(source)
            if isinstance(item, Raw):
                producer.send(topics.raw(item.channel), key=item.key, value=item.value, timestamp_ms=stamp)
                ids = item.event_ids
            else:
                event = orjson.dumps(item | {"ingested_ms": stamp})
                key = (item.get("customer_id") or "").encode()
                producer.send(topics.events, key=key, value=event, timestamp_ms=stamp)
                ids = [item["event_id"]]
            sent.update(dict.fromkeys(ids, stamp))
            owed -= len(ids)
        producer.serve()
    producer.close()
    return sent


def rate(count: float, stamps: list[int]) -> float:
    return count / max(1e-3, (max(stamps) - min(stamps)) / 1000)


def percentile(values: list[float], p: int) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


def now_ms() -> int:
    return int(time.time() * 1000)


def latency_text(run: dict) -> str:
    """p50 / p99, what got through, the median of the first counted events (the warm-up's check), and how long
    the jobs' checkpoints took meanwhile (the latency's tail)."""
    return (f"{run['p50']:,.0f} / {run['p99']:,.0f} ms ({run['delivered']:,}/s; "
            f"first {OPENING_MS / 1000:.0f} s: p50 {run['opening_p50']:,.0f} ms; "
            f"checkpoints: {checkpoints_text(run['checkpoints'])}; "
            f"late: {run['tail']}; {run['legs']})")  # fmt: skip


def checkpoints_text(checkpoints: dict[str, tuple[float, float]]) -> str:
    """Each job's checkpoints while the run counted: their median and longest duration; the job is named when
    there are two."""
    named = len(checkpoints) > 1
    return ", ".join(f"{job + ' ' if named else ''}p50 {p50:,.0f} ms, longest {longest:,.0f}"
                     for job, (p50, longest) in checkpoints.items())  # fmt: skip


BROKER_GC_LOG = "broker-gc.txt"  # in the bench's log directory
GC_LOG = "jvm-gc.txt"  # in the job's Flink log directory, apart from Flink's own logs:
FLINK_LOGS = "flink-*.log"


def legs_text(received: list[tuple[int, dict]], sent: dict[str, int], appended: dict[str, int], late_ms: int) -> str:
    """The late scores' wait split by each score's own stamps (latency_tail.legs): its `latency_ms` counts from
    the send (the event's `ingested_ms`), its `job_ms` from when the job's first operator took the event; and by
    when the broker appended the event, where `appended` has it."""
    stamped = [(sent[s["event_id"]], at, s["latency_ms"], s["job_ms"], appended.get(s["event_id"]))
               for at, s in received if s["event_id"] in sent and s.get("latency_ms") is not None]  # fmt: skip
    return latency_tail.legs(stamped, late_ms).text()


def append_times(bootstrap: str, topic: str) -> dict[str, int]:
    """Each event's id and when the broker appended it (its topic stamps LogAppendTime)."""
    events = kafka_io.read_to_end(bootstrap, topic, timeout_s=600)
    return {orjson.loads(record.value)["event_id"]: record.timestamp_ms for record in events}


def log_lines(directory: Path, pattern: str) -> list[str]:
    """The lines of the logs in `directory` that `pattern` names (none when there are none)."""
    return [line for log in sorted(directory.glob(pattern)) for line in log.read_text(errors="replace").splitlines()]


def swapping_seconds(seconds: float, swaps: int) -> float:
    """How long a latency run with `swaps` (one a second, from 2 s in) lasts: long enough to see them all."""
    return max(seconds, swaps + 5) if swaps else seconds


def scoring_latencies(bench: Bench, args: argparse.Namespace, at: float, report: Callable[[str, str], None]) -> None:
    """The scoring job alone at `at` events/s: at-least-once without swaps, with them, and with checkpoints far
    apart; then exactly-once."""
    sent = int(at * (args.warm + args.seconds)) + 100
    quiet = bench.latency(canonical_events(sent, seed=19), at, args.seconds, "at-least-once", warm_s=args.warm)
    report(f"scoring job alone at {at:,.0f}/s, at-least-once, no swaps: p50 / p99 (delivered)", latency_text(quiet))
    if args.swaps:
        seconds = swapping_seconds(args.seconds, args.swaps)
        swapping = int(at * (args.warm + seconds)) + 100
        low = bench.latency(canonical_events(swapping, seed=14), at, seconds, "at-least-once", swaps=args.swaps,
                            warm_s=args.warm)  # fmt: skip
        report(f"scoring job alone at {at:,.0f}/s, at-least-once, a swap every second: p50 / p99 (delivered)",
               latency_text(low))  # fmt: skip
        report(swap_label(low, args.swaps), swap_text(low))
    rare = bench.latency(canonical_events(sent, seed=18), at, args.seconds, "at-least-once", warm_s=args.warm,
                         checkpoint_ms=RARE_CHECKPOINTS_MS)  # fmt: skip
    report(f"scoring job alone at {at:,.0f}/s, at-least-once, checkpoint {RARE_CHECKPOINTS_MS} ms, no swaps: p50 / p99",
           latency_text(rare))  # fmt: skip
    exact = bench.latency(canonical_events(sent, seed=15), at, args.seconds, "exactly-once", warm_s=args.warm)
    every = bench.checkpoint_ms
    report(f"scoring job alone at {at:,.0f}/s, exactly-once (checkpoint {every} ms): p50 / p99 (delivered)",
           latency_text(exact))  # fmt: skip


def end_to_end(bench: Bench, args: argparse.Namespace, events: list[dict], raws: list[Raw],
               report: Callable[[str, str], None]) -> None:  # fmt: skip
    """Both jobs: the chain ceiling, raw records preloaded, then latency at 70% of that rate."""
    chain = bench.chain_ceiling(events)
    report("chain ceiling: two copies one after the other, no Python", f"{chain:,.0f} events/s")
    both, steady = bench.throughput(raws)
    shares = f"{both / chain:.0%} / {steady / chain:.0%} of the chain"
    report("end to end, both jobs, raw records preloaded: whole run / its second half",
           f"{both:,.0f} / {steady:,.0f} events/s ({shares})")  # fmt: skip
    at = 0.7 * both
    runs = (("at-least-once", 16, None), ("at-least-once", 18, RARE_CHECKPOINTS_MS), ("exactly-once", 17, None))
    for delivery, seed, checkpoint_ms in runs:
        load = raw_records(int(at * (args.warm + args.seconds)) + 100, seed=seed)
        run = bench.latency(
            load, at, args.seconds, delivery, warm_s=args.warm, checkpoint_ms=checkpoint_ms, late_ms=E2E_LATE_MS
        )
        interval = checkpoint_ms or bench.checkpoint_ms
        report(f"end to end at {at:,.0f}/s, {delivery} (checkpoint {interval} ms): p50 / p99 (delivered)",
               latency_text(run))  # fmt: skip


@contextlib.contextmanager
def embedded_bench(settings: Settings) -> Iterator[tuple[Bench, Path]]:
    """A bench on a fresh embedded broker, and the temporary directory that holds its data and the jobs' logs."""
    pmml = models(settings)
    with tempfile.TemporaryDirectory() as tmp:
        config = BrokerConfig(data_dir=Path(tmp) / "kafka", lib_dir=settings.jvm_dir / "kafka-lib", port=free_port())
        logs = Path(tmp) / "logs"
        logs.mkdir()
        with logging_gc_pauses(logs / BROKER_GC_LOG):  # the broker's JVM only: the jobs start later
            broker = EmbeddedBroker.start(config)
        try:
            with broker:
                yield Bench(broker, settings, logs, pmml), Path(tmp)
        finally:  # kept past the temporary directory, to read a long pause in it again
            if (logs / BROKER_GC_LOG).is_file():
                kept = settings.var_dir / "bench" / BROKER_GC_LOG
                kept.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(logs / BROKER_GC_LOG, kept)


@contextlib.contextmanager
def logging_gc_pauses(path: Path) -> Iterator[None]:
    """The JVMs started meanwhile (the broker) log their GC pauses to `path`, for the latency rows: through
    JAVA_TOOL_OPTIONS, which every JVM reads, set only while the broker starts (the jobs log their own)."""
    before = os.environ.get("JAVA_TOOL_OPTIONS")
    os.environ["JAVA_TOOL_OPTIONS"] = f"{before or ''} {latency_tail.gc_log_option(path)}".strip()
    try:
        yield
    finally:
        if before is None:
            del os.environ["JAVA_TOOL_OPTIONS"]
        else:
            os.environ["JAVA_TOOL_OPTIONS"] = before


def latency_only(args: argparse.Namespace) -> None:
    """The scoring job alone at a given rate and delivery mode, the setting's checkpoints, and a swap a second
    when `--latency-swaps` asks for some (the run lasts at least as long as the swaps and 5 s)."""
    swaps = args.latency_swaps
    seconds = swapping_seconds(args.seconds, swaps)
    load = canonical_events(int(args.latency_at * (args.warm + seconds)) + 100, seed=14)
    with embedded_bench(Settings()) as (bench, _):
        run = bench.latency(load, args.latency_at, seconds, args.delivery, swaps=swaps, warm_s=args.warm)
        print(f"the broker over the run: {bench.broker_load()}")
    print(f"scoring job alone at {args.latency_at:,.0f}/s, {args.delivery} (checkpoint {bench.checkpoint_ms} ms), "
          f"{swaps} swaps: p50 / p99 (delivered): {latency_text(run)}")  # fmt: skip
    if swaps:
        print(f"{swap_label(run, swaps)}: {swap_text(run)}")


def compare(args: argparse.Namespace) -> None:
    """Throughput with each value of one environment variable in turn (`--jars`: FRAUDSCORE_DATAPLANE_JAR, each
    data plane jar; `--compare VAR=A,B`: any setting), round after round on one broker and the same load: the
    host's speed drifts by more than most changes, so compare within a round. The scoring job alone on
    canonical events, or with `--end-to-end` both jobs on raw records."""
    if args.jars:
        variable, values = "FRAUDSCORE_DATAPLANE_JAR", [str(Path(jar).resolve()) for jar in args.jars.split(",")]
    else:
        variable, _, listed = args.compare.partition("=")
        values = listed.split(",")
    load = raw_records(args.events) if args.end_to_end else canonical_events(args.events)
    runs: dict[str, list[tuple[float, float]]] = {value: [] for value in values}
    with embedded_bench(Settings()) as (bench, _):
        for round_ in range(1, args.rounds + 1):
            for value in values:
                os.environ[variable] = value  # the jobs' processes read it as they start
                runs[value].append(bench.throughput(load) if args.end_to_end else bench.scoring_throughput(load))
                whole, steady = runs[value][-1]
                print(f"round {round_}, {variable}={value}: {whole:,.0f} / {steady:,.0f} events/s "
                      "(whole run / second half)", flush=True)  # fmt: skip
    first = values[0]
    print(f"\n| {variable} | whole run / second half, median events/s | against {Path(first).name}, per round |")
    print("|---|---:|---|")
    for value in values:
        wholes, steadies = zip(*runs[value], strict=True)
        ratios = ", ".join(
            f"{w / b[0]:.2f} / {s / b[1]:.2f}" for (w, s), b in zip(runs[value], runs[first], strict=True)
        )
        print(f"| {value} | {statistics.median(wholes):,.0f} / {statistics.median(steadies):,.0f} | {ratios} |")


def alone_throughputs(bench: Bench, events: list[dict], report: Callable[[str, str], None]) -> float:
    """The copy ceilings, then the scoring job alone on the heap and on RocksDB; the heap's whole-run events/s."""
    ceiling = bench.ceiling(events)
    report("ceiling: Kafka to Kafka, no Python", f"{ceiling:,.0f} events/s")
    fanned = bench.ceiling(events, copies=len(MODELS))
    event_bytes = statistics.mean(len(orjson.dumps(e)) for e in events)
    report(
        f"the same copy writing each event {len(MODELS)} times (the job's writes, no work)",
        f"{fanned:,.0f} events/s ({fanned / ceiling:.0%} of ceiling; events of {event_bytes:,.0f} bytes)",
    )
    alone, steady = bench.scoring_throughput(events)
    report(
        "the scoring job alone, events preloaded: whole run / its second half",
        f"{alone:,.0f} / {steady:,.0f} events/s ({alone / ceiling:.0%} / {steady / ceiling:.0%} of ceiling; "
        f"{alone / fanned:.0%} / {steady / fanned:.0%} of the {len(MODELS)}-write copy; score records of "
        f"{bench.score_bytes:,.0f} bytes)",
    )
    on_disk, on_disk_steady = bench.scoring_throughput(events, "rocksdb")
    report("the same on RocksDB, incremental checkpoints: whole run / its second half",
           f"{on_disk:,.0f} / {on_disk_steady:,.0f} events/s ({on_disk / alone:.0%} / "
           f"{on_disk_steady / steady:.0%} of the heap's)")  # fmt: skip
    return alone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--swaps", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=25, help="length of each latency run")
    # 30 s was too short on this machine: at 2,000 events/s the job alone was still scoring its warm-up's
    # backlog 6 s into the count (latencies of a second), which made most of that run's p99.
    parser.add_argument("--warm", type=float, default=60, help="seconds of the same load before each latency run")
    parser.add_argument("--alone", action="store_true", help="the ceiling and the scoring job alone only")
    parser.add_argument("--cluster", action="store_true", help="also parallelism 1 and 2 on a standalone cluster")
    only_latency = "only the scoring job alone's latency at RATE events/s"
    parser.add_argument("--latency-at", type=float, metavar="RATE", help=only_latency)
    parser.add_argument("--latency-swaps", type=int, default=0, metavar="N", help="swaps during --latency-at")
    parser.add_argument(
        "--delivery", choices=("at-least-once", "exactly-once"), default="at-least-once", help="of --latency-at"
    )
    jars = "only the scoring job alone's throughput with each data plane jar in turn (comma-separated)"
    parser.add_argument("--jars", metavar="A.jar,B.jar", help=jars)
    setting = "only throughput with the environment variable VAR set to each value in turn (comma-separated)"
    parser.add_argument("--compare", metavar="VAR=A,B", help=setting)
    parser.add_argument("--end-to-end", action="store_true", help="--jars and --compare through both jobs")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of --jars or --compare")
    args = parser.parse_args()
    if args.latency_at:
        latency_only(args)
        return
    if args.compare and "=" not in args.compare:
        parser.error("--compare takes VAR=A,B: a variable's name, then the values to try, comma-separated")
    if args.jars or args.compare:
        compare(args)
        return
    events = canonical_events(args.events)
    raws = raw_records(args.events)
    rows: list[tuple[str, str]] = []

    def report(name: str, value: str) -> None:
        rows.append((name, value))
        print(f"{name}: {value}", flush=True)

    with embedded_bench(Settings()) as (bench, tmp):
        alone = alone_throughputs(bench, events, report)
        if not args.alone:
            scoring_latencies(bench, args, 0.7 * alone, report)
            end_to_end(bench, args, events, raws, report)
        if args.cluster:
            cluster = StandaloneCluster(tmp / "flink", rest_port=free_port())
            cluster.start()
            try:
                for parallelism in (1, 2):
                    figure = bench.on_cluster(events, parallelism, cluster)
                    report(f"the scoring job alone on the standalone cluster, parallelism {parallelism}",
                           f"{figure:,.0f} events/s")  # fmt: skip
            finally:
                cluster.stop()
        report("the broker's JVM over the whole bench", bench.broker_load())
    print("\n| figure | value |\n|---|---:|")
    print("\n".join(f"| {name} | {value} |" for name, value in rows))


if __name__ == "__main__":
    main()
