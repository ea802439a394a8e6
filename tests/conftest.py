"""Session fixtures own the real services: the project's Kafka broker and Flink jobs."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from fraudscore.broker import BrokerConfig, EmbeddedBroker, free_port
from fraudscore.settings import Settings
from fraudscore.topics import Topics

_test_ids = itertools.count()


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def kafka(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Iterator[EmbeddedBroker]:
    """One real broker for the session; start-up failure fails the test with the broker's log."""
    config = BrokerConfig(
        data_dir=tmp_path_factory.mktemp("kafka"), lib_dir=settings.jvm_dir / "kafka-lib", port=free_port()
    )
    with EmbeddedBroker.start(config) as broker:
        yield broker


@pytest.fixture
def topics(kafka: EmbeddedBroker, request: pytest.FixtureRequest) -> Topics:
    """Fresh topics for one test: every name carries a prefix of its own."""
    name = request.node.name.split("[")[0].removeprefix("test_")[:30]
    prefix = f"t{next(_test_ids)}.{name}."
    kafka.create_topics(Topics(prefix).specs())
    return Topics(prefix)


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return tmp_path / "logs"
