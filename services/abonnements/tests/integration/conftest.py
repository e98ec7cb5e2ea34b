from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .abonnements_harness import Recepteur


@pytest.fixture(autouse=True)
def relances_courtes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short retry delays so that "three failed retries" take about a second."""
    for name, value in {
        "RELANCE_INITIALE": "0.2",
        "RELANCE_MAX": "0.4",
        "INTERVALLE": "0.05",
    }.items():
        monkeypatch.setenv(f"TOIT_ABONNEMENTS_{name}", value)


@pytest.fixture
async def recepteur() -> AsyncIterator[Recepteur]:
    """A partner's webhook endpoint on loopback (a real uvicorn server)."""
    r = Recepteur()
    await r.demarrer()
    yield r
    await r.arreter()
