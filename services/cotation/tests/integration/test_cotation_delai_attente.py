"""With the real PostgreSQL and RabbitMQ (issue 17): attributions from matching feed the
average and median waiting time shown with the cotation of a similar demande (same EPCI and
typology, leases of the last twelve months), where it said « non disponible »."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import httpx
from toit_cotation.service import service

from servicekit.testing import RuntimeFactory
from servicekit.testing_auth import auth_headers
from toit_contracts.enums import Typologie
from toit_contracts.events import AttributionPrononcee
from toit_contracts.examples import example_events

from .cotation_harness import (
    attendre_demandes,
    creee,
    emetteur,
    nouvel_id,
    publier,
    publier_grille_nantes,
    snapshot,
)

INSTRUCTEUR = auth_headers(roles={"INSTRUCTEUR"}, departements={"44"})


def attribution(jours: int, signature: date, typologie: Typologie = Typologie.T3) -> Any:
    exemple = example_events()["attribution.prononcee"]
    assert isinstance(exemple, AttributionPrononcee)
    return exemple.model_copy(
        update={
            "attribution_id": uuid4(),
            "date_signature_bail": signature,
            "delai_attente_jours": jours,
            "logement": exemple.logement.model_copy(update={"typologie": typologie}),
        }
    )


async def test_delai_attente_moyen_et_median(runtime_factory: RuntimeFactory) -> None:
    cotation = await runtime_factory(service)
    source = await runtime_factory(emetteur)
    await publier_grille_nantes(cotation)
    demande = nouvel_id()
    await publier(source, creee(demande, snapshot()))
    await attendre_demandes(cotation, 1)
    transport = httpx.ASGITransport(app=cotation.app(manage_lifespan=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://toit.test") as client:

        async def delai() -> dict[str, Any]:
            for _ in range(200):
                r = await client.get(f"/api/cotation/demandes/{demande}", headers=INSTRUCTEUR)
                if r.status_code == 200 and r.json()["cotations"]:
                    return dict(r.json()["cotations"][0]["delai_attente"])
                await asyncio.sleep(0.05)
            raise AssertionError(r.text)

        avant = await delai()
        assert avant["disponible"] is False and "aucune attribution comparable" in avant["motif"]
        recent = date.today() - timedelta(days=30)
        premiere = attribution(300, recent)
        await publier(
            source,
            premiere,
            premiere,  # a replay is counted once
            attribution(600, recent),
            attribution(900, recent - timedelta(days=100)),
            attribution(3000, date.today() - timedelta(days=400)),  # older than a year
            attribution(50, recent, Typologie.T1),  # another typology
        )
        for _ in range(200):
            apres = await delai()
            if apres["disponible"] and apres["attributions"] == 3:
                break
            await asyncio.sleep(0.05)
        assert apres["attributions"] == 3
        assert apres["moyenne_mois"] == round(600 / (365.25 / 12), 1)
        assert apres["mediane_mois"] == round(600 / (365.25 / 12), 1)
        assert "d'après 3 attribution(s) T3" in apres["libelle"]
