"""Candidate search for a vacancy: the pool (active demandes of the département wishing
the commune, or a commune of its EPCI) is read from the read models, each demande is
evaluated by the domain's filters, the result ranked, paged, counted per reason. The
demandes shown are traced like a consultation (by the entrypoint, same transaction)."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import toit_referentiel as ref

from servicekit.uow import UnitOfWork
from toit_matching.adapters import modeles_lus, recherche_sql
from toit_matching.adapters import repository as repo
from toit_matching.adapters import repository_caleol as rc
from toit_matching.bootstrap import Dependances
from toit_matching.domain.demandeurs import DemandeVue, vue_de_json
from toit_matching.domain.erreurs import Introuvable
from toit_matching.domain.patrimoine import Accessibilite, Financement, Mode
from toit_matching.domain.recherche import (
    LIBELLES_BESOINS,
    Evaluation,
    Exclusion,
    Offre,
    Perimetre,
    Resultat,
    besoin_satisfait,
    classer,
    evaluer,
    groupes,
    refus_anterieurs,
)
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
        annee_reference=annee_plafonds(vacance["date_disponibilite"].year),
    )


def annee_plafonds(annee: int) -> int:
    """The ceilings' year: the availability year, or the latest configured one while next
    year's arrêté is not out yet (each motive names the year applied; the page warns)."""
    annees = ref.annees_plafonds()
    return annee if annee in annees or not annees else min(annee, max(annees))


def avertissements(vacance: dict[str, Any]) -> list[str]:
    annee = vacance["date_disponibilite"].year
    appliquee = annee_plafonds(annee)
    resultat = []
    if appliquee != annee:
        resultat.append(
            f"Plafonds de ressources {annee} non encore configurés : les plafonds {appliquee} "
            "sont appliqués en attendant l'arrêté."
        )
    financement = str(vacance["financement"])
    try:
        provisoire = ref.plafond_provisoire(appliquee, financement)
    except ref.DonneeIndisponible:
        provisoire = False
    if provisoire:
        # Issue 11: a barème not read in the arrêté (PLAI, PLS) is shown as such.
        resultat.append(
            f"Plafonds {financement} {appliquee} : {ref.MENTION_PLAFOND_PROVISOIRE} ; les "
            "exclusions « ressources au-dessus du plafond » en dépendent."
        )
    return resultat


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
    for r in await modeles_lus.vues(uow.session, manquantes):
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


async def refus_de(uow: UnitOfWork, vacance_id: UUID) -> dict[UUID, Exclusion]:
    """The demandes not to propose again for this vacancy (they refused its offer, or the
    CALEOL did not retain them for it), with the reason shown."""
    refusees, decides = await rc.refus_sur_vacance(uow.session, vacance_id)
    return refus_anterieurs(
        [(r["demande_id"], r["date_reponse"], r["tacite"]) for r in refusees],
        [
            (UUID(str(d["demande_id"])), d["sens"], r["date_decision"])
            for r in decides
            for d in r["decisions"] or []
        ],
    )


