"""Notices of the law end where the law says (issue 11 items 1, 2, 7): the préavis de
radiation is a registered letter in the guichet's courriers à éditer (plus an email copy),
the renewal notice follows the filing channel, a migrated demande gets no attestation."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from toit_notifications.adapters.boite_dev import BoiteDev

from servicekit.runtime import ServiceRuntime
from servicekit.testing_auth import auth_headers
from toit_contracts.examples import example_contact, example_events

from .test_notifications_delivery import (
    client,
    pdf_text,
    publish,
    registration,
    rows,
    wait_for,
)

pytestmark = pytest.mark.integration


async def test_radiation_notice_is_a_registered_letter_to_print_and_an_email(
    runtime: ServiceRuntime, boite: BoiteDev
) -> None:
    await boite.demarrer()
    event = example_events()["demande.radiation_preavisee"].model_copy(
        update={"demande_id": uuid.uuid4()}
    )
    await publish(runtime, event)

    async def recorded() -> bool:
        return (
            len(boite.messages) >= 1 and len(await rows(runtime, demande_id=event.demande_id)) == 2
        )

    await wait_for(recorded)
    [email] = boite.messages
    assert "préavis de radiation" in email.message["Subject"]
    assert "3 juin 2026" in email.message["Subject"]

    async with client(runtime) as http:
        page = await http.get(
            "/api/notifications/courriers",
            params={"guichet": "RM035"},
            headers=auth_headers(roles={"AGENT_ENREGISTREUR"}, departements={"35"}),
        )
        assert page.status_code == 200, page.text
        [courrier] = [c for c in page.json()["elements"] if c["type"] == "preavis_radiation"]
        assert courrier["canal"] == "courrier" and courrier["statut"] == "a_editer"
        pdf = await http.get(
            f"/api/notifications/courriers/{courrier['id']}/pdf",
            headers=auth_headers(roles={"AGENT_ENREGISTREUR"}, departements={"35"}),
        )
        assert pdf.status_code == 200, pdf.text
        text = " ".join(pdf_text(pdf.content).split())
        assert "Lettre recommandée avec accusé de réception" in text
        assert "jusqu'au 3 juin 2026 inclus" in text
        assert "radiée le 4 juin 2026" in text


async def test_guichet_renewal_notice_goes_by_post_and_email(
    runtime: ServiceRuntime, boite: BoiteDev
) -> None:
    await boite.demarrer()
    event = example_events()["demande.renouvellement_a_echeance"].model_copy(
        update={"demande_id": uuid.uuid4(), "en_ligne": False, "contact": example_contact()}
    )
    await publish(runtime, event)

    async def recorded() -> bool:
        return len(await rows(runtime, demande_id=event.demande_id)) == 2

    await wait_for(recorded)
    canaux = {r["canal"]: r["statut"] for r in await rows(runtime, demande_id=event.demande_id)}
    assert set(canaux) == {"courrier", "email"}
    assert canaux["courrier"] == "a_editer"


async def test_a_migrated_demande_gets_no_attestation(
    runtime: ServiceRuntime, boite: BoiteDev
) -> None:
    await boite.demarrer()
    migree = registration().model_copy(update={"migree": True})
    normale = registration()
    await publish(runtime, migree)
    await publish(runtime, normale)

    async def normale_recorded() -> bool:
        return len(await rows(runtime, demande_id=normale.demande_id)) == 1

    await wait_for(normale_recorded)
    await asyncio.sleep(0.5)  # the migrated one was consumed before (same queue, in order)
    assert await rows(runtime, demande_id=migree.demande_id) == []


async def test_suspended_subscription_notice_is_emailed_to_the_partner_contact(
    runtime: ServiceRuntime, boite: BoiteDev
) -> None:
    """Issue 18: an endpoint paused after the retry period → its contact gets an email."""
    await boite.demarrer()
    event = example_events()["abonnement.suspendu"].model_copy(
        update={"abonnement_id": uuid.uuid4(), "contact_email": "si@bailleur.example"}
    )
    await publish(runtime, event)

    async def sent() -> bool:
        return any(m.message["To"] == "si@bailleur.example" for m in boite.messages)

    await wait_for(sent)
    [email] = [m for m in boite.messages if m.message["To"] == "si@bailleur.example"]
    assert "livraisons suspendues" in email.message["Subject"]
