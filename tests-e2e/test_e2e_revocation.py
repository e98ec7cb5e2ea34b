"""Logging out revokes the access token in every service within a second: identite
publishes jeton.revoque, each runtime's token verifier applies it (real PostgreSQL
and RabbitMQ; notifications stands for "another service")."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from toit_identite.config import IdentiteSettings
from toit_identite.service import build_service
from toit_notifications.service import service as notifications

from servicekit.testing import RuntimeFactory

pytestmark = pytest.mark.e2e
PASSWORD = "toit-demo-2026"


async def test_e2e_logout_revokes_the_access_token_everywhere(
    runtime_factory: RuntimeFactory,
) -> None:
    cheap = IdentiteSettings(argon2_time_cost=1, argon2_memory_kib=1024, demo_password=PASSWORD)
    identite = await runtime_factory(build_service(cheap), mode="demo")
    other = await runtime_factory(notifications)

    def client(runtime) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
        app = runtime.app(manage_lifespan=False)
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")

    async with client(identite) as idp, client(other) as service:
        login = await idp.post(
            "/api/identite/token",
            data={"grant_type": "password", "username": "demo-agent-44", "password": PASSWORD},
        )
        assert login.status_code == 200, login.text
        tokens = login.json()
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        courriers = "/api/notifications/courriers"
        assert (await service.get(courriers, headers=bearer)).status_code == 200
        assert (await idp.get("/api/identite/moi", headers=bearer)).status_code == 200

        out = await idp.post(
            "/api/identite/deconnexion",
            json={"refresh_token": tokens["refresh_token"]},
            headers=bearer,
        )
        assert out.status_code == 204
        started = time.monotonic()
        while (await service.get(courriers, headers=bearer)).status_code != 401:
            assert time.monotonic() - started < 5, "token still accepted after 5 s"
            await asyncio.sleep(0.02)
        assert time.monotonic() - started < 1.0
        assert (await idp.get("/api/identite/moi", headers=bearer)).status_code == 401
