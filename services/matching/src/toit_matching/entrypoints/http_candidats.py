"""HTTP API of candidate search, comparison and designation for a vacancy
(/api/matching/vacances/{id}/candidats|comparateur|designation). Candidate lists and
comparisons are traced like demande consultations."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from servicekit.audit import record_consultations
from servicekit.auth import Principal, require
from toit_contracts.enums import TypeLogementActuel
from toit_matching.domain.recherche import Evaluation, Perimetre
from toit_matching.entrypoints import schemas as s
from toit_matching.entrypoints.commun import NO_STORE, Deps, Uow
from toit_matching.service_layer import candidats, comparateur, designations
from toit_matching.service_layer.acces import Acteur

router = APIRouter(prefix="/api/matching", tags=["matching"])


def _budget(b: Any) -> Any:
    if b is None:
        return None
    return s.BudgetOut(
        unites_consommation=b.unites_consommation,
        forfaits_individuels=b.forfaits_individuels,
        apl_estimee=b.apl_estimee,
        depense_nette=b.depense_nette,
        taux_effort=None
        if b.taux_effort is None
        else (b.taux_effort * 100).quantize(Decimal("0.1")),
        reste_a_vivre=b.reste_a_vivre,
    )


def _libelle_logement(code: str | None) -> str | None:
    if code is None:
        return None
    try:
        return TypeLogementActuel(code).label
    except ValueError:
        return code


def _priorites(d: Any) -> list[dict[str, str]]:
    return [{"categorie": p.categorie, "statut": p.statut} for p in d.priorites]


def _candidat(e: Evaluation, rang: int | None) -> s.CandidatOut:
    d = e.demande
    return s.CandidatOut(
        rang=rang,
        demande_id=d.demande_id,
        numero_unique=d.numero_unique,
        taille_menage=d.taille,
        categorie_menage=d.categorie,
        score=e.score,
        dalo=d.dalo,
        priorites=_priorites(d),
        date_depot=d.date_depot,
        budget=_budget(e.budget),
        exclusions=[
            s.ExclusionOut(code=x.code, motif=x.motif, souple=x.souple) for x in e.exclusions
        ],
    )


@router.get(
    "/vacances/{vacance_id}/candidats",
    response_model=s.PageCandidats,
    summary="Rechercher des candidats",
)
async def rechercher(
    vacance_id: UUID,
    response: Response,
    uow: Uow,
    deps: Deps,
    perimetre: Perimetre = Query(
        default=Perimetre.COMMUNE, description="commune, ou élargi à l'EPCI"
    ),
    filtres_souples: bool = Query(
        default=True,
        description="false : montrer aussi les candidats qui ne passent pas les critères souples",
    ),
    page: int = Query(default=1, ge=1, le=10_000),
    par_page: int = Query(default=20, ge=1, le=200),
    page_exclues: int = Query(default=1, ge=1, le=10_000),
    principal: Principal = Depends(require("candidat.rechercher")),
) -> s.PageCandidats:
    debut = (page - 1) * par_page
    r = await candidats.rechercher(
        uow,
        deps,
        Acteur(principal),
        vacance_id,
        perimetre=perimetre,
        filtres_souples=filtres_souples,
        debut=debut,
        nombre=par_page,
        debut_exclues=(page_exclues - 1) * par_page,
    )
    await record_consultations(
        uow.session,
        principal,
        "demande",
        [(str(e.demande.demande_id), e.demande.departement) for e in r.candidats + r.exclues],
        reason=f"recherche de candidats pour le logement {r.offre.logement_id}",
    )
    await uow.commit()
    response.headers.update(NO_STORE)
    comptes = [
        s.CompteExclusion(code=code, motif=groupe, nombre=n)
        for code, (groupe, n) in sorted(r.comptes.items(), key=lambda x: -x[1][1])
    ]
    if r.hors_souhait:
        comptes.append(
            s.CompteExclusion(
                code="COMMUNE",
                motif=f"ne souhaite pas {r.offre.commune_nom}"
                + (" ni son EPCI" if perimetre is Perimetre.EPCI else ""),
                nombre=r.hors_souhait,
            )
        )
    return s.PageCandidats(
        vacance_id=vacance_id,
        commune=r.offre.commune,
        commune_nom=r.offre.commune_nom,
        actives_departement=r.actives,
        avertissements=candidats.avertissements(r.vacance),
        hors_souhait=r.hors_souhait,
        candidats_total=r.candidats_total,
        exclues_total=r.exclues_listees + r.hors_souhait,
        exclues_listees=r.exclues_listees,
        comptes_exclusions=comptes,
        page=page,
        par_page=par_page,
        candidats=[_candidat(e, debut + i) for i, e in enumerate(r.candidats, start=1)],
        exclues=[_candidat(e, None) for e in r.exclues],
    )


@router.get(
    "/vacances/{vacance_id}/comparateur",
    response_model=s.ComparaisonOut,
    summary="Comparer jusqu'à 10 candidats",
)
async def comparer(
    vacance_id: UUID,
    response: Response,
    uow: Uow,
    deps: Deps,
    demandes: list[UUID] = Query(min_length=1, max_length=10),
    principal: Principal = Depends(require("candidat.rechercher")),
) -> s.ComparaisonOut:
    c = await comparateur.comparer(uow, deps, Acteur(principal), vacance_id, demandes)
    await record_consultations(
        uow.session,
        principal,
        "demande",
        [(str(col.demande.demande_id), col.demande.departement) for col in c.colonnes],
        reason=f"comparateur pour le logement {c.offre.logement_id}",
    )
    await uow.commit()
    response.headers.update(NO_STORE)
    return comparaison_out(c, deps, vacance_id)


def comparaison_out(c: Any, deps: Any, vacance_id: UUID) -> s.ComparaisonOut:
    """The comparateur's answer (also the CALEOL dossier's, http_caleol)."""
    ref = deps.referentiel
    v = c.vacance
    return s.ComparaisonOut(
        vacance_id=vacance_id,
        logement={
            "rpls": v["rpls"],
            "adresse": v["adresse"],
            "commune": v["commune"],
            "commune_nom": ref.nom_commune(v["commune"]),
            "typologie": v["typologie"],
            "financement": v["financement"],
            "loyer": str(v["loyer"]),
            "charges": str(v["charges"]),
            "chauffage": v["chauffage"],
            "eau": v["eau"],
            "etage": v["etage"],
        },
        position_logement=None if c.position_logement is None else list(c.position_logement),
        avertissement_apl=c.avertissement_apl,
        colonnes=[
            s.ColonneOut(
                demande_id=col.demande.demande_id,
                numero_unique=col.demande.numero_unique,
                composition={
                    "taille": col.demande.taille,
                    "categorie": col.demande.categorie,
                    "couple": col.demande.couple,
                    "personnes_a_charge": col.demande.personnes_a_charge,
                    "enfants_a_naitre": col.demande.enfants_a_naitre,
                },
                ressources_mensuelles=col.demande.ressources_mensuelles,
                revenu_fiscal_reference=col.demande.revenu_fiscal,
                budget=_budget(col.budget),
                score=col.score,
                criteres=col.criteres,
                dalo=col.demande.dalo,
                priorites=_priorites(col.demande),
                date_depot=col.demande.date_depot,
                anciennete_mois=col.anciennete_mois,
                delai_anormalement_long_mois=col.dal_mois,
                dal_atteint=col.dal_atteint,
                dal_provisoire=col.dal_provisoire,
                logement_actuel={
                    "type": col.demande.logement_type,
                    "libelle": _libelle_logement(col.demande.logement_type),
                    "commune": col.demande.logement_commune,
                    "commune_nom": ref.nom_commune(col.demande.logement_commune)
                    if col.demande.logement_commune
                    else None,
                    "loyer": None
                    if col.demande.loyer_actuel is None
                    else str(col.demande.loyer_actuel),
                },
                communes_souhaitees=[
                    {"commune": x, "nom": ref.nom_commune(x)} for x in col.demande.communes
                ],
                position=None if col.position is None else list(col.position),
                distance_km=col.distance_km,
                exclusions=[
                    s.ExclusionOut(code=x.code, motif=x.motif, souple=x.souple)
                    for x in col.exclusions
                ],
            )
            for col in c.colonnes
        ],
    )


@router.post(
    "/vacances/{vacance_id}/designation",
    response_model=s.DesignationOut,
    status_code=201,
    summary="Désigner des candidats",
)
async def designer(
    vacance_id: UUID,
    corps: s.DesignationIn,
    uow: Uow,
    deps: Deps,
    principal: Principal = Depends(require("candidat.designer")),
) -> s.DesignationOut:
    ligne = await designations.designer(
        uow,
        deps,
        Acteur(principal),
        vacance_id,
        candidats=corps.candidats,
        motifs={e.demande_id: e.motif for e in corps.ecarts},
        exception=corps.exception,
        perimetre=corps.perimetre,
        filtres_souples=corps.filtres_souples,
    )
    return s.DesignationOut(**ligne)


@router.get(
    "/vacances/{vacance_id}/designation",
    response_model=s.DesignationOut,
    summary="Désignation d'une vacance",
)
async def lire_designation(
    vacance_id: UUID, uow: Uow, principal: Principal = Depends(require("candidat.rechercher"))
) -> s.DesignationOut:
    return s.DesignationOut(
        **await designations.lire_designation(uow, Acteur(principal), vacance_id)
    )
