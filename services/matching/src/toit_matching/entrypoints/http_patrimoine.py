"""HTTP API of the landlords' housing stock (/api/matching/patrimoine): file imports and
housing pushed one by one by a rental-management system."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from servicekit import http_toolkit
from servicekit.auth import Principal, require
from toit_matching.bootstrap import Dependances
from toit_matching.domain.erreurs import DonneesInvalides, ErreurChamp
from toit_matching.domain.import_stock import Format
from toit_matching.entrypoints import schemas as s
from toit_matching.entrypoints.commun import Deps, Uow
from toit_matching.service_layer import patrimoine
from toit_matching.service_layer.acces import Acteur

router = APIRouter(prefix="/api/matching", tags=["matching"])


def _logement(ligne: dict[str, Any], deps: Dependances) -> s.LogementOut:
    return s.LogementOut(
        **{k: ligne[k] for k in s.LogementOut.model_fields if k in ligne},
        commune_nom=deps.referentiel.nom_commune(ligne["commune"]),
    )


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
        uow,
        deps,
        Acteur(principal),
        rpls,
        champs,
        version_attendue=http_toolkit.if_match_version(if_match, required=False),
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