@dataclass
class Recherche:
    vacance: dict[str, Any]
    offre: Offre
    resultat: Resultat
    actives: int
    # Excluded by the storage's pre-filters (typology, size, ceiling), in the order they
    # are listed after the domain's exclusions: (id, version, points).
    prefiltrees: list[tuple[UUID, int, Any]] = field(default_factory=list)
    perimetre: Perimetre = Perimetre.COMMUNE
    refus: dict[UUID, Exclusion] = field(default_factory=dict)


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
    regle = deps.regle
    ref_ = deps.referentiel
    plafonds = tuple(
        ref_.plafond(offre.annee_reference, offre.financement.value, c) for c in range(1, 7)
    )
    par_personne = ref_.plafond(offre.annee_reference, offre.financement.value, 7) - plafonds[-1]
    tailles = tuple(t for t in range(1, 41) if offre.typologie in regle.typologies_pour(t))
    pool = await modeles_lus.candidats_potentiels(
        uow.session,
        departement=offre.departement,
        commune=offre.commune,
        epci=offre.epci,
        par_epci=perimetre is Perimetre.EPCI,
        filtre=modeles_lus.Prefiltre(offre.typologie, tailles, plafonds, par_personne),
    )
    scores = {demande_id: points for demande_id, _, points in pool.demandes}
    vues = await charger_vues(uow, deps, [(i, v) for i, v, _ in pool.demandes])
    refus = await refus_de(uow, vacance_id)
    evaluations = evaluer_toutes(
        vues,
        offre,
        deps,
        acteur,
        perimetre,
        scores,
        le,
        cle_offre=(vacance_id, vacance["logement_version"]),
        refus=refus,
    )
    resultat = classer(evaluations, filtres_souples=filtres_souples)
    annee, financement = offre.annee_reference, offre.financement.value
    for code, groupe, nombre in (
        ("TYPOLOGIE_SOUHAITEE", f"ne souhaite pas de {offre.typologie}", pool.typologie),
        ("TYPOLOGIE_TAILLE", f"{offre.typologie} inadapté à la taille du ménage", pool.taille),
        (
            f"PLAFOND_{financement}",
            f"ressources au-dessus du plafond {financement} {annee}",
            pool.plafond,
        ),
    ):
        if nombre:
            _, deja = resultat.comptes.get(code, (groupe, 0))
            resultat.comptes[code] = (groupe, deja + nombre)
            resultat.prefiltrees += nombre
    actives = await modeles_lus.compter_actives(uow.session, offre.departement)
    resultat.hors_souhait = actives - pool.souhaitent
    ordre = {
        modeles_lus.PREFILTRE_TYPOLOGIE: 0,
        modeles_lus.PREFILTRE_TAILLE: 1,
        modeles_lus.PREFILTRE_PLAFOND: 2,
    }
    prefiltrees = sorted(
        pool.prefiltrees,
        key=lambda x: (ordre[x[3]], x[2] is None, -(x[2] or 0), str(x[0])),
    )
    return Recherche(
        vacance,
        offre,
        resultat,
        actives,
        [(i, v, points) for i, v, points, _ in prefiltrees],
        perimetre,
        refus,
    )


async def page_exclues(
    uow: UnitOfWork,
    deps: Dependances,
    acteur: Acteur,
    recherche: Recherche,
    debut: int,
    nombre: int,
) -> list[Evaluation]:
    """A page of the excluded demandes: those the domain excluded (ranked), then those the
    storage's pre-filters excluded, each evaluated by the domain for this page only so
    that every one is listed with its reasons explained."""
    r = recherche.resultat
    page = r.exclues[debut : debut + nombre]
    reste = nombre - len(page)
    if reste <= 0:
        return page
    depuis = max(0, debut - len(r.exclues))
    tranche = recherche.prefiltrees[depuis : depuis + reste]
    if not tranche:
        return page
    vues = {v.demande_id: v for v in await charger_vues(uow, deps, [(i, v) for i, v, _ in tranche])}
    evaluations = evaluer_toutes(
        [vues[i] for i, _, _ in tranche if i in vues],
        recherche.offre,
        deps,
        acteur,
        recherche.perimetre,
        {i: points for i, _, points in tranche},
        None,
        refus=recherche.refus,
    )
    return page + evaluations


@dataclass
class PageRecherche:
    """What a search shows: the counts and the two pages (candidates, excluded ones)."""

    vacance: dict[str, Any]
    offre: Offre
    actives: int
    hors_souhait: int
    candidats_total: int
    exclues_listees: int  # the pool's excluded demandes, each listed with its reasons
    comptes: dict[str, tuple[str, int]]  # code → (reason, demandes)
    candidats: list[Evaluation]
    exclues: list[Evaluation]


