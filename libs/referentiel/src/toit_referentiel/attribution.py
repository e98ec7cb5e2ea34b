"""CALEOL, remote vote and offer configuration (attributions.yaml).

The ten-day minimum of an offer's response delay is law (R441-10 CCH) and is enforced here:
a file asking for less is refused. Quorum, tie rule, reminder and suspensive-condition
delays are local rules (unverified): configuration, shown as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from toit_referentiel.loading import data_path, load
from toit_referentiel.models import ReferentielInvalide

NOM = "attributions.yaml"
DELAI_LEGAL_MINIMUM_JOURS = 10  # R441-10 CCH
REGLES_EGALITE = ("voix_preponderante_sinon_report", "report")


def _invalid(message: str) -> ReferentielInvalide:
    return ReferentielInvalide(f"{data_path(NOM)}: {message}")


def _entier(value: Any, where: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _invalid(f"{where}: entier ≥ {minimum} attendu, reçu {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class RegleVote:
    quorum_deliberatifs: Decimal
    egalite: str
    duree_min_heures: int
    duree_max_heures: int
    non_verifie: bool = True  # local rules of the commission: never law


@dataclass(frozen=True, slots=True)
class RegleAttribution:
    delai_reponse_jours: int
    delai_reponse_jours_par_bailleur: dict[str, int]
    rappel_jours_avant: int
    delai_condition_jours: int
    vote: RegleVote
    motifs_refus: tuple[str, ...]

    def delai_reponse(self, bailleur_id: str) -> int:
        return self.delai_reponse_jours_par_bailleur.get(bailleur_id, self.delai_reponse_jours)


@cache
def regles_attribution() -> RegleAttribution:
    data = load(NOM)
    if not isinstance(data, dict):
        raise _invalid("objet attendu")
    offres = data.get("offres") or {}
    minimum = DELAI_LEGAL_MINIMUM_JOURS
    delai = _entier(offres.get("delai_reponse_jours"), "offres.delai_reponse_jours", minimum)
    par_bailleur = {
        str(b): _entier(j, f"offres.delai_reponse_jours_par_bailleur.{b}", minimum)
        for b, j in (offres.get("delai_reponse_jours_par_bailleur") or {}).items()
    }
    vote = data.get("vote_distance") or {}
    try:
        quorum = Decimal(str(vote.get("quorum_deliberatifs")))
    except ArithmeticError as exc:
        raise _invalid("vote_distance.quorum_deliberatifs: nombre attendu") from exc
    if not Decimal(0) < quorum <= Decimal(1):
        raise _invalid("vote_distance.quorum_deliberatifs: part entre 0 (exclu) et 1")
    egalite = str(vote.get("egalite"))
    if egalite not in REGLES_EGALITE:
        raise _invalid(f"vote_distance.egalite: une de {', '.join(REGLES_EGALITE)}")
    duree_min = _entier(vote.get("duree_min_heures"), "vote_distance.duree_min_heures", 1)
    duree_max = _entier(vote.get("duree_max_heures"), "vote_distance.duree_max_heures", duree_min)
    motifs = tuple(str(m) for m in data.get("motifs_refus") or ())
    if not motifs:
        raise _invalid("motifs_refus: au moins un motif attendu")
    return RegleAttribution(
        delai_reponse_jours=delai,
        delai_reponse_jours_par_bailleur=par_bailleur,
        rappel_jours_avant=_entier(offres.get("rappel_jours_avant"), "offres.rappel_jours_avant"),
        delai_condition_jours=_entier(
            (data.get("conditions_suspensives") or {}).get("delai_jours"),
            "conditions_suspensives.delai_jours",
            1,
        ),
        vote=RegleVote(quorum, egalite, duree_min, duree_max),
        motifs_refus=motifs,
    )
