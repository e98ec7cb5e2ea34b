"""Gestion en flux (primer §9.4): reservation conventions, the orientation of each
vacancy to a réservataire's flux, and the ledger of units due vs oriented vs attributed.

A convention binds a bailleur and a réservataire in a département (a commune when the
réservataire is one) for a year, with a share of the year's flux per contingent. The flux
base of a year is the vacancies the bailleur declared that year in the département,
minus those it set outside the flux (internal mutations, renewal rehousing...). Units
due = share × base; the suggested contingent for the next vacancy is the one most
behind (largest due − oriented).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

from toit_matching.domain.erreurs import DonneesInvalides, ErreurChamp
from toit_matching.domain.patrimoine import Contingent


@dataclass(frozen=True, slots=True)
class Convention:
    id: UUID
    bailleur_id: str
    reservataire_id: str
    reservataire_nom: str
    departement: str
    commune: str | None
    annee: int
    parts: Mapping[Contingent, Decimal]  # percent of the year's flux


def verifier_parts(parts: Mapping[Contingent, Decimal]) -> None:
    erreurs = []
    if not parts:
        erreurs.append(ErreurChamp("parts", "au moins un contingent attendu"))
    for contingent, pourcent in parts.items():
        if contingent is Contingent.BAILLEUR:
            erreurs.append(
                ErreurChamp(
                    f"parts.{contingent.value}",
                    "le contingent du bailleur est le reste du flux, pas une réservation",
                )
            )
        elif not Decimal(0) < pourcent <= Decimal(100):
            erreurs.append(
                ErreurChamp(f"parts.{contingent.value}", "pourcentage entre 0 et 100 attendu")
            )
    if sum(parts.values(), Decimal(0)) > 100:
        erreurs.append(ErreurChamp("parts", "la somme des parts dépasse 100 %"))
    if erreurs:
        raise DonneesInvalides(erreurs)


@dataclass(frozen=True, slots=True)
class LigneFlux:
    convention_id: UUID | None  # None: the bailleur's own share
    reservataire_id: str | None
    reservataire_nom: str
    contingent: Contingent
    pourcent: Decimal
    dus: Decimal
    orientes: int
    attribues: int

    @property
    def retard(self) -> Decimal:
        return self.dus - self.orientes


def grand_livre(
    conventions: Iterable[Convention],
    base: int,
    orientes: Mapping[tuple[str | None, Contingent], int],
    attribues: Mapping[tuple[str | None, Contingent], int],
) -> list[LigneFlux]:
    """The lines of one bailleur × département × year: one per convention and contingent,
    plus the bailleur's own remainder. `orientes`/`attribues` are keyed by
    (réservataire id, or None for the bailleur, contingent)."""
    lignes: list[LigneFlux] = []
    total = Decimal(0)
    for c in conventions:
        for contingent, pourcent in sorted(c.parts.items()):
            total += pourcent
            cle = (c.reservataire_id, contingent)
            lignes.append(
                LigneFlux(
                    c.id,
                    c.reservataire_id,
                    c.reservataire_nom,
                    contingent,
                    pourcent,
                    (pourcent * base / 100).quantize(Decimal("0.1"), ROUND_HALF_UP),
                    orientes.get(cle, 0),
                    attribues.get(cle, 0),
                )
            )
    reste = max(Decimal(0), Decimal(100) - total)
    cle_bailleur = (None, Contingent.BAILLEUR)
    lignes.append(
        LigneFlux(
            None,
            None,
            "Bailleur (non réservé)",
            Contingent.BAILLEUR,
            reste,
            (reste * base / 100).quantize(Decimal("0.1"), ROUND_HALF_UP),
            orientes.get(cle_bailleur, 0),
            attribues.get(cle_bailleur, 0),
        )
    )
    return lignes


def suggestion(lignes: Iterable[LigneFlux]) -> LigneFlux | None:
    """The line most behind once the next vacancy is counted in the base: the largest
    (share of base + 1) − oriented; ties go to the larger share."""
    candidates = [lg for lg in lignes if lg.pourcent > 0]
    if not candidates:
        return None
    return max(candidates, key=lambda lg: (lg.retard + lg.pourcent / 100, lg.pourcent))
