"""The least a Python operator costs on this machine, between two topics: canonical events copied from one
topic to another through one Python function, THREAD mode, parallelism 1, as the scoring job runs.

    python bench/python_floor_job.py BOOTSTRAP FROM_TOPIC TO_TOPIC map|keyed|fanout

`map`: a stateless Python map (parse the event's JSON, write it back). `keyed`: keyed by card (a Python key
selector, as the scoring job's), one pickled ValueState read and written per event, nothing else.
`fanout`: the scoring job's shape with nothing computed in it: each event sent to the state of its four keys
of the payments feature set (card, device, card and merchant, merchant: one ValueState read and written
each), and the four parts brought together under the customer (a MapState by event id) before the event
goes on. Copies what FROM_TOPIC holds at start, then ends. Against bench/passthrough_job.py (no Python at
all), these say what the scoring job's Python operators cost before they compute anything.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson
from pyflink.common import Types, WatermarkStrategy
from pyflink.common.serialization import SimpleStringSchema
from pyflink.datastream.connectors.base import DeliveryGuarantee
from pyflink.datastream.connectors.kafka import (
    KafkaOffsetsInitializer,
    KafkaRecordSerializationSchema,
    KafkaSink,
    KafkaSource,
)
from pyflink.datastream.functions import KeyedProcessFunction
from pyflink.datastream.state import MapStateDescriptor, ValueStateDescriptor

from fraudscore import flink_env
from fraudscore.settings import Settings


class CountPerCard(KeyedProcessFunction):
    def open(self, runtime_context) -> None:
        self.seen = runtime_context.get_state(ValueStateDescriptor("seen", Types.PICKLED_BYTE_ARRAY()))

    def process_element(self, value: str, ctx: KeyedProcessFunction.Context):
        self.seen.update((self.seen.value() or 0) + 1)
        yield value


PART = Types.TUPLE([Types.STRING(), Types.STRING(), Types.STRING()])  # (key, event JSON, where it is assembled)
KEYS = (("card_id",), ("device_id",), ("card_id", "merchant_id"), ("merchant_id",))


def parts(value: str):
    event = orjson.loads(value)
    assembled_at = event.get("customer_id") or event["event_id"]
    for i, fields in enumerate(KEYS):
        yield f"{i}|" + "|".join(str(event.get(f)) for f in fields), value, assembled_at


class CountPerKey(KeyedProcessFunction):
    def open(self, runtime_context) -> None:
        self.seen = runtime_context.get_state(ValueStateDescriptor("seen", Types.PICKLED_BYTE_ARRAY()))

    def process_element(self, part: tuple[str, str, str], ctx: KeyedProcessFunction.Context):
        self.seen.update((self.seen.value() or 0) + 1)
        yield part[2], part[1], str(self.seen.value())


class Assemble(KeyedProcessFunction):
    def open(self, runtime_context) -> None:
        self.pending = runtime_context.get_map_state(
            MapStateDescriptor("pending", Types.STRING(), Types.PICKLED_BYTE_ARRAY())
        )

    def process_element(self, part: tuple[str, str, str], ctx: KeyedProcessFunction.Context):
        event_id = orjson.loads(part[1])["event_id"]
        arrived = (self.pending.get(event_id) or 0) + 1
        if arrived < len(KEYS):
            self.pending.put(event_id, arrived)
            return
        self.pending.remove(event_id)
        yield part[1]


def reparsed(value: str) -> str:
    return orjson.dumps(orjson.loads(value)).decode()


def card(value: str) -> str:
    return orjson.loads(value).get("card_id") or ""


def main(bootstrap: str, source_topic: str, sink_topic: str, mode: str) -> None:
    env = flink_env.create_env(Settings().flink, Settings().jvm_dir)
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
    if mode == "map":
        copied = events.map(reparsed, output_type=Types.STRING())
    elif mode == "fanout":
        spread = events.flat_map(parts, output_type=PART).key_by(lambda p: p[0], key_type=Types.STRING())
        counted = spread.process(CountPerKey(), output_type=PART).key_by(lambda p: p[0], key_type=Types.STRING())
        copied = counted.process(Assemble(), output_type=Types.STRING())
    else:
        copied = events.key_by(card, key_type=Types.STRING()).process(CountPerCard(), output_type=Types.STRING())
    serializer = KafkaRecordSerializationSchema.builder().set_topic(sink_topic)
    sink = (
        KafkaSink.builder()
        .set_bootstrap_servers(bootstrap)
        .set_record_serializer(serializer.set_value_serialization_schema(SimpleStringSchema()).build())
        .set_delivery_guarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .build()
    )
    copied.sink_to(sink)
    env.execute(f"python-floor-{mode}")


if __name__ == "__main__":
    # Run from the importable module, not __main__: Flink pickles our functions by reference then.
    from bench.python_floor_job import main as module_main

    module_main(*sys.argv[1:5])
