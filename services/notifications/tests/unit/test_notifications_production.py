"""TOIT_MODE=production refuses placeholder reference data (issue 11 item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
import toit_referentiel as ref
from toit_notifications.service import service

from servicekit.runtime import ServiceRuntime
from servicekit.settings import Settings


async def test_production_refuses_to_start_with_a_placeholder_dal(tmp_path: Path) -> None:
    runtime = ServiceRuntime(
        service,
        Settings(mode="production", bus="memory"),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'n.db'}",
    )
    with pytest.raises(
        ref.ReferentielProvisoire,
        match=r"delais_anormalement_longs\.yaml: departements\.22\.provisoire",
    ):
        await runtime.start()
    assert not runtime.started
    await runtime.db.dispose()


async def test_demo_mode_starts_with_placeholders(tmp_path: Path) -> None:
    runtime = ServiceRuntime(
        service,
        Settings(mode="test", bus="memory"),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'n.db'}",
    )
    await runtime.start(relay=False, consume=False, seed=False)
    try:
        assert runtime.started
    finally:
        await runtime.stop()
