"""The `fraudscore` command: run the stack locally, manage the broker and a standalone Flink cluster, check
feature files and score PMML models offline."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import orjson
from kafka.errors import KafkaError

from fraudscore import (
    generate_command,
    kafka_io,
    models_command,
    pmml_commands,
    preprocess_command,
    train_command,
)
from fraudscore.api_client import ApiClient
from fraudscore.broker import BrokerConfig, EmbeddedBroker, ensure_topics
from fraudscore.errors import FraudError
from fraudscore.flink_cluster import StandaloneCluster
from fraudscore.local_jobs import LocalJob
from fraudscore.settings import PROJECT_ROOT, Settings
from fraudscore.topics import Topics
from fraudscore.traffic import send_records

if TYPE_CHECKING:
    from fraudscore import demo

JOB_FILES = {"preprocessor": PROJECT_ROOT / "preprocessor_job" / "job.py",
             "scoring": PROJECT_ROOT / "scoring_job" / "job.py"}  # fmt: skip


def broker_config(settings: Settings) -> BrokerConfig:
    port = int(settings.kafka.bootstrap.rsplit(":", 1)[1])
    return BrokerConfig(data_dir=settings.var_dir / "kafka", lib_dir=settings.jvm_dir / "kafka-lib", port=port)


def cluster(settings: Settings) -> StandaloneCluster:
    return StandaloneCluster(settings.var_dir / "flink", changelog_upload_kb=settings.flink.changelog_upload_kb)


def cmd_kafka(args: argparse.Namespace, settings: Settings) -> int:
    config = broker_config(settings)
    running = EmbeddedBroker.find(config)
    if args.action == "status":
        print(f"Kafka running at {config.bootstrap} (pid {running.pid})" if running else "Kafka not running")
        return 0 if running else 3
    if args.action == "stop":
        if running:
            running.stop()
        print("Kafka stopped")
        return 0
    if running:
        print(f"Kafka already running at {config.bootstrap} (pid {running.pid})")
        return 0
    broker = EmbeddedBroker.start(config, attached=False)
    broker.create_topics(Topics(settings.kafka.topic_prefix).specs(), settings.kafka.partitions)
    print(f"Kafka running at {broker.bootstrap} (pid {broker.pid}); data and log in {config.data_dir}")
    return 0


def cmd_flink(args: argparse.Namespace, settings: Settings) -> int:
    local = cluster(settings)
    if args.action == "status":
        count = local.registered_task_managers()
        print(f"Flink at {local.rest_url}: {count} TaskManagers" if count else "Flink cluster not running")
        return 0 if count else 3
    if args.action == "stop":
        local.stop()
        print("Flink cluster stopped")
        return 0
    if local.is_running():
        print(f"Flink cluster already running at {local.rest_url}")
        return 0
    local.start(attached=False)
    print(f"Flink cluster up: web UI {local.rest_url}, logs in {local.log_dir}")
    return 0


def cmd_submit(args: argparse.Namespace, settings: Settings) -> int:
    local = cluster(settings)
    for name in args.jobs:
        job_id = local.submit(JOB_FILES[name], args.parallelism, env={})
        print(f"{name}: job {job_id} at {local.rest_url}/#/job/running/{job_id}/overview")
    return 0


def cmd_tail(args: argparse.Namespace, settings: Settings) -> int:
    topic = getattr(Topics(settings.kafka.topic_prefix), args.topic)
    for record in kafka_io.read(settings.kafka.bootstrap, [topic], timeout_s=args.seconds)[-args.last :]:
        print("(tombstone)" if record.value is None else record.value.decode(errors="replace"))
    return 0


def cmd_topics(args: argparse.Namespace, settings: Settings) -> int:
    specs = Topics(settings.kafka.topic_prefix).specs()
    ensure_topics(settings.kafka.bootstrap, specs, settings.kafka.partitions)
    print(f"{len(specs)} topics present on {settings.kafka.bootstrap}: {', '.join(s.name for s in specs)}")
    return 0


def cmd_dsl_check(args: argparse.Namespace, settings: Settings) -> int:
    """`FILE:LINE:COL: error: MESSAGE`, the line and a caret, for every problem; exit 1 if any.
    With --explain, each valid file's state per feature and per key."""
    from dsl import check_file
    from dsl.explain import explain

    failed = False
    for path in args.files:
        featureset, errors = check_file(Path(path))
        for error in errors:
            print(error.render())
        failed = failed or bool(errors)
        if args.explain and featureset is not None and not errors:
            print(f"{path}:")
            print("\n".join(f"  {line}" if line else "" for line in explain(featureset)))
    if not failed:
        print(f"{len(args.files)} file{'s' if len(args.files) != 1 else ''} OK")
    return 1 if failed else 0


