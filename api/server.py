"""The API served by uvicorn in a background thread: for `fraudscore up`, which runs everything in one
terminal, and for tests that call it over a real socket."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from fraudscore.errors import FraudError


@contextmanager
def serving(app: FastAPI, host: str, port: int, timeout_s: float = 30) -> Iterator[str]:
    """Serve `app` until the block ends; yields its base URL once it accepts connections. (Off the main
    thread uvicorn leaves signals alone: Ctrl-C stays with the caller.)"""
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="admin-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise FraudError(f"the admin API could not listen on {host}:{port} (FRAUDSCORE_API__PORT sets the port)")
        time.sleep(0.05)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
