"""One adapter per raw channel: raw text in, an Outcome (or, for a frame of several, a list) out.

Adding a channel is adding a module here that defines `TOPIC` (its topic is `raw.<TOPIC>`) and
`adapt(raw, ingested_ms)`: the registry below finds it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from preprocessor_job.outcome import Outcome

Adapter = Callable[[str, int | None], Outcome | list[Outcome]]


def _discover() -> dict[str, Adapter]:
    found: dict[str, Adapter] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        if hasattr(module, "TOPIC") and hasattr(module, "adapt"):
            found[module.TOPIC] = module.adapt
    return found


ADAPTERS: dict[str, Adapter] = _discover()

__all__ = ["ADAPTERS", "Adapter"]
