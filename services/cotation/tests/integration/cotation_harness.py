"""Test harness: an emitter of demande events and a collector of cotation events,
both real servicekit runtimes on the broker, beside the cotation runtime."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from toit_cotation import service_layer as services
from toit_cotation.adapters.tables import demandes
from toit_cotation.seed import grilles_exemple

from servicekit import ServiceDefinition
from servicekit.messaging.consumer import EventConsumer, HandlerContext
from servicekit.runtime import ServiceRuntime
from toit_contracts.enums import StatutDemande, TypeLogementActuel
from toit_contracts.events import (
    CotationCalculee,
    DemandeCreee,
    DemandeModifiee,
    DemandeSnapshot,
    IntegrationEvent,
    LogementActuel,
    LogementRecherche,
)
from toit_contracts.examples import example_snapshot

MIGRATIONS = Path(__file__).parents[2] / "src" / "toit_cotation" / "migrations"
NANTES = "244400404"

emetteur = ServiceDefinition(name="emetteur", migrations=MIGRATIONS)


@dataclass
class Recues:
    evenements: list[tuple[float, CotationCalculee]] = field(default_factory=list)
    nouvelle: asyncio.Event = field(default_factory=asyncio.Event)

    def de(self, demande_id: UUID) -> list[CotationCalculee]:
        return [e for _, e in self.evenements if e.demande_id == demande_id]

    async def attendre(self, predicat: Any, delai: float = 10.0) -> float:
        """Wait until predicat(events) holds; returns the time it became true."""
        limite = time.monotonic() + delai
        while True:
            trouve = predicat([e for _, e in self.evenements])
            if trouve:
                return self.evenements[-1][0]
            reste = limite - time.monotonic()
            if reste <= 0:
                raise AssertionError("événement cotation.calculee attendu, non reçu")
            self.nouvelle.clear()
            try:
                await asyncio.wait_for(self.nouvelle.wait(), timeout=min(reste, 0.2))
            except TimeoutError:
                pass


def collecteur() -> tuple[ServiceDefinition, Recues]:
    recues = Recues()
    consumer = EventConsumer("cotations")

    @consumer.on(CotationCalculee)
    async def recevoir(_ctx: HandlerContext, event: CotationCalculee) -> None:
        recues.evenements.append((time.monotonic(), event))
        recues.nouvelle.set()

    return ServiceDefinition(name="collecteur", migrations=MIGRATIONS, consumers=[consumer]), recues


async def publier(runtime: ServiceRuntime, *events: IntegrationEvent) -> None:
    async with runtime.unit_of_work() as uow:
        for event in events:
            uow.publish(event)
        await uow.commit()


async def attendre_demandes(cotation: ServiceRuntime, nombre: int, delai: float = 10) -> None:
    """Wait until cotation has taken in `nombre` demandes (the bus is asynchronous)."""
    limite = time.monotonic() + delai
    while True:
        async with cotation.db.session() as session:
            vues = (
                await session.execute(sa.select(sa.func.count()).select_from(demandes))
            ).scalar_one()
        if vues >= nombre:
            return
        if time.monotonic() > limite:
            raise AssertionError(f"cotation a reçu {vues} demandes sur {nombre}")
        await asyncio.sleep(0.02)


async def publier_grille_nantes(runtime: ServiceRuntime) -> UUID:
    definition = next(g for g in grilles_exemple() if g.epci == NANTES)
    maintenant = datetime.now(UTC)
    async with runtime.unit_of_work() as uow:
        grille = await services.grilles.creer_grille(uow, definition, maintenant)
    async with runtime.unit_of_work() as uow:
        await services.grilles.publier_grille(uow, grille.id, None, maintenant)
    return grille.id


def snapshot(
    *,
    logement: TypeLogementActuel = TypeLogementActuel.HEBERGE_CHEZ_TIERS,
    loyer_max: str = "550.00",
    communes: tuple[str, ...] = ("44109", "44143"),
    depot: date = date(2025, 3, 12),
) -> DemandeSnapshot:
    base = example_snapshot()
    return base.model_copy(
        update={
            "logement_actuel": LogementActuel(type=logement, commune="44109"),
            "logement_recherche": LogementRecherche(
                typologies=base.logement_recherche.typologies,
                communes=list(communes),
                loyer_max_mensuel=loyer_max,
            ),
            "date_depot_initial": depot,
        }
    )


def creee(
    demande_id: UUID, snap: DemandeSnapshot, compte_demandeur: str | None = None
) -> DemandeCreee:
    return DemandeCreee(
        demande_id=demande_id,
        version=1,
        departement="44",
        statut=StatutDemande.ACTIVE,
        snapshot=snap,
        compte_demandeur=compte_demandeur,
    )


def modifiee(
    demande_id: UUID, version: int, snap: DemandeSnapshot, compte_demandeur: str | None = None
) -> DemandeModifiee:
    return DemandeModifiee(
        demande_id=demande_id,
        version=version,
        departement="44",
        statut=StatutDemande.ACTIVE,
        snapshot=snap,
        compte_demandeur=compte_demandeur,
    )


def nouvel_id() -> UUID:
    return uuid4()
