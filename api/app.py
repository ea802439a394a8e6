"""The FastAPI application: the store, the tokens, recent activity, metrics and every route, built from
Settings at the edge (`fraudscore api`) or by a test with its own store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import errors
from api.activity import RecentActivity
from api.errors import BodyTooLargeError
from api.metrics import ApiMetrics
from api.routes import alerts, dashboard, features, models, system
from api.security import Tokens
from fraudscore.settings import Settings
from fraudscore.topics import Topics
from model_store import KafkaControlPublisher, ModelStore

DESCRIPTION = """Models (PMML) and feature sets of the fraudscore scoring job: upload, validate, deploy, shadow,
roll back, score ad hoc; the audit log; recent scores of a customer; job status. Reads need a viewer token,
changes an operator token, rebuilding the control topic an admin token (`Authorization: Bearer <token>`)."""


def create_app(settings: Settings, store: ModelStore | None = None) -> FastAPI:
    """The API; with no `store`, one over settings.database_url that publishes to the control topic."""
    topics = Topics(settings.kafka.topic_prefix)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        publisher = None
        if store is None:
            publisher = KafkaControlPublisher(settings.kafka.bootstrap, topics.control)
            app.state.store = ModelStore(settings.database_url, settings.control_key, publisher)
        app.state.activity = RecentActivity(settings.kafka.bootstrap, topics).start()
        try:
            yield
        finally:
            app.state.activity.close()
            if publisher is not None:
                app.state.store.close()
                publisher.close()

    app = FastAPI(title="fraudscore admin API", description=DESCRIPTION, version="1", lifespan=lifespan)
    app.state.settings = settings
    app.state.tokens = Tokens(settings.api.tokens)
    app.state.store = store
    app.state.metrics = ApiMetrics(lambda: app.state.store, lambda: getattr(app.state, "activity", None))
    errors.install(app)
    app.middleware("http")(app.state.metrics.middleware)
    # A margin over the PMML limit for the multipart framing and the form fields.
    app.add_middleware(BodyLimit, limit=settings.api.max_upload_bytes + 1024 * 1024)
    for router in (models.router, features.router, system.router, dashboard.router, alerts.router):
        app.include_router(router)
    return app


class BodyLimit:
    """Refuses a request body over `limit` bytes with 413: at once when Content-Length says so, else as soon
    as the bytes read pass it (a chunked upload), before it is all buffered."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await errors.problem(413, f"the request body is over {self.limit} bytes")(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise BodyTooLargeError(f"the request body is over {self.limit} bytes")
            return message

        await self.app(scope, counted, send)
