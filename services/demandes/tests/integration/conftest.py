"""Fixtures of the demandes integration tests: a real runtime (PostgreSQL + RabbitMQ), an HTTP
client on its app, a queue collecting the events it publishes, and an agent's token."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest
from toit_demandes.service import service

from servicekit.messaging.transport import Delivery, Outcome, QueueSpec
from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory
from servicekit.testing_auth import auth_headers

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class Evenements:
    """Every demande.* event the broker delivers, in order."""

    def __init__(self) -> None:
        self.recus: list[dict[str, Any]] = []

    async def recevoir(self, deliveries: Sequence[Delivery]) -> list[Outcome]:
        self.recus.extend(json.loads(d.body) for d in deliveries)
        return [Outcome.ack() for _ in deliveries]

    async def attendre(self, nombre: int, delai: float = 15.0) -> list[dict[str, Any]]:
        async with asyncio.timeout(delai):
            while len(self.recus) < nombre:
                await asyncio.sleep(0.05)
        return self.recus

    def types(self) -> list[str]:
        return [e["type"] for e in self.recus]


@pytest.fixture
async def runtime(runtime_factory: RuntimeFactory, tmp_path: Any) -> ServiceRuntime:
    return await runtime_factory(service, data_dir=tmp_path)


@pytest.fixture
async def evenements(runtime: ServiceRuntime) -> Evenements:
    collecteur = Evenements()
    await runtime.transport.consume(
        QueueSpec("toit.test.demandes", ("demande.#",)), collecteur.recevoir, 50
    )
    return collecteur


@pytest.fixture
async def client(runtime: ServiceRuntime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=runtime.app(manage_lifespan=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://toit.test") as c:
        yield c


@pytest.fixture
def agent() -> dict[str, str]:
    return auth_headers(
        roles={"AGENT_ENREGISTREUR"}, departements={"44"}, guichet="GUI44", sub="agent-44"
    )


@pytest.fixture
def gestionnaire() -> dict[str, str]:
    """The gestionnaire du fichier: the only one who records an old dépôt date."""
    return auth_headers(
        roles={"GESTIONNAIRE_FICHIER"}, departements={"44"}, guichet="GUI44", sub="gestionnaire-44"
    )


async def creer_enregistrer(
    client: httpx.AsyncClient, headers: dict[str, str], demande: dict[str, Any]
) -> dict[str, Any]:
    cree = await client.post("/api/demandes", json=demande, headers=headers)
    assert cree.status_code == 201, cree.text
    demande_id = cree.json()["id"]
    piece = await client.post(
        f"/api/demandes/{demande_id}/pieces",
        headers=headers,
        data={"type": "PIECE_IDENTITE", "personne": "demandeur"},
        files={"fichier": ("cni.pdf", PDF, "application/pdf")},
    )
    assert piece.status_code == 201, piece.text
    enregistree = await client.post(f"/api/demandes/{demande_id}/enregistrement", headers=headers)
    assert enregistree.status_code == 200, enregistree.text
    return enregistree.json()
