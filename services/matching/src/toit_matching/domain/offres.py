"""Offers to the attributaires, in rank order (R441-10 CCH, primer §9.1.6-7).

The rank-1 attributaire receives the offer with a response deadline of at least ten days
(civil-procedure counting, domain/delais.py). Acceptance leads to the lease; a refusal (with
its motive from configuration), silence at the deadline (tacit refusal, daily job) or a
suspensive condition not lifted in time moves the offer to the next rank; after the last
rank, the vacancy goes back to designation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from toit_matching.domain.erreurs import Conflit, DonneesInvalides, ErreurChamp


class StatutOffre(StrEnum):
    EMISE = "EMISE"
    ACCEPTEE = "ACCEPTEE"
    REFUSEE = "REFUSEE"
    BAIL_SIGNE = "BAIL_SIGNE"


TRANSITIONS = {
    StatutOffre.EMISE: (StatutOffre.ACCEPTEE, StatutOffre.REFUSEE),
    StatutOffre.ACCEPTEE: (StatutOffre.BAIL_SIGNE, StatutOffre.REFUSEE),
}


def transition(statut: StatutOffre, vers: StatutOffre) -> StatutOffre:
    if vers not in TRANSITIONS.get(statut, ()):
        libelles = {
            StatutOffre.EMISE: "en attente de réponse",
            StatutOffre.ACCEPTEE: "acceptée",
            StatutOffre.REFUSEE: "refusée",
            StatutOffre.BAIL_SIGNE: "suivie d'un bail signé",
        }
        raise Conflit(f"l'offre est déjà {libelles[statut]}")
    return vers


@dataclass(frozen=True, slots=True)
class Attributaire:
    demande_id: UUID
    rang: int
    piece: str | None = None
    date_limite_piece: date | None = None


def suivant(attributaires: Sequence[Attributaire], deja: Sequence[UUID]) -> Attributaire | None:
    """The next attributaire by rank who has not had an offer yet."""
    for a in sorted(attributaires, key=lambda a: a.rang):
        if a.demande_id not in deja:
            return a
    return None


def verifier_refus(
    motif: str | None, precision: str | None, motifs_configures: Sequence[str]
) -> None:
    erreurs = []
    if motif not in motifs_configures:
        erreurs.append(
            ErreurChamp("motif", "motif de refus inconnu : " + ", ".join(motifs_configures))
        )
    if motif == "AUTRE" and not (precision and precision.strip()):
        erreurs.append(ErreurChamp("precision", "précisez le motif « autre »"))
    if erreurs:
        raise DonneesInvalides(erreurs)


def verifier_bail(date_bail: date, date_offre: date, date_reponse: date | None) -> None:
    if date_bail < date_offre or (date_reponse is not None and date_bail < date_reponse):
        raise DonneesInvalides(
            [
                ErreurChamp(
                    "date_signature",
                    f"le bail ne peut pas être signé avant l'offre ({date_offre:%d/%m/%Y}) "
                    "ni avant son acceptation",
                )
            ]
        )


def condition_levee(piece: str | None, produite: bool) -> bool:
    return piece is None or produite


CRITERE_PREMIER_QUARTILE = "PREMIER_QUARTILE"


def premier_quartile(criteres: Sequence[Mapping[str, Any]] | None) -> bool | None:
    """The household's first-quartile status (L441-1 CCH) for the SNE, read from the
    cotation matching holds for the unit's EPCI: cotation lists the criteria a demande
    obtains, and its PREMIER_QUARTILE criterion compares resources per UC with the EPCI's
    yearly threshold. No cotation held for that EPCI: unknown (None). A grid without that
    criterion cannot tell either, and reads as False (a limit, said in the README)."""
    if criteres is None:
        return None
    return any(c.get("code") == CRITERE_PREMIER_QUARTILE for c in criteres)
