"""Prometheus metrics of one hub: per-module requests, states, hook calls, migrations.

Every app has its own registry (tests build many apps in one process). With several
worker processes (``bmc-hub serve --workers N`` sets ``PROMETHEUS_MULTIPROC_DIR``),
prometheus-client's multiprocess mode writes each worker's values to files and a scrape
of ``/metrics`` on any worker adds them up, so the numbers are the server's, not one
worker's.

Modules get their own collectors through ``module.metrics`` (:class:`ModuleMetrics`),
named ``bmc_hub_module_NAME_*``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess

from .types import ModuleState

if TYPE_CHECKING:
    from .calling import Outcome
    from .migrations.runner import MigrationReport
    from .registry import Registry

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class ModuleMetrics:
    """``module.metrics``: a module's own collectors, namespaced and registered once.

    ``module.metrics.counter("imports", "Files imported", ["outcome"])`` is the metric
    ``bmc_hub_module_NAME_imports_total``; asking again returns the same collector.
    """

    def __init__(self, module: str, registry: CollectorRegistry) -> None:
        self.module = module
        self.registry = registry
        self._made: dict[str, Any] = {}

    def _make(self, kind: type[Any], name: str, documentation: str, **options: Any) -> Any:
        full = f"bmc_hub_module_{self.module}_{name}"
        made = self._made.get(full)
        if made is None:
            made = self._made[full] = kind(full, documentation, registry=self.registry, **options)
        return made

    def counter(self, name: str, documentation: str, labels: Iterable[str] = ()) -> Counter:
        made: Counter = self._make(Counter, name, documentation, labelnames=tuple(labels))
        return made

    def gauge(self, name: str, documentation: str, labels: Iterable[str] = ()) -> Gauge:
        made: Gauge = self._make(
            Gauge, name, documentation, labelnames=tuple(labels), multiprocess_mode="mostrecent"
        )
        return made

    def histogram(
        self,
        name: str,
        documentation: str,
        labels: Iterable[str] = (),
        buckets: Iterable[float] = Histogram.DEFAULT_BUCKETS,
    ) -> Histogram:
        made: Histogram = self._make(
            Histogram, name, documentation, labelnames=tuple(labels), buckets=tuple(buckets)
        )
        return made


class HubMetrics:
    """The hub's own metrics, and the registry modules add theirs to."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._modules: dict[str, ModuleMetrics] = {}
        self._request_counters: dict[tuple[str, str, int], Any] = {}
        self._latencies: dict[str, Any] = {}
        self._state_gauges: dict[str, dict[ModuleState, Any]] = {}
        self.requests = Counter(
            "bmc_hub_requests_total",
            "Requests to each module's URL space, by method and status class",
            ["module", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "bmc_hub_request_duration_seconds",
            "Time to answer a request to a module's URL space",
            ["module"],
            registry=self.registry,
        )
        self.state = Gauge(
            "bmc_hub_module_state",
            "1 for each module's current state (enabled, disabled, failed, ...)",
            ["module", "state"],
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )
        self.hook_calls = Counter(
            "bmc_hub_hook_calls_total",
            "Hook calls per module and hook, by outcome (ok, error, timeout)",
            ["module", "hook", "outcome"],
            registry=self.registry,
        )
        self.hook_duration = Histogram(
            "bmc_hub_hook_duration_seconds",
            "How long each module's hook calls took",
            ["module", "hook"],
            registry=self.registry,
        )
        self.migrations = Counter(
            "bmc_hub_migrations_total",
            "Module migration runs by this process, by outcome (upgraded, failed)",
            ["module", "outcome"],
            registry=self.registry,
        )

    def module(self, name: str) -> ModuleMetrics:
        metrics = self._modules.get(name)
        if metrics is None:
            metrics = self._modules[name] = ModuleMetrics(name, self.registry)
        return metrics

    def request(self, module: str, method: str, status: int, seconds: float) -> None:
        # Labelled children are looked up once (``labels()`` costs more than the update);
        # keyed by the label values, so the cache is as bounded as the labels are.
        key = (module, method if method in _METHODS else "other", status // 100)
        counter = self._request_counters.get(key)
        if counter is None:
            counter = self._request_counters[key] = self.requests.labels(
                module, key[1], f"{status // 100}xx"
            )
        counter.inc()
        latency = self._latencies.get(module)
        if latency is None:
            latency = self._latencies[module] = self.latency.labels(module)
        latency.observe(seconds)

    def hook(self, outcome: Outcome) -> None:
        result = "ok" if outcome.ok else ("timeout" if outcome.timed_out else "error")
        self.hook_calls.labels(outcome.module, outcome.hook, result).inc()
        self.hook_duration.labels(outcome.module, outcome.hook).observe(outcome.seconds)

    def states(self, registry: Registry) -> None:
        for record in registry:
            gauges = self._state_gauges.get(record.name)
            if gauges is None:
                gauges = self._state_gauges[record.name] = {
                    state: self.state.labels(record.name, state.value) for state in ModuleState
                }
            for state, gauge in gauges.items():
                gauge.set(int(record.state is state))

    def migrated(self, report: MigrationReport) -> None:
        for name in report.upgraded:
            self.migrations.labels(name, "upgraded").inc()
        for name in report.failed:
            self.migrations.labels(name, "failed").inc()

    def render(self, extra: CollectorRegistry | None = None) -> tuple[bytes, str]:
        """The Prometheus text exposition: this process's, or every worker's when the
        server runs several (multiprocess mode); plus ``extra`` (read at scrape time)."""
        body, content_type = self._render()
        if extra is not None:
            body += generate_latest(extra)
        return body, content_type

    def _render(self) -> tuple[bytes, str]:
        # prometheus-client's own variable (set by `bmc-hub serve --workers N`, or by ops
        # for another process manager): the library itself reads it, so the hub does too.
        if os.environ.get(MULTIPROCESS_ENV):
            merged = CollectorRegistry()
            prometheus_multiprocess.MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
            return generate_latest(merged), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class JobRunsCollector:
    """``bmc_hub_job_runs{module, job, state}``: runs in the kept history, read from the
    database at scrape time (workers are other processes; the queue is the truth)."""

    def __init__(self, counts: dict[tuple[str, str, str], int]) -> None:
        self.counts = counts

    def collect(self) -> Any:
        from prometheus_client.core import GaugeMetricFamily

        family = GaugeMetricFamily(
            "bmc_hub_job_runs",
            "Job runs in the kept history (BMC_HUB_JOB_HISTORY_DAYS), by state",
            labels=["module", "job", "state"],
        )
        for (module, job, state), count in sorted(self.counts.items()):
            family.add_metric([module, job, state], count)
        yield family


def job_runs_registry(counts: dict[tuple[str, str, str], int]) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(JobRunsCollector(counts))
    return registry
