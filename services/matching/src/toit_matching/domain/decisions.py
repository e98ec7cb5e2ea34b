"""The CALEOL's decisions on a dossier (R441-3 CCH, primer §9.1.5), one per candidate:

a) attribution to one candidate; b) attribution with the candidates ranked (rang 1, 2, 3: if
rang 1 refuses, the unit goes to the next); c) attribution under suspensive condition when a
pièce is missing (the pièce and the deadline to produce it); d) non-attribution, reasoned in
writing; e) rejection for irrecevabilité, with its legal ground (income above the ceiling or
irregular stay of an adult: R441-2-8 CCH), which opens the radiation notice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

from toit_matching.domain.erreurs import Conflit, DonneesInvalides, ErreurChamp
from toit_matching.domain.vote import Choix


class Sens(StrEnum):
    ATTRIBUTION = "ATTRIBUTION"
    ATTRIBUTION_RANG = "ATTRIBUTION_RANG"
    ATTRIBUTION_SOUS_CONDITION = "ATTRIBUTION_SOUS_CONDITION"
    NON_ATTRIBUTION = "NON_ATTRIBUTION"
    IRRECEVABILITE = "IRRECEVABILITE"


LETTRES = {
    Sens.ATTRIBUTION: "a",
    Sens.ATTRIBUTION_RANG: "b",
    Sens.ATTRIBUTION_SOUS_CONDITION: "c",
    Sens.NON_ATTRIBUTION: "d",
    Sens.IRRECEVABILITE: "e",
}
LIBELLES_SENS = {
    Sens.ATTRIBUTION: "a) Attribution",
    Sens.ATTRIBUTION_RANG: "b) Attribution par ordre de priorité",
    Sens.ATTRIBUTION_SOUS_CONDITION: "c) Attribution sous condition suspensive",
    Sens.NON_ATTRIBUTION: "d) Non-attribution",
    Sens.IRRECEVABILITE: "e) Irrecevabilité",
}
ATTRIBUANTS = (Sens.ATTRIBUTION, Sens.ATTRIBUTION_RANG, Sens.ATTRIBUTION_SOUS_CONDITION)
FONDEMENTS = ("PLAFOND_RESSOURCES", "SEJOUR_IRREGULIER")
MOTIFS_MIN = 10


@dataclass(frozen=True, slots=True)
class Decision:
    demande_id: UUID
    sens: Sens
    rang: int | None = None
    motifs: str | None = None
    fondement: str | None = None  # PLAFOND_RESSOURCES, SEJOUR_IRREGULIER
    piece: str | None = None
    date_limite_piece: date | None = None

    @property
    def attribue(self) -> bool:
        return self.sens in ATTRIBUANTS


def verifier_decisions(
    decisions: Sequence[Decision],
    candidats: Sequence[UUID],
    aujourd_hui: date,
    vote: Choix | None = None,
) -> None:
    """Everything the law requires of the decisions, with the field path of each fault; a
    remote vote's result binds the decision (a postponed dossier goes to a physical
    session)."""
    erreurs: list[ErreurChamp] = []
    if not decisions:
        raise DonneesInvalides([ErreurChamp("decisions", "au moins une décision est attendue")])
    vus: set[UUID] = set()
    for i, d in enumerate(decisions):
        champ = f"decisions[{i}]"
        if d.demande_id not in candidats:
            erreurs.append(ErreurChamp(f"{champ}.demande_id", "candidat non présenté"))
        if d.demande_id in vus:
            erreurs.append(ErreurChamp(f"{champ}.demande_id", "une seule décision par candidat"))
        vus.add(d.demande_id)
        if d.attribue and d.rang is None:
            erreurs.append(ErreurChamp(f"{champ}.rang", "le rang d'attribution est obligatoire"))
        if not d.attribue and d.rang is not None:
            erreurs.append(ErreurChamp(f"{champ}.rang", "un rang ne va qu'avec une attribution"))
        if d.sens in (Sens.NON_ATTRIBUTION, Sens.IRRECEVABILITE) and (
            d.motifs is None or len(d.motifs.strip()) < MOTIFS_MIN
        ):
            erreurs.append(
                ErreurChamp(
                    f"{champ}.motifs",
                    "une non-attribution ou une irrecevabilité est motivée par écrit "
                    f"(R441-3 CCH) : {MOTIFS_MIN} caractères au moins",
                )
            )
        if d.sens is Sens.IRRECEVABILITE and d.fondement not in FONDEMENTS:
            erreurs.append(
                ErreurChamp(
                    f"{champ}.fondement",
                    "le fondement légal de l'irrecevabilité est obligatoire : ressources "
                    "au-dessus du plafond ou séjour irrégulier d'un majeur (R441-2-8 CCH)",
                )
            )
        if d.sens is not Sens.IRRECEVABILITE and d.fondement is not None:
            erreurs.append(ErreurChamp(f"{champ}.fondement", "réservé à l'irrecevabilité"))
        if d.sens is Sens.ATTRIBUTION_SOUS_CONDITION:
            if not d.piece or len(d.piece.strip()) < 2:
                erreurs.append(ErreurChamp(f"{champ}.piece", "la pièce manquante est obligatoire"))
            if d.date_limite_piece is None or d.date_limite_piece <= aujourd_hui:
                erreurs.append(
                    ErreurChamp(
                        f"{champ}.date_limite_piece",
                        "le délai pour produire la pièce est une date à venir",
                    )
                )
        elif d.piece is not None or d.date_limite_piece is not None:
            erreurs.append(
                ErreurChamp(f"{champ}.piece", "une pièce manquante va avec la décision c")
            )
    rangs = sorted(d.rang for d in decisions if d.rang is not None)
    if rangs != list(range(1, len(rangs) + 1)):
        erreurs.append(ErreurChamp("decisions", "les rangs vont de 1 à n, sans trou ni doublon"))
    if any(d.sens is Sens.ATTRIBUTION for d in decisions) and len(rangs) > 1:
        erreurs.append(
            ErreurChamp(
                "decisions",
                "plusieurs attributaires classés : décision b (attribution par ordre de "
                "priorité), pas a",
            )
        )
    if erreurs:
        raise DonneesInvalides(erreurs)
    if vote is None:
        return
    attribue = bool(rangs)
    if vote is Choix.REPORTER:
        raise Conflit("le vote à distance a reporté ce dossier : il passe en séance physique")
    if (vote is Choix.ATTRIBUER) != attribue:
        raise Conflit(
            "la décision ne suit pas le résultat du vote à distance "
            f"(« {vote.value} ») : elle doit le reprendre"
        )
    if vote is Choix.REJETER and not any(d.sens is Sens.IRRECEVABILITE for d in decisions):
        raise Conflit("le vote a rejeté le dossier : l'irrecevabilité doit être prononcée")


def lettre_du_dossier(decisions: Sequence[Decision]) -> str:
    """The dossier's decision as R441-3 words it: a, b, c when attributed, d or e otherwise."""
    attribuees = [d for d in decisions if d.attribue]
    if any(d.sens is Sens.ATTRIBUTION_SOUS_CONDITION for d in attribuees):
        return "c"
    if len(attribuees) > 1:
        return "b"
    if attribuees:
        return "a"
    if any(d.sens is Sens.IRRECEVABILITE for d in decisions):
        return "e"
    return "d"