async def rechercher(
    uow: UnitOfWork,
    deps: Dependances,
    acteur: Acteur,
    vacance_id: UUID,
    *,
    perimetre: Perimetre,
    filtres_souples: bool,
    debut: int,
    nombre: int,
    debut_exclues: int,
) -> PageRecherche:
    """One page of a search. On PostgreSQL the filters, counts and ranking run in one
    statement over the pool and only the page's demandes are evaluated by the domain;
    elsewhere (the embedded SQLite mode) the domain evaluates the whole pool."""
    if uow.session.get_bind().dialect.name != "postgresql":
        return await rechercher_en_memoire(
            uow, deps, acteur, vacance_id, perimetre, filtres_souples, debut, nombre, debut_exclues
        )
    vacance = await repo.lire_vacance(uow.session, vacance_id)
    if vacance is None:
        raise Introuvable("Vacance introuvable")
    role_sur_vacance(acteur, vacance)
    offre = offre_de(vacance, deps)
    refus = await refus_de(uow, vacance_id)
    criteres = dataclasses.replace(
        criteres_sql(offre, deps, acteur, perimetre, filtres_souples, datetime.now(UTC)),
        refusees=tuple(refus),
    )
    r = await recherche_sql.rechercher(
        uow.session, criteres, (debut, nombre, debut_exclues, nombre)
    )
    lues = r.candidats + r.exclues
    scores = {i: p for i, _, p in lues}
    vues = {v.demande_id: v for v in await charger_vues(uow, deps, [(i, v) for i, v, _ in lues])}
    evaluations = {
        e.demande.demande_id: e
        for e in evaluer_toutes(
            [vues[i] for i, _, _ in lues if i in vues],
            offre,
            deps,
            acteur,
            perimetre,
            scores,
            None,
            cle_offre=(vacance_id, vacance["logement_version"]),
            refus=refus,
        )
    }
    libelles = groupes(offre, deps.regle.seuils(bailleur=offre.bailleur_id, epci=offre.epci))
    comptes = {}
    for code, n in r.comptes.items():
        if n:
            code_ = f"PLAFOND_{offre.financement.value}" if code == "PLAFOND" else code
            comptes[code_] = (libelles[code_], n)
    actives = await modeles_lus.compter_actives(uow.session, offre.departement)
    return PageRecherche(
        vacance=vacance,
        offre=offre,
        actives=actives,
        hors_souhait=actives - r.souhaitent,
        candidats_total=r.candidats_total,
        exclues_listees=r.souhaitent - r.candidats_total,
        comptes=comptes,
        candidats=[evaluations[i] for i, _, _ in r.candidats if i in evaluations],
        exclues=[evaluations[i] for i, _, _ in r.exclues if i in evaluations],
    )


def criteres_sql(
    offre: Offre,
    deps: Dependances,
    acteur: Acteur,
    perimetre: Perimetre,
    filtres_souples: bool,
    le: datetime,
) -> recherche_sql.Criteres:
    """The domain's parameters for this unit, as the search statement takes them."""
    regle, ref_ = deps.regle, deps.referentiel
    plafonds = tuple(
        ref_.plafond(offre.annee_reference, offre.financement.value, c) for c in range(1, 7)
    )
    par_personne = ref_.plafond(offre.annee_reference, offre.financement.value, 7) - plafonds[-1]
    seuils = regle.seuils(bailleur=offre.bailleur_id, epci=offre.epci)
    apl = regle.apl
    loyers = (
        apl.loyers_plafonds.get(apl.zone(offre.commune)) or apl.loyers_plafonds[apl.zone_par_defaut]
    )
    uc = regle.unites_consommation
    p = acteur.principal
    return recherche_sql.Criteres(
        departement=offre.departement,
        commune=offre.commune,
        epci=offre.epci,
        par_epci=perimetre is Perimetre.EPCI and offre.epci is not None,
        typologie=offre.typologie,
        tailles=tuple(t for t in range(1, 41) if offre.typologie in regle.typologies_pour(t)),
        plafonds=plafonds,
        par_personne=par_personne,
        besoins_non_satisfaits=tuple(b for b in LIBELLES_BESOINS if not besoin_satisfait(b, offre)),
        etage=offre.etage,
        hors_departement=offre.departement not in p.departements,
        perimetre_communes=tuple(sorted(p.communes)) if p.communes or p.epcis else None,
        perimetre_epcis=tuple(sorted(p.epcis)),
        loyer=offre.loyer,
        charges=offre.charges,
        chauffage=recherche_sql.Forfait(regle.chauffage.base, regle.chauffage.par_personne)
        if offre.chauffage_individuel
        else None,
        eau=recherche_sql.Forfait(regle.eau.base, regle.eau.par_personne)
        if offre.eau_individuelle
        else None,
        apl_seul=loyers.seul,
        apl_couple=loyers.couple,
        apl_par_personne_a_charge=loyers.par_personne_a_charge,
        apl_forfait_charges=recherche_sql.Forfait(
            apl.forfait_charges.base, apl.forfait_charges.par_personne
        ),
        apl_participation_minimale=apl.participation_minimale,
        apl_taux_participation=apl.taux_participation,
        apl_abattements=apl.ressources_abattement,
        uc_premiere=uc.premiere_personne,
        uc_autre_adulte=uc.autre_adulte,
        uc_enfant=uc.enfant,
        annee_adulte=le.year - uc.age_adulte,
        taux_effort_max=seuils.taux_effort_max,
        reste_a_vivre_min=seuils.reste_a_vivre_min,
        filtres_souples=filtres_souples,
    )


