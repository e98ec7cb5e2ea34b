"""Shared helpers of the abonnements integration tests: a real HTTP receiver on loopback
(uvicorn), events published on the real broker, the HTTP client of the service."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from cloudevents.core.bindings.http import HTTPMessage, from_http_event
from standardwebhooks.webhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from servicekit.messaging.transport import OutgoingMessage
from servicekit.runtime import ServiceRuntime
from servicekit.testing_auth import auth_headers
from toit_contracts import IntegrationEvent
from toit_contracts.events import DemandeModifiee
from toit_contracts.examples import example_events

ORGANISATION = "6f1c2a3e-0000-4000-8000-0000000000aa"
GESTIONNAIRE_35 = {"roles": {"GESTIONNAIRE_FICHIER"}, "departements": {"35"}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Recu:
    headers: dict[str, str]
    corps: bytes
    evenement: dict[str, Any]  # the CloudEvent JSON, checked by the SDK (HTTP binding)


@dataclass
class Recepteur:
    """A partner's webhook endpoint: verifies each signature with the standardwebhooks
    library and parses the body with the CloudEvents SDK, as a partner would."""

    port: int = field(default_factory=free_port)
    secret: str | None = None
    en_panne: bool = False
    lenteur: float = 0.0
    recus: list[Recu] = field(default_factory=list)
    refus: int = 0
    _server: uvicorn.Server | None = None
    _task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    async def _recevoir(self, request: Request) -> Response:
        corps = await request.body()
        if self.lenteur:
            await asyncio.sleep(self.lenteur)
        if self.en_panne:
            self.refus += 1
            return Response(status_code=503)
        headers = dict(request.headers)
        assert self.secret is not None, "secret du webhook inconnu du récepteur"
        Webhook(self.secret).verify(corps, headers)  # raises if the signature is wrong
        sdk = from_http_event(HTTPMessage(headers=headers, body=corps))  # structured mode
        evenement = json.loads(corps)
        assert sdk.get_id() == evenement["id"] == headers["webhook-id"]
        assert sdk.get_type() == evenement["type"] and sdk.get_data() == evenement["data"]
        self.recus.append(Recu(headers, corps, evenement))
        return Response(status_code=204)

    async def demarrer(self) -> None:
        app = Starlette(routes=[Route("/webhook", self._recevoir, methods=["POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            await asyncio.sleep(0.02)

    async def arreter(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


def client(runtime: ServiceRuntime) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=runtime.app(manage_lifespan=False))
    return httpx.AsyncClient(transport=transport, base_url="http://toit.test")


async def publier(runtime: ServiceRuntime, *events: IntegrationEvent) -> list[str]:
    envelopes = [e.to_cloudevent(source="/toit/demandes") for e in events]
    await runtime.transport.publish(
        [OutgoingMessage(e.id, e.type, e.to_json_bytes()) for e in envelopes]
    )
    return [e.id for e in envelopes]


async def publier_dans_l_ordre(runtime: ServiceRuntime, lots: list[list[IntegrationEvent]]) -> None:
    """Publish each batch once the previous one is in the log. Two consumer workers may
    take a demande's versions out of order; the older copy is then dropped as stale (the
    later snapshot supersedes it), so a test expecting every version publishes them in turn,
    as the demandes service does for one demande."""
    import sqlalchemy as sa
    from toit_abonnements.adapters.tables import journal

    attendus = 0
    for lot in lots:
        await publier(runtime, *lot)
        attendus += len(lot)

        async def journalises(n: int = attendus) -> bool:
            async with runtime.unit_of_work() as uow:
                ids = await uow.session.scalar(
                    sa.select(sa.func.count(sa.distinct(journal.c.source_event_id)))
                )
            return bool(ids and ids >= n)

        await attendre(journalises)


def modification(demande_id: uuid.UUID, version: int, **changes: Any) -> DemandeModifiee:
    event = example_events()["demande.modifiee"]
    assert isinstance(event, DemandeModifiee)
    return event.model_copy(update={"demande_id": demande_id, "version": version, **changes})


async def attendre(condition: Callable[[], Awaitable[bool]], timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail("condition non remplie à temps")
        await asyncio.sleep(0.05)


async def declarer_partenaire(
    http: httpx.AsyncClient,
    roles: set[str] | None = None,
    organisation: str = ORGANISATION,
    **habilitation: Any,
) -> None:
    response = await http.post(
        "/api/abonnements/partenaires",
        json={
            "organisation_id": organisation,
            "nom": "Bailleur d'essai",
            "contact_email": "si@bailleur.example.org",
            "roles": sorted(roles or {"INSTRUCTEUR"}),
            "habilitation": {"departements": ["35"], **habilitation},
        },
        headers=auth_headers(**GESTIONNAIRE_35),
    )
    assert response.status_code == 201, response.text


async def creer_abonnement(
    http: httpx.AsyncClient, organisation: str = ORGANISATION, **body: Any
) -> dict[str, Any]:
    payload = {
        "organisation_id": organisation,
        "nom": "SI locatif",
        "types": ["demande.creee", "demande.modifiee", "demande.radiee", "demande.purgee"],
        "perimetre": {"departements": ["35"]},
        "profil": "bailleur",
        **body,
    }
    response = await http.post(
        "/api/abonnements/abonnements", json=payload, headers=auth_headers(**GESTIONNAIRE_35)
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def jeton_client(organisation: str = ORGANISATION) -> dict[str, str]:
    return auth_headers(roles={"PARTENAIRE_API"}, kind="client", organisation=organisation)
