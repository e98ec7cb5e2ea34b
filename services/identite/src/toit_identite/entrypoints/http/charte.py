"""The charte déontologique: read, accept, publish a new version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from servicekit.auth import Principal, require
from servicekit.exceptions import Introuvable
from toit_identite import service_layer as uc
from toit_identite.adapters import repository as repo
from toit_identite.entrypoints.http.commun import PREFIX, UoW

router = APIRouter(prefix=PREFIX)


class CharteOut(BaseModel):
    version: int
    texte: str
    publiee_le: datetime
    acceptee: bool


@router.get("/charte", response_model=CharteOut, summary="Charte déontologique en vigueur")
async def charte(uow: UoW, principal: Principal = Depends(require("charte.lire"))) -> CharteOut:
    current = await repo.current_charte(uow.session)
    if current is None:
        raise Introuvable()
    compte = await repo.get_compte(uow.session, principal.sub)
    return CharteOut(
        version=current["version"],
        texte=current["texte"],
        publiee_le=current["publiee_le"],
        acceptee=compte is not None and compte.charte_version == current["version"],
    )


class AcceptationIn(BaseModel):
    version: int = Field(ge=1)


@router.post("/charte/acceptation", summary="Accepter la charte déontologique")
async def accepter_charte(
    body: AcceptationIn, uow: UoW, principal: Principal = Depends(require("charte.accepter"))
) -> dict[str, Any]:
    await uc.charte.accepter_charte(uow, principal, body.version)
    return {
        "version": body.version,
        "detail": "Charte acceptée : renouvelez votre jeton (grant_type=refresh_token)",
    }


class NouvelleCharteIn(BaseModel):
    texte: str = Field(min_length=20, max_length=50_000)


@router.post(
    "/chartes",
    status_code=201,
    summary="Publier une nouvelle version de la charte (à accepter par tous)",
)
async def publier_charte(
    body: NouvelleCharteIn, uow: UoW, principal: Principal = Depends(require("charte.gerer"))
) -> dict[str, int]:
    return {"version": await uc.charte.publier_charte(uow, principal, body.texte)}
