"""Prometheus metrics of the API: requests by route and status, their duration, what is live, and each live
model version's input drift (PSI)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator

from fastapi import Request, Response
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from api.activity import RecentActivity
from api.explaining import drift_report
from model_store import ModelStore


class ApiMetrics:
    def __init__(self, store: Callable[[], ModelStore], activity: Callable[[], RecentActivity | None]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("fraudscore_api_requests", "API requests", ["method", "route", "status"],
                                registry=self.registry)  # fmt: skip
        self.seconds = Histogram("fraudscore_api_request_seconds", "API request duration", ["route"],
                                 registry=self.registry)  # fmt: skip
        self.registry.register(_LiveModels(store))
        self.registry.register(_InputDrift(store, activity))

    async def middleware(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")  # the template: no ids in labels
        self.requests.labels(request.method, route, str(response.status_code)).inc()
        self.seconds.labels(route).observe(time.perf_counter() - started)
        return response


class _LiveModels(Collector):
    """Live versions by mode, read from the store at each scrape."""

    def __init__(self, store: Callable[[], ModelStore]) -> None:
        self._store = store

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("fraudscore_live_models", "Model versions live, by mode", labels=["mode"])
        live = self._store().live()
        for mode in ("active", "shadow"):
            family.add_metric([mode], sum(1 for row in live if row.mode == mode))
        yield family


class _InputDrift(Collector):
    """PSI of each input of each live model version against its training distribution, computed at each
    scrape from the recent score records (inputs with too few live values yet are left out)."""

    def __init__(self, store: Callable[[], ModelStore], activity: Callable[[], RecentActivity | None]) -> None:
        self._store = store
        self._activity = activity

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("fraudscore_input_psi",
                                   "Population stability index of a model input, live against training "
                                   "(under 0.1 stable, 0.1-0.25 moderate, 0.25 and over significant)",
                                   labels=["model_id", "version", "input"])  # fmt: skip
        activity = self._activity()
        if activity is not None:
            for model in drift_report(self._store(), activity.inputs_of)["models"]:
                for entry in model["inputs"]:
                    if entry["psi"] is not None:
                        family.add_metric([model["model_id"], str(model["version"]), entry["input"]], entry["psi"])
        yield family
