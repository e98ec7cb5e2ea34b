"""Designation of candidates for a vacancy (primer §9.1.3, §8.2): up to N candidates in
rank order (3 by default); fewer only with a recorded exception (not enough candidates,
a DALO household designated alone); skipping a higher-ranked candidate requires a
motive, kept for the fairness statistics."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from toit_matching.domain.erreurs import Conflit, DonneesInvalides, ErreurChamp

MOTIF_MAX = 500


class ExceptionDesignation(StrEnum):
    PAS_ASSEZ_DE_CANDIDATS = "PAS_ASSEZ_DE_CANDIDATS"
    DALO_DESIGNE_SEUL = "DALO_DESIGNE_SEUL"


@dataclass(frozen=True, slots=True)
class Ecart:
    demande_id: UUID
    rang_classement: int
    motif: str


@dataclass(frozen=True, slots=True)
class Designes:
    candidats: tuple[UUID, ...]
    ecarts: tuple[Ecart, ...]
    exception: ExceptionDesignation | None


def verifier_designation(
    candidats: Sequence[UUID],
    *,
    classement: Sequence[UUID],
    motifs: Mapping[UUID, str],
    exception: ExceptionDesignation | None,
    attendus: int,
    dalo: Mapping[UUID, bool],
    raisons_exclusion: Mapping[UUID, str],
) -> Designes:
    """Check a designation against the current ranking of eligible candidates.

    `classement`: eligible demandes in rank order; `raisons_exclusion`: why the other
    demandes known for this unit are not eligible. Raises DonneesInvalides or Conflit."""
    erreurs: list[ErreurChamp] = []
    if not candidats:
        raise DonneesInvalides([ErreurChamp("candidats", "au moins un candidat attendu")])
    if len(candidats) > attendus:
        raise DonneesInvalides(
            [ErreurChamp("candidats", f"au plus {attendus} candidats par logement")]
        )
    vus: set[UUID] = set()
    for index, demande in enumerate(candidats):
        if demande in vus:
            raise Conflit(f"la demande {demande} est désignée deux fois")
        vus.add(demande)
        if demande not in classement:
            raison = raisons_exclusion.get(demande)
            erreurs.append(
                ErreurChamp(
                    f"candidats[{index}]",
                    f"cette demande n'est pas candidate pour ce logement ({raison})"
                    if raison
                    else "demande inconnue ou hors de votre périmètre",
                )
            )
    if erreurs:
        raise DonneesInvalides(erreurs)
    rang = {d: i for i, d in enumerate(classement, start=1)}
    if len(candidats) < attendus:
        if exception is None:
            erreurs.append(
                ErreurChamp(
                    "exception",
                    f"moins de {attendus} candidats : indiquez l'exception (pas assez de "
                    "candidats, ménage DALO désigné seul)",
                )
            )
        elif exception is ExceptionDesignation.PAS_ASSEZ_DE_CANDIDATS and len(classement) > len(
            candidats
        ):
            erreurs.append(
                ErreurChamp(
                    "exception",
                    f"{len(classement)} candidats sont disponibles : l'exception « pas assez de "
                    "candidats » ne s'applique pas",
                )
            )
        elif exception is ExceptionDesignation.DALO_DESIGNE_SEUL and (
            len(candidats) != 1 or not dalo.get(candidats[0], False)
        ):
            erreurs.append(
                ErreurChamp(
                    "exception",
                    "l'exception DALO vaut pour un seul candidat reconnu prioritaire DALO",
                )
            )
    elif exception is not None:
        erreurs.append(
            ErreurChamp("exception", "sans objet quand tous les candidats sont désignés")
        )
    plus_bas = max(rang[d] for d in candidats)
    ecarts: list[Ecart] = []
    for demande in classement[: plus_bas - 1]:
        if demande in vus:
            continue
        motif = (motifs.get(demande) or "").strip()
        if not motif:
            erreurs.append(
                ErreurChamp(
                    f"ecarts.{demande}",
                    f"le candidat classé {rang[demande]} est écarté au profit d'un candidat "
                    "moins bien classé : motif obligatoire",
                )
            )
        elif len(motif) > MOTIF_MAX:
            erreurs.append(
                ErreurChamp(f"ecarts.{demande}", f"motif de {MOTIF_MAX} caractères au plus")
            )
        else:
            ecarts.append(Ecart(demande, rang[demande], motif))
    for demande in motifs:
        if demande in vus or demande not in rang or rang[demande] >= plus_bas:
            erreurs.append(
                ErreurChamp(f"ecarts.{demande}", "motif sans objet : ce candidat n'est pas écarté")
            )
    if erreurs:
        raise DonneesInvalides(erreurs)
    return Designes(tuple(candidats), tuple(ecarts), exception)
