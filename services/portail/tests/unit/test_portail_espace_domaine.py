"""The espace personnel's read-model rules, without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

from toit_portail.domain.espace import plus_recente, vue_cotation, vue_demande

from toit_contracts.enums import MotifRadiation, StatutDemande
from toit_contracts.events import (
    CotationCalculee,
    CritereCote,
    DemandeCreee,
    DemandeEnregistree,
    DemandeRadiee,
    DemandeRenouvellementAEcheance,
)
from toit_contracts.examples import example_snapshot

DEMANDE = uuid4()


def test_une_copie_plus_ancienne_est_ignoree_une_egale_ou_plus_recente_remplace() -> None:
    assert plus_recente(None, 1)
    assert plus_recente(2, 3)
    assert plus_recente(2, 2)
    assert not plus_recente(3, 2)


def test_la_vue_suit_la_demande_du_depot_a_la_radiation() -> None:
    snapshot = example_snapshot().model_copy(
        update={"date_depot_initial": date(2026, 1, 5), "date_enregistrement": None}
    )
    creee = DemandeCreee(
        demande_id=DEMANDE,
        version=1,
        departement="44",
        statut=StatutDemande.A_VALIDER,
        compte_demandeur="compte-1",
        snapshot=snapshot,
    )
    vue = vue_demande(creee, None)
    assert (vue.statut, vue.numero_unique, vue.compte_demandeur) == ("A_VALIDER", None, "compte-1")
    assert vue.date_depot_initial == date(2026, 1, 5)
    assert vue.libelle_statut == StatutDemande.A_VALIDER.label

    enregistree = DemandeEnregistree(
        demande_id=DEMANDE,
        version=2,
        departement="44",
        statut=StatutDemande.ACTIVE,
        numero_unique="0440126000001GU044",
        compte_demandeur="compte-1",
        snapshot=snapshot.model_copy(
            update={"date_enregistrement": date(2026, 1, 6), "date_expiration": date(2027, 1, 6)}
        ),
    )
    vue = vue_demande(enregistree, vue)
    assert (vue.statut, vue.numero_unique) == ("ACTIVE", "0440126000001GU044")
    assert (vue.date_enregistrement, vue.date_expiration) == (date(2026, 1, 6), date(2027, 1, 6))

    # A notice without snapshot nor account keeps what is known.
    preavis = DemandeRenouvellementAEcheance(
        demande_id=DEMANDE,
        version=2,
        departement="44",
        statut=StatutDemande.ACTIVE,
        numero_unique="0440126000001GU044",
        date_expiration=date(2027, 1, 6),
        contact=snapshot.contact,
    )
    vue = vue_demande(preavis, vue)
    assert vue.compte_demandeur == "compte-1"
    assert vue.date_enregistrement == date(2026, 1, 6)

    radiee = DemandeRadiee(
        demande_id=DEMANDE,
        version=3,
        departement="44",
        statut=StatutDemande.RADIEE,
        numero_unique="0440126000001GU044",
        compte_demandeur="compte-1",
        motif=MotifRadiation.ATTRIBUTION,
        date_radiation=date(2026, 6, 1),
        snapshot=snapshot,
    )
    vue = vue_demande(radiee, vue)
    assert (vue.statut, vue.date_radiation) == ("RADIEE", date(2026, 6, 1))
    assert vue.libelle_motif_radiation == MotifRadiation.ATTRIBUTION.label


def test_la_cotation_garde_le_detail_par_critere() -> None:
    event = CotationCalculee(
        demande_id=DEMANDE,
        version=4,
        demande_version=2,
        epci="244400404",
        grille_id=uuid4(),
        grille_version=2,
        points=Decimal("37.50"),
        criteres=[
            CritereCote(code="ANCIENNETE", libelle="Ancienneté", points=Decimal("12.50")),
            CritereCote(code="SUROCCUPATION", libelle="Suroccupation", points=Decimal("25")),
        ],
        input_hash="h",
    )
    vue = vue_cotation(event, None)
    assert (vue.epci, vue.version, vue.points, vue.grille_version) == (
        "244400404",
        4,
        Decimal("37.50"),
        2,
    )
    assert vue.criteres == [
        {"code": "ANCIENNETE", "libelle": "Ancienneté", "points": "12.50"},
        {"code": "SUROCCUPATION", "libelle": "Suroccupation", "points": "25"},
    ]
