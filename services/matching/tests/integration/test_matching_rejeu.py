"""With the real RabbitMQ and PostgreSQL: matching's read models rebuilt from scratch by
replaying the event archive (the stream bound to every event, servicekit's
`LecteurFlux`) equal what the live consumers built, stale copies dropped the same way."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from uuid import uuid4

import sqlalchemy as sa
from toit_matching.adapters.tables import demandes, scores, souhaits
from toit_matching.entrypoints.events import rejouer_archive
from toit_matching.service import service

from servicekit.messaging.flux import LecteurFlux, MessageFlux
from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory
from toit_contracts.enums import StatutDemande
from toit_contracts.events import DemandeModifiee, DemandePurgee

from .test_matching_parcours import cotation, creee, emetteur, publier, snapshot


async def photo(runtime: ServiceRuntime) -> dict[str, list[tuple[Any, ...]]]:
    """The read models' rows (without the time each was received)."""
    colonnes = [c for c in demandes.c if c.name != "recue_le"]
    async with runtime.db.session() as session:
        return {
            "demandes": [
                tuple(r)
                for r in await session.execute(sa.select(*colonnes).order_by(demandes.c.demande_id))
            ],
            "souhaits": [
                tuple(r)
                for r in await session.execute(
                    sa.select(souhaits).order_by(souhaits.c.demande_id, souhaits.c.commune)
                )
            ],
            "scores": [
                tuple(r)
                for r in await session.execute(
                    sa.select(scores).order_by(scores.c.demande_id, scores.c.epci)
                )
            ],
        }


async def test_matching_rejeu_de_l_archive(runtime_factory: RuntimeFactory) -> None:
    matching = await runtime_factory(service)
    source = await runtime_factory(emetteur)
    archive = LecteurFlux(matching.settings.amqp_url, MessageFlux, nom_connexion="test-rejeu")
    await archive.declarer()
    try:
        a, b, c = uuid4(), uuid4(), uuid4()
        await publier(source, creee(a, 20_000), creee(b, 25_000), creee(c, 18_000))
        await publier(source, cotation(a, 40), cotation(b, 55), cotation(a, 48, version=2))
        modifiee = {
            "demande_id": b,
            "departement": "44",
            "statut": StatutDemande.ACTIVE,
            "numero_unique": None,
            "snapshot": snapshot(90_000, communes=("44109", "44162")),
        }
        await publier(source, DemandeModifiee(version=3, **modifiee))
        # A copy older than what was applied, arriving last: dropped live and replayed.
        await publier(
            source,
            DemandeModifiee(version=2, **{**modifiee, "snapshot": snapshot(1_000)}),
            cotation(a, 10, version=1),
            DemandePurgee(demande_id=c, version=2, departement="44"),
        )

        async def etat() -> tuple[Any, ...]:
            async with matching.db.session() as session:
                requete = sa.select(demandes.c.demande_id, demandes.c.version)
                lignes = {r.demande_id: r.version for r in await session.execute(requete)}
                points = (await session.execute(sa.select(sa.func.sum(scores.c.points)))).scalar()
            return lignes, points

        limite = time.monotonic() + 20
        while await etat() != ({a: 1, b: 3}, 103) and time.monotonic() < limite:
            await asyncio.sleep(0.1)
        assert await etat() == ({a: 1, b: 3}, 103)
        vivant = await photo(matching)
        assert len(vivant["souhaits"]) == 3

        resultat = await rejouer_archive(matching.unit_of_work, archive, lot=3)
        assert await photo(matching) == vivant
        assert (resultat.lus, resultat.appliques, resultat.perimes) == (10, 8, 2), resultat
    finally:
        await archive.fermer()
