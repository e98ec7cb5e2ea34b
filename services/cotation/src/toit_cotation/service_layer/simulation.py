"""Simulation of a draft grid on the current demandes."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from servicekit.uow import UnitOfWork
from toit_contracts.enums import StatutDemande
from toit_cotation.domain.champs import Contexte
from toit_cotation.domain.grille import (
    EtatGrille,
    Population,
    TransitionInterdite,
)
from toit_cotation.service_layer.commun import (
    compilee,
    delai_de,
    depot,
    reference_du_mois,
    seuil_quartile_de,
)
from toit_cotation.service_layer.grilles import grille_existante

# --- Simulation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mouvement:
    demande_id: UUID
    typologie: str | None
    points_actuels: Decimal | None
    points_simules: Decimal
    rang_actuel: int | None
    rang_simule: int


def _rangs(points: dict[UUID, Decimal], groupes: dict[UUID, str | None]) -> dict[UUID, int]:
    """Rank (1 = most points, ties share a rank) within each typology group."""
    rangs: dict[UUID, int] = {}
    par_groupe: dict[str | None, list[UUID]] = {}
    for demande_id in points:
        par_groupe.setdefault(groupes[demande_id], []).append(demande_id)
    for membres in par_groupe.values():
        ordonnes = sorted(membres, key=lambda i: points[i], reverse=True)
        rang = 0
        precedent: Decimal | None = None
        for index, demande_id in enumerate(ordonnes, start=1):
            if points[demande_id] != precedent:
                rang, precedent = index, points[demande_id]
            rangs[demande_id] = rang
    return rangs


def distribution(valeurs: Sequence[Decimal]) -> dict[str, Any]:
    if not valeurs:
        return {"nombre": 0}
    nombres = sorted(float(v) for v in valeurs)
    quartiles = statistics.quantiles(nombres, n=4) if len(nombres) > 1 else [nombres[0]] * 3
    tranches: dict[str, int] = {}
    for v in nombres:
        debut = int(v // 10 * 10)
        cle = f"{debut}-{debut + 9}"
        tranches[cle] = tranches.get(cle, 0) + 1
    # Points are decimal strings everywhere in Toit (never JSON floats).
    return {
        "nombre": len(nombres),
        "minimum": _points(nombres[0]),
        "maximum": _points(nombres[-1]),
        "moyenne": _points(statistics.fmean(nombres)),
        "mediane": _points(statistics.median(nombres)),
        "quartiles": [_points(q) for q in quartiles],
        "tranches_de_10_points": tranches,
    }


def _points(valeur: float) -> str:
    return str(Decimal(repr(valeur)).quantize(Decimal("0.01")))


async def simuler_grille(
    uow: UnitOfWork, grille_id: UUID, maintenant: datetime, nombre_mouvements: int = 20
) -> dict[str, Any]:
    """Score the EPCI's current active demandes with a grid (typically a draft) and
    compare with their current scores; writes nothing."""
    grille = await grille_existante(uow, grille_id)
    if grille.etat is EtatGrille.ARCHIVEE:
        raise TransitionInterdite("une grille archivée ne se simule pas")
    lignes = [
        r
        for r in await depot(uow).snapshots_de_l_epci(grille.epci)
        if r.statut == StatutDemande.ACTIVE.value
    ]
    actuels = await depot(uow).scores_actifs_de_l_epci(grille.epci)
    regles = compilee(grille)
    reference = reference_du_mois(maintenant.date())
    quartile = seuil_quartile_de(grille.epci, reference.year)
    simules: dict[UUID, Decimal] = {}
    groupes: dict[UUID, str | None] = {}
    for r in lignes:
        mutation = r.snapshot["logement_actuel"]["type"] == "LOCATAIRE_HLM"
        if (grille.population is Population.MUTATIONS) != mutation:
            continue
        typologies = r.snapshot["logement_recherche"]["typologies"]
        contexte = Contexte(reference, delai_de(r.departement, typologies), quartile)
        simules[r.demande_id] = regles.coter(r.snapshot, contexte).points
        groupes[r.demande_id] = r.typologie
    courants = {i: actuels[i].points for i in simules if i in actuels}
    rangs_simules = _rangs(simules, groupes)
    rangs_actuels = _rangs(courants, groupes)
    mouvements = sorted(
        (
            Mouvement(
                i, groupes[i], courants.get(i), simules[i], rangs_actuels.get(i), rangs_simules[i]
            )
            for i in simules
        ),
        key=lambda m: -abs((m.rang_actuel or m.rang_simule) - m.rang_simule),
    )
    return {
        "grille_id": str(grille.id),
        "epci": grille.epci,
        "population": grille.population.value,
        "demandes": len(simules),
        "distribution_actuelle": distribution(list(courants.values())),
        "distribution_simulee": distribution(list(simules.values())),
        "plus_grands_mouvements": [
            {
                "demande_id": str(m.demande_id),
                "typologie": m.typologie,
                "points_actuels": None if m.points_actuels is None else str(m.points_actuels),
                "points_simules": str(m.points_simules),
                "rang_actuel": m.rang_actuel,
                "rang_simule": m.rang_simule,
                "deplacement": None if m.rang_actuel is None else m.rang_actuel - m.rang_simule,
            }
            for m in mouvements[:nombre_mouvements]
        ],
    }
