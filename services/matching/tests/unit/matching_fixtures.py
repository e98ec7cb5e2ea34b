"""Builders for the unit tests of the matching domain."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from toit_matching.domain.demandeurs import DemandeVue, Priorite
from toit_matching.domain.patrimoine import Accessibilite, Financement
from toit_matching.domain.recherche import Offre


def vue(**changes: Any) -> DemandeVue:
    base: dict[str, Any] = {
        "demande_id": uuid4(),
        "version": 1,
        "departement": "44",
        "statut": "ACTIVE",
        "numero_unique": "044012500000142BAT44",
        "taille": 3,
        "categorie": 3,
        "revenu_fiscal": Decimal(20000),
        "annee_revenu": 2024,
        "ressources_mensuelles": Decimal(1800),
        "annees_naissance": (1985, 1987, 2015),
        "enfants_a_naitre": 0,
        "couple": True,
        "personnes_a_charge": 1,
        "typologies": ("T3", "T4"),
        "communes": ("44109", "44162"),
        "besoins": (),
        "etage_max": None,
        "dalo": False,
        "dalo_prefet": False,
        "priorites": (),
        "date_depot": date(2024, 3, 1),
        "logement_type": "HEBERGE_CHEZ_TIERS",
        "logement_commune": "44109",
        "aide_logement": None,
        "loyer_actuel": None,
    }
    base.update(changes)
    return DemandeVue(**base)


def offre(**changes: Any) -> Offre:
    base: dict[str, Any] = {
        "logement_id": "44109000101",
        "bailleur_id": "bailleur-1",
        "commune": "44109",
        "commune_nom": "Nantes",
        "epci": "244400404",
        "departement": "44",
        "typologie": "T3",
        "financement": Financement.PLUS,
        "etage": 2,
        "ascenseur": True,
        "accessibilite": Accessibilite.NON,
        "loyer": Decimal("420.00"),
        "charges": Decimal("90.00"),
        "chauffage_individuel": False,
        "eau_individuelle": False,
        "annee_reference": 2026,
    }
    base.update(changes)
    return Offre(**base)


def priorite(categorie: str, statut: str = "VALIDEE") -> Priorite:
    return Priorite(categorie, statut)


ID = UUID
