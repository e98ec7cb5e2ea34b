"""Comparateur: up to 10 candidates side by side for one unit (composition, resources,
taux d'effort and reste à vivre for this unit's rent and charges, the APL estimate,
score and its breakdown, priorities and their proof, ancienneté and DAL, current
housing, wished communes and distance), with the positions for the map."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import toit_referentiel as ref

from servicekit.uow import UnitOfWork
from toit_matching.adapters import modeles_lus
from toit_matching.adapters import repository as repo
from toit_matching.bootstrap import Dependances
from toit_matching.domain.budget import Budget, budget
from toit_matching.domain.demandeurs import DemandeVue
from toit_matching.domain.erreurs import DonneesInvalides, ErreurChamp, Introuvable
from toit_matching.domain.recherche import Exclusion, Offre, Perimetre, criteres_durs, menage_de
from toit_matching.service_layer.acces import Acteur, dans_perimetre, role_sur_vacance
from toit_matching.service_layer.candidats import charger_vues, offre_de

MAXIMUM = 10


def distance_km(a: tuple[float, float] | None, b: tuple[float, float] | None) -> float | None:
    if a is None or b is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return round(2 * 6371 * math.asin(math.sqrt(h)), 1)


@dataclass
class Colonne:
    demande: DemandeVue
    budget: Budget
    score: Decimal | None
    criteres: list[dict[str, Any]]
    anciennete_mois: int
    dal_mois: int | None
    dal_atteint: bool | None
    dal_provisoire: bool
    position: tuple[float, float] | None
    distance_km: float | None
    exclusions: tuple[Exclusion, ...]


@dataclass
class Comparaison:
    vacance: dict[str, Any]
    offre: Offre
    position_logement: tuple[float, float] | None
    colonnes: list[Colonne]
    avertissement_apl: str


async def comparer(
    uow: UnitOfWork,
    deps: Dependances,
    acteur: Acteur | None,
    vacance_id: UUID,
    demandes: list[UUID],
) -> Comparaison:
    """`acteur` None: the caller already checked the access (the CALEOL's dossier, whose
    members see the candidates on their agenda)."""
    if not demandes or len(demandes) > MAXIMUM:
        raise DonneesInvalides([ErreurChamp("demandes", f"de 1 à {MAXIMUM} demandes à comparer")])
    if len(set(demandes)) != len(demandes):
        raise DonneesInvalides([ErreurChamp("demandes", "demande en double")])
    vacance = await repo.lire_vacance(uow.session, vacance_id)
    if vacance is None:
        raise Introuvable("Vacance introuvable")
    if acteur is not None:
        role_sur_vacance(acteur, vacance)
    offre = offre_de(vacance, deps)
    versions, scores = await modeles_lus.versions_et_scores(uow.session, demandes, offre.epci or "")
    vues = {v.demande_id: v for v in await charger_vues(uow, deps, list(versions.items()))}
    r = deps.referentiel
    manquantes = [
        str(d)
        for d in demandes
        if d not in vues
        or (
            acteur is not None
            and not dans_perimetre(acteur, vues[d].departement, vues[d].communes, r.epci_de)
        )
    ]
    if manquantes:
        raise DonneesInvalides(
            [
                ErreurChamp(
                    "demandes",
                    "demande inconnue ou hors de votre périmètre : " + ", ".join(manquantes),
                )
            ]
        )
    aujourd_hui = datetime.now(UTC).date()
    position_logement = (
        (vacance["latitude"], vacance["longitude"])
        if vacance["latitude"] is not None
        else r.position(offre.commune)
    )
    colonnes = []
    for demande_id in demandes:
        vue = vues[demande_id]
        score = scores.get(demande_id)
        anciennete = ref.anciennete_mois(vue.date_depot, aujourd_hui)
        try:
            delai = ref.delai_des_typologies(vue.departement, vue.typologies)
            dal: int | None = delai.mois
            dal_provisoire = delai.provisoire
        except ref.DonneeIndisponible:
            dal, dal_provisoire = None, False
        position = r.position(vue.logement_commune) if vue.logement_commune else None
        colonnes.append(
            Colonne(
                demande=vue,
                budget=budget(menage_de(vue), offre.loyer_pour_budget(), deps.regle, aujourd_hui),
                score=None if score is None else Decimal(score["points"]),
                criteres=[] if score is None else list(score["criteres"]),
                anciennete_mois=anciennete,
                dal_mois=dal,
                dal_atteint=None if dal is None else anciennete >= dal,
                dal_provisoire=dal_provisoire,
                position=position,
                distance_km=distance_km(position_logement, position),
                exclusions=tuple(
                    criteres_durs(
                        vue,
                        offre,
                        regle=deps.regle,
                        plafond=r.plafond,
                        perimetre=Perimetre.EPCI,
                        epci_de=r.epci_de,
                        noms=r.nom_commune,
                    )
                ),
            )
        )
    return Comparaison(vacance, offre, position_logement, colonnes, deps.regle.apl.avertissement)
