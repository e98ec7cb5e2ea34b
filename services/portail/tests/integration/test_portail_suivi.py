"""With the real PostgreSQL and RabbitMQ: the suivi of a demande from events — its
historique (lifecycle, pièce, the commission's decision about it and the offer, never
another candidate's), its pièces, and its position among the active demandes of the
same EPCI asking for the same typologie (a cotation arriving before its demande counts
once the demande arrives), the average waiting time of similar attributions of the last
twelve months; only the owning account reads it."""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta
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
    AttributionPrononcee,
    CotationCalculee,
    CritereCote,
    DemandeEnregistree,
    DemandePieceDeposee,
    DemandePieceStatuee,
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


def attribution(typologie: Typologie, signature: date, jours: int) -> AttributionPrononcee:
    modele = example_events()["attribution.prononcee"]
    assert isinstance(modele, AttributionPrononcee)
    return modele.model_copy(
        update={
            "attribution_id": uuid4(),
            "demande_id": uuid4(),
            "logement": modele.logement.model_copy(update={"typologie": typologie}),
            "date_decision": signature - timedelta(days=20),
            "date_offre": signature - timedelta(days=15),
            "date_signature_bail": signature,
            "delai_attente_jours": jours,
        }
    )


AUJOURD_HUI = date(2026, 10, 1)


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
    piece_id = uuid4()
    events: list[IntegrationEvent] = [
        cotation(c, "10"),  # before its demande: compared once the demande is known
        enregistree(a, "compte-a", Typologie.T2),
        enregistree(b, "compte-b", Typologie.T2),
        enregistree(c, "compte-c", Typologie.T2),
        enregistree(autre, "compte-d", Typologie.T4),
        cotation(a, "20"),
        cotation(b, "35.5"),
        cotation(autre, "99"),
        DemandePieceDeposee(
            demande_id=a,
            version=2,
            departement="44",
            statut=StatutDemande.ACTIVE,
            piece_id=piece_id,
            type_piece="PIECE_IDENTITE",
            depot_en_ligne=False,
        ),
        DemandePieceStatuee(
            demande_id=a,
            version=2,
            departement="44",
            statut=StatutDemande.ACTIVE,
            piece_id=piece_id,
            type_piece="PIECE_IDENTITE",
            decision="REFUSEE",
            motif_refus="Copie illisible",
        ),
        decision,
        exemples["offre.emise"].model_copy(update={"demande_id": a}),
        # Similar leases (T2, Nantes Métropole) within twelve months: 300 and 400 days;
        # neither a T3 nor a lease older than twelve months counts.
        attribution(Typologie.T2, date(2026, 7, 1), 300),
        attribution(Typologie.T2, date(2026, 9, 1), 400),
        attribution(Typologie.T3, date(2026, 9, 1), 1000),
        attribution(Typologie.T2, date(2025, 9, 1), 2000),
    ]
    for event in events:
        async with source.unit_of_work() as uow:
            uow.publish(event)
            await uow.commit()

    async def lire(compte: str = "compte-a") -> suivi.Suivi | None:
        async with portail.db.session() as session:
            return await suivi.suivi(session, a, compte, AUJOURD_HUI)

    limite = time.monotonic() + 20
    while True:
        vue = await lire()
        if vue and len(vue.historique) == 5 and len(vue.cotations) == 1:
            async with portail.db.session() as session:
                autres = await suivi.suivi(session, c, "compte-c")
            position = vue.cotations[0].position
            delai = vue.cotations[0].delai
            if (
                autres
                and autres.cotations
                and position
                and position.sur == 3
                and delai.get("attributions") == 2
            ):
                break
        assert time.monotonic() < limite, vue
        await asyncio.sleep(0.1)

    assert vue is not None
    ((cote, position, delai),) = [(t.cotation, t.position, t.delai) for t in vue.cotations]
    # Behind b (35.5), ahead of c (10); the T4 demande with 99 points is not compared.
    assert (cote.points, position) == (Decimal("20.00"), suivi.Position(NANTES, "T2", 2, 3))
    # (300 + 400) / 2 days = 11.5 months of 30.44 days, on two attributions.
    assert (delai["disponible"], delai["moyenne_mois"], delai["attributions"]) == (True, 11.5, 2)
    assert delai["mediane_mois"] == 11.5
    types = [h.type for h in vue.historique]
    assert sorted(types) == sorted(
        [
            "demande.enregistree",
            "demande.piece_deposee",
            "demande.piece_statuee",
            "caleol.decision_prise",
            "offre.emise",
        ]
    )
    refus = next(h for h in vue.historique if h.type == "demande.piece_statuee")
    assert "refusée" in refus.libelle and refus.detail == "Copie illisible"
    ligne_caleol = next(h for h in vue.historique if h.type == "caleol.decision_prise")
    assert decision.decisions[0].sens.label in ligne_caleol.libelle
    assert [(p["type_piece"], p["statut"], p["motif_refus"]) for p in vue.pieces] == [
        ("PIECE_IDENTITE", "REFUSEE", "Copie illisible")
    ]
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
    # A radiated demande is no longer compared: c is then 2nd of 2.
    radiee = exemples["demande.radiee"].model_copy(
        update={"demande_id": b, "version": 3, "compte_demandeur": "compte-b"}
    )
    async with source.unit_of_work() as uow:
        uow.publish(radiee)
        await uow.commit()
    limite = time.monotonic() + 20
    while True:
        async with portail.db.session() as session:
            vue_c = await suivi.suivi(session, c, "compte-c", AUJOURD_HUI)
        assert vue_c is not None
        position_c = vue_c.cotations[0].position
        if position_c and position_c.sur == 2:
            break
        assert time.monotonic() < limite, vue_c
        await asyncio.sleep(0.1)
    assert position_c == suivi.Position(NANTES, "T2", 2, 2)
