"""One adapter per raw channel: raw text in, an Outcome out. Adding a channel is adding a module here."""

from collections.abc import Callable

from preprocessor_job.adapters import web
from preprocessor_job.outcome import Outcome

Adapter = Callable[[str, int | None], Outcome]

ADAPTERS: dict[str, Adapter] = {"web": web.adapt}

__all__ = ["ADAPTERS", "Adapter"]
