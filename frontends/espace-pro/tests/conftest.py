"""The stack the espace professionnel's browser tests run against.

identite, demandes, cotation and notifications on the real PostgreSQL (one database
each) and RabbitMQ (one vhost), in demo mode, behind the embedded router (the same
routing, headers and login throttle as `make run`), with the espace professionnel
mounted under /pro/ and calling that router's public API. One stack per test session.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from toit_embedded.main import espace_pro
from toit_identite.config import IdentiteSettings
from toit_identite.service import build_service as build_identite
from toit_ui.testing import (
    databases_and_vhost,
    free_port,
    serve_services,
)

from servicekit import registry
from servicekit.runtime import ServiceRuntime
from servicekit.testing import (
    settings_for_tests,
)

SERVICES = ("identite", "demandes", "cotation", "notifications")
MOT_DE_PASSE = "toit-demo-2026"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass
class Stack:
    base: str

    @property
    def pro(self) -> str:
        return f"{self.base}/pro"

    async def jeton(self, identifiant: str) -> dict[str, str]:
        async with httpx.AsyncClient(base_url=self.base, timeout=20) as http:
            reponse = await http.post(
                "/api/identite/token",
                data={"grant_type": "password", "username": identifiant, "password": MOT_DE_PASSE},
            )
        reponse.raise_for_status()
        return {"Authorization": f"Bearer {reponse.json()['access_token']}"}

    async def api(self, method: str, path: str, identifiant: str, **kwargs: Any) -> Any:
        headers = await self.jeton(identifiant)
        async with httpx.AsyncClient(base_url=self.base, timeout=20) as http:
            reponse = await http.request(method, path, headers=headers, **kwargs)
        assert reponse.status_code < 300, reponse.text
        return reponse.json()


@pytest.fixture(scope="session")
async def stack_databases() -> AsyncIterator[tuple[dict[str, str], str]]:
    async with databases_and_vhost(SERVICES) as bases:
        yield bases


@pytest.fixture(scope="session")
def stack(stack_databases: tuple[dict[str, str], str]) -> Iterator[Stack]:
    urls, vhost = stack_databases
    port = free_port()
    settings = settings_for_tests(
        bus="amqp",
        amqp_url=vhost,
        mode="demo",
        jwks_url=f"http://127.0.0.1:{port}/api/identite/jwks",
    )
    # Cheap argon2id (as identite's own integration tests): the demo accounts are hashed at
    # start-up and every journey logs in; production keeps the library's defaults.
    services = {
        **{name: registry.load(name) for name in SERVICES},
        "identite": build_identite(IdentiteSettings(argon2_time_cost=1, argon2_memory_kib=1024)),
    }
    runtimes = [
        ServiceRuntime(services[name], settings, database_url=urls[name]) for name in SERVICES
    ]
    with serve_services(runtimes, port=port, frontend=espace_pro) as base:
        yield Stack(base)
