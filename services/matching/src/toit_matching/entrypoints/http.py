"""HTTP API of the matching service (/api/matching).

Each route declares its action (servicekit.authz); the use cases check the record-level
rules (own units, oriented vacancies, perimeter) and raise domain refusals, answered here
in French. Candidate lists and comparisons are traced like demande consultations."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from servicekit.audit import record_consultations
from servicekit.auth import Principal, require
from servicekit.errors import answering_route, invalid
from servicekit.http import runtime_of, unit_of_work
from servicekit.uow import UnitOfWork
from toit_contracts.enums import TypeLogementActuel
from toit_matching.bootstrap import Dependances, dependances
from toit_matching.domain.erreurs import (
    AccesRefuse,
    ConfigurationManquante,
    Conflit,
    DonneesInvalides,
    ErreurChamp,
    Introuvable,
    VersionPerimee,
)
from toit_matching.domain.import_stock import Format
from toit_matching.domain.recherche import Evaluation, Perimetre
from toit_matching.entrypoints import schemas as s
from toit_matching.service_layer import (
    candidats,
    comparateur,
    conventions,
    designations,
    patrimoine,
    vacances,
)
from toit_matching.service_layer.acces import Acteur

RouteMatching = answering_route(
    {
        DonneesInvalides: lambda _r, exc: invalid([e.as_dict() for e in exc.erreurs]),
        Introuvable: lambda _r, exc: JSONResponse(status_code=404, content={"detail": exc.message}),
        AccesRefuse: lambda _r, exc: JSONResponse(status_code=403, content={"detail": exc.message}),
        Conflit: lambda _r, exc: JSONResponse(status_code=409, content={"detail": exc.message}),
        VersionPerimee: lambda _r, exc: JSONResponse(
            status_code=412, content={"detail": exc.message}
        ),
        ConfigurationManquante: lambda _r, exc: JSONResponse(
            status_code=422, content={"detail": exc.message}
        ),
    }
)

router = APIRouter(prefix="/api/matching", tags=["matching"], route_class=RouteMatching)
NO_STORE = {"Cache-Control": "no-store"}

Uow = Annotated[UnitOfWork, Depends(unit_of_work)]


def deps_of(request: Request) -> Dependances:
    return dependances(runtime_of(request))


Deps = Annotated[Dependances, Depends(deps_of)]


def _version(if_match: str | None) -> int | None:
    if if_match is None:
        return None
    texte = if_match.strip().removeprefix("W/").strip('"')
    try:
        return int(texte)
    except ValueError:
        raise DonneesInvalides(
            [ErreurChamp("If-Match", 'version attendue entre guillemets, par exemple "3"')]
        ) from None


def _logement(ligne: dict[str, Any], deps: Dependances) -> s.LogementOut:
    return s.LogementOut(
        **{k: ligne[k] for k in s.LogementOut.model_fields if k in ligne},
        commune_nom=deps.referentiel.nom_commune(ligne["commune"]),
    )


# --- Patrimoine -------------------------------------------------------------------------------


async def _corps_borne(request: Request, maximum: int) -> bytes | None:
    taille = request.headers.get("content-length")
    if taille is not None and taille.isdigit() and int(taille) > maximum:
        return None
    morceaux, total = [], 0
    async for morceau in request.stream():
        total += len(morceau)
        if total > maximum:
            return None
        morceaux.append(morceau)
    return b"".join(morceaux)


@router.post(
    "/patrimoine/imports",
    response_model=s.RapportImportOut,
    status_code=201,
    summary="Importer un fichier de patrimoine (CSV « ; » ou JSON), tout ou rien",
    responses={422: {"model": s.RapportImportOut, "description": "Fichier refusé, rien écrit"}},
)
async def importer(
    request: Request,
    uow: Uow,
    deps: Deps,
    format: Format = Query(description="csv ou json"),
    nom_fichier: str | None = Query(default=None, max_length=200),
    bailleur: str | None = Query(default=None, max_length=64, description="Gestionnaire seulement"),
    principal: Principal = Depends(require("logement.gerer")),
) -> Any:
    maximum = deps.settings.matching_import_octets_max
    contenu = await _corps_borne(request, maximum)
    if contenu is None:
        return JSONResponse(
            status_code=413,
            content={
                "detail": f"Fichier trop volumineux : {maximum // (1024 * 1024)} Mo au plus, "
                "découpez-le"
            },
        )
    rapport = await patrimoine.importer_stock(
        uow, deps, Acteur(principal), contenu, format, nom_fichier=nom_fichier, bailleur_id=bailleur
    )
    corps = s.RapportImportOut.model_validate(rapport, from_attributes=True)
    if rapport.statut != "ACCEPTE":
        return JSONResponse(
            status_code=422,
            content={
                "detail": f"Import refusé : {rapport.erreurs_total} erreur(s), "
                "aucun logement écrit",
                **corps.model_dump(mode="json"),
            },
        )
    return corps


@router.get(
    "/patrimoine/imports", response_model=list[s.RapportImportOut], summary="Derniers imports"
)
async def imports(
    uow: Uow, principal: Principal = Depends(require("logement.gerer"))
) -> list[s.RapportImportOut]:
    return [
        s.RapportImportOut.model_validate(r, from_attributes=True)
        for r in await patrimoine.derniers_imports(uow, Acteur(principal))
    ]


@router.get(
    "/patrimoine/imports/{import_id}",
    response_model=s.RapportImportOut,
    summary="Rapport d'un import",
)
async def rapport_import(
    import_id: UUID, uow: Uow, principal: Principal = Depends(require("logement.gerer"))
) -> s.RapportImportOut:
    rapport = await patrimoine.lire_rapport(uow, Acteur(principal), import_id)
    return s.RapportImportOut.model_validate(rapport, from_attributes=True)


@router.put(
    "/patrimoine/logements/{rpls}",
    response_model=s.LogementOut,
    summary="Pousser un logement (système de gestion locative), idempotent",
)
async def pousser(
    rpls: Annotated[str, Path(min_length=1, max_length=30)],
    corps: s.LogementPousse,
    response: Response,
    uow: Uow,
    deps: Deps,
    if_match: str | None = Header(default=None),
    principal: Principal = Depends(require("logement.gerer")),
) -> s.LogementOut:
    champs = dict(corps.model_extra or {})
    if len(champs) > 40:
        raise DonneesInvalides([ErreurChamp("requête", "40 champs au plus")])
    ligne, effet = await patrimoine.pousser_logement(
        uow, deps, Acteur(principal), rpls, champs, version_attendue=_version(if_match)
    )
    response.status_code = 201 if effet == "cree" else 200
    response.headers["ETag"] = f'"{ligne["version"]}"'
    response.headers["X-Toit-Effet"] = effet
    return _logement(ligne, deps)


@router.get(
    "/patrimoine/logements", response_model=s.PageLogements, summary="Logements du bailleur"
)
async def logements(
    uow: Uow,
    deps: Deps,
    commune: str | None = Query(default=None, pattern=r"^[0-9][0-9AB][0-9]{3}$"),
    page: int = Query(default=1, ge=1, le=100_000),
    par_page: int = Query(default=50, ge=1, le=500),
    principal: Principal = Depends(require("logement.gerer")),
) -> s.PageLogements:
    lignes, total = await patrimoine.lister_logements(
        uow, Acteur(principal), commune=commune, page=page, par_page=par_page
    )
    return s.PageLogements(
        elements=[_logement(x, deps) for x in lignes], page=page, par_page=par_page, total=total
    )


@router.get("/patrimoine/logements/{rpls}", response_model=s.LogementOut, summary="Un logement")
async def logement(
    rpls: Annotated[str, Path(min_length=1, max_length=30)],
    response: Response,
    uow: Uow,
    deps: Deps,
    principal: Principal = Depends(require("logement.gerer")),
) -> s.LogementOut:
    ligne = await patrimoine.lire_logement(uow, Acteur(principal), rpls)
    response.headers["ETag"] = f'"{ligne["version"]}"'
    return _logement(ligne, deps)


# --- Vacances ---------------------------------------------------------------------------------


def _vacance(ligne: dict[str, Any], deps: Dependances, suggestion: Any = None) -> s.VacanceOut:
    return s.VacanceOut(
        **{k: ligne[k] for k in s.VacanceOut.model_fields if k in ligne},
        commune_nom=deps.referentiel.nom_commune(ligne["commune"]),
        suggestion=None
        if suggestion is None
        else s.SuggestionOut(
            reservataire_id=suggestion.reservataire_id,
            reservataire_nom=suggestion.reservataire_nom,
            contingent=suggestion.contingent.value,
            pourcent=suggestion.pourcent,
            dus=suggestion.dus,
            orientes=suggestion.orientes,
        ),
    )


@router.post(
    "/vacances", response_model=s.VacanceOut, status_code=201, summary="Déclarer une vacance"
)
async def declarer(
    corps: s.VacanceIn,
    response: Response,
    uow: Uow,
    deps: Deps,
    principal: Principal = Depends(require("logement.gerer")),
) -> s.VacanceOut:
    ligne = await vacances.declarer_vacance(
        uow,
        Acteur(principal),
        rpls=corps.rpls,
        type=corps.type,
        date_disponibilite=corps.date_disponibilite,
    )
    response.headers["ETag"] = f'"{ligne["version"]}"'
    return _vacance(ligne, deps)


@router.get("/vacances", response_model=list[s.VacanceOut], summary="Vacances visibles")
async def lister(
    uow: Uow, deps: Deps, principal: Principal = Depends(require("candidat.rechercher"))
) -> list[s.VacanceOut]:
    return [_vacance(v, deps) for v in await vacances.lister_vacances(uow, Acteur(principal))]


@router.get(
    "/vacances/{vacance_id}",
    response_model=s.VacanceOut,
    summary="Une vacance et le contingent suggéré",
)
async def lire(
    vacance_id: UUID,
    response: Response,
    uow: Uow,
    deps: Deps,
    principal: Principal = Depends(require("candidat.rechercher")),
) -> s.VacanceOut:
    lue = await vacances.lire_vacance(uow, Acteur(principal), vacance_id)
    response.headers["ETag"] = f'"{lue.vacance["version"]}"'
    return _vacance(lue.vacance, deps, lue.suggestion)


@router.post(
    "/vacances/{vacance_id}/orientation",
    response_model=s.VacanceOut,
    summary="Orienter une vacance",
)
async def orienter(
    vacance_id: UUID,
    corps: s.OrientationIn,
    response: Response,
    uow: Uow,
    deps: Deps,
    if_match: str | None = Header(default=None),
    principal: Principal = Depends(require("logement.gerer")),
) -> s.VacanceOut:
    ligne = await vacances.orienter(
        uow,
        Acteur(principal),
        vacance_id,
        version_attendue=_version(if_match),
        contingent=corps.contingent,
        reservataire_id=corps.reservataire_id,
        motif_hors_flux=corps.motif_hors_flux,
    )
    response.headers["ETag"] = f'"{ligne["version"]}"'
    return _vacance(ligne, deps)


@router.post(
    "/vacances/{vacance_id}/retrait",
    response_model=s.VacanceOut,
    summary="Retirer une vacance avant attribution",
)
async def retirer(
    vacance_id: UUID,
    corps: s.RetraitIn,
    response: Response,
    uow: Uow,
    deps: Deps,
    if_match: str | None = Header(default=None),
    principal: Principal = Depends(require("logement.gerer")),
) -> s.VacanceOut:
    ligne = await vacances.retirer(
        uow,
        Acteur(principal),
        vacance_id,
        version_attendue=_version(if_match),
        motif=corps.motif,
        precision=corps.precision,
    )
    response.headers["ETag"] = f'"{ligne["version"]}"'
    return _vacance(ligne, deps)


# --- Conventions et flux ----------------------------------------------------------------------


def _convention(c: Any) -> s.ConventionOut:
    return s.ConventionOut(
        id=c.id,
        bailleur_id=c.bailleur_id,
        reservataire_id=c.reservataire_id,
        reservataire_nom=c.reservataire_nom,
        departement=c.departement,
        commune=c.commune,
        annee=c.annee,
        parts={k.value: v for k, v in c.parts.items()},
    )


@router.post(
    "/conventions",
    response_model=s.ConventionOut,
    status_code=201,
    summary="Enregistrer une convention de réservation",
)
async def creer_convention(
    corps: s.ConventionIn, uow: Uow, principal: Principal = Depends(require("convention.gerer"))
) -> s.ConventionOut:
    c = await conventions.creer_convention(
        uow,
        Acteur(principal),
        bailleur_id=corps.bailleur_id,
        reservataire_id=corps.reservataire_id,
        reservataire_nom=corps.reservataire_nom,
        departement=corps.departement,
        commune=corps.commune,
        annee=corps.annee,
        parts=corps.parts,
    )
    return _convention(c)


@router.get("/conventions", response_model=list[s.ConventionOut], summary="Conventions visibles")
async def lister_conventions(
    uow: Uow,
    annee: int | None = Query(default=None, ge=2020, le=2100),
    principal: Principal = Depends(require("candidat.rechercher")),
) -> list[s.ConventionOut]:
    return [
        _convention(c)
        for c in await conventions.lister_conventions(uow, Acteur(principal), annee=annee)
    ]


def _ligne_flux(lg: Any) -> s.LigneFluxOut:
    return s.LigneFluxOut(
        convention_id=lg.convention_id,
        reservataire_id=lg.reservataire_id,
        reservataire_nom=lg.reservataire_nom,
        contingent=lg.contingent.value,
        pourcent=lg.pourcent,
        dus=lg.dus,
        orientes=lg.orientes,
        attribues=lg.attribues,
        retard=lg.retard,
    )


@router.get(
    "/flux", response_model=list[s.GrandLivreOut], summary="Grand livre du flux par convention"
)
async def flux(
    uow: Uow,
    annee: int = Query(ge=2020, le=2100),
    departement: str | None = Query(default=None, pattern=r"^[0-9]{2}[0-9AB]?$"),
    principal: Principal = Depends(require("candidat.rechercher")),
) -> list[s.GrandLivreOut]:
    livres = await conventions.grands_livres(uow, Acteur(principal), annee, departement)
    return [
        s.GrandLivreOut(
            bailleur_id=livre.bailleur_id,
            departement=livre.departement,
            annee=livre.annee,
            base=livre.base,
            lignes=[_ligne_flux(lg) for lg in livre.lignes],
            suggestion=None if livre.suggestion is None else _ligne_flux(livre.suggestion),
        )
        for livre in livres
    ]


# --- Candidats, comparateur, désignation ------------------------------------------------------


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
    recherche = await candidats.evaluer_vacance(
        uow,
        deps,
        Acteur(principal),
        vacance_id,
        perimetre=perimetre,
        filtres_souples=filtres_souples,
    )
    r = recherche.resultat
    debut = (page - 1) * par_page
    page_c = r.candidats[debut : debut + par_page]
    page_x = await candidats.page_exclues(
        uow, deps, Acteur(principal), recherche, (page_exclues - 1) * par_page, par_page
    )
    lues = page_c + page_x
    await record_consultations(
        uow.session,
        principal,
        "demande",
        [(str(e.demande.demande_id), e.demande.departement) for e in lues],
        reason=f"recherche de candidats pour le logement {recherche.offre.logement_id}",
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
                motif=f"ne souhaite pas {recherche.offre.commune_nom}"
                + (" ni son EPCI" if perimetre is Perimetre.EPCI else ""),
                nombre=r.hors_souhait,
            )
        )
    return s.PageCandidats(
        vacance_id=vacance_id,
        commune=recherche.offre.commune,
        commune_nom=recherche.offre.commune_nom,
        actives_departement=recherche.actives,
        avertissements=candidats.avertissements(recherche.vacance),
        hors_souhait=r.hors_souhait,
        candidats_total=len(r.candidats),
        exclues_total=len(r.exclues) + r.hors_souhait + r.prefiltrees,
        exclues_listees=len(r.exclues) + len(recherche.prefiltrees),
        comptes_exclusions=comptes,
        page=page,
        par_page=par_page,
        candidats=[_candidat(e, debut + i) for i, e in enumerate(page_c, start=1)],
        exclues=[_candidat(e, None) for e in page_x],
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