def cmd_dsl_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Features for every event of a JSON-lines file, in input order, by the JVM engine the scoring job runs."""
    from dsl import check_file
    from dsl.jvm import evaluate_file

    featureset, errors = check_file(Path(args.file))
    for error in errors:
        print(error.render(), file=sys.stderr)
    if errors or featureset is None:
        return 1
    events = Path(args.events)
    if not events.is_file():
        raise FraudError(f"{events}: cannot read: no such file")
    sys.stdout.flush()  # the JVM writes to the same standard output
    evaluate_file(featureset, events, Path(args.output) if args.output else None)
    return 0


def cmd_up(args: argparse.Namespace, settings: Settings) -> int:
    """Broker, both jobs, the admin API, the demo's models and traffic in the foreground; Ctrl-C stops all."""
    from api import create_app
    from api.server import serving

    topics = Topics(settings.kafka.topic_prefix)
    log_dir = settings.var_dir / "logs"
    step("Starting Kafka")
    with EmbeddedBroker.start(broker_config(settings)) as broker:
        broker.create_topics(topics.specs(), settings.kafka.partitions)
        step("Starting the preprocessor and scoring jobs (Flink mini-clusters)")
        with (
            LocalJob("preprocessor", {}, log_dir) as pre,
            LocalJob("scoring", {}, log_dir) as scoring,
            serving(create_app(settings), settings.api.host, settings.api.port) as api_url,
        ):
            step(f"Admin API at {api_url} (OpenAPI at {api_url}/docs); model store {settings.database_url}")
            _publish_demo(ApiClient(api_url, models_command.cli_token(settings)))
            step(f"Sending generated traffic (every channel, fraud scenarios among it) to '{topics.raw('*')}' "
                 f"at {args.rate:g} records/s")  # fmt: skip
            print(f"  Where to look: scores on '{topics.scores}', alerts on '{topics.alerts}', "
                  f"rejects on '{topics.dlq}'; job logs in {log_dir}")  # fmt: skip
            print("  From another terminal: .venv/bin/fraudscore tail scores, .venv/bin/fraudscore models list"
                  "   (Ctrl-C here stops all)")  # fmt: skip
            _send_traffic(broker.bootstrap, topics, args.rate, [pre, scoring], args.seconds)
    step("Stopped")
    return 0


def _publish_demo(api: ApiClient) -> None:
    """The demo's feature set and models through the API, as a user would publish them: each model trained
    on generated history on a first start; one the store has from an earlier run is published again from
    the store (the broker's data may be new) instead of trained again."""
    from fraudscore import demo  # pandas and scikit-learn: only `up` needs them, not every command

    dsl, source = demo.live_features()
    deployed = api.post("/features", json={"dsl": dsl, "source": source})
    step(f"Feature set {source}: {deployed['change']['description']}")
    known = {model["model_id"] for model in api.get("/models")}
    if known:
        step(f"{api.post('/control/republish')['description']} from the model store")
    for model in demo.MODELS:
        if model.model_id not in known:
            step(f"First start: training {model.model_id}, {model.what} (about half a minute)")
            _publish_trained(api, model)


def _publish_trained(api: ApiClient, model: demo.DemoModel) -> None:
    from fraudscore import demo

    pmml, card = demo.train(model, step)
    measured = card["holdout_metrics"]
    words = (f"precision {measured['precision']:.3f}, recall {measured['recall']:.3f}, ROC AUC "
             f"{measured['roc_auc']:.3f} on the newest {measured['events']:,} events ({measured['fraud']:,} "
             "positive), not trained on")  # fmt: skip
    form = {"threshold": str(card["threshold"]), "event_types": ",".join(card["event_types"]),
            "score_field": card["score_field"], "description": f"demo {model.kind}, {model.what}: {words}",
            "metadata": orjson.dumps(card)}  # fmt: skip
    published = api.post(f"/models/{model.model_id}/versions", files={"pmml": ("demo.pmml", pmml)}, data=form)
    step(f"Published {model.model_id}: {published['change']['description']}; {words}")


