"""The alternative to the preprocessor's micro-batches, measured: the raw records through PyFlink's
vectorized (Arrow, pandas) Python scalar function in the Table API, Kafka to Kafka at parallelism 1.
`python bench/arrow_job.py BOOTSTRAP FROM_TOPICS TO_TOPIC empty|adapters` copies what the raw topics
(`;`-separated) hold at start, then ends: `empty` returns each value as it came (the plumbing alone),
`adapters` runs each record through its channel's adapter (`preprocess`) and returns its outcomes as JSON."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson
import pandas as pd
from pyflink.table import TableDescriptor
from pyflink.table.schema import Schema
from pyflink.table.types import DataTypes
from pyflink.table.udf import udf

from fraudscore import flink_env
from fraudscore.settings import Settings


@udf(result_type=DataTypes.BYTES(), func_type="pandas")
def empty(values: pd.Series, topics: pd.Series) -> pd.Series:
    return values


@udf(result_type=DataTypes.BYTES(), func_type="pandas")
def adapters(values: pd.Series, topics: pd.Series) -> pd.Series:
    from fraudscore.events import CanonicalEvent
    from preprocessor_job.process import preprocess

    def one(raw: bytes, topic: str) -> bytes:
        outcomes = preprocess(topic.rsplit(".", 1)[-1], raw, None)
        return orjson.dumps([o.to_json().decode() if isinstance(o, CanonicalEvent) else repr(o) for o in outcomes])

    return pd.Series([one(v, t) for v, t in zip(values, topics, strict=True)])


def main(bootstrap: str, sources: str, sink: str, kind: str) -> None:
    settings = Settings()
    env = flink_env.create_env(settings.flink, settings.jvm_dir)
    env.set_parallelism(1)
    t_env = flink_env.table_env(env)
    t_env.get_config().set("python.fn-execution.arrow.batch.size", "500")
    source = (
        Schema.new_builder()
        .column("v", DataTypes.BYTES())
        .column_by_metadata("topic", DataTypes.STRING(), "topic", True)
        .build()
    )
    options = {"properties.bootstrap.servers": bootstrap, "value.format": "raw"}
    builder = TableDescriptor.for_connector("kafka").schema(source).option("topic", sources)
    for name, value in {
        **options,
        "scan.startup.mode": "earliest-offset",
        "scan.bounded.mode": "latest-offset",
    }.items():
        builder = builder.option(name, value)
    t_env.create_temporary_table("source", builder.build())
    builder = TableDescriptor.for_connector("kafka").schema(Schema.new_builder().column("v", DataTypes.BYTES()).build())
    for name, value in {**options, "topic": sink}.items():
        builder = builder.option(name, value)
    t_env.create_temporary_table("sink", builder.build())
    t_env.create_temporary_function("f", {"empty": empty, "adapters": adapters}[kind])
    t_env.execute_sql("INSERT INTO sink SELECT f(v, topic) FROM source").wait()


if __name__ == "__main__":
    main(*sys.argv[1:5])
