"""What each event makes of the read models: pure functions from an event to rows.

The projections (service_layer.modeles) apply these rows; nothing here reads a
database. Personal data stays out: no name, address, contact or birth date is
kept, only what statistics need (age in years, resources per consumption unit).
Bump `VERSION` whenever what a row holds changes: the service then rebuilds the
read models from the archive (service_layer.modeles.demarrer).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from toit_contracts.enums import (
    MotifRadiation,
    RolePersonne,
    StatutJustification,
    TypeLogementActuel,
)
from toit_contracts.events import (
    CotationCalculee,
    DemandeCreee,
    DemandeEnregistree,
    DemandeModifiee,
    DemandePurgee,
    DemandeRadiee,
    DemandeReactivee,
    DemandeRenouvelee,
    IntegrationEvent,
)

VERSION = 2


@dataclass(frozen=True)
class Territoire:
    """Reference data the projections need (the referentiel, or a test's table)."""

    epci_de: Callable[[str], str | None]
    departement_de_epci: Callable[[str], str | None]


_SNAPSHOT_EVENTS = (
    DemandeCreee,
    DemandeEnregistree,
    DemandeModifiee,
    DemandeRenouvelee,
    DemandeRadiee,
    DemandeReactivee,
)
TYPOLOGIES_ORDRE = ("CHAMBRE", "T1", "T2", "T3", "T4", "T5", "T6")


@dataclass(frozen=True)
class Upsert:
    """Write `values` to the row with this key unless it holds a higher version."""

    table: str
    key: dict[str, Any]
    values: dict[str, Any]
    version: int | None = None


@dataclass(frozen=True)
class Purge:
    """Clear identifying columns of a demande (demande.purgee)."""

    demande_id: Any


Change = Upsert | Purge


def mois(jour: date) -> str:
    return f"{jour.year:04d}-{jour.month:02d}"


def age(naissance: date, le: date) -> int:
    return le.year - naissance.year - ((le.month, le.day) < (naissance.month, naissance.day))


def revenu_annuel_uc(mensuel: Decimal | None, uc: Decimal | None) -> Decimal | None:
    """Annual resources per consumption unit (primer §10.2)."""
    if mensuel is None or not uc:
        return None
    return (Decimal(mensuel) * 12 / Decimal(uc)).quantize(Decimal("0.01"))


def changes(event: IntegrationEvent, time: datetime, territoire: Territoire) -> list[Change]:
    """The read-model changes an event makes (empty for events the models ignore)."""
    if isinstance(event, _SNAPSHOT_EVENTS):
        return _demande(event, time, territoire)
    if isinstance(event, CotationCalculee):
        return [
            Upsert(
                "rm_cotation",
                {"demande_id": event.demande_id, "epci": event.epci},
                {
                    "points": event.points,
                    "grille_id": event.grille_id,
                    "grille_version": event.grille_version,
                    "calculee_le": time,
                    "departement": territoire.departement_de_epci(event.epci),
                },
                event.version,
            )
        ]
    if isinstance(event, DemandePurgee):
        return [Purge(event.demande_id)]
    return []


def _demande(event: Any, time: datetime, territoire: Territoire) -> list[Change]:
    snap = event.snapshot
    jour = time.date()
    demandeur = next(p for p in snap.personnes if p.role is RolePersonne.DEMANDEUR)
    typologies = sorted(
        (t.value for t in snap.logement_recherche.typologies), key=TYPOLOGIES_ORDRE.index
    )
    commune = snap.logement_recherche.communes[0]
    epci = territoire.epci_de(commune)
    principal = next((m.motif.value for m in snap.motifs if m.principal), None)
    # A priority counts once validated (labellisée); a DALO decision always does.
    prioritaire = snap.dalo is not None or any(
        p.statut is StatutJustification.VALIDEE for p in snap.priorites
    )
    uc = snap.unites_consommation
    revenu_uc = revenu_annuel_uc(snap.ressources_mensuelles_totales, uc)
    mutation = snap.logement_actuel.type is TypeLogementActuel.LOCATAIRE_HLM
    radiee = isinstance(event, DemandeRadiee)
    row: dict[str, Any] = {
        "numero_unique": event.numero_unique,
        "departement": event.departement,
        "statut": event.statut.value,
        "commune": commune,
        "epci": epci,
        "typologie": typologies[0] if typologies else None,
        "typologies": ",".join(typologies),
        "taille_menage": snap.taille_menage,
        "categorie_menage": int(snap.categorie_menage) if snap.categorie_menage else None,
        "unites_consommation": uc,
        "ressources_mensuelles": snap.ressources_mensuelles_totales,
        "revenu_annuel_uc": revenu_uc,
        "age_demandeur": age(demandeur.date_naissance, jour),
        "situation_familiale": snap.situation_familiale.value if snap.situation_familiale else None,
        "type_logement_actuel": snap.logement_actuel.type.value,
        "motif_principal": principal,
        "canal_depot": snap.canal_depot.value,
        "guichet": snap.guichet_enregistreur,
        "mutation": mutation,
        "dalo": snap.dalo is not None,
        "prioritaire": prioritaire,
        "date_depot": snap.date_depot_initial,
        "mois_depot": mois(snap.date_depot_initial),
        "date_enregistrement": snap.date_enregistrement,
        "date_expiration": snap.date_expiration,
        "date_radiation": event.date_radiation if radiee else None,
        "mois_radiation": mois(event.date_radiation) if radiee else None,
        "motif_radiation": event.motif.value if radiee else None,
        "anciennete_mois": snap.anciennete_mois,
        "maj_le": time,
    }
    result: list[Change] = [
        Upsert("rm_demande", {"demande_id": event.demande_id}, row, event.version)
    ]
    if radiee and event.motif is MotifRadiation.ATTRIBUTION:
        result.append(
            Upsert(
                "rm_attribution",
                {"attribution_id": f"radiation:{event.demande_id}"},
                {
                    "demande_id": event.demande_id,
                    "source": "radiation",
                    "departement": event.departement,
                    "commune": commune,
                    "epci": epci,
                    "date_attribution": event.date_radiation,
                    "mois": mois(event.date_radiation),
                    "annee": event.date_radiation.year,
                    "typologie_demandee": row["typologie"],
                    "typologie_attribuee": None,
                    "bailleur": None,
                    "reservataire": None,
                    "qpv": None,
                    "premier_quartile": None,
                    "relogement_anru": False,
                    "revenu_annuel_uc": revenu_uc,
                    "dalo": row["dalo"],
                    "prioritaire": prioritaire,
                    "mutation": mutation,
                    "date_depot": snap.date_depot_initial,
                    "delai_jours": (event.date_radiation - snap.date_depot_initial).days,
                },
            )
        )
    return result
