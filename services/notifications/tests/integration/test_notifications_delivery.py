"""Notifications against a real SMTP server (aiosmtpd), RabbitMQ and PostgreSQL."""

from __future__ import annotations

import asyncio
import io
import os
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from toit_notifications.adapters.boite_dev import BoiteDev
from toit_notifications.adapters.tables import notification

from servicekit.messaging.transport import OutgoingMessage
from servicekit.runtime import ServiceRuntime
from servicekit.testing_auth import auth_headers
from toit_contracts import IntegrationEvent
from toit_contracts.events import DemandeEnregistree
from toit_contracts.examples import example_contact, example_events

from .conftest import REFUSED_ADDRESS

# How long the SMTP server stays down in the outage test. The issue asks for 30 s
# (TOIT_TEST_SMTP_OUTAGE_SECONDS=30); the retry delays below are short so that the
# default 5 s already covers several failed attempts.
SMTP_OUTAGE_SECONDS = float(os.environ.get("TOIT_TEST_SMTP_OUTAGE_SECONDS", "5"))

pytestmark = pytest.mark.integration


async def publish(
    runtime: ServiceRuntime, event: IntegrationEvent, event_id: str | None = None
) -> str:
    envelope = event.to_cloudevent(source="/toit/demandes")
    if event_id is not None:
        envelope = envelope.model_copy(update={"id": event_id})
    await runtime.transport.publish(
        [OutgoingMessage(envelope.id, envelope.type, envelope.to_json_bytes())]
    )
    return envelope.id


async def wait_for(condition: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail("condition not met in time")
        await asyncio.sleep(0.1)


async def rows(runtime: ServiceRuntime, **criteria: Any) -> list[dict[str, Any]]:
    async with runtime.unit_of_work() as uow:
        query = sa.select(notification).filter_by(**criteria)
        return [dict(r) for r in (await uow.session.execute(query)).mappings().all()]


def registration(**contact: Any) -> DemandeEnregistree:
    event = example_events()["demande.enregistree"]
    assert isinstance(event, DemandeEnregistree)
    snapshot = event.snapshot.model_copy(
        update={"contact": example_contact().model_copy(update=contact)}
    )
    return event.model_copy(update={"demande_id": uuid.uuid4(), "snapshot": snapshot})


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def client(runtime: ServiceRuntime) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=runtime.app(manage_lifespan=False))
    return httpx.AsyncClient(transport=transport, base_url="http://toit.test")


async def test_registration_sends_one_email_with_the_attestation(
    runtime: ServiceRuntime, boite: BoiteDev
) -> None:
    await boite.demarrer()
    event = registration()
    await publish(runtime, event)

    async def delivered() -> bool:
        return len(boite.messages) >= 1

    await wait_for(delivered)
    await asyncio.sleep(1.0)
    assert len(boite.messages) == 1
    received = boite.messages[0]
    assert received.destinataires == ["camille.exemple@example.org"]
    message = received.message
    assert event.numero_unique in message["Subject"]
    attachments = list(message.iter_attachments())
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    text = pdf_text(attachments[0].get_payload(decode=True))
    assert event.numero_unique in text
    assert "délai anormalement long" in text.lower()
    assert {p.get_content_type() for p in message.walk()} >= {"text/plain", "text/html"}

    [row] = await rows(runtime, demande_id=event.demande_id)
    assert row["statut"] == "envoyee"
    assert row["message_id"] == message["Message-ID"]
    assert row["reference_serveur"] == received.reference

    async with client(runtime) as http:
        response = await http.get(
            f"/api/notifications/demandes/{event.demande_id}",
            headers=auth_headers(roles={"AGENT_ENREGISTREUR"}, departements={"35"}),
        )
        assert response.status_code == 200, response.text
        [record] = response.json()
        assert record["type"] == "attestation_enregistrement"
        assert record["statut"] == "envoyee"
        assert record["destinataire"] == "c***@e***.org"
        assert record["version_gabarit"] == 1
        assert record["reference_serveur"] == received.reference
        outside = await http.get(
            f"/api/notifications/demandes/{event.demande_id}",
            headers=auth_headers(roles={"AGENT_ENREGISTREUR"}, departements={"44"}),
        )
        assert outside.status_code == 404
        own = await http.get(
            f"/api/notifications/demandes/{event.demande_id}",
            headers=auth_headers(roles={"DEMANDEUR"}, sub=event.compte_demandeur),
        )
        assert own.status_code == 200, own.text
        assert [r["type"] for r in own.json()] == ["attestation_enregistrement"]
        someone_else = await http.get(
            f"/api/notifications/demandes/{event.demande_id}",
            headers=auth_headers(roles={"DEMANDEUR"}),
        )
        assert someone_else.status_code == 404
        assert str(event.demande_id) not in someone_else.text
        # Outside demo mode the mailbox does not exist, even for a gestionnaire.
        gestionnaire = auth_headers(roles={"GESTIONNAIRE_FICHIER"}, departements={"44"})
        mailbox = await http.get("/api/notifications/dev/boite", headers=gestionnaire)
        assert mailbox.status_code == 404


