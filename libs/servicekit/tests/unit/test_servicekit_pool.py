"""The PostgreSQL pool of a process: TOIT_DATABASE_POOL_SIZE wins, else the service's own
need (ServiceDefinition.pool_size), else 10; overflow from TOIT_DATABASE_POOL_OVERFLOW."""

from __future__ import annotations

from pathlib import Path

import pytest

from servicekit.runtime import ServiceDefinition, ServiceRuntime
from servicekit.settings import Settings

URL = "postgresql+asyncpg://toit:toit@127.0.0.1:1/aucune"  # never connected: pools are lazy


def pool(runtime: ServiceRuntime) -> tuple[int, int]:
    p = runtime.db.engine.sync_engine.pool
    return p.size(), p._max_overflow  # type: ignore[attr-defined]


def definition(besoin: int | None) -> ServiceDefinition:
    return ServiceDefinition(
        name="bassin",
        migrations=Path("."),
        pool_size=None if besoin is None else (lambda: besoin),
    )


@pytest.mark.parametrize(
    ("reglage", "besoin", "attendu"),
    [(None, None, 10), (None, 33, 33), (5, 33, 5), (40, None, 40)],
)
def test_servicekit_pool_size_setting_then_service_need_then_ten(
    reglage: int | None, besoin: int | None, attendu: int
) -> None:
    runtime = ServiceRuntime(
        definition(besoin), Settings(database_pool_size=reglage), database_url=URL
    )
    assert pool(runtime) == (attendu, 10)


def test_servicekit_pool_settings_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TOIT_DATABASE_POOL_SIZE", "25")
    monkeypatch.setenv("TOIT_DATABASE_POOL_OVERFLOW", "0")
    runtime = ServiceRuntime(definition(33), Settings(), database_url=URL)
    assert pool(runtime) == (25, 0)
