"""Demo mode (local SMTP server, /dev/boite), account emails and the access matrix."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from toit_notifications.service import service

from servicekit.messaging.transport import OutgoingMessage
from servicekit.testing import RuntimeFactory
from servicekit.testing_auth import assert_access_matrix, auth_headers
from toit_contracts.examples import example_events

pytestmark = pytest.mark.integration


async def test_demo_mode_sends_account_emails_to_the_local_mailbox(
    memory_runtime_factory: RuntimeFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TOIT_SMTP_HOST", raising=False)
    monkeypatch.setenv("TOIT_SMTP_POLL_INTERVAL", "0.1")
    runtime = await memory_runtime_factory(service, mode="demo")
    event = example_events()["compte.activation_demandee"]
    envelope = event.to_cloudevent(source="/toit/identite")
    await runtime.transport.publish(
        [OutgoingMessage(envelope.id, envelope.type, envelope.to_json_bytes())]
    )
    app = runtime.app(manage_lifespan=False)
    gestionnaire = auth_headers(roles={"GESTIONNAIRE_FICHIER"}, departements={"44"})
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://toit.test"
    ) as http:
        # The mails hold activation and reset links: nobody else reads them.
        anonymous = await http.get("/api/notifications/dev/boite")
        assert anonymous.status_code == 401
        for role in ("AGENT_ENREGISTREUR", "ADMINISTRATEUR_ORGANISATION", "DEMANDEUR"):
            other = auth_headers(roles={role}, departements={"44"})
            assert (
                await http.get("/api/notifications/dev/boite", headers=other)
            ).status_code == 403
        for _ in range(100):
            boite = (await http.get("/api/notifications/dev/boite", headers=gestionnaire)).json()
            if boite["total"]:
                break
            await asyncio.sleep(0.1)
    [message] = boite["messages"]
    assert message["a"] == ["agent@bailleur.example.org"]
    assert message["sujet"] == "Activez votre compte Toit"
    assert "https://toit.example.org/activation?jeton=EXEMPLE" in message["texte"]


async def test_access_matrix(runtime_factory: RuntimeFactory) -> None:
    runtime = await runtime_factory(service)
    await assert_access_matrix(
        runtime.app(manage_lifespan=False),
        path_params={"demande_id": "6f1c2a3e-0000-4000-8000-000000000001"},
    )
