"""With the real PostgreSQL and RabbitMQ: demandes' and cotation's events feed the
portail's read model; stale and repeated copies change nothing; the espace of an account
shows its own demande only; a purge leaves nothing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID, uuid4

from toit_portail.service import service
from toit_portail.service_layer import espace

from servicekit import ServiceDefinition
from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory
from toit_contracts.enums import StatutDemande
from toit_contracts.events import (
    CotationCalculee,
    CritereCote,
    DemandeCreee,
    DemandeEnregistree,
    DemandeModifiee,
    DemandePurgee,
    IntegrationEvent,
)
from toit_contracts.examples import example_snapshot

MIGRATIONS = Path(__file__).parents[2] / "src" / "toit_portail" / "migrations"
emetteur = ServiceDefinition(name="emetteur", migrations=MIGRATIONS)
NUMERO = "0440126000001GU044"
NANTES, CARENE = "244400404", "244400644"


async def publier(runtime: ServiceRuntime, *events: IntegrationEvent) -> None:
    for event in events:  # one commit each: the order of publication is kept
        async with runtime.unit_of_work() as uow:
            uow.publish(event)
            await uow.commit()


async def attendre(predicat: Callable[[], Awaitable[bool]], delai: float = 15.0) -> None:
    limite = time.monotonic() + delai
    while not await predicat():
        assert time.monotonic() < limite, "condition non atteinte"
        await asyncio.sleep(0.05)


def demande(cls: type, demande_id: UUID, version: int, compte: str, **extra: object) -> object:
    snapshot = example_snapshot().model_copy(
        update={
            "date_depot_initial": date(2026, 1, 5),
            "date_enregistrement": date(2026, 1, 6) if version > 1 else None,
            "date_expiration": date(2027, 1, 6) if version > 1 else None,
        }
    )
    return cls(
        demande_id=demande_id,
        version=version,
        departement="44",
        compte_demandeur=compte,
        snapshot=snapshot,
        **extra,
    )


def cotation(demande_id: UUID, epci: str, version: int, points: str) -> CotationCalculee:
    return CotationCalculee(
        demande_id=demande_id,
        version=version,
        demande_version=2,
        epci=epci,
        grille_id=uuid4(),
        grille_version=1,
        points=Decimal(points),
        criteres=[CritereCote(code="ANCIENNETE", libelle="Ancienneté", points=Decimal(points))],
        input_hash=f"h{version}",
    )


async def test_les_evenements_alimentent_l_espace_du_seul_demandeur(
    runtime_factory: RuntimeFactory,
) -> None:
    portail = await runtime_factory(service)
    source = await runtime_factory(emetteur)
    a, b = uuid4(), uuid4()

    await publier(
        source,
        demande(DemandeCreee, a, 1, "compte-a", statut=StatutDemande.A_VALIDER),
        demande(
            DemandeEnregistree, a, 2, "compte-a", statut=StatutDemande.ACTIVE, numero_unique=NUMERO
        ),
        cotation(a, NANTES, 1, "10"),
        cotation(a, NANTES, 2, "12.50"),
        cotation(a, CARENE, 1, "30"),
        # Stale copies, published last: the kept state does not go back.
        demande(DemandeModifiee, a, 1, "compte-a", statut=StatutDemande.A_VALIDER),
        cotation(a, NANTES, 1, "10"),
        demande(DemandeCreee, b, 1, "compte-b", statut=StatutDemande.A_VALIDER),
    )

    async def vues(compte: str) -> list[espace.DemandeEspace]:
        async with portail.db.session() as session:
            return await espace.espace(session, compte)

    async def tout_recu() -> bool:
        # Several workers consume the queue: the order of application is not the order
        # of publication; the version check makes the end state the same.
        recues = await vues("compte-a")
        return (
            bool(await vues("compte-b"))
            and len(recues) == 1
            and recues[0].demande.version == 2
            and {(c.epci, c.version) for c in recues[0].cotations} == {(NANTES, 2), (CARENE, 1)}
        )

    await attendre(tout_recu)
    (vue,) = await vues("compte-a")
    assert (vue.demande.demande_id, vue.demande.version) == (a, 2)
    assert (vue.demande.statut, vue.demande.numero_unique) == ("ACTIVE", NUMERO)
    assert (vue.demande.date_enregistrement, vue.demande.date_expiration) == (
        date(2026, 1, 6),
        date(2027, 1, 6),
    )
    # Per EPCI, highest score first; the stale Nantes copy (10 points) was ignored.
    assert [(c.epci, c.points, c.version) for c in vue.cotations] == [
        (CARENE, Decimal("30.00"), 1),
        (NANTES, Decimal("12.50"), 2),
    ]
    assert [c.demande.demande_id for c in await vues("compte-b")] == [b]
    assert await vues("compte-inconnu") == []

    # The purge removes the demande and its cotations from the portail.
    await publier(source, DemandePurgee(demande_id=a, version=3, departement="44"))

    async def purgee() -> bool:
        return not await vues("compte-a")

    await attendre(purgee)