def _send_traffic(bootstrap: str, topics: Topics, rate: float, jobs: list[LocalJob], seconds: float) -> None:
    """Generated records of every channel at `rate` a second, each sent when its event time comes (event
    time follows the clock); a line a second of what came out."""
    from fraudscore import demo

    traffic = demo.live_traffic(rate)
    upcoming = next(traffic)
    deadline = time.monotonic() + seconds if seconds else float("inf")
    scores, alerts = 0, 0
    with kafka_io.Follower(bootstrap, [topics.scores, topics.alerts], from_end=True) as follower:
        next_batch = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(max(0.0, next_batch - time.monotonic()))
            next_batch += 1
            due = []
            while upcoming.ts_ms <= time.time() * 1000:
                due.append(upcoming)
                upcoming = next(traffic)
            send_records(bootstrap, topics, due)
            for job in jobs:
                if not job.is_alive():
                    raise FraudError(f"job {job.name} stopped; its log:\n{job.log_tail()}")
            new = follower.poll(timeout_s=1)
            scores += sum(r.topic == topics.scores for r in new)
            alerts += sum(r.topic == topics.alerts for r in new)
            alert = next((orjson.loads(r.value) for r in reversed(new) if r.topic == topics.alerts), None)
            if alert:
                print(f"  {scores} scores, {alerts} alerts; latest alert: {alert['event_type']} {alert['event_id']} "
                      f"of {alert['customer_id']}, {alert['model_id']} v{alert['model_version']} "
                      f"score {alert['score']:.3f}")  # fmt: skip
            elif new:
                print(f"  {scores} scores, {alerts} alerts")


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="fraudscore", description=__doc__)
    sub = root.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="run broker, both jobs, a demo model and traffic until Ctrl-C")
    up.add_argument("--rate", type=float, default=20, help="raw records per second (default 20)")
    up.add_argument("--seconds", type=float, default=0, help="stop after this long (default: never)")
    up.set_defaults(run=cmd_up)
    kafka = sub.add_parser("kafka", help="the embedded Kafka broker, detached")
    kafka.add_argument("action", choices=["start", "stop", "status"])
    kafka.set_defaults(run=cmd_kafka)
    flink = sub.add_parser("flink", help="a local standalone Flink cluster (1 JobManager, 2 TaskManagers)")
    flink.add_argument("action", choices=["start", "stop", "status"])
    flink.set_defaults(run=cmd_flink)
    submit = sub.add_parser("submit", help="submit jobs to the standalone cluster with `flink run -py`")
    submit.add_argument("jobs", nargs="*", choices=sorted(JOB_FILES), default=sorted(JOB_FILES))
    submit.add_argument("--parallelism", "-p", type=int, default=2)
    submit.set_defaults(run=cmd_submit)
    tail = sub.add_parser("tail", help="print the latest records of a topic")
    tail.add_argument("topic", choices=["events", "scores", "alerts", "dlq", "control"])
    tail.add_argument("--last", type=int, default=20)
    tail.add_argument("--seconds", type=float, default=3, help="how long to read (default 3)")
    tail.set_defaults(run=cmd_tail)
    dsl = sub.add_parser("dsl", help="feature DSL files").add_subparsers(dest="dsl_command", required=True)
    dsl_check = dsl.add_parser("check", help="parse and check .fdsl files; exit 1 on any error")
    dsl_check.add_argument("files", nargs="+")
    dsl_check.add_argument("--explain", action="store_true", help="print the state each feature keeps per key")
    dsl_check.set_defaults(run=cmd_dsl_check)
    dsl_eval = dsl.add_parser("eval", help="features for each event of a JSON-lines file")
    dsl_eval.add_argument("file")
    dsl_eval.add_argument("--events", required=True, help="canonical events, one JSON object a line")
    dsl_eval.add_argument("--output", help="where to write (default: standard output)")
    dsl_eval.set_defaults(run=cmd_dsl_eval)
    topics = sub.add_parser("topics", help="create the pipeline's topics on the configured cluster")
    topics.set_defaults(run=cmd_topics)
    pmml_commands.add_parsers(sub)
    models_command.add_parsers(sub)
    preprocess_command.add_parser(sub)
    generate_command.add_parser(sub)
    train_command.add_parser(sub)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    run: Callable[[argparse.Namespace, Settings], int] = args.run
    settings = Settings()
    try:
        return run(args, settings)
    except FraudError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KafkaError as exc:
        print(f"error: Kafka at {settings.kafka.bootstrap}: {type(exc).__name__} {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted: everything started here has been stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
