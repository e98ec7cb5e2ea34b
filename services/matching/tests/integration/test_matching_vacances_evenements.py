"""With the real PostgreSQL and RabbitMQ: each step of a vacancy publishes its event
through the outbox (`vacance.declaree`, `vacance.orientee`, `vacance.retiree`), received by
another service in order with growing versions; a withdrawn vacancy leaves the flux base,
frees the unit for a new declaration and refuses a second withdrawal."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from toit_matching.service import service

from servicekit import ServiceDefinition
from servicekit.messaging.consumer import EventConsumer, HandlerContext
from servicekit.testing import RuntimeFactory
from servicekit.testing_auth import auth_headers
from toit_contracts.events import (
    IntegrationEvent,
    VacanceDeclaree,
    VacanceOrientee,
    VacanceRetiree,
)

EXEMPLES = Path(__file__).parents[2] / "exemples"
MIGRATIONS = Path(__file__).parents[2] / "src" / "toit_matching" / "migrations"
BAILLEUR_H = auth_headers(roles={"INSTRUCTEUR"}, organisation="bailleur-44", departements={"44"})
ETAT_H = auth_headers(roles={"RESERVATAIRE"}, organisation="etat-44", departements={"44"})


def collecteur() -> tuple[ServiceDefinition, list[IntegrationEvent]]:
    recus: list[IntegrationEvent] = []
    consumer = EventConsumer("vacances")

    @consumer.on(VacanceDeclaree, VacanceOrientee, VacanceRetiree)
    async def recevoir(_ctx: HandlerContext, event: IntegrationEvent) -> None:
        recus.append(event)

    return ServiceDefinition(name="observateur", migrations=MIGRATIONS, consumers=[consumer]), recus


@pytest.fixture
async def env(
    runtime_factory: RuntimeFactory,
) -> AsyncIterator[tuple[list[IntegrationEvent], httpx.AsyncClient]]:
    matching = await runtime_factory(service)
    definition, recus = collecteur()
    await runtime_factory(definition)
    transport = httpx.ASGITransport(app=matching.app(manage_lifespan=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://toit.test") as client:
        yield recus, client


async def attendre_evenements(recus: list[IntegrationEvent], nombre: int) -> None:
    limite = time.monotonic() + 30
    while len(recus) < nombre:
        assert time.monotonic() < limite, f"{len(recus)} événements reçus sur {nombre}"
        await asyncio.sleep(0.02)


async def test_matching_vacances_publient_leurs_evenements(env: Any) -> None:
    recus, client = env
    r = await client.post(
        "/api/matching/patrimoine/imports?format=csv&nom_fichier=patrimoine.csv",
        content=(EXEMPLES / "patrimoine.csv").read_bytes(),
        headers=BAILLEUR_H,
    )
    assert r.status_code == 201, r.text
    annee = datetime.now(UTC).year
    r = await client.post(
        "/api/matching/conventions",
        json={
            "reservataire_id": "etat-44",
            "reservataire_nom": "DDETS 44",
            "departement": "44",
            "annee": annee,
            "parts": {"ETAT_PRIORITAIRES": "25"},
        },
        headers=BAILLEUR_H,
    )
    assert r.status_code == 201, r.text
    dispo = min((datetime.now(UTC) + timedelta(days=30)).date(), date(annee, 12, 31))

    async def declarer(rpls: str) -> str:
        r = await client.post(
            "/api/matching/vacances",
            json={"rpls": rpls, "type": "PREAVIS", "date_disponibilite": dispo.isoformat()},
            headers=BAILLEUR_H,
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    orientee, retiree = await declarer("44109000101"), await declarer("44109000102")
    r = await client.post(
        f"/api/matching/vacances/{orientee}/orientation",
        json={"contingent": "ETAT_PRIORITAIRES", "reservataire_id": "etat-44"},
        headers={**BAILLEUR_H, "If-Match": '"1"'},
    )
    assert r.status_code == 200, r.text

    # Withdrawal: the réservataire cannot (its role manages no stock); "AUTRE" needs a
    # precision; a stale version is refused; then the bailleur withdraws, and a second
    # withdrawal is a conflict.
    url = f"/api/matching/vacances/{retiree}/retrait"
    r = await client.post(url, json={"motif": "TRAVAUX"}, headers=ETAT_H)
    assert r.status_code == 403
    r = await client.post(url, json={"motif": "AUTRE"}, headers=BAILLEUR_H)
    assert r.status_code == 422 and "précisez" in r.text
    r = await client.post(url, json={"motif": "INCONNU"}, headers=BAILLEUR_H)
    assert r.status_code == 422
    r = await client.post(
        url, json={"motif": "PREAVIS_ANNULE"}, headers={**BAILLEUR_H, "If-Match": '"5"'}
    )
    assert r.status_code == 412
    r = await client.post(
        url, json={"motif": "PREAVIS_ANNULE"}, headers={**BAILLEUR_H, "If-Match": '"1"'}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["statut"], r.json()["motif_retrait"]) == ("RETIREE", "PREAVIS_ANNULE")
    r = await client.post(url, json={"motif": "PREAVIS_ANNULE"}, headers=BAILLEUR_H)
    assert r.status_code == 409 and "déjà retirée" in r.json()["detail"]
    # The flux base counts the oriented vacancy only; the unit can be declared again.
    r = await client.get(f"/api/matching/flux?annee={dispo.year}", headers=BAILLEUR_H)
    assert r.json()[0]["base"] == 1
    redeclaree = await declarer("44109000102")

    await attendre_evenements(recus, 5)
    assert sorted((e.event_type, str(e.vacance_id), e.version) for e in recus) == sorted(  # type: ignore[attr-defined]
        [
            ("vacance.declaree", orientee, 1),
            ("vacance.declaree", retiree, 1),
            ("vacance.orientee", orientee, 2),
            ("vacance.retiree", retiree, 2),
            ("vacance.declaree", redeclaree, 1),
        ]
    )
    declaree = next(e for e in recus if isinstance(e, VacanceDeclaree))
    assert (declaree.commune, declaree.typologie.value, declaree.type) == ("44109", "T3", "PREAVIS")
    assert declaree.loyer > Decimal(0) and declaree.annee_flux == dispo.year
    oriente = next(e for e in recus if isinstance(e, VacanceOrientee))
    assert (oriente.contingent, oriente.reservataire_id, oriente.hors_flux) == (
        "ETAT_PRIORITAIRES",
        "etat-44",
        False,
    )
    assert oriente.convention_id is not None
    retrait = next(e for e in recus if isinstance(e, VacanceRetiree))
    assert (retrait.motif, retrait.statut_precedent) == ("PREAVIS_ANNULE", "DECLAREE")
