"""HTTP routes of my favourites under /api/identite/moi/favoris."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field

from servicekit.auth import Principal, require
from toit_identite.domain.favoris import Favori, TypeFavori
from toit_identite.entrypoints.http import PREFIX, UoW
from toit_identite.service_layer import favoris as uc

router = APIRouter(prefix=f"{PREFIX}/moi/favoris", tags=["favoris"])


class FavoriIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: TypeFavori
    cible: str = Field(
        min_length=1,
        max_length=300,
        description="Identifiant de la demande, ou adresse relative de la liste "
        "dans l'espace professionnel (/demandes?statut=A_VALIDER)",
    )
    libelle: str = Field(min_length=1, max_length=120)


class FavoriOut(BaseModel):
    id: str
    type: TypeFavori
    cible: str
    libelle: str
    cree_le: datetime


def _out(f: Favori) -> FavoriOut:
    return FavoriOut(id=f.id, type=f.type, cible=f.cible, libelle=f.libelle, cree_le=f.cree_le)


@router.get("", response_model=list[FavoriOut], summary="Mes favoris")
async def lister(
    uow: UoW, principal: Principal = Depends(require("favori.gerer"))
) -> list[FavoriOut]:
    return [_out(f) for f in await uc.lister(uow, principal)]


@router.post("", status_code=201, response_model=FavoriOut, summary="Ajouter un favori")
async def ajouter(
    body: FavoriIn, uow: UoW, principal: Principal = Depends(require("favori.gerer"))
) -> FavoriOut:
    return _out(await uc.ajouter(uow, principal, body.type, body.cible, body.libelle))


@router.delete("/{favori_id}", status_code=204, summary="Retirer un favori")
async def retirer(
    favori_id: UUID, uow: UoW, principal: Principal = Depends(require("favori.gerer"))
) -> Response:
    await uc.retirer(uow, principal, str(favori_id))
    return Response(status_code=204)