async def test_email_waits_for_the_smtp_server_then_goes_once(
    runtime: ServiceRuntime, boite: BoiteDev
) -> None:
    event = registration()
    await publish(runtime, event)
    await asyncio.sleep(SMTP_OUTAGE_SECONDS)

    [row] = await rows(runtime, demande_id=event.demande_id)
    assert row["statut"] == "en_attente"
    assert row["tentatives"] >= 2
    assert "serveur indisponible" in row["derniere_erreur"]

    await boite.demarrer()

    async def delivered() -> bool:
        return len(boite.messages) >= 1

    await wait_for(delivered)
    await asyncio.sleep(1.5)
    assert len(boite.messages) == 1
    [row] = await rows(runtime, demande_id=event.demande_id)
    assert row["statut"] == "envoyee"


async def test_redelivered_event_sends_one_email(runtime: ServiceRuntime, boite: BoiteDev) -> None:
    await boite.demarrer()
    event = registration()
    event_id = str(uuid.uuid4())
    await publish(runtime, event, event_id)
    await publish(runtime, event, event_id)

    async def delivered() -> bool:
        return len(boite.messages) >= 1

    await wait_for(delivered)
    await publish(runtime, event, event_id)
    await asyncio.sleep(1.5)
    assert len(boite.messages) == 1
    assert len(await rows(runtime, demande_id=event.demande_id)) == 1


async def test_demandeur_without_email_gets_a_courrier_at_the_guichet(
    runtime: ServiceRuntime, boite: BoiteDev
) -> None:
    await boite.demarrer()
    event = registration(email=None)
    await publish(runtime, event)

    async def recorded() -> bool:
        return len(await rows(runtime, demande_id=event.demande_id)) >= 1

    await wait_for(recorded)
    await asyncio.sleep(1.0)
    [row] = await rows(runtime, demande_id=event.demande_id)
    assert (row["canal"], row["statut"], row["guichet"]) == ("courrier", "a_editer", "RM035")
    assert len(boite.messages) == 0

    agent = auth_headers(roles={"AGENT_ENREGISTREUR"}, departements={"35"}, guichet="RM035")
    other_guichet = auth_headers(roles={"AGENT_ENREGISTREUR"}, departements={"35"}, guichet="XX035")
    async with client(runtime) as http:
        listing = (await http.get("/api/notifications/courriers", headers=agent)).json()
        assert listing["total"] == 1
        [courrier] = listing["elements"]
        assert courrier["destinataire"] == "Madame C*** E***"
        pdf = await http.get(f"/api/notifications/courriers/{courrier['id']}/pdf", headers=agent)
        assert pdf.headers["content-type"] == "application/pdf"
        text = pdf_text(pdf.content)
        assert event.numero_unique in text
        assert "35000 RENNES" in text
        hidden = await http.get(
            f"/api/notifications/courriers/{courrier['id']}/pdf", headers=other_guichet
        )
        assert hidden.status_code == 404
        edited = await http.post(
            f"/api/notifications/courriers/{courrier['id']}/edite", headers=agent
        )
        assert edited.json()["statut"] == "editee"
        listing = (await http.get("/api/notifications/courriers", headers=agent)).json()
        assert listing["total"] == 0


async def test_permanent_refusal_is_recorded_and_not_retried(
    runtime: ServiceRuntime, boite: BoiteDev
) -> None:
    await boite.demarrer()
    event = registration(email=REFUSED_ADDRESS)
    await publish(runtime, event)

    async def failed() -> bool:
        found = await rows(runtime, demande_id=event.demande_id)
        return bool(found) and found[0]["statut"] == "echec"

    await wait_for(failed)
    await asyncio.sleep(1.0)
    [row] = await rows(runtime, demande_id=event.demande_id)
    assert row["tentatives"] == 1
    assert row["derniere_erreur"] == "refus définitif du serveur (code 550)"
    assert len(boite.messages) == 0


async def test_purge_deletes_the_notifications_of_the_demande(
    runtime: ServiceRuntime, boite: BoiteDev
) -> None:
    event = registration(email=None)
    await publish(runtime, event)

    async def recorded() -> bool:
        return len(await rows(runtime, demande_id=event.demande_id)) == 1

    await wait_for(recorded)
    purge = example_events()["demande.purgee"].model_copy(
        update={"demande_id": event.demande_id, "version": event.version + 1}
    )
    await publish(runtime, purge)

    async def purged() -> bool:
        return not await rows(runtime, demande_id=event.demande_id)

    await wait_for(purged)
