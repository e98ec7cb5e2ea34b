"""A scheduled list of the observatoire (observatoire.liste_diffusee) is emailed to each
of its addresses once, with its aggregate preview; a nominative list sends the link only."""

from __future__ import annotations

import asyncio
import email
import uuid
from email.message import Message

import pytest
from toit_notifications.adapters.boite_dev import BoiteDev

from servicekit.runtime import ServiceRuntime
from toit_contracts.events import ListeDiffusee
from toit_contracts.examples import example_events

from .test_notifications_delivery import publish, rows, wait_for

pytestmark = pytest.mark.integration


def _texte(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text part")


async def test_a_scheduled_list_is_emailed_once_to_each_address(
    runtime: ServiceRuntime, boite: BoiteDev
) -> None:
    await boite.demarrer()
    event = example_events()["observatoire.liste_diffusee"]
    assert isinstance(event, ListeDiffusee)
    agregee = event.model_copy(
        update={
            "diffusion_id": uuid.uuid4(),
            "destinataires": ["a@rennes.example.org", "b@rennes.example.org"],
        }
    )
    nominative = event.model_copy(
        update={
            "diffusion_id": uuid.uuid4(),
            "nominatif": True,
            "apercu": None,
            "planification": "mensuelle",
            "periode": "2026-03",
            "destinataires": ["c@rennes.example.org"],
        }
    )
    event_id = str(uuid.uuid4())
    await publish(runtime, agregee, event_id)
    await publish(runtime, nominative)

    async def delivered() -> bool:
        return len(boite.messages) >= 3

    await wait_for(delivered)
    await publish(runtime, agregee, event_id)  # redelivered: nothing more
    await asyncio.sleep(1.5)
    assert len(boite.messages) == 3
    recus = {m.destinataires[0]: email.message_from_bytes(m.contenu) for m in boite.messages}
    assert set(recus) == {"a@rennes.example.org", "b@rennes.example.org", "c@rennes.example.org"}
    a = recus["a@rennes.example.org"]
    assert "Demandes de T2 sur ma commune" in str(
        email.header.make_header(email.header.decode_header(a["Subject"]))
    )
    texte = _texte(a)
    assert "la semaine 10 de 2026" in texte
    assert "T2 ; 3950 ; 100,0" in texte
    assert agregee.lien in texte
    c = _texte(recus["c@rennes.example.org"])
    assert "nominative" in c and "le mois de mars 2026" in c
    assert "T2 ; 3950" not in c, "a nominative list sends the link only"
    assert len(await rows(runtime, type="liste_observatoire")) == 3
