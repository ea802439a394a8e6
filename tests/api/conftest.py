"""The API as users reach it: over HTTP (FastAPI's test client), with a real store and the real broker."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.server import serving
from fraudscore.broker import EmbeddedBroker, free_port
from fraudscore.settings import ApiSettings, ApiToken, KafkaSettings, Settings
from fraudscore.topics import Topics

TOKENS = {"viewer": "viewer-secret", "operator": "operator-secret", "admin": "admin-secret"}


def auth(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[role]}"}


def api_settings(
    bootstrap: str, topics: Topics, tmp_path: Path, control_key: str = "api-test-key", **api: object
) -> Settings:
    tokens = [ApiToken(name=f"{role}-token", token=secret, role=role) for role, secret in TOKENS.items()]
    return Settings(
        kafka=KafkaSettings(bootstrap=bootstrap, topic_prefix=topics.prefix),
        api=ApiSettings(tokens=tokens, database_url=f"sqlite:///{tmp_path / 'models.db'}", **api),
        control_key=control_key,
    )


@pytest.fixture
def api_settings_for_test(kafka: EmbeddedBroker, topics: Topics, tmp_path: Path) -> Settings:
    return api_settings(kafka.bootstrap, topics, tmp_path, max_upload_bytes=200_000)


@pytest.fixture
def client(api_settings_for_test: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings_for_test)) as test_client:
        yield test_client


@contextmanager
def served_api(bootstrap: str, topics: Topics, tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    """The API over a real socket (uvicorn, a free port), its store in `tmp_path`: its URL and settings."""
    settings = api_settings(bootstrap, topics, tmp_path)
    with serving(create_app(settings), "127.0.0.1", free_port()) as url:
        yield url, settings


@pytest.fixture
def served(kafka: EmbeddedBroker, topics: Topics, tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    with served_api(kafka.bootstrap, topics, tmp_path) as url_and_settings:
        yield url_and_settings
