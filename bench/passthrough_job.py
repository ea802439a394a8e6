"""A Kafka-to-Kafka copy with no Python operator (Flink SQL): this machine's ceiling for a job between two
topics. `python bench/passthrough_job.py BOOTSTRAP FROM_TOPIC TO_TOPIC` copies what FROM_TOPIC holds at
start, then ends; with a fourth argument `follow`, it copies what comes until it is stopped (the second job
of a chain). `--copies N` writes each record N times (one source, one sink, N rows a record): the Kafka work of
a job that answers every input with N records, as the scoring job writes a score per model."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyflink.table import TableDescriptor
from pyflink.table.schema import Schema
from pyflink.table.types import DataTypes

from fraudscore import flink_env
from fraudscore.settings import Settings


def main(bootstrap: str, source: str, sink: str, mode: str = "bounded", copies: int = 1) -> None:
    settings = Settings()
    env = flink_env.create_env(settings.flink, settings.jvm_dir)
    env.set_parallelism(1)
    t_env = flink_env.table_env(env)
    schema = Schema.new_builder().column("v", DataTypes.BYTES()).build()

    def table(topic: str, **options: str) -> TableDescriptor:
        builder = TableDescriptor.for_connector("kafka").schema(schema).option("topic", topic)
        builder = builder.option("properties.bootstrap.servers", bootstrap).option("value.format", "raw")
        for name, value in options.items():
            builder = builder.option(name.replace("_", "."), value)
        return builder.build()

    bounded = {"scan_bounded_mode": "latest-offset"} if mode != "follow" else {}
    t_env.create_temporary_table("source", table(source, scan_startup_mode="earliest-offset", **bounded))
    t_env.create_temporary_table("sink", table(sink))
    t_env.execute_sql(copy_statement(copies)).wait()


def copy_statement(copies: int) -> str:
    """Each record once, or `copies` times through an UNNEST of a constant array (still one source, one sink)."""
    if copies == 1:
        return "INSERT INTO sink SELECT v FROM source"
    ordinals = ", ".join(str(i) for i in range(copies))
    return f"INSERT INTO sink SELECT v FROM source CROSS JOIN UNNEST(ARRAY[{ordinals}]) AS t(n)"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("bootstrap")
    parser.add_argument("source")
    parser.add_argument("sink")
    parser.add_argument("mode", nargs="?", default="bounded", choices=("bounded", "follow", "again"))
    parser.add_argument("--copies", type=int, default=1)
    args = parser.parse_args()
    main(args.bootstrap, args.source, args.sink, args.mode, args.copies)
