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
    DesignationEffectuee,
    IntegrationEvent,
    VacanceDeclaree,
    VacanceOrientee,
    VacanceRetiree,
)
from toit_contracts.events.attributions import (
    ATTRIBUANTES,
    AttributionPrononcee,
    CaleolDecisionPrise,
    OffreAcceptee,
    OffreEmise,
    OffreRefusee,
)

VERSION = 3


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
class Update:
    """Set `values` on the row with this key, if it exists (a later step of an
    entity whose row an earlier event created: applied after the batch's upserts,
    in event order)."""

    table: str
    key: dict[str, Any]
    values: dict[str, Any]


@dataclass(frozen=True)
class Purge:
    """Clear identifying columns of a demande (demande.purgee)."""

    demande_id: Any


Change = Upsert | Update | Purge


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
    return _matching(event, territoire)


def _vacance(vacance_id: Any, **values: Any) -> Update:
    return Update("rm_logement_vacant", {"logement_id": str(vacance_id)}, values)


def _proposition(dossier_id: Any, demande_id: Any, **values: Any) -> Update:
    return Update(
        "rm_proposition", {"proposition_id": proposition_id(dossier_id, demande_id)}, values
    )


def proposition_id(dossier_id: Any, demande_id: Any) -> str:
    """One proposition per candidate examined by a CALEOL: dossier and demande."""
    return f"{dossier_id.hex}:{demande_id.hex}"


def _matching(event: IntegrationEvent, territoire: Territoire) -> list[Change]:
    """Vacancies, CALEOL decisions, offers and attributions (matching's events)."""
    if isinstance(event, VacanceDeclaree):
        return [
            Upsert(
                "rm_logement_vacant",
                {"logement_id": str(event.vacance_id)},
                {
                    "departement": event.departement,
                    "commune": event.commune,
                    "epci": event.epci or territoire.epci_de(event.commune),
                    "bailleur": event.bailleur_id,
                    "reservataire": None,
                    "typologie": event.typologie.value,
                    "qpv": event.qpv,
                    "loyer": event.loyer,
                    "date_vacance": event.date_disponibilite,
                    "mois": mois(event.date_disponibilite),
                    "statut": "DECLAREE",
                    "financement": event.financement,
                },
            )
        ]
    if isinstance(event, VacanceOrientee):
        return [
            _vacance(
                event.vacance_id,
                statut="ORIENTEE",
                reservataire=event.reservataire_id or event.contingent,
            )
        ]
    if isinstance(event, DesignationEffectuee):
        return [_vacance(event.vacance_id, statut="DESIGNEE")]
    if isinstance(event, VacanceRetiree):
        return [_vacance(event.vacance_id, statut="RETIREE")]
    if isinstance(event, CaleolDecisionPrise):
        epci = territoire.epci_de(event.commune)
        return [
            Upsert(
                "rm_proposition",
                {"proposition_id": proposition_id(event.dossier_id, d.demande_id)},
                {
                    "demande_id": d.demande_id,
                    "logement_id": str(event.vacance_id),
                    "departement": event.departement,
                    "commune": event.commune,
                    "epci": epci,
                    "bailleur": event.bailleur_id,
                    "date_proposition": event.date_decision,
                    "mois": mois(event.date_decision),
                    "decision": "A_PROPOSER" if d.sens in ATTRIBUANTES else "SANS_OFFRE",
                    "motif_refus": None,
                    "decision_caleol": d.sens.value,
                    "rang": d.rang,
                    "typologie": event.typologie.value,
                },
            )
            for d in event.decisions
        ]
    if isinstance(event, OffreEmise):
        return [
            _proposition(
                event.dossier_id,
                event.demande_id,
                decision="PROPOSEE",
                date_proposition=event.date_notification,
                mois=mois(event.date_notification),
            )
        ]
    if isinstance(event, OffreAcceptee):
        return [_proposition(event.dossier_id, event.demande_id, decision="ACCEPTEE")]
    if isinstance(event, OffreRefusee):
        return [
            _proposition(
                event.dossier_id,
                event.demande_id,
                decision="REFUSEE",
                motif_refus=event.motif.value,
            )
        ]
    if isinstance(event, AttributionPrononcee):
        return _attribution(event, territoire)
    return []


def _attribution(event: AttributionPrononcee, territoire: Territoire) -> list[Change]:
    logement = event.logement
    signe = event.date_signature_bail
    depot = event.date_depot_initial
    delai = event.delai_attente_jours
    if delai is None and depot is not None:
        delai = (signe - depot).days
    return [
        Upsert(
            "rm_attribution",
            {"attribution_id": str(event.attribution_id)},
            {
                "demande_id": event.demande_id,
                "source": "matching",
                "departement": event.departement,
                "commune": logement.commune,
                "epci": logement.epci or territoire.epci_de(logement.commune),
                "date_attribution": signe,
                "mois": mois(signe),
                "annee": signe.year,
                # Completed from the observatoire's copy of the demande when applied.
                "typologie_demandee": None,
                "typologie_attribuee": logement.typologie.value,
                "bailleur": event.bailleur_siren or event.bailleur_id,
                "reservataire": event.reservataire_id or event.contingent,
                "qpv": logement.qpv,
                "premier_quartile": event.premier_quartile,
                "relogement_anru": False,
                "revenu_annuel_uc": None,
                "dalo": event.dalo,
                "prioritaire": event.dalo,
                "mutation": event.mutation_interne,
                "date_depot": depot,
                "delai_jours": delai,
            },
        ),
        _vacance(event.vacance_id, statut="ATTRIBUEE"),
    ]


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
