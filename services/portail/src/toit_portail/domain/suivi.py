"""What the household sees of its demande's life (pure rules): the historique lines
each event gives, the avancement (steps done), the pièces deposited and the position
of the demande among similar ones.

Only what the household may see: its demande's lifecycle, its pièces, and — from
matching's and the attribution chain's events — its designation for a home, the
commission's decision about it (with the written reasons the law requires for a
non-attribution or an irrecevabilité) and the offers made to it. Other candidates of a
commission are never shown (each decision is kept only for its own demande)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from toit_contracts.enums import MotifRadiation
from toit_contracts.events import IntegrationEvent


@dataclass(frozen=True)
class Ligne:
    demande_id: UUID
    type: str
    libelle: str
    detail: str | None = None


def _date(valeur: date) -> str:
    return valeur.strftime("%d/%m/%Y")


def _ligne_demande(event: Any) -> str | None:
    match event.event_type:
        case "demande.creee":
            return "Demande créée"
        case "demande.enregistree":
            return f"Demande enregistrée, numéro unique {event.numero_unique}"
        case "demande.modifiee":
            return "Demande modifiée"
        case "demande.renouvelee":
            return "Demande renouvelée pour un an"
        case "demande.renouvellement_a_echeance":
            return f"Avis : la demande est à renouveler avant le {_date(event.date_expiration)}"
        case "demande.radiation_preavisee":
            return (
                f"Préavis de radiation ({MotifRadiation(event.motif).label}) : répondre avant "
                f"le {_date(event.date_limite_reponse)}"
            )
        case "demande.radiee":
            return f"Demande radiée : {MotifRadiation(event.motif).label}"
        case "demande.reactivee":
            return "Demande réactivée"
        case "demande.rejetee":
            return f"Demande en ligne renvoyée : {event.motif}"
        case "demande.delai_anormalement_long_atteint":
            return "Délai anormalement long atteint : vous pouvez saisir la commission DALO"
        case "demande.piece_deposee":
            return "Pièce justificative déposée"
        case "demande.piece_statuee":
            return "Pièce justificative " + (
                "validée" if event.decision == "VALIDEE" else "refusée : déposez-en une nouvelle"
            )
    return None


def lignes(event: IntegrationEvent) -> list[Ligne]:
    """The historique lines an event gives, one per demande it concerns (none for the rest)."""
    e: Any = event
    if event.event_type.startswith("demande."):
        libelle = _ligne_demande(e)
        detail = getattr(e, "motif_refus", None)
        return [Ligne(e.demande_id, event.event_type, libelle, detail)] if libelle else []
    if event.event_type == "designation.effectuee":
        return [
            Ligne(c.demande_id, event.event_type, "Candidature présentée pour un logement")
            for c in e.candidats
        ]
    if event.event_type == "caleol.decision_prise":
        return [
            Ligne(
                d.demande_id,
                event.event_type,
                f"Examen en commission d'attribution le {_date(e.date_decision)} : "
                f"{d.sens.label}" + (f" (rang {d.rang})" if d.rang else ""),
                d.motifs,
            )
            for d in e.decisions
        ]
    if event.event_type == "offre.emise":
        return [
            Ligne(
                e.demande_id,
                event.event_type,
                f"Logement proposé ({e.typologie}, {e.adresse}) : répondre avant le "
                f"{_date(e.date_limite_reponse)}",
            )
        ]
    if event.event_type == "offre.acceptee":
        return [Ligne(e.demande_id, event.event_type, "Proposition de logement acceptée")]
    if event.event_type == "offre.refusee":
        quoi = "sans réponse dans le délai" if e.tacite else e.motif.label
        return [Ligne(e.demande_id, event.event_type, f"Proposition refusée : {quoi}")]
    if event.event_type == "attribution.prononcee":
        return [Ligne(e.demande_id, event.event_type, "Bail signé : logement attribué")]
    return []


@dataclass(frozen=True)
class Etape:
    libelle: str
    faite: bool


ETAPES: tuple[tuple[str, frozenset[str]], ...] = (
    ("Demande déposée", frozenset({"demande.creee"})),
    ("Demande enregistrée (numéro unique)", frozenset({"demande.enregistree"})),
    ("Pièces justificatives déposées", frozenset({"demande.piece_deposee"})),
    (
        "Candidature présentée et examinée en commission (CALEOL)",
        frozenset({"designation.effectuee", "caleol.decision_prise"}),
    ),
    ("Logement proposé", frozenset({"offre.emise"})),
    ("Bail signé", frozenset({"attribution.prononcee"})),
)


def avancement(types_vus: set[str], numero_unique: str | None) -> list[Etape]:
    """The steps of the way, each done once one of its events was seen (a demande
    registered before the portail existed has a numéro without the event)."""
    etapes = [Etape(libelle, bool(types & types_vus)) for libelle, types in ETAPES]
    if numero_unique:
        etapes[0] = Etape(etapes[0].libelle, True)
        etapes[1] = Etape(etapes[1].libelle, True)
    return etapes


@dataclass(frozen=True)
class Position:
    """Rank of the demande's score among the active demandes of the same EPCI asking for
    the same first typologie (primer §7.2): 1 is the highest score."""

    epci: str
    typologie: str | None
    rang: int
    sur: int


@dataclass(frozen=True)
class LigneHistorique:
    date: datetime
    type: str
    libelle: str
    detail: str | None = None
