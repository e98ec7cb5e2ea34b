"""Prometheus metrics shared by every service (label `service`)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

events_published = Counter(
    "toit_events_published_total", "Events published by the outbox relay", ["service"]
)
relay_failures = Counter(
    "toit_outbox_relay_failures_total", "Failed relay batches (broker unreachable...)", ["service"]
)
events_consumed = Counter(
    "toit_events_consumed_total",
    "Events handled by consumers, by outcome (ack, duplicate, stale, retry, dead)",
    ["service", "queue", "outcome"],
)
http_requests = Histogram(
    "toit_http_request_duration_seconds",
    "HTTP request duration",
    ["service", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
