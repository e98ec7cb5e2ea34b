"""With the real PostgreSQL and RabbitMQ: the suivi of a demande from events — its
historique (lifecycle, pièce, the commission's decision about it and the offer, never
another candidate's), its pièces, and its position among the active demandes of the
same EPCI asking for the same typologie; only the owning account reads it."""

from __future__ import annotations

import asyncio
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID, uuid4

from toit_portail.service import service
from toit_portail.service_layer import suivi

from servicekit import ServiceDefinition
from servicekit.runtime import ServiceRuntime
from servicekit.testing import RuntimeFactory
from toit_contracts.enums import StatutDemande, Typologie
from toit_contracts.events import (
    CotationCalculee,
    CritereCote,
    DemandeEnregistree,
    DemandePieceDeposee,
    IntegrationEvent,
)
from toit_contracts.examples import example_events, example_snapshot

MIGRATIONS = Path(__file__).parents[2] / "src" / "toit_portail" / "migrations"
NANTES = "244400404"


def enregistree(demande_id: UUID, compte: str, typologie: Typologie) -> DemandeEnregistree:
    snapshot = example_snapshot()
    recherche = snapshot.logement_recherche.model_copy(update={"typologies": [typologie]})
    return DemandeEnregistree(
        demande_id=demande_id,
        version=2,
        departement="44",
        statut=StatutDemande.ACTIVE,
        numero_unique=f"04401260{str(demande_id.int)[:5]}GU044",
        compte_demandeur=compte,
        snapshot=snapshot.model_copy(
            update={"logement_recherche": recherche, "date_depot_initial": date(2026, 1, 5)}
        ),
    )


def cotation(demande_id: UUID, points: str) -> CotationCalculee:
    return CotationCalculee(
        demande_id=demande_id,
        version=1,
        demande_version=2,
        epci=NANTES,
        grille_id=uuid4(),
        grille_version=1,
        points=Decimal(points),
        criteres=[CritereCote(code="ANCIENNETE", libelle="Ancienneté", points=Decimal(points))],
        input_hash="h",
    )


async def test_le_suivi_historique_pieces_et_position(runtime_factory: RuntimeFactory) -> None:
    portail = await runtime_factory(service)
    source: ServiceRuntime = await runtime_factory(
        ServiceDefinition(name="emetteur", migrations=MIGRATIONS)
    )
    exemples = example_events()
    decision = exemples["caleol.decision_prise"]
    a = decision.decisions[0].demande_id  # the example decision's first candidate
    b = decision.decisions[1].demande_id
    c, autre = uuid4(), uuid4()
    events: list[IntegrationEvent] = [
        enregistree(a, "compte-a", Typologie.T2),
        enregistree(b, "compte-b", Typologie.T2),
        enregistree(c, "compte-c", Typologie.T2),
        enregistree(autre, "compte-d", Typologie.T4),
        cotation(a, "20"),
        cotation(b, "35.5"),
        cotation(c, "10"),
        cotation(autre, "99"),
        DemandePieceDeposee(
            demande_id=a,
            version=2,
            departement="44",
            statut=StatutDemande.ACTIVE,
            piece_id=uuid4(),
            type_piece="PIECE_IDENTITE",
            depot_en_ligne=False,
        ),
        decision,
        exemples["offre.emise"].model_copy(update={"demande_id": a}),
    ]
    for event in events:
        async with source.unit_of_work() as uow:
            uow.publish(event)
            await uow.commit()

    async def lire(compte: str = "compte-a") -> suivi.Suivi | None:
        async with portail.db.session() as session:
            return await suivi.suivi(session, a, compte)

    limite = time.monotonic() + 20
    while True:
        vue = await lire()
        if vue and len(vue.historique) == 4 and len(vue.cotations) == 1:
            async with portail.db.session() as session:
                autres = await suivi.suivi(session, c, "compte-c")
            position = vue.cotations[0][1]
            if autres and autres.cotations and position and position.sur == 3:
                break
        assert time.monotonic() < limite, vue
        await asyncio.sleep(0.1)

    assert vue is not None
    ((cote, position),) = vue.cotations
    # Behind b (35.5), ahead of c (10); the T4 demande with 99 points is not compared.
    assert (cote.points, position) == (Decimal("20.00"), suivi.Position(NANTES, "T2", 2, 3))
    types = [h.type for h in vue.historique]
    assert sorted(types) == sorted(
        ["demande.enregistree", "demande.piece_deposee", "caleol.decision_prise", "offre.emise"]
    )
    ligne_caleol = next(h for h in vue.historique if h.type == "caleol.decision_prise")
    assert decision.decisions[0].sens.label in ligne_caleol.libelle
    assert [p["type_piece"] for p in vue.pieces] == ["PIECE_IDENTITE"]
    assert [e.faite for e in vue.avancement] == [True, True, True, True, True, False]
    # b's decision is in b's historique only; another account reads nothing of a.
    async with portail.db.session() as session:
        vue_b = await suivi.suivi(session, b, "compte-b")
    assert vue_b is not None
    assert sorted(h.type for h in vue_b.historique) == [
        "caleol.decision_prise",
        "demande.enregistree",
    ]
    assert await lire("compte-b") is None
