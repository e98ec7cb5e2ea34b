"""Candidate search for a vacancy: the pool (active demandes of the département wishing
the commune, or a commune of its EPCI) is read from the read models, each demande is
evaluated by the domain's filters, the result ranked, paged, counted per reason. The
demandes shown are traced like a consultation (by the entrypoint, same transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from servicekit.uow import UnitOfWork
from toit_matching.adapters import repository as repo
from toit_matching.bootstrap import Dependances
from toit_matching.domain.demandeurs import DemandeVue, vue_de_json
from toit_matching.domain.erreurs import Introuvable
from toit_matching.domain.patrimoine import Accessibilite, Financement, Mode
from toit_matching.domain.recherche import Evaluation, Offre, Perimetre, Resultat, classer, evaluer
from toit_matching.service_layer.acces import Acteur, dans_perimetre, role_sur_vacance


def offre_de(vacance: dict[str, Any], deps: Dependances) -> Offre:
    return Offre(
        logement_id=vacance["rpls"],
        bailleur_id=vacance["bailleur_id"],
        commune=vacance["commune"],
        commune_nom=deps.referentiel.nom_commune(vacance["commune"]),
        epci=vacance["epci"],
        departement=vacance["departement"],
        typologie=vacance["typologie"],
        financement=Financement(vacance["financement"]),
        etage=vacance["etage"],
        ascenseur=vacance["ascenseur"],
        accessibilite=Accessibilite(vacance["accessibilite"]),
        loyer=Decimal(vacance["loyer"]),
        charges=Decimal(vacance["charges"]),
        chauffage_individuel=vacance["chauffage"] == Mode.INDIVIDUEL.value,
        eau_individuelle=vacance["eau"] == Mode.INDIVIDUEL.value,
        annee_reference=vacance["date_disponibilite"].year,
    )


async def charger_vues(
    uow: UnitOfWork, deps: Dependances, pool: list[tuple[UUID, int]]
) -> list[DemandeVue]:
    """The projected demandes of the pool, from the in-process cache when current."""
    trouvees: list[DemandeVue] = []
    manquantes: list[UUID] = []
    for demande_id, version in pool:
        vue = deps.cache.get(demande_id, version)
        if vue is None:
            manquantes.append(demande_id)
        else:
            trouvees.append(vue)
    for r in await repo.vues(uow.session, manquantes):
        vue = vue_de_json(
            r["demande_id"],
            r["version"],
            r["departement"],
            r["statut"],
            r["numero_unique"],
            r["vue"],
        )
        deps.cache.put(vue)
        trouvees.append(vue)
    return trouvees


@dataclass
class Recherche:
    vacance: dict[str, Any]
    offre: Offre
    resultat: Resultat
    actives: int


async def evaluer_vacance(
    uow: UnitOfWork,
    deps: Dependances,
    acteur: Acteur,
    vacance_id: UUID,
    *,
    perimetre: Perimetre = Perimetre.COMMUNE,
    filtres_souples: bool = True,
    le: datetime | None = None,
) -> Recherche:
    vacance = await repo.lire_vacance(uow.session, vacance_id)
    if vacance is None:
        raise Introuvable("Vacance introuvable")
    role_sur_vacance(acteur, vacance)
    offre = offre_de(vacance, deps)
    pool = await repo.candidats_potentiels(
        uow.session,
        departement=offre.departement,
        commune=offre.commune,
        epci=offre.epci,
        par_epci=perimetre is Perimetre.EPCI,
    )
    vues = await charger_vues(uow, deps, pool)
    scores = await repo.scores_pour(uow.session, [v.demande_id for v in vues], offre.epci or "")
    regle = deps.regle
    seuils = regle.seuils(bailleur=offre.bailleur_id, epci=offre.epci)
    ref = deps.referentiel
    jour = (le or datetime.now(UTC)).date()
    evaluations: list[Evaluation] = []
    for vue in vues:
        score = scores.get(vue.demande_id)
        evaluations.append(
            evaluer(
                vue,
                offre,
                regle=regle,
                seuils=seuils,
                plafond=ref.plafond,
                perimetre=perimetre,
                epci_de=ref.epci_de,
                noms=ref.nom_commune,
                score=None if score is None else Decimal(score["points"]),
                le=jour,
                hors_perimetre=not dans_perimetre(
                    acteur, vue.departement, vue.communes, ref.epci_de
                ),
            )
        )
    resultat = classer(evaluations, filtres_souples=filtres_souples)
    actives = await repo.compter_actives(uow.session, offre.departement)
    resultat.hors_souhait = actives - len(pool)
    return Recherche(vacance, offre, resultat, actives)