async def rechercher_en_memoire(
    uow: UnitOfWork,
    deps: Dependances,
    acteur: Acteur,
    vacance_id: UUID,
    perimetre: Perimetre,
    filtres_souples: bool,
    debut: int,
    nombre: int,
    debut_exclues: int,
) -> PageRecherche:
    recherche = await evaluer_vacance(
        uow, deps, acteur, vacance_id, perimetre=perimetre, filtres_souples=filtres_souples
    )
    r = recherche.resultat
    return PageRecherche(
        vacance=recherche.vacance,
        offre=recherche.offre,
        actives=recherche.actives,
        hors_souhait=r.hors_souhait,
        candidats_total=len(r.candidats),
        exclues_listees=len(r.exclues) + len(recherche.prefiltrees),
        comptes=r.comptes,
        candidats=r.candidats[debut : debut + nombre],
        exclues=await page_exclues(uow, deps, acteur, recherche, debut_exclues, nombre),
    )


def evaluer_toutes(
    vues: list[DemandeVue],
    offre: Offre,
    deps: Dependances,
    acteur: Acteur,
    perimetre: Perimetre,
    scores: dict[UUID, Any],
    le: datetime | None,
    cle_offre: tuple[object, ...] | None = None,
    refus: Mapping[UUID, Exclusion] | None = None,
) -> list[Evaluation]:
    """The domain's filters on each demande (the SQL pre-filters only narrowed the pool).
    With `cle_offre` (vacancy and unit version), evaluations are re-used from the cache
    when nothing they depend on changed. `refus`: the demandes that refused this unit or
    that the CALEOL did not retain for it (`refus_de`)."""
    regle = deps.regle
    seuils = regle.seuils(bailleur=offre.bailleur_id, epci=offre.epci)
    ref_ = deps.referentiel
    jour = (le or datetime.now(UTC)).date()
    evaluations: list[Evaluation] = []
    p = acteur.principal
    contexte = (
        cle_offre,
        perimetre,
        jour,
        p.organisation,
        tuple(sorted(p.departements)),
        tuple(sorted(p.epcis)),
        tuple(sorted(p.communes)),
    )
    cache = deps.evaluations
    plafond = functools.cache(ref_.plafond)  # (year, financing, category): a few values
    for vue in vues:
        score = scores.get(vue.demande_id)
        refusee = None if refus is None else refus.get(vue.demande_id)
        cle = (contexte, vue.demande_id, vue.version, score, refusee) if cle_offre else None
        if cle is not None:
            connue = cache.get(cle)
            if connue is not None:
                evaluations.append(connue)
                continue
        evaluation = evaluer(
            vue,
            offre,
            regle=regle,
            seuils=seuils,
            plafond=plafond,
            perimetre=perimetre,
            epci_de=ref_.epci_de,
            noms=ref_.nom_commune,
            score=None if score is None else Decimal(score),
            le=jour,
            hors_perimetre=not dans_perimetre(acteur, vue.departement, vue.communes, ref_.epci_de),
            refus=refusee,
        )
        if cle is not None:
            cache.put(cle, evaluation)
        evaluations.append(evaluation)
    return evaluations
