"""Remote vote of a CALEOL on one dossier (CALEOL numérique).

A dossier is opened to the commission's members until a deadline. Each member who sits for
the unit votes once (and may change the vote until the deadline): attribuer (with the
candidates ranked), ne pas attribuer, rejeter (irrecevable), reporter (to a physical
session). Only deliberative votes count; consultative ones are recorded as opinions.
Quorum and tie rules are the commission's internal rules (configuration, unverified): at
the deadline, without the quorum the dossier is postponed; the choice with the most
deliberative votes wins; a tie is broken by the member with the casting vote when the rule
says so and that member voted, otherwise the dossier is postponed. The ranking of an
attribution is the Borda count of the "attribuer" ballots (ties: designation rank).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from toit_matching.domain.caleol import Membre, Voix
from toit_matching.domain.erreurs import AccesRefuse, Conflit, DonneesInvalides, ErreurChamp


class Choix(StrEnum):
    ATTRIBUER = "ATTRIBUER"
    NE_PAS_ATTRIBUER = "NE_PAS_ATTRIBUER"
    REJETER = "REJETER"
    REPORTER = "REPORTER"


LIBELLES_CHOIX = {
    Choix.ATTRIBUER: "Attribuer (candidats classés)",
    Choix.NE_PAS_ATTRIBUER: "Ne pas attribuer",
    Choix.REJETER: "Rejeter (irrecevable)",
    Choix.REPORTER: "Reporter en commission physique",
}

EGALITE_PREPONDERANTE = "voix_preponderante_sinon_report"


@dataclass(frozen=True, slots=True)
class Bulletin:
    membre_id: UUID
    choix: Choix
    rangs: tuple[UUID, ...] = ()  # candidates in order, for ATTRIBUER
    commentaire: str | None = None


@dataclass(frozen=True, slots=True)
class Resultat:
    choix: Choix
    rangs: tuple[UUID, ...]
    decompte: dict[str, int]
    votants_deliberatifs: int
    deliberatifs: int
    quorum_requis: int
    quorum_atteint: bool
    departage_par: UUID | None = None
    explication: str = ""
    avis_consultatifs: dict[str, int] = field(default_factory=dict)


def verifier_ouverture(ouverture: datetime, limite: datetime, min_h: int, max_h: int) -> None:
    heures = (limite - ouverture).total_seconds() / 3600
    if heures < min_h or heures > max_h:
        raise DonneesInvalides(
            [
                ErreurChamp(
                    "date_limite",
                    f"le vote reste ouvert entre {min_h} et {max_h} heures "
                    "(règlement de la commission, configuration)",
                )
            ]
        )


def verifier_bulletin(
    bulletin: Bulletin,
    *,
    votant: Membre | None,
    candidats: Sequence[UUID],
    maintenant: datetime,
    limite: datetime,
    clos: bool,
) -> None:
    """One member's ballot: a member who sits for the unit, before the deadline, ranking
    designated candidates only."""
    if votant is None:
        raise AccesRefuse(
            "vous ne siégez pas pour ce dossier : seuls les membres de la commission "
            "qui siègent pour ce logement votent"
        )
    if clos or maintenant >= limite:
        raise Conflit(
            f"le vote est clos depuis le {limite:%d/%m/%Y à %H:%M} : il n'est plus possible "
            "de voter ni de modifier son vote"
        )
    if bulletin.choix is Choix.ATTRIBUER:
        erreurs = []
        if not bulletin.rangs:
            erreurs.append(ErreurChamp("rangs", "classez au moins un candidat pour attribuer"))
        if len(set(bulletin.rangs)) != len(bulletin.rangs):
            erreurs.append(ErreurChamp("rangs", "un candidat ne figure qu'une fois au classement"))
        inconnus = [c for c in bulletin.rangs if c not in candidats]
        if inconnus:
            erreurs.append(ErreurChamp("rangs", "candidat non présenté pour ce logement"))
        if erreurs:
            raise DonneesInvalides(erreurs)
    elif bulletin.rangs:
        raise DonneesInvalides(
            [ErreurChamp("rangs", "un classement ne va qu'avec le choix « attribuer »")]
        )


def quorum_requis(deliberatifs: int, part: Decimal) -> int:
    return max(1, math.ceil(Decimal(deliberatifs) * part))


def classement(bulletins: Sequence[Bulletin], candidats: Sequence[UUID]) -> tuple[UUID, ...]:
    """Borda count over the ATTRIBUER ballots: a candidate ranked k-th of n gets n-k+1
    points; ties are broken by the designation rank."""
    points: Counter[UUID] = Counter()
    for b in bulletins:
        n = len(b.rangs)
        for k, c in enumerate(b.rangs):
            points[c] += n - k
    retenus = [c for c in candidats if points[c] > 0]
    return tuple(sorted(retenus, key=lambda c: (-points[c], candidats.index(c))))


def resultat(
    sieges: Sequence[Membre],
    bulletins: Sequence[Bulletin],
    candidats: Sequence[UUID],
    *,
    quorum: Decimal,
    egalite: str,
    preponderant: Membre | None,
) -> Resultat:
    par_membre = {m.id: m for m in sieges}
    deliberatifs = [m for m in sieges if m.voix is Voix.DELIBERATIVE]
    comptes = [b for b in bulletins if b.membre_id in par_membre]
    votes = [b for b in comptes if par_membre[b.membre_id].voix is Voix.DELIBERATIVE]
    avis = Counter(
        b.choix.value for b in comptes if par_membre[b.membre_id].voix is Voix.CONSULTATIVE
    )
    decompte = Counter(b.choix.value for b in votes)
    requis = quorum_requis(len(deliberatifs), quorum)
    commun = {
        "decompte": {c.value: decompte.get(c.value, 0) for c in Choix},
        "votants_deliberatifs": len(votes),
        "deliberatifs": len(deliberatifs),
        "quorum_requis": requis,
        "avis_consultatifs": dict(avis),
    }
    if len(votes) < requis:
        return Resultat(
            choix=Choix.REPORTER,
            rangs=(),
            quorum_atteint=False,
            explication=f"quorum non atteint ({len(votes)} votants sur {requis} requis) : "
            "dossier reporté en commission physique",
            **commun,  # type: ignore[arg-type]
        )
    maximum = max(decompte.values())
    en_tete = [c for c in Choix if decompte.get(c.value, 0) == maximum]
    departage: UUID | None = None
    if len(en_tete) == 1:
        gagnant = en_tete[0]
        explication = f"« {LIBELLES_CHOIX[gagnant]} » à la majorité des voix exprimées"
    else:
        voix_p = next(
            (b for b in votes if preponderant is not None and b.membre_id == preponderant.id),
            None,
        )
        if egalite == EGALITE_PREPONDERANTE and voix_p is not None and voix_p.choix in en_tete:
            gagnant, departage = voix_p.choix, voix_p.membre_id
            assert preponderant is not None
            explication = (
                f"égalité départagée par la voix prépondérante de {preponderant.nom} : "
                f"« {LIBELLES_CHOIX[gagnant]} »"
            )
        else:
            gagnant = Choix.REPORTER
            explication = "égalité des voix sans voix prépondérante : dossier reporté"
    rangs = (
        classement([b for b in votes if b.choix is Choix.ATTRIBUER], candidats)
        if gagnant is Choix.ATTRIBUER
        else ()
    )
    return Resultat(
        choix=gagnant,
        rangs=rangs,
        quorum_atteint=True,
        departage_par=departage,
        explication=explication,
        **commun,  # type: ignore[arg-type]
    )
