"""Prometheus metrics of one app: requests, predictions, latency, model loaded."""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

# Seconds; dense below 250 ms where a latency objective usually sits.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.5, 1.0, 2.5, 5.0)


class ServingMetrics:
    """The metrics of one app, in a registry of its own (apps never share counts)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "serving_requests",
            "HTTP requests by endpoint and status code",
            ["endpoint", "status"],
            registry=self.registry,
        )
        self.predictions = Counter(
            "serving_predictions",
            "Records predicted, by endpoint",
            ["endpoint"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "serving_request_latency_seconds",
            "Time from request to response, by endpoint",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.model_loaded = Gauge(
            "serving_model_loaded",
            "1 when a model is loaded and predictions can be served",
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        """The metrics in the Prometheus text format."""
        return generate_latest(self.registry)
