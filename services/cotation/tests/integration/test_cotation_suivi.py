"""With the real broker: a demande event re-scores within a second, and only a
change that moves the result publishes a new cotation.calculee."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import sqlalchemy as sa
from toit_cotation.adapters.tables import demandes, scores
from toit_cotation.service import service

from servicekit.testing import RuntimeFactory
from toit_contracts.enums import MotifRadiation, StatutDemande, TypeLogementActuel
from toit_contracts.events import DemandeRadiee

from .cotation_harness import (
    NANTES,
    collecteur,
    creee,
    emetteur,
    modifiee,
    nouvel_id,
    publier,
    publier_grille_nantes,
    snapshot,
)


async def test_score_follows_relevant_changes_only(runtime_factory: RuntimeFactory) -> None:
    cotation = await runtime_factory(service)
    definition, recues = collecteur()
    await runtime_factory(definition)
    source = await runtime_factory(emetteur)
    grille_id = await publier_grille_nantes(cotation)

    demande_id = nouvel_id()
    await publier(source, creee(demande_id, snapshot()))
    await recues.attendre(lambda evs: any(e.demande_id == demande_id for e in evs))
    premiere = recues.de(demande_id)[0]
    assert (premiere.epci, premiere.grille_id, premiere.version) == (NANTES, grille_id, 1)
    assert {c.code for c in premiere.criteres} >= {"ANCIENNETE", "SANS_LOGEMENT"}

    # A field a criterion reads: hosted by a third party → homeless.
    debut = time.monotonic()
    await publier(source, modifiee(demande_id, 2, snapshot(logement=TypeLogementActuel.SANS_ABRI)))
    recue_le = await recues.attendre(
        lambda evs: len([e for e in evs if e.demande_id == demande_id]) == 2
    )
    assert recue_le - debut < 1.0, f"cotation recalculée en {recue_le - debut:.3f} s"
    seconde = recues.de(demande_id)[1]
    assert seconde.points - premiere.points == Decimal(25)  # SANS_ABRI 50 instead of 25
    assert seconde.version == 2 and seconde.demande_version == 2
    assert seconde.input_hash != premiere.input_hash

    # A field no criterion reads: processed, stored, but no new event.
    await publier(
        source,
        modifiee(
            demande_id, 3, snapshot(logement=TypeLogementActuel.SANS_ABRI, loyer_max="700.00")
        ),
    )

    async def version_suivie() -> int:
        async with cotation.unit_of_work() as uow:
            return int(
                (
                    await uow.session.execute(
                        sa.select(demandes.c.version).where(demandes.c.demande_id == demande_id)
                    )
                ).scalar_one()
            )

    limite = time.monotonic() + 5
    while await version_suivie() < 3 and time.monotonic() < limite:
        await asyncio.sleep(0.05)
    assert await version_suivie() == 3
    await asyncio.sleep(0.5)  # leave time for a wrongly published event to arrive
    assert len(recues.de(demande_id)) == 2

    # Radiation: out of the ranking, snapshot forgotten.
    snap = snapshot(logement=TypeLogementActuel.SANS_ABRI)
    await publier(
        source,
        DemandeRadiee(
            demande_id=demande_id,
            version=4,
            departement="44",
            statut=StatutDemande.RADIEE,
            snapshot=snap,
            motif=MotifRadiation.RENONCIATION,
            date_radiation=snap.date_depot_initial,
        ),
    )
    limite = time.monotonic() + 5
    while await version_suivie() < 4 and time.monotonic() < limite:
        await asyncio.sleep(0.05)
    async with cotation.unit_of_work() as uow:
        restants = (
            await uow.session.execute(
                sa.select(sa.func.count())
                .select_from(scores)
                .where(scores.c.demande_id == demande_id)
            )
        ).scalar_one()
        conserve = (
            await uow.session.execute(
                sa.select(demandes.c.snapshot).where(demandes.c.demande_id == demande_id)
            )
        ).scalar_one()
    assert restants == 0 and conserve is None
