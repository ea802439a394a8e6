"""fraudscore's shared home: settings, topics, the embedded broker, Flink set-up and the CLI."""

from fraudscore import kafka_crc  # noqa: F401  (every Kafka client of ours checksums in C from here on)
