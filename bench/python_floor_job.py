"""The least Python operators cost on this machine, between two topics: canonical events copied from one
topic to another through Python functions with nothing in them, THREAD mode, parallelism 1, written by the
jobs' own Kafka sink.

    python bench/python_floor_job.py BOOTSTRAP FROM_TOPIC TO_TOPIC map|keyed|fanout

`map`: a stateless Python map (parse the event's JSON, write it back). `keyed`: keyed by card (PyFlink's
key_by with a Python key selector), one pickled ValueState read and written per event, nothing else.
`fanout`: the scoring job's shape with nothing computed in it, keyed as the job keys
(flink_env.key_by_first_field): each event sent to the state of its four keys of the payments feature set
(card, device, card and merchant, merchant: one ValueState read and written each), and the four parts
brought together under the customer (a MapState by event id) before the event goes on; every event makes
four parts here (in the job, one per key it has: a login or a tick makes fewer). Copies what
FROM_TOPIC holds at start, then ends. Against bench/passthrough_job.py (no Python at all), these say what
the scoring job's Python operators cost before they compute anything.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson
from pyflink.common import Row, Types, WatermarkStrategy
from pyflink.common.serialization import SimpleStringSchema
from pyflink.datastream.connectors.kafka import KafkaOffsetsInitializer, KafkaSource
from pyflink.datastream.functions import KeyedProcessFunction
from pyflink.datastream.state import MapStateDescriptor, ValueStateDescriptor

from fraudscore import flink_env
from fraudscore.settings import KafkaSettings, Settings


class CountPerCard(KeyedProcessFunction):
    def open(self, runtime_context) -> None:
        self.seen = runtime_context.get_state(ValueStateDescriptor("seen", Types.PICKLED_BYTE_ARRAY()))

    def process_element(self, value: str, ctx: KeyedProcessFunction.Context):
        self.seen.update((self.seen.value() or 0) + 1)
        yield Row("", value)


# Keyed as the scoring job keys its parts (flink_env.key_by_first_field): Row(key, (event JSON, other)).
PART = Types.TUPLE([Types.STRING(), Types.STRING()])
KEYS = (("card_id",), ("device_id",), ("card_id", "merchant_id"), ("merchant_id",))


def parts(value: str):
    event = orjson.loads(value)
    assembled_at = event.get("customer_id") or event["event_id"]
    for i, fields in enumerate(KEYS):
        yield Row(f"{i}|" + "|".join(str(event.get(f)) for f in fields), (value, assembled_at))


class CountPerKey(KeyedProcessFunction):
    def open(self, runtime_context) -> None:
        self.seen = runtime_context.get_state(ValueStateDescriptor("seen", Types.PICKLED_BYTE_ARRAY()))

    def process_element(self, part: tuple[str, str], ctx: KeyedProcessFunction.Context):
        count = (self.seen.value() or 0) + 1
        self.seen.update(count)
        yield Row(part[1], (part[0], str(count)))


class Assemble(KeyedProcessFunction):
    def open(self, runtime_context) -> None:
        self.pending = runtime_context.get_map_state(
            MapStateDescriptor("pending", Types.STRING(), Types.PICKLED_BYTE_ARRAY())
        )

    def process_element(self, part: tuple[str, str], ctx: KeyedProcessFunction.Context):
        event_id = orjson.loads(part[0])["event_id"]
        arrived = (self.pending.get(event_id) or 0) + 1
        if arrived < len(KEYS):
            self.pending.put(event_id, arrived)
            return
        self.pending.remove(event_id)
        yield Row("", part[0])


def reparsed(value: str) -> Row:
    return Row("", orjson.dumps(orjson.loads(value)).decode())


def card(value: str) -> str:
    return orjson.loads(value).get("card_id") or ""


def main(bootstrap: str, source_topic: str, sink_topic: str, mode: str) -> None:
    settings = Settings()
    env = flink_env.create_env(settings.flink, settings.jvm_dir)
    env.set_parallelism(1)
    source = (
        KafkaSource.builder()
        .set_bootstrap_servers(bootstrap)
        .set_topics(source_topic)
        .set_starting_offsets(KafkaOffsetsInitializer.earliest())
        .set_bounded(KafkaOffsetsInitializer.latest())
        .set_value_only_deserializer(SimpleStringSchema())
        .build()
    )
    events = env.from_source(source, WatermarkStrategy.no_watermarks(), "events")
    out = flink_env.KEYED_RECORD
    if mode == "map":
        copied = events.map(reparsed, output_type=out)
    elif mode == "fanout":
        spread = flink_env.key_by_first_field(events.flat_map(parts, output_type=flink_env.keyed_rows(PART)), PART)
        counted = spread.process(CountPerKey(), output_type=flink_env.keyed_rows(PART))
        copied = flink_env.key_by_first_field(counted, PART).process(Assemble(), output_type=out)
    else:
        copied = events.key_by(card, key_type=Types.STRING()).process(CountPerCard(), output_type=out)
    # The jobs' own sink: a DataStream KafkaSink would stamp each copy with its source record's timestamp,
    # and the rate read off the copies would be the rate they were first sent at.
    t_env = flink_env.table_env(env)
    kafka = KafkaSettings(bootstrap=bootstrap)
    flink_env.register_keyed_sink(t_env, "copies", sink_topic, kafka, settings.flink)
    t_env.from_data_stream(copied).execute_insert("copies").wait()


if __name__ == "__main__":
    # Run from the importable module, not __main__: Flink pickles our functions by reference then.
    from bench.python_floor_job import main as module_main

    module_main(*sys.argv[1:5])
