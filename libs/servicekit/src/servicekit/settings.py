"""Settings from environment variables (prefix TOIT_)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOIT_", extra="ignore")

    mode: Literal["demo", "production", "test"] = "demo"
    bus: Literal["memory", "amqp"] = "memory"
    amqp_url: str = "amqp://guest:guest@127.0.0.1:55672/"
    # Used when one process runs one service; the embedded runner uses the
    # per-service variables TOIT_DATABASE_URL_<SERVICE> or SQLite files.
    database_url: str | None = None
    data_dir: Path = Path(".data")
    log_level: str = "INFO"
    # `toit-service run --workers N`: processes serving HTTP (TOIT_WORKERS).
    workers: int = Field(default=1, ge=1)
    # Set by `toit-service run --workers N` for its worker processes: the service to run.
    cli_worker_service: str | None = None
    log_json: bool = True
    # PostgreSQL connections per process: a pool of this many, kept open once used, plus
    # `database_pool_overflow` more for bursts (closed when given back, hence reopened on the
    # next burst: size the pool for the steady concurrency). Unset: the service's own need
    # (ServiceDefinition.pool_size, default 10). SQLite has no pool.
    database_pool_size: int | None = Field(default=None, ge=1, le=500)
    database_pool_overflow: int = Field(default=10, ge=0, le=500)
    # Outbox relay
    relay_batch_size: int = Field(default=500, ge=1)
    relay_poll_interval: float = Field(default=0.25, gt=0)
    relay_max_backoff: float = Field(default=30.0, gt=0)
    outbox_retention_days: int = Field(default=7, ge=0)
    # Consultation trace (servicekit.audit): lines older than this are purged by the daily
    # jobs. Primer §12: common public-sector practice keeps such logs 6 months to 3 years;
    # one year is the choice here (TOIT_CONSULTATION_RETENTION_DAYS).
    consultation_retention_days: int = Field(default=365, ge=1)
    # Consumers
    consumer_prefetch: int = Field(default=200, ge=1)
    consumer_batch_size: int = Field(default=100, ge=1)
    # Concurrent batch handlers per queue and process (PostgreSQL only: SQLite
    # has one writer). Entity versions are locked, so order is still safe.
    consumer_workers: int = Field(default=2, ge=1)
    retry_delays: tuple[float, ...] = (1.0, 10.0, 60.0, 600.0)
    delivery_limit: int = Field(default=10, ge=1)
    amqp_connect_timeout: float = Field(default=10.0, gt=0)
    # Tracing: "none", "console" or "otlp" (OTEL_EXPORTER_OTLP_ENDPOINT)
    tracing_exporter: Literal["none", "console", "otlp"] = "none"
    # Auth
    jwt_issuer: str = "toit-identite"
    jwt_audience: str = "toit"
    # Where services fetch identite's public keys (JWKS); see servicekit.auth.
    jwks_url: str | None = "http://127.0.0.1:8000/api/identite/jwks"
    jwks_cache_seconds: int = 300
    # A static JWKS (JSON text) trusted in addition: tests, air-gapped installs.
    jwks_json: str | None = None
    # Key encrypting the documents the portail hands to demandes on the bus (a Fernet key,
    # the same in both services; servicekit.transit). Required in production.
    pieces_transit_cle: str | None = None

    def database_url_for(self, service: str) -> str:
        specific = os.environ.get(f"TOIT_DATABASE_URL_{service.upper()}")
        if specific:
            return specific
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{(self.data_dir / f'{service}.db').resolve()}"
