from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def relances_courtes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short retry delays so that "three failed retries" take about a second."""
    for name, value in {
        "RELANCE_INITIALE": "0.2",
        "RELANCE_MAX": "0.4",
        "INTERVALLE": "0.05",
    }.items():
        monkeypatch.setenv(f"TOIT_ABONNEMENTS_{name}", value)
