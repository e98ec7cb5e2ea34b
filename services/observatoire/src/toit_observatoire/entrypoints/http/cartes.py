"""Choropleth maps of the indicators (SVG) and the same figures as a table (JSON)."""

from __future__ import annotations

from datetime import date

from fastapi import Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection

from servicekit.auth import Principal, require
from toit_observatoire.entrypoints.http.commun import (
    STATS,
    connexion,
    deps_of,
    nouveau_router,
    utilisateur,
)
from toit_observatoire.service_layer import cartes

router = nouveau_router()

INDICATEUR = Query(
    default="demandes_en_cours", description="demandes_en_cours (à ce jour) ou attributions"
)
ANNEE = Query(default_factory=lambda: date.today().year, ge=2000, le=2100)


class ZoneOut(BaseModel):
    code: str
    nom: str
    valeur: int | None


class CarteOut(BaseModel):
    titre: str
    unite: str
    zones: list[ZoneOut]
    cellules_masquees: int


async def _carte(
    request: Request,
    principal: Principal,
    conn: AsyncConnection,
    indicateur: cartes.Indicateur,
    annee: int,
) -> cartes.Carte:
    seuil = deps_of(request).settings.observatoire_seuil_secret
    return await cartes.par_departement(
        conn, indicateur, annee, utilisateur(principal).perimetre, seuil
    )


@router.get(
    "/cartes/departements",
    response_model=CarteOut,
    summary="Chiffres par département (le tableau qui accompagne la carte)",
)
async def carte_tableau(
    request: Request,
    indicateur: cartes.Indicateur = INDICATEUR,
    annee: int = ANNEE,
    principal: Principal = Depends(require(STATS)),
    conn: AsyncConnection = Depends(connexion),
) -> CarteOut:
    found = await _carte(request, principal, conn, indicateur, annee)
    return CarteOut(
        titre=found.titre,
        unite=found.unite,
        zones=[ZoneOut(code=z.code, nom=z.nom, valeur=z.valeur) for z in found.zones],
        cellules_masquees=found.masquees,
    )


@router.get(
    "/cartes/departements.svg",
    summary="Carte choroplèthe par département (SVG accessible)",
    response_class=Response,
)
async def carte_svg(
    request: Request,
    indicateur: cartes.Indicateur = INDICATEUR,
    annee: int = ANNEE,
    principal: Principal = Depends(require(STATS)),
    conn: AsyncConnection = Depends(connexion),
) -> Response:
    found = await _carte(request, principal, conn, indicateur, annee)
    return Response(found.svg(), media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


# --- By commune or EPCI of one département ----------------------------------------------------

DEPARTEMENT = Query(pattern=r"^[0-9]{2}$", description="Département (code)")


async def _carte_maille(
    request: Request,
    principal: Principal,
    conn: AsyncConnection,
    maille: cartes.Maille,
    departement: str,
    indicateur: cartes.Indicateur,
    annee: int,
) -> cartes.Carte | JSONResponse:
    seuil = deps_of(request).settings.observatoire_seuil_secret
    try:
        return await cartes.par_commune_ou_epci(
            conn, maille, departement, indicateur, annee, utilisateur(principal).perimetre, seuil
        )
    except cartes.HorsTerritoire:
        return JSONResponse(
            status_code=404,
            content={"detail": f"Département {departement} hors de votre territoire"},
        )


def _tableau(found: cartes.Carte) -> CarteOut:
    return CarteOut(
        titre=found.titre,
        unite=found.unite,
        zones=[ZoneOut(code=z.code, nom=z.nom, valeur=z.valeur) for z in found.zones],
        cellules_masquees=found.masquees,
    )


def _routes_maille(maille: cartes.Maille, chemin: str, libelle: str) -> None:
    @router.get(
        f"/cartes/{chemin}",
        response_model=CarteOut,
        summary=f"Chiffres par {libelle} d'un département (le tableau de la carte)",
        name=f"carte_tableau_{maille}",
        responses={404: {"description": "Département hors du territoire de l'appelant"}},
    )
    async def tableau(
        request: Request,
        departement: str = DEPARTEMENT,
        indicateur: cartes.Indicateur = INDICATEUR,
        annee: int = ANNEE,
        principal: Principal = Depends(require(STATS)),
        conn: AsyncConnection = Depends(connexion),
    ) -> CarteOut | JSONResponse:
        found = await _carte_maille(
            request, principal, conn, maille, departement, indicateur, annee
        )
        return found if isinstance(found, JSONResponse) else _tableau(found)

    @router.get(
        f"/cartes/{chemin}.svg",
        summary=f"Carte choroplèthe schématique par {libelle} d'un département (SVG accessible)",
        response_class=Response,
        name=f"carte_svg_{maille}",
        responses={404: {"description": "Département hors du territoire de l'appelant"}},
    )
    async def image(
        request: Request,
        departement: str = DEPARTEMENT,
        indicateur: cartes.Indicateur = INDICATEUR,
        annee: int = ANNEE,
        principal: Principal = Depends(require(STATS)),
        conn: AsyncConnection = Depends(connexion),
    ) -> Response:
        found = await _carte_maille(
            request, principal, conn, maille, departement, indicateur, annee
        )
        if isinstance(found, JSONResponse):
            return found
        return Response(
            found.svg(), media_type="image/svg+xml", headers={"Cache-Control": "no-store"}
        )


_routes_maille("commune", "communes", "commune")
_routes_maille("epci", "epci", "EPCI")
