"""Choropleth maps of the indicators (SVG) and the same figures as a table (JSON)."""

from __future__ import annotations

from datetime import date

from fastapi import Depends, Query, Request, Response
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
