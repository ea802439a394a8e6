"""A Kafka-to-Kafka copy with no Python operator (Flink SQL): this machine's ceiling for a job between two
topics. `python bench/passthrough_job.py BOOTSTRAP FROM_TOPIC TO_TOPIC` copies what FROM_TOPIC holds at
start, then ends; with a fourth argument `follow`, it copies what comes until it is stopped (the second job
of a chain)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyflink.table import TableDescriptor
from pyflink.table.schema import Schema
from pyflink.table.types import DataTypes

from fraudscore import flink_env
from fraudscore.settings import Settings


def main(bootstrap: str, source: str, sink: str, mode: str = "bounded") -> None:
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
    t_env.execute_sql("INSERT INTO sink SELECT v FROM source").wait()


if __name__ == "__main__":
    main(*sys.argv[1:5])
