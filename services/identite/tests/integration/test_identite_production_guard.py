"""Production refuses demo accounts, default secrets and development keys."""

from __future__ import annotations

import pytest
from toit_identite.service import ProductionConfigurationError, build_service

from servicekit.runtime import ServiceRuntime
from servicekit.testing import settings_for_tests as servicekit_settings

from .conftest import identite_test_settings


async def _start(url: str, mode: str, **identite: object) -> ServiceRuntime:
    runtime = ServiceRuntime(
        build_service(identite_test_settings(**identite)),
        servicekit_settings(mode=mode),
        database_url=url,
    )
    await runtime.start(relay=False)
    return runtime


async def test_identite_production_refuses_unsafe_configuration(postgres_url, monkeypatch):
    demo = await _start(postgres_url, "demo")
    await demo.stop()
    monkeypatch.delenv("TOIT_JWKS_JSON")
    with pytest.raises(ProductionConfigurationError) as refused:
        await _start(postgres_url, "production", public_url="http://toit.example")
    message = str(refused.value)
    for problem in (
        "KEY_PASSPHRASE",
        "demo accounts",
        "signing keys created outside production",
        "https",
    ):
        assert problem in message


async def test_identite_production_starts_when_clean(postgres_url, monkeypatch):
    monkeypatch.delenv("TOIT_JWKS_JSON")
    runtime = await _start(
        postgres_url,
        "production",
        key_passphrase="une-vraie-phrase-secrete",
        public_url="https://toit.example",
    )
    try:
        assert runtime.started
    finally:
        await runtime.stop()
